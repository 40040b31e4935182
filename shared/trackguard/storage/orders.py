"""Orders, their packages and flags share one partition, so one Query reads an order whole.

The order item also carries the sparse due-index keys (``due_pk``/``due_sk``): only orders that
need a check are in that index, spread over write shards, so the reconciler never scans. Order and
package items are listed under their seller in GSI1 (``SELLER#{seller}#ORDERS``), so erasing a seller
or a shop finds its orders by Query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from trackguard.domain.flags import Flag
from trackguard.domain.orders import Order, Package, ShipmentState
from trackguard.domain.status import TrackingStatus
from trackguard.storage import keys
from trackguard.storage.dynamo import Item, Table, key, to_value
from trackguard.storage.tracking import PackageRef, link_item

_PACKAGE_FIELDS = (
    "tracking_number",
    "declared_carrier",
    "detected_carrier",
    "number_verdict",
    "number_first_seen_at",
    "shipped_at",
    "combined_order_ids",
)


@dataclass(frozen=True)
class OrderView:
    order: Order | None
    packages: tuple[Package, ...] = ()
    flags: tuple[Flag, ...] = ()
    open_flag_ids: dict[str, str] = field(default_factory=dict)
    next_check_at: str | None = None
    judged_at: datetime | None = None


@dataclass(frozen=True)
class DueOrder:
    seller_id: str
    order_id: str


class OrderRepository:
    def __init__(self, table: Table, due_shards: int) -> None:
        self._table = table
        self._due_shards = due_shards

    def view(self, seller_id: str, order_id: str) -> OrderView:
        items = self._table.query_all(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.order_pk(seller_id, order_id)}},
            ConsistentRead=True,
        )
        by_kind: dict[str, list[Item]] = {"ORDER": [], "PKG": [], "FLAG": [], "OPENFLAG": []}
        for item in items:
            by_kind.setdefault(item["sk"].split("#", 1)[0], []).append(item)
        order_items = by_kind["ORDER"]
        return OrderView(
            order=Order.model_validate(order_items[0]) if order_items else None,
            packages=tuple(_package(item) for item in by_kind["PKG"]),
            flags=tuple(Flag.model_validate(item) for item in by_kind["FLAG"]),
            open_flag_ids={item["sk"].split("#", 1)[1]: item["flag_id"] for item in by_kind["OPENFLAG"]},
            next_check_at=_next_check(order_items[0]) if order_items else None,
            judged_at=_judged_at(order_items[0]) if order_items else None,
        )

    def save_order(self, order: Order) -> bool:
        """Write the order unless a newer platform update is already stored. False when stale."""
        fields = order.model_dump(mode="json")
        fields["source_updated_key"] = keys.timestamp(order.source_updated_at)
        fields |= _seller_index(order.seller_id, order.order_id, keys.ORDER_SK)
        names = {f"#{name}": name for name in fields}
        values = {f":{name}": to_value(value) for name, value in fields.items()}
        assignments = ", ".join(f"#{name} = :{name}" for name in fields)
        try:
            self._table.client.update_item(
                TableName=self._table.name,
                Key=key(keys.order_pk(order.seller_id, order.order_id), keys.ORDER_SK),
                UpdateExpression=f"SET {assignments}",
                ConditionExpression="attribute_not_exists(pk) OR #source_updated_key <= :source_updated_key",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def save_package(self, package: Package, previous: Package | None) -> None:
        """Upsert a package and keep its tracking-number link in step, in one transaction.

        A new tracking number starts from an empty shipment state; the caller then derives it
        from the events already stored under that number.
        """
        number_changed = previous is None or previous.tracking_number != package.tracking_number
        fields: dict[str, Any] = {
            name: value
            for name, value in package.model_dump(mode="json").items()
            if name in _PACKAGE_FIELDS or name in {"seller_id", "order_id", "package_id"}
        }
        fields |= _seller_index(package.seller_id, package.order_id, keys.package_sk(package.package_id))
        if number_changed:
            fields["state"] = ShipmentState().model_dump(mode="json")
            fields["state_number"] = package.tracking_number or ""
            fields["state_event_count"] = 0
        present = {name: value for name, value in fields.items() if value is not None}
        absent = [name for name, value in fields.items() if value is None]
        expression = "SET " + ", ".join(f"#{name} = :{name}" for name in present)
        if absent:
            expression += " REMOVE " + ", ".join(f"#{name}" for name in absent)
        ref = PackageRef(package.seller_id, package.order_id, package.package_id)
        actions: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self._table.name,
                    "Key": key(keys.order_pk(ref.seller_id, ref.order_id), keys.package_sk(ref.package_id)),
                    "UpdateExpression": expression,
                    "ExpressionAttributeNames": {f"#{name}": name for name in fields},
                    "ExpressionAttributeValues": {f":{name}": to_value(v) for name, v in present.items()},
                }
            }
        ]
        if number_changed and package.tracking_number:
            link = link_item(package.tracking_number, ref)
            actions.append({"Put": {"TableName": self._table.name, "Item": link}})
        if number_changed and previous is not None and previous.tracking_number:
            link_key = key(
                keys.tracking_pk(previous.tracking_number),
                keys.tracking_link_sk(ref.seller_id, ref.order_id, ref.package_id),
            )
            actions.append({"Delete": {"TableName": self._table.name, "Key": link_key}})
        self._table.client.transact_write_items(TransactItems=actions)  # type: ignore[arg-type]

    def update_state(
        self, ref: PackageRef, tracking_number: str, state: ShipmentState
    ) -> TrackingStatus | None:
        """Store a derived state unless one derived from more events is already there.

        Returns the previous status when the state was written, None when it was not (stale, or the
        package no longer carries this number).
        """
        try:
            answer = self._table.client.update_item(
                TableName=self._table.name,
                Key=key(keys.order_pk(ref.seller_id, ref.order_id), keys.package_sk(ref.package_id)),
                UpdateExpression="SET #state = :state, state_number = :number, state_event_count = :count",
                ConditionExpression=(
                    "tracking_number = :number AND (state_number <> :number OR state_event_count <= :count)"
                ),
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":state": to_value(state.model_dump(mode="json")),
                    ":number": {"S": tracking_number},
                    ":count": {"N": str(state.event_count)},
                },
                ReturnValues="UPDATED_OLD",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        previous = answer.get("Attributes", {}).get("state", {}).get("M", {}).get("status", {}).get("S")
        return TrackingStatus(previous) if previous else TrackingStatus.PENDING

    def schedule_check(
        self, seller_id: str, order_id: str, at: datetime | None, judged_at: datetime | None = None
    ) -> bool:
        """Put the order in the due index at `at` (out of it when None), noting when it was judged.

        A judgement never overwrites a later one (`judged_at` only moves forward): False when a later
        judgement already rescheduled the order.
        """
        values: dict[str, Any] = {}
        assignments: list[str] = []
        condition = "attribute_exists(pk)"
        if at is not None:
            shard = keys.due_shard(seller_id, order_id, self._due_shards)
            assignments += ["due_pk = :due_pk", "due_sk = :due_sk"]
            values[":due_pk"] = {"S": keys.due_shard_pk(shard)}
            values[":due_sk"] = {"S": keys.due_sk(at, seller_id, order_id)}
        if judged_at is not None:
            assignments.append("judged_at = :judged_at")
            values[":judged_at"] = {"S": keys.timestamp(judged_at)}
            condition += " AND (attribute_not_exists(judged_at) OR judged_at <= :judged_at)"
        clauses = [f"SET {', '.join(assignments)}"] if assignments else []
        if at is None:
            clauses.append("REMOVE due_pk, due_sk")
        request: dict[str, Any] = {
            "TableName": self._table.name,
            "Key": key(keys.order_pk(seller_id, order_id), keys.ORDER_SK),
            "UpdateExpression": " ".join(clauses),
            "ConditionExpression": condition,
        }
        if values:
            request["ExpressionAttributeValues"] = values
        try:
            self._table.client.update_item(**request)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException" and judged_at is not None:
                return False
            raise
        return True

    def due_orders(
        self, shard: int, until: datetime, limit: int, cursor: dict[str, Any] | None = None
    ) -> tuple[list[DueOrder], dict[str, Any] | None]:
        """One page of the orders due by `until` in one shard (reads only due items)."""
        request: dict[str, Any] = {
            "TableName": self._table.name,
            "IndexName": "DueIndex",
            "KeyConditionExpression": "due_pk = :shard AND due_sk <= :until",
            "ExpressionAttributeValues": {
                ":shard": {"S": keys.due_shard_pk(shard)},
                ":until": {"S": keys.timestamp(until) + "~"},
            },
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = cursor
        answer = self._table.client.query(**request)
        due = []
        for item in answer.get("Items", []):
            _, seller_id, order_id = item["due_sk"]["S"].split("#", 2)
            due.append(DueOrder(seller_id, order_id))
        return due, answer.get("LastEvaluatedKey")

    @property
    def due_shards(self) -> int:
        return self._due_shards

    def order_ids_of(self, seller_id: str) -> set[str]:
        """Every order id the seller has an order or package item for (GSI1, keys only read)."""
        items = self._table.query_all(
            IndexName="GSI1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.seller_orders_pk(seller_id)}},
            ProjectionExpression="order_id",
        )
        return {item["order_id"] for item in items if "order_id" in item}

    def items_of(self, seller_id: str, order_id: str) -> list[Item]:
        """Every item of an order's partition: order, packages, flags, guards, counted markers."""
        return self._table.query_all(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.order_pk(seller_id, order_id)}},
            ConsistentRead=True,
        )

    def forget_destination(self, seller_id: str, order_id: str) -> bool:
        """Remove the buyer's postal code and country from an order (customer redaction). False if absent."""
        try:
            self._table.client.update_item(
                TableName=self._table.name,
                Key=key(keys.order_pk(seller_id, order_id), keys.ORDER_SK),
                UpdateExpression="REMOVE destination",
                ConditionExpression="attribute_exists(pk)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True


def _seller_index(seller_id: str, order_id: str, sk: str) -> dict[str, str]:
    return {"gsi1pk": keys.seller_orders_pk(seller_id), "gsi1sk": f"{order_id}#{sk}"}


def _judged_at(order_item: Item) -> datetime | None:
    stamp: str | None = order_item.get("judged_at")
    return datetime.fromisoformat(stamp) if stamp else None


def _next_check(order_item: Item) -> str | None:
    due: str = order_item.get("due_sk", "")
    return due.split("#", 1)[0] or None


def _package(item: Item) -> Package:
    return Package.model_validate(item)
