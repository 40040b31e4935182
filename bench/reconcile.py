"""The reconciler's cost grows with the orders due, never with the table; polling asks 17TRACK in 40s.

In DynamoDB Local, 1 000 orders are due among 10 000 and among 100 000 (the rest: scheduled later, or
out of the due index). Each size has its own DynamoDB Local: one instance slows down for every table
once it holds some 50 000 items in all (measured: a 2 000-item table created after a 40 000-item one
answered GetItem in 17 ms instead of 1 ms), an emulator effect that would be charged to the larger
size. A full reconcile (planner, then workers judging every queued order) is timed on each table in
alternating rounds, after a warm-up run on each instance; before each round the due orders are written
as seeded again, so every round judges the same 1 000. Times are the medians of the rounds, so a noisy
moment on this shared machine cannot land on one size alone. The items a round reads are counted from
DynamoDB's own answers (Query ScannedCount, returned items of GetItem and BatchGetItem). Then 1 000
silent numbers are polled against the 17TRACK sandbox over loopback HTTP, counting the requests it
receives: register and gettrackinfo for 40 numbers each, and the one getquota read before registering.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from pydantic import BaseModel

from tests.support.builders import T0, an_order
from tests.support.fakes import RecordingPublisher
from tests.support.sandbox_server import SandboxServer
from tests.support.tables import create_table
from trackguard.clients.seventeen_track import QUOTA_PATH, SeventeenTrackClient
from trackguard.rules.thresholds import Thresholds
from trackguard.services.judging import OrderJudge
from trackguard.services.polling import SilentNumberPoller
from trackguard.services.reconcile import ReconcileMessage, ReconcilePlanner, ReconcileWorker
from trackguard.services.shipments import ShipmentUpdater
from trackguard.sources.carriers.seventeen_track import events_from_track_data
from trackguard.storage import keys
from trackguard.storage.dynamo import Table, to_attributes
from trackguard.storage.polling import PollRepository
from trackguard.storage.store import Store
from trackguard_dev.local.dynamodb_local import DynamoDBLocal
from trackguard_dev.local.sandboxes import seventeen_track as sandbox

GOALS: dict[str, tuple[str, float]] = {
    "reconcile_items_read_ratio_100k_vs_10k": ("<=", 1.05),
    "reconcile_time_ratio_100k_vs_10k": ("<=", 1.3),
    "polling_requests_per_1000_silent": ("==", 50.0),
    "polling_quota_checks_per_1000_silent": ("==", 1.0),
}

DUE = 1_000
ROUNDS = 5
SHARDS = 8
SQS_BATCH = 10
WORKERS = 8
SEED_THREADS = 8
SILENT_NUMBERS = 1_000
API_KEY = "bench-17track-key"
AS_OF = T0 + timedelta(hours=2)


class CollectingQueue:
    def __init__(self) -> None:
        self.messages: list[ReconcileMessage] = []

    def send_all(self, messages: list[BaseModel]) -> None:
        self.messages += [m for m in messages if isinstance(m, ReconcileMessage)]


class ItemsRead:
    """Counts the items DynamoDB says it read, from every read answer of one client."""

    OPERATIONS = ("Query", "GetItem", "BatchGetItem")

    def __init__(self, client: Any) -> None:
        self.items = 0
        self._events = client.meta.events
        for operation in self.OPERATIONS:
            self._events.register(f"after-call.dynamodb.{operation}", self._count)

    def stop(self) -> None:
        for operation in self.OPERATIONS:
            self._events.unregister(f"after-call.dynamodb.{operation}", self._count)

    def _count(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "Query":
            self.items += int(parsed.get("ScannedCount", 0))
        elif model.name == "GetItem":
            self.items += int("Item" in parsed)
        else:
            self.items += sum(len(items) for items in parsed.get("Responses", {}).values())


def run() -> dict[str, float]:
    with DynamoDBLocal.start() as small_instance, DynamoDBLocal.start() as large_instance:
        clients = {
            10_000: _client(small_instance.endpoint_url),
            100_000: _client(large_instance.endpoint_url),
        }
        for client in clients.values():
            _reconcile(client, _seeded(client, 2 * DUE))  # warm-up: the JVM compiles its hot paths
        tables = {size: _seeded(client, size) for size, client in clients.items()}
        rounds: dict[int, list[Round]] = {size: [] for size in tables}
        for number in range(ROUNDS):
            for size in sorted(tables, reverse=number % 2 == 1):
                _seed_due(tables[size], size)
                rounds[size].append(_reconcile(clients[size], tables[size]))
        requests, quota_checks = _poll_silent_numbers(clients[10_000])
    small, large = _summary(rounds[10_000]), _summary(rounds[100_000])
    return {
        "reconcile_items_read_10k": small.items,
        "reconcile_items_read_100k": large.items,
        "reconcile_seconds_10k": small.seconds,
        "reconcile_seconds_100k": large.seconds,
        "reconcile_items_read_ratio_100k_vs_10k": large.items / small.items,
        "reconcile_time_ratio_100k_vs_10k": large.seconds / small.seconds,
        "polling_requests_per_1000_silent": requests,
        "polling_quota_checks_per_1000_silent": quota_checks,
    }


@dataclass(frozen=True)
class Round:
    items: float
    seconds: float


def _summary(rounds: list[Round]) -> Round:
    """The most items any round read (they should all read the same), and the median time."""
    return Round(max(r.items for r in rounds), statistics.median(r.seconds for r in rounds))


def _client(endpoint_url: str) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=Config(max_pool_connections=32, retries={"mode": "standard", "max_attempts": 8}),
    )


def _seeded(client: Any, orders: int) -> Table:
    table = Table(f"bench-reconcile-{orders}-{uuid.uuid4().hex[:6]}", client)
    create_table(client, table.name)
    _write_all(table, [_order_item(index, orders) for index in range(orders)])
    return table


def _seed_due(table: Table, orders: int) -> None:
    """The due orders as seeded: due again, whatever the last round's judging scheduled for them."""
    _write_all(table, [_order_item(index, orders) for index in range(DUE)])


