"""UPS Track Alert: one activity per callback.

Authentication (CONTRACT §2): Track Alert v1 sends the subscription's credential in a header literally
named ``credential``; ``Authorization: Bearer <credential>`` is accepted as well. Whether UPS prefixes
the value with its ``credentialType`` is undocumented, so ``credential: Bearer <credential>`` passes too.
Track Alert v2 (the subscriber runs an OAuth token URL that UPS calls) is not supported: see
docs/carriers.md.

UPS sends no delivery id (``delivery_id`` is None; events deduplicate on their natural key) and does not
retry a missed callback. The time is ``gmtActivityDate`` + ``gmtActivityTime`` (UTC), else the local
date and time placed by ``gmtOffset`` (``-04.00``).

The status is decided by ``activityStatus.type`` and ``code`` together: UPS's own out-for-delivery
example is type ``I`` with code ``OT``. A (type, code) pair UPS documents decides; with a code it does
not, the code is marked unmapped and the type decides: ``M``/``MV`` manifest → INFO_RECEIVED, ``I`` on
the way and ``U`` (new delivery date) → IN_TRANSIT, ``X`` package exception → EXCEPTION/other (UPS said
exception), ``D`` delivery information → DELIVERED only when ``actualDeliveryDate`` is set (UPS leaves it
blank until delivery), else OUT_FOR_DELIVERY, the safest reading of "loaded on the vehicle, out for
delivery, delivered". An undocumented type is read as IN_TRANSIT (``UNMAPPED_FALLBACK``), never as an
exception.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from pydantic import Field

from trackguard.domain.events import CarrierEvent
from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.errors import PayloadError, SignatureError
from trackguard.secrets import RotatingSecret, candidates, current
from trackguard.sources.base import CarrierDelivery, Headers, RawDelivery, Sender, matches_any
from trackguard.sources.carriers._common import (
    Meaning,
    SenderModel,
    SingleKeySecret,
    StaticToken,
    StatusMapping,
    TrackingNumber,
    fallback,
    known,
    location_of,
    parse_body,
)

NAME = "ups"
CREDENTIAL_HEADER = "credential"

DELIVERY_TYPE = "D"

# The (type, code) pairs of UPS's Track Alert examples (UPS-API/api-documentation UPSTrackAlert.yaml).
ACTIVITY_CODES: dict[tuple[str, str], StatusMapping] = {
    ("M", "MP"): (TrackingStatus.INFO_RECEIVED, None),  # Shipment Ready for UPS
    ("I", "OR"): (TrackingStatus.IN_TRANSIT, None),  # On the Way: UPS has the package
    ("I", "DP"): (TrackingStatus.IN_TRANSIT, None),  # On the Way: arrival or departure at a building
    ("I", "YP"): (TrackingStatus.IN_TRANSIT, None),  # Preparing for Delivery
    ("I", "OT"): (TrackingStatus.OUT_FOR_DELIVERY, None),  # Out for Delivery
    ("D", "FS"): (TrackingStatus.DELIVERED, None),  # Delivered
}

ACTIVITY_TYPES: dict[str, StatusMapping] = {
    "M": (TrackingStatus.INFO_RECEIVED, None),  # manifest: label or billing data, no scan
    "MV": (TrackingStatus.INFO_RECEIVED, None),  # manifest voided: still no scan
    "I": (TrackingStatus.IN_TRANSIT, None),
    "U": (TrackingStatus.IN_TRANSIT, None),  # the scheduled delivery date or time changed
    "X": (TrackingStatus.EXCEPTION, ExceptionReason.OTHER),  # package exception (may still be on time)
    DELIVERY_TYPE: (TrackingStatus.OUT_FOR_DELIVERY, None),  # see the module docstring
}


class ActivityLocation(SenderModel):
    city: str | None = None
    state_province: str | None = Field(default=None, alias="stateProvince")
    postal_code: str | None = Field(default=None, alias="postalCode")
    country: str | None = None


class ActivityStatus(SenderModel):
    type: str
    code: str | None = None
    description: str | None = None


class TrackAlert(SenderModel):
    tracking_number: TrackingNumber = Field(alias="trackingNumber")
    gmt_activity_date: str | None = Field(default=None, alias="gmtActivityDate")
    gmt_activity_time: str | None = Field(default=None, alias="gmtActivityTime")
    local_activity_date: str | None = Field(default=None, alias="localActivityDate")
    local_activity_time: str | None = Field(default=None, alias="localActivityTime")
    gmt_offset: str | None = Field(default=None, alias="gmtOffset")
    activity_location: ActivityLocation | None = Field(default=None, alias="activityLocation")
    activity_status: ActivityStatus = Field(alias="activityStatus")
    scheduled_delivery_date: str | None = Field(default=None, alias="scheduledDeliveryDate")
    actual_delivery_date: str | None = Field(default=None, alias="actualDeliveryDate")


class Secret(SingleKeySecret):
    key: RotatingSecret = Field(alias="credential")


BEARER = StaticToken()


def verify(delivery: RawDelivery, secret: Secret) -> None:
    """The ``credential`` header (its value alone, or after ``Bearer``), else ``Authorization: Bearer``."""
    received = delivery.header(CREDENTIAL_HEADER)
    if received is None:
        BEARER.verify(delivery, secret)
        return
    scheme, _, token = received.strip().partition(" ")
    value = token.strip() if scheme.lower() == "bearer" and token else received.strip()
    if not matches_any(candidates(secret.key), value):
        raise SignatureError("the credential header is wrong")


def sign(_body: bytes, secret: Secret, _now: datetime) -> Headers:
    """As Track Alert v1 sends it: the subscription's credential in a header named ``credential``."""
    return {CREDENTIAL_HEADER: current(secret.key)}


