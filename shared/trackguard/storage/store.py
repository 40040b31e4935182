"""All repositories over one table."""

from __future__ import annotations

from dataclasses import dataclass

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
    def for_table_name(cls, table_name: str, due_shards: int) -> Store:
        return cls.for_table(Table(table_name), due_shards)
