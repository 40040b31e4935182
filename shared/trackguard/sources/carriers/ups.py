"""UPS Track Alert: one activity per callback, authenticated with ``Authorization: Bearer <credential>``.

UPS sends no delivery id (``delivery_id`` is None; events deduplicate on their natural key) and does not
retry a missed callback. ``activityStatus.type`` decides the status; the time is ``gmtActivityDate`` +
``gmtActivityTime`` (UTC). A type not listed here is read as IN_TRANSIT: every Track Alert is a report of
activity on a parcel UPS holds, and the code and description are kept beside it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import Field

from trackguard.domain.events import CarrierEvent
from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.errors import PayloadError
from trackguard.secrets import RotatingSecret
from trackguard.sources.base import CarrierDelivery, RawDelivery, Sender
from trackguard.sources.carriers._common import (
    SenderModel,
    SingleKeySecret,
    StaticToken,
    StatusMapping,
    TrackingNumber,
    location_of,
    parse_body,
)

NAME = "ups"
DEFAULT: StatusMapping = (TrackingStatus.IN_TRANSIT, None)

ACTIVITY_TYPES: dict[str, StatusMapping] = {
    "I": (TrackingStatus.IN_TRANSIT, None),
    "D": (TrackingStatus.DELIVERED, None),
    "X": (TrackingStatus.EXCEPTION, ExceptionReason.OTHER),
    "M": (TrackingStatus.INFO_RECEIVED, None),  # manifest: label created, no scan
    "MV": (TrackingStatus.INFO_RECEIVED, None),  # manifest voided: still no scan
    "U": (TrackingStatus.IN_TRANSIT, None),  # unconfirmed meaning (an update to the activity)
    "P": (TrackingStatus.IN_TRANSIT, None),  # pickup (Tracking API type)
    "O": (TrackingStatus.OUT_FOR_DELIVERY, None),  # out for delivery (Tracking API type)
    "RS": (TrackingStatus.EXCEPTION, ExceptionReason.RETURNED),  # returned to shipper (Tracking API type)
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
    gmt_activity_date: str = Field(alias="gmtActivityDate", pattern=r"^\d{8}$")
    gmt_activity_time: str = Field(alias="gmtActivityTime", pattern=r"^\d{6}$")
    activity_location: ActivityLocation | None = Field(default=None, alias="activityLocation")
    activity_status: ActivityStatus = Field(alias="activityStatus")
    scheduled_delivery_date: str | None = Field(default=None, alias="scheduledDeliveryDate")


class Secret(SingleKeySecret):
    key: RotatingSecret = Field(alias="credential")


SIGNATURE = StaticToken()
verify, sign = SIGNATURE.verify, SIGNATURE.sign


def parse(delivery: RawDelivery) -> CarrierDelivery:
    alert = parse_body(delivery, TrackAlert, "UPS Track Alert")
    return CarrierDelivery(NAME, None, (_event(alert),))


def status_of(activity_type: str) -> StatusMapping:
    return ACTIVITY_TYPES.get(activity_type.strip().upper(), DEFAULT)


def _event(alert: TrackAlert) -> CarrierEvent:
    activity = alert.activity_status
    place = alert.activity_location or ActivityLocation()
    status, reason = status_of(activity.type)
    return CarrierEvent(
        tracking_number=alert.tracking_number,
        carrier=NAME,
        source=NAME,
        occurred_at=_gmt(alert),
        status=status,
        reason=reason,
        source_code=f"{activity.type}:{activity.code}" if activity.code else activity.type,
        source_description=activity.description or "",
        location=location_of(place.city, place.state_province, place.postal_code, place.country),
        estimated_delivery=_yyyymmdd(alert.scheduled_delivery_date),
    )


def _gmt(alert: TrackAlert) -> datetime:
    try:
        moment = datetime.strptime(alert.gmt_activity_date + alert.gmt_activity_time, "%Y%m%d%H%M%S")
    except ValueError as error:
        detail = {"loc": ["gmtActivityDate"], "msg": "not a real date and time", "type": "datetime_parsing"}
        raise PayloadError("not a valid UPS Track Alert", [detail]) from error
    return moment.replace(tzinfo=UTC)


def _yyyymmdd(value: str | None) -> date | None:
    try:
        return datetime.strptime(value or "", "%Y%m%d").date()
    except ValueError:
        return None


SOURCE = Sender(NAME, Secret, verify, sign, parse)
