"""Lambda events as API Gateway (HTTP API, payload 2.0) hands them to the functions, and the functions."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


@dataclass(frozen=True)
class FakeLambdaContext:
    function_name: str = "test"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:test"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"


def load_function(directory: str) -> ModuleType:
    """Import functions/<directory>/app.py under its own name (every handler file is called app.py)."""
    spec = importlib.util.spec_from_file_location(f"{directory}_app", FUNCTIONS / directory / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def authorizer_event(path: str, authorization: str | None) -> dict[str, Any]:
    headers = {"authorization": authorization} if authorization is not None else {}
    return {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": "arn:aws:execute-api:us-east-1:000000000000:api/$default/GET" + path,
        "identitySource": [authorization] if authorization else [],
        "routeKey": "ANY /sellers/{proxy+}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {"http": {"method": "GET", "path": path}, "stage": "$default"},
    }


def api_event(
    method: str,
    path: str,
    authorizer_context: dict[str, Any] | None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A request after the authorizer ran: its context sits under requestContext.authorizer.lambda."""
    request_context: dict[str, Any] = {
        "accountId": "000000000000",
        "apiId": "api",
        "domainName": "api.example.com",
        "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.9"},
        "requestId": "req-1",
        "routeKey": "$default",
        "stage": "$default",
        "timeEpoch": 1_767_225_600_000,
    }
    if authorizer_context is not None:
        request_context["authorizer"] = {"lambda": authorizer_context}
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "queryStringParameters": query,
        "headers": {"host": "api.example.com"},
        "requestContext": request_context,
        "isBase64Encoded": False,
    }


def json_body(answer: dict[str, Any]) -> Any:
    return json.loads(answer["body"])
