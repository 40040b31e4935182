"""Builders for rule tests: one order's facts, and a package in a given carrier state."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tests.support.builders import T0, a_package, an_order
from trackguard.domain.orders import Order, Package, ShipmentState
from trackguard.rules.facts import OrderFacts
from trackguard.rules.thresholds import Thresholds

DEFAULT_ORDER = an_order()


def facts_of(
    *packages: Package,
    order: Order | None = DEFAULT_ORDER,
    as_of: datetime = T0,
    elsewhere: Mapping[str, tuple[tuple[str, str], ...]] | None = None,
    thresholds: Thresholds | None = None,
) -> OrderFacts:
    return OrderFacts(
        order=order,
        packages=packages,
        numbers_elsewhere=elsewhere or {},
        as_of=as_of,
        thresholds=thresholds or Thresholds(),
    )


def a_package_in(package_id: str = "p-1", **state: Any) -> Package:
    """A package whose carrier state has the given fields."""
    return a_package(package_id=package_id, state=ShipmentState(**state))


def cancelled(order: Order = DEFAULT_ORDER) -> Order:
    return order.model_copy(update={"cancelled": True})
