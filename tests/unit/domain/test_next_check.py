"""When an order is next due for a check: sooner while young, never once it can no longer matter."""

from __future__ import annotations

from datetime import timedelta

from tests.support.builders import T0, a_package, an_order
from trackguard.domain.orders import ShipmentState
from trackguard.services.judging import next_check_time
from trackguard.storage.orders import OrderView


def test_a_young_order_is_checked_hourly() -> None:
    assert next_check_time(OrderView(an_order()), T0 + timedelta(hours=5)) == T0 + timedelta(hours=6)


def test_checks_back_off_as_the_order_ages() -> None:
    as_of = T0 + timedelta(days=10)

    assert next_check_time(OrderView(an_order()), as_of) == as_of + timedelta(hours=12)


def test_a_cancelled_order_is_not_checked_again() -> None:
    assert next_check_time(OrderView(an_order(cancelled=True)), T0 + timedelta(hours=1)) is None


def test_an_order_is_not_watched_after_sixty_days() -> None:
    assert next_check_time(OrderView(an_order()), T0 + timedelta(days=61)) is None


def test_checks_stop_three_days_after_every_package_is_delivered() -> None:
    delivered = a_package(state=ShipmentState(delivered_at=T0 + timedelta(days=4)))
    view = OrderView(an_order(), packages=(delivered,))

    assert next_check_time(view, T0 + timedelta(days=6)) is not None
    assert next_check_time(view, T0 + timedelta(days=7)) is None


def test_one_undelivered_package_keeps_the_order_watched() -> None:
    delivered = a_package(state=ShipmentState(delivered_at=T0 + timedelta(days=1)))
    view = OrderView(an_order(), packages=(delivered, a_package(package_id="p-2")))

    assert next_check_time(view, T0 + timedelta(days=9)) is not None
