"""AfterShip ``tracking_update`` webhooks.

``aftership-hmac-sha256`` is base64 HMAC-SHA256 of the raw body keyed with the webhook secret; ``event_id``
is the delivery id. Each ``msg.checkpoints[]`` item becomes an event: its ``subtag`` decides when listed,
else its ``tag``. AfterShip also moves the tracking itself (``msg.tag``/``msg.subtag``) without a new
checkpoint — Exception_013 (lost), Expired after 30 days of silence, a delivery known only to the
tracking — so when no checkpoint says the tracking's status, it becomes one more event, dated when
AfterShip last updated the tracking (``shipment_delivery_date`` for a delivery). A tag AfterShip never
documented is kept raw, marked unmapped and read as IN_TRANSIT (``UNMAPPED_FALLBACK``), never as an
exception. AfterShip sends ISO 3166 alpha-3 countries, stored as alpha-2. Times without an offset are
read as UTC. Other webhook events are accepted and ignored.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pydantic import Field

from trackguard.domain.events import CarrierEvent
from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.errors import PayloadError
from trackguard.secrets import RotatingSecret
from trackguard.sources.base import CarrierDelivery, RawDelivery, Sender
from trackguard.sources.carriers._common import (
    BodyHmacHeader,
    Meaning,
    SenderModel,
    SingleKeySecret,
    StatusMapping,
    TrackingNumber,
    deduplicated,
    known,
    location_of,
    look_up,
    parse_body,
    text_or_none,
)
from trackguard.sources.carriers._countries import ISO3_TO_ISO2
from trackguard.tracking import resolve_carrier

NAME = "aftership"

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

_OTHER_EXCEPTION: StatusMapping = (TrackingStatus.EXCEPTION, ExceptionReason.OTHER)

# Sub-statuses that say more than their tag (AfterShip's delivery sub-status list, platform-lifecycle §7.2).
SUBTAGS: dict[str, StatusMapping] = {
    "Exception_001": _OTHER_EXCEPTION,  # generic exception
    "Exception_002": (TrackingStatus.EXCEPTION, ExceptionReason.ADDRESS_PROBLEM),  # customer moved
    "Exception_003": (TrackingStatus.EXCEPTION, ExceptionReason.REFUSED),
    "Exception_004": (TrackingStatus.CUSTOMS, None),  # delayed in customs clearance
    "Exception_005": _OTHER_EXCEPTION,  # delayed by external factors
    "Exception_006": _OTHER_EXCEPTION,  # held for payment
    "Exception_007": (TrackingStatus.EXCEPTION, ExceptionReason.ADDRESS_PROBLEM),  # incorrect address
    "Exception_008": _OTHER_EXCEPTION,  # pickup missed
    "Exception_009": _OTHER_EXCEPTION,  # rejected by the carrier
    "Exception_010": (TrackingStatus.EXCEPTION, ExceptionReason.RETURNING),
    "Exception_011": (TrackingStatus.EXCEPTION, ExceptionReason.RETURNED),
    "Exception_012": (TrackingStatus.EXCEPTION, ExceptionReason.DAMAGED),
    "Exception_013": (TrackingStatus.EXCEPTION, ExceptionReason.LOST),
    "Exception_016": _OTHER_EXCEPTION,  # delayed in processing (vehicle, missort, misroute)
    "Exception_017": _OTHER_EXCEPTION,  # delayed by extreme weather
    "Exception_018": (TrackingStatus.CUSTOMS, ExceptionReason.CUSTOMS),  # incorrect or missing documents
    "InTransit_006": (TrackingStatus.CUSTOMS, None),  # handed over to customs
    "OutForDelivery_002": (TrackingStatus.AVAILABLE_FOR_PICKUP, None),  # older lists: ready to collect
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
    subtag_message: str | None = None
    updated_at: datetime | None = None
    last_updated_at: datetime | None = None
    shipment_delivery_date: datetime | None = None
    checkpoints: tuple[Checkpoint, ...] = ()
    origin_country_iso3: str | None = None
    destination_country_iso3: str | None = None
    destination_postal_code: str | None = None
    expected_delivery: str | None = None


class Webhook(SenderModel):
    event: str
    event_id: str | None = None
    ts: int | None = None
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
    events = [_event(tracking, checkpoint) for checkpoint in tracking.checkpoints]
    if tracking.tag and not _said_by_a_checkpoint(tracking):
        events.append(_tracking_event(tracking, _updated_at(webhook, delivery.received_at)))
    return CarrierDelivery(NAME, webhook.event_id, deduplicated(events))


def status_of(tag: str, subtag: str | None) -> Meaning:
    """The subtag's meaning when it says more than its tag, else the tag's, else unmapped."""
    mapping = SUBTAGS.get(subtag or "")
    return known(mapping) if mapping else look_up(TAGS, tag)


def iso2(iso3: str | None) -> str | None:
    return ISO3_TO_ISO2.get((iso3 or "").strip().upper())


def _said_by_a_checkpoint(tracking: Tracking) -> bool:
    """A checkpoint already carries the tracking's subtag (or, without one, its tag)."""
    if tracking.subtag:
        return any(checkpoint.subtag == tracking.subtag for checkpoint in tracking.checkpoints)
    return any(checkpoint.tag == tracking.tag for checkpoint in tracking.checkpoints)


