from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
import pytest
from standardwebhooks import Webhook

from tests.support.secrets import dev_secret
from tests.unit.sources.carriers.conftest import DEV_SECRETS, ROOT, body_of, delivery, every_secret_value
from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.errors import PayloadError, SignatureError
from trackguard.sources.base import RawDelivery
from trackguard.sources.carriers import generic

SCHEMA = json.loads((ROOT / "docs" / "generic-event.schema.json").read_text())
DOC = (ROOT / "docs" / "generic-events.md").read_text()
SECRET = DEV_SECRETS["generic"]["secret"]


def example() -> dict[str, Any]:
    block = re.search(r"## Example\s+```json\n(.*?)```", DOC, re.DOTALL)
    assert block is not None
    document: dict[str, Any] = json.loads(block.group(1))
    return document


def signed(
    body: bytes, at: datetime | None = None, secret: str = SECRET, msg_id: str = "msg_1"
) -> RawDelivery:
    moment = at or datetime.now(UTC)
    signature = Webhook(secret).sign(msg_id, moment, body.decode())
    return delivery(
        body, webhook_id=msg_id, webhook_timestamp=str(int(moment.timestamp())), webhook_signature=signature
    )


class TestVerify:
    def test_accepts_a_fresh_signature(self) -> None:
        generic.verify(signed(body_of(example())), dev_secret("generic"))

    def test_refuses_a_timestamp_six_minutes_old(self) -> None:
        with pytest.raises(SignatureError, match="too old"):
            generic.verify(
                signed(body_of(example()), datetime.now(UTC) - timedelta(minutes=6)), dev_secret("generic")
            )

    def test_refuses_a_timestamp_six_minutes_ahead(self) -> None:
        with pytest.raises(SignatureError, match="too new"):
            generic.verify(
                signed(body_of(example()), datetime.now(UTC) + timedelta(minutes=6)), dev_secret("generic")
            )

    def test_refuses_another_secret(self) -> None:
        with pytest.raises(SignatureError, match="No matching signature"):
            generic.verify(
                signed(body_of(example()), secret="whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA=="),
                dev_secret("generic"),
            )

    def test_refuses_a_tampered_body(self) -> None:
        good = signed(body_of(example()))
        with pytest.raises(SignatureError):
            generic.verify(
                RawDelivery(headers=good.headers, body=good.body.replace(b"J01", b"J02")),
                dev_secret("generic"),
            )

    @pytest.mark.parametrize("signature", ["garbage", "v1,***", "v1"])
    def test_refuses_a_malformed_signature(self, signature: str) -> None:
        good = signed(body_of(example()))
        headers = dict(good.headers) | {"webhook-signature": signature}
        with pytest.raises(SignatureError):
            generic.verify(RawDelivery(headers=headers, body=good.body), dev_secret("generic"))

    @pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
    def test_refuses_a_missing_header(self, missing: str) -> None:
        good = signed(body_of(example()))
        headers = {name: value for name, value in good.headers.items() if name != missing}
        with pytest.raises(SignatureError, match=missing):
            generic.verify(RawDelivery(headers=headers, body=good.body), dev_secret("generic"))


class TestParse:
    def test_the_documented_example_becomes_canonical_events(self) -> None:
        parsed = generic.parse(signed(body_of(example()), msg_id="msg_42"))
        (event,) = parsed.events

        assert parsed.delivery_id == "msg_42"
        assert (event.status, event.source_code, event.source_event_id) == (
            TrackingStatus.DELIVERED,
            "J01",
            "evt_000123",
        )
        assert event.carrier == "postnl"
        assert event.occurred_at == datetime(2026, 11, 2, 8, 5, tzinfo=UTC)
        assert (event.destination_postal_code, event.destination_country) == ("3511 AB", "NL")

    def test_reason_is_kept(self) -> None:
        document = example()
        document["events"][0] |= {"status": "EXCEPTION", "reason": "lost", "code": None}

        (event,) = generic.parse(delivery(body_of(document))).events

        assert (event.status, event.reason, event.source_code) == (
            TrackingStatus.EXCEPTION,
            ExceptionReason.LOST,
            "EXCEPTION",
        )

    @pytest.mark.parametrize(
        ("change", "loc"),
        [
            ({"occurred_at": "2026-11-02T09:05:00"}, ["events", 0, "occurred_at"]),
            ({"status": "LOST_IN_SPACE"}, ["events", 0, "status"]),
            ({"tracking_number": "AB"}, ["events", 0, "tracking_number"]),
        ],
    )
    def test_schema_errors_name_the_field(self, change: dict[str, Any], loc: list[Any]) -> None:
        document = example()
        document["events"][0] |= change

        with pytest.raises(PayloadError) as refused:
            generic.parse(delivery(body_of(document)))

        assert refused.value.details[0]["loc"] == loc
        assert "input" not in refused.value.details[0]
        assert not any(secret in str(refused.value) for secret in every_secret_value())

    def test_more_than_100_events_are_refused(self) -> None:
        document = {"events": example()["events"] * 101}

        with pytest.raises(PayloadError):
            generic.parse(delivery(body_of(document)))

    def test_malformed_json_is_a_payload_error(self) -> None:
        with pytest.raises(PayloadError, match="not JSON"):
            generic.parse(delivery(b'{"events": ['))


class TestSchema:
    def test_the_schema_accepts_the_documented_example(self) -> None:
        jsonschema.Draft202012Validator.check_schema(SCHEMA)
        jsonschema.Draft202012Validator(SCHEMA).validate(example())

    def test_the_schema_refuses_what_the_model_refuses(self) -> None:
        document = example()
        del document["events"][0]["status"]

        with pytest.raises(jsonschema.ValidationError):
            jsonschema.Draft202012Validator(SCHEMA).validate(document)

    def test_model_and_schema_agree_on_required_fields(self) -> None:
        model_schema = generic.GenericEvent.model_json_schema()

        assert set(SCHEMA["$defs"]["event"]["required"]) == set(model_schema["required"])
        assert set(SCHEMA["$defs"]["event"]["properties"]) == set(model_schema["properties"])
        assert SCHEMA["properties"]["events"]["maxItems"] == generic.MAX_EVENTS

    def test_the_schema_status_vocabulary_is_trackguards(self) -> None:
        event = SCHEMA["$defs"]["event"]["properties"]

        assert event["status"]["enum"] == [status.value for status in TrackingStatus]
        assert set(event["reason"]["enum"]) - {None} == {reason.value for reason in ExceptionReason}
