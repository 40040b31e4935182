from __future__ import annotations

import pytest

from trackguard.sources.carriers import CARRIER_SOURCES, load_carrier_source

ROUTE_NAMES = ["17track", "ship24", "aftership", "ups", "fedex", "dhl", "usps", "generic"]


def test_the_registry_lists_exactly_the_contract_routes() -> None:
    assert sorted(CARRIER_SOURCES) == sorted(ROUTE_NAMES)


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_every_source_loads_under_its_route_name(name: str) -> None:
    source = load_carrier_source(name)

    assert source.name == name
    assert callable(source.verify)
    assert callable(source.parse)


@pytest.mark.parametrize("name", ["tiktok_shop", "shopify", "unknown", "", "17TRACK", "../ups"])
def test_an_unknown_source_is_a_lookup_error(name: str) -> None:
    with pytest.raises(LookupError):
        load_carrier_source(name)
