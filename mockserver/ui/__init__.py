"""The dashboard at ``/__admin/ui``: one static page app over the JSON admin API.

Everything the page shows comes from ``/__admin/*`` routes, so what a person sees is what a test or
script can read; the page itself holds no state and fetches nothing from the internet.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response
from flask import redirect
from flask import send_from_directory

from mockserver.admin import blueprint

STATIC = Path(__file__).with_name("static")


@blueprint.get("/ui")
def dashboard() -> Response:
    response = send_from_directory(STATIC, "index.html", max_age=0)
    # The page loads only its own files and talks only to this server.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'"
    )
    return response


@blueprint.get("/ui/")
def dashboard_slash() -> Response:
    return redirect("../ui", code=308)  # type: ignore[return-value]


@blueprint.get("/ui/<path:name>")
def dashboard_asset(name: str) -> Response:
    return send_from_directory(STATIC, name, max_age=0)
