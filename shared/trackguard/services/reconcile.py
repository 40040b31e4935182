"""The scheduled reconciler: a planner queues the orders due for a check, workers judge them.

The planner reads only the due index (sparse and sharded), so its cost grows with the orders due, never
with the table. Workers are idempotent: a repeated or crashed message raises nothing twice, and an order
whose message failed keeps its due key, so the next planner run queues it again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict, TypeAdapter

from trackguard.observability import logger
from trackguard.settings import ReconcilePlannerSettings, ReconcileWorkerSettings
from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from trackguard.services.judging import Judgement, OrderJudge
    from trackguard.services.shipments import ShipmentUpdater
    from trackguard.storage.orders import OrderRepository
    from trackguard.storage.store import Store

PAGE_SIZE = 500


class ReconcileMessage(BaseModel):
    """One order to judge as of the planner's instant."""

    model_config = ConfigDict(frozen=True)

    seller_id: str
    order_id: str
    as_of: datetime


class ReconcileInput(BaseModel):
    """The schedule's input: an optional ``as_of`` (time travel for tests and backfills)."""

    model_config = ConfigDict(extra="ignore")

    as_of: datetime | None = None


reconcile_input = TypeAdapter(ReconcileInput)


class Queue(Protocol):
    def send_all(self, messages: list[BaseModel]) -> None: ...


class SilentPoller(Protocol):
    def poll_silent(self, packages_by_number: dict[str, datetime | None], now: datetime) -> set[str]:
        """Poll the numbers without recent carrier news; return those whose stored events changed."""
        ...


@dataclass(frozen=True)
class PlanSummary:
    as_of: datetime
    due: int
    sent: int

    def as_dict(self) -> dict[str, object]:
        return {"as_of": self.as_of.isoformat(), "due": self.due, "sent": self.sent}


class ReconcilePlanner:
    """Queues every order due by ``as_of``, shard by shard (shards are read in parallel)."""

    def __init__(self, orders: OrderRepository, queue: Queue, page_size: int = PAGE_SIZE) -> None:
        self._orders = orders
        self._queue = queue
        self._page_size = page_size

    def plan_scheduled(self, event: object) -> PlanSummary:
        """Plan as of the schedule input's ``as_of``, or now."""
        return self.plan(resolve_as_of(event))

    def plan(self, as_of: datetime) -> PlanSummary:
        shards = range(self._orders.due_shards)
        with ThreadPoolExecutor(max_workers=len(shards)) as pool:
            counts = list(pool.map(lambda shard: self._plan_shard(shard, as_of), shards))
        summary = PlanSummary(as_of, due=sum(due for due, _ in counts), sent=sum(sent for _, sent in counts))
        logger.info("reconcile planned", extra=summary.as_dict())
        return summary

    def _plan_shard(self, shard: int, as_of: datetime) -> tuple[int, int]:
        due_count = sent = 0
        cursor = None
        while True:
            due, cursor = self._orders.due_orders(shard, as_of, self._page_size, cursor)
            due_count += len(due)
            messages: list[BaseModel] = [
                ReconcileMessage(seller_id=d.seller_id, order_id=d.order_id, as_of=as_of) for d in due
            ]
            if messages:
                self._queue.send_all(messages)
                sent += len(messages)
            if not cursor:
                return due_count, sent


