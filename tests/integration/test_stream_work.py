"""The table's stream is the processor's work list: each stored delivery or event once, duplicates never."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from tests.support.builders import T0, a_package, an_event, an_order
from tests.support.streams import StreamReader
from trackguard.domain.status import TrackingStatus
from trackguard.services.messages import ShopDeliveryMessage, TrackingUpdateMessage
from trackguard.services.processing import stream_messages
from trackguard.storage.deliveries import DeliveryStatus
from trackguard.storage.store import Store

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

pytestmark = pytest.mark.integration


@pytest.fixture
def stream(store: Store, dynamodb_client: DynamoDBClient) -> StreamReader:
    return StreamReader(dynamodb_client, store.table.name)


def test_a_stored_delivery_is_one_work_item_and_its_duplicate_none(
    store: Store, stream: StreamReader
) -> None:
    store.deliveries.record("shopify", "e-1", b"{}", {}, T0)
    store.deliveries.record("shopify", "e-1", b"{}", {}, T0)

    assert stream_messages(stream.new_records()) == [ShopDeliveryMessage(source="shopify", delivery_id="e-1")]


def test_marking_a_delivery_processed_is_no_work(store: Store, stream: StreamReader) -> None:
    store.deliveries.record("shopify", "e-1", b"{}", {}, T0)
    stream.new_records()

    store.deliveries.mark("shopify", "e-1", DeliveryStatus.PROCESSED)

    assert stream_messages(stream.new_records()) == []


def test_each_new_event_is_work_for_its_number_and_a_repeated_event_is_not(
    store: Store, stream: StreamReader
) -> None:
    first = an_event(TrackingStatus.IN_TRANSIT, T0)
    second = an_event(TrackingStatus.DELIVERED, T0 + timedelta(days=1), code="D")
    store.tracking.put_events([first, second])
    store.tracking.put_events([first])

    assert (
        stream_messages(stream.new_records()) == [TrackingUpdateMessage(numbers=(first.tracking_number,))] * 2
    )


def test_orders_packages_and_flags_are_no_work(store: Store, stream: StreamReader) -> None:
    store.orders.save_order(an_order())
    store.orders.save_package(a_package(), previous=None)
    records = stream.new_records()

    assert len(records) == 3  # the order, the package and the number's link
    assert stream_messages(records) == []
