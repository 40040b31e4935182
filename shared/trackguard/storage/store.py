"""All repositories over one table, built once per process from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from trackguard.settings import Settings
from trackguard.storage.deliveries import DeliveryRepository
from trackguard.storage.dynamo import Table
from trackguard.storage.flags import FlagRepository
from trackguard.storage.orders import OrderRepository
from trackguard.storage.sellers import SellerRepository
from trackguard.storage.shop_connections import ShopConnectionRepository
from trackguard.storage.tracking import TrackingRepository


@dataclass(frozen=True)
class Store:
    table: Table
    deliveries: DeliveryRepository
    tracking: TrackingRepository
    orders: OrderRepository
    flags: FlagRepository
    sellers: SellerRepository
    connections: ShopConnectionRepository

    @classmethod
    def for_table(cls, table: Table, due_shards: int) -> Store:
        return cls(
            table=table,
            deliveries=DeliveryRepository(table),
            tracking=TrackingRepository(table),
            orders=OrderRepository(table, due_shards),
            flags=FlagRepository(table),
            sellers=SellerRepository(table),
            connections=ShopConnectionRepository(table),
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        return cls.for_table(Table(settings.table_name), settings.due_index_shards)
