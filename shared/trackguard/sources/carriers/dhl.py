"""DHL Shipment Tracking – Unified push: ``{"shipments": [...]}`` in the Unified Tracking shape.

The subscription names the header and a static token; trackguard uses ``DHL-Webhook-Token``. DHL sends no
delivery id. Each ``events[]`` item becomes an event (the shipment's ``status`` when the list is empty);
``statusCode`` (pre-transit, transit, delivered, failure, unknown) decides the status. ``unknown`` is read
as PENDING (DHL has nothing to tell yet); an undocumented code becomes EXCEPTION/other so that a person
looks at it. ``service`` names the DHL business: the eCommerce ones are ``dhl_ecommerce``, the rest ``dhl``.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from trackguard.domain.events import CarrierEvent
from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.secrets import RotatingSecret
from trackguard.sources.base import CarrierDelivery, RawDelivery, Sender
from trackguard.sources.carriers._common import (
    SenderModel,
    SingleKeySecret,
    StaticToken,
    StatusMapping,
    TrackingNumber,
    deduplicated,
    location_of,
    parse_body,
    text_or_none,
    upper_or_none,
)

NAME = "dhl"
HEADER_NAME = "dhl-webhook-token"
UNKNOWN: StatusMapping = (TrackingStatus.EXCEPTION, ExceptionReason.OTHER)

STATUS_CODES: dict[str, StatusMapping] = {
    "pre-transit": (TrackingStatus.INFO_RECEIVED, None),
    "transit": (TrackingStatus.IN_TRANSIT, None),
    "delivered": (TrackingStatus.DELIVERED, None),
    "failure": (TrackingStatus.EXCEPTION, ExceptionReason.OTHER),
    "unknown": (TrackingStatus.PENDING, None),
}


class Address(SenderModel):
    address_locality: str | None = Field(default=None, alias="addressLocality")
    postal_code: str | None = Field(default=None, alias="postalCode")
    country_code: str | None = Field(default=None, alias="countryCode")


class Place(SenderModel):
    address: Address | None = None


class Status(SenderModel):
    timestamp: datetime
    status_code: str = Field(alias="statusCode")
    status: str | None = None
    description: str | None = None
    location: Place | None = None


class Shipment(SenderModel):
    id: TrackingNumber
    service: str | None = None
    status: Status
    origin: Place | None = None
    destination: Place | None = None
    estimated_time_of_delivery: datetime | None = Field(default=None, alias="estimatedTimeOfDelivery")
    events: tuple[Status, ...] = ()


class Push(SenderModel):
    shipments: tuple[Shipment, ...]


class Secret(SingleKeySecret):
    key: RotatingSecret = Field(alias="token")


SIGNATURE = StaticToken(HEADER_NAME, prefix="")
verify, sign = SIGNATURE.verify, SIGNATURE.sign


def parse(delivery: RawDelivery) -> CarrierDelivery:
    push = parse_body(delivery, Push, "DHL push")
    events = deduplicated(
        _event(shipment, status) for shipment in push.shipments for status in _statuses(shipment)
    )
    return CarrierDelivery(NAME, None, events)


def status_of(status_code: str) -> StatusMapping:
    return STATUS_CODES.get(status_code.strip().lower(), UNKNOWN)


def carrier_of(service: str | None) -> str:
    return "dhl_ecommerce" if (service or "").lower().startswith("ecommerce") else "dhl"


def _statuses(shipment: Shipment) -> tuple[Status, ...]:
    return shipment.events or (shipment.status,)


def _event(shipment: Shipment, status: Status) -> CarrierEvent:
    unified, reason = status_of(status.status_code)
    place = (status.location or Place()).address or Address()
    destination = (shipment.destination or Place()).address or Address()
    origin = (shipment.origin or Place()).address or Address()
    return CarrierEvent(
        tracking_number=shipment.id,
        carrier=carrier_of(shipment.service),
        source=NAME,
        occurred_at=status.timestamp,
        status=unified,
        reason=reason,
        source_code=status.status_code,
        source_description=status.description or status.status or "",
        location=location_of(place.address_locality, None, place.postal_code, place.country_code),
        origin_country=upper_or_none(origin.country_code),
        destination_postal_code=text_or_none(destination.postal_code),
        destination_country=upper_or_none(destination.country_code),
        estimated_delivery=_date(shipment.estimated_time_of_delivery),
    )


def _date(moment: datetime | None) -> date | None:
    return moment.date() if moment else None


SOURCE = Sender(NAME, Secret, verify, sign, parse)
