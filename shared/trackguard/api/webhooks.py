"""Turn an API Gateway HTTP API request into a RawDelivery, refusing what must never reach a source.

Checked in this order, before any signature or parsing: body size (413), content type (415).
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from trackguard.api.errors import JSON_CONTENT_TYPE
from trackguard.errors import PayloadError, PayloadTooLargeError, UnsupportedMediaTypeError
from trackguard.sources.base import RawDelivery


def read_delivery(event: APIGatewayProxyEventV2, max_body_bytes: int) -> RawDelivery:
    headers = {name.lower(): value for name, value in (event.headers or {}).items()}
    body = _raw_body(event)
    if len(body) > max_body_bytes:
        raise PayloadTooLargeError(f"the body is over {max_body_bytes} bytes")
    if not _is_json(headers.get("content-type")):
        raise UnsupportedMediaTypeError("the content type must be application/json")
    received_at = datetime.fromtimestamp(event.request_context.time_epoch / 1000, UTC)
    return RawDelivery(headers=headers, body=body, received_at=received_at)


def _raw_body(event: APIGatewayProxyEventV2) -> bytes:
    body = event.get("body") or ""
    if not event.get("isBase64Encoded"):
        return str(body).encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(body, validate=True)
    except binascii.Error as error:
        raise PayloadError("the body is not valid base64") from error


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == JSON_CONTENT_TYPE or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )
