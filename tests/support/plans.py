"""Random orders and parcels for the suites and benchmarks that drive a running stack over HTTP.

Numbers are valid for their carrier (trackguard_dev.demo.numbers) and ids are random, so runs against
one stack never collide.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from trackguard_dev.demo import numbers
from trackguard_dev.demo.scenario import OrderPlan, ParcelPlan, SellerPlan, Step, TrackEvent

STEPS = (Step.LABEL, Step.PICKUP, Step.OUT)

rng = random.Random()


def digits(count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def parcel(carrier: str, events: tuple[TrackEvent, ...] = ()) -> ParcelPlan:
    return ParcelPlan(
        package_id="1152" + digits(15),
        number=numbers.valid_number(carrier, rng),
        declared=carrier,
        carrier=carrier,
        origin_country="CN" if carrier == "china_post" else "US",
        destination_postal="78701",
        destination_country="US",
        events=events,
    )


def recent_events(country: str) -> tuple[TrackEvent, ...]:
    """Label, pickup and out for delivery over the last hours: recent enough not to be polled."""
    now = datetime.now(UTC)
    return tuple(
        TrackEvent(now - timedelta(hours=len(STEPS) - index), step, "Austin", country)
        for index, step in enumerate(STEPS)
    )


def tiktok_order(seller: SellerPlan, shipped: ParcelPlan) -> OrderPlan:
    created = datetime.now(UTC) - timedelta(hours=8)
    return OrderPlan(seller, "5764" + digits(14), created, "IN_TRANSIT", "78701", "US", (shipped,))


def shopify_order(seller: SellerPlan, shipped: ParcelPlan) -> OrderPlan:
    created = datetime.now(UTC) - timedelta(hours=8)
    return OrderPlan(seller, "57361" + digits(8), created, "fulfilled", "78701", "US", (shipped,))
