"""Everything the table holds of one seller, found through its own partitions and indexes (no Scan).

- ``SELLER#{seller}``: profile, shop state, API keys by seller, report records, daily stats;
- ``APIKEY#{hash}``: each key's authorizer copy (its hash is on the seller's ``KEY#`` item);
- ``ORDER#{seller}#{order}``: orders, packages, flags, guards, counted markers — the order ids come from
  GSI1 ``SELLER#{seller}#ORDERS`` and, for orders known only by a flag, ``SELLER#{seller}#FLAGS``;
- ``TRK#{number}``: the seller's tracking links; a number no other seller's package carries also loses
  its carrier events and poll record (they were received for this seller's parcels only);
- ``DELIVERY#…``: the seller's raw deliveries, from GSI2 ``SELLER#{seller}#DELIVERIES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from trackguard.storage import keys
from trackguard.storage.dynamo import Item, Table, key

_BATCH = 25
_Adder = Callable[[str, str, str], None]


@dataclass(frozen=True)
class TableFootprint:
    """The keys of every item of a seller, grouped by what they are (for ``--dry-run`` and tests)."""

    items: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    tracking_numbers: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return sum(len(found) for found in self.items.values())

    def all_keys(self) -> list[tuple[str, str]]:
        return [item_key for found in self.items.values() for item_key in found]


def delivery_key(source: str, delivery_id: str) -> tuple[str, str]:
    """The table key of one stored delivery, as the footprint lists it."""
    return keys.delivery_pk(source, delivery_id), keys.DELIVERY_SK


class ErasureRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def footprint(self, seller_id: str) -> TableFootprint:
        found: dict[str, list[tuple[str, str]]] = {}

        def add(kind: str, pk: str, sk: str) -> None:
            found.setdefault(kind, []).append((pk, sk))

        for item in self._query(keys.seller_pk(seller_id)):
            add(_seller_item_kind(item["sk"]), item["pk"], item["sk"])
            if item["sk"].startswith("KEY#") and item.get("key_hash"):
                add("api key hashes", keys.api_key_pk(item["key_hash"]), keys.APIKEY_SK)
        numbers: set[str] = set()
        for order_id in sorted(self._order_ids(seller_id)):
            for item in self._query(keys.order_pk(seller_id, order_id)):
                add(_order_item_kind(item["sk"]), item["pk"], item["sk"])
                if item["sk"].startswith("PKG#") and item.get("tracking_number"):
                    numbers.add(item["tracking_number"])
        for number in sorted(numbers):
            self._tracking_items(seller_id, number, add)
        for item in self._index("GSI2", "gsi2pk", keys.seller_deliveries_pk(seller_id), "pk, sk"):
            add("deliveries", item["pk"], item["sk"])
        return TableFootprint(items=found, tracking_numbers=tuple(sorted(numbers)))

    def delete(self, item_keys: Iterable[tuple[str, str]]) -> int:
        """Delete items 25 at a time, re-sending what DynamoDB left unprocessed; returns how many."""
        pending = [key(pk, sk) for pk, sk in dict.fromkeys(item_keys)]
        deleted = len(pending)
        while pending:
            chunk, pending = pending[:_BATCH], pending[_BATCH:]
            answer = self._table.client.batch_write_item(
                RequestItems={self._table.name: [{"DeleteRequest": {"Key": k}} for k in chunk]}
            )
            left = answer.get("UnprocessedItems", {}).get(self._table.name, [])
            pending.extend(request["DeleteRequest"]["Key"] for request in left)
        return deleted

    def _order_ids(self, seller_id: str) -> set[str]:
        ordered = self._index("GSI1", "gsi1pk", keys.seller_orders_pk(seller_id), "order_id")
        flagged = self._index("GSI1", "gsi1pk", keys.seller_flags_pk(seller_id), "order_id")
        return {item["order_id"] for item in [*ordered, *flagged] if "order_id" in item}

    def _tracking_items(self, seller_id: str, number: str, add: _Adder) -> None:
        items = self._query(keys.tracking_pk(number))
        links = [item for item in items if item["sk"].startswith("LINK#")]
        others = [item for item in links if keys.seller_of_link(item["sk"]) != seller_id]
        for item in items:
            if item["sk"].startswith("LINK#") and item not in others:
                add("tracking links", item["pk"], item["sk"])
            elif not others and not item["sk"].startswith("LINK#"):
                add("carrier events and polls", item["pk"], item["sk"])

    def _query(self, pk: str) -> list[Item]:
        return self._table.query_all(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
            ProjectionExpression="pk, sk, key_hash, tracking_number",
            ConsistentRead=True,
        )

    def _index(self, index: str, attribute: str, value: str, projection: str) -> list[Item]:
        return self._table.query_all(
            IndexName=index,
            KeyConditionExpression=f"{attribute} = :pk",
            ExpressionAttributeValues={":pk": {"S": value}},
            ProjectionExpression=projection,
        )


_SELLER_KINDS = {"PROFILE": "profile", "SHOP": "shop state", "KEY": "api keys", "REPORT": "report records"}
_ORDER_KINDS = {
    "ORDER": "orders",
    "PKG": "packages",
    "FLAG": "flags",
    "OPENFLAG": "open-flag guards",
    "COUNTED": "counted markers",
}


def _seller_item_kind(sk: str) -> str:
    return _SELLER_KINDS.get(
        sk.split("#", 1)[0], "daily stats" if sk.startswith("STATS#") else "seller items"
    )


def _order_item_kind(sk: str) -> str:
    return _ORDER_KINDS.get(sk.split("#", 1)[0], "order items")
