"""A request rate shared by every worker of the deployment: evenly spaced slots reserved in one item.

17TRACK limits requests per API key, not per process, so concurrent reconcile workers must share one
schedule. The item ``RATE#{name}`` / ``NEXT`` holds ``next_slot``, the earliest time (epoch seconds) the
next request may start. Reserving a slot moves it on by one interval with a conditional write
(``next_slot`` unchanged since it was read), so two workers never take the same slot; a worker that
loses the race learns the current value from the failed condition and tries again. That is the generic
cell rate algorithm with no burst: request starts are at least ``1 / per_second`` apart, deployment-wide.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from botocore.exceptions import ClientError

from trackguard.storage import keys
from trackguard.storage.dynamo import Table

_MAX_ATTEMPTS = 20


class RateLimitContentionError(RuntimeError):
    """Other workers took every slot this one tried for: the table is contended beyond reason."""


class SharedRateLimit:
    """One per process and name; thread-safe (reservations from one process are taken in turn)."""

    def __init__(
        self, table: Table, name: str, per_second: float, clock: Callable[[], float] = time.time
    ) -> None:
        self._table = table
        self._pk = keys.rate_limit_pk(name)
        self._interval = 1.0 / per_second
        self._clock = clock
        self._seen: str | None = None
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take the next free slot; returns how many seconds from now it starts (0 when it is now)."""
        with self._lock:
            for _ in range(_MAX_ATTEMPTS):
                now = self._clock()
                start = max(float(self._seen) if self._seen is not None else 0.0, now)
                following = repr(start + self._interval)
                if self._moved(following):
                    self._seen = following
                    return start - now
            raise RateLimitContentionError(f"no {self._pk} slot after {_MAX_ATTEMPTS} attempts")

    def _moved(self, following: str) -> bool:
        """Write ``next_slot`` if it is still what this process last saw; else learn its value."""
        condition = "attribute_not_exists(next_slot)" if self._seen is None else "next_slot = :seen"
        values = {":next": {"N": following}} | ({":seen": {"N": self._seen}} if self._seen else {})
        try:
            self._table.client.update_item(
                TableName=self._table.name,
                Key={"pk": {"S": self._pk}, "sk": {"S": keys.RATE_LIMIT_SK}},
                UpdateExpression="SET next_slot = :next",
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            current = error.response.get("Item", {}).get("next_slot", {}).get("N")  # type: ignore[attr-defined]
            self._seen = str(current) if current is not None else None
            return False
        return True
