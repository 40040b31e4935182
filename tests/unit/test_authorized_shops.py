"""The judge asks whether a shop may still be judged once a minute per shop, not once per order."""

from __future__ import annotations

from dataclasses import replace

from tests.support.fakes import UnreadTable
from trackguard.services.judging import SHOP_STATE_CACHE_SECONDS, AuthorizedShops
from trackguard.storage.dynamo import Table
from trackguard.storage.sellers import SellerRepository
from trackguard.storage.store import Store


class Sellers(SellerRepository):
    def __init__(self, table: Table) -> None:
        super().__init__(table)
        self.authorized = {"shop-1": True, "shop-2": False}
        self.reads: list[str] = []

    def shop_authorized(self, seller_id: str) -> bool:
        self.reads.append(seller_id)
        return self.authorized[seller_id]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_each_shop_is_read_once_a_minute_and_a_withdrawal_shows_after_it() -> None:
    table = UnreadTable("unused")
    sellers, clock = Sellers(table), Clock()
    shops = AuthorizedShops(replace(Store.for_table(table, due_shards=1), sellers=sellers), clock)

    assert "shop-1" in shops
    assert "shop-2" not in shops
    assert "shop-1" in shops
    assert sellers.reads == ["shop-1", "shop-2"]

    sellers.authorized["shop-1"] = False
    clock.now += SHOP_STATE_CACHE_SECONDS - 1
    assert "shop-1" in shops
    clock.now += 1
    assert "shop-1" not in shops
    assert sellers.reads == ["shop-1", "shop-2", "shop-1"]