def _reconcile(client: Any, table: Table) -> Round:
    store = Store.for_table(table, SHARDS)
    queue = CollectingQueue()
    worker = ReconcileWorker(
        store,
        OrderJudge(store, RecordingPublisher(), Thresholds()),
        ShipmentUpdater(store, RecordingPublisher()),
    )
    reads = ItemsRead(client)
    started = time.perf_counter()
    summary = ReconcilePlanner(store.orders, queue).plan(AS_OF)
    batches = [queue.messages[i : i + SQS_BATCH] for i in range(0, len(queue.messages), SQS_BATCH)]
    with ThreadPoolExecutor(WORKERS) as pool:
        judged = sum(pool.map(lambda batch: _work(worker, batch), batches))
    seconds = time.perf_counter() - started
    reads.stop()
    if summary.sent != DUE or judged != DUE:
        raise RuntimeError(f"expected {DUE} orders judged, planned {summary.sent}, judged {judged}")
    return Round(float(reads.items), seconds)


def _work(worker: ReconcileWorker, batch: list[ReconcileMessage]) -> int:
    worker.prepare(batch)
    return sum(worker.handle(message) is not None for message in batch)


def _write_all(table: Table, items: list[dict[str, Any]]) -> None:
    chunks = [items[start : start + 25] for start in range(0, len(items), 25)]
    with ThreadPoolExecutor(SEED_THREADS) as pool:
        list(pool.map(lambda chunk: _write(table, chunk), chunks))


def _order_item(index: int, orders: int) -> dict[str, Any]:
    """The first ``DUE`` orders are due by AS_OF; of the rest, half a day later, half out of the index."""
    order = an_order(seller_id=f"seller-{index % 97}", order_id=f"order-{orders}-{index:06d}")
    item = order.model_dump(mode="json")
    item |= {"pk": keys.order_pk(order.seller_id, order.order_id), "sk": keys.ORDER_SK}
    check_at = (
        AS_OF - timedelta(minutes=1) if index < DUE else (AS_OF + timedelta(days=1) if index % 2 else None)
    )
    if check_at is not None:
        shard = keys.due_shard(order.seller_id, order.order_id, SHARDS)
        item |= {
            "due_pk": keys.due_shard_pk(shard),
            "due_sk": keys.due_sk(check_at, order.seller_id, order.order_id),
        }
    return to_attributes(item)


def _write(table: Table, chunk: list[dict[str, Any]]) -> None:
    pending: dict[str, Any] = {table.name: [{"PutRequest": {"Item": item}} for item in chunk]}
    while pending:
        pending = dict(table.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {})


def _poll_silent_numbers(client: Any) -> tuple[float, float]:
    """Register and gettrackinfo requests (40 numbers each), and getquota reads, for SILENT_NUMBERS."""
    table = Table(f"bench-polling-{uuid.uuid4().hex[:6]}", client)
    create_table(client, table.name)
    store = Store.for_table(table, SHARDS)
    numbers = [f"BENCH{index:08d}" for index in range(SILENT_NUMBERS)]
    with tempfile.TemporaryDirectory() as state_dir:
        api = sandbox.create(Path(state_dir), {"17track": {"api_key": API_KEY}})
        with SandboxServer(api) as server:
            poller = SilentNumberPoller(
                SeventeenTrackClient(server.url, API_KEY, max_concurrency=4, requests_per_second=None),
                store.tracking,
                PollRepository(table),
                events_from_track_data,
            )
            changed = poller.poll_silent(dict.fromkeys(numbers), AS_OF)
            poller.close()
            if len(changed) != SILENT_NUMBERS:
                raise RuntimeError(
                    f"expected {SILENT_NUMBERS} numbers with a stored event, got {len(changed)}"
                )
            quota_checks = server.count("POST", QUOTA_PATH)
            return float(server.request_count - quota_checks), float(quota_checks)
