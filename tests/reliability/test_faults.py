"""Faults: the database going away in the middle of a stream of deliveries, and a worker dying mid-batch.

Contract §2: a 200 means durably stored, and a 5xx is answered only when nothing could be stored. After
the fault, every stored delivery is processed and the final state is the one a fault-free run reaches.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from tests.reliability.conftest import wire
from tests.reliability.harness import post, table_snapshot
from tests.reliability.senders import EVENT_TIME, Delivery
from tests.reliability.workload import (
    CLOCK,
    EVENTS_PER_ORDER,
    NoTikTokShop,
    build_processor,
    duplicate_open_flags,
    final_state,
    fresh,
    workload,
)
from tests.support.fakes import RecordingPublisher
from tests.support.lambda_events import FakeLambdaContext, load_function
from tests.support.shops import shop_sync_for
from tests.support.streams import StreamReader
from tests.support.tables import create_table
from trackguard.rules.thresholds import Thresholds
from trackguard.services.judging import Judgement, OrderJudge
from trackguard.services.messages import TrackingUpdateMessage
from trackguard.services.processing import Processor, stream_message, stream_messages
from trackguard.services.shipments import ShipmentUpdater
from trackguard.storage.deliveries import DeliveryStatus
from trackguard.storage.dynamo import Table
from trackguard.storage.store import Store
from trackguard_dev.local.dynamodb_local import DynamoDBLocal, free_port

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

pytestmark = pytest.mark.integration

ORDERS = 8
STOP_AFTER = 80
RESTART_AFTER = 120
STREAM_BATCH_SIZE = 100
"""The template's BatchSize for the processor's stream event source."""
MAX_DRAIN_ROUNDS = 50
Key = tuple[str, str]


@dataclass
class RestartableDynamoDB:
    """DynamoDB Local on a fixed port with its data on disk, so a restart keeps the table and its stream."""

    port: int
    db_path: Path
    instance: DynamoDBLocal | None = None

    def start(self) -> None:
        self.instance = DynamoDBLocal.start(port=self.port, db_path=self.db_path)

    def stop(self) -> None:
        if self.instance is not None:
            self.instance.stop()
            self.instance = None

    def client(self) -> Any:
        return boto3.client(
            "dynamodb",
            endpoint_url=f"http://127.0.0.1:{self.port}",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


@pytest.fixture
def restartable_dynamodb(tmp_path: Path) -> Iterator[RestartableDynamoDB]:
    database = RestartableDynamoDB(free_port(), tmp_path / "dynamodb")
    database.start()
    yield database
    database.stop()


def new_table(client: Any) -> Table:
    table = Table(f"trackguard-fault-{uuid.uuid4().hex[:8]}", client)
    create_table(client, table.name)
    return table


def key_of(record: dict[str, Any]) -> Key:
    keys = record["dynamodb"]["Keys"]
    return keys["pk"]["S"], keys["sk"]["S"]


def stored_keys(table: Table) -> set[Key]:
    return {(item["pk"]["S"], item["sk"]["S"]) for item in table_snapshot(table)}


def process_stream(reader: StreamReader, processor: Processor) -> int:
    """Hand every new stream record's work to the processor, in stream order, until none is left."""
    handled = 0
    for _ in range(MAX_DRAIN_ROUNDS):
        messages = stream_messages(reader.new_records())
        if not messages:
            return handled
        for message in messages:
            processor.handle(message)
        handled += len(messages)
    raise AssertionError(f"the stream still had work after {MAX_DRAIN_ROUNDS} rounds")


def processed_state(table: Table, reader: StreamReader) -> dict[str, Any]:
    store = Store.for_table(table, due_shards=4)
    process_stream(reader, build_processor(store))
    return final_state(store, ORDERS)


