"""`trackguard replay`: re-drive stored shop deliveries or one dead-letter queue's messages; re-derive a
carrier's events from its stored callbacks after an adapter fix.

    trackguard replay --source tiktok_shop --since 2026-11-02T00:00Z --until 2026-11-03T00:00Z [--status all]
    trackguard replay --source usps --since 2026-11-02T00:00Z [--until ...]
    trackguard replay --dlq processing|reconcile|report|stream|schedule|invocation [--limit 1000]

A carrier source's callbacks (received in the range) are parsed again by today's adapter: changed events
are stored, stale ones removed, and their numbers queued so that states and flags follow (``--status``
does not apply: a raw callback has no processing status).

Settings come from the environment like every function's; boto3 reads the endpoints, region and
credentials. What each use needs (the stack's Outputs give the URLs):

- ``--source``: ``TABLE_NAME``, ``PROCESSING_QUEUE_URL``;
- ``--dlq processing``: ``PROCESSING_DLQ_URL``, ``PROCESSING_QUEUE_URL``;
- ``--dlq reconcile``: ``RECONCILE_DLQ_URL``, ``RECONCILE_QUEUE_URL``;
- ``--dlq report``: ``REPORT_DLQ_URL``, ``REPORT_QUEUE_URL``;
- ``--dlq stream``: ``STREAM_FAILURE_DLQ_URL``, ``PROCESSING_QUEUE_URL`` (the stream is named by each record);
- ``--dlq schedule``: ``SCHEDULE_DLQ_URL``; ``--dlq invocation``: ``INVOCATION_FAILURE_DLQ_URL``
  (each names the function it invokes).

Re-driving is harmless when repeated (see ``trackguard.services.replay``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trackguard.services.replay import DeadLetterRedrive, ReplayRequest
    from trackguard.settings import EnvironmentSettings
    from trackguard_dev.cli.settings import StoredReplaySettings

SHOP_SOURCES = ("tiktok_shop", "shopify")
CARRIER_SOURCES = ("17track", "ship24", "aftership", "ups", "fedex", "dhl", "usps", "generic")
SOURCES = SHOP_SOURCES + CARRIER_SOURCES
STATUSES = ("failed", "received", "all")
DEFAULT_DLQ_LIMIT = 10_000
DLQ_KINDS = ("processing", "reconcile", "report", "stream", "schedule", "invocation")
"""``trackguard.services.replay.DeadLetterKind``; each reads its own settings (``DEAD_LETTER_SETTINGS``)."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = subparsers.add_parser(
        "replay",
        help="re-drive stored shop deliveries or dead letters; re-derive a carrier's stored callbacks",
    )
    what = command.add_mutually_exclusive_group(required=True)
    what.add_argument("--source", choices=SOURCES, help="replay this source's stored deliveries")
    what.add_argument("--dlq", choices=DLQ_KINDS, help="re-drive this dead-letter queue")
    command.add_argument("--since", type=_instant, help="received at or after (ISO 8601; UTC if no zone)")
    command.add_argument("--until", type=_instant, help="received before (ISO 8601; default: now)")
    command.add_argument(
        "--status", choices=STATUSES, default="failed", help="which deliveries (default: failed)"
    )
    command.add_argument(
        "--limit", type=int, default=DEFAULT_DLQ_LIMIT, help="most messages moved with --dlq"
    )
    command.set_defaults(handler=_run, parser=command)


