"""UPS, FedEx, DHL and USPS: signatures, status mapping, UTC times."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.support.secrets import dev_secret
from tests.unit.sources.carriers.conftest import b64_hmac, body_of, delivery, every_secret_value
from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.errors import PayloadError, SignatureError
from trackguard.sources.carriers import dhl, fedex, ups, usps


def ups_body(activity_type: str, code: str = "FS", description: str = "DELIVERED") -> dict[str, Any]:
    return {
        "trackingNumber": "1Z999AA10123456784",
        "localActivityDate": "20261102",
        "localActivityTime": "101500",
        "gmtActivityDate": "20261102",
        "gmtActivityTime": "161500",
        "gmtOffset": "-06:00",
        "activityLocation": {"city": "AUSTIN", "stateProvince": "TX", "postalCode": "78701", "country": "US"},
        "activityStatus": {"type": activity_type, "code": code, "description": description},
        "scheduledDeliveryDate": "20261103",
    }


def fedex_body(*scans: tuple[str, str]) -> dict[str, Any]:
    return {
        "trackingNumber": "794644790138",
        "scanEvents": [
            {
                "date": moment,
                "eventType": event_type,
                "eventDescription": f"{event_type} scan",
                "derivedStatusCode": event_type,
                "scanLocation": {"city": "MEMPHIS", "stateOrProvinceCode": "TN", "countryCode": "US"},
            }
            for event_type, moment in scans
        ],
        "recipientInformation": {"address": {"postalCode": "10001", "countryCode": "us"}},
    }


def dhl_body(status_code: str, events: bool = True, service: str = "express") -> dict[str, Any]:
    status = {"timestamp": "2026-11-02T08:30:00+01:00", "statusCode": status_code, "description": "Processed"}
    return {
        "shipments": [
            {
                "id": "1234567890",
                "service": service,
                "status": status,
                "destination": {"address": {"postalCode": "10001", "countryCode": "US"}},
                "events": [status] if events else [],
            }
        ]
    }


def usps_envelope(event_code: str, **event: Any) -> tuple[dict[str, Any], str]:
    scan = {
        "eventType": "Delivered, In/At Mailbox",
        "eventCode": event_code,
        "eventTimestamp": "2026-11-02T13:42:00",
        "GMTTimestamp": "2026-11-02T19:42:00Z",
        "GMTOffset": "-06:00",
        "eventCity": "AUSTIN",
        "eventState": "TX",
        "eventZIP": "78701",
    } | event
    payload = json.dumps(
        {"trackingNumber": "9400111899223456789012", "destinationZIP": "78701", "trackingEvents": [scan]}
    )
    envelope = {
        "subscriptionId": "sub-1",
        "subscriptionType": "TRACKING",
        "timestamp": "2026-11-02T19:43:00Z",
        "payload": payload,
    }
    return envelope, b64_hmac("dev-usps-hmac-secret", (envelope["timestamp"] + payload).encode())


class TestUps:
    def test_bearer_credential(self) -> None:
        ups.verify(delivery(b"{}", authorization="Bearer dev-ups-credential"), dev_secret("ups"))
        for header in ("Bearer dev-fedex-security-token", "dev-ups-credential"):
            with pytest.raises(SignatureError):
                ups.verify(delivery(b"{}", authorization=header), dev_secret("ups"))
        with pytest.raises(SignatureError, match="missing"):
            ups.verify(delivery(b"{}"), dev_secret("ups"))

    def test_a_delivered_activity_in_utc_without_a_delivery_id(self) -> None:
        parsed = ups.parse(delivery(body_of(ups_body("D"))))
        (event,) = parsed.events

        assert parsed.delivery_id is None
        assert (event.status, event.carrier, event.source_code) == (TrackingStatus.DELIVERED, "ups", "D:FS")
        assert event.occurred_at == datetime(2026, 11, 2, 16, 15, tzinfo=UTC)
        assert event.location is not None
        assert event.location.postal_code == "78701"
        assert event.estimated_delivery == date(2026, 11, 3)

    @pytest.mark.parametrize(
        ("activity_type", "status"),
        [
            ("I", TrackingStatus.IN_TRANSIT),
            ("X", TrackingStatus.EXCEPTION),
            ("M", TrackingStatus.INFO_RECEIVED),
            ("MV", TrackingStatus.INFO_RECEIVED),
            ("ZZ", TrackingStatus.IN_TRANSIT),
        ],
    )
    def test_activity_type_decides(self, activity_type: str, status: TrackingStatus) -> None:
        (event,) = ups.parse(delivery(body_of(ups_body(activity_type)))).events

        assert event.status is status

    def test_an_impossible_gmt_time_is_a_payload_error(self) -> None:
        document = ups_body("I") | {"gmtActivityTime": "256100"}

        with pytest.raises(PayloadError):
            ups.parse(delivery(body_of(document)))

    def test_the_type_table_covers_every_documented_type(self) -> None:
        assert {"I", "D", "X", "M", "MV", "U"} <= set(ups.ACTIVITY_TYPES)


class TestFedex:
    def test_base64_hmac_signature(self) -> None:
        body = body_of(fedex_body(("DL", "2026-11-02T10:00:00-05:00")))
        fedex.verify(
            delivery(body, fdx_signature=b64_hmac("dev-fedex-security-token", body)), dev_secret("fedex")
        )
        with pytest.raises(SignatureError):
            fedex.verify(
                delivery(body, fdx_signature=b64_hmac("dev-ups-credential", body)), dev_secret("fedex")
            )
        with pytest.raises(SignatureError):
            fedex.verify(delivery(body), dev_secret("fedex"))

    def test_out_of_order_scans_each_become_an_event_in_utc(self) -> None:
        body = fedex_body(
            ("DL", "2026-11-02T10:00:00-05:00"),
            ("OC", "2026-10-30T09:00:00-05:00"),
            ("CD", "2026-11-01T18:00:00-05:00"),
        )
        events = fedex.parse(delivery(body_of(body))).events

        assert [e.status for e in events] == [
            TrackingStatus.DELIVERED,
            TrackingStatus.INFO_RECEIVED,
            TrackingStatus.CUSTOMS,
        ]
        assert events[0].occurred_at == datetime(2026, 11, 2, 15, tzinfo=UTC)
        assert (events[0].destination_postal_code, events[0].destination_country) == ("10001", "US")

    def test_a_delivery_exception_code_names_the_reason(self) -> None:
        document = fedex_body(("DE", "2026-11-02T10:00:00-05:00"))
        document["scanEvents"][0]["exceptionCode"] = "03"

        (event,) = fedex.parse(delivery(body_of(document))).events

        assert (event.status, event.reason) == (
            TrackingStatus.DELIVERY_FAILED,
            ExceptionReason.ADDRESS_PROBLEM,
        )

    @pytest.mark.parametrize(
        ("event_type", "status"),
        [
            ("PU", TrackingStatus.IN_TRANSIT),
            ("OD", TrackingStatus.OUT_FOR_DELIVERY),
            ("SE", TrackingStatus.EXCEPTION),
            ("RS", TrackingStatus.EXCEPTION),
            ("XX", TrackingStatus.IN_TRANSIT),
        ],
    )
    def test_event_type_decides(self, event_type: str, status: TrackingStatus) -> None:
        (event,) = fedex.parse(delivery(body_of(fedex_body((event_type, "2026-11-02T10:00:00Z"))))).events

        assert event.status is status

    def test_the_event_table_covers_the_listed_types(self) -> None:
        assert {"PU", "IT", "AR", "DP", "OD", "DL", "DE", "CD", "CC", "SE", "RS", "OC"} <= set(
            fedex.EVENT_TYPES
        )


class TestDhl:
    def test_static_token(self) -> None:
        dhl.verify(delivery(b"{}", dhl_webhook_token="dev-dhl-webhook-token"), dev_secret("dhl"))
        with pytest.raises(SignatureError):
            dhl.verify(delivery(b"{}", dhl_webhook_token="dev-dhl-webhook-tokem"), dev_secret("dhl"))
        with pytest.raises(SignatureError):
            dhl.verify(delivery(b"{}"), dev_secret("dhl"))

    @pytest.mark.parametrize(
        ("code", "status"),
        [
            ("pre-transit", TrackingStatus.INFO_RECEIVED),
            ("transit", TrackingStatus.IN_TRANSIT),
            ("delivered", TrackingStatus.DELIVERED),
            ("failure", TrackingStatus.EXCEPTION),
            ("unknown", TrackingStatus.PENDING),
        ],
    )
    def test_status_code_decides(self, code: str, status: TrackingStatus) -> None:
        (event,) = dhl.parse(delivery(body_of(dhl_body(code)))).events

        assert event.status is status
        assert event.occurred_at == datetime(2026, 11, 2, 7, 30, tzinfo=UTC)
        assert (event.destination_postal_code, event.destination_country) == ("10001", "US")

    def test_the_shipment_status_stands_in_when_there_are_no_events(self) -> None:
        (event,) = dhl.parse(
            delivery(body_of(dhl_body("delivered", events=False, service="ecommerce")))
        ).events

        assert (event.status, event.carrier) == (TrackingStatus.DELIVERED, "dhl_ecommerce")

    def test_the_status_table_is_exactly_the_documented_codes(self) -> None:
        assert set(dhl.STATUS_CODES) == {"pre-transit", "transit", "delivered", "failure", "unknown"}


class TestUsps:
    def test_hmac_over_timestamp_and_payload(self) -> None:
        envelope, signature = usps_envelope("01")
        usps.verify(delivery(body_of(envelope), x_hmac=signature), dev_secret("usps"))

    def test_refuses_a_changed_payload_or_timestamp(self) -> None:
        envelope, signature = usps_envelope("01")
        for changed in (
            {"timestamp": "2026-11-02T19:44:00Z"},
            {"payload": envelope["payload"].replace("01", "02")},
        ):
            with pytest.raises(SignatureError):
                usps.verify(delivery(body_of(envelope | changed), x_hmac=signature), dev_secret("usps"))
        with pytest.raises(SignatureError):
            usps.verify(delivery(body_of(envelope)), dev_secret("usps"))

    def test_an_envelope_that_is_not_json_is_a_payload_error(self) -> None:
        with pytest.raises(PayloadError):
            usps.verify(delivery(b"<xml/>", x_hmac="AAAA"), dev_secret("usps"))

    def test_a_delivered_event_in_utc(self) -> None:
        envelope, _ = usps_envelope("01")
        (event,) = usps.parse(delivery(body_of(envelope))).events

        assert (event.status, event.carrier, event.source_code) == (TrackingStatus.DELIVERED, "usps", "01")
        assert event.occurred_at == datetime(2026, 11, 2, 19, 42, tzinfo=UTC)
        assert event.destination_postal_code == "78701"

    def test_local_time_is_placed_by_the_gmt_offset(self) -> None:
        envelope, _ = usps_envelope("OF", GMTTimestamp=None)
        (event,) = usps.parse(delivery(body_of(envelope))).events

        assert (event.status, event.occurred_at) == (
            TrackingStatus.OUT_FOR_DELIVERY,
            datetime(2026, 11, 2, 19, 42, tzinfo=UTC),
        )

    @pytest.mark.parametrize(
        ("code", "status", "reason"),
        [
            ("10", TrackingStatus.OUT_FOR_DELIVERY, None),
            ("04", TrackingStatus.EXCEPTION, ExceptionReason.REFUSED),
            ("09", TrackingStatus.EXCEPTION, ExceptionReason.RETURNING),
            ("02", TrackingStatus.DELIVERY_FAILED, None),
            ("MA", TrackingStatus.INFO_RECEIVED, None),
            ("Z9", TrackingStatus.IN_TRANSIT, None),
        ],
    )
    def test_event_code_decides(
        self, code: str, status: TrackingStatus, reason: ExceptionReason | None
    ) -> None:
        envelope, _ = usps_envelope(code)
        (event,) = usps.parse(delivery(body_of(envelope))).events

        assert (event.status, event.reason) == (status, reason)

    def test_a_payload_that_is_not_json_or_lacks_events_is_a_payload_error(self) -> None:
        envelope, _ = usps_envelope("01")
        with pytest.raises(PayloadError, match="payload"):
            usps.parse(delivery(body_of(envelope | {"payload": "not json"})))
        with pytest.raises(PayloadError) as refused:
            usps.parse(
                delivery(
                    body_of(envelope | {"payload": json.dumps({"trackingNumber": "9400111899223456789012"})})
                )
            )
        assert refused.value.details[0]["loc"] == ["payload", "trackingEvents"]
        assert not any(secret in str(refused.value) for secret in every_secret_value())
