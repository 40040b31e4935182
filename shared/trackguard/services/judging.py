"""Judge one order against every rule: raise new flags, resolve those whose condition stopped holding,
and decide when the order is next due for a check.

Used by the reconciler's workers and, right after new carrier events or order data, by the processor.
Judging is idempotent: a repeated or concurrent run raises nothing twice (the open-flag guard decides).
The orders of a shop whose authorisation was withdrawn (TikTok type 6) are not judged: each leaves the
due index the next time it comes up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from trackguard.domain.flags import Flag, FlagFinding, new_flag_id
from trackguard.domain.status import FlagCode, FlagStatus
from trackguard.rules.facts import OrderFacts
from trackguard.rules.registry import evaluate
from trackguard.rules.thresholds import Thresholds
from trackguard.storage.orders import OrderView
from trackguard.storage.store import Store

MAX_WATCH = timedelta(days=60)
AFTER_DELIVERY = timedelta(days=3)
_CHECK_INTERVALS = (  # (order younger than, check every)
    (timedelta(days=2), timedelta(hours=1)),
    (timedelta(days=7), timedelta(hours=3)),
    (timedelta(days=21), timedelta(hours=12)),
)
_OLD_ORDER_INTERVAL = timedelta(hours=24)
SHOP_STATE_CACHE_SECONDS = 60.0

RESOLUTIONS = {
    FlagCode.MISSING_TRACKING: "A tracking number was added.",
    FlagCode.INVALID_TRACKING_FORMAT: "The tracking number is now valid (corrected, or scanned).",
    FlagCode.CARRIER_MISMATCH: "The tracking number and the declared carrier now agree.",
    FlagCode.DUPLICATE_TRACKING: "The tracking number is no longer shared with another order.",
    FlagCode.NO_CARRIER_SCAN: "The carrier has scanned the parcel.",
    FlagCode.SCAN_BEFORE_ORDER: "The tracking history no longer predates the order.",
    FlagCode.DESTINATION_MISMATCH: "The carrier's destination now matches the buyer's address.",
    FlagCode.STALLED_IN_TRANSIT: "The carrier reported new movement.",
    FlagCode.CUSTOMS_HOLD: "The parcel has left customs.",
    FlagCode.DELIVERY_EXCEPTION: "The carrier no longer reports an exception.",
    FlagCode.REAUTHORIZATION_NEEDED: "The seller authorised trackguard again.",
}


class Publisher(Protocol):
    def publish(self, events: list[tuple[str, dict[str, Any]]]) -> None: ...


@dataclass(frozen=True)
class Judgement:
    raised: tuple[Flag, ...] = ()
    resolved: tuple[Flag, ...] = ()
    next_check_at: datetime | None = None
    findings: tuple[FlagFinding, ...] = field(default=())


class AuthorizedShops:
    """Whether a shop may still be judged, read once a minute per shop and process (not per order)."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._clock = clock
        self._known: dict[str, tuple[float, bool]] = {}

    def __contains__(self, seller_id: object) -> bool:
        if not isinstance(seller_id, str):
            return False
        known = self._known.get(seller_id)
        if known is None or known[0] <= self._clock():
            known = (self._clock() + SHOP_STATE_CACHE_SECONDS, self._store.sellers.shop_authorized(seller_id))
            self._known[seller_id] = known
        return known[1]


class OrderJudge:
    def __init__(self, store: Store, publisher: Publisher, thresholds: Thresholds) -> None:
        self._store = store
        self._publisher = publisher
        self._thresholds = thresholds
        self._authorized = AuthorizedShops(store)

    def judge(self, seller_id: str, order_id: str, as_of: datetime, catch_up: bool = False) -> Judgement:
        """Judge the order as of `as_of`.

        With `catch_up` (judging right after new data, at wall-clock time), an order already judged at a
        later instant — a reconciler run with an `as_of` ahead, as in backfills and tests — is judged at
        that instant instead: an order's judgement time never goes backwards, so it cannot resolve a flag
        only because it looked from an earlier time.
        """
        if seller_id not in self._authorized:
            self._store.orders.schedule_check(seller_id, order_id, None)
            return Judgement()
        view = self._store.orders.view(seller_id, order_id)
        if catch_up and view.judged_at is not None and view.judged_at > as_of:
            as_of = view.judged_at
        findings = evaluate(self._facts(view, as_of))
        wanted = {_subject(finding): finding for finding in findings}
        current = {flag.subject: flag for flag in view.flags if flag.status is not FlagStatus.RESOLVED}
        raised = [
            flag
            for subject, finding in wanted.items()
            if subject not in current
            for flag in [self._raise(seller_id, order_id, finding, as_of)]
            if flag is not None
        ]
        resolved = [
            flag
            for subject, open_flag in current.items()
            if subject not in wanted
            for flag in [self._store.flags.resolve(open_flag, as_of, RESOLUTIONS[open_flag.code])]
            if flag is not None
        ]
        next_check = next_check_time(view, as_of)
        if view.order is not None:
            self._store.orders.schedule_check(seller_id, order_id, next_check, judged_at=as_of)
        self._publish(raised, resolved)
        return Judgement(tuple(raised), tuple(resolved), next_check, tuple(findings))

    def _facts(self, view: OrderView, as_of: datetime) -> OrderFacts:
        own = _order_key(view)
        numbers = {p.tracking_number for p in view.packages if p.tracking_number}
        elsewhere = {
            number: tuple(
                sorted(
                    {(ref.seller_id, ref.order_id) for ref in self._store.tracking.packages_of(number)}
                    - {own}
                )
            )
            for number in numbers
        }
        return OrderFacts(
            order=view.order,
            packages=view.packages,
            numbers_elsewhere=elsewhere,
            as_of=as_of,
            thresholds=self._thresholds,
        )

    def _raise(self, seller_id: str, order_id: str, finding: FlagFinding, as_of: datetime) -> Flag | None:
        flag = Flag(
            flag_id=new_flag_id(),
            seller_id=seller_id,
            order_id=order_id,
            package_id=finding.package_id,
            tracking_number=finding.tracking_number,
            code=finding.code,
            severity=finding.severity,
            detected_at=as_of,
            message=finding.message,
            evidence=finding.evidence,
        )
        return flag if self._store.flags.raise_flag(flag) else None

    def _publish(self, raised: list[Flag], resolved: list[Flag]) -> None:
        events = [("ShipmentFlagged", flag.model_dump(mode="json")) for flag in raised]
        events += [("FlagResolved", flag.model_dump(mode="json")) for flag in resolved]
        if events:
            self._publisher.publish(events)


def _order_key(view: OrderView) -> tuple[str, str]:
    if view.order is not None:
        return (view.order.seller_id, view.order.order_id)
    first = view.packages[0] if view.packages else None
    return (first.seller_id, first.order_id) if first else ("", "")


def _subject(finding: FlagFinding) -> str:
    return f"{finding.package_id or '-'}#{finding.code.value}"


def next_check_time(view: OrderView, as_of: datetime) -> datetime | None:
    """Sooner while the order is young, backing off as it ages; never after it can no longer matter."""
    order = view.order
    if order is None or order.cancelled or as_of - order.created_at > MAX_WATCH:
        return None
    delivered = [p.state.delivered_at for p in view.packages]
    if view.packages and all(delivered):
        last_delivery = max(at for at in delivered if at is not None)
        if as_of >= last_delivery + AFTER_DELIVERY:
            return None
    age = as_of - order.created_at
    interval = next(
        (every for younger_than, every in _CHECK_INTERVALS if age < younger_than), _OLD_ORDER_INTERVAL
    )
    return as_of + interval
