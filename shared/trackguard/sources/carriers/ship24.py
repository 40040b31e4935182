"""Ship24 tracking webhooks: ``{"trackings": [{metadata, tracker, shipment, events}]}``.

Authentication is a static shared secret, ``Authorization: Bearer <webhook_secret>``. The delivery id is the
``metadata.messageId`` (each event also carries its own ``eventId``). An event's status comes from its
``statusMilestone`` (Ship24 gives one on every event), else the shipment's; an undocumented milestone becomes
EXCEPTION/other so that a person looks at it. ``statusCode`` (e.g. ``delivery_delivered``) is kept as the
source code.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from trackguard.domain.events import CarrierEvent
from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.secrets import RotatingSecret
from trackguard.sources.base import CarrierDelivery, RawDelivery, Sender, body_digest
from trackguard.sources.carriers._common import (
    SenderModel,
    SingleKeySecret,
    StaticToken,
    StatusMapping,
    TrackingNumber,
    deduplicated,
    location_of,
    parse_body,
    upper_or_none,
)
from trackguard.tracking import resolve_carrier

NAME = "ship24"
UNKNOWN: StatusMapping = (TrackingStatus.EXCEPTION, ExceptionReason.OTHER)

MILESTONES: dict[str, StatusMapping] = {
    "pending": (TrackingStatus.PENDING, None),
    "info_received": (TrackingStatus.INFO_RECEIVED, None),
    "in_transit": (TrackingStatus.IN_TRANSIT, None),
    "out_for_delivery": (TrackingStatus.OUT_FOR_DELIVERY, None),
    "failed_attempt": (TrackingStatus.DELIVERY_FAILED, None),
    "available_for_pickup": (TrackingStatus.AVAILABLE_FOR_PICKUP, None),
    "delivered": (TrackingStatus.DELIVERED, None),
    "exception": (TrackingStatus.EXCEPTION, ExceptionReason.OTHER),
}


class Metadata(SenderModel):
    generated_at: datetime | None = Field(default=None, alias="generatedAt")
    message_id: str | None = Field(default=None, alias="messageId")


class Tracker(SenderModel):
    tracker_id: str | None = Field(default=None, alias="trackerId")
    tracking_number: TrackingNumber = Field(alias="trackingNumber")
    courier_code: str | list[str] | None = Field(default=None, alias="courierCode")


class Delivery(SenderModel):
    estimated_delivery_date: datetime | None = Field(default=None, alias="estimatedDeliveryDate")


class Shipment(SenderModel):
    status_milestone: str | None = Field(default=None, alias="statusMilestone")
    origin_country_code: str | None = Field(default=None, alias="originCountryCode")
    destination_country_code: str | None = Field(default=None, alias="destinationCountryCode")
    delivery: Delivery | None = None


class Event(SenderModel):
    event_id: str | None = Field(default=None, alias="eventId")
    occurrence_datetime: datetime = Field(alias="occurrenceDatetime")
    utc_offset: str | None = Field(default=None, alias="utcOffset")
    status: str | None = None
    status_code: str | None = Field(default=None, alias="statusCode")
    status_milestone: str | None = Field(default=None, alias="statusMilestone")
    location: str | None = None
    courier_code: str | None = Field(default=None, alias="courierCode")


class Tracking(SenderModel):
    metadata: Metadata | None = None
    tracker: Tracker
    shipment: Shipment | None = None
    events: tuple[Event, ...] = ()


class Webhook(SenderModel):
    trackings: tuple[Tracking, ...]


class Secret(SingleKeySecret):
    key: RotatingSecret = Field(alias="webhook_secret")


SIGNATURE = StaticToken()
verify, sign = SIGNATURE.verify, SIGNATURE.sign


def parse(delivery: RawDelivery) -> CarrierDelivery:
    webhook = parse_body(delivery, Webhook, "Ship24 webhook")
    events = deduplicated(event for tracking in webhook.trackings for event in _events(tracking))
    return CarrierDelivery(NAME, _delivery_id(webhook, delivery.body), events)


def status_of(milestone: str | None) -> StatusMapping:
    return MILESTONES.get((milestone or "").lower(), UNKNOWN)


def _delivery_id(webhook: Webhook, body: bytes) -> str | None:
    ids = [t.metadata.message_id for t in webhook.trackings if t.metadata and t.metadata.message_id]
    if len(ids) == 1:
        return ids[0]
    return "sha256:" + body_digest(body) if ids else None


def _events(tracking: Tracking) -> list[CarrierEvent]:
    return [_event(tracking, event) for event in tracking.events]


def _event(tracking: Tracking, event: Event) -> CarrierEvent:
    shipment = tracking.shipment or Shipment()
    milestone = event.status_milestone or shipment.status_milestone
    status, reason = status_of(milestone)
    return CarrierEvent(
        tracking_number=tracking.tracker.tracking_number,
        carrier=resolve_carrier(event.courier_code or _first(tracking.tracker.courier_code), "ship24"),
        source=NAME,
        occurred_at=_with_offset(event.occurrence_datetime, event.utc_offset),
        status=status,
        reason=reason,
        source_code=event.status_code or milestone or "",
        source_description=event.status or "",
        location=location_of(city=event.location),
        origin_country=upper_or_none(shipment.origin_country_code),
        destination_country=upper_or_none(shipment.destination_country_code),
        estimated_delivery=_estimated_delivery(shipment),
        source_event_id=event.event_id,
    )


def _first(codes: str | list[str] | None) -> str | None:
    if isinstance(codes, list):
        return codes[0] if codes else None
    return codes


def _with_offset(moment: datetime, utc_offset: str | None) -> datetime:
    """Ship24 may give the courier's local time; ``utcOffset`` (``+01:00``) then places it."""
    if moment.tzinfo is not None or not utc_offset:
        return moment
    try:
        return moment.replace(tzinfo=datetime.strptime(utc_offset, "%z").tzinfo)
    except ValueError:
        return moment


def _estimated_delivery(shipment: Shipment) -> date | None:
    estimate = shipment.delivery.estimated_delivery_date if shipment.delivery else None
    return estimate.date() if estimate else None


SOURCE = Sender(NAME, Secret, verify, sign, parse)
