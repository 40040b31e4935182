"""The HTTP edge refuses oversized and non-JSON bodies before any source sees them."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from trackguard.api.errors import error_response
from trackguard.api.webhooks import read_delivery
from trackguard.errors import TrackguardError

LIMIT = 1024 * 1024


def an_event(
    body: str = "{}", content_type: str | None = "application/json", **changes: Any
) -> APIGatewayProxyEventV2:
    headers = {"Content-Type": content_type} if content_type else {}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "POST /webhooks/shopify",
        "rawPath": "/webhooks/shopify",
        "headers": headers,
        "body": body,
        "isBase64Encoded": False,
        "requestContext": {
            "http": {"method": "POST", "path": "/webhooks/shopify"},
            "timeEpoch": 1_767_225_600_000,
        },
    }
    event.update(changes)
    return APIGatewayProxyEventV2(event)


def test_the_raw_body_and_lower_cased_headers_are_kept() -> None:
    body = '{"b": 1,  "a": "é"}'

    delivery = read_delivery(an_event(body), LIMIT)

    assert delivery.body == body.encode()
    assert delivery.header("Content-Type") == "application/json"
    assert delivery.received_at.isoformat() == "2026-01-01T00:00:00+00:00"


def test_a_base64_body_is_decoded_to_its_exact_bytes() -> None:
    raw = b'{"n": "\xc3\xa9"}'
    event = an_event(base64.b64encode(raw).decode(), isBase64Encoded=True)

    assert read_delivery(event, LIMIT).body == raw


def test_a_body_over_the_limit_is_refused_with_413() -> None:
    with pytest.raises(TrackguardError) as refused:
        read_delivery(an_event("x" * (LIMIT + 1)), LIMIT)

    assert refused.value.status == 413


def test_a_body_at_the_limit_passes() -> None:
    assert len(read_delivery(an_event("x" * LIMIT), LIMIT).body) == LIMIT


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_content_type_that_is_not_json_is_refused_with_415(content_type: str | None) -> None:
    with pytest.raises(TrackguardError) as refused:
        read_delivery(an_event(content_type=content_type), LIMIT)

    assert refused.value.status == 415


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "APPLICATION/JSON", "application/vnd.x+json"]
)
def test_json_content_types_pass(content_type: str) -> None:
    assert read_delivery(an_event(content_type=content_type), LIMIT).body == b"{}"


def test_invalid_base64_is_a_payload_error() -> None:
    with pytest.raises(TrackguardError) as refused:
        read_delivery(an_event("not base64!!", isBase64Encoded=True), LIMIT)

    assert refused.value.status == 400


def test_errors_have_the_contract_shape() -> None:
    response = error_response(400, "invalid_payload", "data.order_id is required", [{"loc": ["data"]}])

    assert response.status_code == 400
    assert json.loads(json.dumps(response.body)) == {
        "error": "invalid_payload",
        "message": "data.order_id is required",
        "details": [{"loc": ["data"]}],
    }
