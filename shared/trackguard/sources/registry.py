"""Every sender trackguard accepts, by route name: the one list to extend when adding a sender.

Modules are imported by name only when their route is called, so a function loads the one sender it
serves. A shop platform's module also exposes ``SYNC`` (see ``trackguard.services.shop_sync``).
"""

from __future__ import annotations

import importlib
from typing import Any

from trackguard.errors import UnknownSourceError
from trackguard.sources.base import CarrierSource, Sender, ShopSource

CARRIER_SOURCES: dict[str, str] = {
    "17track": "trackguard.sources.carriers.seventeen_track",
    "ship24": "trackguard.sources.carriers.ship24",
    "aftership": "trackguard.sources.carriers.aftership",
    "ups": "trackguard.sources.carriers.ups",
    "fedex": "trackguard.sources.carriers.fedex",
    "dhl": "trackguard.sources.carriers.dhl",
    "usps": "trackguard.sources.carriers.usps",
    "generic": "trackguard.sources.carriers.generic",
}
SHOP_SOURCES: dict[str, str] = {
    "tiktok_shop": "trackguard.sources.shops.tiktok_shop",
    "shopify": "trackguard.sources.shops.shopify",
}


def carrier_source(name: str) -> CarrierSource:
    return _load(CARRIER_SOURCES, name)


def shop_source(name: str) -> ShopSource:
    return _load(SHOP_SOURCES, name)


def sender(name: str) -> Sender[Any, Any]:
    """Any sender, shop or carrier (tooling signs through this)."""
    return _load({**SHOP_SOURCES, **CARRIER_SOURCES}, name)


def _load(modules: dict[str, str], name: str) -> Sender[Any, Any]:
    if name not in modules:
        raise UnknownSourceError.unknown(name)
    source: Sender[Any, Any] = importlib.import_module(modules[name]).SOURCE
    return source
