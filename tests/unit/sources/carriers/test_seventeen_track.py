from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.support.secrets import dev_secret
from tests.unit.sources.carriers.conftest import body_of, delivery, every_secret_value
from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.errors import PayloadError, SignatureError
from trackguard.sources.base import RawDelivery
from trackguard.sources.carriers import seventeen_track

API_KEY = "dev-17track-api-key"
RECEIVED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def event(sub_status: str, time_utc: str, description: str = "scan") -> dict[str, Any]:
    return {
        "time_iso": None,
        "time_utc": time_utc,
        "description": description,
        "location": "Chicago, IL",
        "stage": sub_status.split("_", maxsplit=1)[0],
        "sub_status": sub_status,
        "address": {"country": "US", "state": "IL", "city": "Chicago", "postal_code": None},
    }


def push(latest: str, events: list[dict[str, Any]], *, nested: bool = True) -> dict[str, Any]:
    status = {"status": latest.split("_", maxsplit=1)[0], "sub_status": latest}
    track_info: dict[str, Any] = {
        "shipping_info": {
            "shipper_address": {"country": "cn"},
            "recipient_address": {"country": "US", "postal_code": "78701"},
        },
        "time_metrics": {"estimated_delivery_date": {"source": "17TRACK", "from": "2026-11-05T00:00:00Z"}},
        "tracking": {"providers": [{"provider": {"key": 190008}, "events": events}]},
    }
    latest_fields = {"latest_status": status, "latest_event": events[0] if events else None}
    data: dict[str, Any] = {"number": "YT2412345678901234", "carrier": 100002, "track_info": track_info}
    (track_info if nested else data).update(latest_fields)
    return {"event": "TRACKING_UPDATED", "data": data}


def signed(body: bytes, key: str = API_KEY) -> RawDelivery:
    return delivery(body, sign=hashlib.sha256(body + b"/" + key.encode()).hexdigest())


def parse(document: dict[str, Any]) -> Any:
    body = body_of(document)
    return seventeen_track.parse(RawDelivery(headers={}, body=body, received_at=RECEIVED))


class TestVerify:
    def test_accepts_sha256_of_body_slash_key(self) -> None:
        seventeen_track.verify(signed(body_of(push("Delivered_Other", []))), dev_secret("17track"))

    def test_accepts_the_digest_in_upper_case(self) -> None:
        body = body_of(push("Delivered_Other", []))
        upper = hashlib.sha256(body + b"/" + API_KEY.encode()).hexdigest().upper()
        seventeen_track.verify(delivery(body, sign=upper), dev_secret("17track"))

    def test_refuses_another_key(self) -> None:
        with pytest.raises(SignatureError, match="does not match"):
            seventeen_track.verify(
                signed(body_of(push("Delivered_Other", [])), "other-key"), dev_secret("17track")
            )

    def test_refuses_a_tampered_body(self) -> None:
        good = signed(body_of(push("Delivered_Other", [])))
        tampered = RawDelivery(headers=good.headers, body=good.body.replace(b"78701", b"78702"))
        with pytest.raises(SignatureError):
            seventeen_track.verify(tampered, dev_secret("17track"))

    def test_refuses_a_missing_sign(self) -> None:
        with pytest.raises(SignatureError, match="sign header is missing"):
            seventeen_track.verify(delivery(body_of(push("Delivered_Other", []))), dev_secret("17track"))


