"""FedEx Advanced Integrated Visibility (AIV) webhooks.

``fdx-signature`` is base64 HMAC-SHA256 of the raw payload keyed with the security token. The AIV payload
schema is UNCONFIRMED: no primary source showed it. This model follows the FedEx Track API's track result
(``trackingNumber``, ``scanEvents[]`` with ``date``, ``eventType``, ``eventDescription``,
``derivedStatusCode``, ``exceptionCode``, ``scanLocation``); check it against a real AIV delivery.

Events may arrive out of order; the shipment state does not depend on order. ``eventType`` decides the
status, else ``derivedStatusCode``; a code not listed is read as IN_TRANSIT (FedEx has dozens of transit
scan types) with the code kept beside it. A delivery exception's ``exceptionCode`` refines the reason.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from trackguard.domain.events import CarrierEvent
from trackguard.domain.status import ExceptionReason, TrackingStatus
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
    upper_or_none,
)

NAME = "fedex"
DEFAULT: StatusMapping = (TrackingStatus.IN_TRANSIT, None)

EVENT_TYPES: dict[str, StatusMapping] = {
    "OC": (TrackingStatus.INFO_RECEIVED, None),  # shipment information sent to FedEx
    "PU": (TrackingStatus.IN_TRANSIT, None),  # picked up
    "IT": (TrackingStatus.IN_TRANSIT, None),
    "AR": (TrackingStatus.IN_TRANSIT, None),  # arrived at a FedEx location
    "DP": (TrackingStatus.IN_TRANSIT, None),  # departed a FedEx location
    "AF": (TrackingStatus.IN_TRANSIT, None),  # at a FedEx facility
    "CC": (TrackingStatus.IN_TRANSIT, None),  # cleared customs: no longer held
    "CD": (TrackingStatus.CUSTOMS, None),  # clearance delay
    "CP": (TrackingStatus.CUSTOMS, None),  # clearance in progress
    "OD": (TrackingStatus.OUT_FOR_DELIVERY, None),
    "HL": (TrackingStatus.AVAILABLE_FOR_PICKUP, None),  # held at a FedEx location
    "DL": (TrackingStatus.DELIVERED, None),
    "DE": (TrackingStatus.DELIVERY_FAILED, None),  # delivery exception
    "SE": (TrackingStatus.EXCEPTION, ExceptionReason.OTHER),  # shipment exception
    "CA": (TrackingStatus.EXCEPTION, ExceptionReason.OTHER),  # shipment cancelled
    "RS": (TrackingStatus.EXCEPTION, ExceptionReason.RETURNED),  # returned to shipper
}

# Delivery-exception codes that name a reason (unconfirmed numbering).
EXCEPTION_CODES: dict[str, ExceptionReason] = {
    "03": ExceptionReason.ADDRESS_PROBLEM,  # incorrect address
    "07": ExceptionReason.REFUSED,  # refused by recipient
}


class ScanLocation(SenderModel):
    city: str | None = None
    state_or_province_code: str | None = Field(default=None, alias="stateOrProvinceCode")
    postal_code: str | None = Field(default=None, alias="postalCode")
    country_code: str | None = Field(default=None, alias="countryCode")


class ScanEvent(SenderModel):
    date: datetime
    event_type: str = Field(alias="eventType")
    event_description: str | None = Field(default=None, alias="eventDescription")
    derived_status_code: str | None = Field(default=None, alias="derivedStatusCode")
    exception_code: str | None = Field(default=None, alias="exceptionCode")
    exception_description: str | None = Field(default=None, alias="exceptionDescription")
    scan_location: ScanLocation | None = Field(default=None, alias="scanLocation")


class Address(SenderModel):
    postal_code: str | None = Field(default=None, alias="postalCode")
    country_code: str | None = Field(default=None, alias="countryCode")


class RecipientInformation(SenderModel):
    address: Address | None = None


class TrackResult(SenderModel):
    tracking_number: TrackingNumber = Field(alias="trackingNumber")
    scan_events: tuple[ScanEvent, ...] = Field(alias="scanEvents")
    recipient_information: RecipientInformation | None = Field(default=None, alias="recipientInformation")


class Secret(SingleKeySecret):
    key: RotatingSecret = Field(alias="security_token")


SIGNATURE = BodyHmacHeader("fdx-signature")
verify, sign = SIGNATURE.verify, SIGNATURE.sign


def parse(delivery: RawDelivery) -> CarrierDelivery:
    result = parse_body(delivery, TrackResult, "FedEx AIV payload")
    return CarrierDelivery(NAME, None, deduplicated(_event(result, scan) for scan in result.scan_events))


def status_of(event_type: str, derived_status_code: str | None = None) -> StatusMapping:
    return EVENT_TYPES.get(event_type) or EVENT_TYPES.get(derived_status_code or "", DEFAULT)


def _event(result: TrackResult, scan: ScanEvent) -> CarrierEvent:
    status, reason = status_of(scan.event_type, scan.derived_status_code)
    place = scan.scan_location or ScanLocation()
    recipient = (result.recipient_information or RecipientInformation()).address or Address()
    return CarrierEvent(
        tracking_number=result.tracking_number,
        carrier=NAME,
        source=NAME,
        occurred_at=scan.date,
        status=status,
        reason=EXCEPTION_CODES.get(scan.exception_code or "", reason),
        source_code=scan.event_type,
        source_description=scan.event_description or scan.exception_description or "",
        location=location_of(place.city, place.state_or_province_code, place.postal_code, place.country_code),
        destination_postal_code=text_or_none(recipient.postal_code),
        destination_country=upper_or_none(recipient.country_code),
    )


SOURCE = Sender(NAME, Secret, verify, sign, parse)
