"""Judging an order raises each flag once, resolves it when its condition stops, and reschedules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.builders import T0, a_package, an_event, an_order
from tests.support.fakes import RecordingPublisher
from trackguard.domain.status import FlagCode, FlagStatus, TrackingStatus
from trackguard.rules.thresholds import Thresholds
from trackguard.services.judging import OrderJudge
from trackguard.services.shipments import ShipmentUpdater
from trackguard.storage.store import Store

pytestmark = pytest.mark.integration
NUMBER = "1Z5R89390357567127"


@pytest.fixture
def publisher() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def judge(store: Store, publisher: RecordingPublisher) -> OrderJudge:
    return OrderJudge(store, publisher, Thresholds())


def given_an_order_with_a_number(
    store: Store, order_id: str = "o-1", combined_order_ids: tuple[str, ...] = ()
) -> None:
    store.orders.save_order(an_order(order_id=order_id))
    store.orders.save_package(
        a_package(order_id=order_id, number_first_seen_at=T0, combined_order_ids=combined_order_ids),
        previous=None,
    )


def codes(store: Store, status: FlagStatus) -> list[FlagCode]:
    return sorted(flag.code for flag in store.flags.list("shop-1", status).flags)


def test_a_flag_is_raised_once_and_resolved_when_the_scan_arrives(
    store: Store, judge: OrderJudge, publisher: RecordingPublisher
) -> None:
    given_an_order_with_a_number(store)

    first = judge.judge("shop-1", "o-1", T0 + timedelta(hours=25))
    again = judge.judge("shop-1", "o-1", T0 + timedelta(hours=26))

    assert [flag.code for flag in first.raised] == [FlagCode.NO_CARRIER_SCAN]
    assert again.raised == ()
    assert codes(store, FlagStatus.OPEN) == [FlagCode.NO_CARRIER_SCAN]

    store.tracking.put_events([an_event(TrackingStatus.IN_TRANSIT, T0 + timedelta(hours=27), NUMBER)])
    ShipmentUpdater(store, publisher).refresh([NUMBER], T0 + timedelta(hours=27))
    after = judge.judge("shop-1", "o-1", T0 + timedelta(hours=28))

    assert [flag.code for flag in after.resolved] == [FlagCode.NO_CARRIER_SCAN]
    assert after.resolved[0].resolution == "The carrier has scanned the parcel."
    assert codes(store, FlagStatus.OPEN) == []
    assert [event["code"] for event in publisher.of_type("ShipmentFlagged")] == ["NO_CARRIER_SCAN"]
    assert [event["code"] for event in publisher.of_type("FlagResolved")] == ["NO_CARRIER_SCAN"]


def test_nothing_is_raised_before_the_threshold(store: Store, judge: OrderJudge) -> None:
    given_an_order_with_a_number(store)

    assert judge.judge("shop-1", "o-1", T0 + timedelta(hours=23)).raised == ()


def test_judging_reschedules_the_order_in_the_due_index(store: Store, judge: OrderJudge) -> None:
    given_an_order_with_a_number(store)

    judgement = judge.judge("shop-1", "o-1", T0 + timedelta(hours=2))

    due = [
        order.order_id
        for shard in range(store.orders.due_shards)
        for order in store.orders.due_orders(shard, T0 + timedelta(hours=3), limit=10)[0]
    ]
    assert judgement.next_check_at == T0 + timedelta(hours=3)
    assert due == ["o-1"]


def test_a_number_on_two_orders_flags_both(store: Store, judge: OrderJudge) -> None:
    given_an_order_with_a_number(store, "o-1")
    given_an_order_with_a_number(store, "o-2")

    judge.judge("shop-1", "o-1", T0 + timedelta(hours=1))
    judge.judge("shop-1", "o-2", T0 + timedelta(hours=1))

    assert codes(store, FlagStatus.OPEN) == [FlagCode.DUPLICATE_TRACKING, FlagCode.DUPLICATE_TRACKING]


def test_orders_combined_by_the_platform_share_a_number_legitimately(store: Store, judge: OrderJudge) -> None:
    given_an_order_with_a_number(store, "o-1", combined_order_ids=("o-2",))
    given_an_order_with_a_number(store, "o-2", combined_order_ids=("o-1",))

    judge.judge("shop-1", "o-1", T0 + timedelta(hours=1))

    assert codes(store, FlagStatus.OPEN) == []


def test_an_orphan_event_is_attached_when_its_order_arrives(
    store: Store, publisher: RecordingPublisher
) -> None:
    store.tracking.put_events([an_event(TrackingStatus.DELIVERED, T0 + timedelta(days=2), NUMBER, code="D")])
    given_an_order_with_a_number(store)

    touched = ShipmentUpdater(store, publisher).refresh([NUMBER], T0 + timedelta(days=2))

    assert touched == {("shop-1", "o-1")}
    assert store.orders.view("shop-1", "o-1").packages[0].state.status is TrackingStatus.DELIVERED
    assert publisher.of_type("ShipmentStatusChanged")[0]["status"] == "DELIVERED"


def test_judging_after_new_data_never_looks_from_an_earlier_time(store: Store, judge: OrderJudge) -> None:
    """A reconciler run ahead of the clock (as_of) raised a flag; new data arriving at wall-clock time
    must not resolve it because 'now' is earlier than the instant the order was judged at."""
    given_an_order_with_a_number(store)
    ahead = judge.judge("shop-1", "o-1", T0 + timedelta(hours=26))

    caught_up = judge.judge("shop-1", "o-1", T0 + timedelta(hours=1), catch_up=True)
    looked_back = judge.judge("shop-1", "o-1", T0 + timedelta(hours=1))

    assert [flag.code for flag in ahead.raised] == [FlagCode.NO_CARRIER_SCAN]
    assert caught_up.resolved == ()
    assert [flag.code for flag in looked_back.resolved] == [FlagCode.NO_CARRIER_SCAN]
