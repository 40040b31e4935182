"""`trackguard replay`: send stored shop deliveries, or the dead letters, back to the processing queue.

    trackguard replay --source tiktok_shop --since 2026-11-02T00:00Z --until 2026-11-03T00:00Z [--status all]
    trackguard replay --dlq [--limit 1000]

Settings come from the environment like every function's (``TABLE_NAME``, ``PROCESSING_QUEUE_URL``,
``PROCESSING_DLQ_URL``; boto3 reads the endpoints, region and credentials). Re-sending is harmless:
processing skips deliveries already processed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trackguard_dev.cli.settings import DeadLetterSettings, StoredReplaySettings

SOURCES = ("tiktok_shop", "shopify")
STATUSES = ("failed", "received", "all")
DEFAULT_DLQ_LIMIT = 10_000


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = subparsers.add_parser(
        "replay", help="re-drive stored shop deliveries or dead-lettered messages to the processing queue"
    )
    what = command.add_mutually_exclusive_group(required=True)
    what.add_argument("--source", choices=SOURCES, help="replay this source's stored deliveries")
    what.add_argument("--dlq", action="store_true", help="move the dead-letter queue's messages back")
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

    from trackguard_dev.cli.settings import DeadLetterSettings, StoredReplaySettings

    try:
        if args.dlq:
            return _redrive_dlq(DeadLetterSettings.from_environ(), args.limit)
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


def _redrive_dlq(settings: DeadLetterSettings, limit: int) -> int:
    import boto3

    from trackguard.services.replay import DeadLetterRedrive

    redrive = DeadLetterRedrive(
        boto3.client("sqs"), settings.processing_dlq_url, settings.processing_queue_url
    )
    with _progress("moving dead letters", min(redrive.waiting(), limit)) as advance:
        moved = redrive.redrive(limit, advance)
    print(f"replay: {moved} messages moved from the dead-letter queue to the processing queue")
    return 0


@contextmanager
def _progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda done: progress.advance(task, done)


def _fail(message: str) -> int:
    print(f"trackguard replay: {message}", file=sys.stderr)
    return 1
