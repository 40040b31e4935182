"""MISSING_TRACKING: shipped without a number for 24 h, or paid and unshipped without one for 72 h."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.builders import T0, a_package, an_order
from tests.unit.rules.helpers import cancelled, facts_of
from trackguard.domain.orders import Order, Platform
from trackguard.domain.status import FlagCode, Severity
from trackguard.rules.missing_tracking import missing_tracking
from trackguard.rules.thresholds import Thresholds

SHIPPED_AT = T0 + timedelta(hours=2)
PAID_AT = T0 + timedelta(minutes=5)
NUMBERLESS = a_package(tracking_number=None)


def shipped_order(status: str = "AWAITING_COLLECTION", platform: Platform = Platform.TIKTOK_SHOP) -> Order:
    return an_order(status=status, platform=platform, shipped_at=SHIPPED_AT)


@pytest.mark.parametrize("status", ["AWAITING_COLLECTION", "IN_TRANSIT", "PARTIALLY_SHIPPING"])
def test_a_tiktok_shipped_package_without_number_after_24_hours(status: str) -> None:
    facts = facts_of(NUMBERLESS, order=shipped_order(status), as_of=SHIPPED_AT + timedelta(hours=24))

    [finding] = missing_tracking(facts)

    assert finding.code is FlagCode.MISSING_TRACKING
    assert finding.severity is Severity.HIGH
    assert finding.package_id == "p-1"
    assert finding.tracking_number is None
    assert finding.evidence == {"shipped_at": SHIPPED_AT.isoformat()}
    assert "24 hours ago" in finding.message
    assert "TikTok Seller Center" in finding.message


@pytest.mark.parametrize("status", ["fulfilled", "partial"])
def test_a_shopify_fulfilled_package_without_number(status: str) -> None:
    order = shipped_order(status, Platform.SHOPIFY)
    facts = facts_of(NUMBERLESS, order=order, as_of=SHIPPED_AT + timedelta(hours=30))

    [finding] = missing_tracking(facts)

    assert "Shopify" in finding.message


def test_one_hour_short_of_the_threshold_is_quiet() -> None:
    facts = facts_of(NUMBERLESS, order=shipped_order(), as_of=SHIPPED_AT + timedelta(hours=23))

    assert missing_tracking(facts) == []


def test_the_package_shipped_time_starts_the_clock() -> None:
    package = a_package(tracking_number=None, shipped_at=T0 + timedelta(hours=10))
    order = an_order(status="AWAITING_SHIPMENT")

    assert missing_tracking(facts_of(package, order=order, as_of=T0 + timedelta(hours=33))) == []
    assert len(missing_tracking(facts_of(package, order=order, as_of=T0 + timedelta(hours=34)))) == 1


def test_the_status_without_a_shipped_time_counts_from_the_last_platform_update() -> None:
    order = an_order(status="IN_TRANSIT", source_updated_at=T0 + timedelta(hours=5))

    assert missing_tracking(facts_of(NUMBERLESS, order=order, as_of=T0 + timedelta(hours=28))) == []
    assert len(missing_tracking(facts_of(NUMBERLESS, order=order, as_of=T0 + timedelta(hours=29)))) == 1


def test_shipped_packages_are_known_before_the_order() -> None:
    package = a_package(tracking_number="  ", shipped_at=SHIPPED_AT)

    [finding] = missing_tracking(facts_of(package, order=None, as_of=SHIPPED_AT + timedelta(hours=24)))

    assert finding.package_id == "p-1"


def test_a_shipped_order_without_packages_is_an_order_level_finding() -> None:
    facts = facts_of(order=shipped_order(), as_of=SHIPPED_AT + timedelta(hours=24))

    [finding] = missing_tracking(facts)

    assert finding.package_id is None
    assert finding.evidence["packages"] == 0


def test_only_the_numberless_package_is_flagged() -> None:
    numbered = a_package(package_id="p-2")
    facts = facts_of(NUMBERLESS, numbered, order=shipped_order(), as_of=SHIPPED_AT + timedelta(hours=48))

    assert [finding.package_id for finding in missing_tracking(facts)] == ["p-1"]


def test_partial_shipment_counts_only_packages_that_shipped() -> None:
    unshipped = a_package(package_id="p-2", tracking_number=None)
    numbered = a_package(package_id="p-3")
    facts = facts_of(
        unshipped, numbered, order=shipped_order("PARTIALLY_SHIPPING"), as_of=SHIPPED_AT + timedelta(hours=48)
    )

    assert missing_tracking(facts) == []


def test_a_number_added_ends_it() -> None:
    facts = facts_of(a_package(), order=shipped_order(), as_of=SHIPPED_AT + timedelta(days=3))

    assert missing_tracking(facts) == []


def test_paid_and_unshipped_without_number_after_72_hours() -> None:
    order = an_order()

    [finding] = missing_tracking(facts_of(order=order, as_of=PAID_AT + timedelta(hours=72)))

    assert finding.package_id is None
    assert finding.evidence == {"paid_at": PAID_AT.isoformat(), "packages": 0}
    assert "o-1" in finding.message
    assert "72 hours ago" in finding.message


def test_paid_and_unshipped_is_quiet_an_hour_before() -> None:
    assert missing_tracking(facts_of(as_of=PAID_AT + timedelta(hours=71))) == []


def test_paid_and_unshipped_flags_each_numberless_package() -> None:
    facts = facts_of(
        NUMBERLESS, a_package(package_id="p-2", tracking_number=None), as_of=T0 + timedelta(days=4)
    )

    assert sorted(finding.package_id or "" for finding in missing_tracking(facts)) == ["p-1", "p-2"]


def test_paid_with_a_number_on_a_package_is_fine() -> None:
    facts = facts_of(NUMBERLESS, a_package(package_id="p-2"), as_of=T0 + timedelta(days=4))

    assert missing_tracking(facts) == []


def test_unpaid_orders_are_not_judged() -> None:
    order = an_order(paid_at=None, status="UNPAID")

    assert missing_tracking(facts_of(order=order, as_of=T0 + timedelta(days=10))) == []


def test_thresholds_come_from_settings() -> None:
    thresholds = Thresholds(missing_tracking_shipped_hours=6, missing_tracking_paid_hours=12)
    shipped = facts_of(
        NUMBERLESS, order=shipped_order(), as_of=SHIPPED_AT + timedelta(hours=6), thresholds=thresholds
    )
    paid = facts_of(order=an_order(), as_of=PAID_AT + timedelta(hours=12), thresholds=thresholds)

    assert len(missing_tracking(shipped)) == 1
    assert len(missing_tracking(paid)) == 1


@pytest.mark.parametrize("status", ["DELIVERED", "COMPLETED"])
def test_a_delivered_order_is_past_saving(status: str) -> None:
    order = an_order(status=status, shipped_at=SHIPPED_AT)

    assert missing_tracking(facts_of(NUMBERLESS, order=order, as_of=T0 + timedelta(days=5))) == []


def test_cancelled_orders_give_no_findings() -> None:
    order = cancelled(shipped_order())

    assert missing_tracking(facts_of(NUMBERLESS, order=order, as_of=T0 + timedelta(days=5))) == []
    assert missing_tracking(facts_of(order=cancelled(), as_of=T0 + timedelta(days=5))) == []
