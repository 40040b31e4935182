"""A day of marketplace orders, planned in advance: sellers, orders, parcels, what each carrier will report,
and which faults are planted where (with every flag code each fault must raise).

The day starts ``DAY_AGE`` before now, so that every carrier event is in the past and the reconciler's
``as_of`` only has to move forward from now (the one clock trackguard keeps itself: when it first saw a
number). The same seed gives the same day, relative to that start.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from trackguard.domain.status import ORDER_CODES, FlagCode
from trackguard_dev.demo import numbers

DAY_AGE = timedelta(days=14)


class Step(StrEnum):
    """What a carrier reports, before each sender words it its own way."""

    LABEL = "label"
    PICKUP = "pickup"
    TRANSIT = "transit"
    CUSTOMS = "customs"
    CUSTOMS_INFO = "customs_info"
    CLEARED = "cleared"
    OUT = "out_for_delivery"
    DELIVERED = "delivered"
    FAILED = "failed"
    LOST = "lost"
    RETURNING = "returning"


class Platform(StrEnum):
    TIKTOK = "tiktok_shop"
    SHOPIFY = "shopify"


DOMESTIC = ("ups", "fedex", "usps", "dhl")
CROSS_BORDER = ("china_post", "yunexpress", "cainiao", "4px")
DISPLAY = {
    "ups": "UPS",
    "fedex": "FedEx",
    "usps": "USPS",
    "dhl": "DHL",
    "china_post": "China Post",
    "yunexpress": "YunExpress",
    "cainiao": "Cainiao",
    "4px": "4PX",
}
BUYERS = (
    ("78701", "Austin"),
    ("10001", "New York"),
    ("94107", "San Francisco"),
    ("60601", "Chicago"),
    ("98101", "Seattle"),
    ("33101", "Miami"),
    ("80202", "Denver"),
    ("02108", "Boston"),
)
TIMEZONES = (("America/Los_Angeles", 7), ("America/New_York", 8), ("Asia/Shanghai", 9), ("UTC", 6))


@dataclass(frozen=True)
class SellerPlan:
    seller_id: str
    platform: Platform
    timezone: str
    report_hour: int


@dataclass(frozen=True)
class TrackEvent:
    at: datetime
    step: Step
    city: str
    country: str


@dataclass(frozen=True)
class ParcelPlan:
    package_id: str
    number: str | None
    declared: str
    carrier: str
    origin_country: str
    destination_postal: str
    destination_country: str
    events: tuple[TrackEvent, ...] = ()


@dataclass(frozen=True)
class OrderPlan:
    seller: SellerPlan
    order_id: str
    created_at: datetime
    status: str
    buyer_postal: str
    buyer_country: str
    parcels: tuple[ParcelPlan, ...]
    fault: FlagCode | None = None
    expected: frozenset[FlagCode] = frozenset()

    @property
    def shipped_at(self) -> datetime:
        return self.created_at + timedelta(hours=6)


@dataclass(frozen=True)
class Combine:
    seller: SellerPlan
    package_id: str
    order_ids: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    day_start: datetime
    sellers: tuple[SellerPlan, ...]
    orders: tuple[OrderPlan, ...]
    combines: tuple[Combine, ...] = field(default=())

    def expected_flags(self) -> set[tuple[str, str, str]]:
        return {
            (order.seller.seller_id, order.order_id, code.value)
            for order in self.orders
            for code in order.expected
        }

    def planted(self) -> dict[str, int]:
        counts = {code.value: 0 for code in FlagCode if code in ORDER_CODES}
        for order in self.orders:
            for code in order.expected:
                counts[code.value] += 1
        return counts


class _Ids:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._seen: set[str] = set()

    def tiktok(self) -> str:
        return self._unique(lambda: "5764" + "".join(self._rng.choice("0123456789") for _ in range(14)))

    def shopify(self) -> str:
        return self._unique(lambda: "57361" + "".join(self._rng.choice("0123456789") for _ in range(8)))

    def package(self) -> str:
        return self._unique(lambda: "1152" + "".join(self._rng.choice("0123456789") for _ in range(15)))

    def _unique(self, make: Callable[[], str]) -> str:
        value = make()
        while value in self._seen:
            value = make()
        self._seen.add(value)
        return value


class Planner:
    """Builds one day: ``orders`` in all, with one of each fault per ``faults_every`` clean orders."""

    def __init__(self, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (a reproducible demo, not a secret)
        self.ids = _Ids(self.rng)
        self.day_start = (now - DAY_AGE).replace(minute=0, second=0, microsecond=0)

    def sellers(self) -> tuple[SellerPlan, ...]:
        names = (
            ("7494049642642441621", Platform.TIKTOK),
            ("7494051177263384327", Platform.TIKTOK),
            ("trail-gear.myshopify.com", Platform.SHOPIFY),
            ("lumen-home.myshopify.com", Platform.SHOPIFY),
        )
        return tuple(
            SellerPlan(seller_id, platform, *TIMEZONES[index])
            for index, (seller_id, platform) in enumerate(names)
        )

    def order(self, seller: SellerPlan, *, cross_border: bool, parcels: int = 1) -> OrderPlan:
        created = self.day_start + timedelta(minutes=self.rng.randrange(0, 24 * 60))
        postal, city = self.rng.choice(BUYERS)
        carrier = self.rng.choice(CROSS_BORDER if cross_border else DOMESTIC)
        order_id = self.ids.tiktok() if seller.platform is Platform.TIKTOK else self.ids.shopify()
        plan = OrderPlan(seller, order_id, created, _shipped_status(seller), postal, "US", ())
        return replace(
            plan, parcels=tuple(self.delivered_parcel(plan, carrier, city) for _ in range(parcels))
        )

    def delivered_parcel(self, order: OrderPlan, carrier: str, city: str) -> ParcelPlan:
        origin = "CN" if carrier in CROSS_BORDER else "US"
        start = order.shipped_at + timedelta(minutes=self.rng.randrange(0, 120))
        steps = [Step.LABEL, Step.PICKUP, Step.TRANSIT]
        if carrier in CROSS_BORDER:
            steps += [Step.TRANSIT, Step.CUSTOMS, Step.CLEARED, Step.TRANSIT]
        steps += [Step.OUT, Step.DELIVERED]
        spacing = timedelta(hours=30 if carrier in CROSS_BORDER else 14)
        events = tuple(
            TrackEvent(
                start + index * spacing + timedelta(minutes=self.rng.randrange(0, 90)),
                step,
                city if step in (Step.OUT, Step.DELIVERED) else _hub(origin, index),
                "US" if step in (Step.OUT, Step.DELIVERED, Step.CLEARED) else origin,
            )
            for index, step in enumerate(steps)
        )
        return ParcelPlan(
            package_id=self.ids.package(),
            number=numbers.valid_number(carrier, self.rng),
            declared=carrier,
            carrier=carrier,
            origin_country=origin,
            destination_postal=order.buyer_postal,
            destination_country=order.buyer_country,
            events=events,
        )


def _shipped_status(seller: SellerPlan) -> str:
    return "IN_TRANSIT" if seller.platform is Platform.TIKTOK else "fulfilled"


def _hub(country: str, index: int) -> str:
    hubs = {"US": ("Louisville", "Memphis", "Indianapolis"), "CN": ("Shenzhen", "Guangzhou", "Shanghai")}
    return hubs[country][index % 3]
