"""The signed sample events (sam local invoke -e) pass their own source's verification and parsing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.secrets import dev_secret
from tests.unit.sources.carriers.conftest import ROOT
from trackguard.sources.base import RawDelivery
from trackguard.sources.registry import carrier_source

SAMPLES = sorted(p for p in (ROOT / "events").glob("carrier_*.json") if not p.stem.endswith("_head"))
TIMESTAMP_SIGNED = {"generic"}  # Standard Webhooks signs the time: the committed sample goes stale


def load(path: Path) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(path.read_text())
    return event


def as_delivery(event: dict[str, Any]) -> RawDelivery:
    return RawDelivery(headers=event["headers"], body=event["body"].encode())


def test_there_is_a_sample_for_every_carrier_route() -> None:
    assert len(SAMPLES) == 8


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.stem)
def test_each_sample_is_an_http_api_request_to_its_route(sample: Path) -> None:
    event = load(sample)
    source = sample.stem.removeprefix("carrier_")

    assert event["version"] == "2.0"
    assert event["routeKey"] == f"POST /webhooks/carriers/{source}"
    assert event["rawPath"] == event["requestContext"]["http"]["path"] == f"/webhooks/carriers/{source}"
    assert event["headers"]["content-type"] == "application/json"
    assert event["isBase64Encoded"] is False


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.stem)
def test_each_sample_is_signed_with_the_dev_secrets_and_parses(sample: Path) -> None:
    source = carrier_source(sample.stem.removeprefix("carrier_"))
    delivery = as_delivery(load(sample))

    if source.name not in TIMESTAMP_SIGNED:
        source.verify(delivery, dev_secret(source.name))
    parsed = source.parse(delivery)

    assert parsed.source == source.name
    assert parsed.events


def test_the_ship24_probe_is_a_head_request() -> None:
    event = load(ROOT / "events" / "carrier_ship24_head.json")

    assert event["requestContext"]["http"]["method"] == "HEAD"
    assert event["rawPath"] == "/webhooks/carriers/ship24"
