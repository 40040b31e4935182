"""TikTok Shop Open API (version 202309): Get Order Detail (signed, batched by 50, typed) and Get
Authorized Shops.

Every request carries ``app_key``, ``timestamp``, ``shop_cipher`` and ``sign`` in the query and the
shop's access token in ``x-tts-access-token``; ``/authorization/*`` calls carry no ``shop_cipher``
(TikTok refuses it there). An order call answered 105002 (access token expired) has the token renewed
once, by the ``TokenRenewer`` the client was given, and is retried once. ``sign`` is hex HMAC-SHA256
keyed with the app secret over ``app_secret + path + sorted(key + value of the query, except sign and
access_token) + body + app_secret``. TikTok answers ``{code, message, request_id, data}``; ``code`` 0
is success.

Error codes: 106001 (HTTP 401, "Invalid credentials. The 'sign' query parameter is invalid.") was
seen in a captured TikTok answer; 105002 is TikTok's documented "access token expired" (Common errors);
the others below are marked unconfirmed: no primary source showed them.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from trackguard.clients.http import RetriesExhaustedError, RetryingHttp, shared_client

ORDERS_PATH = "/order/202309/orders"
AUTHORIZED_SHOPS_PATH = "/authorization/202309/shops"
MAX_IDS_PER_REQUEST = 50
ACCESS_TOKEN_HEADER = "x-tts-access-token"  # noqa: S105 (a header name, not a secret)

SIGNATURE_INVALID = 106001
REQUEST_EXPIRED = 106002  # unconfirmed: timestamp outside TikTok's window
ACCESS_TOKEN_INVALID = 105001  # unconfirmed
ACCESS_TOKEN_EXPIRED = 105002
RATE_LIMITED = 36009003  # unconfirmed: HTTP 429 is what the client relies on
INVALID_PARAMETER = 36009004  # unconfirmed
ORDER_NOT_FOUND = 21011001  # unconfirmed

_UNSIGNED_PARAMS = frozenset({"sign", "access_token"})


class TikTokShopError(RuntimeError):
    """TikTok refused or failed a request: its ``code`` (0 when it gave none), HTTP status, request id."""

    def __init__(
        self, message: str, code: int = 0, http_status: int | None = None, request_id: str = ""
    ) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status
        self.request_id = request_id


class TikTokSignatureError(TikTokShopError):
    """The request signature (app key, secret, timestamp) was refused: retrying cannot help."""


class TikTokAccessTokenError(TikTokShopError):
    """The shop's access token is invalid or expired: refresh it or ask the seller to re-authorize."""


class TikTokRateLimitedError(TikTokShopError):
    """Still rate-limited after every retry."""


class TikTokNotFoundError(TikTokShopError):
    """TikTok knows no such order for this shop."""


class TikTokUnavailableError(TikTokShopError):
    """5xx or unreachable after every retry."""


_ERRORS_BY_CODE: dict[int, type[TikTokShopError]] = {
    SIGNATURE_INVALID: TikTokSignatureError,
    REQUEST_EXPIRED: TikTokSignatureError,
    ACCESS_TOKEN_INVALID: TikTokAccessTokenError,
    ACCESS_TOKEN_EXPIRED: TikTokAccessTokenError,
    RATE_LIMITED: TikTokRateLimitedError,
    ORDER_NOT_FOUND: TikTokNotFoundError,
}
_ERRORS_BY_STATUS: dict[int, type[TikTokShopError]] = {
    404: TikTokNotFoundError,
    429: TikTokRateLimitedError,
}


class TokenRenewer(Protocol):
    def renew(self, expired: ShopCredentials) -> ShopCredentials:
        """Credentials with a working access token for the shop whose token TikTok called expired."""
        ...


class ShopCredentials(BaseModel):
    """What a call on behalf of one shop needs; the token stays a SecretStr so it never prints."""

    model_config = ConfigDict(frozen=True)

    shop_id: str
    shop_cipher: str
    access_token: SecretStr


class _Model(BaseModel):
    """Validation errors name the field, never its value: order details carry the buyer's personal data."""

    model_config = ConfigDict(
        frozen=True,
        extra="ignore",
        populate_by_name=True,
        coerce_numbers_to_str=True,
        hide_input_in_errors=True,
    )

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        """TikTok sends "" for a value it does not have yet (a tracking number before shipping)."""
        return None if value == "" else value


