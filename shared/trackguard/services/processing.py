"""Processing: apply stored shop deliveries and carrier events, then judge the orders they touch.

Work arrives from the table's stream (a delivery or an event was stored) and from the processing queue
(replays). Every step is idempotent, so retries, duplicates and replays are harmless. A shop delivery
that fails is marked failed (with its reason) and its record fails, so it is retried and finally
reported to the dead-letter queue; `trackguard replay` can re-drive it after a fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import ValidationError

from trackguard.observability import logger
from trackguard.services.judging import OrderJudge
from trackguard.services.messages import (
    ProcessingMessage,
    ShopDeliveryMessage,
    TrackingUpdateMessage,
    processing_message,
)
from trackguard.services.readiness import ShopNotReadyError
from trackguard.services.shipments import ShipmentUpdater
from trackguard.settings import ProcessorSettings
from trackguard.storage.changes import DeliveryStored, TableChange, change_of
from trackguard.storage.deliveries import DeliveryStatus, StoredDelivery
from trackguard.storage.store import Store
from trackguard.wiring import on_first_use

OrderKey = tuple[str, str]


class ShopSync(Protocol):
    def prefetch(self, deliveries: Iterable[StoredDelivery]) -> None:
        """Gather what a whole batch of deliveries will need from the platform, in few calls."""
        ...

    def apply(self, delivery: StoredDelivery, now: datetime) -> set[OrderKey]:
        """Apply one stored shop delivery; return the (seller, order) pairs it touched."""
        ...


class MissingDeliveryError(LookupError):
    """The message names a delivery the table does not hold (it was never stored, or it expired)."""


class Processor:
    """Applies stored deliveries and events, then judges the orders they touched.

    The shop sync is built on the first shop delivery (trackguard.wiring), so a batch of carrier events
    never loads the shop platforms.
    """

    def __init__(
        self,
        store: Store,
        build_shop_sync: Callable[[], ShopSync],
        updater: ShipmentUpdater,
        judge: OrderJudge,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._shop_sync = on_first_use(build_shop_sync)
        self._updater = updater
        self._judge = judge
        self._clock = clock
        self._refreshed_in_batch: set[str] | None = None

    def start_batch(self, messages: Sequence[ProcessingMessage]) -> None:
        """Prepare for a batch: fetch its platform orders together, and refresh each number only once.

        Every item a batch names was stored before the batch started, so one refresh of a number in
        this batch already sees all of that number's events in it.
        """
        self._refreshed_in_batch = set()
        deliveries = [
            delivery
            for message in messages
            if isinstance(message, ShopDeliveryMessage)
            for delivery in [self._store.deliveries.get(message.source, message.delivery_id)]
            if delivery is not None and delivery.status is not DeliveryStatus.PROCESSED
        ]
        if deliveries:
            self._shop_sync().prefetch(deliveries)

    def start_stream_batch(self, records: Iterable[Mapping[str, Any]]) -> None:
        self.start_batch(stream_messages(records))

    def start_queue_batch(self, bodies: Iterable[str]) -> None:
        self.start_batch(readable_messages(bodies))

    def handle_stored(self, record: Mapping[str, Any]) -> None:
        """One stream record, as Lambda delivers it; records that stand for no work are skipped."""
        message = stream_message(record)
        if message is not None:
            self.handle(message)

    def handle_queued(self, body: str) -> None:
        self.handle(processing_message.validate_json(body))

    def handle(self, message: ProcessingMessage) -> None:
        now = self._clock()
        if isinstance(message, TrackingUpdateMessage):
            self._judge_orders(self._refresh(message.numbers, now), now)
        else:
            self._handle_shop_delivery(message, now)

    def _refresh(self, numbers: Iterable[str], now: datetime) -> set[OrderKey]:
        fresh_numbers = set(numbers) - (self._refreshed_in_batch or set())
        touched = self._updater.refresh(fresh_numbers, now)
        if self._refreshed_in_batch is not None:
            self._refreshed_in_batch |= fresh_numbers
        return touched

    def _handle_shop_delivery(self, message: ShopDeliveryMessage, now: datetime) -> None:
        """The delivery is marked processed only once the orders it touched are judged, so a retry after
        a failure anywhere before that applies it and judges them again."""
        delivery = self._store.deliveries.get(message.source, message.delivery_id)
        if delivery is None:
            raise MissingDeliveryError(f"{message.source}/{message.delivery_id}")
        if delivery.status is DeliveryStatus.PROCESSED:
            return
        try:
            touched = self._apply_shop_delivery(delivery, now)
        except ShopNotReadyError as reason:
            logger.info("shop delivery parked", source=delivery.source, reason=str(reason))
            self._store.deliveries.mark(delivery.source, delivery.delivery_id, DeliveryStatus.PARKED)
            return
        self._judge_orders(touched, now)
        self._store.deliveries.mark(delivery.source, delivery.delivery_id, DeliveryStatus.PROCESSED)

    def _apply_shop_delivery(self, delivery: StoredDelivery, now: datetime) -> set[OrderKey]:
        try:
            return self._shop_sync().apply(delivery, now)
        except ShopNotReadyError:
            raise
        except Exception as error:
            logger.exception("shop delivery failed", source=delivery.source, delivery_id=delivery.delivery_id)
            self._store.deliveries.mark(
                delivery.source, delivery.delivery_id, DeliveryStatus.FAILED, str(error)
            )
            raise

    def _judge_orders(self, touched: set[OrderKey], now: datetime) -> None:
        """An inactive (uninstalled) seller's orders are not judged; the reconciler does once it is back."""
        active = {seller_id: self._store.sellers.is_active(seller_id) for seller_id, _ in touched}
        for seller_id, order_id in sorted(touched):
            if active[seller_id]:
                self._judge.judge(seller_id, order_id, now, catch_up=True)