def _instant(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from error
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _run(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from trackguard_dev.cli.settings import DEAD_LETTER_SETTINGS, StoredReplaySettings

    try:
        if args.dlq:
            return _redrive_dlq(args.dlq, DEAD_LETTER_SETTINGS[args.dlq].from_environ(), args.limit)
        return _replay_stored(StoredReplaySettings.from_environ(), args)
    except (BotoCoreError, ClientError) as error:
        return _fail(f"AWS refused or could not be reached: {error}")


def _replay_stored(settings: StoredReplaySettings, args: argparse.Namespace) -> int:
    from trackguard.errors import TrackguardError
    from trackguard.messaging import MessageQueue
    from trackguard.services.replay import DeliveryReplay, ReplayRequest, StatusFilter
    from trackguard.storage.deliveries import DeliveryRepository
    from trackguard.storage.dynamo import Table

    if args.since is None:
        return _fail("--source needs --since (and optionally --until)")
    try:
        request = ReplayRequest(
            args.source, args.since, args.until or datetime.now(UTC), StatusFilter(args.status)
        )
    except TrackguardError as error:
        return _fail(str(error))
    if args.source in CARRIER_SOURCES:
        return _rederive_carrier(settings, request)
    replay = DeliveryReplay(
        DeliveryRepository(Table(settings.table_name)),
        MessageQueue(settings.processing_queue_url),
    )
    deliveries = replay.select(request)
    with _progress(f"replaying {args.source}", len(deliveries)) as advance:
        sent = replay.send(deliveries, advance)
    print(
        f"replay: {len(deliveries)} {args.status} {args.source} deliveries received "
        f"{request.since.isoformat()} to {request.until.isoformat()}; {sent} sent to the processing queue"
    )
    return 0


def _rederive_carrier(settings: StoredReplaySettings, request: ReplayRequest) -> int:
    from trackguard.messaging import MessageQueue
    from trackguard.services.replay import CarrierReplay
    from trackguard.storage.deliveries import CarrierDeliveryRepository
    from trackguard.storage.dynamo import Table
    from trackguard.storage.tracking import TrackingRepository

    table = Table(settings.table_name)
    replay = CarrierReplay(
        CarrierDeliveryRepository(table),
        TrackingRepository(table),
        MessageQueue(settings.processing_queue_url),
    )
    deliveries = replay.select(request)
    with _progress(f"re-deriving {request.source}", len(deliveries)) as advance:
        outcome = replay.rederive(deliveries, advance)
    skipped = f"; {outcome.without_body} kept without their body not re-read" if outcome.without_body else ""
    print(
        f"replay: {outcome.deliveries} {request.source} callbacks received {request.since.isoformat()} to "
        f"{request.until.isoformat()} re-derived: {outcome.added} events stored, {outcome.removed} removed, "
        f"{len(outcome.numbers)} numbers sent to the processing queue{skipped}"
    )
    return 0


def _redrive_dlq(kind: str, settings: EnvironmentSettings, limit: int) -> int:
    redrive = _dead_letters(kind, settings)
    with _progress(f"re-driving {kind} dead letters", min(redrive.waiting(), limit)) as advance:
        result = redrive.redrive(limit, advance)
    print(f"replay: {result.moved} messages re-driven from the {kind} dead-letter queue")
    for reason in result.kept:
        print(f"replay: kept {reason}", file=sys.stderr)
    return 0 if not result.kept else 1


def _dead_letters(kind: str, settings: EnvironmentSettings) -> DeadLetterRedrive:
    """The re-drive of one kind; ``settings`` is that kind's model, so its URLs are set."""
    import boto3

    from trackguard.messaging import MessageQueue
    from trackguard.services.replay import (
        DeadLetterKind,
        InvocationRedrive,
        QueueRedrive,
        StreamFailureRedrive,
        async_failure,
        scheduler_dead_letter,
    )
    from trackguard.storage.stream_records import StreamRecordReader

    urls = list(settings.model_dump().values())
    sqs = boto3.client("sqs")
    which = DeadLetterKind(kind)
    if which is DeadLetterKind.STREAM:
        return StreamFailureRedrive(sqs, urls[0], StreamRecordReader(), MessageQueue(urls[1], sqs))
    if which in (DeadLetterKind.SCHEDULE, DeadLetterKind.INVOCATION):
        invocation_of = scheduler_dead_letter if which is DeadLetterKind.SCHEDULE else async_failure
        return InvocationRedrive(sqs, urls[0], boto3.client("lambda"), invocation_of)
    return QueueRedrive(sqs, urls[0], urls[1])


@contextmanager
def _progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda done: progress.advance(task, done)


def _fail(message: str) -> int:
    print(f"trackguard replay: {message}", file=sys.stderr)
    return 1