class TikTokLineItem(_Model):
    id: str
    package_id: str | None = None
    package_status: str | None = None
    display_status: str | None = None
    tracking_number: str | None = None
    shipping_provider_id: str | None = None
    shipping_provider_name: str | None = None
    sku_id: str | None = None
    seller_sku: str | None = None
    rts_time: int | None = None


class TikTokPackageRef(_Model):
    id: str


class TikTokRecipientAddress(_Model):
    """Only where the parcel goes: name, phone and the address lines are dropped at parse."""

    postal_code: str | None = None
    region_code: str | None = None


@dataclass(frozen=True)
class TikTokPackage:
    package_id: str
    tracking_number: str | None
    shipping_provider: str | None
    shipping_provider_id: str | None
    line_item_ids: tuple[str, ...]
    status: str | None


class TikTokOrder(_Model):
    """A 202309 order, keeping only what guarding its tracking needs (no buyer personal data)."""

    id: str
    status: str
    create_time: int
    update_time: int
    paid_time: int | None = None
    rts_sla_time: int | None = None
    shipping_due_time: int | None = None
    delivery_due_time: int | None = None
    tracking_number: str | None = None
    shipping_provider: str | None = None
    shipping_provider_id: str | None = None
    shipping_type: str | None = None
    split_or_combine_tag: str | None = None
    is_on_hold_order: bool | None = None
    package_refs: tuple[TikTokPackageRef, ...] = Field(default=(), alias="packages")
    line_items: tuple[TikTokLineItem, ...] = ()
    recipient_address: TikTokRecipientAddress | None = None

    def packages(self) -> list[TikTokPackage]:
        """Line items grouped by package, in the order TikTok lists the packages.

        A line item's own tracking number and provider win; the order-level ones fill in when the
        order has a single package (TikTok repeats them there). Line items without a package id
        belong to the only package when there is exactly one, else to none yet.
        """
        package_ids = list(dict.fromkeys([ref.id for ref in self.package_refs] + self._item_package_ids()))
        single = package_ids[0] if len(package_ids) == 1 else None
        return [self._package(package_id, package_id == single) for package_id in package_ids]

    def _item_package_ids(self) -> list[str]:
        return [item.package_id for item in self.line_items if item.package_id]

    def _package(self, package_id: str, only_package: bool) -> TikTokPackage:
        items = [
            item
            for item in self.line_items
            if item.package_id == package_id or (only_package and not item.package_id)
        ]
        tracking_number, provider, provider_id = (
            (self.tracking_number, self.shipping_provider, self.shipping_provider_id)
            if only_package
            else (None, None, None)
        )
        return TikTokPackage(
            package_id=package_id,
            tracking_number=_first([item.tracking_number for item in items], tracking_number),
            shipping_provider=_first([item.shipping_provider_name for item in items], provider),
            shipping_provider_id=_first([item.shipping_provider_id for item in items], provider_id),
            line_item_ids=tuple(item.id for item in items),
            status=_first([item.package_status for item in items], None),
        )


class AuthorizedShop(_Model):
    """A shop an authorisation covers: ``id`` is the ``shop_id`` webhooks carry, ``cipher`` goes in calls."""

    id: str
    cipher: str
    name: str = ""
    region: str = ""
    code: str | None = None
    seller_type: str | None = None


def _first(values: Sequence[str | None], fallback: str | None) -> str | None:
    return next((value for value in values if value), fallback)


def sign_request(app_secret: str, path: str, params: Mapping[str, str], body: bytes = b"") -> str:
    signed_params = "".join(f"{key}{params[key]}" for key in sorted(params) if key not in _UNSIGNED_PARAMS)
    message = app_secret.encode() + path.encode() + signed_params.encode() + body + app_secret.encode()
    return hmac.new(app_secret.encode(), message, hashlib.sha256).hexdigest()