def message_for(change: TableChange) -> ProcessingMessage:
    if isinstance(change, DeliveryStored):
        return ShopDeliveryMessage(source=change.source, delivery_id=change.delivery_id)
    return TrackingUpdateMessage(numbers=(change.tracking_number,))


def stream_message(record: Mapping[str, Any]) -> ProcessingMessage | None:
    """The work a DynamoDB stream record (payload as Lambda delivers it) stands for, if any.

    Only insertions are work: updates and TTL removals of the same items are not.
    """
    if record.get("eventName") != "INSERT":
        return None
    raw_keys = record.get("dynamodb", {}).get("Keys", {})
    change = change_of({name: value.get("S", "") for name, value in raw_keys.items()})
    return message_for(change) if change else None


def stream_messages(records: Iterable[Mapping[str, Any]]) -> list[ProcessingMessage]:
    return [message for record in records for message in [stream_message(record)] if message]


def readable_messages(bodies: Iterable[str]) -> list[ProcessingMessage]:
    """The messages of a batch that parse; the others fail on their own when handled."""
    messages: list[ProcessingMessage] = []
    for body in bodies:
        try:
            messages.append(processing_message.validate_json(body))
        except ValidationError:
            continue
    return messages


def build_processor(settings: ProcessorSettings | None = None) -> Processor:
    """The processor as deployed: every collaborator built from the settings, once per process."""
    from trackguard.messaging import EventPublisher

    settings = settings or ProcessorSettings.from_environ()
    store = Store.for_table_name(settings.table_name, settings.due_index_shards)
    publisher = EventPublisher(settings.event_bus_name)
    updater = ShipmentUpdater(store, publisher)
    return Processor(
        store=store,
        build_shop_sync=lambda: _deployed_shop_sync(store, updater, settings),
        updater=updater,
        judge=OrderJudge(store, publisher, settings.thresholds),
    )


def _deployed_shop_sync(store: Store, updater: ShipmentUpdater, settings: ProcessorSettings) -> ShopSync:
    from trackguard.messaging import MessageQueue
    from trackguard.services.order_writer import OrderWriter
    from trackguard.services.parking import ParkedDeliveries
    from trackguard.services.shop_lifecycle import shopify_lifecycle_from_settings
    from trackguard.services.shop_sync import PlatformShopSync, TikTokApiOrders

    orders = TikTokApiOrders(settings, store)
    return PlatformShopSync(
        store,
        OrderWriter(store, updater),
        orders,
        authorizations=orders.lifecycle(),
        lifecycle=shopify_lifecycle_from_settings(store, settings),
        parked=ParkedDeliveries(store.deliveries, MessageQueue(settings.processing_queue_url)),
    )
