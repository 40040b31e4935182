"""What the carrier sources share: sender models, header checks, body validation, event deduplication."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Annotated, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, StringConstraints

from trackguard.domain.events import CarrierEvent, Location
from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.sources.base import RawDelivery, SignatureError, constant_time_equals, hmac_sha256
from trackguard.sources.shops._payload import load_json_object, validate

ModelT = TypeVar("ModelT", bound=BaseModel)

StatusMapping = tuple[TrackingStatus, ExceptionReason | None]
"""A sender code's meaning: the unified status and, for exceptions and failures, why."""

UNMAPPED_FALLBACK: StatusMapping = (TrackingStatus.IN_TRANSIT, None)
"""What a sender code no table knows is read as, unless an adapter documents a safer meaning.

Every carrier event reports activity on a parcel the carrier handles; an unknown code is far more
often another network scan than a problem, and reading it as a problem would show a seller an
exception the sender never stated. IN_TRANSIT raises no flag by itself, and the event keeps its raw
code and wording, is marked ``unmapped`` and is counted (``UnmappedStatusCodes``) so the table grows.
"""


class Meaning(NamedTuple):
    """A sender code's meaning, and whether a table knew it (``unmapped`` when it fell back)."""

    status: TrackingStatus
    reason: ExceptionReason | None = None
    unmapped: bool = False


def known(mapping: StatusMapping) -> Meaning:
    return Meaning(mapping[0], mapping[1])


def fallback(mapping: StatusMapping = UNMAPPED_FALLBACK) -> Meaning:
    return Meaning(mapping[0], mapping[1], unmapped=True)


def look_up(
    table: dict[str, StatusMapping], code: str, otherwise: StatusMapping = UNMAPPED_FALLBACK
) -> Meaning:
    """The table's meaning of ``code``, else ``otherwise`` marked as unmapped."""
    mapping = table.get(code)
    return known(mapping) if mapping is not None else fallback(otherwise)


TrackingNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=64)]


class SenderModel(BaseModel):
    """A sender's JSON object: fields trackguard does not use are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")


def required_header(delivery: RawDelivery, name: str) -> str:
    value = (delivery.header(name) or "").strip()
    if not value:
        raise SignatureError(f"the {name} header is missing")
    return value


def verify_bearer(delivery: RawDelivery, expected: str) -> None:
    """``Authorization: Bearer <static secret>``, compared in constant time."""
    scheme, _, token = required_header(delivery, "authorization").partition(" ")
    if scheme.lower() != "bearer" or not constant_time_equals(expected, token.strip()):
        raise SignatureError("the Authorization bearer token is wrong")


def verify_static_token(delivery: RawDelivery, header: str, expected: str) -> None:
    if not constant_time_equals(expected, required_header(delivery, header)):
        raise SignatureError(f"the {header} token is wrong")


def verify_base64_hmac(delivery: RawDelivery, header: str, key: str, message: bytes) -> None:
    expected = base64.b64encode(hmac_sha256(key, message)).decode("ascii")
    if not constant_time_equals(expected, required_header(delivery, header)):
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
