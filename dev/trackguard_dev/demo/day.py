"""The planted faults, one function per flag code, and the day that mixes them into clean orders.

Each fault names every code it must raise: a mistyped number, for one, is never scanned by any carrier,
so it is also NO_CARRIER_SCAN once a day has passed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from trackguard.domain.status import FlagCode
from trackguard_dev.demo import numbers
from trackguard_dev.demo.scenario import (
    BUYERS,
    Combine,
    OrderPlan,
    Planner,
    Platform,
    Scenario,
    SellerPlan,
    Step,
    TrackEvent,
)

RECENT = timedelta(hours=20)


def _one_parcel(order: OrderPlan, **changes: Any) -> OrderPlan:
    return replace(order, parcels=(replace(order.parcels[0], **changes),))


def _faulted(order: OrderPlan, fault: FlagCode, *codes: FlagCode) -> OrderPlan:
    return replace(order, fault=fault, expected=frozenset({fault, *codes}))


def missing_tracking(planner: Planner, seller: SellerPlan) -> list[OrderPlan]:
    order = planner.order(seller, cross_border=False)
    status = "AWAITING_COLLECTION" if seller.platform is Platform.TIKTOK else "fulfilled"
    order = replace(_one_parcel(order, number=None, events=()), status=status)
    return [_faulted(order, FlagCode.MISSING_TRACKING)]


def invalid_tracking_format(planner: Planner, seller: SellerPlan) -> list[OrderPlan]:
    carrier = planner.rng.choice(numbers.CHECK_DIGIT_CARRIERS)
    order = planner.order(seller, cross_border=carrier == "china_post")
    typo = numbers.mistyped_number(carrier, planner.rng)
    order = _one_parcel(order, number=typo, carrier=carrier, declared=carrier, events=())
    return [_faulted(order, FlagCode.INVALID_TRACKING_FORMAT, FlagCode.NO_CARRIER_SCAN)]


def carrier_mismatch(planner: Planner, seller: SellerPlan) -> list[OrderPlan]:
    order = planner.order(seller, cross_border=False)
    parcel = order.parcels[0]
    declared = planner.rng.choice(
        [carrier for carrier in ("ups", "fedex", "usps") if carrier != parcel.carrier]
    )
    number = numbers.mismatched_number(parcel.number or "", declared)
    return [_faulted(_one_parcel(order, declared=declared, number=number), FlagCode.CARRIER_MISMATCH)]


def duplicate_tracking(planner: Planner, seller: SellerPlan) -> list[OrderPlan]:
    first = planner.order(seller, cross_border=False)
    second = planner.order(seller, cross_border=False)
    reused = replace(first.parcels[0], package_id=planner.ids.package())
    second = replace(
        second,
        created_at=first.created_at + timedelta(hours=1),
        buyer_postal=first.buyer_postal,
        parcels=(reused,),
    )
    return [_faulted(first, FlagCode.DUPLICATE_TRACKING), _faulted(second, FlagCode.DUPLICATE_TRACKING)]


def no_carrier_scan(planner: Planner, seller: SellerPlan) -> list[OrderPlan]:
    order = planner.order(seller, cross_border=planner.rng.random() < 0.5)
    label_only = order.parcels[0].events[:1]
    return [_faulted(_one_parcel(order, events=label_only), FlagCode.NO_CARRIER_SCAN)]


def scan_before_order(planner: Planner, seller: SellerPlan) -> list[OrderPlan]:
    order = planner.order(seller, cross_border=False)
    earlier = tuple(replace(event, at=event.at - timedelta(days=3)) for event in order.parcels[0].events)
    return [_faulted(_one_parcel(order, events=earlier), FlagCode.SCAN_BEFORE_ORDER)]


def destination_mismatch(planner: Planner, seller: SellerPlan) -> list[OrderPlan]:
    order = planner.order(seller, cross_border=planner.rng.random() < 0.5)
    elsewhere = planner.rng.choice([postal for postal, _ in BUYERS if postal != order.buyer_postal])
    return [_faulted(_one_parcel(order, destination_postal=elsewhere), FlagCode.DESTINATION_MISMATCH)]


def stalled_in_transit(planner: Planner, seller: SellerPlan) -> list[OrderPlan]:
    order = planner.order(seller, cross_border=False)
    stopped = order.parcels[0].events[:3]
    return [_faulted(_one_parcel(order, events=stopped), FlagCode.STALLED_IN_TRANSIT)]


def customs_hold(planner: Planner, seller: SellerPlan) -> list[OrderPlan]:
    order = planner.order(seller, cross_border=True)
    events = order.parcels[0].events
    held = events[:5]
    if planner.rng.random() < 0.5:
        last = held[-1]
        held = (*held, TrackEvent(last.at + timedelta(hours=8), Step.CUSTOMS_INFO, last.city, "US"))
    return [_faulted(_one_parcel(order, events=held), FlagCode.CUSTOMS_HOLD)]


def delivery_exception(planner: Planner, seller: SellerPlan, now: datetime) -> list[OrderPlan]:
    order = planner.order(seller, cross_border=False)
    events = order.parcels[0].events
    before_delivery = events[:-1]
    step = planner.rng.choice((Step.FAILED, Step.LOST, Step.RETURNING))
    last = before_delivery[-1]
    problem = TrackEvent(now - RECENT, step, last.city, last.country)
    return [_faulted(_one_parcel(order, events=(*before_delivery, problem)), FlagCode.DELIVERY_EXCEPTION)]


FaultMaker = Callable[[Planner, SellerPlan], list[OrderPlan]]


def _fault_makers(now: datetime) -> dict[FlagCode, FaultMaker]:
    return {
        FlagCode.MISSING_TRACKING: missing_tracking,
        FlagCode.INVALID_TRACKING_FORMAT: invalid_tracking_format,
        FlagCode.CARRIER_MISMATCH: carrier_mismatch,
        FlagCode.DUPLICATE_TRACKING: duplicate_tracking,
        FlagCode.NO_CARRIER_SCAN: no_carrier_scan,
        FlagCode.SCAN_BEFORE_ORDER: scan_before_order,
        FlagCode.DESTINATION_MISMATCH: destination_mismatch,
        FlagCode.STALLED_IN_TRANSIT: stalled_in_transit,
        FlagCode.CUSTOMS_HOLD: customs_hold,
        FlagCode.DELIVERY_EXCEPTION: lambda planner, seller: delivery_exception(planner, seller, now),
    }


def combined_orders(planner: Planner, seller: SellerPlan) -> tuple[list[OrderPlan], Combine]:
    """Two TikTok orders the platform combined into one package: one number, legitimately on both."""
    first = planner.order(seller, cross_border=False)
    second = replace(planner.order(seller, cross_border=False), buyer_postal=first.buyer_postal)
    second = replace(second, created_at=first.created_at + timedelta(minutes=20), parcels=first.parcels)
    package_id = first.parcels[0].package_id
    return [first, second], Combine(seller, package_id, (first.order_id, second.order_id))


def zip_plus_four(planner: Planner, seller: SellerPlan) -> OrderPlan:
    """A clean order whose carrier writes the buyer's ZIP as ZIP+4, in lower-case spacing: not a mismatch."""
    order = planner.order(seller, cross_border=False)
    extended = f"{order.buyer_postal}-{planner.rng.randrange(1000, 9999)}"
    return _one_parcel(order, destination_postal=extended)


def plan_day(seed: int, orders: int, now: datetime) -> Scenario:
    """About ``orders`` orders: one round of every fault per 40 orders (at least one), the rest clean."""
    planner = Planner(seed, now)
    sellers = planner.sellers()
    tiktok = [seller for seller in sellers if seller.platform is Platform.TIKTOK]
    planned: list[OrderPlan] = []
    for _ in range(max(1, orders // 40)):
        for code, make in _fault_makers(now).items():
            planned += make(planner, sellers[(len(planned) + len(code)) % len(sellers)])
    combined, combine = combined_orders(planner, tiktok[0])
    planned += combined
    planned.append(zip_plus_four(planner, sellers[-1]))
    while len(planned) < orders:
        seller = sellers[len(planned) % len(sellers)]
        cross_border = planner.rng.random() < 0.35
        parcels = 2 if planner.rng.random() < 0.1 else 1
        planned.append(planner.order(seller, cross_border=cross_border, parcels=parcels))
    return Scenario(planner.day_start, sellers, tuple(planned), (combine,))
