"""The meter behind the cost benchmark: what one invocation asked of AWS, as its answers reported it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

import boto3
import botocore.session
import pytest
from botocore.stub import Stubber

from trackguard_dev.local.meter import Meter

ITEM = {"pk": {"S": "TRK#1Z"}, "sk": {"S": "EVT#1"}}


@pytest.fixture
def meter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Meter:
    """A meter whose install lasts this test only: botocore and the standard streams are put back."""
    monkeypatch.setattr(botocore.session.Session, "create_client", botocore.session.Session.create_client)
    monkeypatch.setattr(sys, "stdout", sys.stdout)
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    return Meter(tmp_path, "carrier_webhook")


def _client(service: Literal["dynamodb", "events"]) -> Any:
    return boto3.client(
        service, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def _lines(folder: Path) -> list[dict[str, Any]]:
    (path,) = folder.glob("carrier_webhook-*.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_an_invocation_records_its_requests_capacity_events_and_log_bytes(
    meter: Meter, tmp_path: Path
) -> None:
    meter.install()  # here, not in the fixture: pytest swaps the standard streams between test phases
    dynamodb, events = _client("dynamodb"), _client("events")

    def handler(_event: Any, _context: Any) -> str:
        with Stubber(dynamodb) as dynamo_stub, Stubber(events) as events_stub:
            dynamo_stub.add_response(
                "put_item",
                {"ConsumedCapacity": {"TableName": "t", "CapacityUnits": 2.0}},
                {"TableName": "t", "Item": ITEM, "ReturnConsumedCapacity": "INDEXES"},
            )
            dynamo_stub.add_response(
                "query", {"Items": [], "ConsumedCapacity": {"TableName": "t", "CapacityUnits": 0.5}}
            )
            events_stub.add_response("put_events", {"FailedEntryCount": 0, "Entries": [{}, {}]})
            dynamodb.put_item(TableName="t", Item=ITEM)
            dynamodb.query(TableName="t", KeyConditionExpression="pk = :pk")
            events.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}"}] * 2)
        print("0123456789")
        return "done"

    answer = meter.wrap(handler)({"Records": [{"eventSource": "aws:sqs"}]}, None)

    (line,) = _lines(tmp_path)
    assert answer == "done"
    assert line["calls"] == {
        "dynamodb:PutItem": 1,
        "dynamodb:Query": 1,
        "events:PutEvents": 1,
        "events:PutEvents.entries": 2,
    }
    assert (line["read_units"], line["write_units"]) == (0.5, 2.0)
    assert line["trigger"] == "aws:sqs"
    assert line["cold"] is True
    assert line["log_bytes"] == len("0123456789\n")


def test_each_invocation_counts_only_its_own_requests_and_a_failed_write_costs_a_unit(
    meter: Meter, tmp_path: Path
) -> None:
    meter.install()
    dynamodb = _client("dynamodb")

    def handler(_event: Any, _context: Any) -> None:
        with Stubber(dynamodb) as stub:
            stub.add_client_error("put_item", "ConditionalCheckFailedException")
            with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
                dynamodb.put_item(TableName="t", Item=ITEM)

    wrapped = meter.wrap(handler)
    wrapped({}, None)
    wrapped({}, None)

    first, second = _lines(tmp_path)
    assert first["calls"] == second["calls"] == {"dynamodb:PutItem": 1}
    assert first["write_units"] == second["write_units"] == 1.0
    assert (first["cold"], second["cold"], second["trigger"]) == (True, False, None)
