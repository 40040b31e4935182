"""Stored shop deliveries and carrier events, through the processor, become orders, states and flags."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest

from tests.support.builders import T0, an_event
from tests.support.fakes import RecordingPublisher
from tests.support.payloads import (
    shopify_fulfillment,
    shopify_headers,
    shopify_order,
    tiktok_order,
    tiktok_webhook,
)
from tests.support.shops import register, shop_sync_for
from trackguard.clients.tiktok_shop import TikTokOrder
from trackguard.domain.status import FlagCode, FlagStatus, TrackingStatus
from trackguard.rules.thresholds import Thresholds
from trackguard.services.judging import OrderJudge
from trackguard.services.messages import ShopDeliveryMessage, TrackingUpdateMessage
from trackguard.services.processing import Processor
from trackguard.services.shipments import ShipmentUpdater
from trackguard.storage.deliveries import DeliveryStatus
from trackguard.storage.store import Store

pytestmark = pytest.mark.integration
SHOP = "7494049642642441621"
ORDER = "576461413038785752"


class FakeTikTokOrders:
    """The TikTok Shop API's answers, keyed by order id; records every fetch."""

    def __init__(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.fetches: list[tuple[str, tuple[str, ...]]] = []
        self.failure: Exception | None = None

    def fetch(self, shop_id: str, order_ids: Sequence[str]) -> list[TikTokOrder]:
        self.fetches.append((shop_id, tuple(order_ids)))
        if self.failure:
            raise self.failure
        return [TikTokOrder.model_validate(self.orders[i]) for i in order_ids if i in self.orders]


@pytest.fixture
def tiktok() -> FakeTikTokOrders:
    return FakeTikTokOrders()


@pytest.fixture
def processor(store: Store, tiktok: FakeTikTokOrders) -> Processor:
    register(store, SHOP)
    register(store, "acme.myshopify.com")
    publisher = RecordingPublisher()
    updater = ShipmentUpdater(store, publisher)
    return Processor(
        store=store,
        build_shop_sync=lambda: shop_sync_for(store, updater, tiktok),
        updater=updater,
        judge=OrderJudge(store, publisher, Thresholds()),
        clock=lambda: T0 + timedelta(hours=1),
    )


def deliver_tiktok(store: Store, processor: Processor, notification_type: int, data: dict[str, Any]) -> str:
    body = tiktok_webhook(notification_type, data, SHOP)
    delivery_id = f"n-{len(body)}-{hash(body)}"
    store.deliveries.record("tiktok_shop", delivery_id, body, {"content-type": "application/json"}, T0)
    processor.handle(ShopDeliveryMessage(source="tiktok_shop", delivery_id=delivery_id))
    return delivery_id


def deliver_shopify(
    store: Store, processor: Processor, topic: str, payload: dict[str, Any], event_id: str
) -> None:
    store.deliveries.record(
        "shopify", event_id, json.dumps(payload).encode(), shopify_headers(topic, event_id=event_id), T0
    )
    processor.handle(ShopDeliveryMessage(source="shopify", delivery_id=event_id))


def test_a_tiktok_status_change_fetches_the_order_and_stores_its_packages(
    store: Store, processor: Processor, tiktok: FakeTikTokOrders
) -> None:
    tiktok.orders[ORDER] = tiktok_order(ORDER)

    delivery_id = deliver_tiktok(
        store, processor, 1, {"order_id": ORDER, "order_status": "AWAITING_COLLECTION", "update_time": 1}
    )

    view = store.orders.view(SHOP, ORDER)
    assert view.order is not None
    assert (view.order.status, view.order.destination.postal_code) == ("AWAITING_COLLECTION", "95110")
    assert [(p.package_id, p.tracking_number, p.declared_carrier) for p in view.packages] == [
        ("1152321127278713123", "1Z5R89390357567127", "ups")
    ]
    assert view.packages[0].number_first_seen_at == T0 + timedelta(hours=1)
    assert tiktok.fetches == [(SHOP, (ORDER,))]
    stored = store.deliveries.get("tiktok_shop", delivery_id)
    assert stored is not None
    assert stored.status is DeliveryStatus.PROCESSED


def test_a_processed_delivery_is_not_applied_again(
    store: Store, processor: Processor, tiktok: FakeTikTokOrders
) -> None:
    tiktok.orders[ORDER] = tiktok_order(ORDER)
    delivery_id = deliver_tiktok(
        store, processor, 1, {"order_id": ORDER, "order_status": "IN_TRANSIT", "update_time": 1}
    )

    processor.handle(ShopDeliveryMessage(source="tiktok_shop", delivery_id=delivery_id))

    assert len(tiktok.fetches) == 1


def test_an_older_order_update_does_not_overwrite_a_newer_one(
    store: Store, processor: Processor, tiktok: FakeTikTokOrders
) -> None:
    tiktok.orders[ORDER] = tiktok_order(ORDER, status="IN_TRANSIT", updated=T0 + timedelta(hours=5))
    deliver_tiktok(store, processor, 1, {"order_id": ORDER, "order_status": "IN_TRANSIT", "update_time": 5})
    tiktok.orders[ORDER] = tiktok_order(ORDER, status="AWAITING_SHIPMENT", updated=T0 + timedelta(hours=2))

    deliver_tiktok(store, processor, 3, {"order_id": ORDER, "update_time": 2})

    order = store.orders.view(SHOP, ORDER).order
    assert order is not None
    assert order.status == "IN_TRANSIT"


def test_combined_orders_share_their_package_without_a_duplicate_flag(
    store: Store, processor: Processor, tiktok: FakeTikTokOrders
) -> None:
    shared = (("pkg-9", "1Z5R89390357567127", "UPS"),)
    tiktok.orders["o-a"] = tiktok_order("o-a", packages=shared)
    tiktok.orders["o-b"] = tiktok_order("o-b", packages=shared)

    deliver_tiktok(
        store,
        processor,
        4,
        {
            "sc_type": "COMBINE",
            "package_list": [{"package_id": "pkg-9", "order_id_list": ["o-a", "o-b"]}],
            "update_time": 1,
        },
    )

    packages = {o: store.orders.view(SHOP, o).packages[0] for o in ("o-a", "o-b")}
    assert packages["o-a"].combined_order_ids == ("o-b",)
    assert packages["o-b"].combined_order_ids == ("o-a",)
    assert store.flags.list(SHOP, FlagStatus.OPEN, FlagCode.DUPLICATE_TRACKING).flags == ()


def test_a_deauthorized_shop_is_no_longer_fetched(
    store: Store, processor: Processor, tiktok: FakeTikTokOrders
) -> None:
    deliver_tiktok(store, processor, 6, {"message": "deauthorized"})

    deliver_tiktok(store, processor, 1, {"order_id": ORDER, "order_status": "IN_TRANSIT", "update_time": 1})

    assert tiktok.fetches == []


def test_an_upcoming_authorization_expiration_raises_the_seller_flag_once(
    store: Store, processor: Processor, tiktok: FakeTikTokOrders
) -> None:
    store.sellers.set_shop_authorized(SHOP, True, T0)
    warning = {"message": "Authorization of shop_id is expiring in 30 days.", "expiration_time": "1798761600"}

    deliver_tiktok(store, processor, 7, warning)
    deliver_tiktok(store, processor, 7, {**warning, "message": "expiring in 29 days."})

    [flag] = store.flags.list(SHOP, FlagStatus.OPEN).flags
    assert (flag.code, flag.order_id, flag.evidence["expiration_time"]) == (
        FlagCode.REAUTHORIZATION_NEEDED,
        None,
        1798761600,
    )
    assert tiktok.fetches == []


def test_a_cancelled_order_is_marked_cancelled(
    store: Store, processor: Processor, tiktok: FakeTikTokOrders
) -> None:
    tiktok.orders[ORDER] = tiktok_order(ORDER, status="CANCELLED", updated=T0 + timedelta(hours=1))

    deliver_tiktok(
        store,
        processor,
        11,
        {"order_id": ORDER, "cancel_status": "CANCELLATION_REQUEST_COMPLETE", "create_time": 1},
    )

    order = store.orders.view(SHOP, ORDER).order
    assert order is not None
    assert order.cancelled is True


def test_a_failed_fetch_marks_the_delivery_failed_and_fails_the_message(
    store: Store, processor: Processor, tiktok: FakeTikTokOrders
) -> None:
    tiktok.failure = TimeoutError("TikTok Shop API timed out")

    with pytest.raises(TimeoutError):
        deliver_tiktok(
            store, processor, 1, {"order_id": ORDER, "order_status": "IN_TRANSIT", "update_time": 1}
        )

    failed = store.deliveries.received_between("tiktok_shop", T0, T0 + timedelta(seconds=1))
    assert [(d.status, d.error) for d in failed] == [(DeliveryStatus.FAILED, "TikTok Shop API timed out")]


def test_a_shopify_order_and_its_fulfillment_with_two_numbers(store: Store, processor: Processor) -> None:
    shop = "acme.myshopify.com"
    deliver_shopify(store, processor, "orders/create", shopify_order(), "e-1")
    fulfillment = shopify_fulfillment(numbers=("1Z5R89390357567127", "9400111206206406260787"), company="UPS")

    deliver_shopify(store, processor, "fulfillments/create", fulfillment, "e-2")

    view = store.orders.view(shop, "820982911946154508")
    assert view.order is not None
    assert view.order.destination.postal_code == "10001"
    assert [(p.package_id, p.tracking_number) for p in view.packages] == [
        ("255858046-1", "1Z5R89390357567127"),
        ("255858046-2", "9400111206206406260787"),
    ]


def test_a_number_of_another_carrier_is_flagged_at_once(store: Store, processor: Processor) -> None:
    deliver_shopify(store, processor, "orders/create", shopify_order(), "e-1")

    deliver_shopify(
        store,
        processor,
        "fulfillments/create",
        shopify_fulfillment(numbers=("9400111206206406260787",)),
        "e-2",
    )

    codes = [flag.code for flag in store.flags.list("acme.myshopify.com", FlagStatus.OPEN).flags]
    assert codes == [FlagCode.CARRIER_MISMATCH]


def test_carrier_events_update_the_package_state(
    store: Store, processor: Processor, tiktok: FakeTikTokOrders
) -> None:
    tiktok.orders[ORDER] = tiktok_order(ORDER)
    deliver_tiktok(store, processor, 1, {"order_id": ORDER, "order_status": "IN_TRANSIT", "update_time": 1})
    store.tracking.put_events([an_event(TrackingStatus.DELIVERED, T0 + timedelta(days=3), code="D")])

    processor.handle(TrackingUpdateMessage(numbers=("1Z5R89390357567127",)))

    assert store.orders.view(SHOP, ORDER).packages[0].state.status is TrackingStatus.DELIVERED


def test_a_batch_fetches_its_tiktok_orders_together(
    store: Store, processor: Processor, tiktok: FakeTikTokOrders
) -> None:
    messages = []
    for order_id in ("o-1", "o-2", "o-3"):
        tiktok.orders[order_id] = tiktok_order(order_id, packages=((f"pkg-{order_id}", None, "UPS"),))
        body = tiktok_webhook(
            1, {"order_id": order_id, "order_status": "AWAITING_SHIPMENT", "update_time": 1}, SHOP
        )
        store.deliveries.record("tiktok_shop", order_id, body, {"content-type": "application/json"}, T0)
        messages.append(ShopDeliveryMessage(source="tiktok_shop", delivery_id=order_id))

    processor.start_batch(messages)
    for message in messages:
        processor.handle(message)

    assert tiktok.fetches == [(SHOP, ("o-1", "o-2", "o-3"))]
    assert all(store.orders.view(SHOP, o).order is not None for o in ("o-1", "o-2", "o-3"))


def test_a_failed_prefetch_falls_back_to_fetching_per_delivery(
    store: Store, processor: Processor, tiktok: FakeTikTokOrders
) -> None:
    tiktok.orders[ORDER] = tiktok_order(ORDER)
    body = tiktok_webhook(1, {"order_id": ORDER, "order_status": "IN_TRANSIT", "update_time": 1}, SHOP)
    store.deliveries.record("tiktok_shop", "d-1", body, {"content-type": "application/json"}, T0)
    message = ShopDeliveryMessage(source="tiktok_shop", delivery_id="d-1")
    tiktok.failure = ConnectionError("TikTok unreachable")
    processor.start_batch([message])
    tiktok.failure = None

    processor.handle(message)

    assert len(tiktok.fetches) == 2
    assert store.orders.view(SHOP, ORDER).order is not None
