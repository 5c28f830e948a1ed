"""``create_app``: build the engine, mount every API under its prefix, add the admin API."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask import Response
from flask import request
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound
from werkzeug.routing import RequestRedirect

from mockserver import admin
from mockserver import admin_controls  # noqa: F401  (adds its routes to the admin blueprint)
from mockserver import handlers_builtin  # noqa: F401  (registers shared and per-API handlers)
from mockserver.clock import Clock
from mockserver.engine import MockEngine
from mockserver.pipeline import record
from mockserver.pipeline import render_error
from mockserver.pipeline import routing_error
from mockserver.pipeline import routing_error_reply
from mockserver.pipeline import to_response
from mockserver.routing import register_api
from mockserver.settings import Settings


def create_app(
    settings: Settings | None = None, *, clock: Clock | None = None, seed: bool = True
) -> Flask:
    settings = settings or Settings.from_env()
    engine = MockEngine(settings, clock=clock)
    app = Flask("mockserver")
    app.url_map.merge_slashes = False  # "//clients" is a 404, not a redirect
    app.extensions["mockserver"] = engine
    for runtime in engine.runtimes.values():
        register_api(app, runtime)
    app.register_blueprint(admin.blueprint)
    if settings.shared_runtime:  # adopt a clock change made in another worker, first thing
        app.before_request(engine.clock.sync)
    app.before_request(_redirect_missing_slash)
    app.register_error_handler(HTTPException, _http_error)
    if seed:
        engine.seed_if_empty()  # memory is always empty; SQLite and Redis keep what they hold
    return app


def get_engine(app: Flask) -> MockEngine:
    found: MockEngine = app.extensions["mockserver"]
    return found


def _engine() -> MockEngine:
    from flask import current_app

    return get_engine(current_app)  # type: ignore[arg-type]


def _redirect_missing_slash() -> Response | None:
    """Django's APPEND_SLASH answers 302 for a path without its trailing slash (Robosize)."""
    redirect = request.routing_exception
    if not isinstance(redirect, RequestRedirect):
        return None
    runtime = _engine().runtime_for_path(request.path)
    if runtime is not None and runtime.spec.config.trailing_slash == "redirect-302":
        return Response(status=302, headers={"Location": redirect.new_url})
    return to_response(routing_error_reply(runtime, NotFound()), None, {})


def _http_error(exc: HTTPException) -> Any:
    """Routing 404/405 and other HTTP errors, in the owning API's error shape."""
    runtime = _engine().runtime_for_path(request.path)
    error = routing_error(exc)
    response = to_response(render_error(runtime, error), None, {})
    record(runtime, None, response, error)
    return response
