"""What the carrier sources share: sender models, header checks, body validation, event deduplication."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, SecretStr, StringConstraints

from trackguard.domain.events import CarrierEvent, Location
from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.errors import SignatureError
from trackguard.secrets import candidates
from trackguard.sources._json import load_json_object, validate
from trackguard.sources.base import RawDelivery, base64_hmac, matches_any

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


def bearer_token(delivery: RawDelivery, header: str = "authorization") -> str | None:
    """The token of ``<header>: Bearer <token>``, or None when the header has another scheme."""
    scheme, _, token = required_header(delivery, header).partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def verify_bearer(delivery: RawDelivery, secret: tuple[SecretStr, ...]) -> None:
    """``Authorization: Bearer <static secret>``, compared in constant time with each candidate."""
    if not matches_any(candidates(secret), bearer_token(delivery)):
        raise SignatureError("the Authorization bearer token is wrong")


def verify_static_token(delivery: RawDelivery, header: str, secret: tuple[SecretStr, ...]) -> None:
    if not matches_any(candidates(secret), required_header(delivery, header)):
        raise SignatureError(f"the {header} token is wrong")


def verify_base64_hmac(
    delivery: RawDelivery, header: str, secret: tuple[SecretStr, ...], message: bytes
) -> None:
    expected = tuple(base64_hmac(key, message) for key in candidates(secret))
    if not matches_any(expected, required_header(delivery, header)):
        raise SignatureError(f"the {header} signature does not match the body")


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