class ReconcileWorker:
    """Judges the orders of a batch of reconcile messages, after polling their silent numbers.

    The poller is built for the first batch with numbers to poll (trackguard.wiring), so a cold start
    fetches no 17TRACK key; without ``build_poller``, nothing is polled.
    """

    def __init__(
        self,
        store: Store,
        judge: OrderJudge,
        updater: ShipmentUpdater,
        build_poller: Callable[[], SilentPoller] | None = None,
    ) -> None:
        self._store = store
        self._judge = judge
        self._updater = updater
        self._poller = None if build_poller is None else on_first_use(build_poller)

    def prepare(self, messages: Sequence[ReconcileMessage]) -> set[str]:
        """Poll the batch's silent numbers together (fewer 17TRACK requests) and refresh their packages.

        Best effort: when 17TRACK cannot be reached the orders are still judged on what is stored.
        A batch with no number to poll (orders without one, or no longer due) never builds the poller.
        Returns the numbers whose stored events changed.
        """
        if self._poller is None or not messages:
            return set()
        as_of = max(message.as_of for message in messages)
        last_events = self._last_events_of_due_orders(messages)
        if not last_events:
            return set()
        try:
            changed = self._poller().poll_silent(last_events, as_of)
        except Exception:
            logger.exception("polling silent numbers failed; judging on stored events")
            return set()
        if changed:
            self._updater.refresh(changed, as_of)
        return changed

    def prepare_batch(self, bodies: Sequence[str]) -> set[str]:
        """``prepare`` for a batch's raw message bodies (those that do not parse fail when handled)."""
        return self.prepare(parse_messages(bodies))

    def handle_body(self, body: str) -> Judgement | None:
        return self.handle(ReconcileMessage.model_validate_json(body))

    def handle(self, message: ReconcileMessage) -> Judgement | None:
        """Judge the order unless it is no longer due (already judged for this round, or finished), or its
        seller is inactive (uninstalled: it stays due, and is judged again once the seller is back)."""
        view = self._store.orders.view(message.seller_id, message.order_id)
        if view.order is None or not _is_due(view.next_check_at, message.as_of):
            return None
        if not self._store.sellers.is_active(message.seller_id):
            return None
        return self._judge.judge(message.seller_id, message.order_id, message.as_of)

    def _last_events_of_due_orders(self, messages: Sequence[ReconcileMessage]) -> dict[str, datetime | None]:
        last_events: dict[str, datetime | None] = {}
        for message in messages:
            view = self._store.orders.view(message.seller_id, message.order_id)
            if view.order is None or not _is_due(view.next_check_at, message.as_of):
                continue
            for package in view.packages:
                if package.tracking_number:
                    last_events[package.tracking_number] = package.state.last_event_at
        return last_events


def _is_due(next_check_at: str | None, as_of: datetime) -> bool:
    return next_check_at is not None and datetime.fromisoformat(next_check_at) <= as_of


def resolve_as_of(event: object, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> datetime:
    """The schedule input's ``as_of``, or now. A naive instant is read as UTC."""
    requested = reconcile_input.validate_python(event if isinstance(event, dict) else {}).as_of
    if requested is None:
        return clock()
    return requested if requested.tzinfo else requested.replace(tzinfo=UTC)


def parse_messages(bodies: Sequence[str]) -> list[ReconcileMessage]:
    """The valid messages among raw bodies (an invalid one fails on its own when handled)."""
    messages = []
    for body in bodies:
        try:
            messages.append(ReconcileMessage.model_validate_json(body))
        except ValueError:
            continue
    return messages


def build_planner(settings: ReconcilePlannerSettings | None = None) -> ReconcilePlanner:
    """The planner as deployed: it reads the orders' due index and writes the queue, nothing else."""
    from trackguard.messaging import MessageQueue
    from trackguard.storage.dynamo import Table
    from trackguard.storage.orders import OrderRepository

    settings = settings or ReconcilePlannerSettings.from_environ()
    orders = OrderRepository(Table(settings.table_name), settings.due_index_shards)
    return ReconcilePlanner(orders, MessageQueue(settings.reconcile_queue_url))


def build_worker(settings: ReconcileWorkerSettings | None = None) -> ReconcileWorker:
    """The worker as deployed; it polls 17TRACK only when a 17TRACK key is configured."""
    from trackguard.messaging import EventPublisher
    from trackguard.services.judging import OrderJudge
    from trackguard.services.shipments import ShipmentUpdater
    from trackguard.storage.store import Store

    settings = settings or ReconcileWorkerSettings.from_environ()
    store = Store.for_table_name(settings.table_name, settings.due_index_shards)
    publisher = EventPublisher(settings.event_bus_name)
    return ReconcileWorker(
        store=store,
        judge=OrderJudge(store, publisher, settings.thresholds),
        updater=ShipmentUpdater(store, publisher),
        build_poller=partial(_deployed_poller, settings, store),
    )


def _deployed_poller(settings: ReconcileWorkerSettings, store: Store) -> SilentPoller:
    from trackguard.services.polling import build_poller

    return build_poller(settings, store)
