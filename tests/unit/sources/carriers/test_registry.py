from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.secrets import dev_secret
from trackguard.errors import UnknownSourceError
from trackguard.sources.base import RawDelivery
from trackguard.sources.registry import CARRIER_SOURCES, SHOP_SOURCES, carrier_source, sender, shop_source

CARRIER_ROUTES = list(CARRIER_SOURCES)
SHOPS = list(SHOP_SOURCES)


@pytest.mark.parametrize("name", CARRIER_ROUTES)
def test_every_carrier_loads_under_its_route_name(name: str) -> None:
    assert carrier_source(name).name == name


@pytest.mark.parametrize("name", SHOPS)
def test_every_shop_platform_loads_under_its_name(name: str) -> None:
    assert shop_source(name).name == name


@pytest.mark.parametrize("name", ["tiktok_shop", "shopify", "unknown", "", "17TRACK", "../ups"])
def test_a_name_that_is_no_carrier_is_an_unknown_source(name: str) -> None:
    with pytest.raises(UnknownSourceError) as raised:
        carrier_source(name)
    assert raised.value.status == 404


USPS_ENVELOPE = b'{"timestamp": "2026-11-02T09:00:00Z", "payload": "{}"}'


@pytest.mark.parametrize("name", CARRIER_ROUTES + SHOPS)
def test_what_a_sender_signs_its_own_verify_accepts(name: str) -> None:
    """The round trip: sign() with the dev secret, then verify() the same bytes with the same secret."""
    source = sender(name)
    body = USPS_ENVELOPE if name == "usps" else b'{"events": []}'
    now = datetime.now(UTC)
    headers = source.sign(body, dev_secret(name), now)

    source.verify(RawDelivery(headers=headers, body=body, received_at=now), dev_secret(name))

    assert headers, "a signature is at least one header"
