"""What every sender's module is: the ``Sender`` record, the delivery it receives, and what it returns.

A sender is one module (a carrier) or one folder (a shop platform) that owns everything about that
sender: its secret's model, ``verify`` over the raw body, ``sign`` (what the sender itself does, used by
the demo, the tests and the sample events), ``parse`` into trackguard's vocabulary, and its status table.
``trackguard.sources.registry`` names them all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from trackguard.domain.events import CarrierEvent
    from trackguard.secrets import SenderSecret

SecretT = TypeVar("SecretT", bound="SenderSecret")
ParsedT = TypeVar("ParsedT")
Headers = dict[str, str]


@dataclass(frozen=True)
class RawDelivery:
    """An inbound HTTP delivery as received: lower-cased headers and the exact body bytes."""

    headers: Mapping[str, str]
    body: bytes
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def constant_time_equals(expected: str | bytes, received: str | bytes | None) -> bool:
    if received is None:
        return False
    expected_bytes = expected.encode() if isinstance(expected, str) else expected
    received_bytes = received.encode() if isinstance(received, str) else received
    return hmac.compare_digest(expected_bytes, received_bytes)


def matches_any(expected: tuple[str, ...], received: str | None) -> bool:
    """Constant-time comparison with every candidate (no early exit that would time which matched)."""
    results = [constant_time_equals(value, received) for value in expected]
    return any(results)


def base64_hmac(key: str, message: bytes) -> str:
    return base64.b64encode(hmac_sha256(key, message)).decode("ascii")


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


@dataclass(frozen=True)
class Sender(Generic[SecretT, ParsedT]):
    """One sender, as its module declares it.

    ``name`` is its route name and its section in the secret document. ``verify`` raises
    ``SignatureError`` for a delivery its secret did not sign (any candidate of a rotation verifies);
    ``sign`` returns the headers the sender would send for a body (the current secret signs);
    ``parse`` raises ``PayloadError`` for a body that is not the sender's schema.
    """

    name: str
    secret_model: type[SecretT]
    verify: Callable[[RawDelivery, SecretT], None]
    sign: Callable[[bytes, SecretT, datetime], Headers]
    parse: Callable[[RawDelivery], ParsedT]


class ShopDelivery(Protocol):
    """What ingestion asks of any shop platform's parsed delivery, so that it names no platform.

    ``seller_id`` and ``order_ids`` index the stored delivery under its seller (parked deliveries,
    redaction and erasure find it without a Scan); ``stored_body`` is what may be kept of the body as
    received (a platform whose bodies carry buyer data keeps only what processing reads).
    """

    @property
    def delivery_id(self) -> str: ...

    @property
    def seller_id(self) -> str: ...

    @property
    def order_ids(self) -> tuple[str, ...]: ...

    def stored_body(self, received: bytes) -> bytes: ...


CarrierSource = Sender[Any, CarrierDelivery]
ShopSource = Sender[Any, ShopDelivery]
