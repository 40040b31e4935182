"""The HTTP API on loopback: routes to functions (with Lambda authorizers) and the sandboxes' prefixes."""

from __future__ import annotations

import base64
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from trackguard_dev.local.lambda_api import PREFIX as LAMBDA_API_PREFIX
from trackguard_dev.local.lambda_api import LambdaApi
from trackguard_dev.local.model import AuthorizerSpec, RouteSpec
from trackguard_dev.local.payload import (
    HttpRequest,
    HttpResponse,
    RequestScope,
    authorizer_event,
    http_event,
    http_response,
    internal_server_error,
    joined_headers,
    json_response,
    query_parameters,
)
from trackguard_dev.local.routes import RouteMatch, RouteTable
from trackguard_dev.local.sandboxes import Sandbox, SandboxRequest, load_factory
from trackguard_dev.local.workers import Invocation

MAX_BODY_BYTES = 10 * 1024 * 1024
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

Invoke = Callable[[str, Any], Invocation]
log = logging.getLogger(__name__)


class PayloadTooLargeError(Exception):
    pass


class Authorizers:
    """Runs Lambda REQUEST authorizers and caches their verdicts for ReauthorizeEvery seconds."""

    def __init__(self, invoke: Invoke, clock: Callable[[], float] = time.monotonic) -> None:
        self._invoke = invoke
        self._clock = clock
        self._cache: dict[tuple[Any, ...], tuple[float, HttpResponse | dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def authorize(
        self, spec: AuthorizerSpec, request: HttpRequest, scope: RequestScope
    ) -> HttpResponse | dict[str, Any]:
        """The authorizer's context when allowed, else the response that refuses the request."""
        identity = _identity_values(spec, request)
        if identity is None:
            return json_response(401, {"message": "Unauthorized"})
        key = (spec.name, scope.route_key, *identity)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        verdict = self._verdict(spec, authorizer_event(request, scope, identity))
        cacheable = not isinstance(verdict, HttpResponse) or verdict.status == 403
        if cacheable and spec.reauthorize_seconds > 0:
            self._remember(key, verdict, spec.reauthorize_seconds)
        return verdict

    def _remember(self, key: tuple[Any, ...], verdict: HttpResponse | dict[str, Any], ttl: int) -> None:
        with self._lock:
            self._cache[key] = (self._clock() + ttl, verdict)

    def _verdict(self, spec: AuthorizerSpec, event: dict[str, Any]) -> HttpResponse | dict[str, Any]:
        result = self._invoke(spec.function_id, event)
        if not result.ok or not isinstance(result.payload, dict):
            return internal_server_error()
        answer = result.payload
        if spec.simple_responses:
            allowed = answer.get("isAuthorized") is True
        else:
            statements = (answer.get("policyDocument") or {}).get("Statement") or []
            allowed = bool(statements) and all(s.get("Effect") == "Allow" for s in statements)
        if not allowed:
            return json_response(403, {"message": "Forbidden"})
        context: dict[str, Any] = answer.get("context") or {}
        return context


def _identity_values(spec: AuthorizerSpec, request: HttpRequest) -> list[str] | None:
    headers = joined_headers(request.headers)
    query = query_parameters(request.raw_query)
    values = [headers.get(name.lower()) for name in spec.identity_headers]
    values += [query.get(name) for name in spec.identity_query_strings]
    if any(not value for value in values):
        return None
    return [str(value) for value in values]


class Sandboxes:
    """The sandboxes of ``SANDBOXES``, each created on its first request."""

    def __init__(self, registry: Mapping[str, str], state_dir: Path, secrets: Mapping[str, Any]) -> None:
        self._registry = dict(sorted(registry.items(), key=lambda item: -len(item[0])))
        self._state_dir = state_dir
        self._secrets = secrets
        self._created: dict[str, Sandbox | None] = {}
        self._lock = threading.Lock()

    def find(self, path: str) -> tuple[Sandbox, str] | None:
        for prefix in self._registry:
            if path == prefix or path.startswith(prefix + "/"):
                sandbox = self._sandbox(prefix)
                return (sandbox, path[len(prefix) :] or "/") if sandbox else None
        return None

    def _sandbox(self, prefix: str) -> Sandbox | None:
        with self._lock:
            if prefix not in self._created:
                factory = load_factory(self._registry[prefix])
                self._created[prefix] = factory(self._state_dir, self._secrets) if factory else None
            return self._created[prefix]


class Gateway:
    """Turns an HTTP request into the answer API Gateway would give."""

    def __init__(
        self,
        routes: list[RouteSpec],
        invoke: Invoke,
        sandboxes: Sandboxes,
        authorizers: Authorizers | None = None,
        functions: LambdaApi | None = None,
    ) -> None:
        self._table = RouteTable(routes)
        self._invoke = invoke
        self._sandboxes = sandboxes
        self._authorizers = authorizers or Authorizers(invoke)
        self._functions = functions

    def handle(self, request: HttpRequest) -> HttpResponse:
        if self._functions is not None and request.raw_path.startswith(LAMBDA_API_PREFIX):
            return self._functions.handle(request)
        sandbox = self._sandboxes.find(request.raw_path)
        if sandbox is not None:
            return _serve_sandbox(*sandbox, request)
        match = self._table.match(request.method, request.raw_path)
        if match is None:
            return json_response(404, {"message": "Not Found"})
        return self._serve_route(match, request)

    def _serve_route(self, match: RouteMatch, request: HttpRequest) -> HttpResponse:
        scope = RequestScope(
            route_key=match.route.route_key,
            api_id=match.route.api_id.lower(),
            path_parameters=match.path_parameters,
            request_id=base64.b64encode(uuid.uuid4().bytes[:10]).decode(),
            received_at=datetime.now(UTC),
        )
        event = http_event(request, scope)
        if match.route.authorizer is not None:
            verdict = self._authorizers.authorize(match.route.authorizer, request, scope)
            if isinstance(verdict, HttpResponse):
                return verdict
            event["requestContext"]["authorizer"] = {"lambda": verdict}
        result = self._invoke(match.route.function_id, event)
        if not result.ok:
            return internal_server_error()
        return http_response(result.payload)


def _serve_sandbox(sandbox: Sandbox, path: str, request: HttpRequest) -> HttpResponse:
    answer = sandbox.handle(
        SandboxRequest(
            method=request.method,
            path=path,
            query=parse_qs(request.raw_query, keep_blank_values=True),
            headers=joined_headers(request.headers),
            body=request.body,
        )
    )
    return HttpResponse(answer.status, list(answer.headers.items()), answer.body)


class GatewayServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 in front of a Gateway."""

    def __init__(self, gateway: Gateway, port: int) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_class(gateway))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="gateway", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def _handler_class(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            url = urlsplit(self.path)
            try:
                body = _read_body(self)
            except PayloadTooLargeError:
                self.close_connection = True
                self._send(json_response(413, {"message": "Request Entity Too Large"}))
                return
            request = HttpRequest(
                method=self.command,
                raw_path=url.path,
                raw_query=url.query,
                headers=list(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
                protocol=self.request_version,
            )
            try:
                response = gateway.handle(request)
            except Exception:
                log.exception("the gateway failed on %s %s", self.command, url.path)
                response = internal_server_error()
            self._send(response)

        def _send(self, response: HttpResponse) -> None:
            try:
                self._write(response)
            except (BrokenPipeError, ConnectionResetError):
                log.debug("the client left before %s %s was answered", self.command, self.path)

        def _write(self, response: HttpResponse) -> None:
            self.send_response(response.status)
            for name, value in response.headers:
                if name not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(name, value)
            self.send_header("content-length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
            self.wfile.flush()

        def log_message(self, format: str, *args: Any) -> None:
            log.debug(format, *args)

    for method in HTTP_METHODS:
        setattr(Handler, f"do_{method}", Handler._serve)
    return Handler


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("transfer-encoding", "").lower() == "chunked":
        return _read_chunked(handler)
    length = int(handler.headers.get("content-length") or 0)
    if length > MAX_BODY_BYTES:
        raise PayloadTooLargeError
    return handler.rfile.read(length)


def _read_chunked(handler: BaseHTTPRequestHandler) -> bytes:
    body = bytearray()
    while True:
        size = int(handler.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return bytes(body)
        if len(body) + size > MAX_BODY_BYTES:
            raise PayloadTooLargeError
        body += handler.rfile.read(size)
        handler.rfile.readline()