def _updated_at(webhook: Webhook, received_at: datetime) -> datetime:
    """When AfterShip says the tracking last changed: the webhook's ``ts``, else when it arrived."""
    return datetime.fromtimestamp(webhook.ts, UTC) if webhook.ts else received_at


def _event(tracking: Tracking, checkpoint: Checkpoint) -> CarrierEvent:
    meaning = status_of(checkpoint.tag, checkpoint.subtag)
    return CarrierEvent(
        occurred_at=checkpoint.checkpoint_time,
        status=meaning.status,
        reason=meaning.reason,
        unmapped=meaning.unmapped,
        source_code=checkpoint.subtag or checkpoint.tag,
        source_description=checkpoint.message or "",
        location=location_of(
            checkpoint.city or checkpoint.location,
            checkpoint.state,
            checkpoint.zip,
            iso2(checkpoint.country_iso3),
        ),
        **_tracking_facts(tracking),
    )


def _tracking_event(tracking: Tracking, webhook_updated_at: datetime) -> CarrierEvent:
    """The tracking-level status as an event of its own (``tag`` is set: the caller checked)."""
    tag = tracking.tag or ""
    meaning = status_of(tag, tracking.subtag)
    delivered_at = tracking.shipment_delivery_date if meaning.status is TrackingStatus.DELIVERED else None
    return CarrierEvent(
        occurred_at=delivered_at or tracking.last_updated_at or tracking.updated_at or webhook_updated_at,
        status=meaning.status,
        reason=meaning.reason,
        unmapped=meaning.unmapped,
        source_code=tracking.subtag or tag,
        source_description=tracking.subtag_message or tag,
        **_tracking_facts(tracking),
    )


def _tracking_facts(tracking: Tracking) -> dict[str, Any]:
    """What every event of the tracking carries: the number, the carrier, where it goes, when expected."""
    return {
        "tracking_number": tracking.tracking_number,
        "carrier": resolve_carrier(tracking.slug, "aftership"),
        "source": NAME,
        "origin_country": iso2(tracking.origin_country_iso3),
        "destination_postal_code": text_or_none(tracking.destination_postal_code),
        "destination_country": iso2(tracking.destination_country_iso3),
        "estimated_delivery": _date(tracking.expected_delivery),
    }


def _date(value: str | None) -> date | None:
    """``expected_delivery`` is a date or a date-time; only the date matters."""
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


SOURCE = Sender(NAME, Secret, verify, sign, parse)
