"""The gateway: routes to functions, Lambda authorizers (401/403/context/cache), sandbox prefixes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trackguard_dev.local.gateway import Authorizers, Gateway, Sandboxes
from trackguard_dev.local.model import AuthorizerSpec, RouteSpec
from trackguard_dev.local.payload import HttpRequest
from trackguard_dev.local.workers import Invocation

AUTHORIZER = AuthorizerSpec(
    name="Keys",
    function_id="AuthFn",
    identity_headers=("Authorization",),
    identity_query_strings=(),
    reauthorize_seconds=300,
    simple_responses=True,
)
ECHO_REGISTRY = {
    "/_sandbox/echo": "tests.unit.local.fixtures.echo_sandbox:create",
    "/_sandbox/absent": "tests.unit.local.fixtures.not_written_yet:create",
}


class FakeFunctions:
    """Records invocations; the authorizer allows `Bearer good`, the app echoes its event."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def invoke(self, function_id: str, event: Any) -> Invocation:
        self.calls.append((function_id, event))
        if function_id == "AuthFn":
            allowed = event["identitySource"] == ["Bearer good"]
            return Invocation(True, {"isAuthorized": allowed, "context": {"seller": "s1"}})
        if function_id == "Broken":
            return Invocation(False, {"errorType": "ValueError", "errorMessage": "boom"})
        return Invocation(True, {"statusCode": 200, "body": json.dumps(event)})


def gateway(functions: FakeFunctions, tmp_path: Path, clock: list[float] | None = None) -> Gateway:
    routes = [
        RouteSpec("GET", "/private/{id}", "App", "Api", AUTHORIZER),
        RouteSpec("GET", "/public", "App", "Api", None),
        RouteSpec("GET", "/broken", "Broken", "Api", None),
    ]
    now = clock or [0.0]
    authorizers = Authorizers(functions.invoke, clock=lambda: now[0])
    sandboxes = Sandboxes(ECHO_REGISTRY, tmp_path, {"key": "sandbox-secret"})
    return Gateway(routes, functions.invoke, sandboxes, authorizers)


def get(path: str, headers: list[tuple[str, str]] | None = None, query: str = "") -> HttpRequest:
    return HttpRequest("GET", path, query, headers or [], b"")


def test_missing_identity_is_401_without_calling_the_authorizer(tmp_path: Path) -> None:
    functions = FakeFunctions()

    response = gateway(functions, tmp_path).handle(get("/private/1"))

    assert response.status == 401
    assert json.loads(response.body) == {"message": "Unauthorized"}
    assert functions.calls == []


def test_refused_identity_is_403(tmp_path: Path) -> None:
    functions = FakeFunctions()

    response = gateway(functions, tmp_path).handle(get("/private/1", [("Authorization", "Bearer bad")]))

    assert response.status == 403
    assert json.loads(response.body) == {"message": "Forbidden"}
    assert [call[0] for call in functions.calls] == ["AuthFn"]


def test_allowed_request_reaches_the_function_with_the_authorizer_context(tmp_path: Path) -> None:
    functions = FakeFunctions()

    response = gateway(functions, tmp_path).handle(get("/private/7", [("Authorization", "Bearer good")]))

    assert response.status == 200
    event = json.loads(response.body)
    assert event["requestContext"]["authorizer"] == {"lambda": {"seller": "s1"}}
    assert event["pathParameters"] == {"id": "7"}
    authorizer_event = functions.calls[0][1]
    assert authorizer_event["type"] == "REQUEST"
    assert authorizer_event["routeKey"] == "GET /private/{id}"


def test_verdicts_are_cached_per_identity_for_reauthorize_every(tmp_path: Path) -> None:
    functions, clock = FakeFunctions(), [0.0]
    api = gateway(functions, tmp_path, clock)
    good = [("Authorization", "Bearer good")]

    api.handle(get("/private/1", good))
    api.handle(get("/private/1", good))
    clock[0] = 301.0
    api.handle(get("/private/1", good))

    assert [call[0] for call in functions.calls].count("AuthFn") == 2


def test_public_route_skips_the_authorizer(tmp_path: Path) -> None:
    functions = FakeFunctions()

    response = gateway(functions, tmp_path).handle(get("/public"))

    assert response.status == 200
    assert [call[0] for call in functions.calls] == ["App"]


def test_a_failing_function_is_an_internal_server_error(tmp_path: Path) -> None:
    response = gateway(FakeFunctions(), tmp_path).handle(get("/broken"))

    assert response.status == 500
    assert json.loads(response.body) == {"message": "Internal Server Error"}


def test_unknown_route_is_404(tmp_path: Path) -> None:
    response = gateway(FakeFunctions(), tmp_path).handle(get("/nowhere"))

    assert response.status == 404
    assert json.loads(response.body) == {"message": "Not Found"}


def test_a_sandbox_prefix_is_served_by_its_sandbox(tmp_path: Path) -> None:
    request = HttpRequest("PUT", "/_sandbox/echo/orders/1", "ids=a&ids=b", [("X-Test", "yes")], b"payload")

    response = gateway(FakeFunctions(), tmp_path).handle(request)

    assert response.status == 201
    assert json.loads(response.body) == {
        "method": "PUT",
        "path": "/orders/1",
        "query": {"ids": ["a", "b"]},
        "header": "yes",
        "body": "payload",
        "secret": "sandbox-secret",
    }


def test_a_sandbox_whose_module_is_missing_is_not_served(tmp_path: Path) -> None:
    response = gateway(FakeFunctions(), tmp_path).handle(get("/_sandbox/absent/x"))

    assert response.status == 404
