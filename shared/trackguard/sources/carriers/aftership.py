"""AfterShip ``tracking_update`` webhooks.

``aftership-hmac-sha256`` is base64 HMAC-SHA256 of the raw body keyed with the webhook secret; ``event_id``
is the delivery id. Each ``msg.checkpoints[]`` item becomes an event: its ``subtag`` decides when listed,
else its ``tag``; an undocumented tag becomes EXCEPTION/other so that a person looks at it. AfterShip sends
ISO 3166 alpha-3 countries, stored as alpha-2. ``checkpoint_time`` without an offset is read as UTC.
Other webhook events are accepted and ignored.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from trackguard.domain.events import CarrierEvent
from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.errors import PayloadError
from trackguard.secrets import RotatingSecret
from trackguard.sources.base import CarrierDelivery, RawDelivery, Sender
from trackguard.sources.carriers._common import (
    BodyHmacHeader,
    SenderModel,
    SingleKeySecret,
    StatusMapping,
    TrackingNumber,
    deduplicated,
    location_of,
    parse_body,
    text_or_none,
)
from trackguard.sources.carriers._countries import ISO3_TO_ISO2
from trackguard.tracking import resolve_carrier

NAME = "aftership"
UNKNOWN: StatusMapping = (TrackingStatus.EXCEPTION, ExceptionReason.OTHER)

TAGS: dict[str, StatusMapping] = {
    "Pending": (TrackingStatus.PENDING, None),
    "InfoReceived": (TrackingStatus.INFO_RECEIVED, None),
    "InTransit": (TrackingStatus.IN_TRANSIT, None),
    "OutForDelivery": (TrackingStatus.OUT_FOR_DELIVERY, None),
    "AttemptFail": (TrackingStatus.DELIVERY_FAILED, None),
    "Delivered": (TrackingStatus.DELIVERED, None),
    "AvailableForPickup": (TrackingStatus.AVAILABLE_FOR_PICKUP, None),
    "Exception": (TrackingStatus.EXCEPTION, ExceptionReason.OTHER),
    "Expired": (TrackingStatus.EXPIRED, None),
}

# Sub-statuses that say more than their tag (AfterShip's delivery sub-status list).
SUBTAGS: dict[str, StatusMapping] = {
    "Exception_002": (TrackingStatus.EXCEPTION, ExceptionReason.ADDRESS_PROBLEM),  # customer moved
    "Exception_003": (TrackingStatus.EXCEPTION, ExceptionReason.REFUSED),
    "Exception_004": (TrackingStatus.CUSTOMS, None),  # delayed in customs clearance
    "Exception_007": (TrackingStatus.EXCEPTION, ExceptionReason.ADDRESS_PROBLEM),  # incorrect address
    "Exception_010": (TrackingStatus.EXCEPTION, ExceptionReason.RETURNING),  # unconfirmed number
    "Exception_011": (TrackingStatus.EXCEPTION, ExceptionReason.RETURNED),  # unconfirmed number
    "Exception_012": (TrackingStatus.EXCEPTION, ExceptionReason.DAMAGED),  # unconfirmed number
    "Exception_013": (TrackingStatus.EXCEPTION, ExceptionReason.LOST),  # unconfirmed number
    "Exception_018": (TrackingStatus.CUSTOMS, ExceptionReason.CUSTOMS),  # incorrect or missing documents
}


class Checkpoint(SenderModel):
    checkpoint_time: datetime
    tag: str
    subtag: str | None = None
    message: str | None = None
    location: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country_iso3: str | None = None


class Tracking(SenderModel):
    tracking_number: TrackingNumber
    slug: str | None = None
    tag: str | None = None
    subtag: str | None = None
    checkpoints: tuple[Checkpoint, ...] = ()
    origin_country_iso3: str | None = None
    destination_country_iso3: str | None = None
    destination_postal_code: str | None = None
    expected_delivery: str | None = None


class Webhook(SenderModel):
    event: str
    event_id: str | None = None
    msg: Tracking | None = None


class Secret(SingleKeySecret):
    key: RotatingSecret = Field(alias="webhook_secret")


SIGNATURE = BodyHmacHeader("aftership-hmac-sha256")
verify, sign = SIGNATURE.verify, SIGNATURE.sign


def parse(delivery: RawDelivery) -> CarrierDelivery:
    webhook = parse_body(delivery, Webhook, "AfterShip webhook")
    if webhook.event != "tracking_update":
        return CarrierDelivery(NAME, webhook.event_id, ())
    if webhook.msg is None:
        raise PayloadError(
            "not an AfterShip webhook: a tracking_update needs msg",
            [{"loc": ["msg"], "msg": "Field required", "type": "missing"}],
        )
    tracking = webhook.msg
    events = deduplicated(_event(tracking, checkpoint) for checkpoint in tracking.checkpoints)
    return CarrierDelivery(NAME, webhook.event_id, events)


def status_of(tag: str, subtag: str | None) -> StatusMapping:
    return SUBTAGS.get(subtag or "") or TAGS.get(tag, UNKNOWN)


def iso2(iso3: str | None) -> str | None:
    return ISO3_TO_ISO2.get((iso3 or "").strip().upper())


def _event(tracking: Tracking, checkpoint: Checkpoint) -> CarrierEvent:
    status, reason = status_of(checkpoint.tag, checkpoint.subtag)
    return CarrierEvent(
        tracking_number=tracking.tracking_number,
        carrier=resolve_carrier(tracking.slug, "aftership"),
        source=NAME,
        occurred_at=checkpoint.checkpoint_time,
        status=status,
        reason=reason,
        source_code=checkpoint.subtag or checkpoint.tag,
        source_description=checkpoint.message or "",
        location=location_of(
            checkpoint.city or checkpoint.location,
            checkpoint.state,
            checkpoint.zip,
            iso2(checkpoint.country_iso3),
        ),
        origin_country=iso2(tracking.origin_country_iso3),
        destination_postal_code=text_or_none(tracking.destination_postal_code),
        destination_country=iso2(tracking.destination_country_iso3),
        estimated_delivery=_date(tracking.expected_delivery),
    )


def _date(value: str | None) -> date | None:
    """``expected_delivery`` is a date or a date-time; only the date matters."""
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


SOURCE = Sender(NAME, Secret, verify, sign, parse)
