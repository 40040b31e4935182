"""Which stored packages a platform snapshot says have left the order."""

from __future__ import annotations

from tests.support.builders import a_package
from trackguard.domain.orders import ALL_PACKAGES, OrderSnapshot


def snapshot(*package_ids: str, complete_for: tuple[str, ...] = ()) -> OrderSnapshot:
    packages = tuple(a_package(package_id=package_id) for package_id in package_ids)
    return OrderSnapshot("shop-1", "o-1", None, packages, complete_for)


def test_a_whole_order_omits_every_package_it_does_not_list() -> None:
    whole = snapshot("p-2", complete_for=(ALL_PACKAGES,))

    assert (whole.omits("p-1"), whole.omits("p-2")) == (True, False)


def test_a_shopify_fulfillment_omits_only_its_own_packages() -> None:
    cancelled = snapshot(complete_for=("255858046",))

    assert cancelled.omits("255858046")
    assert cancelled.omits("255858046-2")
    assert not cancelled.omits("2558580460")
    assert not cancelled.omits("9000001")


def test_a_snapshot_that_lists_nothing_in_full_omits_nothing() -> None:
    assert not snapshot("p-2").omits("p-1")
