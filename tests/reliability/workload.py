"""A day of Shopify orders and their carrier events, and the state the table ends up holding."""

from __future__ import annotations

import random
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.reliability.harness import Ingestion, post
from tests.reliability.senders import (
    EVENT_TIME,
    Delivery,
    generic_event,
    seventeen_track_push,
    shopify_fulfillment,
    shopify_headers,
    shopify_order,
    signed,
    ups_alert,
    usps_envelope,
)
from tests.support.fakes import RecordingPublisher
from tests.support.shops import shop_sync_for
from trackguard.clients.tiktok_shop import TikTokOrder
from trackguard.domain.status import FlagStatus
from trackguard.rules.thresholds import Thresholds
from trackguard.services.judging import OrderJudge
from trackguard.services.messages import ProcessingMessage
from trackguard.services.processing import Processor
from trackguard.services.shipments import ShipmentUpdater
from trackguard.storage.store import Store

EVENTS_PER_ORDER = 25
PROCESSING_THREADS = 8
CLOCK = EVENT_TIME + timedelta(days=2)


class NoTikTokShop:
    def fetch(self, shop_id: str, order_ids: Sequence[str]) -> list[TikTokOrder]:
        raise AssertionError("the workload has no TikTok Shop orders")


def build_processor(store: Store) -> Processor:
    publisher = RecordingPublisher()
    updater = ShipmentUpdater(store, publisher)
    return Processor(
        store=store,
        build_shop_sync=lambda: shop_sync_for(store, updater, NoTikTokShop()),
        updater=updater,
        judge=OrderJudge(store, publisher, Thresholds()),
        clock=lambda: CLOCK,
    )


def _number(index: int) -> str:
    return f"1Z999AA1{index:010d}" if index % 2 == 0 else f"94001118992231{index:08d}"


def _carrier_delivery(index: int, number: str, step: int) -> Delivery:
    at = EVENT_TIME + timedelta(hours=3 + step)
    last = step == EVENTS_PER_ORDER - 4
    if number.startswith("1Z"):
        return signed("ups", ups_alert(number, at, "D" if last else "I", f"C{step}"), at)
    route = ("usps", "17track", "generic")[step % 3]
    documents: dict[str, Any] = {
        "usps": usps_envelope(number, at, "Delivered" if last else f"Arrived at facility {step}"),
        "17track": seventeen_track_push(number, at, "Delivered" if last else "InTransit"),
        "generic": generic_event(number, at, "DELIVERED" if last else "IN_TRANSIT"),
    }
    return signed(route, documents[route], at)


def order_deliveries(index: int) -> list[Delivery]:
    """One order's deliveries in the order they happened: created, fulfilled, updated, then scans."""
    order_id = 5_000_000 + index
    number = _number(index)
    buyer = (f"Buyer {index}", f"{index} Elm Street", f"+1555{index:07d}")
    shop = [
        ("orders/create", shopify_order(order_id, EVENT_TIME, buyer)),
        ("fulfillments/create", shopify_fulfillment(order_id, 9_000_000 + index, number)),
        (
            "orders/updated",
            shopify_order(order_id, EVENT_TIME + timedelta(hours=3), buyer, "78701", "fulfilled"),
        ),
    ]
    deliveries = [
        signed("shopify", document, EVENT_TIME, shopify_headers(topic, f"e-{index}-{n}"))
        for n, (topic, document) in enumerate(shop)
    ]
    return deliveries + [_carrier_delivery(index, number, step) for step in range(EVENTS_PER_ORDER - 3)]


def workload(orders: int) -> list[Delivery]:
    return [delivery for index in range(orders) for delivery in order_deliveries(index)]


def deliver_all(deliveries: Sequence[Delivery], now: datetime) -> list[int]:
    return [post(fresh(delivery), now).status for delivery in deliveries]


def fresh(delivery: Delivery) -> Delivery:
    """Standard Webhooks deliveries are signed when sent: their timestamp must be within 5 minutes."""
    if delivery.route != "generic":
        return delivery
    return signed("generic", delivery.body, datetime.now(UTC))


def drain(ingestion: Ingestion, processor: Processor, rng: random.Random | None) -> int:
    """Process all the work the deliveries started (shuffled when ``rng`` is given) until none is left."""
    handled = 0
    while messages := ingestion.new_work():
        if rng is not None:
            rng.shuffle(messages)
        handled += len(messages)
        _process(processor, messages, threads=PROCESSING_THREADS if rng else 1)
    return handled


def _process(processor: Processor, messages: list[ProcessingMessage], threads: int) -> None:
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(processor.handle, messages))


def final_state(store: Store, orders: int) -> dict[str, Any]:
    """Orders, packages with derived states, open (package, code) flags, and event counts per number."""
    state: dict[str, Any] = {}
    for index in range(orders):
        order_id = str(5_000_000 + index)
        view = store.orders.view("trail-gear.myshopify.com", order_id)
        open_flags = [
            (flag.package_id, flag.code.value) for flag in view.flags if flag.status is FlagStatus.OPEN
        ]
        state[order_id] = {
            "order": view.order.model_dump() if view.order else None,
            "packages": sorted((p.model_dump() for p in view.packages), key=lambda p: p["package_id"]),
            "open_flags": sorted(open_flags),
            "guards": sorted(view.open_flag_ids),
            "events": len(store.tracking.load(_number(index)).events),
        }
    return state


def duplicate_open_flags(state: dict[str, Any]) -> list[str]:
    return [
        order_id
        for order_id, order in state.items()
        if len(set(order["open_flags"])) != len(order["open_flags"])
    ]
