"""Ship24 and AfterShip: signatures, status mapping, countries, delivery ids."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.support.secrets import dev_secret
from tests.unit.sources.carriers.conftest import b64_hmac, body_of, delivery
from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.errors import PayloadError, SignatureError
from trackguard.sources.carriers import aftership, ship24

SHIP24_SECRET = "dev-ship24-webhook-secret"
AFTERSHIP_SECRET = "dev-aftership-webhook-secret"


def ship24_body(milestone: str, code: str | None = None, **event: Any) -> dict[str, Any]:
    scan = {
        "eventId": "ev-1",
        "occurrenceDatetime": "2026-11-02T07:45:00",
        "utcOffset": "-06:00",
        "status": "Out For Delivery Today",
        "statusCode": code,
        "statusMilestone": milestone,
        "location": "Austin, TX",
        "courierCode": "ups",
    } | event
    return {
        "trackings": [
            {
                "metadata": {"generatedAt": "2026-11-02T08:00:00Z", "messageId": "msg-1"},
                "tracker": {
                    "trackerId": "t-1",
                    "trackingNumber": "1Z999AA10123456784",
                    "courierCode": ["ups"],
                },
                "shipment": {
                    "statusMilestone": milestone,
                    "originCountryCode": "cn",
                    "destinationCountryCode": "US",
                    "delivery": {"estimatedDeliveryDate": "2026-11-03T00:00:00Z"},
                },
                "events": [scan],
            }
        ]
    }


def aftership_body(tag: str, subtag: str | None = None, **checkpoint: Any) -> dict[str, Any]:
    point = {
        "checkpoint_time": "2026-11-02T14:20:00-05:00",
        "tag": tag,
        "subtag": subtag,
        "message": "Delivery attempted",
        "city": "Memphis",
        "state": "TN",
        "zip": "38118",
        "country_iso3": "USA",
    } | checkpoint
    return {
        "ts": 1793609990,
        "event": "tracking_update",
        "event_id": "evt-1",
        "msg": {
            "tracking_number": "92612903029511573030094531",
            "slug": "fedex",
            "tag": tag,
            "destination_country_iso3": "GBR",
            "destination_postal_code": "SW1A 1AA",
            "expected_delivery": "2026-11-03T12:00:00",
            "checkpoints": [point],
        },
    }


class TestShip24:
    def test_accepts_the_bearer_secret(self) -> None:
        ship24.verify(delivery(b"{}", authorization=f"Bearer {SHIP24_SECRET}"), dev_secret("ship24"))

    @pytest.mark.parametrize(
        "header", ["Bearer wrong-secret", SHIP24_SECRET, f"Basic {SHIP24_SECRET}", f"Bearer {SHIP24_SECRET}x"]
    )
    def test_refuses_anything_else(self, header: str) -> None:
        with pytest.raises(SignatureError):
            ship24.verify(delivery(b"{}", authorization=header), dev_secret("ship24"))

    def test_refuses_a_missing_header(self) -> None:
        with pytest.raises(SignatureError, match="missing"):
            ship24.verify(delivery(b"{}"), dev_secret("ship24"))

    def test_an_event_keeps_its_ids_codes_countries_and_utc_time(self) -> None:
        parsed = ship24.parse(delivery(body_of(ship24_body("out_for_delivery", "delivery_out_for_delivery"))))
        (event,) = parsed.events

        assert parsed.delivery_id == "msg-1"
        assert event.status is TrackingStatus.OUT_FOR_DELIVERY
        assert event.occurred_at == datetime(2026, 11, 2, 13, 45, tzinfo=UTC)
        assert (event.source_code, event.source_event_id, event.carrier) == (
            "delivery_out_for_delivery",
            "ev-1",
            "ups",
        )
        assert (event.origin_country, event.destination_country) == ("CN", "US")
        assert event.estimated_delivery == date(2026, 11, 3)

    @pytest.mark.parametrize(
        ("milestone", "status"),
        [
            ("delivered", TrackingStatus.DELIVERED),
            ("failed_attempt", TrackingStatus.DELIVERY_FAILED),
            ("info_received", TrackingStatus.INFO_RECEIVED),
            ("exception", TrackingStatus.EXCEPTION),
            ("pending", TrackingStatus.PENDING),
            ("teleported", TrackingStatus.EXCEPTION),
        ],
    )
    def test_the_milestone_decides(self, milestone: str, status: TrackingStatus) -> None:
        (event,) = ship24.parse(delivery(body_of(ship24_body(milestone)))).events

        assert event.status is status
        assert event.source_code == milestone

    def test_an_event_without_time_is_a_payload_error(self) -> None:
        document = ship24_body("in_transit")
        del document["trackings"][0]["events"][0]["occurrenceDatetime"]

        with pytest.raises(PayloadError) as refused:
            ship24.parse(delivery(body_of(document)))

        assert refused.value.details[0]["loc"] == ["trackings", 0, "events", 0, "occurrenceDatetime"]

    def test_the_milestone_table_covers_every_documented_milestone(self) -> None:
        documented = "pending info_received in_transit out_for_delivery failed_attempt available_for_pickup"
        assert set(ship24.MILESTONES) == {*documented.split(), "delivered", "exception"}


class TestAfterShip:
    def test_accepts_base64_hmac_of_the_body(self) -> None:
        body = body_of(aftership_body("Delivered"))
        aftership.verify(
            delivery(body, aftership_hmac_sha256=b64_hmac(AFTERSHIP_SECRET, body)), dev_secret("aftership")
        )

    def test_refuses_a_wrong_key_a_tampered_body_and_a_missing_header(self) -> None:
        body = body_of(aftership_body("Delivered"))
        attempts = [
            delivery(body, aftership_hmac_sha256=b64_hmac("another-secret", body)),
            delivery(body + b" ", aftership_hmac_sha256=b64_hmac(AFTERSHIP_SECRET, body)),
            delivery(body),
        ]
        for attempt in attempts:
            with pytest.raises(SignatureError):
                aftership.verify(attempt, dev_secret("aftership"))

    def test_a_failed_attempt_with_countries_as_alpha_2(self) -> None:
        parsed = aftership.parse(delivery(body_of(aftership_body("AttemptFail", "AttemptFail_001"))))
        (event,) = parsed.events

        assert parsed.delivery_id == "evt-1"
        assert event.status is TrackingStatus.DELIVERY_FAILED
        assert event.carrier == "fedex"
        assert event.occurred_at == datetime(2026, 11, 2, 19, 20, tzinfo=UTC)
        assert event.location is not None
        assert (event.location.country, event.location.postal_code) == (
            "US",
            "38118",
        )
        assert (event.destination_country, event.destination_postal_code) == ("GB", "SW1A 1AA")
        assert event.estimated_delivery == date(2026, 11, 3)
        assert event.source_code == "AttemptFail_001"

    @pytest.mark.parametrize(
        ("tag", "subtag", "status", "reason"),
        [
            ("Exception", "Exception_004", TrackingStatus.CUSTOMS, None),
            ("Exception", "Exception_011", TrackingStatus.EXCEPTION, ExceptionReason.RETURNED),
            ("Exception", "Exception_003", TrackingStatus.EXCEPTION, ExceptionReason.REFUSED),
            ("Exception", "Exception_099", TrackingStatus.EXCEPTION, ExceptionReason.OTHER),
            ("InfoReceived", "InfoReceived_001", TrackingStatus.INFO_RECEIVED, None),
            ("Expired", None, TrackingStatus.EXPIRED, None),
            ("Vanished", None, TrackingStatus.EXCEPTION, ExceptionReason.OTHER),
        ],
    )
    def test_subtag_then_tag_decide(
        self, tag: str, subtag: str | None, status: TrackingStatus, reason: ExceptionReason | None
    ) -> None:
        (event,) = aftership.parse(delivery(body_of(aftership_body(tag, subtag)))).events

        assert (event.status, event.reason) == (status, reason)

    def test_other_webhook_events_are_accepted_and_ignored(self) -> None:
        parsed = aftership.parse(delivery(body_of({"event": "tracking_deleted", "event_id": "evt-2"})))

        assert (parsed.delivery_id, parsed.events) == ("evt-2", ())

    def test_a_tracking_update_without_its_tracking_is_a_payload_error(self) -> None:
        with pytest.raises(PayloadError) as refused:
            aftership.parse(delivery(body_of({"event": "tracking_update", "event_id": "evt-3"})))

        assert refused.value.details == [{"loc": ["msg"], "msg": "Field required", "type": "missing"}]

    def test_a_checkpoint_without_tag_is_a_payload_error(self) -> None:
        document = aftership_body("Delivered")
        del document["msg"]["checkpoints"][0]["tag"]

        with pytest.raises(PayloadError) as refused:
            aftership.parse(delivery(body_of(document)))

        assert refused.value.details[0]["loc"] == ["msg", "checkpoints", 0, "tag"]

    def test_the_tag_table_covers_every_documented_tag(self) -> None:
        documented = "Pending InfoReceived InTransit OutForDelivery AttemptFail Delivered AvailableForPickup"
        assert set(aftership.TAGS) == {*documented.split(), "Exception", "Expired"}

    @pytest.mark.parametrize(
        ("iso3", "iso2"), [("USA", "US"), ("gbr", "GB"), ("CHN", "CN"), ("DEU", "DE"), ("XXX", None)]
    )
    def test_alpha_3_countries_become_alpha_2(self, iso3: str, iso2: str | None) -> None:
        assert aftership.iso2(iso3) == iso2
