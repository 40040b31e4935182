"""A package's state is a function of the set of its events: order and duplicates do not matter."""

from __future__ import annotations

from datetime import timedelta
from random import Random

from hypothesis import given
from hypothesis import strategies as st

from tests.support.builders import T0, an_event
from trackguard.domain.events import CarrierEvent
from trackguard.domain.shipment import derive_state
from trackguard.domain.status import ExceptionReason, TrackingStatus

JOURNEY = [
    an_event(TrackingStatus.INFO_RECEIVED, T0, code="MP"),
    an_event(TrackingStatus.IN_TRANSIT, T0 + timedelta(hours=20), code="I1"),
    an_event(TrackingStatus.CUSTOMS, T0 + timedelta(days=2), code="C1"),
    an_event(TrackingStatus.CUSTOMS, T0 + timedelta(days=3), code="C2", reason=ExceptionReason.CUSTOMS),
    an_event(TrackingStatus.IN_TRANSIT, T0 + timedelta(days=4), code="I2", destination_postal_code="95110"),
    an_event(TrackingStatus.OUT_FOR_DELIVERY, T0 + timedelta(days=5), code="O"),
    an_event(TrackingStatus.DELIVERED, T0 + timedelta(days=5, hours=4), code="D", destination_country="US"),
]


@given(st.lists(st.sampled_from(JOURNEY), min_size=1, max_size=30), st.randoms())
def test_any_order_and_any_duplicates_give_the_same_state(events: list[CarrierEvent], random: Random) -> None:
    shuffled = list(events)
    random.shuffle(shuffled)

    assert derive_state(shuffled) == derive_state(sorted(set(events), key=JOURNEY.index))


def test_no_events_is_pending() -> None:
    state = derive_state([])

    assert state.status is TrackingStatus.PENDING
    assert state.event_count == 0


def test_a_full_journey() -> None:
    state = derive_state(reversed(JOURNEY))

    assert state.status is TrackingStatus.DELIVERED
    assert state.event_count == 7
    assert state.first_event_at == T0
    assert state.first_scan_at == T0 + timedelta(hours=20)
    assert state.delivered_at == T0 + timedelta(days=5, hours=4)
    assert state.last_event_at == state.delivered_at
    assert (state.destination.postal_code, state.destination.country) == ("95110", "US")
    assert state.customs_since is None


def test_label_only_has_no_physical_scan() -> None:
    state = derive_state([JOURNEY[0]])

    assert state.status is TrackingStatus.INFO_RECEIVED
    assert state.first_scan_at is None


def test_customs_hold_starts_at_the_first_event_of_the_current_customs_run() -> None:
    state = derive_state(JOURNEY[:4])

    assert state.status is TrackingStatus.CUSTOMS
    assert state.customs_since == T0 + timedelta(days=2)
    assert state.customs_information_requested is True


def test_a_later_not_found_does_not_hide_real_scans() -> None:
    events = [*JOURNEY[:2], an_event(TrackingStatus.NOT_FOUND, T0 + timedelta(days=9), code="NotFound")]

    assert derive_state(events).status is TrackingStatus.IN_TRANSIT


def test_simultaneous_events_resolve_to_the_furthest_along() -> None:
    same_time = T0 + timedelta(days=1)
    events = [
        an_event(TrackingStatus.DELIVERED, same_time, code="D"),
        an_event(TrackingStatus.OUT_FOR_DELIVERY, same_time, code="O"),
    ]

    assert derive_state(events).status is TrackingStatus.DELIVERED
    assert derive_state(reversed(events)).status is TrackingStatus.DELIVERED


def test_an_exception_keeps_its_reason() -> None:
    events = [
        *JOURNEY[:2],
        an_event(TrackingStatus.EXCEPTION, T0 + timedelta(days=3), reason=ExceptionReason.LOST),
    ]

    state = derive_state(events)

    assert (state.status, state.reason) == (TrackingStatus.EXCEPTION, ExceptionReason.LOST)


def test_a_later_not_found_does_not_move_the_last_carrier_event() -> None:
    events = [*JOURNEY[:2], an_event(TrackingStatus.NOT_FOUND, T0 + timedelta(days=9), code="-18019902")]

    assert derive_state(events).last_event_at == JOURNEY[1].occurred_at
