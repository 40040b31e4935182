"""`trackguard replay` against DynamoDB Local and a moto SQS server: what it selects, sends and moves."""

from __future__ import annotations

import argparse
import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.support.builders import T0, a_package, an_event, an_order
from tests.support.fakes import RecordingPublisher
from tests.support.lambda_endpoint import RecordingLambdaEndpoint
from trackguard import messaging
from trackguard.domain.status import ExceptionReason, FlagCode, FlagStatus, TrackingStatus
from trackguard.rules.thresholds import Thresholds
from trackguard.secrets import SecretDocument
from trackguard.services.ingest import CarrierIngestService
from trackguard.services.judging import OrderJudge
from trackguard.services.messages import TrackingUpdateMessage
from trackguard.services.processing import Processor
from trackguard.services.replay import InvocationRedrive, async_failure
from trackguard.services.shipments import ShipmentUpdater
from trackguard.settings import SettingsError
from trackguard.sources.base import RawDelivery
from trackguard.sources.carriers import usps
from trackguard.storage import dynamo
from trackguard.storage.deliveries import DeliveryStatus
from trackguard.storage.store import Store
from trackguard_dev.cli.replay import register
from trackguard_dev.local.dynamodb_local import free_port
from trackguard_dev.signing import dev_secret_document, sign

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient

pytestmark = pytest.mark.integration
DEV_SECRETS = SecretDocument(dev_secret_document())


