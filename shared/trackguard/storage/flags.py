"""Flags: one open flag per (package, code), guarded by an ``OPENFLAG#`` item in the order partition
(a seller-level flag, which has no order, lives in the seller's partition instead).

Raising writes the guard and the flag in one transaction (a concurrent or repeated raise finds the
guard and does nothing); resolving deletes the guard and closes the flag together.
GSI1 lists a seller's flags newest first; GSI2 does the same per status.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from trackguard.domain.flags import Flag
from trackguard.domain.status import FlagCode, FlagStatus
from trackguard.errors import InvalidCursorError, NotFoundError
from trackguard.storage import keys
from trackguard.storage.dynamo import Table, from_attributes, key, to_attributes

_CURSOR_REFUSAL = "the cursor does not belong to this listing"
_ADDRESS_EVIDENCE = ("buyer_postal_code", "buyer_country", "carrier_postal_code", "carrier_country")
REDACTED_MESSAGE = (
    "The carrier's destination differed from the buyer's address; the addresses were erased at the "
    "buyer's request."
)


class FlagNotFoundError(NotFoundError):
    """This seller has no flag with that id."""


@dataclass(frozen=True)
class FlagPage:
    flags: tuple[Flag, ...]
    cursor: str | None


class FlagRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def raise_flag(self, flag: Flag) -> bool:
        """Store a new open flag unless one is already open for its (package, code). True if stored."""
        guard_sk = keys.open_flag_guard_sk(flag.subject)
        guard = to_attributes({"pk": _home_pk(flag), "sk": guard_sk, "flag_id": flag.flag_id})
        try:
            self._table.client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table.name,
                            "Item": guard,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {"Put": {"TableName": self._table.name, "Item": self._flag_item(flag)}},
                ]
            )
        except ClientError as error:
            if _cancelled_by_condition(error):
                return False
            raise
        return True

    def resolve(self, flag: Flag, at: datetime, resolution: str) -> Flag | None:
        """Close an open or acknowledged flag; None when it was already resolved."""
        resolved = flag.model_copy(
            update={"status": FlagStatus.RESOLVED, "resolved_at": at, "resolution": resolution}
        )
        try:
            self._table.client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self._table.name,
                            "Key": key(_home_pk(flag), keys.open_flag_guard_sk(flag.subject)),
                            "ConditionExpression": "flag_id = :flag_id",
                            "ExpressionAttributeValues": {":flag_id": {"S": flag.flag_id}},
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table.name,
                            "Item": self._flag_item(resolved),
                            "ConditionExpression": "#status <> :resolved",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {":resolved": {"S": FlagStatus.RESOLVED.value}},
                        }
                    },
                ]
            )
        except ClientError as error:
            if _cancelled_by_condition(error):
                return None
            raise
        return resolved

    def acknowledge(self, seller_id: str, flag_id: str, at: datetime) -> Flag:
        """Mark an open flag acknowledged; an acknowledged or resolved flag is returned unchanged."""
        flag = self.get(seller_id, flag_id)
        if flag.status is not FlagStatus.OPEN:
            return flag
        acknowledged = flag.model_copy(update={"status": FlagStatus.ACKNOWLEDGED, "acknowledged_at": at})
        try:
            self._table.client.put_item(
                TableName=self._table.name,
                Item=self._flag_item(acknowledged),
                ConditionExpression="#status = :open",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":open": {"S": FlagStatus.OPEN.value}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return self.get(seller_id, flag_id)
            raise
        return acknowledged

    def open_seller_flag(self, seller_id: str, code: FlagCode) -> Flag | None:
        """The seller-level flag of ``code`` that is open or acknowledged, if any (two GetItems)."""
        guard = self._table.get(
            keys.seller_pk(seller_id), keys.seller_flag_guard_sk(code.value), consistent=True
        )
        if guard is None:
            return None
        item = self._table.get(
            keys.seller_pk(seller_id), keys.flag_sk(str(guard["flag_id"])), consistent=True
        )
        return Flag.model_validate(item) if item else None

    def get(self, seller_id: str, flag_id: str) -> Flag:
        items = self._table.query_all(
            IndexName="GSI1",
            KeyConditionExpression="gsi1pk = :pk AND gsi1sk = :flag_id",
            ExpressionAttributeValues={
                ":pk": {"S": keys.seller_flags_pk(seller_id)},
                ":flag_id": {"S": flag_id},
            },
        )
        if not items:
            raise FlagNotFoundError(f"no flag {flag_id}")
        return Flag.model_validate(items[0])

    def list(
        self,
        seller_id: str,
        status: FlagStatus | None,
        code: FlagCode | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> FlagPage:
        """A page of a seller's flags, newest first (flag ids are time-ordered ULIDs)."""
        if status is None:
            index, partition = "GSI1", ("gsi1pk", keys.seller_flags_pk(seller_id))
        else:
            index, partition = "GSI2", ("gsi2pk", keys.seller_flags_by_status_pk(seller_id, status.value))
        request: dict[str, Any] = {
            "TableName": self._table.name,
            "IndexName": index,
            "KeyConditionExpression": f"{partition[0]} = :pk",
            "ExpressionAttributeValues": {":pk": {"S": partition[1]}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if code is not None:
            request["FilterExpression"] = "code = :code"
            request["ExpressionAttributeValues"][":code"] = {"S": code.value}
        if cursor:
            request["ExclusiveStartKey"] = _decode_cursor(cursor, partition)
        flags: list[Flag] = []
        while True:
            answer = self._table.client.query(**request)
            flags.extend(Flag.model_validate(from_attributes(item)) for item in answer.get("Items", []))
            last_key = answer.get("LastEvaluatedKey")
            if len(flags) >= limit or not last_key:
                break
            request["ExclusiveStartKey"] = last_key
            request["Limit"] = limit - len(flags)
        return FlagPage(tuple(flags), _encode_cursor(last_key) if last_key else None)

    def forget_buyer_evidence(self, seller_id: str, order_id: str) -> int:
        """Drop the buyer's postal code and country from the order's flags (customer redaction).

        The flag stays (it is the seller's record of a fault); its sentence, which quoted the
        addresses, is replaced. Returns how many flags changed.
        """
        items = self._table.query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :flag)",
            ExpressionAttributeValues={
                ":pk": {"S": keys.order_pk(seller_id, order_id)},
                ":flag": {"S": keys.flag_sk("")},
            },
            ConsistentRead=True,
        )
        changed = 0
        for item in items:
            present = [name for name in _ADDRESS_EVIDENCE if name in item.get("evidence", {})]
            if not present:
                continue
            self._table.client.update_item(
                TableName=self._table.name,
                Key=key(item["pk"], item["sk"]),
                UpdateExpression="SET message = :message REMOVE "
                + ", ".join(f"evidence.{name}" for name in present),
                ExpressionAttributeValues={":message": {"S": REDACTED_MESSAGE}},
            )
            changed += 1
        return changed

    def _flag_item(self, flag: Flag) -> dict[str, Any]:
        return to_attributes(
            {
                **flag.model_dump(mode="json"),
                "pk": _home_pk(flag),
                "sk": keys.flag_sk(flag.flag_id),
                "gsi1pk": keys.seller_flags_pk(flag.seller_id),
                "gsi1sk": flag.flag_id,
                "gsi2pk": keys.seller_flags_by_status_pk(flag.seller_id, flag.status.value),
                "gsi2sk": flag.flag_id,
            }
        )


