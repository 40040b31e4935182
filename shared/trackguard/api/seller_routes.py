"""The seller API: routes, access control and the JSON error shape, over one SellerApiService.

Access is decided before anything else, for every ``/sellers/{seller_id}/...`` request: no active key
in the authorizer's verdict → 401, a key of another seller → 403 (see functions/seller_authorizer).
Request validation runs earlier in Powertools' middleware stack, so its error handler applies the same
check first: a caller without access never learns more than 401 or 403.

Path parameters come from the raw (still percent-encoded) path: each is decoded exactly once here, so
an order id such as ``A/B 1`` is found from ``A%2FB%201``, and ``%2541`` stays the id ``%41``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from trackguard import __version__
from trackguard.api.errors import error_response, refusal_response
from trackguard.api.models import ErrorBody, HealthOut
from trackguard.domain.status import FlagCode
from trackguard.errors import ForbiddenError, TrackguardError, UnauthorizedError
from trackguard.observability import logger
from trackguard.reports.formats import ReportFormat
from trackguard.services.seller_api import SellerApiService, build_seller_api
from trackguard.services.sellers import REFUSAL_MESSAGES, KeyRefusal, caller_from_context
from trackguard.views.flags import FlagOut, FlagPageOut, FlagStatusFilter
from trackguard.views.orders import OrderOut
from trackguard.wiring import on_first_use

BEARER = "bearerAuth"
SELLER_SECURITY: list[dict[str, list[str]]] = [{BEARER: []}]
_ERROR_DESCRIPTIONS = {
    400: "a query parameter or cursor is not valid",
    401: "no valid API key: missing, malformed, unknown or revoked",
    403: "the key belongs to another seller",
    404: "no such order, flag or report",
}
_ACCESS_ERRORS = (401, 403)


def _errors(*statuses: int) -> dict[int, OpenAPIResponse]:
    return {
        status: {
            "description": _ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"model": ErrorBody}},
        }
        for status in statuses
    }


app = APIGatewayHttpResolver(enable_validation=True)
seller_api: Callable[[], SellerApiService] = on_first_use(build_seller_api)
"""The service behind the routes (tests give their own)."""


def access_refusal(path: str, authorizer_context: dict[str, Any]) -> TrackguardError | None:
    """Why this caller may not use this path, or None. Paths outside /sellers/ are public."""
    segments = path.strip("/").split("/")
    if segments[0] != "sellers":
        return None
    caller = caller_from_context(authorizer_context)
    if isinstance(caller, KeyRefusal):
        return UnauthorizedError(REFUSAL_MESSAGES[caller])
    if len(segments) < 2 or unquote(segments[1]) != caller.seller_id:
        return ForbiddenError("this API key opens its own seller's paths only")
    return None


def _refusal_for_current_request(resolver: APIGatewayHttpResolver) -> TrackguardError | None:
    event = resolver.current_event
    return access_refusal(event.path, event.request_context.authorizer.get_lambda)


def require_access(resolver: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
    refusal = _refusal_for_current_request(resolver)
    if refusal is not None:
        logger.info("seller request refused", status=refusal.status, reason=refusal.message)
        return refusal_response(refusal)
    return next_middleware(resolver)


app.use(middlewares=[require_access])


@app.get("/health", summary="Liveness", tags=["health"], operation_id="health")
def health() -> HealthOut:
    return HealthOut()


@app.get(
    "/sellers/<seller_id>/orders/<order_id>",
    operation_id="getOrder",
    summary="An order with its packages, tracking timelines and flags",
    tags=["orders"],
    security=SELLER_SECURITY,
    responses=_errors(*_ACCESS_ERRORS, 404),
)
def get_order(seller_id: Annotated[str, Path()], order_id: Annotated[str, Path()]) -> OrderOut:
    return seller_api().order(unquote(seller_id), unquote(order_id))


@app.get(
    "/sellers/<seller_id>/flags",
    operation_id="listFlags",
    summary="The seller's flags, newest first, paginated",
    tags=["flags"],
    security=SELLER_SECURITY,
    responses=_errors(400, *_ACCESS_ERRORS),
)
def list_flags(
    seller_id: Annotated[str, Path()],
    status: Annotated[FlagStatusFilter, Query(description="which flags; `all` for every status")] = "open",
    code: Annotated[FlagCode | None, Query(description="only flags with this code")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="flags per page")] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
) -> FlagPageOut:
    return seller_api().flags(unquote(seller_id), status, code, limit, cursor)


@app.post(
    "/sellers/<seller_id>/flags/<flag_id>/acknowledge",
    operation_id="acknowledgeFlag",
    summary="Acknowledge a flag: the seller has seen it and is following up",
    tags=["flags"],
    security=SELLER_SECURITY,
    responses=_errors(*_ACCESS_ERRORS, 404),
)
def acknowledge_flag(seller_id: Annotated[str, Path()], flag_id: Annotated[str, Path()]) -> FlagOut:
    return seller_api().acknowledge(unquote(seller_id), unquote(flag_id))


@app.get(
    "/sellers/<seller_id>/reports/latest",
    operation_id="getLatestReport",
    summary="The latest flagged-order report",
    tags=["reports"],
    security=SELLER_SECURITY,
    responses={
        200: {
            "description": "the report, in the format asked for",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            },
        },
        **_errors(400, *_ACCESS_ERRORS, 404),
    },
)
def latest_report(
    seller_id: Annotated[str, Path()],
    report_format: Annotated[ReportFormat, Query(alias="format")] = "json",
) -> Response[str]:
    report = seller_api().latest_report(unquote(seller_id), report_format)
    return Response(
        status_code=200,
        content_type=report.content_type,
        body=report.body.decode("utf-8"),
        headers={"Content-Disposition": f'inline; filename="{report.filename}"'},
    )


def invalid_request(error: RequestValidationError) -> Response[Any]:
    refusal = _refusal_for_current_request(app) or TrackguardError(
        "the request's parameters are not valid", [_problem(problem) for problem in error.errors()]
    )
    return refusal_response(refusal)


def _problem(problem: dict[str, Any]) -> dict[str, str]:
    """Where and what, without echoing the value sent."""
    location = [str(part) for part in problem.get("loc", ()) if part != "query"]
    return {"field": ".".join(location), "problem": str(problem.get("msg", "invalid"))}


@app.not_found
def unknown_route(_: Exception) -> Response[Any]:
    return error_response(404, "not_found", "no such route")


def internal_error(error: Exception) -> Response[Any]:
    logger.exception("seller request failed", error_type=type(error).__name__)
    return error_response(500, "internal_error", "something went wrong; retry later")


app.exception_handler(RequestValidationError)(invalid_request)
app.exception_handler(TrackguardError)(refusal_response)
app.exception_handler(Exception)(internal_error)


def openapi_document() -> str:
    """The seller API's OpenAPI document, exactly as committed in openapi.json.

    Powertools documents its own 422 for invalid requests; this API answers those with 400 and the
    contract's error shape instead, so the 422 entries and their schemas are taken out. Powertools' OpenAPI
    models are imported here only: no request needs them.
    """
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    document: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(
            title="trackguard",
            version=__version__,
            description="The seller API: flags for follow-up, orders with their tracking, and daily reports.",
            security_schemes={BEARER: HTTPBearer(description="a seller API key: tg_<key_id>_<secret>")},
        )
    )
    for operations in document["paths"].values():
        for operation in operations.values():
            operation["responses"].pop("422", None)
    schemas = document["components"]["schemas"]
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(name, None)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
