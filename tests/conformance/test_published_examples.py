"""Every sender's own published example is accepted and means what its sender documents, event by event.

The examples are kept as published (tests/conformance/examples/<sender>/, changes listed in PROVENANCE.md).
Each carrier example is parsed by its adapter and the whole result is compared with
tests/conformance/expected/<sender>/<example>; ``DOCUMENTED`` repeats, for reading, the status and reason
that the sender's documentation gives each event, newest first as the example lists them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from trackguard.domain.status import ExceptionReason, TrackingStatus
from trackguard.sources.base import RawDelivery
from trackguard.sources.registry import CARRIER_SOURCES, carrier_source

HERE = Path(__file__).parent
EXAMPLES = HERE / "examples"
EXPECTED = HERE / "expected"
RECEIVED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CARRIER_SENDERS = ("17track", "ship24", "aftership", "ups", "fedex", "dhl", "usps")
SHOP_SENDERS = ("tiktok_shop", "shopify")

S = TrackingStatus
R = ExceptionReason
Documented = list[tuple[TrackingStatus, ExceptionReason | None]]

IN_TRANSIT: tuple[TrackingStatus, None] = (S.IN_TRANSIT, None)

DOCUMENTED: dict[str, Documented] = {
    # 17TRACK: key events carry their stage; "Arrived at Facility" and "Origin Scan" are ordinary scans.
    "17track/tracking-updated-docs-example.json": [
        (S.DELIVERED, None),
        (S.OUT_FOR_DELIVERY, None),
        IN_TRANSIT,
        IN_TRANSIT,
        (S.INFO_RECEIVED, None),
    ],
    # Ship24: statusMilestone per event (statusCode null on the non-significant ones).
    "ship24/tracking-schema-example.json": [
        (S.DELIVERED, None),
        (S.OUT_FOR_DELIVERY, None),
        *[IN_TRANSIT] * 6,
        (S.INFO_RECEIVED, None),
    ],
    "ship24/webhook-valid-request.json": [(S.DELIVERED, None)],
    # AfterShip: a checkpoint's InfoReceived_001, then the tracking's own Delivered_001 (no checkpoint).
    "aftership/tracking-level-delivered-without-checkpoint.json": [
        (S.INFO_RECEIVED, None),
        (S.DELIVERED, None),
    ],
    "aftership/usps-label-created-gx.json": [(S.INFO_RECEIVED, None)],
    # UPS: M/MP ready for UPS, I/OR and I/DP on the way, I/YP preparing, I/OT out, D/FS delivered.
    "ups/v1-1-manifest-label-created-or-billing-information-received-message.json": [(S.INFO_RECEIVED, None)],
    "ups/v1-2-ups-has-your-package-message.json": [IN_TRANSIT],
    "ups/v1-3-on-the-way-arrival-or-departure-from-a-ups-building-message.json": [IN_TRANSIT],
    "ups/v1-4-preparing-for-delivery-message.json": [IN_TRANSIT],
    "ups/v1-5-preparing-for-delivery-loaded-on-vehicle-message.json": [IN_TRANSIT],
    "ups/v1-6-out-for-delivery-message.json": [(S.OUT_FOR_DELIVERY, None)],
    "ups/v1-7-delivery-message.json": [(S.DELIVERED, None)],
    "ups/v2-1-out-for-delivery-message.json": [(S.OUT_FOR_DELIVERY, None)],
    "ups/v2-2-delivery-message.json": [(S.DELIVERED, None)],
    "ups/issue-41-on-the-way.json": [IN_TRANSIT],
    # FedEx: eventType, else derivedStatusCode (OC information sent, HP ready for pickup, DE exception).
    "fedex/track-api-docs-example.json": [IN_TRANSIT],
    "fedex/track-api-delivered.json": [
        (S.DELIVERED, None),
        (S.OUT_FOR_DELIVERY, None),
        *[IN_TRANSIT] * 13,
        (S.INFO_RECEIVED, None),
        IN_TRANSIT,
    ],
    "fedex/track-api-two-results-delivery-exception.json": [
        IN_TRANSIT,
        (S.AVAILABLE_FOR_PICKUP, None),
        *[IN_TRANSIT] * 7,
        (S.INFO_RECEIVED, None),
        (S.DELIVERED, None),
        (S.OUT_FOR_DELIVERY, None),
        *[IN_TRANSIT] * 3,
        (S.DELIVERY_FAILED, None),
        (S.DELIVERY_FAILED, None),
        (S.OUT_FOR_DELIVERY, None),
    ],
    # DHL Unified Tracking: statusCode pre-transit.
    "dhl/unified-tracking-docs-example.json": [(S.INFO_RECEIVED, None)],
    # USPS: 01 delivered, OF out, 07/A1/TL/T1/10/SF/03 network scans, GX label created.
    "usps/tracking-v3-delivered-parcel-locker.json": [
        (S.DELIVERED, None),
        (S.OUT_FOR_DELIVERY, None),
        *[IN_TRANSIT] * 9,
        (S.INFO_RECEIVED, None),
    ],
}


def examples_of(senders: tuple[str, ...]) -> list[str]:
    return [
        f"{sender}/{path.name}" for sender in senders for path in sorted((EXAMPLES / sender).glob("*.json"))
    ]


def parsed(example: str) -> dict[str, Any]:
    sender = example.split("/", maxsplit=1)[0]
    body = (EXAMPLES / example).read_bytes()
    delivery = carrier_source(sender).parse(RawDelivery(headers={}, body=body, received_at=RECEIVED))
    return {
        "delivery_id": delivery.delivery_id,
        "stopped_numbers": list(delivery.stopped_numbers),
        "events": [event.model_dump(mode="json") for event in delivery.events],
    }


def test_every_sender_has_published_examples() -> None:
    for sender in CARRIER_SENDERS + SHOP_SENDERS:
        assert list((EXAMPLES / sender).glob("*.json")), sender
    assert set(CARRIER_SENDERS) == set(CARRIER_SOURCES) - {"generic"}


def test_every_example_has_an_expectation_and_a_provenance() -> None:
    provenance = (HERE / "PROVENANCE.md").read_text()
    carrier_examples = examples_of(CARRIER_SENDERS)

    assert set(DOCUMENTED) == set(carrier_examples)
    assert {f"{p.parent.name}/{p.name}" for p in EXPECTED.glob("*/*.json")} == set(carrier_examples)
    for example in carrier_examples + examples_of(SHOP_SENDERS):
        assert f"`{example}`" in provenance, example


@pytest.mark.parametrize("example", examples_of(CARRIER_SENDERS))
def test_a_carrier_example_parses_whole_into_what_is_expected(example: str) -> None:
    expected = json.loads((EXPECTED / example).read_text())

    assert parsed(example) == expected


@pytest.mark.parametrize("example", examples_of(CARRIER_SENDERS))
def test_each_event_means_what_its_sender_documents(example: str) -> None:
    events = parsed(example)["events"]

    meanings = [(S(event["status"]), R(event["reason"]) if event["reason"] else None) for event in events]
    assert meanings == DOCUMENTED[example]
    assert not any(event["unmapped"] for event in events)


def test_an_ordinary_17track_scan_is_in_transit_not_an_exception() -> None:
    events = parsed("17track/tracking-updated-docs-example.json")["events"]
    scans = [
        event for event in events if event["source_description"] in {"Arrived at Facility", "Origin Scan"}
    ]

    assert [(event["status"], event["source_code"]) for event in scans] == [("IN_TRANSIT", "")] * 2