class TestParse:
    def test_every_provider_event_and_the_latest_event_deduplicated(self) -> None:
        events = [
            event("Delivered_Other", "2026-11-02T15:00:00Z", "Delivered"),
            event("OutForDelivery_Other", "2026-11-02T08:00:00Z"),
            event("InTransit_PickedUp", "2026-10-28T01:12:00Z"),
        ]
        parsed = parse(push("Delivered_Other", events))

        assert parsed.delivery_id is None
        assert [e.status for e in parsed.events] == [
            TrackingStatus.DELIVERED,
            TrackingStatus.OUT_FOR_DELIVERY,
            TrackingStatus.IN_TRANSIT,
        ]
        first = parsed.events[0]
        assert first.carrier == "ups"
        assert first.source == "17track"
        assert first.source_code == "Delivered_Other"
        assert first.occurred_at == datetime(2026, 11, 2, 15, tzinfo=UTC)
        assert (first.destination_postal_code, first.destination_country, first.origin_country) == (
            "78701",
            "US",
            "CN",
        )
        assert first.estimated_delivery == date(2026, 11, 5)
        assert first.location is not None
        assert first.location.city == "Chicago"

    def test_latest_fields_directly_under_data_are_read(self) -> None:
        only_latest = push(
            "Exception_Returning", [event("Exception_Returning", "2026-11-02T10:00:00Z")], nested=False
        )
        only_latest["data"]["track_info"]["tracking"]["providers"] = []

        (returning,) = parse(only_latest).events

        assert (returning.status, returning.reason) == (TrackingStatus.EXCEPTION, ExceptionReason.RETURNING)

    def test_time_iso_is_converted_to_utc_when_time_utc_is_absent(self) -> None:
        scan = event("InTransit_Other", "2026-11-02T10:00:00Z")
        scan.update(time_utc=None, time_iso="2026-11-01T22:10:00-05:00")

        (parsed,) = parse(push("InTransit_Other", [scan])).events

        assert parsed.occurred_at == datetime(2026, 11, 2, 3, 10, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("sub_status", "status", "reason"),
        [
            ("InTransit_CustomsProcessing", TrackingStatus.CUSTOMS, None),
            ("InTransit_CustomsRequiringInformation", TrackingStatus.CUSTOMS, ExceptionReason.CUSTOMS),
            ("InTransit_CustomsReleased", TrackingStatus.IN_TRANSIT, None),
            ("Exception_Returning", TrackingStatus.EXCEPTION, ExceptionReason.RETURNING),
            (
                "DeliveryFailure_InvalidAddress",
                TrackingStatus.DELIVERY_FAILED,
                ExceptionReason.ADDRESS_PROBLEM,
            ),
            ("InfoReceived", TrackingStatus.INFO_RECEIVED, None),
            ("Expired_Other", TrackingStatus.EXPIRED, None),
            ("Exception_Lost", TrackingStatus.EXCEPTION, ExceptionReason.LOST),
            ("InTransit_SomethingNew", TrackingStatus.IN_TRANSIT, None),
            ("Teleported_Other", TrackingStatus.EXCEPTION, ExceptionReason.OTHER),
        ],
    )
    def test_sub_status_decides(
        self, sub_status: str, status: TrackingStatus, reason: ExceptionReason | None
    ) -> None:
        (parsed,) = parse(push(sub_status, [event(sub_status, "2026-11-02T10:00:00Z")])).events

        assert (parsed.status, parsed.reason, parsed.source_code) == (status, reason, sub_status)

    def test_a_number_17track_does_not_know_gives_one_not_found_at_receipt(self) -> None:
        (parsed,) = parse(push("NotFound_InvalidCode", [])).events

        assert (parsed.status, parsed.occurred_at) == (TrackingStatus.NOT_FOUND, RECEIVED)
        assert parsed.source_code == "NotFound_InvalidCode"

    def test_tracking_stopped_names_the_number(self) -> None:
        stopped = parse(
            {"event": "TRACKING_STOPPED", "data": {"number": "YT2412345678901234", "carrier": 190008}}
        )

        assert stopped.events == ()
        assert stopped.stopped_numbers == ("YT2412345678901234",)

    def test_the_poller_normalises_a_gettrackinfo_item_the_same_way(self) -> None:
        item = push("Delivered_Other", [event("Delivered_Other", "2026-11-02T15:00:00Z")])["data"]

        (parsed,) = seventeen_track.events_from_track_data(item)

        assert parsed.status is TrackingStatus.DELIVERED

    def test_malformed_json_is_a_payload_error(self) -> None:
        with pytest.raises(PayloadError, match="not JSON"):
            seventeen_track.parse(delivery(b"{not json"))

    def test_a_missing_number_is_a_payload_error_naming_the_field_not_the_values(self) -> None:
        document = push("Delivered_Other", [])
        del document["data"]["number"]

        with pytest.raises(PayloadError) as refused:
            parse(document)

        assert refused.value.details == [
            {"loc": ["data", "number"], "msg": "Field required", "type": "missing"}
        ]
        assert not any(secret in str(refused.value) for secret in every_secret_value())


def test_the_sub_status_table_covers_every_documented_code() -> None:
    documented = {
        "NotFound_InvalidCode",
        "InTransit_PickedUp",
        "InTransit_CustomsProcessing",
        "InTransit_CustomsReleased",
        "InTransit_CustomsRequiringInformation",
        "DeliveryFailure_InvalidAddress",
        "Exception_Returning",
        "Exception_Returned",
        "Exception_Lost",
        "Exception_Damage",
    }
    main = {
        "NotFound",
        "InfoReceived",
        "InTransit",
        "Expired",
        "AvailableForPickup",
        "OutForDelivery",
        "DeliveryFailure",
        "Delivered",
        "Exception",
    }

    assert documented <= set(seventeen_track.SUB_STATUSES)
    assert set(seventeen_track.MAIN_STATUSES) == main
