"""`trackguard replay` against DynamoDB Local and a moto SQS server: what it selects, sends and moves."""

from __future__ import annotations

import argparse
import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.support.builders import T0, a_package, an_order
from tests.support.fakes import RecordingPublisher
from trackguard import messaging
from trackguard.domain.status import ExceptionReason, FlagCode, FlagStatus, TrackingStatus
from trackguard.rules.thresholds import Thresholds
from trackguard.secrets import SecretDocument
from trackguard.services.ingest import CarrierIngestService
from trackguard.services.judging import OrderJudge
from trackguard.services.messages import TrackingUpdateMessage
from trackguard.services.processing import Processor
from trackguard.services.shipments import ShipmentUpdater
from trackguard.sources.base import RawDelivery
from trackguard.sources.carriers import usps
from trackguard.storage import dynamo
from trackguard.storage.deliveries import DeliveryStatus
from trackguard.storage.store import Store
from trackguard_dev.cli.replay import register
from trackguard_dev.local.dynamodb_local import free_port
from trackguard_dev.signing import dev_secret_document, sign

pytestmark = pytest.mark.integration
DEV_SECRETS = SecretDocument(dev_secret_document())


@pytest.fixture(scope="module")
def sqs() -> Iterator[Any]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield boto3.client(
        "sqs",
        endpoint_url=f"http://{host}:{port}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    server.stop()


@pytest.fixture
def queues(store: Store, sqs: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A processing queue and its DLQ; the command's table, queues and clients point at this test's."""
    suffix = uuid.uuid4().hex[:8]
    urls = {name: sqs.create_queue(QueueName=f"{name}-{suffix}")["QueueUrl"] for name in ("queue", "dlq")}
    monkeypatch.setenv("TABLE_NAME", store.table.name)
    monkeypatch.setenv("PROCESSING_QUEUE_URL", urls["queue"])
    monkeypatch.setenv("PROCESSING_DLQ_URL", urls["dlq"])
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", sqs.meta.endpoint_url)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr(dynamo, "dynamodb_client", lambda: store.table.client)
    monkeypatch.setattr(messaging, "_sqs", lambda: sqs)
    return urls


def bodies(sqs: Any, url: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for _ in range(100):
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
            "Messages", []
        )
        if not batch:
            return found
        found += [json.loads(message["Body"]) for message in batch]
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
        )
    return found


def record(store: Store, source: str, delivery_id: str, hours: float, status: DeliveryStatus) -> None:
    received = T0 + timedelta(hours=hours)
    store.deliveries.record(source, delivery_id, b"{}", {"content-type": "application/json"}, received)
    if status is not DeliveryStatus.RECEIVED:
        store.deliveries.mark(
            source, delivery_id, status, "boom" if status is DeliveryStatus.FAILED else None
        )


@pytest.fixture
def stored(store: Store) -> None:
    """TikTok deliveries over two days in every status, and one Shopify delivery in the same range."""
    record(store, "tiktok_shop", "early", -1, DeliveryStatus.FAILED)
    record(store, "tiktok_shop", "failed-1", 1, DeliveryStatus.FAILED)
    record(store, "tiktok_shop", "received-1", 2, DeliveryStatus.RECEIVED)
    record(store, "tiktok_shop", "processed-1", 3, DeliveryStatus.PROCESSED)
    record(store, "tiktok_shop", "failed-2", 26, DeliveryStatus.FAILED)
    record(store, "tiktok_shop", "late", 50, DeliveryStatus.FAILED)
    record(store, "shopify", "shopify-failed", 2, DeliveryStatus.FAILED)


def replay(*options: str) -> int:
    """The command as `trackguard replay ...` runs it (only its own subcommand registered)."""
    parser = argparse.ArgumentParser(prog="trackguard")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["replay", *options])
    return int(args.handler(args))


def sent_ids(sqs: Any, url: str) -> list[tuple[str, str, str]]:
    return sorted((b["kind"], b["source"], b["delivery_id"]) for b in bodies(sqs, url))


SINCE, UNTIL = T0.isoformat(), (T0 + timedelta(hours=48)).isoformat()


@pytest.mark.usefixtures("stored")
def test_failed_deliveries_of_one_source_in_the_range_are_sent(
    queues: dict[str, str], sqs: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert replay("--source", "tiktok_shop", "--since", SINCE, "--until", UNTIL) == 0

    assert sent_ids(sqs, queues["queue"]) == [
        ("shop_delivery", "tiktok_shop", "failed-1"),
        ("shop_delivery", "tiktok_shop", "failed-2"),
    ]
    assert "replay: 2 failed tiktok_shop deliveries" in capsys.readouterr().out


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("received", ["received-1"]),
        ("all", ["failed-1", "failed-2", "processed-1", "received-1"]),
    ],
)
def test_the_status_option_selects_which_deliveries(
    queues: dict[str, str], sqs: Any, status: str, expected: list[str]
) -> None:
    assert replay("--source", "tiktok_shop", "--since", SINCE, "--until", UNTIL, "--status", status) == 0

    assert [delivery_id for _, _, delivery_id in sent_ids(sqs, queues["queue"])] == expected


@pytest.mark.usefixtures("stored")
def test_replaying_twice_sends_the_same_messages_again(queues: dict[str, str], sqs: Any) -> None:
    replay("--source", "shopify", "--since", SINCE, "--until", UNTIL)
    first = sent_ids(sqs, queues["queue"])

    replay("--source", "shopify", "--since", SINCE, "--until", UNTIL)

    assert first == sent_ids(sqs, queues["queue"]) == [("shop_delivery", "shopify", "shopify-failed")]


def test_the_dead_letter_queue_is_moved_back_whole(
    queues: dict[str, str], sqs: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = [{"kind": "shop_delivery", "source": "shopify", "delivery_id": f"d-{n:02}"} for n in range(23)]
    for body in dead:
        sqs.send_message(QueueUrl=queues["dlq"], MessageBody=json.dumps(body))

    assert replay("--dlq") == 0

    assert sorted(bodies(sqs, queues["queue"]), key=lambda b: b["delivery_id"]) == dead
    assert bodies(sqs, queues["dlq"]) == []
    assert "replay: 23 messages moved from the dead-letter queue" in capsys.readouterr().out


def test_the_dead_letter_limit_leaves_the_rest_waiting(queues: dict[str, str], sqs: Any) -> None:
    for n in range(15):
        sqs.send_message(QueueUrl=queues["dlq"], MessageBody=json.dumps({"n": n}))

    assert replay("--dlq", "--limit", "12") == 0

    assert len(bodies(sqs, queues["queue"])) == 12
    assert len(bodies(sqs, queues["dlq"])) == 3


@pytest.mark.usefixtures("queues")
@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        (["--source", "tiktok_shop"], "--source needs --since"),
        (["--source", "shopify", "--since", UNTIL, "--until", SINCE], "--since must be before --until"),
    ],
)
def test_a_wrong_range_is_refused_with_one_line(
    options: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert replay(*options) == 1

    assert complaint in capsys.readouterr().err


USPS_NUMBER = "9400111899223197428490"


def usps_label_created(at: datetime) -> RawDelivery:
    """A signed USPS callback whose one event is GX, "Shipping Label Created, USPS Awaiting Item"."""
    payload = json.dumps(
        {
            "trackingNumber": USPS_NUMBER,
            "trackingEvents": [
                {
                    "eventType": "Shipping Label Created, USPS Awaiting Item",
                    "eventCode": "GX",
                    "eventTimestamp": at.isoformat(),
                    "eventCity": "SAN JOSE",
                    "eventState": "CA",
                }
            ],
        }
    )
    timestamp = at.isoformat()
    envelope = {
        "subscriptionId": "s-1",
        "subscriptionType": "TRACKING",
        "timestamp": timestamp,
        "payload": payload,
    }
    body = json.dumps(envelope)
    headers = {"content-type": "application/json", **sign("usps", body.encode(), at)}
    return RawDelivery(headers=headers, body=body.encode(), received_at=at)


def a_processor(store: Store) -> Processor:
    publisher = RecordingPublisher()
    updater = ShipmentUpdater(store, publisher)
    return Processor(
        store=store,
        build_shop_sync=lambda: pytest.fail("no shop delivery in this test"),
        updater=updater,
        judge=OrderJudge(store, publisher, Thresholds()),
        clock=lambda: T0 + timedelta(hours=2),
    )


def open_codes(store: Store) -> list[FlagCode]:
    return [flag.code for flag in store.flags.list("shop-1", FlagStatus.OPEN).flags]


def test_a_fixed_adapter_rederives_stored_callbacks_and_the_state_and_flags_follow(
    store: Store, queues: dict[str, str], sqs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stored while USPS's GX read as an exception; replayed once the table says label created."""
    store.orders.save_order(an_order())
    store.orders.save_package(a_package(tracking_number=USPS_NUMBER, declared_carrier="usps"), previous=None)
    processor = a_processor(store)
    with monkeypatch.context() as old_adapter:
        old_adapter.setitem(usps.EVENT_CODES, "GX", (TrackingStatus.EXCEPTION, ExceptionReason.OTHER))
        CarrierIngestService(store.tracking, lambda: DEV_SECRETS).accept("usps", usps_label_created(T0))
        processor.handle(TrackingUpdateMessage(numbers=(USPS_NUMBER,)))
    before = store.orders.view("shop-1", "o-1").packages[0].state
    assert (before.status, open_codes(store)) == (TrackingStatus.EXCEPTION, [FlagCode.DELIVERY_EXCEPTION])

    assert replay("--source", "usps", "--since", SINCE, "--until", UNTIL) == 0
    for message in bodies(sqs, queues["queue"]):
        processor.handle(TrackingUpdateMessage.model_validate(message))

    (event,) = store.tracking.load(USPS_NUMBER).events
    after = store.orders.view("shop-1", "o-1").packages[0].state
    assert (event.status, event.source_code) == (TrackingStatus.INFO_RECEIVED, "GX")
    assert after.status is TrackingStatus.INFO_RECEIVED
    assert FlagCode.DELIVERY_EXCEPTION not in open_codes(store)
    resolved = store.flags.list("shop-1", FlagStatus.RESOLVED).flags
    assert [flag.code for flag in resolved] == [FlagCode.DELIVERY_EXCEPTION]


def test_replaying_a_carrier_twice_changes_nothing_the_second_time(
    store: Store, queues: dict[str, str], sqs: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    CarrierIngestService(store.tracking, lambda: DEV_SECRETS).accept("usps", usps_label_created(T0))

    assert replay("--source", "usps", "--since", SINCE, "--until", UNTIL) == 0

    output = capsys.readouterr().out
    assert bodies(sqs, queues["queue"]) == []
    assert "1 usps callbacks" in output
    assert "0 events stored, 0 removed, 0 numbers" in output
