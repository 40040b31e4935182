"""Seller API authorizer: HTTP API Lambda REQUEST authorizer, payload 2.0, simple responses.

Why it authorises every request: API Gateway turns ``isAuthorized: false`` into a bare 403, yet the
contract wants 401 for a missing, malformed, unknown or revoked key and 403 only for another seller's
path. So the authorizer lets each request through with its verdict in the context —
``{"seller_id", "key_id"}`` for an active key, ``{"refusal": "<why>"}`` otherwise — and the seller API
function, which every seller route reaches, answers 401 (refusal) or 403 (path seller differs) in the
contract's JSON error shape before any handler runs. The template neither caches verdicts nor names an
identity source: every request is authorised afresh, so a revoked key is refused on its next request
(CONTRACT §2 allows 5 seconds), and a request without the header reaches this function and gets the
contract's 401 like any other refusal.

Only what authorising needs is imported (no Tracer: the X-Ray SDK costs about 0.3 s of cold start).
The key is never logged.
"""

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from trackguard.services.sellers import Authorizer

logger = Logger()


@on_first_use
def authorizer() -> "Authorizer":
    from trackguard.services.sellers import Authorizer, build_key_finder

    return Authorizer(build_key_finder)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], _context: LambdaContext) -> dict[str, Any]:
    answer = authorizer().answer(event)
    logger.info("seller key checked", **answer["context"])
    return answer
