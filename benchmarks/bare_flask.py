"""The ceiling: a bare Flask endpoint returning a fixed JSON page, on the same WSGI server."""

from __future__ import annotations

import json
import sys

from flask import Flask
from flask import Response
from waitress import serve

PAGE = json.dumps(
    {
        "items": [
            {"id": str(1000 + i), "name": f"Client {i}", "email": f"c{i}@example.be"}
            for i in range(10)
        ],
        "totalItems": 25,
        "totalPages": 3,
        "currentPage": 0,
        "size": 10,
    }
)

app = Flask("bare")


@app.route("/bare", methods=["GET", "POST"])
def bare() -> Response:
    return Response(PAGE, mimetype="application/json")


if __name__ == "__main__":
    port, threads = int(sys.argv[1]), int(sys.argv[2])
    serve(app, host="127.0.0.1", port=port, threads=threads, ident="bare", _quiet=True)
