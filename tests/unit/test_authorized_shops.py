"""The judge asks whether a shop may still be judged once a minute per shop, not once per order."""

from __future__ import annotations

from trackguard.services.judging import SHOP_STATE_CACHE_SECONDS, AuthorizedShops


class Sellers:
    def __init__(self) -> None:
        self.authorized = {"shop-1": True, "shop-2": False}
        self.reads: list[str] = []

    def shop_authorized(self, seller_id: str) -> bool:
        self.reads.append(seller_id)
        return self.authorized[seller_id]


class FakeStore:
    def __init__(self) -> None:
        self.sellers = Sellers()


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_each_shop_is_read_once_a_minute_and_a_withdrawal_shows_after_it() -> None:
    store, clock = FakeStore(), Clock()
    shops = AuthorizedShops(store, clock)  # type: ignore[arg-type]

    assert "shop-1" in shops
    assert "shop-2" not in shops
    assert "shop-1" in shops
    assert store.sellers.reads == ["shop-1", "shop-2"]

    store.sellers.authorized["shop-1"] = False
    clock.now += SHOP_STATE_CACHE_SECONDS - 1
    assert "shop-1" in shops
    clock.now += 1
    assert "shop-1" not in shops
    assert store.sellers.reads == ["shop-1", "shop-2", "shop-1"]
