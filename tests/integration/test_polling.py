"""Polling silent numbers against the 17TRACK sandbox over real loopback HTTP, stored in DynamoDB Local."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.builders import T0, a_package, an_event, an_order
from tests.support.fakes import RecordingPublisher
from tests.support.sandbox_server import SandboxServer
from trackguard.clients.seventeen_track import Quota, SeventeenTrackClient
from trackguard.domain.status import FlagCode, FlagStatus, TrackingStatus
from trackguard.rules.thresholds import Thresholds
from trackguard.secrets import SecretDocument
from trackguard.services.ingest import CarrierIngestService
from trackguard.services.judging import OrderJudge
from trackguard.services.polling import SOURCE, SilentNumberPoller
from trackguard.services.reconcile import ReconcileMessage, ReconcileWorker
from trackguard.services.shipments import ShipmentUpdater
from trackguard.sources.base import RawDelivery
from trackguard.sources.carriers.seventeen_track import events_from_track_data
from trackguard.storage.polling import PollRepository
from trackguard.storage.store import Store
from trackguard_dev.local.sandboxes import seventeen_track as sandbox
from trackguard_dev.signing import dev_secret_document, sign

pytestmark = pytest.mark.integration

API_KEY = "dev-17track-api-key"
REGISTER = ("POST", "/track/v2.2/register")
TRACK_INFO = ("POST", "/track/v2.2/gettrackinfo")
NOW = T0 + timedelta(hours=30)
SCANNED = "1Z5R89390357567127"
UNKNOWN = "1Z999AA10123456784"
QUIET = "LX123456785CN"
SECRETS = SecretDocument(dev_secret_document())


class RecordedSleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SandboxServer]:
    with SandboxServer(sandbox.create(tmp_path, {"17track": {"api_key": API_KEY}})) as running:
        yield running


@pytest.fixture
def sleeps() -> RecordedSleeps:
    return RecordedSleeps()


@pytest.fixture
def poller(server: SandboxServer, store: Store, sleeps: RecordedSleeps) -> Iterator[SilentNumberPoller]:
    client = SeventeenTrackClient(server.url, API_KEY, requests_per_second=None, sleep=sleeps)
    poller = SilentNumberPoller(client, store.tracking, PollRepository(store.table), events_from_track_data)
    yield poller
    poller.close()


def in_transit(at: datetime) -> dict[str, Any]:
    event = {
        "time_iso": at.isoformat(),
        "time_utc": at.isoformat(),
        "description": "Departed from facility",
        "location": "Louisville, KY, US",
        "stage": "InTransit",
        "sub_status": "InTransit_Other",
        "address": {"country": "US", "city": "Louisville", "postal_code": "40201"},
    }
    return {
        "latest_status": {"status": "InTransit", "sub_status": "InTransit_Other"},
        "latest_event": event,
        "shipping_info": {"recipient_address": {"country": "US", "postal_code": "95110"}},
        "milestone": [],
        "tracking": {"providers": [{"provider": {"key": 100002, "name": "UPS"}, "events": [event]}]},
    }


def configure(server: SandboxServer, path: str, document: dict[str, Any]) -> None:
    assert httpx.put(server.url + path, json=document).status_code == 204


def test_polls_silent_numbers_through_429s_and_stores_scans_and_rejections(
    server: SandboxServer, poller: SilentNumberPoller, store: Store, sleeps: RecordedSleeps
) -> None:
    configure(server, f"/numbers/{SCANNED}", in_transit(NOW - timedelta(hours=2)))
    configure(server, f"/numbers/{UNKNOWN}", {"rejected": {"code": -18019902, "message": "does not exist"}})
    configure(server, "/_faults", {"status": 429, "count": 2})
    recent = NOW - timedelta(hours=1)

    changed = poller.poll_silent(
        {SCANNED: None, UNKNOWN: None, QUIET: NOW - timedelta(hours=20), "RECENT12345": recent}, NOW
    )

    assert changed == {SCANNED, UNKNOWN, QUIET}
    assert (server.count(*REGISTER), server.count(*TRACK_INFO)) == (3, 1)
    assert len(sleeps.delays) == 2
    [scan] = store.tracking.load(SCANNED).events
    assert scan.status is TrackingStatus.IN_TRANSIT
    [rejection] = store.tracking.load(UNKNOWN).events
    assert (rejection.status, rejection.source, rejection.source_code) == (
        TrackingStatus.NOT_FOUND,
        SOURCE,
        "-18019902",
    )
    assert store.tracking.load("RECENT12345").events == ()
    records = PollRepository(store.table).get_many([SCANNED, UNKNOWN, QUIET, "RECENT12345"])
    assert sorted(records) == sorted([QUIET, SCANNED, UNKNOWN])
    assert records[SCANNED].registered_at == NOW
    assert records[UNKNOWN].registered_at is None
    assert {record.last_polled_at for record in records.values()} == {NOW}


def test_a_number_is_registered_once_and_polled_at_most_once_a_window(
    server: SandboxServer, poller: SilentNumberPoller
) -> None:
    poller.poll_silent({SCANNED: None}, NOW)
    poller.poll_silent({SCANNED: None}, NOW + timedelta(hours=6))

    assert (server.count(*REGISTER), server.count(*TRACK_INFO)) == (1, 1)

    poller.poll_silent({SCANNED: None}, NOW + timedelta(hours=13))

    assert (server.count(*REGISTER), server.count(*TRACK_INFO)) == (1, 2)


def test_a_number_17track_forgot_is_registered_again(
    server: SandboxServer, poller: SilentNumberPoller
) -> None:
    configure(server, f"/numbers/{UNKNOWN}", {"rejected": {"code": -18019902, "message": "not registered"}})
    poller.poll_silent({UNKNOWN: None}, NOW)
    configure(server, f"/numbers/{UNKNOWN}", in_transit(NOW))

    changed = poller.poll_silent({UNKNOWN: None}, NOW + timedelta(hours=13))

    assert changed == {UNKNOWN}
    assert server.count(*REGISTER) == 2


def test_a_thousand_silent_numbers_take_25_register_and_25_gettrackinfo_requests(
    server: SandboxServer, poller: SilentNumberPoller, store: Store
) -> None:
    numbers = [f"SILENT{index:06d}" for index in range(1000)]

    changed = poller.poll_silent(dict.fromkeys(numbers), NOW)

    assert (server.count(*REGISTER), server.count(*TRACK_INFO)) == (25, 25)
    assert server.count("POST", "/track/v2.2/getquota") == 1  # the quota is read once a poll
    assert server.request_count == 51
    assert changed == set(numbers)
    assert len(PollRepository(store.table).get_many(numbers)) == 1000


def test_the_worker_polls_silent_packages_before_judging(
    server: SandboxServer, poller: SilentNumberPoller, store: Store
) -> None:
    publisher = RecordingPublisher()
    for order_id, number in (("o-scanned", SCANNED), ("o-unknown", UNKNOWN)):
        store.orders.save_order(an_order(order_id=order_id))
        store.orders.save_package(
            a_package(order_id=order_id, tracking_number=number, number_first_seen_at=T0), previous=None
        )
        store.orders.schedule_check("shop-1", order_id, T0 + timedelta(hours=1))
    configure(server, f"/numbers/{SCANNED}", in_transit(T0 + timedelta(hours=3)))
    configure(server, f"/numbers/{UNKNOWN}", {"rejected": {"code": -18019902, "message": "does not exist"}})
    worker = ReconcileWorker(
        store, OrderJudge(store, publisher, Thresholds()), ShipmentUpdater(store, publisher), lambda: poller
    )
    messages = [
        ReconcileMessage(seller_id="shop-1", order_id=o, as_of=NOW) for o in ("o-scanned", "o-unknown")
    ]

    assert worker.prepare(messages) == {SCANNED, UNKNOWN}
    judgements = [worker.handle(message) for message in messages]

    assert server.count(*REGISTER) == 1
    assert server.count(*TRACK_INFO) == 1
    scanned = judgements[0]
    assert scanned is not None
    assert FlagCode.NO_CARRIER_SCAN not in {flag.code for flag in scanned.raised}
    unknown = judgements[1]
    assert unknown is not None
    assert [f.evidence["carrier_status"] for f in unknown.raised if f.code is FlagCode.NO_CARRIER_SCAN] == [
        TrackingStatus.NOT_FOUND.value
    ]
    scanned_view = store.orders.view("shop-1", "o-scanned")
    assert scanned_view.packages[0].state.status is TrackingStatus.IN_TRANSIT
    assert FlagCode.NO_CARRIER_SCAN not in {f.code for f in scanned_view.flags if f.status is FlagStatus.OPEN}


def test_a_batch_with_no_number_to_poll_never_builds_the_poller(store: Store) -> None:
    publisher = RecordingPublisher()
    store.orders.save_order(an_order(order_id="o-unshipped"))
    store.orders.schedule_check("shop-1", "o-unshipped", T0 + timedelta(hours=1))
    builds: list[str] = []

    def build() -> SilentNumberPoller:
        builds.append("built")
        raise AssertionError("a batch without numbers must not load the 17TRACK key or client")

    worker = ReconcileWorker(
        store,
        OrderJudge(store, publisher, Thresholds()),
        ShipmentUpdater(store, publisher),
        build,
    )
    messages = [
        ReconcileMessage(seller_id="shop-1", order_id=order_id, as_of=NOW)
        for order_id in ("o-unshipped", "o-never-stored")
    ]

    assert worker.prepare(messages) == set()
    judgement = worker.handle(messages[0])

    assert builds == []
    assert judgement is not None, "the order is still judged"


def test_the_worker_still_judges_when_17track_is_down(
    server: SandboxServer, poller: SilentNumberPoller, store: Store
) -> None:
    publisher = RecordingPublisher()
    store.orders.save_order(an_order(order_id="o-1"))
    store.orders.save_package(a_package(order_id="o-1", number_first_seen_at=T0), previous=None)
    store.orders.schedule_check("shop-1", "o-1", T0 + timedelta(hours=1))
    configure(server, "/_faults", {"status": 500, "count": 100})
    worker = ReconcileWorker(
        store, OrderJudge(store, publisher, Thresholds()), ShipmentUpdater(store, publisher), lambda: poller
    )
    message = ReconcileMessage(seller_id="shop-1", order_id="o-1", as_of=NOW)

    assert worker.prepare([message]) == set()
    judgement = worker.handle(message)

    assert judgement is not None
    assert [flag.code for flag in judgement.raised] == [FlagCode.NO_CARRIER_SCAN]
    assert server.count(*REGISTER) == 5


RETRACK = ("POST", "/track/v2.2/retrack")


def stop_in_17track(server: SandboxServer, number: str) -> None:
    """17TRACK stops the number (as after 30 silent days) and pushes TRACKING_STOPPED."""
    answer = httpx.post(
        server.url + "/track/v2.2/stoptrack", headers={"17token": API_KEY}, json=[{"number": number}]
    )
    assert answer.json()["data"]["accepted"]


def pushed_stop(store: Store, number: str, at: datetime) -> None:
    body = json.dumps({"event": "TRACKING_STOPPED", "data": {"number": number, "carrier": 100002}}).encode()
    delivery = RawDelivery(headers=sign("17track", body, at), body=body, received_at=at)
    CarrierIngestService(store.tracking, lambda: SECRETS).accept("17track", delivery)


def test_an_undelivered_number_17track_stopped_is_retracked_once_then_marked_expired(
    server: SandboxServer, poller: SilentNumberPoller, store: Store
) -> None:
    configure(server, f"/numbers/{SCANNED}", in_transit(T0))
    poller.poll_silent({SCANNED: None}, NOW)
    stop_in_17track(server, SCANNED)
    pushed_stop(store, SCANNED, NOW + timedelta(days=30))

    poller.poll_silent({SCANNED: T0}, NOW + timedelta(days=31))

    assert server.count(*RETRACK) == 1
    assert [event.status for event in store.tracking.load(SCANNED).events] == [TrackingStatus.IN_TRANSIT]
    assert PollRepository(store.table).unsettled_stops([SCANNED]) == []

    stop_in_17track(server, SCANNED)
    pushed_stop(store, SCANNED, NOW + timedelta(days=61))
    changed = poller.poll_silent({SCANNED: T0}, NOW + timedelta(days=62))

    assert server.count(*RETRACK) == 2
    assert changed == {SCANNED}
    events = store.tracking.load(SCANNED).events
    expired = [event for event in events if event.status is TrackingStatus.EXPIRED]
    assert [(event.source_code, event.occurred_at) for event in expired] == [
        ("TRACKING_STOPPED", NOW + timedelta(days=62))
    ]
    assert "will not track it again" in expired[0].source_description


def test_a_delivered_number_17track_stopped_is_left_alone(
    server: SandboxServer, poller: SilentNumberPoller, store: Store
) -> None:
    store.tracking.put_events([an_event(TrackingStatus.DELIVERED, T0, SCANNED, code="D")])
    pushed_stop(store, SCANNED, NOW + timedelta(days=15))

    poller.poll_silent({SCANNED: T0}, NOW + timedelta(days=16))

    assert server.count(*RETRACK) == 0
    assert PollRepository(store.table).unsettled_stops([SCANNED]) == []


@pytest.fixture
def published() -> Iterator[dict[str, Any]]:
    """The metrics published while a test runs (Powertools keeps them until they are flushed)."""
    from trackguard.observability import metrics

    metrics.clear_metrics()
    yield metrics.metric_set
    metrics.clear_metrics()


def test_the_quota_left_is_published_and_bounds_what_is_registered(
    server: SandboxServer, poller: SilentNumberPoller, store: Store, published: dict[str, Any]
) -> None:
    configure(server, "/_quota", {"total": 100, "used": 99})
    configure(server, f"/numbers/{SCANNED}", in_transit(NOW - timedelta(hours=2)))

    changed = poller.poll_silent({SCANNED: None, UNKNOWN: None}, NOW)

    assert published["SeventeenTrackQuotaRemaining"]["Value"] == [1.0]
    assert server.count(*REGISTER) == 1
    records = PollRepository(store.table).get_many([SCANNED, UNKNOWN])
    assert records[SCANNED].registered_at == NOW
    assert records[UNKNOWN].registered_at is None
    assert records[UNKNOWN].last_polled_at == NOW
    assert changed == {SCANNED}
    assert store.tracking.load(UNKNOWN).events == ()


def test_an_exhausted_quota_still_polls_registered_numbers_and_invents_no_rejection(
    server: SandboxServer, poller: SilentNumberPoller, store: Store, published: dict[str, Any]
) -> None:
    configure(server, f"/numbers/{SCANNED}", in_transit(NOW - timedelta(hours=2)))
    poller.poll_silent({SCANNED: None}, NOW - timedelta(hours=13))
    configure(server, "/_quota", {"total": 100, "used": 100})
    published.clear()

    changed = poller.poll_silent({SCANNED: None, UNKNOWN: None}, NOW)

    assert published["SeventeenTrackQuotaRemaining"]["Value"] == [0.0]
    assert (server.count(*REGISTER), server.count(*TRACK_INFO)) == (1, 2)
    assert changed == {SCANNED}
    assert store.tracking.load(UNKNOWN).events == ()
    assert PollRepository(store.table).get_many([UNKNOWN])[UNKNOWN].registered_at is None


def test_a_quota_refusal_by_register_is_deferred_not_taken_for_an_unknown_number(
    server: SandboxServer, store: Store, sleeps: RecordedSleeps
) -> None:
    """17TRACK may refuse for quota even when getquota said there was some (another worker took it)."""

    class StaleQuota(SeventeenTrackClient):
        async def get_quota(self) -> Quota:
            return Quota(total=100, used=0, remaining=100)

    configure(server, "/_quota", {"total": 100, "used": 100})
    client = StaleQuota(server.url, API_KEY, requests_per_second=None, sleep=sleeps)
    poller = SilentNumberPoller(client, store.tracking, PollRepository(store.table), events_from_track_data)
    try:
        poller.poll_silent({UNKNOWN: None}, NOW)
    finally:
        poller.close()

    assert (server.count(*REGISTER), server.count(*TRACK_INFO)) == (1, 0)
    assert store.tracking.load(UNKNOWN).events == ()
    assert PollRepository(store.table).get_many([UNKNOWN])[UNKNOWN].registered_at is None
