"""What trackguard asked 17TRACK about a number: when it was registered there, when it was last polled,
and whether 17TRACK stopped tracking it.

One ``POLL`` item per number, in the number's own partition (``TRK#{number}``), read and written in
batches: 100 numbers a BatchGetItem, 25 a BatchWriteItem. A 17TRACK ``TRACKING_STOPPED`` push leaves a
``STOPPED`` item beside it (written with the push, see ``stopped_item``); the poller settles it once:
retracked, already delivered, or given up on.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from trackguard.storage import keys
from trackguard.storage.dynamo import Table, from_attributes, key, to_attributes

_GET_LIMIT = 100
_WRITE_LIMIT = 25
_MAX_RETRIES = 8
STOP_RETENTION = timedelta(days=90)
"""17TRACK keeps a stopped number for 90 days, then deletes it."""


class StopOutcome(StrEnum):
    RETRACKED = "retracked"
    DELIVERED = "delivered"
    NOT_STOPPED = "not_stopped"
    GIVEN_UP = "given_up"


@dataclass(frozen=True)
class PollRecord:
    tracking_number: str
    registered_at: datetime | None = None
    last_polled_at: datetime | None = None


@dataclass(frozen=True)
class StopRecord:
    tracking_number: str
    stopped_at: datetime
    outcome: StopOutcome | None = None
    settled_at: datetime | None = None


class PollRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def get_many(self, numbers: Collection[str]) -> dict[str, PollRecord]:
        """The records of the numbers that have one (numbers never polled are absent)."""
        ordered = sorted(set(numbers))
        found: dict[str, PollRecord] = {}
        for start in range(0, len(ordered), _GET_LIMIT):
            for item in self._get_batch(ordered[start : start + _GET_LIMIT]):
                record = _record(from_attributes(item))
                found[record.tracking_number] = record
        return found

    def save_many(self, records: Iterable[PollRecord]) -> None:
        requests = [{"PutRequest": {"Item": _item(record)}} for record in records]
        for start in range(0, len(requests), _WRITE_LIMIT):
            self._write_batch(requests[start : start + _WRITE_LIMIT])

    def unsettled_stops(self, numbers: Collection[str]) -> list[StopRecord]:
        """The numbers 17TRACK said it stopped tracking whose stop the poller has not settled yet."""
        ordered = sorted(set(numbers))
        stops = [
            _stop(from_attributes(item))
            for start in range(0, len(ordered), _GET_LIMIT)
            for item in self._get_batch(ordered[start : start + _GET_LIMIT], keys.STOPPED_SK)
        ]
        return [stop for stop in stops if stop.outcome is None]

    def settle_stops(self, stops: Iterable[StopRecord]) -> None:
        requests = [{"PutRequest": {"Item": stopped_item(stop)}} for stop in stops]
        for start in range(0, len(requests), _WRITE_LIMIT):
            self._write_batch(requests[start : start + _WRITE_LIMIT])

    def _get_batch(self, numbers: list[str], sk: str = keys.POLL_SK) -> list[dict[str, Any]]:
        wanted = [key(keys.tracking_pk(number), sk) for number in numbers]
        pending: dict[str, Any] = {self._table.name: {"Keys": wanted}}
        items: list[dict[str, Any]] = []
        for attempt in range(_MAX_RETRIES):
            answer = self._table.client.batch_get_item(RequestItems=pending)
            items += answer.get("Responses", {}).get(self._table.name, [])
            pending = dict(answer.get("UnprocessedKeys") or {})
            if not pending:
                return items
            time.sleep(min(0.05 * 2**attempt, 1.0))
        raise RuntimeError("DynamoDB left poll records unread after retries")

    def _write_batch(self, requests: list[dict[str, Any]]) -> None:
        pending: dict[str, Any] = {self._table.name: requests}
        for attempt in range(_MAX_RETRIES):
            answer = self._table.client.batch_write_item(RequestItems=pending)
            pending = dict(answer.get("UnprocessedItems") or {})
            if not pending:
                return
            time.sleep(min(0.05 * 2**attempt, 1.0))
        raise RuntimeError("DynamoDB left poll records unwritten after retries")


def _item(record: PollRecord) -> dict[str, Any]:
    return to_attributes(
        {
            "pk": keys.tracking_pk(record.tracking_number),
            "sk": keys.POLL_SK,
            "tracking_number": record.tracking_number,
            "registered_at": record.registered_at.isoformat() if record.registered_at else None,
            "last_polled_at": record.last_polled_at.isoformat() if record.last_polled_at else None,
        }
    )


def stopped_item(stop: StopRecord) -> dict[str, Any]:
    return to_attributes(
        {
            "pk": keys.tracking_pk(stop.tracking_number),
            "sk": keys.STOPPED_SK,
            "tracking_number": stop.tracking_number,
            "stopped_at": stop.stopped_at.isoformat(),
            "outcome": stop.outcome.value if stop.outcome else None,
            "settled_at": stop.settled_at.isoformat() if stop.settled_at else None,
            "expires_at": int((stop.stopped_at + STOP_RETENTION).timestamp()),
        }
    )


def _stop(item: dict[str, Any]) -> StopRecord:
    return StopRecord(
        tracking_number=item["tracking_number"],
        stopped_at=datetime.fromisoformat(item["stopped_at"]),
        outcome=StopOutcome(item["outcome"]) if item.get("outcome") else None,
        settled_at=_time(item.get("settled_at")),
    )


def _record(item: dict[str, Any]) -> PollRecord:
    return PollRecord(
        tracking_number=item["tracking_number"],
        registered_at=_time(item.get("registered_at")),
        last_polled_at=_time(item.get("last_polled_at")),
    )


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
