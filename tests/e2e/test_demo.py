"""`trackguard demo` through the real local stack: a small day, every planted fault flagged, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.stacks import Stack
from trackguard_dev.demo.day import plan_day
from trackguard_dev.demo.driver import driving
from trackguard_dev.demo.scoring import score
from trackguard_dev.demo.stack import handle_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_a_small_demo_day_is_flagged_exactly_as_planted(real_stack: Stack, tmp_path: Path) -> None:
    handle = handle_for(real_stack.state_dir)
    assert handle is not None
    scenario = plan_day(seed=11, orders=40, now=datetime.now(UTC))

    with driving(handle, scenario, reports_dir=tmp_path) as driver:
        observed = driver.run()
    result = score(scenario.expected_flags(), observed.flags)

    assert all(row.planted > 0 for row in result.rows)
    assert sorted(result.missed) == []
    assert sorted(result.false) == []
    assert (result.precision, result.recall) == (1.0, 1.0)
    assert all(
        (tmp_path / seller.seller_id / "latest.html").stat().st_size > 0 for seller in scenario.sellers
    )
    shop, carrier = observed.median_ms("shop"), observed.median_ms("carrier")
    print(f"\nmedian webhook answer: shop {shop:.1f} ms, carrier {carrier:.1f} ms")
