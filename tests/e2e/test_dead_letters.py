"""Every dead-letter queue of the real local stack, re-driven by `trackguard replay --dlq NAME`.

The stream case is the whole path: a stored delivery the processor cannot process fails on the stream
until the local stack dead-letters a ``DDBStreamBatchInfo``; once its cause is fixed, replay reads the
records back from the stream and the delivery is processed. A failed asynchronous invocation is made by
the stack too (retried, then Lambda's on-failure record). The other queues get the dead letters their
AWS service would write (the local stack has no failing scheduler or queue redrive to make them with
quickly).
"""

from __future__ import annotations

import json
import time
import uuid
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

import boto3
import pytest

from tests.support.stacks import Stack
from trackguard.sources.base import RawDelivery
from trackguard.sources.shops import shopify
from trackguard.storage import keys
from trackguard.storage.deliveries import DeliveryStatus
from trackguard.storage.dynamo import Table
from trackguard.storage.store import Store
from trackguard_dev.demo import payloads
from trackguard_dev.demo.scenario import OrderPlan, Platform, SellerPlan
from trackguard_dev.demo.stack import StackHandle, handle_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

WAIT_SECONDS = 90.0
PLANNER = "arn:aws:lambda:us-east-1:000000000000:function:trackguard-local-ReconcilePlannerFunction"
T = TypeVar("T")


def wait_for(condition: Callable[[], T | None], what: str, timeout: float = WAIT_SECONDS) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"{what} did not happen in {timeout:.0f} s")


@pytest.fixture(scope="module")
def handle(real_stack: Stack) -> StackHandle:
    found = handle_for(real_stack.state_dir)
    assert found is not None
    return found


def client(handle: StackHandle, service: Literal["dynamodb", "lambda", "sqs"]) -> Any:
    endpoint = (
        handle.environment.get(f"AWS_ENDPOINT_URL_{service.upper()}")
        or handle.environment["AWS_ENDPOINT_URL"]
    )
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="module")
def store(handle: StackHandle) -> Store:
    return Store.for_table(Table(handle.environment["TABLE_NAME"], client(handle, "dynamodb")), due_shards=8)


def queue_bodies(handle: StackHandle, variable: str) -> list[Any]:
    """Take every message off a queue of the stack (named by its variable, e.g. PROCESSING_DLQ_URL)."""
    sqs, url = client(handle, "sqs"), handle.environment[variable]
    found: list[Any] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
        "Messages"
    ):
        found += [json.loads(message["Body"]) for message in batch]
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
        )
    return found


def held(handle: StackHandle, variable: str) -> int:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = client(handle, "sqs").get_queue_attributes(
        QueueUrl=handle.environment[variable], AttributeNames=names
    )["Attributes"]
    return sum(int(attributes[name]) for name in names)


def broken_then_fixed_delivery(handle: StackHandle, store: Store) -> tuple[str, Callable[[], None]]:
    """A Shopify delivery stored with a body processing cannot read; and how to fix it in place."""
    seller = SellerPlan(f"dlq-{uuid.uuid4().hex[:10]}.myshopify.com", Platform.SHOPIFY, "UTC", 6)
    handle.run("sellers", "add", seller.seller_id, "--platform", seller.platform.value)  # else it is parked
    order = OrderPlan(
        seller,
        "57361" + str(uuid.uuid4().int)[:8],
        datetime.now(UTC) - timedelta(hours=2),
        "paid",
        "78701",
        "US",
        (),
    )
    request = payloads.shopify_webhook(
        seller.seller_id, "orders/create", payloads.shopify_order(order, fulfilled=False), handle.secrets
    )
    delivery_id = f"dlq-{uuid.uuid4().hex}"
    headers = {name.lower(): value for name, value in request.headers.items()}
    store.deliveries.record("shopify", delivery_id, b'{"not": "an order"', headers, datetime.now(UTC))

    stored = shopify.SOURCE.parse(RawDelivery(headers, request.body)).stored_body(request.body)

    def fix() -> None:
        """Put back the body as the webhook keeps it (stripped of the buyer's name, street, phone, e-mail)."""
        store.table.client.update_item(
            TableName=store.table.name,
            Key={"pk": {"S": keys.delivery_pk("shopify", delivery_id)}, "sk": {"S": keys.DELIVERY_SK}},
            UpdateExpression="SET body = :body",
            ExpressionAttributeValues={":body": {"B": zlib.compress(stored, 6)}},
        )

    return delivery_id, fix


