"""17TRACK API v2.2 push: ``TRACKING_UPDATED`` and ``TRACKING_STOPPED``.

The ``sign`` header is the lowercase hex SHA-256 (a plain hash, not an HMAC) of ``raw_body + "/" + api_key``.
17TRACK sends no delivery id; events deduplicate on their natural key.

Every event of ``tracking.providers[].events[]`` is emitted, plus ``latest_event``, deduplicated. An event's
``sub_status`` decides its status; an unlisted sub-status falls back to its main status (the part before
``_``), and a main status 17TRACK never documented becomes EXCEPTION/other so that a person looks at it.
``latest_status``/``latest_event`` are read under ``data.track_info`` or directly under ``data``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import Field

from trackguard.domain.events import CarrierEvent, Location
from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.errors import SignatureError
from trackguard.secrets import RotatingSecret, SenderSecret, candidates, current
from trackguard.sources._json import validate
from trackguard.sources.base import CarrierDelivery, Headers, RawDelivery, Sender, matches_any
from trackguard.sources.carriers._common import (
    SenderModel,
    StatusMapping,
    TrackingNumber,
    deduplicated,
    location_of,
    parse_body,
    required_header,
    text_or_none,
    upper_or_none,
)
from trackguard.tracking import resolve_carrier

NAME = "17track"
UNKNOWN: StatusMapping = (TrackingStatus.EXCEPTION, ExceptionReason.OTHER)

MAIN_STATUSES: dict[str, StatusMapping] = {
    "NotFound": (TrackingStatus.NOT_FOUND, None),
    "InfoReceived": (TrackingStatus.INFO_RECEIVED, None),
    "InTransit": (TrackingStatus.IN_TRANSIT, None),
    "Expired": (TrackingStatus.EXPIRED, None),
    "AvailableForPickup": (TrackingStatus.AVAILABLE_FOR_PICKUP, None),
    "OutForDelivery": (TrackingStatus.OUT_FOR_DELIVERY, None),
    "DeliveryFailure": (TrackingStatus.DELIVERY_FAILED, None),
    "Delivered": (TrackingStatus.DELIVERED, None),
    "Exception": (TrackingStatus.EXCEPTION, ExceptionReason.OTHER),
}

SUB_STATUSES: dict[str, StatusMapping] = {
    "NotFound_Other": (TrackingStatus.NOT_FOUND, None),
    "NotFound_InvalidCode": (TrackingStatus.NOT_FOUND, None),
    "InfoReceived": (TrackingStatus.INFO_RECEIVED, None),
    "InTransit_PickedUp": (TrackingStatus.IN_TRANSIT, None),
    "InTransit_Other": (TrackingStatus.IN_TRANSIT, None),
    "InTransit_Departure": (TrackingStatus.IN_TRANSIT, None),
    "InTransit_Arrival": (TrackingStatus.IN_TRANSIT, None),
    "InTransit_CustomsProcessing": (TrackingStatus.CUSTOMS, None),
    "InTransit_CustomsReleased": (TrackingStatus.IN_TRANSIT, None),
    "InTransit_CustomsRequiringInformation": (TrackingStatus.CUSTOMS, ExceptionReason.CUSTOMS),
    "Expired_Other": (TrackingStatus.EXPIRED, None),
    "AvailableForPickup_Other": (TrackingStatus.AVAILABLE_FOR_PICKUP, None),
    "OutForDelivery_Other": (TrackingStatus.OUT_FOR_DELIVERY, None),
    "DeliveryFailure_Other": (TrackingStatus.DELIVERY_FAILED, None),
    "DeliveryFailure_NoBody": (TrackingStatus.DELIVERY_FAILED, None),
    "DeliveryFailure_Security": (TrackingStatus.DELIVERY_FAILED, None),
    "DeliveryFailure_Rejected": (TrackingStatus.DELIVERY_FAILED, ExceptionReason.REFUSED),
    "DeliveryFailure_InvalidAddress": (TrackingStatus.DELIVERY_FAILED, ExceptionReason.ADDRESS_PROBLEM),
    "Delivered_Other": (TrackingStatus.DELIVERED, None),
    "Exception_Other": (TrackingStatus.EXCEPTION, ExceptionReason.OTHER),
    "Exception_Returning": (TrackingStatus.EXCEPTION, ExceptionReason.RETURNING),
    "Exception_Returned": (TrackingStatus.EXCEPTION, ExceptionReason.RETURNED),
    "Exception_Lost": (TrackingStatus.EXCEPTION, ExceptionReason.LOST),
    "Exception_Damage": (TrackingStatus.EXCEPTION, ExceptionReason.DAMAGED),
    "Exception_Rejected": (TrackingStatus.EXCEPTION, ExceptionReason.REFUSED),
}


class Address(SenderModel):
    country: str | None = None
    state: str | None = None
    city: str | None = None
    postal_code: str | None = None


class LatestStatus(SenderModel):
    status: str
    sub_status: str | None = None


class TrackEvent(SenderModel):
    time_iso: datetime | None = None
    time_utc: datetime | None = None
    description: str | None = None
    location: str | None = None
    stage: str | None = None
    sub_status: str | None = None
    address: Address | None = None

    @property
    def occurred_at(self) -> datetime | None:
        return self.time_utc or self.time_iso


class Provider(SenderModel):
    events: tuple[TrackEvent, ...] = ()


class Tracking(SenderModel):
    providers: tuple[Provider, ...] = ()


class ShippingInfo(SenderModel):
    shipper_address: Address | None = None
    recipient_address: Address | None = None


class EstimatedDeliveryDate(SenderModel):
    from_: datetime | None = Field(default=None, alias="from")
    to: datetime | None = None


class TimeMetrics(SenderModel):
    estimated_delivery_date: EstimatedDeliveryDate | None = None


class TrackInfo(SenderModel):
    latest_status: LatestStatus | None = None
    latest_event: TrackEvent | None = None
    shipping_info: ShippingInfo | None = None
    time_metrics: TimeMetrics | None = None
    tracking: Tracking | None = None


class TrackData(SenderModel):
    """``data`` of a push, and an ``accepted`` item of gettrackinfo: the same shape."""

    number: TrackingNumber
    carrier: int | str | None = None
    track_info: TrackInfo | None = None
    latest_status: LatestStatus | None = None
    latest_event: TrackEvent | None = None


class Push(SenderModel):
    event: str
    data: TrackData


def expected_sign(api_key: str, body: bytes) -> str:
    return hashlib.sha256(body + b"/" + api_key.encode()).hexdigest()


class Secret(SenderSecret):
    """The account's API key: it signs pushes and authenticates trackguard's calls to 17TRACK."""

    api_key: RotatingSecret


def verify(delivery: RawDelivery, secret: Secret) -> None:
    expected = tuple(expected_sign(key, delivery.body) for key in candidates(secret.api_key))
    if not matches_any(expected, required_header(delivery, "sign").lower()):
        raise SignatureError("the sign header does not match the body")


def sign(body: bytes, secret: Secret, _now: datetime) -> Headers:
    return {"sign": expected_sign(current(secret.api_key), body)}


def parse(delivery: RawDelivery) -> CarrierDelivery:
    push = parse_body(delivery, Push, "17TRACK push")
    if push.event == "TRACKING_STOPPED":
        return CarrierDelivery(NAME, None, (), stopped_numbers=(push.data.number,))
    if push.event != "TRACKING_UPDATED":
        return CarrierDelivery(NAME, None, ())
    return CarrierDelivery(NAME, None, events_of(push.data, delivery.received_at))


def events_from_track_data(
    item: Mapping[str, Any], observed_at: datetime | None = None
) -> tuple[CarrierEvent, ...]:
    """The events of one gettrackinfo ``accepted`` item (the poller normalises like the push does)."""
    return events_of(validate(TrackData, item, "17TRACK track data"), observed_at)


def events_of(data: TrackData, observed_at: datetime | None) -> tuple[CarrierEvent, ...]:
    """Every dated event; a number 17TRACK does not know yet gives one NOT_FOUND at ``observed_at``."""
    info = data.track_info or TrackInfo()
    latest_status = info.latest_status or data.latest_status
    latest_event = info.latest_event or data.latest_event
    dated: list[tuple[TrackEvent, LatestStatus | None]] = [
        (event, None) for provider in _providers(info) for event in provider.events
    ]
    if latest_event is not None:
        dated.append((latest_event, latest_status))
    events = [_event(data, info, event, fallback) for event, fallback in dated if event.occurred_at]
    if not events and observed_at is not None and _is_not_found(latest_status):
        events.append(_not_found(data, info, _code_of(latest_status), observed_at))
    return deduplicated(events)


def status_of(code: str) -> StatusMapping:
    return SUB_STATUSES.get(code) or MAIN_STATUSES.get(code.split("_", 1)[0], UNKNOWN)


def _providers(info: TrackInfo) -> tuple[Provider, ...]:
    return info.tracking.providers if info.tracking else ()


def _is_not_found(latest: LatestStatus | None) -> bool:
    return latest is not None and status_of(_code_of(latest))[0] is TrackingStatus.NOT_FOUND


def _event(
    data: TrackData, info: TrackInfo, event: TrackEvent, fallback: LatestStatus | None
) -> CarrierEvent:
    code = event.sub_status or event.stage or _code_of(fallback)
    status, reason = status_of(code)
    return CarrierEvent(
        occurred_at=event.occurred_at,
        status=status,
        reason=reason,
        source_code=code,
        source_description=event.description or "",
        location=_where(event),
        **_shipment_facts(data, info),
    )


def _not_found(data: TrackData, info: TrackInfo, code: str, observed_at: datetime) -> CarrierEvent:
    return CarrierEvent(
        occurred_at=observed_at,
        status=TrackingStatus.NOT_FOUND,
        source_code=code,
        **_shipment_facts(data, info),
    )


def _shipment_facts(data: TrackData, info: TrackInfo) -> dict[str, Any]:
    """What every event of the number carries: who, where from, where to, when expected."""
    shipping = info.shipping_info or ShippingInfo()
    recipient = shipping.recipient_address or Address()
    shipper = shipping.shipper_address or Address()
    return {
        "tracking_number": data.number,
        "carrier": resolve_carrier(data.carrier, "17track"),
        "source": NAME,
        "origin_country": upper_or_none(shipper.country),
        "destination_postal_code": text_or_none(recipient.postal_code),
        "destination_country": upper_or_none(recipient.country),
        "estimated_delivery": _estimated_delivery(info),
    }


def _code_of(latest: LatestStatus | None) -> str:
    if latest is None:
        return ""
    return latest.sub_status or latest.status


def _where(event: TrackEvent) -> Location | None:
    address = event.address or Address()
    located = location_of(address.city, address.state, address.postal_code, address.country)
    return located or location_of(city=event.location)


def _estimated_delivery(info: TrackInfo) -> date | None:
    estimate = info.time_metrics.estimated_delivery_date if info.time_metrics else None
    moment = (estimate.from_ or estimate.to) if estimate else None
    return moment.date() if moment else None


SOURCE = Sender(NAME, Secret, verify, sign, parse)
