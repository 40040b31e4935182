"""The reconciler against DynamoDB Local: the planner queues only due orders, workers judge them once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import BaseModel

from tests.support.builders import T0, a_package, an_order
from tests.support.fakes import RecordingPublisher
from tests.support.lambda_events import FakeLambdaContext, load_function
from trackguard.domain.status import FlagCode, FlagStatus
from trackguard.rules.thresholds import Thresholds
from trackguard.services.judging import Judgement, OrderJudge
from trackguard.services.reconcile import (
    ReconcileMessage,
    ReconcilePlanner,
    ReconcileWorker,
    parse_messages,
    resolve_as_of,
)
from trackguard.services.shipments import ShipmentUpdater
from trackguard.storage.store import Store

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

pytestmark = pytest.mark.integration


class BatchRecordingQueue:
    def __init__(self) -> None:
        self.batches: list[list[BaseModel]] = []

    def send_all(self, messages: list[BaseModel]) -> None:
        self.batches.append(list(messages))

    @property
    def messages(self) -> list[ReconcileMessage]:
        return [m for batch in self.batches for m in batch if isinstance(m, ReconcileMessage)]


class CrashingJudge(OrderJudge):
    """Crashes once, for one order, the way a Lambda timeout or a throttled write would."""

    def __init__(self, store: Store, publisher: RecordingPublisher, crash_on: str) -> None:
        super().__init__(store, publisher, Thresholds())
        self._crash_on = crash_on

    def judge(self, seller_id: str, order_id: str, as_of: datetime, catch_up: bool = False) -> Judgement:
        if order_id == self._crash_on:
            self._crash_on = ""
            raise RuntimeError("worker crashed")
        return super().judge(seller_id, order_id, as_of, catch_up)


@pytest.fixture
def publisher() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def queue() -> BatchRecordingQueue:
    return BatchRecordingQueue()


@pytest.fixture
def worker(store: Store, publisher: RecordingPublisher) -> ReconcileWorker:
    return ReconcileWorker(
        store, OrderJudge(store, publisher, Thresholds()), ShipmentUpdater(store, publisher)
    )


@pytest.fixture
def due_index_reads(dynamodb_client: DynamoDBClient) -> Iterator[list[int]]:
    """Items each DueIndex query read (its Count), from the responses themselves."""
    counts: list[int] = []

    def record(parsed: dict[str, Any], **_: Any) -> None:
        counts.append(int(parsed.get("ScannedCount", 0)))

    dynamodb_client.meta.events.register("after-call.dynamodb.Query", record)
    yield counts
    dynamodb_client.meta.events.unregister("after-call.dynamodb.Query", record)


def given_an_order_with_a_number(
    store: Store, order_id: str, check_at: datetime | None, number: str = "1Z5R89390357567127"
) -> None:
    store.orders.save_order(an_order(order_id=order_id))
    store.orders.save_package(
        a_package(order_id=order_id, tracking_number=number, number_first_seen_at=T0), previous=None
    )
    store.orders.schedule_check("shop-1", order_id, check_at)


def plant_thirty_orders(store: Store) -> set[str]:
    """7 due by T0+1h, 13 due later, 10 never scheduled. Returns the 7 due."""
    for index in range(30):
        check_at = (
            T0 + timedelta(minutes=index)
            if index < 7
            else T0 + timedelta(days=1, hours=index)
            if index < 20
            else None
        )
        given_an_order_with_a_number(store, f"o-{index:02d}", check_at)
    return {f"o-{index:02d}" for index in range(7)}


def open_codes(store: Store, order_id: str) -> list[FlagCode]:
    return sorted(
        flag.code for flag in store.orders.view("shop-1", order_id).flags if flag.status is FlagStatus.OPEN
    )


def still_due(store: Store, as_of: datetime) -> set[str]:
    return {
        order.order_id
        for shard in range(store.orders.due_shards)
        for order in store.orders.due_orders(shard, as_of, limit=100)[0]
    }


def test_the_planner_queues_only_the_due_orders_reading_only_them(
    store: Store, queue: BatchRecordingQueue, due_index_reads: list[int]
) -> None:
    due = plant_thirty_orders(store)
    due_index_reads.clear()

    summary = ReconcilePlanner(store.orders, queue).plan(T0 + timedelta(hours=1))

    assert (summary.due, summary.sent) == (7, 7)
    assert {m.order_id for m in queue.messages} == due
    assert {m.as_of for m in queue.messages} == {T0 + timedelta(hours=1)}
    assert sum(due_index_reads) == 7
    assert summary.as_dict() == {"as_of": (T0 + timedelta(hours=1)).isoformat(), "due": 7, "sent": 7}


def test_the_planner_pages_through_each_shard(store: Store, queue: BatchRecordingQueue) -> None:
    due = plant_thirty_orders(store)

    summary = ReconcilePlanner(store.orders, queue, page_size=1).plan(T0 + timedelta(hours=1))

    assert summary.sent == 7
    assert sorted(m.order_id for m in queue.messages) == sorted(due)


def test_time_travel_through_as_of(store: Store, queue: BatchRecordingQueue) -> None:
    plant_thirty_orders(store)
    planner = ReconcilePlanner(store.orders, queue)

    assert planner.plan(T0 - timedelta(hours=1)).sent == 0
    assert planner.plan(T0 + timedelta(days=3)).sent == 20


def test_as_of_comes_from_the_schedule_input_or_the_clock() -> None:
    now = T0 + timedelta(days=9)

    assert resolve_as_of({"as_of": "2026-11-05T10:00:00Z"}, lambda: now) == T0.replace(day=5, hour=10)
    assert resolve_as_of({"as_of": "2026-11-05T10:00:00"}, lambda: now).tzinfo is not None
    assert resolve_as_of({}, lambda: now) == now
    assert resolve_as_of(None, lambda: now) == now


def test_the_worker_judges_reschedules_and_a_rerun_raises_nothing_twice(
    store: Store, worker: ReconcileWorker, publisher: RecordingPublisher
) -> None:
    given_an_order_with_a_number(store, "o-1", T0 + timedelta(hours=1))
    as_of = T0 + timedelta(hours=30)
    message = ReconcileMessage(seller_id="shop-1", order_id="o-1", as_of=as_of)

    first = worker.handle(message)
    rerun = worker.handle(message)

    assert first is not None
    assert [flag.code for flag in first.raised] == [FlagCode.NO_CARRIER_SCAN]
    assert rerun is None
    assert open_codes(store, "o-1") == [FlagCode.NO_CARRIER_SCAN]
    assert len(publisher.of_type("ShipmentFlagged")) == 1
    assert still_due(store, as_of) == set()
    assert still_due(store, first.next_check_at or as_of) == {"o-1"}


def test_an_order_no_longer_due_is_not_judged(store: Store, worker: ReconcileWorker) -> None:
    given_an_order_with_a_number(store, "o-1", T0 + timedelta(days=2))

    assert (
        worker.handle(ReconcileMessage(seller_id="shop-1", order_id="o-1", as_of=T0 + timedelta(hours=30)))
        is None
    )
    assert open_codes(store, "o-1") == []


def sqs_event(messages: list[ReconcileMessage]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m-{message.order_id}",
                "receiptHandle": "handle",
                "body": message.model_dump_json(),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:reconcile",
                "awsRegion": "us-east-1",
            }
            for message in messages
        ]
    }


@pytest.fixture
def worker_function(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("SEVENTEEN_TRACK_API_KEY", "unused")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Trackguard")
    return load_function("reconcile_worker")


def test_a_crash_fails_exactly_that_message_and_the_rerun_completes_it_without_duplicates(
    store: Store,
    publisher: RecordingPublisher,
    queue: BatchRecordingQueue,
    worker_function: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    numbers = ("1Z5R89390357567127", "1Z879E930346834440", "1Z8V92A70367203024")
    for order_id, number in zip(("o-1", "o-2", "o-3"), numbers, strict=True):
        given_an_order_with_a_number(store, order_id, T0 + timedelta(hours=1), number)
    as_of = T0 + timedelta(hours=30)
    judge = CrashingJudge(store, publisher, crash_on="o-2")
    worker = ReconcileWorker(store, judge, ShipmentUpdater(store, publisher))
    monkeypatch.setattr(worker_function, "worker", lambda: worker)
    planner = ReconcilePlanner(store.orders, queue)
    planner.plan(as_of)
    first_round = sorted(queue.messages, key=lambda m: m.order_id)

    answer = worker_function.lambda_handler(sqs_event(first_round), FakeLambdaContext())

    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-o-2"}]}
    assert [open_codes(store, o) for o in ("o-1", "o-2", "o-3")] == [
        [FlagCode.NO_CARRIER_SCAN],
        [],
        [FlagCode.NO_CARRIER_SCAN],
    ]
    assert still_due(store, as_of) == {"o-2"}

    queue.batches.clear()
    planner.plan(as_of)
    assert [m.order_id for m in queue.messages] == ["o-2"]
    redelivered = worker_function.lambda_handler(sqs_event(first_round), FakeLambdaContext())

    assert redelivered == {"batchItemFailures": []}
    assert [open_codes(store, o) for o in ("o-1", "o-2", "o-3")] == [[FlagCode.NO_CARRIER_SCAN]] * 3
    assert sorted(event["order_id"] for event in publisher.of_type("ShipmentFlagged")) == [
        "o-1",
        "o-2",
        "o-3",
    ]
    assert still_due(store, as_of) == set()


def test_a_malformed_message_fails_alone(
    store: Store, worker: ReconcileWorker, worker_function: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    given_an_order_with_a_number(store, "o-1", T0 + timedelta(hours=1))
    monkeypatch.setattr(worker_function, "worker", lambda: worker)
    event = sqs_event([ReconcileMessage(seller_id="shop-1", order_id="o-1", as_of=T0 + timedelta(hours=30))])
    event["Records"].append({**event["Records"][0], "messageId": "broken", "body": json.dumps({"order": 1})})

    answer = worker_function.lambda_handler(event, FakeLambdaContext())

    assert answer == {"batchItemFailures": [{"itemIdentifier": "broken"}]}
    assert open_codes(store, "o-1") == [FlagCode.NO_CARRIER_SCAN]


def test_the_sample_events_are_what_the_functions_expect() -> None:
    events = Path(__file__).resolve().parents[2] / "events"
    planner_input = json.loads((events / "reconcile_planner.json").read_text())
    worker_input = json.loads((events / "reconcile_worker.json").read_text())

    assert resolve_as_of(planner_input) == datetime(2026, 11, 3, 15, tzinfo=UTC)
    assert parse_messages([record["body"] for record in worker_input["Records"]]) == [
        ReconcileMessage(seller_id="shop-1", order_id="o-1", as_of=datetime(2026, 11, 3, 15, tzinfo=UTC))
    ]