def status_of(store: Store, delivery_id: str) -> DeliveryStatus | None:
    delivery = store.deliveries.get("shopify", delivery_id)
    return delivery.status if delivery else None


def test_a_stream_failure_is_read_back_from_the_stream_and_processed(
    handle: StackHandle, store: Store
) -> None:
    delivery_id, fix = broken_then_fixed_delivery(handle, store)
    [failure] = wait_for(lambda: queue_bodies(handle, "STREAM_FAILURE_DLQ_URL"), "the stream's dead letter")
    assert failure["DDBStreamBatchInfo"]["batchSize"] >= 1
    assert status_of(store, delivery_id) is DeliveryStatus.FAILED
    client(handle, "sqs").send_message(
        QueueUrl=handle.environment["STREAM_FAILURE_DLQ_URL"], MessageBody=json.dumps(failure)
    )
    fix()

    output = handle.run("replay", "--dlq", "stream")

    assert "1 messages re-driven from the stream dead-letter queue" in output
    wait_for(
        lambda: status_of(store, delivery_id) is DeliveryStatus.PROCESSED, "processing the re-driven delivery"
    )
    assert held(handle, "STREAM_FAILURE_DLQ_URL") == 0


def test_a_processing_dead_letter_goes_back_to_the_processing_queue(
    handle: StackHandle, store: Store
) -> None:
    delivery_id, fix = broken_then_fixed_delivery(handle, store)
    wait_for(lambda: status_of(store, delivery_id) is DeliveryStatus.FAILED, "the delivery failing")
    wait_for(lambda: queue_bodies(handle, "STREAM_FAILURE_DLQ_URL"), "the stream giving up on it")
    fix()
    message = {"kind": "shop_delivery", "source": "shopify", "delivery_id": delivery_id}
    client(handle, "sqs").send_message(
        QueueUrl=handle.environment["PROCESSING_DLQ_URL"], MessageBody=json.dumps(message)
    )

    output = handle.run("replay", "--dlq", "processing")

    assert "1 messages re-driven from the processing dead-letter queue" in output
    wait_for(
        lambda: status_of(store, delivery_id) is DeliveryStatus.PROCESSED, "processing the re-driven delivery"
    )
    assert held(handle, "PROCESSING_DLQ_URL") == 0


def test_a_reconcile_dead_letter_is_judged_by_the_worker(handle: StackHandle) -> None:
    message = {"seller_id": "dlq-nobody", "order_id": "o-1", "as_of": datetime.now(UTC).isoformat()}
    client(handle, "sqs").send_message(
        QueueUrl=handle.environment["RECONCILE_DLQ_URL"], MessageBody=json.dumps(message)
    )

    output = handle.run("replay", "--dlq", "reconcile")

    assert "1 messages re-driven from the reconcile dead-letter queue" in output
    wait_for(lambda: held(handle, "RECONCILE_QUEUE_URL") == 0, "the worker taking the message")
    assert held(handle, "RECONCILE_DLQ_URL") == 0


def planned(real_stack: Stack, as_of: str) -> bool:
    """Whether the planner logged a run as of this instant (the stack's log holds its functions' logs)."""
    return any(
        '"reconcile planned"' in line and as_of in line
        for line in real_stack.log_path.read_text().splitlines()
    )


