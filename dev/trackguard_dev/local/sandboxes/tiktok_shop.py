"""A stand-in for the TikTok Shop Open API (Get Order Detail, 202309) for the local stack and the tests.

Paths are relative to the sandbox's prefix (``/_sandbox/tiktok-shop``):

- ``PUT /orders/{order_id}`` stores an order in the shape of a Get Order Detail ``data.orders[]`` item.
- ``PUT /_faults`` ``{"status": 429|500, "count": N}`` makes the next N API requests fail that way.
- ``GET /order/202309/orders?ids=...`` behaves like TikTok: it checks ``app_key``, the timestamp
  (±5 minutes), ``sign``, the ``x-tts-access-token`` header and at most 50 ids, and answers in
  TikTok's shape. A wrong signature is HTTP 401 with code 106001, as TikTok answers it; the other
  error codes are the client's unconfirmed ones.

The signature is checked here by its own code, not the client's, so the two check each other.
State lives in JSON files under ``<state_dir>/sandbox/tiktok-shop/``, so it survives a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets as random_tokens
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trackguard_dev.local.sandboxes import SandboxRequest, SandboxResponse
from trackguard_dev.local.sandboxes.state import SandboxState, load_json

ORDERS_PATH = "/order/202309/orders"
MAX_IDS = 50
TIMESTAMP_TOLERANCE_SECONDS = 300
SIGNATURE_INVALID = 106001
REQUEST_EXPIRED = 106002  # unconfirmed
ACCESS_TOKEN_INVALID = 105001  # unconfirmed
INVALID_PARAMETER = 36009004  # unconfirmed

_ORDER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class _RefusedError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class TikTokShopSandbox:
    def __init__(
        self, state_dir: Path, app_key: str, app_secret: str, clock: Callable[[], float] = time.time
    ) -> None:
        self._state = SandboxState(state_dir / "sandbox" / "tiktok-shop", "orders")
        self._app_key = app_key
        self._app_secret = app_secret
        self._clock = clock

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        method, path = request.method.upper(), request.path.rstrip("/")
        if (method, path) == ("PUT", "/_faults"):
            return self._set_faults(request.body)
        if method == "PUT" and path.startswith("/orders/"):
            return self._store_order(path.removeprefix("/orders/"), request.body)
        if (method, path) == ("GET", ORDERS_PATH):
            return self._get_orders(request)
        return _tiktok_error(404, 404, "Not found.")

    def _set_faults(self, body: bytes) -> SandboxResponse:
        faults = self._state.set_faults(body)
        if faults is None:
            return _json(400, {"error": 'expected {"status": 429|500, "count": N}'})
        return _json(200, {"faults": faults["status"], "count": faults["count"]})

    def _store_order(self, order_id: str, body: bytes) -> SandboxResponse:
        order = load_json(body)
        if not _ORDER_ID.match(order_id) or not isinstance(order, dict):
            return _json(400, {"error": "expected a Get Order Detail data.orders[] item as a JSON object"})
        if str(order.setdefault("id", order_id)) != order_id:
            return _json(400, {"error": "the order's id differs from the one in the path"})
        self._state.write(f"orders/{order_id}.json", order)
        return _json(200, {"stored": order_id})

    def _get_orders(self, request: SandboxRequest) -> SandboxResponse:
        fault = self._state.take_fault()
        if fault is not None:
            return _tiktok_error(fault, fault, "Sandbox fault.")
        params = {name: values[0] for name, values in request.query.items() if values}
        try:
            self._check_credentials(params, request)
            ids = _requested_ids(params)
        except _RefusedError as refusal:
            return _tiktok_error(refusal.status, refusal.code, refusal.message)
        orders = [order for order in map(self._read_order, ids) if order is not None]
        return _json(
            200, {"code": 0, "message": "Success", "request_id": _request_id(), "data": {"orders": orders}}
        )

    def _check_credentials(self, params: Mapping[str, str], request: SandboxRequest) -> None:
        if not hmac.compare_digest(params.get("app_key", "").encode(), self._app_key.encode()):
            raise _RefusedError(
                401, SIGNATURE_INVALID, "Invalid credentials. The 'app_key' query parameter is invalid."
            )
        timestamp = params.get("timestamp", "")
        if not timestamp.isdigit() or abs(int(timestamp) - self._clock()) > TIMESTAMP_TOLERANCE_SECONDS:
            raise _RefusedError(
                401, REQUEST_EXPIRED, "The 'timestamp' query parameter is invalid or expired."
            )
        expected = self._expected_sign(ORDERS_PATH, params, request.body)
        if not hmac.compare_digest(params.get("sign", "").encode(), expected.encode()):
            raise _RefusedError(
                401, SIGNATURE_INVALID, "Invalid credentials. The 'sign' query parameter is invalid."
            )
        if not request.headers.get("x-tts-access-token"):
            raise _RefusedError(
                401, ACCESS_TOKEN_INVALID, "Invalid credentials. The access token is missing."
            )

    def _expected_sign(self, path: str, params: Mapping[str, str], body: bytes) -> str:
        signed = "".join(
            name + params[name] for name in sorted(params) if name not in ("sign", "access_token")
        )
        message = (self._app_secret + path + signed).encode() + body + self._app_secret.encode()
        return hmac.new(self._app_secret.encode(), message, hashlib.sha256).hexdigest()

    def _read_order(self, order_id: str) -> dict[str, Any] | None:
        if not _ORDER_ID.match(order_id):
            return None
        order = self._state.read(f"orders/{order_id}.json")
        return order if isinstance(order, dict) else None


def create(state_dir: Path, secrets: Mapping[str, Any]) -> TikTokShopSandbox:
    section = secrets["tiktok_shop"]
    return TikTokShopSandbox(state_dir, str(section["app_key"]), str(section["app_secret"]))


def _requested_ids(params: Mapping[str, str]) -> list[str]:
    ids = [order_id for order_id in params.get("ids", "").split(",") if order_id]
    if not ids:
        raise _RefusedError(400, INVALID_PARAMETER, "The 'ids' query parameter is required.")
    if len(ids) > MAX_IDS:
        raise _RefusedError(400, INVALID_PARAMETER, f"At most {MAX_IDS} order ids per request.")
    return ids


def _request_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S") + random_tokens.token_hex(10).upper()


def _tiktok_error(status: int, code: int, message: str) -> SandboxResponse:
    return _json(status, {"code": code, "message": message, "request_id": _request_id(), "data": None})


def _json(status: int, document: Any) -> SandboxResponse:
    return SandboxResponse(status, {"content-type": "application/json"}, json.dumps(document).encode())
