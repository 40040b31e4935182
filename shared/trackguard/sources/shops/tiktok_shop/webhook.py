"""TikTok Shop Partner API webhooks (every ``type``): signature check and typed envelope.

The ``Authorization`` header (no ``Bearer``) is lowercase hex HMAC-SHA256 keyed with the app secret over
``app_key + raw body``. No timestamp is signed: replays are stopped by deduplicating on ``delivery_id``.
Webhooks carry no tracking data; the order itself is fetched from the API afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from trackguard.errors import SignatureError
from trackguard.secrets import RotatingSecret, SenderSecret, candidates, current
from trackguard.sources._json import Id64, load_json_object, validate
from trackguard.sources.base import Headers, RawDelivery, body_digest, hmac_sha256, matches_any

SOURCE = "tiktok_shop"


class TikTokNotificationType(IntEnum):
    ORDER_STATUS_CHANGE = 1
    RECIPIENT_ADDRESS_UPDATE = 3
    PACKAGE_UPDATE = 4
    SELLER_DEAUTHORIZATION = 6
    UPCOMING_AUTHORIZATION_EXPIRATION = 7
    CANCELLATION_STATUS_CHANGE = 11
    RETURN_STATUS_CHANGE = 12


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class TikTokEnvelope(_Model):
    type: int
    tts_notification_id: str | None = None
    shop_id: Id64
    timestamp: int
    data: dict[str, Any]


class OrderStatusChange(_Model):
    order_id: Id64
    order_status: str
    is_on_hold_order: bool | None = None
    update_time: int


class RecipientAddressUpdate(_Model):
    order_id: Id64
    update_time: int


class PackageChange(_Model):
    package_id: Id64
    order_id_list: tuple[Id64, ...]


class PackageUpdate(_Model):
    sc_type: Literal["SPLIT", "COMBINE"]
    role_type: str | None = None
    package_list: tuple[PackageChange, ...]
    update_time: int


class SellerDeauthorization(_Model):
    message: str | None = None


class UpcomingAuthorizationExpiration(_Model):
    """Type 7: sent 30 days before the authorisation lapses, then daily; ``expiration_time`` is a string."""

    message: str | None = None
    expiration_time: int | None = None


class CancellationStatusChange(_Model):
    order_id: Id64
    cancellations_role: str | None = None
    cancel_status: str
    cancel_id: Id64 | None = None
    create_time: int


class ReturnStatusChange(_Model):
    order_id: Id64
    return_role: str | None = None
    return_type: str | None = None
    return_status: str
    return_id: Id64 | None = None
    create_time: int | None = None
    update_time: int | None = None


TikTokData = (
    OrderStatusChange
    | RecipientAddressUpdate
    | PackageUpdate
    | SellerDeauthorization
    | UpcomingAuthorizationExpiration
    | CancellationStatusChange
    | ReturnStatusChange
)

DATA_MODELS: dict[int, type[TikTokData]] = {
    TikTokNotificationType.ORDER_STATUS_CHANGE: OrderStatusChange,
    TikTokNotificationType.RECIPIENT_ADDRESS_UPDATE: RecipientAddressUpdate,
    TikTokNotificationType.PACKAGE_UPDATE: PackageUpdate,
    TikTokNotificationType.SELLER_DEAUTHORIZATION: SellerDeauthorization,
    TikTokNotificationType.UPCOMING_AUTHORIZATION_EXPIRATION: UpcomingAuthorizationExpiration,
    TikTokNotificationType.CANCELLATION_STATUS_CHANGE: CancellationStatusChange,
    TikTokNotificationType.RETURN_STATUS_CHANGE: ReturnStatusChange,
}


@dataclass(frozen=True)
class TikTokNotification:
    """A verified, validated webhook. ``typed_data()`` is None for types trackguard does not know."""

    delivery_id: str
    envelope: TikTokEnvelope
    _typed: TikTokData | None

    @property
    def shop_id(self) -> str:
        return self.envelope.shop_id

    @property
    def type(self) -> int:
        return self.envelope.type

    @property
    def timestamp(self) -> int:
        return self.envelope.timestamp

    @property
    def data(self) -> dict[str, Any]:
        return self.envelope.data

    def typed_data(self) -> TikTokData | None:
        return self._typed

    @property
    def seller_id(self) -> str:
        """A TikTok seller is its shop id."""
        return self.shop_id

    @property
    def order_ids(self) -> tuple[str, ...]:
        """The orders this delivery is about, for the seller's delivery index."""
        data = self._typed
        if isinstance(data, PackageUpdate):
            listed = {order_id for change in data.package_list for order_id in change.order_id_list}
            return tuple(sorted(listed))
        if isinstance(
            data, OrderStatusChange | RecipientAddressUpdate | CancellationStatusChange | ReturnStatusChange
        ):
            return (data.order_id,)
        return ()

    @staticmethod
    def stored_body(received: bytes) -> bytes:
        """TikTok's webhooks carry ids and statuses, no buyer data: the body is kept as received."""
        return received


class Secret(SenderSecret):
    """The app's key (public, part of every signature) and its secret."""

    app_key: str = Field(min_length=1)
    app_secret: RotatingSecret


def expected_signature(app_key: str, app_secret: str, body: bytes) -> str:
    return hmac_sha256(app_secret, app_key.encode() + body).hex()


def verify(delivery: RawDelivery, secret: Secret) -> None:
    received = delivery.header("authorization")
    if not received:
        raise SignatureError("the Authorization header is missing")
    expected = tuple(
        expected_signature(secret.app_key, key, delivery.body) for key in candidates(secret.app_secret)
    )
    if not matches_any(expected, received.strip().lower()):
        raise SignatureError("the Authorization signature does not match the body")


def sign(body: bytes, secret: Secret, _now: datetime) -> Headers:
    return {"authorization": expected_signature(secret.app_key, current(secret.app_secret), body)}


def parse(delivery: RawDelivery) -> TikTokNotification:
    envelope = validate(TikTokEnvelope, load_json_object(delivery.body), "TikTok Shop notification")
    model = DATA_MODELS.get(envelope.type)
    typed = validate(model, envelope.data, f"type {envelope.type} data", ("data",)) if model else None
    delivery_id = envelope.tts_notification_id or "sha256:" + body_digest(delivery.body)
    return TikTokNotification(delivery_id=delivery_id, envelope=envelope, _typed=typed)
