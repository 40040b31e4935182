"""Every asynchronous path ends in a dead-letter queue of its own, each re-drivable by `trackguard replay`."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.template.transform import of_type, transformed
from trackguard_dev.cli.replay import DLQ_KINDS
from trackguard_dev.cli.settings import DEAD_LETTER_SETTINGS

# Which dead-letter queue takes each kind's failures, and the variable `replay` reads its URL from.
KINDS = {
    "processing": ("ProcessingDLQ", "PROCESSING_DLQ_URL"),
    "reconcile": ("ReconcileDLQ", "RECONCILE_DLQ_URL"),
    "report": ("ReportDLQ", "REPORT_DLQ_URL"),
    "stream": ("StreamFailureDLQ", "STREAM_FAILURE_DLQ_URL"),
    "schedule": ("ScheduleDLQ", "SCHEDULE_DLQ_URL"),
    "invocation": ("InvocationFailureDLQ", "INVOCATION_FAILURE_DLQ_URL"),
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return transformed(Stage="prod")


def test_replay_knows_every_dead_letter_queue_and_the_stack_outputs_its_url(template: dict[str, Any]) -> None:
    assert set(DLQ_KINDS) == set(DEAD_LETTER_SETTINGS) == set(KINDS)
    for kind, (queue, variable) in KINDS.items():
        assert template["Outputs"][f"{queue}Url"]["Value"] == {"Ref": queue}, kind
        assert DEAD_LETTER_SETTINGS[kind].required_variables()[0] == variable


def test_the_stream_fails_to_its_own_queue(template: dict[str, Any]) -> None:
    [stream] = [
        m["Properties"]
        for m in of_type(template, "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"]["Fn::GetAtt"][1] == "StreamArn"
    ]

    assert stream["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["StreamFailureDLQ", "Arn"]
    }
    assert stream["MaximumRetryAttempts"] > 0
    assert stream["BisectBatchOnFunctionError"] is True


@pytest.mark.parametrize("queue", ["ProcessingQueue", "ReconcileQueue", "ReportQueue"])
def test_queues_redrive_to_their_own_dlq(template: dict[str, Any], queue: str) -> None:
    policy = template["Resources"][queue]["Properties"]["RedrivePolicy"]

    assert policy["deadLetterTargetArn"] == {"Fn::GetAtt": [queue.replace("Queue", "DLQ"), "Arn"]}


def test_every_schedule_retries_then_dead_letters(template: dict[str, Any]) -> None:
    schedules = of_type(template, "AWS::Scheduler::Schedule").values()

    assert len(schedules) == 3
    for schedule in schedules:
        target = schedule["Properties"]["Target"]
        assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["ScheduleDLQ", "Arn"]}}
        assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1


def test_every_scheduled_function_sends_failed_invocations_to_a_queue(template: dict[str, Any]) -> None:
    scheduled = {
        s["Properties"]["Target"]["Arn"]["Fn::GetAtt"][0]
        for s in of_type(template, "AWS::Scheduler::Schedule").values()
    }
    configs = {
        c["Properties"]["FunctionName"]["Ref"]: c["Properties"]
        for c in of_type(template, "AWS::Lambda::EventInvokeConfig").values()
    }

    assert set(configs) == scheduled
    for config in configs.values():
        assert config["DestinationConfig"]["OnFailure"]["Destination"] == {
            "Fn::GetAtt": ["InvocationFailureDLQ", "Arn"]
        }
