"""Erasing a seller and everything of it: `trackguard sellers delete`, and Shopify's ``shop/redact``.

What goes (CONTRACT §7): the table's items of the seller (storage/erasure.py lists them), its reports
and data-request exports in S3, and its secrets in Secrets Manager (TikTok tokens, the report-webhook
secret). The table goes last: a run that fails midway is simply run again, and still finds what is left.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from trackguard.storage.dynamo import Table
from trackguard.storage.erasure import ErasureRepository, TableFootprint, delivery_key


class ObjectStore(Protocol):
    def objects_of(self, seller_id: str) -> list[str]: ...

    def delete(self, names: list[str]) -> None: ...


class Secrets(Protocol):
    def name(self, owner: str) -> str: ...

    def exists(self, owner: str) -> bool: ...

    def delete(self, owner: str) -> bool: ...


@dataclass(frozen=True)
class ErasurePlan:
    seller_id: str
    table: TableFootprint
    objects: tuple[str, ...]
    secrets: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.table.count or self.objects or self.secrets)

    def lines(self) -> list[str]:
        """What the plan erases, one line per kind, for the operator."""
        lines = [f"{len(found)} {kind}" for kind, found in sorted(self.table.items.items())]
        if self.objects:
            lines.append(f"{len(self.objects)} S3 objects (reports and data-request exports)")
        lines.extend(f"secret {name}" for name in self.secrets)
        return lines


class SellerErasure:
    def __init__(self, table: ErasureRepository, objects: ObjectStore, secrets: tuple[Secrets, ...]) -> None:
        self._table = table
        self._objects = objects
        self._secrets = secrets

    def plan(self, seller_id: str) -> ErasurePlan:
        """What erasing the seller would delete; reads only."""
        return ErasurePlan(
            seller_id=seller_id,
            table=self._table.footprint(seller_id),
            objects=tuple(self._objects.objects_of(seller_id)),
            secrets=tuple(store.name(seller_id) for store in self._secrets if store.exists(seller_id)),
        )

    def erase(self, seller_id: str, keep_delivery: tuple[str, str] | None = None) -> ErasurePlan:
        """Delete everything of the seller, but the delivery ``keep_delivery`` (source, id) names;
        idempotent (a second run finds and deletes nothing). ``shop/redact`` keeps its own delivery:
        the record that the erasure was done."""
        plan = self.plan(seller_id)
        if plan.objects:
            self._objects.delete(list(plan.objects))
        for store in self._secrets:
            store.delete(seller_id)
        kept = {delivery_key(*keep_delivery)} if keep_delivery else set()
        self._table.delete(item for item in plan.table.all_keys() if item not in kept)
        return plan


def build_seller_erasure(
    table: Table, reports_bucket: str, secret_prefixes: tuple[str, ...]
) -> SellerErasure:
    """Erasure as deployed: the table, the reports bucket, and each prefix of per-seller secrets."""
    from trackguard.clients.secret_store import SecretStore
    from trackguard.storage.reports import ReportStore

    return SellerErasure(
        ErasureRepository(table),
        ReportStore(reports_bucket),
        tuple(SecretStore(prefix) for prefix in secret_prefixes),
    )
