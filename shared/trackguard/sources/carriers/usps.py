"""USPS Subscriptions-Tracking callbacks.

The envelope is ``{"subscriptionId", "subscriptionType", "timestamp", "payload"}`` where ``payload`` is a JSON
document sent as a string; ``X-HMAC`` is base64 HMAC-SHA256 of ``timestamp + payload`` keyed with the HMAC
secret. Those two fields live inside the body, so verification must read the envelope first: only the
envelope is decoded before the signature is checked, the payload is validated after.

The payload follows the USPS Tracking API v3 tracking result (``trackingNumber``, ``trackingEvents[]`` with
``eventType``, ``eventCode``, ``eventTimestamp``, ``GMTTimestamp``, ``GMTOffset``, ``eventCity``,
``eventState``, ``eventZIP``, ``eventCountry``); that the callback carries exactly this shape is
UNCONFIRMED. ``eventCode`` decides the status; a code not listed is read as IN_TRANSIT (most USPS codes are
network scans) with the code and its wording kept beside it. USPS sends no delivery id.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from trackguard.domain.events import CarrierEvent
from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.errors import PayloadError
from trackguard.secrets import RotatingSecret, SenderSecret, current
from trackguard.sources._json import load_json_object, validate
from trackguard.sources.base import CarrierDelivery, Headers, RawDelivery, Sender, base64_hmac
from trackguard.sources.carriers._common import (
    SenderModel,
    StatusMapping,
    TrackingNumber,
    deduplicated,
    location_of,
    parse_body,
    text_or_none,
    upper_or_none,
    verify_base64_hmac,
)

NAME = "usps"
DEFAULT: StatusMapping = (TrackingStatus.IN_TRANSIT, None)

# USPS event codes; those marked unconfirmed come from a single secondary source.
EVENT_CODES: dict[str, StatusMapping] = {
    "MA": (TrackingStatus.INFO_RECEIVED, None),  # pre-shipment info sent (manifest)
    "GX": (TrackingStatus.EXCEPTION, ExceptionReason.OTHER),  # label cancelled
    "03": (TrackingStatus.IN_TRANSIT, None),  # accepted at a post office
    "80": (TrackingStatus.IN_TRANSIT, None),  # picked up by a shipping partner
    "10": (TrackingStatus.OUT_FOR_DELIVERY, None),  # unconfirmed
    "OF": (TrackingStatus.OUT_FOR_DELIVERY, None),
    "01": (TrackingStatus.DELIVERED, None),
    "17": (TrackingStatus.DELIVERED, None),  # picked up by the addressee's agent
    "02": (TrackingStatus.DELIVERY_FAILED, None),  # notice left, no authorised recipient
    "52": (TrackingStatus.DELIVERY_FAILED, None),  # notice left
    "53": (TrackingStatus.DELIVERY_FAILED, None),  # receptacle blocked, unconfirmed
    "55": (TrackingStatus.DELIVERY_FAILED, None),  # no access, unconfirmed
    "56": (TrackingStatus.DELIVERY_FAILED, None),  # unsafe to deliver (dog), unconfirmed
    "04": (TrackingStatus.EXCEPTION, ExceptionReason.REFUSED),
    "05": (TrackingStatus.EXCEPTION, ExceptionReason.ADDRESS_PROBLEM),  # undeliverable as addressed
    "21": (TrackingStatus.EXCEPTION, ExceptionReason.ADDRESS_PROBLEM),  # no such number
    "22": (TrackingStatus.EXCEPTION, ExceptionReason.ADDRESS_PROBLEM),  # insufficient address
    "09": (TrackingStatus.EXCEPTION, ExceptionReason.RETURNING),  # return to sender
    "14": (TrackingStatus.AVAILABLE_FOR_PICKUP, None),  # arrival at pickup point
    "16": (TrackingStatus.AVAILABLE_FOR_PICKUP, None),
}


class Envelope(SenderModel):
    subscription_id: str | None = Field(default=None, alias="subscriptionId")
    subscription_type: str | None = Field(default=None, alias="subscriptionType")
    timestamp: str
    payload: str


class TrackingEvent(SenderModel):
    event_type: str | None = Field(default=None, alias="eventType")
    event_code: str = Field(alias="eventCode")
    event_timestamp: datetime = Field(alias="eventTimestamp")
    gmt_timestamp: datetime | None = Field(default=None, alias="GMTTimestamp")
    gmt_offset: str | None = Field(default=None, alias="GMTOffset")
    event_city: str | None = Field(default=None, alias="eventCity")
    event_state: str | None = Field(default=None, alias="eventState")
    event_zip: str | None = Field(default=None, alias="eventZIP")
    event_country: str | None = Field(default=None, alias="eventCountry")

    @property
    def occurred_at(self) -> datetime:
        """GMT when given; else the local time placed by ``GMTOffset``; else read as UTC."""
        if self.gmt_timestamp is not None or self.event_timestamp.tzinfo is not None:
            return self.gmt_timestamp or self.event_timestamp
        try:
            zone = datetime.strptime(self.gmt_offset or "", "%z").tzinfo
        except ValueError:
            return self.event_timestamp
        return self.event_timestamp.replace(tzinfo=zone)


class TrackingResult(SenderModel):
    tracking_number: TrackingNumber = Field(alias="trackingNumber")
    tracking_events: tuple[TrackingEvent, ...] = Field(alias="trackingEvents")
    destination_zip: str | None = Field(default=None, alias="destinationZIP")
    destination_country_code: str | None = Field(default=None, alias="destinationCountryCode")
    origin_country_code: str | None = Field(default=None, alias="originCountryCode")
    expected_delivery_date: date | None = Field(default=None, alias="expectedDeliveryDate")


def signed_message(envelope: Envelope) -> bytes:
    return (envelope.timestamp + envelope.payload).encode("utf-8")


class Secret(SenderSecret):
    hmac_secret: RotatingSecret


def verify(delivery: RawDelivery, secret: Secret) -> None:
    envelope = parse_body(delivery, Envelope, "USPS envelope")
    verify_base64_hmac(delivery, "x-hmac", secret.hmac_secret, signed_message(envelope))


def sign(body: bytes, secret: Secret, now: datetime) -> Headers:
    envelope = parse_body(RawDelivery({}, body, now), Envelope, "USPS envelope")
    return {"x-hmac": base64_hmac(current(secret.hmac_secret), signed_message(envelope))}


def parse(delivery: RawDelivery) -> CarrierDelivery:
    envelope = parse_body(delivery, Envelope, "USPS envelope")
    result = validate(TrackingResult, _payload_document(envelope), "USPS tracking payload", ("payload",))
    return CarrierDelivery(
        NAME, None, deduplicated(_event(result, event) for event in result.tracking_events)
    )


def status_of(event_code: str) -> StatusMapping:
    return EVENT_CODES.get(event_code.strip().upper(), DEFAULT)


def _payload_document(envelope: Envelope) -> dict[str, object]:
    try:
        return load_json_object(envelope.payload.encode("utf-8"))
    except PayloadError as error:
        raise PayloadError("the USPS payload field is not a JSON object") from error


def _event(result: TrackingResult, event: TrackingEvent) -> CarrierEvent:
    status, reason = status_of(event.event_code)
    return CarrierEvent(
        tracking_number=result.tracking_number,
        carrier=NAME,
        source=NAME,
        occurred_at=event.occurred_at,
        status=status,
        reason=reason,
        source_code=event.event_code,
        source_description=event.event_type or "",
        location=location_of(event.event_city, event.event_state, event.event_zip, event.event_country),
        origin_country=upper_or_none(result.origin_country_code),
        destination_postal_code=text_or_none(result.destination_zip),
        destination_country=upper_or_none(result.destination_country_code),
        estimated_delivery=result.expected_delivery_date,
    )


SOURCE = Sender(NAME, Secret, verify, sign, parse)
