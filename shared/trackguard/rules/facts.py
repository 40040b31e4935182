"""What every rule judges: one order (or its packages alone), as of one instant."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from trackguard.domain.flags import FlagFinding
from trackguard.domain.orders import Order, Package
from trackguard.rules.thresholds import Thresholds


@dataclass(frozen=True)
class OrderFacts:
    """An order, its packages and what is known about their numbers elsewhere.

    ``order`` is None while only packages are known (e.g. a Shopify fulfillment arrived first).
    ``numbers_elsewhere`` maps a tracking number to the (seller_id, order_id) of *other* orders carrying it.
    """

    order: Order | None
    packages: tuple[Package, ...]
    numbers_elsewhere: Mapping[str, tuple[tuple[str, str], ...]]
    as_of: datetime
    thresholds: Thresholds

    @property
    def is_cancelled(self) -> bool:
        return self.order is not None and self.order.cancelled

    @property
    def numbered_packages(self) -> tuple[Package, ...]:
        """The packages that carry a tracking number."""
        return tuple(package for package in self.packages if has_number(package))


Rule = Callable[[OrderFacts], list[FlagFinding]]


def has_number(package: Package) -> bool:
    return bool(package.tracking_number and package.tracking_number.strip())
