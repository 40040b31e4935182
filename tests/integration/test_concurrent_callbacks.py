"""Fifty carrier callbacks for one package at once: every event is kept and the final state is right."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from tests.support.builders import T0, a_package, an_order
from tests.support.fakes import RecordingPublisher
from tests.support.streams import StreamReader
from trackguard.domain.shipment import derive_state
from trackguard.domain.status import TrackingStatus
from trackguard.secrets import SecretDocument
from trackguard.services.ingest import CarrierIngestService
from trackguard.services.processing import stream_messages
from trackguard.services.shipments import ShipmentUpdater
from trackguard.sources.base import RawDelivery
from trackguard.storage.store import Store
from trackguard_dev.signing import dev_secret_document, sign

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

pytestmark = pytest.mark.integration
NUMBER = "1Z5R89390357567127"
SECRETS = SecretDocument(dev_secret_document())
CALLBACKS = 50


def ups_callback(index: int) -> RawDelivery:
    """A UPS Track Alert: in transit every hour, the last one a delivery."""
    at = T0 + timedelta(hours=index)
    body = {
        "trackingNumber": NUMBER,
        "localActivityDate": at.strftime("%Y%m%d"),
        "localActivityTime": at.strftime("%H%M%S"),
        "gmtActivityDate": at.strftime("%Y%m%d"),
        "gmtActivityTime": at.strftime("%H%M%S"),
        "gmtOffset": "+00:00",
        "activityLocation": {
            "city": "Louisville",
            "stateProvince": "KY",
            "postalCode": "40209",
            "country": "US",
        },
        "activityStatus": {
            "type": "D" if index == CALLBACKS - 1 else "I",
            "code": "FS" if index == CALLBACKS - 1 else "DP",
            "description": "Delivered" if index == CALLBACKS - 1 else "Arrived at Facility",
        },
    }
    raw = json.dumps(body).encode()
    return RawDelivery(headers={"content-type": "application/json", **sign("ups", raw, at)}, body=raw)


def test_fifty_concurrent_callbacks_lose_nothing(store: Store, dynamodb_client: DynamoDBClient) -> None:
    store.orders.save_order(an_order())
    store.orders.save_package(a_package(tracking_number=NUMBER), previous=None)
    stream = StreamReader(dynamodb_client, store.table.name)
    service = CarrierIngestService(store.tracking, lambda: SECRETS)
    callbacks = [ups_callback(index) for index in range(CALLBACKS)]

    updater = ShipmentUpdater(store, RecordingPublisher())

    def callback_then_refresh(delivery: RawDelivery) -> int:
        """Each refresh sees however many events are stored by then, and they finish in any order."""
        accepted = service.accept("ups", delivery)
        updater.refresh([NUMBER], T0)
        return accepted.events

    with ThreadPoolExecutor(max_workers=16) as pool:
        accepted = list(pool.map(callback_then_refresh, callbacks))

    events = store.tracking.load(NUMBER).events
    state = store.orders.view("shop-1", "o-1").packages[0].state
    assert accepted == [1] * CALLBACKS
    assert len(stream_messages(stream.new_records())) == CALLBACKS
    assert len(events) == CALLBACKS
    assert state == derive_state(events)
    assert (state.status, state.event_count) == (TrackingStatus.DELIVERED, CALLBACKS)
    assert state.delivered_at == T0 + timedelta(hours=CALLBACKS - 1)