class TikTokShopClient:
    def __init__(
        self,
        base_url: str,
        app_key: str,
        app_secret: SecretStr,
        http: RetryingHttp | None = None,
        clock: Callable[[], float] = time.time,
        *,
        renewer: TokenRenewer | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._app_key = app_key
        self._app_secret = app_secret
        self._http = http or RetryingHttp(shared_client(self._base_url))
        self._clock = clock
        self._renewer = renewer

    def get_orders(self, shop: ShopCredentials, order_ids: Sequence[str]) -> list[TikTokOrder]:
        """The orders TikTok has among ``order_ids`` (one request per 50 ids)."""
        orders: list[TikTokOrder] = []
        for batch in _batches(list(dict.fromkeys(order_ids)), MAX_IDS_PER_REQUEST):
            shop, data = self._get_renewing(ORDERS_PATH, shop, {"ids": ",".join(batch)})
            orders.extend(_parse_orders(data))
        return orders

    def get_authorized_shops(self, access_token: SecretStr) -> list[AuthorizedShop]:
        """The shops an authorisation covers (one or several), with the cipher each shop's calls need."""
        data = self._get(AUTHORIZED_SHOPS_PATH, access_token, {})
        items = data.get("shops") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise TikTokShopError("TikTok Shop answered without data.shops")
        try:
            return [AuthorizedShop.model_validate(item) for item in items]
        except ValidationError as error:
            fields = sorted({".".join(str(part) for part in item["loc"]) for item in error.errors()})
            raise TikTokShopError(
                f"TikTok Shop answered a shop this client cannot read ({fields})"
            ) from error

    def _get_renewing(
        self, path: str, shop: ShopCredentials, query: Mapping[str, str]
    ) -> tuple[ShopCredentials, Any]:
        """One call; when TikTok says the token expired, one renewal and one retry with the new token."""
        shop_query = {**query, "shop_cipher": shop.shop_cipher}
        try:
            return shop, self._get(path, shop.access_token, shop_query)
        except TikTokAccessTokenError as error:
            if error.code != ACCESS_TOKEN_EXPIRED or self._renewer is None:
                raise
        renewed = self._renewer.renew(shop)
        return renewed, self._get(path, renewed.access_token, {**query, "shop_cipher": renewed.shop_cipher})

    def _get(self, path: str, access_token: SecretStr, query: Mapping[str, str]) -> Any:
        params = {**query, "app_key": self._app_key, "timestamp": str(int(self._clock()))}
        params["sign"] = sign_request(self._app_secret.get_secret_value(), path, params)
        headers = {
            ACCESS_TOKEN_HEADER: access_token.get_secret_value(),
            "content-type": "application/json",
        }
        try:
            response = self._http.request("GET", self._base_url + path, params=params, headers=headers)
        except RetriesExhaustedError as error:
            raise _exhausted(path, error) from error
        return _data(path, response)


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _exhausted(path: str, error: RetriesExhaustedError) -> TikTokShopError:
    kind = TikTokRateLimitedError if error.status == 429 else TikTokUnavailableError
    return kind(f"TikTok Shop {path}: {error}", http_status=error.status)


def _data(path: str, response: httpx.Response) -> Any:
    try:
        document = response.json()
    except ValueError as error:
        raise TikTokShopError(
            f"TikTok Shop {path} answered HTTP {response.status_code} with a non-JSON body",
            http_status=response.status_code,
        ) from error
    if not isinstance(document, dict):
        raise TikTokShopError(
            f"TikTok Shop {path} answered an unexpected shape", http_status=response.status_code
        )
    code = _int(document.get("code"))
    if response.status_code == 200 and code == 0:
        return document.get("data")
    kind = _ERRORS_BY_CODE.get(code) or _ERRORS_BY_STATUS.get(response.status_code, TikTokShopError)
    request_id = str(document.get("request_id") or "")
    message = (
        f"TikTok Shop {path} refused (HTTP {response.status_code}, code {code}): {document.get('message')}"
    )
    raise kind(message, code=code, http_status=response.status_code, request_id=request_id)


def _int(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return -1


def _parse_orders(data: Any) -> list[TikTokOrder]:
    items = data.get("orders") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise TikTokShopError("TikTok Shop answered without data.orders")
    try:
        return [TikTokOrder.model_validate(item) for item in items]
    except ValidationError as error:
        fields = sorted({".".join(str(part) for part in item["loc"]) for item in error.errors()})
        raise TikTokShopError(f"TikTok Shop answered an order this client cannot read ({fields})") from error
