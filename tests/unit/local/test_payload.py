"""Payload format 2.0: the event a function receives, and the response API Gateway makes of its answer."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from trackguard_dev.local.payload import (
    HttpRequest,
    RequestScope,
    authorizer_event,
    http_event,
    http_response,
)

SCOPE = RequestScope(
    route_key="POST /sellers/{seller_id}/flags",
    api_id="httpapi",
    path_parameters={"seller_id": "shop-1"},
    request_id="req-1",
    received_at=datetime(2026, 3, 12, 19, 3, 58, 123000, tzinfo=UTC),
)


def request(
    body: bytes = b"",
    content_type: str | None = "application/json",
    *,
    method: str = "POST",
    raw_query: str = "status=open&tag=a&tag=b",
    headers: Sequence[tuple[str, str]] | None = None,
) -> HttpRequest:
    """A request to the flags route; ``headers`` replace the default ones, content type included."""
    if headers is None:
        default = [("Host", "127.0.0.1:3000"), ("User-Agent", "curl/8"), ("X-Multi", "a"), ("x-multi", "b")]
        if content_type:
            default.append(("Content-Type", content_type))
        headers = default
    return HttpRequest(
        method=method,
        raw_path="/sellers/shop-1/flags",
        raw_query=raw_query,
        headers=headers,
        body=body,
        source_ip="127.0.0.9",
    )


def test_event_carries_the_2_0_fields() -> None:
    event = http_event(request(b'{"a": 1}'), SCOPE)

    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /sellers/{seller_id}/flags"
    assert event["rawPath"] == "/sellers/shop-1/flags"
    assert event["rawQueryString"] == "status=open&tag=a&tag=b"
    assert event["queryStringParameters"] == {"status": "open", "tag": "a,b"}
    assert event["pathParameters"] == {"seller_id": "shop-1"}
    assert event["body"] == '{"a": 1}'
    assert event["isBase64Encoded"] is False
    assert "stageVariables" not in event


def test_headers_are_lower_cased_and_repeats_joined_with_commas() -> None:
    headers = http_event(request(), SCOPE)["headers"]

    assert headers["x-multi"] == "a,b"
    assert headers["user-agent"] == "curl/8"
    assert all(name == name.lower() for name in headers)


def test_request_context() -> None:
    context = http_event(request(), SCOPE)["requestContext"]

    assert context["accountId"] == "000000000000"
    assert context["apiId"] == "httpapi"
    assert context["domainName"] == "127.0.0.1:3000"
    assert context["http"] == {
        "method": "POST",
        "path": "/sellers/shop-1/flags",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.9",
        "userAgent": "curl/8",
    }
    assert context["requestId"] == "req-1"
    assert context["routeKey"] == SCOPE.route_key
    assert context["stage"] == "$default"
    assert context["time"] == "12/Mar/2026:19:03:58 +0000"
    assert context["timeEpoch"] == 1773342238123


def test_binary_bodies_are_base64_encoded() -> None:
    payload = b"\x00\xffbinary"
    event = http_event(request(payload, content_type="application/octet-stream"), SCOPE)

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload


def test_text_types_stay_text_and_undecodable_text_is_base64() -> None:
    xml = http_event(request(b"<a/>", content_type="application/soap+xml; charset=utf-8"), SCOPE)
    broken = http_event(request(b"\xff\xfe", content_type="text/plain"), SCOPE)

    assert (xml["body"], xml["isBase64Encoded"]) == ("<a/>", False)
    assert broken["isBase64Encoded"] is True


def test_no_body_no_query_no_path_parameters_are_left_out() -> None:
    scope = RequestScope("GET /health", "api", {}, "r", SCOPE.received_at)
    event = http_event(request(raw_query="", method="GET", content_type=None), scope)

    assert "body" not in event
    assert "queryStringParameters" not in event
    assert "pathParameters" not in event


def test_cookies_move_from_headers_to_the_cookies_field() -> None:
    event = http_event(request(headers=[("Cookie", "a=1; b=2")]), SCOPE)

    assert event["cookies"] == ["a=1", "b=2"]
    assert "cookie" not in event["headers"]


def test_authorizer_event_has_route_arn_and_identity_without_body() -> None:
    event = authorizer_event(request(b"{}"), SCOPE, ["Bearer x"])

    assert event["type"] == "REQUEST"
    assert event["version"] == "2.0"
    assert event["identitySource"] == ["Bearer x"]
    assert event["routeArn"] == (
        "arn:aws:execute-api:us-east-1:000000000000:httpapi/$default/POST/sellers/{seller_id}/flags"
    )
    assert "body" not in event
    assert event["headers"]["user-agent"] == "curl/8"


def test_structured_response_maps_status_headers_cookies_and_body() -> None:
    response = http_response(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "text/csv"},
            "multiValueHeaders": {"X-Many": ["1", "2"]},
            "cookies": ["a=1; Secure"],
            "body": "x,y",
        }
    )

    assert response.status == 201
    assert ("content-type", "text/csv") in response.headers
    assert [value for name, value in response.headers if name == "x-many"] == ["1", "2"]
    assert ("set-cookie", "a=1; Secure") in response.headers
    assert response.body == b"x,y"


def test_base64_response_body_is_decoded() -> None:
    response = http_response(
        {"statusCode": 200, "body": base64.b64encode(b"\x00\x01").decode(), "isBase64Encoded": True}
    )

    assert response.body == b"\x00\x01"


def test_a_dict_without_status_code_is_a_200_json_body() -> None:
    response = http_response({"hello": "world"})

    assert response.status == 200
    assert ("content-type", "application/json") in response.headers
    assert json.loads(response.body) == {"hello": "world"}


def test_a_string_answer_is_the_body_as_is() -> None:
    response = http_response("Hello from Lambda!")

    assert (response.status, response.body) == (200, b"Hello from Lambda!")


def test_a_malformed_status_code_is_an_internal_server_error() -> None:
    response = http_response({"statusCode": "teapot"})

    assert response.status == 500
    assert json.loads(response.body) == {"message": "Internal Server Error"}
