"""Any other carrier, 3PL or local post, sending trackguard's own canonical events (docs/generic-events.md).

Signed with Standard Webhooks: ``webhook-id``, ``webhook-timestamp``, ``webhook-signature`` (``v1,<base64>``)
over ``{id}.{timestamp}.{body}``, keyed with the ``whsec_`` secret; a timestamp more than 5 minutes old or
ahead is refused. ``webhook-id`` is the delivery id. The body is ``{"events": [...]}``, 1 to 100 events, each
already in trackguard's status vocabulary; ``carrier`` is resolved to a trackguard slug ("undeclared" when
unknown).
"""

from __future__ import annotations

import base64
from datetime import date, datetime

from pydantic import AwareDatetime, Field, SecretStr, field_validator
from standardwebhooks import Webhook, WebhookVerificationError

from trackguard.domain.events import CarrierEvent
from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.errors import SignatureError
from trackguard.secrets import RotatingSecret, SenderSecret, candidates, current
from trackguard.sources.base import CarrierDelivery, Headers, RawDelivery, Sender, body_digest, hmac_sha256
from trackguard.sources.carriers._common import (
    SenderModel,
    TrackingNumber,
    location_of,
    parse_body,
    required_header,
    text_or_none,
    upper_or_none,
)
from trackguard.tracking import resolve_carrier

NAME = "generic"
MAX_EVENTS = 100
COUNTRY_PATTERN = r"^[A-Za-z]{2}$"


class GenericLocation(SenderModel):
    city: str | None = Field(default=None, max_length=100)
    state: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, pattern=COUNTRY_PATTERN)


class GenericDestination(SenderModel):
    postal_code: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, pattern=COUNTRY_PATTERN)


class GenericEvent(SenderModel):
    tracking_number: TrackingNumber
    carrier: str = Field(min_length=1, max_length=64)
    occurred_at: AwareDatetime
    status: TrackingStatus
    reason: ExceptionReason | None = None
    code: str | None = Field(default=None, max_length=64)
    description: str | None = Field(default=None, max_length=500)
    location: GenericLocation | None = None
    destination: GenericDestination | None = None
    estimated_delivery: date | None = None
    event_id: str | None = Field(default=None, max_length=128)


class GenericBatch(SenderModel):
    events: list[GenericEvent] = Field(min_length=1, max_length=MAX_EVENTS)


class Secret(SenderSecret):
    """A Standard Webhooks signing secret, ``whsec_<base64 key>``."""

    secret: RotatingSecret

    @field_validator("secret")
    @classmethod
    def _decodes(cls, value: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        for key in candidates(value):
            Webhook(key)  # raises ValueError (binascii.Error) for a key that is not base64
        return value


def verify(delivery: RawDelivery, secret: Secret) -> None:
    for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        required_header(delivery, name)
    refusals = [_refusal(Webhook(key), delivery) for key in candidates(secret.secret)]
    if None not in refusals:
        raise SignatureError(str(refusals[0]))


def _refusal(webhook: Webhook, delivery: RawDelivery) -> str | None:
    """Why one candidate secret refuses the delivery, or None when it verifies."""
    try:
        webhook.verify(delivery.body, dict(delivery.headers), json_parse=False)
    except WebhookVerificationError as error:
        return f"the Standard Webhooks signature was refused: {error}"
    except ValueError:
        return "the Standard Webhooks headers or body are malformed"
    return None


def sign(body: bytes, secret: Secret, now: datetime) -> Headers:
    """A Standard Webhooks signature over the exact body bytes; the message id is the body's digest, so
    a resend is a duplicate."""
    message_id = "msg_" + body_digest(body)[:24]
    timestamp = str(int(now.timestamp()))
    key = base64.b64decode(current(secret.secret).removeprefix("whsec_") + "==")
    signature = hmac_sha256(key, f"{message_id}.{timestamp}.".encode() + body)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": "v1," + base64.b64encode(signature).decode("ascii"),
    }


def parse(delivery: RawDelivery) -> CarrierDelivery:
    batch = parse_body(delivery, GenericBatch, "generic event batch")
    return CarrierDelivery(
        NAME, delivery.header("webhook-id"), tuple(_event(event) for event in batch.events)
    )


def _event(event: GenericEvent) -> CarrierEvent:
    place = event.location or GenericLocation()
    destination = event.destination or GenericDestination()
    return CarrierEvent(
        tracking_number=event.tracking_number,
        carrier=resolve_carrier(event.carrier, "any"),
        source=NAME,
        occurred_at=event.occurred_at,
        status=event.status,
        reason=event.reason,
        source_code=event.code or event.status.value,
        source_description=event.description or "",
        location=location_of(place.city, place.state, place.postal_code, place.country),
        destination_postal_code=text_or_none(destination.postal_code),
        destination_country=upper_or_none(destination.country),
        estimated_delivery=event.estimated_delivery,
        source_event_id=event.event_id,
    )


SOURCE = Sender(NAME, Secret, verify, sign, parse)