def parse(delivery: RawDelivery) -> CarrierDelivery:
    alert = parse_body(delivery, TrackAlert, "UPS Track Alert")
    return CarrierDelivery(NAME, None, (_event(alert),))


def status_of(activity_type: str, code: str | None = None, delivered: bool = False) -> Meaning:
    """A documented (type, code) pair; else the type's meaning, with the code marked unmapped."""
    kind = activity_type.strip().upper()
    code = (code or "").strip().upper()
    if (kind, code) in ACTIVITY_CODES:
        return known(ACTIVITY_CODES[kind, code])
    if kind == DELIVERY_TYPE and delivered:
        return Meaning(TrackingStatus.DELIVERED, None, unmapped=bool(code))
    if kind in ACTIVITY_TYPES:
        status, reason = ACTIVITY_TYPES[kind]
        return Meaning(status, reason, unmapped=bool(code))
    return fallback()


def _event(alert: TrackAlert) -> CarrierEvent:
    activity = alert.activity_status
    place = alert.activity_location or ActivityLocation()
    meaning = status_of(activity.type, activity.code, delivered=bool(_yyyymmdd(alert.actual_delivery_date)))
    return CarrierEvent(
        tracking_number=alert.tracking_number,
        carrier=NAME,
        source=NAME,
        occurred_at=_activity_time(alert),
        status=meaning.status,
        reason=meaning.reason,
        unmapped=meaning.unmapped,
        source_code=f"{activity.type}:{activity.code}" if activity.code else activity.type,
        source_description=activity.description or "",
        location=location_of(place.city, place.state_province, place.postal_code, place.country),
        estimated_delivery=_yyyymmdd(alert.scheduled_delivery_date),
    )


def _activity_time(alert: TrackAlert) -> datetime:
    """GMT when UPS gives it; else the local time placed by ``gmtOffset``; else the local time as UTC."""
    if alert.gmt_activity_date and alert.gmt_activity_time:
        return _moment(alert.gmt_activity_date, alert.gmt_activity_time, UTC, "gmtActivityDate")
    if alert.local_activity_date and alert.local_activity_time:
        zone = _zone(alert.gmt_offset)
        return _moment(alert.local_activity_date, alert.local_activity_time, zone, "localActivityDate")
    detail = {"loc": ["gmtActivityDate"], "msg": "Field required", "type": "missing"}
    raise PayloadError("not a valid UPS Track Alert: no activity date and time", [detail])


def _moment(day: str, time: str, zone: timezone, field: str) -> datetime:
    try:
        moment = datetime.strptime(day + time, "%Y%m%d%H%M%S")
    except ValueError as error:
        detail = {"loc": [field], "msg": "not a real date and time", "type": "datetime_parsing"}
        raise PayloadError("not a valid UPS Track Alert", [detail]) from error
    return moment.replace(tzinfo=zone)


def _zone(gmt_offset: str | None) -> timezone:
    """UPS writes the offset as ``(+/-)HH.MM``; anything else is read as UTC."""
    text = (gmt_offset or "").strip()
    try:
        hours, minutes = text[1:].split(".")
        delta = timedelta(hours=int(hours), minutes=int(minutes))
    except ValueError:
        return UTC
    return timezone(-delta if text.startswith("-") else delta)


def _yyyymmdd(value: str | None) -> date | None:
    try:
        return datetime.strptime(value or "", "%Y%m%d").date()
    except ValueError:
        return None


SOURCE = Sender(NAME, Secret, verify, sign, parse)
