"""The edge limits of CONTRACT §2, checked on a parsed carrier delivery before anything is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.builders import an_event
from trackguard.domain.events import CUT_MARK, MAX_TEXT_CHARS, CarrierEvent, Location
from trackguard.domain.status import TrackingStatus
from trackguard.errors import PayloadError
from trackguard.sources.base import CarrierDelivery
from trackguard.sources.limits import MAX_EVENTS_PER_DELIVERY, check_carrier_delivery, check_id

RECEIVED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def a_delivery(*events: CarrierEvent, delivery_id: str | None = None) -> CarrierDelivery:
    return CarrierDelivery("ups", delivery_id, events)


@pytest.mark.parametrize(
    "at",
    [datetime(2000, 1, 1, tzinfo=UTC), RECEIVED, RECEIVED + timedelta(days=365)],
)
def test_event_times_from_2000_to_a_year_ahead_pass(at: datetime) -> None:
    check_carrier_delivery(a_delivery(an_event(at=at)), RECEIVED)


@pytest.mark.parametrize(
    "at",
    [
        datetime(1999, 12, 31, 23, 59, tzinfo=UTC),
        RECEIVED + timedelta(days=365, seconds=1),
        datetime(9999, 12, 31, tzinfo=UTC),
    ],
)
def test_an_event_time_outside_them_refuses_the_whole_delivery(at: datetime) -> None:
    delivery = a_delivery(an_event(at=RECEIVED), an_event(at=at))

    with pytest.raises(PayloadError) as refused:
        check_carrier_delivery(delivery, RECEIVED)

    assert refused.value.details[0]["loc"] == ["events", 1, "occurred_at"]


def test_at_most_500_events_in_one_delivery() -> None:
    count = MAX_EVENTS_PER_DELIVERY + 1
    events = [an_event(at=RECEIVED - timedelta(minutes=index)) for index in range(count)]
    check_carrier_delivery(a_delivery(*events[:-1]), RECEIVED)

    with pytest.raises(PayloadError, match="501 events"):
        check_carrier_delivery(a_delivery(*events), RECEIVED)


def test_ids_of_at_most_128_characters() -> None:
    check_id("x" * 128, "delivery id")
    check_carrier_delivery(a_delivery(delivery_id="x" * 128), RECEIVED)

    with pytest.raises(PayloadError, match="delivery id"):
        check_carrier_delivery(a_delivery(delivery_id="x" * 129), RECEIVED)


def test_long_text_is_cut_and_marked_never_refused() -> None:
    event = an_event(
        TrackingStatus.IN_TRANSIT,
        source_description="d" * 500_000,
        location=Location(city="c" * 5000, country="US"),
    )

    assert event.text_cut
    assert len(event.source_description) == MAX_TEXT_CHARS
    assert event.source_description.endswith(CUT_MARK)
    assert event.location is not None
    assert (len(event.location.city or ""), event.location.country) == (MAX_TEXT_CHARS, "US")
    assert not an_event(source_description="d" * MAX_TEXT_CHARS).text_cut
