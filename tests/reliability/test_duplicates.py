"""Every delivery three times, shuffled, processed in shuffled order by concurrent workers: the same
final state as one ordered delivery into a fresh table."""

from __future__ import annotations

import random
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from tests.reliability.conftest import wire
from tests.reliability.harness import Ingestion
from tests.reliability.senders import EVENT_TIME
from tests.reliability.workload import (
    EVENTS_PER_ORDER,
    build_processor,
    deliver_all,
    drain,
    duplicate_open_flags,
    final_state,
    workload,
)
from tests.support.tables import create_table
from trackguard.storage.dynamo import Table
from trackguard.storage.store import Store

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

pytestmark = pytest.mark.integration
SEED = 20261102


def run_reference(
    orders: int, dynamodb_client: DynamoDBClient, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    table = Table(f"trackguard-reference-{uuid.uuid4().hex[:8]}", dynamodb_client)
    create_table(dynamodb_client, table.name)
    ingestion = wire(table, monkeypatch)
    store = Store.for_table(table, due_shards=4)
    assert set(deliver_all(workload(orders), EVENT_TIME)) == {200}
    drain(ingestion, build_processor(store), rng=None)
    return final_state(store, orders)


def run_shuffled(orders: int, ingestion: Ingestion, store: Store, tally: dict[str, int]) -> dict[str, Any]:
    rng = random.Random(SEED)
    deliveries = workload(orders) * 3
    rng.shuffle(deliveries)
    statuses = deliver_all(deliveries, EVENT_TIME)
    tally["cases_tried"] += len(deliveries)
    tally["cases_passed"] += statuses.count(200)
    drain(ingestion, build_processor(store), rng)
    return final_state(store, orders)


def check_same_state(
    orders: int,
    ingestion: Ingestion,
    store: Store,
    dynamodb_client: DynamoDBClient,
    monkeypatch: pytest.MonkeyPatch,
    tally: dict[str, int],
) -> None:
    shuffled = run_shuffled(orders, ingestion, store, tally)
    reference = run_reference(orders, dynamodb_client, monkeypatch)

    lost = [order_id for order_id, order in reference.items() if shuffled.get(order_id) != order]
    tally["data_lost"] += len(lost)
    assert lost == []
    assert duplicate_open_flags(shuffled) == []
    assert all(order["order"] is not None and order["packages"] for order in shuffled.values())


def test_300_events_three_times_shuffled_end_as_one_ordered_delivery(
    ingestion: Ingestion,
    store: Store,
    dynamodb_client: DynamoDBClient,
    monkeypatch: pytest.MonkeyPatch,
    tally: dict[str, int],
) -> None:
    check_same_state(300 // EVENTS_PER_ORDER, ingestion, store, dynamodb_client, monkeypatch, tally)


@pytest.mark.reliability_slow
def test_10000_events_three_times_shuffled_end_as_one_ordered_delivery(
    ingestion: Ingestion,
    store: Store,
    dynamodb_client: DynamoDBClient,
    monkeypatch: pytest.MonkeyPatch,
    tally: dict[str, int],
) -> None:
    check_same_state(10_000 // EVENTS_PER_ORDER, ingestion, store, dynamodb_client, monkeypatch, tally)
