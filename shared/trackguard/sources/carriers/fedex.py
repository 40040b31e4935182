"""FedEx Advanced Integrated Visibility (AIV) webhooks.

``fdx-signature`` is base64 HMAC-SHA256 of the raw payload keyed with the security token. FedEx's webhook
schema (``TestWebhookOutputVO``) wraps the Track API's answer: ``output.completeTrackResults[]``, each with
``trackResults[]`` whose number is ``trackingNumberInfo.trackingNumber`` (the outer ``trackingNumber``
is only the fallback) and whose events are ``scanEvents[]`` (``date``, ``eventType``, ``eventDescription``,
``derivedStatusCode``, ``exceptionCode``, ``scanLocation``). A result FedEx answered with an ``error``
and no scans gives no event. FedEx sends no delivery id.

Events may arrive out of order; the shipment state does not depend on order. ``eventType`` decides the
status, else ``derivedStatusCode``; a code neither table knows is kept, marked unmapped and read as
IN_TRANSIT (``UNMAPPED_FALLBACK``: FedEx has dozens of transit scan types), never as an exception. A
delivery exception's ``exceptionCode`` refines the reason.
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
    Meaning,
    SenderModel,
    SingleKeySecret,
    StatusMapping,
    TrackingNumber,
    deduplicated,
    fallback,
    known,
    location_of,
    parse_body,
    text_or_none,
    upper_or_none,
)

NAME = "fedex"

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
    "HP": (TrackingStatus.AVAILABLE_FOR_PICKUP, None),  # ready for recipient pickup
    "HA": (TrackingStatus.IN_TRANSIT, None),  # hold at location requested
    "AO": (TrackingStatus.IN_TRANSIT, None),  # shipment arriving on time
    "AE": (TrackingStatus.IN_TRANSIT, None),  # shipment arriving early
    "DY": (TrackingStatus.IN_TRANSIT, None),  # delay: FedEx does not call it an exception
    "DL": (TrackingStatus.DELIVERED, None),
    "DE": (TrackingStatus.DELIVERY_FAILED, None),  # delivery exception
    "SE": (TrackingStatus.EXCEPTION, ExceptionReason.OTHER),  # shipment exception
    "CA": (TrackingStatus.EXCEPTION, ExceptionReason.OTHER),  # shipment cancelled
    "RS": (TrackingStatus.EXCEPTION, ExceptionReason.RETURNED),  # returned to shipper
}

# ``derivedStatusCode`` values of the FedEx examples, for an ``eventType`` the table above lacks.
DERIVED_STATUS_CODES: dict[str, StatusMapping] = {
    "IN": (TrackingStatus.INFO_RECEIVED, None),  # initiated: shipment information sent
    "PU": (TrackingStatus.IN_TRANSIT, None),
    "IT": (TrackingStatus.IN_TRANSIT, None),
    "DY": (TrackingStatus.IN_TRANSIT, None),
    "DL": (TrackingStatus.DELIVERED, None),
    "DE": (TrackingStatus.DELIVERY_FAILED, None),
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


class TrackingNumberInfo(SenderModel):
    tracking_number: TrackingNumber | None = Field(default=None, alias="trackingNumber")


class TrackResult(SenderModel):
    tracking_number_info: TrackingNumberInfo | None = Field(default=None, alias="trackingNumberInfo")
    scan_events: tuple[ScanEvent, ...] = Field(default=(), alias="scanEvents")
    recipient_information: RecipientInformation | None = Field(default=None, alias="recipientInformation")


class CompleteTrackResult(SenderModel):
    tracking_number: TrackingNumber | None = Field(default=None, alias="trackingNumber")
    track_results: tuple[TrackResult, ...] = Field(default=(), alias="trackResults")


class Output(SenderModel):
    complete_track_results: tuple[CompleteTrackResult, ...] = Field(alias="completeTrackResults")


class Push(SenderModel):
    transaction_id: str | None = Field(default=None, alias="transactionId")
    output: Output


class Secret(SingleKeySecret):
    key: RotatingSecret = Field(alias="security_token")


SIGNATURE = BodyHmacHeader("fdx-signature")
verify, sign = SIGNATURE.verify, SIGNATURE.sign


def parse(delivery: RawDelivery) -> CarrierDelivery:
    push = parse_body(delivery, Push, "FedEx AIV payload")
    events = (
        _event(number, result, scan)
        for complete in push.output.complete_track_results
        for result in complete.track_results
        for number in [_number_of(complete, result)]
        if number
        for scan in result.scan_events
    )
    return CarrierDelivery(NAME, None, deduplicated(events))


def status_of(event_type: str, derived_status_code: str | None = None) -> Meaning:
    mapping = EVENT_TYPES.get(event_type) or DERIVED_STATUS_CODES.get(derived_status_code or "")
    return known(mapping) if mapping else fallback()


def _number_of(complete: CompleteTrackResult, result: TrackResult) -> str | None:
    info = result.tracking_number_info or TrackingNumberInfo()
    return info.tracking_number or complete.tracking_number


def _event(number: str, result: TrackResult, scan: ScanEvent) -> CarrierEvent:
    meaning = status_of(scan.event_type, scan.derived_status_code)
    place = scan.scan_location or ScanLocation()
    recipient = (result.recipient_information or RecipientInformation()).address or Address()
    return CarrierEvent(
        tracking_number=number,
        carrier=NAME,
        source=NAME,
        occurred_at=scan.date,
        status=meaning.status,
        reason=EXCEPTION_CODES.get(scan.exception_code or "", meaning.reason),
        unmapped=meaning.unmapped,
        source_code=scan.event_type,
        source_description=scan.event_description or scan.exception_description or "",
        location=location_of(place.city, place.state_or_province_code, place.postal_code, place.country_code),
        destination_postal_code=text_or_none(recipient.postal_code),
        destination_country=upper_or_none(recipient.country_code),
    )


SOURCE = Sender(NAME, Secret, verify, sign, parse)