def _home_pk(flag: Flag) -> str:
    """The partition a flag and its guard live in: its order's, or its seller's when it has no order."""
    if flag.order_id is None:
        return keys.seller_pk(flag.seller_id)
    return keys.order_pk(flag.seller_id, flag.order_id)


def _cancelled_by_condition(error: ClientError) -> bool:
    if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
        return True
    if error.response["Error"]["Code"] != "TransactionCanceledException":
        return False
    reasons = error.response.get("CancellationReasons", [])
    return any(reason.get("Code") == "ConditionalCheckFailed" for reason in reasons)


def _encode_cursor(last_key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(last_key, separators=(",", ":")).encode()).decode()


def _decode_cursor(cursor: str, partition: tuple[str, str]) -> dict[str, Any]:
    """A cursor is only good for the listing that made it (never another seller's partition).

    It must be exactly a key of this index (the table key and the index key, all strings): DynamoDB
    refuses any other start key with an error that would otherwise surface as a 500.
    """
    index_key, partition_value = partition
    expected = {"pk", "sk", index_key, index_key.removesuffix("pk") + "sk"}
    try:
        decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        values = {name: value["S"] for name, value in decoded.items() if set(value) == {"S"}}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise InvalidCursorError(_CURSOR_REFUSAL) from error
    well_formed = set(values) == set(decoded) == expected and all(isinstance(v, str) for v in values.values())
    if not well_formed or values[index_key] != partition_value:
        raise InvalidCursorError(_CURSOR_REFUSAL)
    return decoded
