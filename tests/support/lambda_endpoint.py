"""A Lambda Invoke API on 127.0.0.1 that records each invocation (function, type, event) and answers
as Lambda does (202 for ``Event``, 200 with ``null`` otherwise). Point ``AWS_ENDPOINT_URL_LAMBDA`` at it."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote


class RecordingLambdaEndpoint:
    def __init__(self) -> None:
        self.invocations: list[tuple[str, str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> RecordingLambdaEndpoint:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                name = unquote(self.path.split("/functions/", 1)[1].split("/invocations", 1)[0])
                kind = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
                event = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"null")
                endpoint.invocations.append((name, kind, event))
                self.send_response(202 if kind == "Event" else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "4")
                self.end_headers()
                self.wfile.write(b"null")

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler
