"""Poll 17TRACK only for numbers without recent carrier news.

Callbacks are the normal path; polling fills the gaps. A number is *silent* when its last stored event is
older than the silence window, or it has none; it is polled at most once per window. Each number is
registered with 17TRACK once (remembered in its ``POLL`` record), then asked with gettrackinfo, 40 numbers
a request. Accepted answers go through the 17TRACK adapter's mapping, the same normalisation as its
callbacks; a refused number is stored as a ``NOT_FOUND`` event, the evidence NO_CARRIER_SCAN needs.

A number 17TRACK stopped tracking (its ``TRACKING_STOPPED`` push left a ``STOPPED`` record) is settled
when it next comes up silent: if its stored events show it delivered, nothing is to be done; otherwise it
is retracked, which 17TRACK allows once per stopped number. When 17TRACK refuses (it was retracked
before, or it no longer has it), the number gets an EXPIRED event saying 17TRACK stopped tracking it: the
seller sees the status and its reason, and the stalled / no-scan rules keep flagging the parcel.

Registering uses 17TRACK's quota. Before registering, the poller reads what is left (``getquota``,
published as the ``SeventeenTrackQuotaRemaining`` metric, which an alarm watches) and registers no more
numbers than that. When the quota is exhausted, polling degrades instead of failing: numbers already
registered are still asked about (gettrackinfo is free), the others wait for the next window, and a
number 17TRACK turned away for quota is never taken for one it does not know (no ``NOT_FOUND``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from trackguard.clients.seventeen_track import (
    ALREADY_REGISTERED,
    NOT_REGISTERED,
    QUOTA_CODES,
    RETRACK_NOT_STOPPED,
    Rejection,
    SeventeenTrackAuthError,
    SeventeenTrackClient,
    SeventeenTrackError,
    SharedRateLimiter,
    TrackedNumber,
)
from trackguard.domain.events import CarrierEvent
from trackguard.domain.numbers import normalize_number
from trackguard.domain.shipment import derive_state
from trackguard.domain.status import TrackingStatus
from trackguard.errors import PayloadError, UnknownSourceError
from trackguard.observability import logger, metrics
from trackguard.secrets import current, load_secret_document
from trackguard.services.unmapped_codes import report_unmapped_codes
from trackguard.settings import ReconcileWorkerSettings
from trackguard.sources.carriers import seventeen_track
from trackguard.sources.carriers.seventeen_track import events_from_track_data
from trackguard.storage.polling import PollRecord, PollRepository, StopOutcome, StopRecord
from trackguard.storage.rate_limits import SharedRateLimit
from trackguard.storage.store import Store
from trackguard.storage.tracking import TrackingRepository

SOURCE = "17track-poll"
RATE_LIMIT_NAME = "17track"
QUOTA_METRIC = "SeventeenTrackQuotaRemaining"
DEFAULT_SILENCE_WINDOW = timedelta(hours=12)

Normaliser = Callable[[Mapping[str, Any], datetime], Sequence[CarrierEvent]]


@dataclass(frozen=True)
class PollResult:
    events: tuple[CarrierEvent, ...]
    unregistered: frozenset[str]
    """Numbers 17TRACK refused to register or says are not registered: registered again next time."""

    @property
    def changed(self) -> set[str]:
        return {event.tracking_number for event in self.events}


class SilentNumberPoller:
    """Owns one event loop for the process, so the HTTP client's connections are reused across calls."""

    def __init__(
        self,
        client: SeventeenTrackClient,
        tracking: TrackingRepository,
        polls: PollRepository,
        normalise: Normaliser,
        silence_window: timedelta = DEFAULT_SILENCE_WINDOW,
    ) -> None:
        self._client = client
        self._tracking = tracking
        self._polls = polls
        self._normalise = normalise
        self._window = silence_window
        self._runner = asyncio.Runner()

    def poll_silent(self, last_events: Mapping[str, datetime | None], now: datetime) -> set[str]:
        """Poll the silent numbers among ``last_events`` (number → its last event time, if any).

        Returns the numbers whose stored events changed.
        """
        silent = sorted({normalize_number(n) for n, last in last_events.items() if self.is_silent(last, now)})
        if not silent:
            return set()
        changed = self.settle_stops(silent, now)
        records = self._polls.get_many(silent)
        due = [number for number in silent if not self._polled_recently(records.get(number), now)]
        return changed | (self.poll(due, now, records).changed if due else set())

    def settle_stops(self, numbers: Collection[str], now: datetime) -> set[str]:
        """Retrack the undelivered numbers 17TRACK stopped; mark those it will not retrack as EXPIRED.

        Returns the numbers whose stored events changed.
        """
        stops = self._polls.unsettled_stops(numbers)
        undelivered = [stop for stop in stops if not self._delivered(stop.tracking_number)]
        refused: dict[str, Rejection] = {}
        if undelivered:
            answer = self._runner.run(
                self._client.retrack([TrackedNumber(stop.tracking_number) for stop in undelivered])
            )
            refused = {normalize_number(rejection.number): rejection for rejection in answer.rejected}
        given_up = [
            _stopped_for_good(refused[stop.tracking_number], now)
            for stop in undelivered
            if _gives_up(refused, stop)
        ]
        self._tracking.put_events(given_up)
        self._polls.settle_stops(_settled(stop, refused, undelivered, now) for stop in stops)
        if stops:
            logger.info("settled 17TRACK stops", stops=len(stops), given_up=len(given_up))
        return {event.tracking_number for event in given_up}

    def _delivered(self, number: str) -> bool:
        return derive_state(self._tracking.load(number).events).delivered_at is not None

    def is_silent(self, last_event_at: datetime | None, now: datetime) -> bool:
        return last_event_at is None or now - last_event_at > self._window

    def poll(
        self, numbers: Collection[str], now: datetime, records: Mapping[str, PollRecord] | None = None
    ) -> PollResult:
        """Register the numbers not yet registered, ask for all of them, store what 17TRACK says."""
        wanted = sorted({normalize_number(number) for number in numbers})
        records = self._polls.get_many(wanted) if records is None else records
        result = self._runner.run(self._ask(wanted, records, now))
        report_unmapped_codes("17track", result.events)
        self._tracking.put_events(result.events)
        self._polls.save_many(_record(number, records.get(number), result, now) for number in wanted)
        logger.info("polled silent numbers", numbers=len(wanted), events=len(result.events))
        return result

    def close(self) -> None:
        self._runner.run(self._client.aclose())
        self._runner.close()

    async def _ask(self, numbers: list[str], records: Mapping[str, PollRecord], now: datetime) -> PollResult:
        unregistered = [n for n in numbers if not _is_registered(records.get(n))]
        registering = await self._within_quota(unregistered)
        registration = await self._client.register([TrackedNumber(n) for n in registering])
        over_quota = {normalize_number(r.number) for r in registration.rejected if r.code in QUOTA_CODES}
        refused = [r for r in registration.rejected if r.code not in (ALREADY_REGISTERED, *QUOTA_CODES)]
        refused_numbers = {normalize_number(r.number) for r in refused}
        waiting = (set(unregistered) - set(registering)) | over_quota
        asked = [n for n in numbers if n not in refused_numbers | waiting]
        answer = await self._client.get_track_info([TrackedNumber(n) for n in asked])
        events = [event for item in answer.accepted for event in self._events_of(item, now)]
        events += [_not_found(rejection, now) for rejection in (*refused, *answer.rejected)]
        forgotten = {normalize_number(r.number) for r in answer.rejected if r.code == NOT_REGISTERED}
        return PollResult(tuple(events), frozenset(refused_numbers | forgotten | waiting))

    async def _within_quota(self, unregistered: list[str]) -> list[str]:
        """The numbers the quota left allows registering (all of them when it cannot be read)."""
        if not unregistered:
            return []
        try:
            quota = await self._client.get_quota()
        except SeventeenTrackAuthError:
            raise
        except SeventeenTrackError:
            logger.warning("17TRACK quota unreadable; registering regardless", exc_info=True)
            return unregistered
        metrics.add_metric(name=QUOTA_METRIC, unit=MetricUnit.Count, value=quota.remaining)
        if quota.remaining < len(unregistered):
            logger.warning(
                "17TRACK quota too low to register every silent number",
                remaining=quota.remaining,
                unregistered=len(unregistered),
            )
        return unregistered[: max(quota.remaining, 0)]

    def _events_of(self, item: Mapping[str, Any], now: datetime) -> Sequence[CarrierEvent]:
        """One malformed answer item is logged and skipped; it must not lose the batch's other numbers."""
        try:
            return self._normalise(item, now)
        except PayloadError:
            logger.exception("17TRACK answered a malformed track_info", number=item.get("number"))
            return ()

    def _polled_recently(self, record: PollRecord | None, now: datetime) -> bool:
        return (
            record is not None
            and record.last_polled_at is not None
            and now - record.last_polled_at < self._window
        )


def _is_registered(record: PollRecord | None) -> bool:
    return record is not None and record.registered_at is not None


def _record(number: str, previous: PollRecord | None, result: PollResult, now: datetime) -> PollRecord:
    if number in result.unregistered:
        return PollRecord(number, None, now)
    registered_at = previous.registered_at if previous is not None and previous.registered_at else now
    return PollRecord(number, registered_at, now)


def _gives_up(refused: Mapping[str, Rejection], stop: StopRecord) -> bool:
    rejection = refused.get(stop.tracking_number)
    return rejection is not None and rejection.code != RETRACK_NOT_STOPPED


def _settled(
    stop: StopRecord, refused: Mapping[str, Rejection], undelivered: list[StopRecord], now: datetime
) -> StopRecord:
    if stop not in undelivered:
        outcome = StopOutcome.DELIVERED
    elif stop.tracking_number not in refused:
        outcome = StopOutcome.RETRACKED
    elif refused[stop.tracking_number].code == RETRACK_NOT_STOPPED:
        outcome = StopOutcome.NOT_STOPPED
    else:
        outcome = StopOutcome.GIVEN_UP
    return StopRecord(stop.tracking_number, stop.stopped_at, outcome, now)


def _stopped_for_good(rejection: Rejection, now: datetime) -> CarrierEvent:
    return CarrierEvent(
        tracking_number=rejection.number,
        source=SOURCE,
        occurred_at=now,
        status=TrackingStatus.EXPIRED,
        source_code="TRACKING_STOPPED",
        source_description=(
            "17TRACK stopped tracking this number and will not track it again"
            f" ({rejection.message or rejection.code})."
        ),
    )


def _not_found(rejection: Rejection, now: datetime) -> CarrierEvent:
    return CarrierEvent(
        tracking_number=rejection.number,
        source=SOURCE,
        occurred_at=now,
        status=TrackingStatus.NOT_FOUND,
        source_code=str(rejection.code),
        source_description=rejection.message or "17TRACK does not know this number.",
    )


def _secret_api_key(secret_id: str) -> str:
    secret = load_secret_document(secret_id).section(seventeen_track.NAME, seventeen_track.Secret)
    if secret is None:
        raise UnknownSourceError.not_configured(seventeen_track.NAME)
    return current(secret.api_key)


def build_poller(settings: ReconcileWorkerSettings, store: Store) -> SilentNumberPoller:
    """The deployed poller: the key from the settings (local stack) or the webhook-secrets document.

    Without either, 17TRACK is not configured: raises ``UnknownSourceError`` rather than call it keyless.
    Its requests keep to one rate shared by every worker of the deployment (``SharedRateLimit``).
    """
    api_key = settings.seventeen_track_api_key or _secret_api_key(settings.webhook_secrets_id)
    shared_rate = SharedRateLimit(store.table, RATE_LIMIT_NAME, settings.seventeen_track_requests_per_second)
    client = SeventeenTrackClient(
        settings.seventeen_track_api_base_url, api_key, limiter=SharedRateLimiter(shared_rate)
    )
    return SilentNumberPoller(client, store.tracking, PollRepository(store.table), events_from_track_data)
