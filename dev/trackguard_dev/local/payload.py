"""API Gateway HTTP API payload format 2.0: requests become events, handler answers become responses."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from trackguard_dev.local.template import ACCOUNT_ID, REGION

TEXT_MEDIA_TYPES = ("application/javascript", "application/graphql")
INTERNAL_SERVER_ERROR = b'{"message":"Internal Server Error"}'


@dataclass(frozen=True)
class HttpRequest:
    """A request as the gateway received it; ``headers`` keep their order and repeats."""

    method: str
    raw_path: str
    raw_query: str
    headers: Sequence[tuple[str, str]]
    body: bytes
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


@dataclass(frozen=True)
class RequestScope:
    """Where a request is going: its route, API and the values API Gateway adds."""

    route_key: str
    api_id: str
    path_parameters: Mapping[str, str]
    request_id: str
    received_at: datetime


def joined_headers(headers: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Lower-cased names; repeated headers joined with commas, as API Gateway does."""
    joined: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    return joined


def is_text(content_type: str | None) -> bool:
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return (
        media_type.startswith("text/")
        or media_type.endswith(("/json", "+json", "/xml", "+xml"))
        or media_type in TEXT_MEDIA_TYPES
    )


def http_event(request: HttpRequest, scope: RequestScope) -> dict[str, Any]:
    headers = joined_headers(request.headers)
    cookie_header = headers.pop("cookie", None)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": scope.route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
        "headers": headers,
        "requestContext": _request_context(request, scope, headers),
        "isBase64Encoded": False,
    }
    if cookie_header:
        event["cookies"] = [cookie.strip() for cookie in cookie_header.replace(",", ";").split(";")]
    query = query_parameters(request.raw_query)
    if query:
        event["queryStringParameters"] = query
    if scope.path_parameters:
        event["pathParameters"] = dict(scope.path_parameters)
    if request.body:
        event.update(_body(request.body, headers.get("content-type")))
    return event


def authorizer_event(request: HttpRequest, scope: RequestScope, identity_source: list[str]) -> dict[str, Any]:
    """The REQUEST authorizer event (2.0): the request's fields without its body, plus the route ARN."""
    event = http_event(request, scope)
    for name in ("body", "isBase64Encoded"):
        event.pop(name, None)
    method, _, path = scope.route_key.partition(" ")
    route_path = f"{method}{path}" if path else scope.route_key
    return {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{scope.api_id}/$default/{route_path}",
        "identitySource": identity_source,
        **{name: value for name, value in event.items() if name != "version"},
    }


def query_parameters(raw_query: str) -> dict[str, str]:
    joined: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    return joined


def _request_context(request: HttpRequest, scope: RequestScope, headers: Mapping[str, str]) -> dict[str, Any]:
    domain_name = headers.get("host", "127.0.0.1")
    return {
        "accountId": ACCOUNT_ID,
        "apiId": scope.api_id,
        "domainName": domain_name,
        "domainPrefix": domain_name.split(".", 1)[0],
        "http": {
            "method": request.method,
            "path": request.raw_path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": scope.request_id,
        "routeKey": scope.route_key,
        "stage": "$default",
        "time": scope.received_at.astimezone(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(scope.received_at.timestamp() * 1000),
    }


def _body(body: bytes, content_type: str | None) -> dict[str, Any]:
    if is_text(content_type):
        try:
            return {"body": body.decode("utf-8"), "isBase64Encoded": False}
        except UnicodeDecodeError:
            pass
    return {"body": base64.b64encode(body).decode("ascii"), "isBase64Encoded": True}


def http_response(result: Any) -> HttpResponse:
    """The HTTP answer API Gateway makes of a handler's return value (2.0 rules, inference included)."""
    if not isinstance(result, dict) or "statusCode" not in result:
        body = result if isinstance(result, str) else json.dumps(result)
        return HttpResponse(200, [("content-type", "application/json")], body.encode())
    status = result["statusCode"]
    if not isinstance(status, int) or not 100 <= status <= 599:
        return internal_server_error()
    headers = [(name.lower(), str(value)) for name, value in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers += [(name.lower(), str(value)) for value in values]
    headers += [("set-cookie", str(cookie)) for cookie in result.get("cookies") or []]
    return HttpResponse(status, headers, _response_body(result))


def _response_body(result: Mapping[str, Any]) -> bytes:
    body = result.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        body = json.dumps(body)
    return base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()


def json_response(status: int, document: Any) -> HttpResponse:
    return HttpResponse(status, [("content-type", "application/json")], json.dumps(document).encode())


def internal_server_error() -> HttpResponse:
    return HttpResponse(500, [("content-type", "application/json")], INTERNAL_SERVER_ERROR)
