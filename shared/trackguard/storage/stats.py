"""Valid Tracking Rate data: per-seller daily counts of packages given a number, and their invalid flags.

The denominator is ``SELLER#{seller_id}`` / ``STATS#{day}`` with ``packages_with_number`` counted once
per package: a ``COUNTED#{package_id}`` marker in the order partition is put in the same transaction,
so a redelivered snapshot or a changed number never counts the package again. The numerator is the
seller's flags of the invalid-tracking codes, read from GSI1 from the window's first ULID on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from botocore.exceptions import ClientError

from trackguard.domain.flags import Flag, new_flag_id
from trackguard.domain.status import FlagCode
from trackguard.storage import keys
from trackguard.storage.dynamo import Table, key, to_attributes

INVALID_TRACKING_CODES = frozenset(
    {
        FlagCode.INVALID_TRACKING_FORMAT,
        FlagCode.CARRIER_MISMATCH,
        FlagCode.DUPLICATE_TRACKING,
        FlagCode.NO_CARRIER_SCAN,
        FlagCode.SCAN_BEFORE_ORDER,
        FlagCode.DESTINATION_MISMATCH,
    }
)
_COUNTER = "packages_with_number"


def ulid_lower_bound(at: datetime) -> str:
    """The smallest ULID of that millisecond: flag ids at or above it were detected at or after it."""
    return new_flag_id(int(at.timestamp() * 1000))[:10] + "0" * 16


@dataclass(frozen=True)
class InvalidPackage:
    """A package with a flag that makes its tracking invalid, on the day the flag was detected."""

    order_id: str
    package_id: str
    day: date


class StatsRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def count_package_with_number(self, seller_id: str, order_id: str, package_id: str, at: datetime) -> bool:
        """Count a package on the UTC day its number was first seen; False if it was counted before."""
        marker = {"pk": keys.order_pk(seller_id, order_id), "sk": keys.counted_sk(package_id), "at": at}
        day = at.astimezone(UTC).date()
        try:
            self._table.client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table.name,
                            "Item": to_attributes(marker),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self._table.name,
                            "Key": key(keys.seller_pk(seller_id), keys.stats_sk(day)),
                            "UpdateExpression": "ADD #counter :one",
                            "ExpressionAttributeNames": {"#counter": _COUNTER},
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    },
                ]
            )
        except ClientError as error:
            reasons = error.response.get("CancellationReasons", [])
            if any(reason.get("Code") == "ConditionalCheckFailed" for reason in reasons):
                return False
            raise
        return True

    def packages_with_number(self, seller_id: str, first_day: date, last_day: date) -> dict[date, int]:
        """Packages first given a number on each UTC day of the range (days without any are absent)."""
        items = self._table.query_all(
            KeyConditionExpression="pk = :pk AND sk BETWEEN :first AND :last",
            ExpressionAttributeValues={
                ":pk": {"S": keys.seller_pk(seller_id)},
                ":first": {"S": keys.stats_sk(first_day)},
                ":last": {"S": keys.stats_sk(last_day)},
            },
        )
        return {keys.day_of_stats_sk(item["sk"]): int(item[_COUNTER]) for item in items}

    def invalid_packages(self, seller_id: str, since: datetime, until: datetime) -> list[InvalidPackage]:
        """Packages with an invalid-tracking flag detected in [since, until], each once, on its first day."""
        values = {
            ":pk": {"S": keys.seller_flags_pk(seller_id)},
            ":since": {"S": ulid_lower_bound(since)},
        }
        codes = {
            f":code{index}": {"S": code.value} for index, code in enumerate(sorted(INVALID_TRACKING_CODES))
        }
        items = self._table.query_all(
            IndexName="GSI1",
            KeyConditionExpression="gsi1pk = :pk AND gsi1sk >= :since",
            FilterExpression=f"code IN ({', '.join(codes)})",
            ExpressionAttributeValues={**values, **codes},
        )
        first_days: dict[tuple[str, str], date] = {}
        for item in items:
            flag = Flag.model_validate(item)
            if flag.order_id is None or flag.package_id is None or not since <= flag.detected_at <= until:
                continue
            package = (flag.order_id, flag.package_id)
            day = flag.detected_at.astimezone(UTC).date()
            first_days[package] = min(day, first_days.get(package, day))
        return sorted(
            (InvalidPackage(order_id, package_id, day) for (order_id, package_id), day in first_days.items()),
            key=lambda package: (package.day, package.order_id, package.package_id),
        )
