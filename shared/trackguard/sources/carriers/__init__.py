"""Carrier and aggregator sources: one module per sender, loaded by route name only when needed.

Each module exposes ``SOURCE``, a :class:`CarrierSource` whose ``verify`` checks the signature over the raw
body (raising ``SignatureError``) and whose ``parse`` turns the body into canonical carrier events (raising
``PayloadError``). A new carrier is one new module and one line in ``CARRIER_SOURCES``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from trackguard.secrets import WebhookSecrets
from trackguard.sources.base import CarrierDelivery, RawDelivery

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


@dataclass(frozen=True)
class CarrierSource:
    name: str
    verify: Callable[[RawDelivery, WebhookSecrets], None]
    parse: Callable[[RawDelivery], CarrierDelivery]


class UnknownCarrierSourceError(LookupError):
    """No carrier source has this route name (answered 404)."""


def load_carrier_source(name: str) -> CarrierSource:
    if name not in CARRIER_SOURCES:
        raise UnknownCarrierSourceError(name)
    source: CarrierSource = importlib.import_module(CARRIER_SOURCES[name]).SOURCE
    return source
