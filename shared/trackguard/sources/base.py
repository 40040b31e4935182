"""What every source adapter receives and the two ways it refuses a delivery."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trackguard.domain.events import CarrierEvent


@dataclass(frozen=True)
class RawDelivery:
    """An inbound HTTP delivery as received: lower-cased headers and the exact body bytes."""

    headers: Mapping[str, str]
    body: bytes
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class SignatureError(Exception):
    """Missing or wrong signature, or a signed timestamp outside tolerance (answered 401)."""


class PayloadError(Exception):
    """Not JSON, or not the sender's schema (answered 400). ``details`` lists what was wrong."""

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.details = details or []


def constant_time_equals(expected: str | bytes, received: str | bytes | None) -> bool:
    if received is None:
        return False
    expected_bytes = expected.encode() if isinstance(expected, str) else expected
    received_bytes = received.encode() if isinstance(received, str) else received
    return hmac.compare_digest(expected_bytes, received_bytes)


def hmac_sha256(key: str | bytes, message: bytes) -> bytes:
    key_bytes = key.encode() if isinstance(key, str) else key
    return hmac.new(key_bytes, message, hashlib.sha256).digest()


def body_digest(body: bytes) -> str:
    """A stable id for a delivery whose sender gives none."""
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class CarrierDelivery:
    """What a carrier source's delivery says, normalised.

    ``delivery_id`` is the sender's own id for the delivery when it has one (deduplication key);
    ``stopped_numbers`` lists numbers the sender stopped tracking (17TRACK ``TRACKING_STOPPED``).
    """

    source: str
    delivery_id: str | None
    events: tuple[CarrierEvent, ...]
    stopped_numbers: tuple[str, ...] = ()
