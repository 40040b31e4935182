"""What the carrier sources share: sender models, header checks, body validation, event deduplication."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, SecretStr, StringConstraints

from trackguard.domain.events import CarrierEvent, Location
from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.errors import SignatureError
from trackguard.secrets import RotatingSecret, SenderSecret, candidates, current
from trackguard.sources._json import load_json_object, validate
from trackguard.sources.base import Headers, RawDelivery, base64_hmac, matches_any

ModelT = TypeVar("ModelT", bound=BaseModel)

StatusMapping = tuple[TrackingStatus, ExceptionReason | None]
"""A sender code's meaning: the unified status and, for exceptions and failures, why."""

TrackingNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=64)]


class SenderModel(BaseModel):
    """A sender's JSON object: fields trackguard does not use are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")


def required_header(delivery: RawDelivery, name: str) -> str:
    value = (delivery.header(name) or "").strip()
    if not value:
        raise SignatureError(f"the {name} header is missing")
    return value


def verify_base64_hmac(
    delivery: RawDelivery, header: str, secret: tuple[SecretStr, ...], message: bytes
) -> None:
    expected = tuple(base64_hmac(key, message) for key in candidates(secret))
    if not matches_any(expected, required_header(delivery, header)):
        raise SignatureError(f"the {header} signature does not match the body")


class SingleKeySecret(SenderSecret):
    """A section with one secret; each sender names its field (``key`` is the field's alias)."""

    key: RotatingSecret


@dataclass(frozen=True)
class BodyHmacHeader:
    """``<header>: base64(HMAC-SHA256(secret, raw body))``: AfterShip and FedEx sign this way."""

    header: str

    def verify(self, delivery: RawDelivery, secret: SingleKeySecret) -> None:
        verify_base64_hmac(delivery, self.header, secret.key, delivery.body)

    def sign(self, body: bytes, secret: SingleKeySecret, _now: datetime) -> Headers:
        return {self.header: base64_hmac(current(secret.key), body)}


@dataclass(frozen=True)
class StaticToken:
    """The secret itself in a header, after ``prefix``: a bearer token (Ship24, UPS) or DHL's token."""

    header: str = "authorization"
    prefix: str = "Bearer "

    def verify(self, delivery: RawDelivery, secret: SingleKeySecret) -> None:
        received = required_header(delivery, self.header)
        token = received[len(self.prefix) :].strip() if _starts(received, self.prefix) else None
        if not matches_any(candidates(secret.key), token):
            raise SignatureError(f"the {self.header} token is wrong")

    def sign(self, _body: bytes, secret: SingleKeySecret, _now: datetime) -> Headers:
        return {self.header: self.prefix + current(secret.key)}


def _starts(value: str, prefix: str) -> bool:
    """Case-insensitive: senders write ``Bearer`` and ``bearer``."""
    return value[: len(prefix)].lower() == prefix.lower()


def parse_body(delivery: RawDelivery, model: type[ModelT], what: str) -> ModelT:
    """The JSON body validated as ``model``; ``PayloadError`` details name fields, never values."""
    return validate(model, load_json_object(delivery.body), what)


def deduplicated(events: Iterable[CarrierEvent]) -> tuple[CarrierEvent, ...]:
    """The same scan reported twice in one delivery is kept once (first occurrence wins)."""
    unique: dict[str, CarrierEvent] = {}
    for event in events:
        unique.setdefault(event.event_key, event)
    return tuple(unique.values())


def upper_or_none(value: str | None) -> str | None:
    cleaned = (value or "").strip().upper()
    return cleaned or None


def text_or_none(value: str | None) -> str | None:
    cleaned = (value or "").strip()
    return cleaned or None


def location_of(
    city: str | None = None,
    state: str | None = None,
    postal_code: str | None = None,
    country: str | None = None,
) -> Location | None:
    """A Location, or None when the sender said nothing about the place."""
    parts = {
        "city": text_or_none(city),
        "state": text_or_none(state),
        "postal_code": text_or_none(postal_code),
        "country": upper_or_none(country),
    }
    return Location(**parts) if any(parts.values()) else None
