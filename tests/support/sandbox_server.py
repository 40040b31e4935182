"""Serve one sandbox over real HTTP on 127.0.0.1 (a tiny threaded http.server), counting requests.

For tests and benchmarks that need a sandbox without the whole local stack.
"""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from trackguard_dev.local.sandboxes import SandboxRequest, SandboxResponse


class Sandbox(Protocol):
    def handle(self, request: SandboxRequest) -> SandboxResponse: ...


class SandboxServer:
    """``url`` is the sandbox's root; ``requests`` counts (method, path) of every request served."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.requests: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class(sandbox))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def request_count(self) -> int:
        with self._lock:
            return sum(self.requests.values())

    def count(self, method: str, path: str) -> int:
        with self._lock:
            return self.requests[(method, path)]

    def __enter__(self) -> SandboxServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _record(self, method: str, path: str) -> None:
        with self._lock:
            self.requests[(method, path)] += 1

    def _handler_class(self, sandbox: Sandbox) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._delegate()

            def do_POST(self) -> None:
                self._delegate()

            def do_PUT(self) -> None:
                self._delegate()

            def _delegate(self) -> None:
                url = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                server._record(self.command, url.path)
                response = sandbox.handle(
                    SandboxRequest(
                        method=self.command,
                        path=url.path,
                        query=parse_qs(url.query),
                        headers={name.lower(): value for name, value in self.headers.items()},
                        body=body,
                    )
                )
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        return Handler
