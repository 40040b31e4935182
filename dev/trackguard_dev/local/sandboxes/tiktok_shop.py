"""A stand-in for TikTok Shop for the local stack and the tests: the Open API (Get Order Detail and Get
Authorized Shops, 202309), the auth host (token get and refresh) and the authorisation page.

Paths are relative to the sandbox's prefix (``/_sandbox/tiktok-shop``):

- ``PUT /orders/{order_id}`` stores an order in the shape of a Get Order Detail ``data.orders[]`` item.
- ``PUT /shops/{shop_id}`` ``{"name", "region", "cipher", "seller_type"}`` registers a shop that can
  authorise the app.
- ``PUT /settings`` ``{"access_token_ttl_s": N, "refresh_token_ttl_s": M}`` sets the lifetimes of the
  tokens issued from then on (defaults: 7 days and 365 days).
- ``PUT /_faults`` ``{"status": 429|500, "count": N}`` makes the next N API requests fail that way.
- ``GET /oauth/authorize?service_id=&state=&shop_id=`` is the authorisation page a seller approves:
  it answers 302 to the app's callback (``/oauth/tiktok-shop/callback`` on the host the request came
  to) with a single-use ``code`` (30 minutes) and the ``state``; ``&deny=1`` redirects with
  ``error=access_denied`` and ``code=null``, as TikTok does. ``shop_id`` may list several shops
  (comma-separated): one authorisation then covers them all, as for a cross-border seller.
- ``GET /api/v2/token/get`` and ``GET /api/v2/token/refresh`` are the auth host's unsigned GETs: they
  check ``app_key``, ``app_secret`` and the grant type, and answer tokens with epoch-second expiries.
  A refresh issues a new refresh token and retires the old one.
- ``GET /order/202309/orders?ids=...`` and ``GET /authorization/202309/shops`` behave like TikTok:
  they check ``app_key``, the timestamp (±5 minutes), ``sign`` and the ``x-tts-access-token`` header,
  and answer in TikTok's shape. A wrong signature is HTTP 401 with code 106001, as TikTok answers it;
  a token this sandbox issued that has expired is code 105002. (A token it did not issue, as
  ``trackguard shops set-token`` stores, is accepted for the order calls.) The other error codes are
  the client's unconfirmed ones.

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
from urllib.parse import urlencode

from trackguard_dev.local.sandboxes import SandboxRequest, SandboxResponse
from trackguard_dev.local.sandboxes.state import SandboxState, load_json

ORDERS_PATH = "/order/202309/orders"
SHOPS_PATH = "/authorization/202309/shops"
TOKEN_GET_PATH = "/api/v2/token/get"  # noqa: S105 (a path)
TOKEN_REFRESH_PATH = "/api/v2/token/refresh"  # noqa: S105 (a path)
AUTHORIZE_PATH = "/oauth/authorize"
CALLBACK_PATH = "/oauth/tiktok-shop/callback"
MAX_IDS = 50
TIMESTAMP_TOLERANCE_SECONDS = 300
CODE_LIFETIME_SECONDS = 30 * 60
DEFAULT_SETTINGS = {"access_token_ttl_s": 7 * 86400, "refresh_token_ttl_s": 365 * 86400}
SIGNATURE_INVALID = 106001
REQUEST_EXPIRED = 106002  # unconfirmed
ACCESS_TOKEN_INVALID = 105001  # unconfirmed
ACCESS_TOKEN_EXPIRED = 105002
INVALID_PARAMETER = 36009004  # unconfirmed
AUTH_REFUSED = 36004004  # unconfirmed: the code the auth host gives a bad code or refresh token
ISSUED_TOKEN_PREFIX = "sbx-"  # noqa: S105 (marks the tokens this sandbox issued)

_ORDER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SHOP_ID = re.compile(r"^[0-9]{1,32}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


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
        self._state = SandboxState(
            state_dir / "sandbox" / "tiktok-shop", "orders", "shops", "codes", "tokens"
        )
        self._app_key = app_key
        self._app_secret = app_secret
        self._clock = clock

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        method, path = request.method.upper(), request.path.rstrip("/")
        if (method, path) == ("PUT", "/_faults"):
            return self._set_faults(request.body)
        if method == "PUT" and path.startswith("/orders/"):
            return self._store_order(path.removeprefix("/orders/"), request.body)
        if method == "PUT" and path.startswith("/shops/"):
            return self._store_shop(path.removeprefix("/shops/"), request.body)
        if (method, path) == ("PUT", "/settings"):
            return self._set_settings(request.body)
        if (method, path) == ("GET", AUTHORIZE_PATH):
            return self._authorize(request)
        if (method, path) == ("GET", TOKEN_GET_PATH):
            return self._token_get(_params(request))
        if (method, path) == ("GET", TOKEN_REFRESH_PATH):
            return self._token_refresh(_params(request))
        if (method, path) == ("GET", ORDERS_PATH):
            return self._get_orders(request)
        if (method, path) == ("GET", SHOPS_PATH):
            return self._get_shops(request)
        return _tiktok_error(404, 404, "Not found.")

    def _store_shop(self, shop_id: str, body: bytes) -> SandboxResponse:
        shop = load_json(body)
        if not _SHOP_ID.match(shop_id) or not isinstance(shop, dict) or not shop.get("cipher"):
            return _json(
                400, {"error": 'expected {"name", "region", "cipher", "seller_type"} for a numeric id'}
            )
        record = {
            "id": shop_id,
            "code": str(shop.get("code") or f"SBX{shop_id[-6:]}"),
            "cipher": str(shop["cipher"]),
            "name": str(shop.get("name") or f"Sandbox shop {shop_id}"),
            "region": str(shop.get("region") or "US"),
            "seller_type": str(shop.get("seller_type") or "LOCAL"),
        }
        self._state.write(f"shops/{shop_id}.json", record)
        return _json(200, {"stored": shop_id})

    def _set_settings(self, body: bytes) -> SandboxResponse:
        wanted = load_json(body)
        if not isinstance(wanted, dict) or not all(
            name in DEFAULT_SETTINGS and isinstance(value, int) and value > 0
            for name, value in wanted.items()
        ):
            return _json(400, {"error": 'expected {"access_token_ttl_s": N, "refresh_token_ttl_s": M}'})
        settings = {**self._settings(), **wanted}
        self._state.write("settings.json", settings)
        return _json(200, settings)

    def _settings(self) -> dict[str, int]:
        stored = self._state.read("settings.json")
        return {**DEFAULT_SETTINGS, **(stored if isinstance(stored, dict) else {})}

    def _authorize(self, request: SandboxRequest) -> SandboxResponse:
        """The seller approves (or, with ``deny=1``, refuses) on TikTok's page; TikTok redirects back."""
        params = _params(request)
        shop_ids = [shop_id for shop_id in params.get("shop_id", "").split(",") if shop_id]
        if not params.get("service_id") or not shop_ids:
            return _json(400, {"error": "service_id and shop_id are required"})
        unknown = [shop_id for shop_id in shop_ids if self._shop(shop_id) is None]
        if unknown:
            return _json(
                404, {"error": f"no sandbox shop {', '.join(unknown)}: PUT /shops/{{shop_id}} first"}
            )
        callback = f"http://{request.headers.get('host', '127.0.0.1')}{CALLBACK_PATH}"
        answer: dict[str, str] = {"state": params.get("state", "")}
        if params.get("deny") == "1":
            answer |= {"code": "null", "error": "access_denied"}
        else:
            code = "sbx-code-" + random_tokens.token_urlsafe(24)
            expires = int(self._clock()) + CODE_LIFETIME_SECONDS
            self._state.write(f"codes/{code}.json", {"shop_ids": shop_ids, "expires": expires})
            answer["code"] = code
        return SandboxResponse(302, {"location": f"{callback}?{urlencode(answer)}"}, b"")

    def _token_get(self, params: Mapping[str, str]) -> SandboxResponse:
        refusal = self._check_app(params, "authorized_code")
        if refusal is not None:
            return refusal
        code = params.get("auth_code", "")
        with self._state.lock:
            grant = self._state.read(f"codes/{code}.json") if _TOKEN.match(code) else None
            if not isinstance(grant, dict) or grant["expires"] < self._clock():
                return _tiktok_error(200, AUTH_REFUSED, "The auth_code is invalid, used or expired.")
            (self._state.root / "codes" / f"{code}.json").unlink()
        return self._issue(grant["shop_ids"])

    def _token_refresh(self, params: Mapping[str, str]) -> SandboxResponse:
        refusal = self._check_app(params, "refresh_token")
        if refusal is not None:
            return refusal
        token = params.get("refresh_token", "")
        with self._state.lock:
            issued = self._state.read(f"tokens/refresh-{token}.json") if _TOKEN.match(token) else None
            if not isinstance(issued, dict) or issued["expires"] < self._clock():
                return _tiktok_error(200, AUTH_REFUSED, "The refresh_token is invalid or expired.")
            (self._state.root / "tokens" / f"refresh-{token}.json").unlink()
        return self._issue(issued["shop_ids"], refresh_expires=int(issued["expires"]))

    def _check_app(self, params: Mapping[str, str], grant_type: str) -> SandboxResponse | None:
        app_ok = hmac.compare_digest(params.get("app_key", "").encode(), self._app_key.encode())
        secret_ok = hmac.compare_digest(params.get("app_secret", "").encode(), self._app_secret.encode())
        if not (app_ok and secret_ok):
            return _tiktok_error(200, SIGNATURE_INVALID, "Invalid credentials: app_key or app_secret.")
        if params.get("grant_type") != grant_type:
            return _tiktok_error(200, INVALID_PARAMETER, f"grant_type must be {grant_type}.")
        return None

    def _issue(self, shop_ids: list[str], refresh_expires: int | None = None) -> SandboxResponse:
        """New tokens for these shops; a refresh keeps the authorisation's end, as TikTok's does."""
        now, settings = int(self._clock()), self._settings()
        access = ISSUED_TOKEN_PREFIX + "at-" + random_tokens.token_urlsafe(24)
        refresh = ISSUED_TOKEN_PREFIX + "rt-" + random_tokens.token_urlsafe(24)
        access_expires = now + settings["access_token_ttl_s"]
        refresh_expires = refresh_expires or now + settings["refresh_token_ttl_s"]
        self._state.write(f"tokens/access-{access}.json", {"shop_ids": shop_ids, "expires": access_expires})
        self._state.write(
            f"tokens/refresh-{refresh}.json", {"shop_ids": shop_ids, "expires": refresh_expires}
        )
        data = {
            "access_token": access,
            "access_token_expire_in": access_expires,
            "refresh_token": refresh,
            "refresh_token_expire_in": refresh_expires,
            "open_id": "sbx-open-" + hashlib.sha256(",".join(shop_ids).encode()).hexdigest()[:16],
            "seller_name": f"Sandbox seller {shop_ids[0]}",
            "seller_base_region": "US",
            "user_type": 0,
            "granted_scopes": ["seller.order.info", "seller.authorization.info"],
        }
        return _json(200, {"code": 0, "message": "success", "request_id": _request_id(), "data": data})

    def _get_shops(self, request: SandboxRequest) -> SandboxResponse:
        params = _params(request)
        try:
            self._check_credentials(SHOPS_PATH, params, request)
            if "shop_cipher" in params:
                raise _RefusedError(400, INVALID_PARAMETER, "Unexpected identifier: shop_cipher.")
            shop_ids = self._issued_token_shops(request.headers.get("x-tts-access-token", ""))
        except _RefusedError as refusal:
            return _tiktok_error(refusal.status, refusal.code, refusal.message)
        shops = [shop for shop in map(self._shop, shop_ids or []) if shop is not None]
        return _json(
            200, {"code": 0, "message": "Success", "request_id": _request_id(), "data": {"shops": shops}}
        )

    def _issued_token_shops(self, token: str) -> list[str] | None:
        """The shops of a token this sandbox issued (None for a foreign one); refuses an expired one."""
        if not token.startswith(ISSUED_TOKEN_PREFIX):
            return None
        issued = self._state.read(f"tokens/access-{token}.json") if _TOKEN.match(token) else None
        if not isinstance(issued, dict):
            raise _RefusedError(
                401, ACCESS_TOKEN_INVALID, "Invalid credentials. The access token is invalid."
            )
        if issued["expires"] < self._clock():
            raise _RefusedError(401, ACCESS_TOKEN_EXPIRED, "The access token has expired.")
        return [str(shop_id) for shop_id in issued["shop_ids"]]

    def _shop(self, shop_id: str) -> dict[str, Any] | None:
        shop = self._state.read(f"shops/{shop_id}.json") if _SHOP_ID.match(shop_id) else None
        return shop if isinstance(shop, dict) else None

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
        params = _params(request)
        try:
            self._check_credentials(ORDERS_PATH, params, request)
            self._issued_token_shops(request.headers.get("x-tts-access-token", ""))
            ids = _requested_ids(params)
        except _RefusedError as refusal:
            return _tiktok_error(refusal.status, refusal.code, refusal.message)
        orders = [order for order in map(self._read_order, ids) if order is not None]
        return _json(
            200, {"code": 0, "message": "Success", "request_id": _request_id(), "data": {"orders": orders}}
        )

    def _check_credentials(self, path: str, params: Mapping[str, str], request: SandboxRequest) -> None:
        if not hmac.compare_digest(params.get("app_key", "").encode(), self._app_key.encode()):
            raise _RefusedError(
                401, SIGNATURE_INVALID, "Invalid credentials. The 'app_key' query parameter is invalid."
            )
        timestamp = params.get("timestamp", "")
        if not timestamp.isdigit() or abs(int(timestamp) - self._clock()) > TIMESTAMP_TOLERANCE_SECONDS:
            raise _RefusedError(
                401, REQUEST_EXPIRED, "The 'timestamp' query parameter is invalid or expired."
            )
        expected = self._expected_sign(path, params, request.body)
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


def _params(request: SandboxRequest) -> dict[str, str]:
    return {name: values[0] for name, values in request.query.items() if values}


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
