"""VTR counters and the report's contents against DynamoDB Local."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.support.builders import T0, a_flag, a_package, an_order
from tests.support.fakes import RecordingPublisher
from trackguard.domain.flags import Flag, new_flag_id
from trackguard.domain.orders import OrderSnapshot
from trackguard.domain.sellers import Seller
from trackguard.domain.status import FlagCode, Severity
from trackguard.services.order_writer import OrderWriter
from trackguard.services.reports import ReportBuilder, render
from trackguard.services.shipments import ShipmentUpdater
from trackguard.storage.stats import StatsRepository
from trackguard.storage.store import Store

pytestmark = pytest.mark.integration

AS_OF = datetime(2026, 11, 3, 16, 0, tzinfo=UTC)


@pytest.fixture
def stats(store: Store) -> StatsRepository:
    return StatsRepository(store.table)


def test_the_order_writer_counts_each_package_once_on_the_day_its_number_is_first_seen(
    store: Store, stats: StatsRepository
) -> None:
    writer = OrderWriter(store, ShipmentUpdater(store, RecordingPublisher()))
    order = an_order()
    first = a_package(package_id="p-1")
    writer.save(OrderSnapshot("shop-1", "o-1", order, (first,)), T0)
    writer.save(OrderSnapshot("shop-1", "o-1", None, (first,)), T0 + timedelta(hours=1))
    corrected = first.model_copy(update={"tracking_number": "9400111899223334445566"})
    writer.save(OrderSnapshot("shop-1", "o-1", None, (corrected,)), T0 + timedelta(days=1))
    no_number = a_package(package_id="p-2", tracking_number=None)
    writer.save(OrderSnapshot("shop-1", "o-1", None, (no_number,)), T0)
    assert stats.packages_with_number("shop-1", date(2026, 11, 1), date(2026, 11, 5)) == {
        date(2026, 11, 2): 1
    }
    writer.save(OrderSnapshot("shop-1", "o-1", None, (a_package(package_id="p-3"),)), T0 + timedelta(days=1))
    assert stats.packages_with_number("shop-1", date(2026, 11, 1), date(2026, 11, 5)) == {
        date(2026, 11, 2): 1,
        date(2026, 11, 3): 1,
    }


def test_invalid_packages_are_the_invalid_codes_in_the_window_once_per_package(
    store: Store, stats: StatsRepository
) -> None:
    since = datetime(2026, 10, 27, tzinfo=UTC)
    for flag in (
        a_flag(package_id="p-1", code=FlagCode.NO_CARRIER_SCAN, detected_at=since + timedelta(days=1)),
        a_flag(package_id="p-1", code=FlagCode.DESTINATION_MISMATCH, detected_at=since + timedelta(days=3)),
        a_flag(package_id="p-2", code=FlagCode.CARRIER_MISMATCH, detected_at=since + timedelta(days=2)),
        a_flag(package_id="p-3", code=FlagCode.STALLED_IN_TRANSIT, detected_at=since + timedelta(days=2)),
        a_flag(package_id="p-4", code=FlagCode.SCAN_BEFORE_ORDER, detected_at=since - timedelta(minutes=1)),
        a_flag(package_id="p-5", code=FlagCode.DUPLICATE_TRACKING, detected_at=AS_OF + timedelta(hours=1)),
        a_flag(seller_id="shop-2", package_id="p-6", code=FlagCode.NO_CARRIER_SCAN, detected_at=since),
    ):
        assert store.flags.raise_flag(flag)
    found = stats.invalid_packages("shop-1", since, AS_OF)
    assert [(package.package_id, package.day) for package in found] == [
        ("p-1", date(2026, 10, 28)),
        ("p-2", date(2026, 10, 29)),
    ]


def test_the_report_holds_open_and_newly_resolved_flags_with_carriers_counts_and_vtr(
    store: Store, stats: StatsRepository
) -> None:
    store.orders.save_order(an_order(order_id="o-1"))
    store.orders.save_package(a_package(order_id="o-1", package_id="p-1", detected_carrier="ups"), None)
    for index in range(20):
        stats.count_package_with_number("shop-1", f"o-{index}", f"p-{index}", AS_OF - timedelta(days=2))
    open_flag = a_flag(
        order_id="o-1", package_id="p-1", code=FlagCode.NO_CARRIER_SCAN, detected_at=AS_OF - timedelta(days=1)
    )
    acknowledged = a_flag(
        order_id="o-2",
        package_id="p-2",
        code=FlagCode.NO_CARRIER_SCAN,
        detected_at=AS_OF - timedelta(hours=30),
    )
    recent = a_flag(
        order_id="o-3",
        package_id="p-3",
        code=FlagCode.CARRIER_MISMATCH,
        detected_at=AS_OF - timedelta(days=2),
    )
    old = a_flag(
        order_id="o-4",
        package_id="p-4",
        code=FlagCode.STALLED_IN_TRANSIT,
        detected_at=AS_OF - timedelta(days=9),
    )
    later = a_flag(
        order_id="o-5", package_id="p-5", code=FlagCode.CUSTOMS_HOLD, detected_at=AS_OF + timedelta(hours=2)
    )
    for flag in (open_flag, acknowledged, recent, old, later):
        store.flags.raise_flag(flag)
    store.flags.acknowledge("shop-1", acknowledged.flag_id, AS_OF - timedelta(hours=5))
    store.flags.resolve(recent, AS_OF - timedelta(hours=2), "number corrected")
    store.flags.resolve(old, AS_OF - timedelta(days=3), "moving again")
    seller = Seller(seller_id="shop-1", platform="tiktok_shop", created_at=T0, timezone="America/Los_Angeles")

    report = ReportBuilder(store, stats, now=lambda: AS_OF).build(seller, AS_OF, date(2026, 11, 3))

    assert [flag.flag_id for flag in report.open_flags] == [open_flag.flag_id, acknowledged.flag_id]
    assert [flag.status.value for flag in report.open_flags] == ["open", "acknowledged"]
    assert [flag.flag_id for flag in report.resolved_flags] == [recent.flag_id]
    assert report.open_flags[0].carrier == "ups"
    assert report.open_flags[1].carrier is None
    assert report.counts == {"NO_CARRIER_SCAN": 2}
    assert report.timezone == "America/Los_Angeles"
    seven = report.valid_tracking_rate.last_7_days
    assert (seven.packages, seven.invalid_packages) == (20, 3)
    assert seven.rate == pytest.approx(17 / 20)
    assert seven.meets_threshold is False


def test_a_seller_level_flag_is_in_the_report_and_its_files(store: Store, stats: StatsRepository) -> None:
    reauthorize = Flag(
        flag_id=new_flag_id(int((AS_OF - timedelta(hours=3)).timestamp() * 1000)),
        seller_id="shop-1",
        code=FlagCode.REAUTHORIZATION_NEEDED,
        severity=Severity.HIGH,
        detected_at=AS_OF - timedelta(hours=3),
        message="TikTok Shop says trackguard's authorisation for shop shop-1 expires on 2026-12-01.",
    )
    assert store.flags.raise_flag(reauthorize)
    seller = Seller(seller_id="shop-1", platform="tiktok_shop", created_at=T0)

    report = ReportBuilder(store, stats, now=lambda: AS_OF).build(seller, AS_OF, date(2026, 11, 3))
    rendered = render(report)

    [listed] = report.open_flags
    assert (listed.flag_id, listed.order_id, listed.carrier) == (reauthorize.flag_id, None, None)
    assert "authorisation link" in listed.what_to_do
    assert report.counts == {"REAUTHORIZATION_NEEDED": 1}
    [row] = rendered.bodies["csv"].decode().splitlines()[1:]
    assert row.startswith(",,,,REAUTHORIZATION_NEEDED,high,open,")
    assert b"whole shop" in rendered.bodies["html"]
