"""DynamoDB stream sources: filter patterns, record shape, where to resume after a failure."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from trackguard_dev.local.model import StreamSourceSpec
from trackguard_dev.local.streams import first_failed_index, matches, stream_record
from trackguard_dev.local.workers import Invocation

SPEC = StreamSourceSpec("Fn", "Table", "t", "arn:stream", 100, "TRIM_HORIZON", True, (), 2, None)
DELIVERIES = {"eventName": ["INSERT"], "dynamodb": {"Keys": {"pk": {"S": [{"prefix": "DELIVERY#"}]}}}}


def record(pk: str, event_name: str = "INSERT", sequence: str = "1") -> dict[str, Any]:
    return {"eventName": event_name, "dynamodb": {"Keys": {"pk": {"S": pk}}, "SequenceNumber": sequence}}


def test_prefix_and_value_patterns() -> None:
    assert matches(DELIVERIES, record("DELIVERY#1"))
    assert not matches(DELIVERIES, record("ORDER#1"))
    assert not matches(DELIVERIES, record("DELIVERY#1", event_name="MODIFY"))


def test_exists_and_anything_but_patterns() -> None:
    assert matches({"eventName": [{"anything-but": ["REMOVE"]}]}, record("x"))
    assert not matches({"eventName": [{"anything-but": "INSERT"}]}, record("x"))
    assert matches({"dynamodb": {"NewImage": [{"exists": False}]}}, record("x"))
    assert not matches({"dynamodb": {"Keys": [{"exists": False}]}}, record("x"))


def test_stream_record_is_json_ready() -> None:
    raw = {
        "eventID": "e1",
        "eventName": "INSERT",
        "dynamodb": {
            "ApproximateCreationDateTime": datetime(2026, 1, 1, tzinfo=UTC),
            "NewImage": {"blob": {"B": b"\x00\x01"}},
            "SequenceNumber": "7",
        },
    }

    converted = stream_record(SPEC, raw)

    assert converted["eventSource"] == "aws:dynamodb"
    assert converted["eventSourceARN"] == "arn:stream"
    assert converted["awsRegion"] == "us-east-1"
    assert converted["dynamodb"]["ApproximateCreationDateTime"] == 1767225600.0
    assert converted["dynamodb"]["NewImage"]["blob"]["B"] == base64.b64encode(b"\x00\x01").decode()


def test_resume_from_the_first_reported_failure() -> None:
    records = [record("a", sequence="1"), record("b", sequence="2"), record("c", sequence="3")]
    partial = Invocation(True, {"batchItemFailures": [{"itemIdentifier": "3"}, {"itemIdentifier": "2"}]})

    assert first_failed_index(SPEC, partial, records) == 1
    assert first_failed_index(SPEC, Invocation(True, {"batchItemFailures": []}), records) is None
    assert first_failed_index(SPEC, Invocation(False, {}), records) == 0
    unknown = Invocation(True, {"batchItemFailures": [{"itemIdentifier": "99"}]})
    assert first_failed_index(SPEC, unknown, records) == 0
