"""A real server in a background thread (waitress, the same server ``mockserver serve`` uses).

Binds to 127.0.0.1 and port 0 by default, so tests never collide and never leave loopback.
Stopping follows webtest's StopableWSGIServer: close every channel, then the task dispatcher.
"""

from __future__ import annotations

import logging
import threading
import time
from types import TracebackType
from typing import Any

import requests
from flask import Flask
from waitress.server import create_server


class MockServer:
    def __init__(
        self, app: Flask, host: str = "127.0.0.1", port: int = 0, threads: int = 8
    ) -> None:
        self.app = app
        self.host = host
        self._server: Any = create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="mockserver",
            clear_untrusted_proxy_headers=True,
        )
        self.port: int = self._server.effective_port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 5.0) -> MockServer:
        self._thread = threading.Thread(target=self._server.run, name="mockserver", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/__admin/health", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError(f"mock server did not answer on {self.url} within {timeout}s")

    def stop(self) -> None:
        server = self._server
        logging.getLogger("waitress").setLevel(logging.FATAL)
        while server._map:
            for channel in list(server._map.values()):
                channel.handle_close()
        server.maintenance(0)
        server.task_dispatcher.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        engine = self.app.extensions.get("mockserver")
        if engine is not None:
            engine.close()  # the webhook worker stops with the server

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
