"""USPS Subscriptions-Tracking callbacks.

The envelope is ``{"subscriptionId", "subscriptionType", "timestamp", "payload"}`` where ``payload`` is a JSON
document sent as a string; ``X-HMAC`` is base64 HMAC-SHA256 of ``timestamp + payload`` keyed with the HMAC
secret. Those two fields live inside the body, so verification must read the envelope first: only the
envelope is decoded before the signature is checked, the payload is validated after.

The payload follows the USPS Tracking API v3 tracking result (``trackingNumber``, ``trackingEvents[]`` with
``eventType``, ``eventCode``, ``eventTimestamp``, ``GMTTimestamp``, ``GMTOffset``, ``eventCity``,
``eventState``, ``eventZIP``, ``eventCountry``); that the callback carries exactly this shape is
UNCONFIRMED. ``eventCode`` decides the status, from USPS's published event-code table (platform-lifecycle
§5.2: GX label created → INFO_RECEIVED, 10 arrived at a regional facility → IN_TRANSIT, 01 delivered, the
09/21–31 return-to-sender family, ...). A code the table does not know is kept with its wording, marked
unmapped and read as IN_TRANSIT (``UNMAPPED_FALLBACK``): most USPS codes are network scans, and none is
read as an exception unless USPS's table says so. USPS sends no delivery id.
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
    Meaning,
    SenderModel,
    StatusMapping,
    TrackingNumber,
    deduplicated,
    location_of,
    look_up,
    parse_body,
    text_or_none,
    upper_or_none,
    verify_base64_hmac,
)

NAME = "usps"

_INFO: StatusMapping = (TrackingStatus.INFO_RECEIVED, None)
_SCAN: StatusMapping = (TrackingStatus.IN_TRANSIT, None)
_ATTEMPT: StatusMapping = (TrackingStatus.DELIVERY_FAILED, None)
_DELIVERED: StatusMapping = (TrackingStatus.DELIVERED, None)
_PICKUP: StatusMapping = (TrackingStatus.AVAILABLE_FOR_PICKUP, None)
_RETURNING: StatusMapping = (TrackingStatus.EXCEPTION, ExceptionReason.RETURNING)
_RETURNED_FOR_ADDRESS: StatusMapping = (TrackingStatus.EXCEPTION, ExceptionReason.ADDRESS_PROBLEM)

# USPS event codes (platform-lifecycle §5.2; its source letters say which document names each code).
EVENT_CODES: dict[str, StatusMapping] = {
    "GX": _INFO,  # Shipping Label Created, USPS Awaiting Item
    "MA": _INFO,  # Pre-Shipment Info Sent to USPS, USPS Awaiting Item
    "89": _INFO,  # Merchant Order Receipt Notification, USPS Awaiting Item
    "83": _SCAN,  # tendered to the Postal Service
    "03": _SCAN,  # accepted or picked up by the carrier ("USPS in possession of item")
    "OA": _SCAN,  # Accepted at USPS Origin Facility
    "TM": _SCAN,  # Shipment Received, Package Acceptance Pending
    "PA": _SCAN,  # passive acceptance
    "UA": _SCAN,  # accepted at a USPS facility
    "AD": _SCAN,  # acceptance at destination
    "GC": _SCAN,  # return receipt associated (at acceptance)
    "10": _SCAN,  # arrived at or departed a regional facility
    "NT": _SCAN,  # In Transit to Next Facility
    "EF": _SCAN,  # departed a sort facility
    "SF": _SCAN,  # Departed Post Office
    "07": _SCAN,  # arrival at unit: Arrived at Post Office
    "PC": _SCAN,  # sorting complete
    "06": _SCAN,  # forwarded
    "08": _SCAN,  # missent: sent on again
    "15": _SCAN,  # mis-shipped: sent on again
    "19": _SCAN,  # DC eVS arrive
    "41": _SCAN,  # received at the opening unit
    "71": _SCAN,  # delivery rescheduled to the next day
    "42": _SCAN,  # handed off to a shipping partner
    "80": _SCAN,  # picked up by a shipping partner
    "81": _SCAN,  # arrived at a shipping partner
    "82": _SCAN,  # departed a shipping partner
    "DX": _SCAN,  # delivery status not updated
    "A1": _SCAN,  # "Arrived at USPS Regional Facility" (a real USPS response; no table lists it)
    "T1": _SCAN,  # "Departed USPS Regional Facility" (likewise)
    "TL": _SCAN,  # "In Transit to Next Facility" (likewise)
    "OF": (TrackingStatus.OUT_FOR_DELIVERY, None),
    "59": (TrackingStatus.OUT_FOR_DELIVERY, None),  # what real out-for-delivery events carry
    "01": _DELIVERED,  # Delivered (in/at mailbox, parcel locker, ...)
    "17": _DELIVERED,  # picked up by the addressee's agent
    "43": _DELIVERED,  # picked up
    "14": _PICKUP,  # arrival at the pickup point
    "16": _PICKUP,  # available for pickup
    "02": _ATTEMPT,  # attempted, notice left
    "52": _ATTEMPT,  # notice left
    "53": _ATTEMPT,  # receptacle blocked
    "54": _ATTEMPT,  # receptacle full or item oversized
    "55": _ATTEMPT,  # no secure location
    "56": _ATTEMPT,  # no authorised recipient
    "30": _ATTEMPT,  # no access to the delivery location
    "51": _ATTEMPT,  # business closed
    "04": (TrackingStatus.EXCEPTION, ExceptionReason.REFUSED),
    "05": _RETURNED_FOR_ADDRESS,  # undeliverable as addressed
    "09": _RETURNING,  # return to sender
    "21": _RETURNED_FOR_ADDRESS,  # return to sender: no such number
    "22": _RETURNED_FOR_ADDRESS,  # return to sender: insufficient address
    "23": _RETURNED_FOR_ADDRESS,  # return to sender: moved, left no address
    "24": _RETURNING,  # return to sender: forwarding expired
    "25": _RETURNED_FOR_ADDRESS,  # return to sender: addressee unknown
    "26": _RETURNED_FOR_ADDRESS,  # return to sender: vacant
    "27": _RETURNING,  # return to sender: unclaimed
    "28": _RETURNING,  # return to sender: deceased
    "29": _RETURNING,  # return to sender: other
    "31": _RETURNING,  # return to sender: not picked up
    "44": _RETURNING,  # recalled by the customer
    "11": (TrackingStatus.EXCEPTION, ExceptionReason.LOST),  # dead letter
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


def status_of(event_code: str) -> Meaning:
    return look_up(EVENT_CODES, event_code.strip().upper())


def _payload_document(envelope: Envelope) -> dict[str, object]:
    try:
        return load_json_object(envelope.payload.encode("utf-8"))
    except PayloadError as error:
        raise PayloadError("the USPS payload field is not a JSON object") from error


def _event(result: TrackingResult, event: TrackingEvent) -> CarrierEvent:
    meaning = status_of(event.event_code)
    return CarrierEvent(
        tracking_number=result.tracking_number,
        carrier=NAME,
        source=NAME,
        occurred_at=event.occurred_at,
        status=meaning.status,
        reason=meaning.reason,
        unmapped=meaning.unmapped,
        source_code=event.event_code,
        source_description=event.event_type or "",
        location=location_of(event.event_city, event.event_state, event.event_zip, event.event_country),
        origin_country=upper_or_none(result.origin_country_code),
        destination_postal_code=text_or_none(result.destination_zip),
        destination_country=upper_or_none(result.destination_country_code),
        estimated_delivery=result.expected_delivery_date,
    )


SOURCE = Sender(NAME, Secret, verify, sign, parse)
