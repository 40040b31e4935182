"""The contract's error answer, for every route: ``{"error": code, "message": ..., "details": [...]}``.

Every refusal is a ``trackguard.errors.TrackguardError`` carrying its status and code; this is the one
place that turns one into an HTTP answer.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from trackguard.errors import TrackguardError

JSON_CONTENT_TYPE = "application/json"


def error_response(status: int, error: str, message: str, details: list[Any] | None = None) -> Response[Any]:
    body: dict[str, Any] = {"error": error, "message": message}
    if details:
        body["details"] = details
    return Response(status_code=status, content_type=JSON_CONTENT_TYPE, body=body)


def refusal_response(refusal: TrackguardError) -> Response[Any]:
    return error_response(refusal.status, refusal.code, refusal.message, refusal.details)
