"""Bad input on every ingestion route: the contract's 4xx with its error shape, never a 5xx, nothing written.

A few good deliveries are stored first, so "the table is unchanged" compares real items, not emptiness.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.reliability.corpus import Case, corpus
from tests.reliability.harness import Ingestion, post, table_snapshot
from tests.reliability.senders import EVENT_TIME, USPS_NUMBER, good_document, seventeen_track_push, signed
from trackguard.domain.events import MAX_TEXT_CHARS
from trackguard.storage.tracking import TrackingRepository

pytestmark = pytest.mark.integration
MINIMUM_CASES = 300


def outcome(case: Case, ingestion: Ingestion, now: datetime) -> str | None:
    """What was wrong with the answer to one case, or None when it was right."""
    before = table_snapshot(ingestion.table)
    answer = post(case.delivery, now, case.raw_body)
    problems = []
    if answer.status != case.status:
        problems.append(f"status {answer.status} (expected {case.status}) {answer.body}")
    if not answer.error_shaped or answer.body.get("error") != case.error:
        problems.append(f"body {answer.body!r} (expected error {case.error!r})")
    if table_snapshot(ingestion.table) != before:
        problems.append("the table changed")
    if ingestion.new_work():
        problems.append("processing was started")
    return f"{case.label}: {'; '.join(problems)}" if problems else None


def test_every_bad_delivery_is_refused_with_its_4xx_and_writes_nothing(
    ingestion: Ingestion, tally: dict[str, int]
) -> None:
    now = datetime.now(UTC)
    for route in ("shopify", "ups", "usps"):
        document, headers = good_document(route)
        assert post(signed(route, document, now, headers), now).status == 200
    ingestion.new_work()
    cases = corpus(now)

    failures = [problem for case in cases if (problem := outcome(case, ingestion, now)) is not None]

    tally["cases_tried"] += len(cases)
    tally["cases_passed"] += len(cases) - len(failures)
    print(f"bad-input corpus: {len(cases)} cases, {len(cases) - len(failures)} passed")
    assert len(cases) >= MINIMUM_CASES
    assert failures == [], "\n".join(failures)


def test_a_500_kb_description_is_cut_and_marked_and_the_callback_is_kept(ingestion: Ingestion) -> None:
    """Long text is the one edge limit that never refuses (CONTRACT §2): 200, stored cut."""
    now = datetime.now(UTC)
    document = seventeen_track_push(USPS_NUMBER, EVENT_TIME + timedelta(hours=5))
    for event in (
        document["data"]["track_info"]["latest_event"],
        document["data"]["track_info"]["tracking"]["providers"][0]["events"][0],
    ):
        event["description"] = "x" * 500_000

    answer = post(signed("17track", document, now), now)

    events = TrackingRepository(ingestion.table).load(USPS_NUMBER).events
    cut = [event for event in events if event.text_cut]
    assert answer.status == 200
    assert [(len(event.source_description), event.source_description[-6:]) for event in cut] == [
        (MAX_TEXT_CHARS, " [cut]")
    ]
