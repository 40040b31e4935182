"""SQS events and which messages stay on the queue after an invocation."""

from __future__ import annotations

from trackguard_dev.local.consumers import failed_message_ids, sqs_event
from trackguard_dev.local.model import QueueSourceSpec
from trackguard_dev.local.workers import Invocation

PARTIAL = QueueSourceSpec("Fn", "Work", "http://q/work", "arn:aws:sqs:us-east-1:000000000000:work", 10, True)
WHOLE = QueueSourceSpec("Fn", "Work", "http://q/work", "arn:aws:sqs:us-east-1:000000000000:work", 10, False)
IDS = ["m1", "m2", "m3"]


def test_sqs_event_records() -> None:
    message = {
        "MessageId": "m1",
        "ReceiptHandle": "rh",
        "Body": "hello",
        "MD5OfBody": "5d41402abc4b2a76b9719d911017c592",
        "Attributes": {"ApproximateReceiveCount": "1"},
        "MessageAttributes": {"kind": {"StringValue": "order", "DataType": "String"}},
    }

    record = sqs_event(PARTIAL, [message])["Records"][0]

    assert record == {
        "messageId": "m1",
        "receiptHandle": "rh",
        "body": "hello",
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {
            "kind": {
                "stringValue": "order",
                "binaryValue": None,
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": "String",
            }
        },
        "md5OfBody": "5d41402abc4b2a76b9719d911017c592",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:work",
        "awsRegion": "us-east-1",
    }


def test_an_error_keeps_the_whole_batch() -> None:
    assert failed_message_ids(PARTIAL, Invocation(False, {}), IDS) == set(IDS)


def test_reported_item_failures_keep_only_those() -> None:
    answer = Invocation(True, {"batchItemFailures": [{"itemIdentifier": "m2"}]})

    assert failed_message_ids(PARTIAL, answer, IDS) == {"m2"}


def test_an_unknown_item_identifier_fails_the_whole_batch() -> None:
    answer = Invocation(True, {"batchItemFailures": [{"itemIdentifier": "other"}]})

    assert failed_message_ids(PARTIAL, answer, IDS) == set(IDS)


def test_item_failures_are_ignored_without_report_batch_item_failures() -> None:
    answer = Invocation(True, {"batchItemFailures": [{"itemIdentifier": "m2"}]})

    assert failed_message_ids(WHOLE, answer, IDS) == set()


def test_success_without_failures_deletes_everything() -> None:
    assert failed_message_ids(PARTIAL, Invocation(True, {"batchItemFailures": []}), IDS) == set()
    assert failed_message_ids(PARTIAL, Invocation(True, None), IDS) == set()