def keys_written_by_each(deliveries: Sequence[Delivery], table: Table) -> list[set[Key]]:
    """The items each delivery inserts, observed on a fault-free table's stream."""
    reader = StreamReader(table.client, table.name)
    written = []
    for delivery in deliveries:
        assert post(fresh(delivery), EVENT_TIME).status == 200
        written.append({key_of(record) for record in reader.new_records() if record["eventName"] == "INSERT"})
    return written


def reference_state(deliveries: Sequence[Delivery], client: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    table = new_table(client)
    wire(table, monkeypatch)
    assert {post(fresh(delivery), EVENT_TIME).status for delivery in deliveries} <= {200}
    return processed_state(table, StreamReader(table.client, table.name))


def send_through_outage(deliveries: Sequence[Delivery], database: RestartableDynamoDB) -> list[int]:
    """Send in order; the database stops before delivery STOP_AFTER and is back before RESTART_AFTER."""
    statuses = []
    for index, delivery in enumerate(deliveries):
        if index == STOP_AFTER:
            database.stop()
        if index == RESTART_AFTER:
            database.start()
        statuses.append(post(fresh(delivery), EVENT_TIME).status)
    return statuses


def answered_as_required(statuses: Sequence[int]) -> list[bool]:
    """200 while the database is up; a 5xx, never a 200, while it is down."""
    return [
        (500 <= status < 600) if STOP_AFTER <= index < RESTART_AFTER else status == 200
        for index, status in enumerate(statuses)
    ]


@pytest.mark.reliability_slow
def test_deliveries_survive_dynamodb_stopping_and_restarting_mid_stream(
    restartable_dynamodb: RestartableDynamoDB,
    dynamodb_client: DynamoDBClient,
    aws_endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    tally: dict[str, int],
) -> None:
    deliveries = workload(ORDERS)
    assert len(deliveries) == ORDERS * EVENTS_PER_ORDER
    full_reference = new_table(dynamodb_client)
    wire(full_reference, monkeypatch)
    written = keys_written_by_each(deliveries, full_reference)
    assert all(written), "every delivery inserts at least one item"
    assert sum(map(len, written)) == len(set().union(*written)), "no item is inserted by two deliveries"
    full_state = processed_state(full_reference, StreamReader(dynamodb_client, full_reference.name))

    table = new_table(restartable_dynamodb.client())
    wire(table, monkeypatch)
    statuses = send_through_outage(deliveries, restartable_dynamodb)
    correct = answered_as_required(statuses)
    accepted = [index for index, status in enumerate(statuses) if status == 200]
    refused = [index for index, status in enumerate(statuses) if status != 200]
    keys = stored_keys(table)
    missing = [index for index in accepted if not written[index] <= keys]
    stored_anyway = [index for index in refused if written[index] & keys]
    after_restart = processed_state(table, StreamReader(table.client, table.name))
    accepted_reference = reference_state([deliveries[i] for i in accepted], dynamodb_client, monkeypatch)
    lost_orders = [order for order, state in accepted_reference.items() if after_restart[order] != state]

    tally["cases_tried"] += len(deliveries)
    tally["cases_passed"] += sum(correct) - len(missing) - len(stored_anyway)
    tally["data_lost"] += len(missing) + len(lost_orders)
    assert all(correct), [(index, status) for index, status in enumerate(statuses) if not correct[index]]
    assert (missing, stored_anyway, lost_orders) == ([], [], [])
    assert duplicate_open_flags(after_restart) == []

    wire(table, monkeypatch)
    retried = [post(fresh(deliveries[index]), EVENT_TIME).status for index in refused]
    after_retries = processed_state(table, StreamReader(table.client, table.name))
    tally["cases_tried"] += len(retried)
    tally["cases_passed"] += retried.count(200)
    tally["data_lost"] += sum(after_retries[order] != state for order, state in full_state.items())
    assert retried == [200] * len(refused)
    assert after_retries == full_state


class WorkerKilledError(RuntimeError):
    """The worker died while handling this record."""


class DyingUpdater(ShipmentUpdater):
    """Dies whenever it refreshes one of the doomed numbers."""

    def __init__(self, store: Store, publisher: RecordingPublisher, doomed: set[str]) -> None:
        super().__init__(store, publisher)
        self._doomed = doomed

    def refresh(self, numbers: Iterable[str], now: datetime) -> set[tuple[str, str]]:
        numbers = set(numbers)
        if numbers & self._doomed:
            raise WorkerKilledError(f"killed refreshing {sorted(numbers & self._doomed)}")
        return super().refresh(numbers, now)


class DyingJudge(OrderJudge):
    """Dies whenever it judges one of the doomed orders."""

    def __init__(self, store: Store, publisher: RecordingPublisher, doomed: set[str]) -> None:
        super().__init__(store, publisher, Thresholds())
        self._doomed = doomed

    def judge(self, seller_id: str, order_id: str, as_of: datetime, catch_up: bool = False) -> Judgement:
        if order_id in self._doomed:
            raise WorkerKilledError(f"killed judging {order_id}")
        return super().judge(seller_id, order_id, as_of, catch_up)


def dying_processor(
    store: Store, crashing: str, doomed_numbers: set[str], doomed_orders: set[str]
) -> Processor:
    """The workload's processor, except that its updater (for the doomed numbers) or judge (for the
    doomed orders) dies; the shop sync keeps a healthy updater, so only the processor's own calls die."""
    publisher = RecordingPublisher()
    updater = ShipmentUpdater(store, publisher)
    judge = OrderJudge(store, publisher, Thresholds())
    return Processor(
        store=store,
        build_shop_sync=lambda: shop_sync_for(store, updater, NoTikTokShop()),
        updater=DyingUpdater(store, publisher, doomed_numbers) if crashing == "updater" else updater,
        judge=DyingJudge(store, publisher, doomed_orders) if crashing == "judge" else judge,
        clock=lambda: CLOCK,
    )


def shopify_order_id(delivery: Delivery) -> str:
    """An orders/* body is the order, a fulfillments/* body names it."""
    document = json.loads(delivery.body)
    return str(document.get("order_id", document["id"]))


def tracking_numbers_of(deliveries: Sequence[Delivery], order_ids: set[str]) -> set[str]:
    """The numbers the orders' Shopify fulfillments declare."""
    return {
        document["tracking_number"]
        for delivery in deliveries
        if delivery.headers.get("x-shopify-topic") == "fulfillments/create"
        and shopify_order_id(delivery) in order_ids
        for document in [json.loads(delivery.body)]
    }


def lambda_stream_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A stream record as Lambda hands it over (creation time in epoch seconds)."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


@pytest.fixture
def processor_function(aws_endpoint: str) -> ModuleType:
    return load_function("processor")


def invoke(function: ModuleType, records: Sequence[dict[str, Any]]) -> list[str]:
    """One invocation of the processor Lambda; the sequence numbers it reports as failed."""
    answer = function.lambda_handler({"Records": list(records)}, FakeLambdaContext())
    return [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]


def recording_failures(function: ModuleType, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Sequence numbers of the records whose handling raised, as the handler saw them."""
    failed: list[str] = []
    handle: Callable[[Any], None] = function.handle_stored

    def recorded(record: Any) -> None:
        try:
            handle(record)
        except Exception:
            failed.append(record.dynamodb.sequence_number)
            raise

    monkeypatch.setattr(function, "handle_stored", recorded)
    return failed


def sequence_number(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def expected_failures(
    records: Sequence[dict[str, Any]], crashing: str, numbers: set[str], shop_deliveries: set[str]
) -> list[str]:
    """Which records die: every doomed-number record (updater); for the judge, every shop delivery of a
    doomed order and, per batch, the first event record of its number (the others skip the refresh)."""
    failures = []
    for start in range(0, len(records), STREAM_BATCH_SIZE):
        refreshed: set[str] = set()
        for record in records[start : start + STREAM_BATCH_SIZE]:
            message = stream_message(record)
            if isinstance(message, TrackingUpdateMessage):
                number_doomed = bool(set(message.numbers) & numbers)
                dies = number_doomed and (crashing == "updater" or not set(message.numbers) <= refreshed)
                if crashing == "judge" and number_doomed:
                    refreshed |= set(message.numbers)
            else:
                dies = crashing == "judge" and message is not None and message.delivery_id in shop_deliveries
            if dies:
                failures.append(sequence_number(record))
    return failures


@pytest.mark.parametrize(
    ("crashing", "only_shop_deliveries"),
    [("updater", False), ("judge", False), ("judge", True)],
    ids=["updater-dies", "judge-dies", "judge-dies-on-shop-deliveries-only"],
)
def test_a_worker_killed_mid_batch_reports_exactly_its_failed_records_and_their_retry_completes_them(
    crashing: str,
    only_shop_deliveries: bool,
    table: Table,
    ingestion: Any,
    processor_function: ModuleType,
    dynamodb_client: DynamoDBClient,
    monkeypatch: pytest.MonkeyPatch,
    tally: dict[str, int],
) -> None:
    deliveries = [
        delivery for delivery in workload(ORDERS) if not only_shop_deliveries or delivery.route == "shopify"
    ]
    assert {post(fresh(delivery), EVENT_TIME).status for delivery in deliveries} == {200}
    stream_arn = dynamodb_client.describe_table(TableName=table.name)["Table"]["LatestStreamArn"]
    records = [
        lambda_stream_record(record, stream_arn)
        for record in ingestion.stream.new_records()
        if stream_message(record) is not None
    ]
    doomed_orders = {"5000002", "5000005"}
    doomed_numbers = tracking_numbers_of(deliveries, doomed_orders)
    doomed_deliveries = {
        delivery.headers["x-shopify-event-id"]
        for delivery in deliveries
        if delivery.route == "shopify" and shopify_order_id(delivery) in doomed_orders
    }
    store = Store.for_table(table, due_shards=4)
    dying = dying_processor(store, crashing, doomed_numbers, doomed_orders)
    monkeypatch.setattr(processor_function, "processor", lambda: dying)
    raised = recording_failures(processor_function, monkeypatch)

    reported = [
        failure
        for start in range(0, len(records), STREAM_BATCH_SIZE)
        for failure in invoke(processor_function, records[start : start + STREAM_BATCH_SIZE])
    ]
    failed_records = [record for record in records if sequence_number(record) in set(reported)]
    healthy = build_processor(store)
    monkeypatch.setattr(processor_function, "processor", lambda: healthy)
    retry_failures = invoke(processor_function, failed_records)
    state = final_state(store, ORDERS)
    reference = reference_state(deliveries, dynamodb_client, monkeypatch)
    lost_orders = [order for order, expected in reference.items() if state[order] != expected]
    unprocessed = [
        delivery_id
        for delivery_id, status in shop_delivery_statuses(store, deliveries).items()
        if status is not DeliveryStatus.PROCESSED
    ]

    tally["cases_tried"] += len(records)
    tally["cases_passed"] += len(records) - len(lost_orders) - len(unprocessed)
    tally["data_lost"] += len(lost_orders)
    assert reported, "the dying worker failed some records"
    assert reported == raised == expected_failures(records, crashing, doomed_numbers, doomed_deliveries)
    assert retry_failures == []
    assert unprocessed == []
    assert duplicate_open_flags(state) == []
    assert lost_orders == [], {order: (state[order], reference[order]) for order in lost_orders}


def shop_delivery_statuses(store: Store, deliveries: Sequence[Delivery]) -> dict[str, DeliveryStatus]:
    statuses = {}
    for delivery in deliveries:
        if delivery.route == "shopify":
            event_id = delivery.headers["x-shopify-event-id"]
            stored = store.deliveries.get("shopify", event_id)
            assert stored is not None
            statuses[event_id] = stored.status
    return statuses