def test_a_scheduler_dead_letter_invokes_the_planner_with_its_event(
    handle: StackHandle, real_stack: Stack
) -> None:
    as_of = "2031-01-02T03:04:05+00:00"
    client(handle, "sqs").send_message(
        QueueUrl=handle.environment["SCHEDULE_DLQ_URL"],
        MessageBody=json.dumps({"as_of": as_of}),
        MessageAttributes={"TARGET_ARN": {"DataType": "String", "StringValue": PLANNER}},
    )

    output = handle.run("replay", "--dlq", "schedule")

    assert "1 messages re-driven from the schedule dead-letter queue" in output
    wait_for(lambda: planned(real_stack, as_of), "the planner running as of the dead letter's instant")
    assert held(handle, "SCHEDULE_DLQ_URL") == 0


def test_a_failed_async_invocation_invokes_its_function_again(handle: StackHandle, real_stack: Stack) -> None:
    as_of = "2031-02-03T04:05:06+00:00"
    failure = {
        "version": "1.0",
        "requestContext": {"functionArn": f"{PLANNER}:$LATEST", "condition": "RetriesExhausted"},
        "requestPayload": {"as_of": as_of},
    }
    client(handle, "sqs").send_message(
        QueueUrl=handle.environment["INVOCATION_FAILURE_DLQ_URL"], MessageBody=json.dumps(failure)
    )

    output = handle.run("replay", "--dlq", "invocation")

    assert "1 messages re-driven from the invocation dead-letter queue" in output
    wait_for(lambda: planned(real_stack, as_of), "the planner running as of the failed invocation's instant")
    assert held(handle, "INVOCATION_FAILURE_DLQ_URL") == 0


def test_a_failing_async_invocation_lands_in_its_queue_and_replay_invokes_it_again(
    handle: StackHandle,
) -> None:
    """An event the planner refuses fails every attempt, so each re-drive comes back as a new record."""
    client(handle, "lambda").invoke(
        FunctionName=PLANNER, InvocationType="Event", Payload=b'{"as_of": "no time"}'
    )
    [first] = wait_for(lambda: queue_bodies(handle, "INVOCATION_FAILURE_DLQ_URL"), "the on-failure record")
    assert first["requestContext"]["functionArn"] == f"{PLANNER}:$LATEST"
    assert first["requestContext"]["approximateInvokeCount"] == 3
    assert first["requestPayload"] == {"as_of": "no time"}
    client(handle, "sqs").send_message(
        QueueUrl=handle.environment["INVOCATION_FAILURE_DLQ_URL"], MessageBody=json.dumps(first)
    )

    output = handle.run("replay", "--dlq", "invocation")

    # The run re-drives what was waiting when it started, not the record its own re-drive brings back.
    assert "1 messages re-driven from the invocation dead-letter queue" in output
    [again] = wait_for(
        lambda: queue_bodies(handle, "INVOCATION_FAILURE_DLQ_URL"), "the re-driven invocation failing"
    )
    assert again["requestPayload"] == {"as_of": "no time"}
    assert again["requestContext"]["requestId"] != first["requestContext"]["requestId"]


def report_jobs_run(real_stack: Stack) -> int:
    """How many report jobs the worker finished (the stack's log holds its functions' logs)."""
    return sum('"message":"report job"' in line for line in real_stack.log_path.read_text().splitlines())


def test_a_report_dead_letter_is_run_by_the_report_worker(handle: StackHandle, real_stack: Stack) -> None:
    seller_id = f"dlq-{uuid.uuid4().hex[:10]}.myshopify.com"
    handle.run("sellers", "add", seller_id, "--platform", Platform.SHOPIFY.value)
    now = datetime.now(UTC)
    job = {"seller_id": seller_id, "report_date": now.date().isoformat(), "as_of": now.isoformat()}
    client(handle, "sqs").send_message(
        QueueUrl=handle.environment["REPORT_DLQ_URL"], MessageBody=json.dumps(job)
    )
    finished = report_jobs_run(real_stack)

    output = handle.run("replay", "--dlq", "report")

    assert "1 messages re-driven from the report dead-letter queue" in output
    wait_for(lambda: report_jobs_run(real_stack) > finished, "the worker finishing the re-driven job")
    assert held(handle, "REPORT_DLQ_URL") == 0
    assert held(handle, "REPORT_QUEUE_URL") == 0