@pytest.fixture(scope="module")
def sqs() -> Iterator[SQSClient]:
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
def queues(store: Store, sqs: SQSClient, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
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


def bodies(sqs: SQSClient, url: str) -> list[dict[str, Any]]:
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


def sent_ids(sqs: SQSClient, url: str) -> list[tuple[str, str, str]]:
    return sorted((b["kind"], b["source"], b["delivery_id"]) for b in bodies(sqs, url))


SINCE, UNTIL = T0.isoformat(), (T0 + timedelta(hours=48)).isoformat()


@pytest.mark.usefixtures("stored")
def test_failed_deliveries_of_one_source_in_the_range_are_sent(
    queues: dict[str, str], sqs: SQSClient, capsys: pytest.CaptureFixture[str]
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
    queues: dict[str, str], sqs: SQSClient, status: str, expected: list[str]
) -> None:
    assert replay("--source", "tiktok_shop", "--since", SINCE, "--until", UNTIL, "--status", status) == 0

    assert [delivery_id for _, _, delivery_id in sent_ids(sqs, queues["queue"])] == expected


@pytest.mark.usefixtures("stored")
def test_replaying_twice_sends_the_same_messages_again(queues: dict[str, str], sqs: SQSClient) -> None:
    replay("--source", "shopify", "--since", SINCE, "--until", UNTIL)
    first = sent_ids(sqs, queues["queue"])

    replay("--source", "shopify", "--since", SINCE, "--until", UNTIL)

    assert first == sent_ids(sqs, queues["queue"]) == [("shop_delivery", "shopify", "shopify-failed")]


def test_the_dead_letter_queue_is_moved_back_whole(
    queues: dict[str, str], sqs: SQSClient, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = [{"kind": "shop_delivery", "source": "shopify", "delivery_id": f"d-{n:02}"} for n in range(23)]
    for body in dead:
        sqs.send_message(QueueUrl=queues["dlq"], MessageBody=json.dumps(body))

    assert replay("--dlq", "processing") == 0

    assert sorted(bodies(sqs, queues["queue"]), key=lambda b: b["delivery_id"]) == dead
    assert bodies(sqs, queues["dlq"]) == []
    assert "replay: 23 messages re-driven from the processing dead-letter queue" in capsys.readouterr().out


def test_the_dead_letter_limit_leaves_the_rest_waiting(queues: dict[str, str], sqs: SQSClient) -> None:
    for n in range(15):
        sqs.send_message(QueueUrl=queues["dlq"], MessageBody=json.dumps({"n": n}))

    assert replay("--dlq", "processing", "--limit", "12") == 0

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
    store: Store, queues: dict[str, str], sqs: SQSClient, monkeypatch: pytest.MonkeyPatch
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
    store: Store, queues: dict[str, str], sqs: SQSClient, capsys: pytest.CaptureFixture[str]
) -> None:
    CarrierIngestService(store.tracking, lambda: DEV_SECRETS).accept("usps", usps_label_created(T0))

    assert replay("--source", "usps", "--since", SINCE, "--until", UNTIL) == 0

    output = capsys.readouterr().out
    assert bodies(sqs, queues["queue"]) == []
    assert "1 usps callbacks" in output
    assert "0 events stored, 0 removed, 0 numbers" in output


@pytest.fixture
def dead_letter_queues(
    queues: dict[str, str], sqs: SQSClient, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Every other dead-letter queue, and the reconcile queue, named in the environment as deployed."""
    suffix = uuid.uuid4().hex[:8]
    names = (
        "reconcile",
        "reconcile-dlq",
        "report",
        "report-dlq",
        "stream-dlq",
        "schedule-dlq",
        "invocation-dlq",
    )
    urls = {name: sqs.create_queue(QueueName=f"{name}-{suffix}")["QueueUrl"] for name in names}
    monkeypatch.setenv("RECONCILE_QUEUE_URL", urls["reconcile"])
    monkeypatch.setenv("RECONCILE_DLQ_URL", urls["reconcile-dlq"])
    monkeypatch.setenv("REPORT_QUEUE_URL", urls["report"])
    monkeypatch.setenv("REPORT_DLQ_URL", urls["report-dlq"])
    monkeypatch.setenv("STREAM_FAILURE_DLQ_URL", urls["stream-dlq"])
    monkeypatch.setenv("SCHEDULE_DLQ_URL", urls["schedule-dlq"])
    monkeypatch.setenv("INVOCATION_FAILURE_DLQ_URL", urls["invocation-dlq"])
    return {**queues, **urls}


@pytest.fixture
def functions(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingLambdaEndpoint]:
    with RecordingLambdaEndpoint() as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", endpoint.url)
        yield endpoint


@pytest.mark.parametrize("kind", ["reconcile", "report"])
def test_reconcile_and_report_dead_letters_go_back_to_their_queue(
    dead_letter_queues: dict[str, str], sqs: SQSClient, kind: str
) -> None:
    message = {"seller_id": "s-1", "order_id": "o-1", "as_of": T0.isoformat()}
    sqs.send_message(QueueUrl=dead_letter_queues[f"{kind}-dlq"], MessageBody=json.dumps(message))

    assert replay("--dlq", kind) == 0

    assert bodies(sqs, dead_letter_queues[kind]) == [message]
    assert bodies(sqs, dead_letter_queues[f"{kind}-dlq"]) == []


def stream_batch_of_everything(store: Store) -> dict[str, Any]:
    """A DDBStreamBatchInfo naming every record of the table's stream so far (one shard locally)."""
    streams = boto3.client(
        "dynamodbstreams",
        endpoint_url=store.table.client.meta.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    arn = store.table.client.describe_table(TableName=store.table.name)["Table"]["LatestStreamArn"]
    [shard] = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    return {
        "requestContext": {"functionArn": "arn:aws:lambda:us-east-1:000000000000:function:processor"},
        "DDBStreamBatchInfo": {
            "shardId": shard["ShardId"],
            "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
            "batchSize": len(records),
            "streamArn": arn,
        },
    }


def test_stream_failures_are_resolved_to_the_deliveries_and_events_they_name(
    dead_letter_queues: dict[str, str], sqs: SQSClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", store.table.client.meta.endpoint_url)
    record(store, "shopify", "d-1", 1, DeliveryStatus.RECEIVED)
    record(store, "tiktok_shop", "d-2", 2, DeliveryStatus.RECEIVED)
    store.tracking.put_events([an_event(number="1Z5R89390357567127"), an_event(number="LX123456785CN")])
    failure = stream_batch_of_everything(store)
    sqs.send_message(QueueUrl=dead_letter_queues["stream-dlq"], MessageBody=json.dumps(failure))

    assert replay("--dlq", "stream") == 0

    assert bodies(sqs, dead_letter_queues["queue"]) == [
        {"kind": "shop_delivery", "source": "shopify", "delivery_id": "d-1"},
        {"kind": "shop_delivery", "source": "tiktok_shop", "delivery_id": "d-2"},
        {"kind": "tracking_update", "numbers": ["1Z5R89390357567127", "LX123456785CN"]},
    ]
    assert bodies(sqs, dead_letter_queues["stream-dlq"]) == []


def test_a_message_that_is_no_stream_failure_stays_and_is_reported(
    dead_letter_queues: dict[str, str], sqs: SQSClient, capsys: pytest.CaptureFixture[str]
) -> None:
    sqs.send_message(QueueUrl=dead_letter_queues["stream-dlq"], MessageBody=json.dumps({"kind": "other"}))

    assert replay("--dlq", "stream") == 1

    assert "not a stream failure record" in capsys.readouterr().err
    assert messages_held(sqs, dead_letter_queues["stream-dlq"]) == 1


def messages_held(sqs: SQSClient, url: str) -> int:
    """How many messages a queue holds, those a receive has hidden for now included."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    visible = int(attributes["ApproximateNumberOfMessages"])
    return visible + int(attributes["ApproximateNumberOfMessagesNotVisible"])


PLANNER_ARN = "arn:aws:lambda:us-east-1:123456789012:function:trackguard-prod-ReconcilePlanner-AbC"


def test_scheduler_dead_letters_invoke_their_target_with_the_event(
    dead_letter_queues: dict[str, str], sqs: SQSClient, functions: RecordingLambdaEndpoint
) -> None:
    sqs.send_message(
        QueueUrl=dead_letter_queues["schedule-dlq"],
        MessageBody=json.dumps({"as_of": "2026-11-03T00:00:00Z"}),
        MessageAttributes={
            "TARGET_ARN": {"DataType": "String", "StringValue": PLANNER_ARN},
            "ERROR_CODE": {"DataType": "String", "StringValue": "AWS.Scheduler.InternalServerError"},
        },
    )

    assert replay("--dlq", "schedule") == 0

    assert functions.invocations == [(PLANNER_ARN, "Event", {"as_of": "2026-11-03T00:00:00Z"})]
    assert bodies(sqs, dead_letter_queues["schedule-dlq"]) == []


def test_failed_async_invocations_are_invoked_again_with_their_payload(
    dead_letter_queues: dict[str, str], sqs: SQSClient, functions: RecordingLambdaEndpoint
) -> None:
    failure = {
        "version": "1.0",
        "requestContext": {
            "requestId": "e4b46cbf",
            "functionArn": f"{PLANNER_ARN}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3,
        },
        "requestPayload": {"source": "aws.scheduler", "detail": {}},
        "responseContext": {"statusCode": 200, "functionError": "Unhandled"},
        "responsePayload": {"errorMessage": "boom"},
    }
    sqs.send_message(QueueUrl=dead_letter_queues["invocation-dlq"], MessageBody=json.dumps(failure))

    assert replay("--dlq", "invocation") == 0

    assert functions.invocations == [
        (f"{PLANNER_ARN}:$LATEST", "Event", {"source": "aws.scheduler", "detail": {}})
    ]
    assert bodies(sqs, dead_letter_queues["invocation-dlq"]) == []


@pytest.mark.usefixtures("queues")
def test_a_dead_letter_queue_without_its_url_is_refused_naming_it() -> None:
    with pytest.raises(SettingsError, match="ScheduleDeadLetterSettings: SCHEDULE_DLQ_URL not set"):
        replay("--dlq", "schedule")


def test_a_run_re_drives_what_was_waiting_not_what_its_re_drives_bring_back(
    dead_letter_queues: dict[str, str], sqs: SQSClient, functions: RecordingLambdaEndpoint
) -> None:
    """An invocation that fails again dead-letters anew, at once locally: that record is for the next run."""
    url = dead_letter_queues["invocation-dlq"]
    failing_again = boto3.client(
        "lambda",
        endpoint_url=functions.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )

    def dead_letter_again(params: dict[str, Any], **_: Any) -> None:
        record = {"requestContext": {"functionArn": params["FunctionName"]}, "requestPayload": {}}
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(record))

    failing_again.meta.events.register("provide-client-params.lambda.Invoke", dead_letter_again)
    record = {"requestContext": {"functionArn": PLANNER_ARN}, "requestPayload": {}}
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(record))

    result = InvocationRedrive(sqs, url, failing_again, async_failure).redrive(100, lambda _done: None)

    assert (result.moved, result.kept) == (1, [])
    assert len(bodies(sqs, url)) == 1
