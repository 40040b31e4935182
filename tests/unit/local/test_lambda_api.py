"""The local stack's Lambda Invoke API: which function a name means, and the answers Lambda gives."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from trackguard_dev.local.attach import variable_of
from trackguard_dev.local.lambda_api import LambdaApi
from trackguard_dev.local.model import AsyncInvokeSpec, FunctionSpec
from trackguard_dev.local.payload import HttpRequest
from trackguard_dev.local.workers import Invocation

ARN = "arn:aws:lambda:us-east-1:000000000000:function:trackguard-local-PlannerFunction"


class Functions:
    def __init__(self, ok: bool = True) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.ok = ok
        self.called = threading.Event()

    def __call__(self, function_id: str, event: Any) -> Invocation:
        self.calls.append((function_id, event))
        self.called.set()
        return Invocation(self.ok, {"done": True} if self.ok else {"errorMessage": "boom"})


class RecordingSqs:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []

    def send_message(self, QueueUrl: str, MessageBody: str) -> None:  # noqa: N803 (boto3's names)
        self.sent.append((QueueUrl, json.loads(MessageBody)))


def api(functions: Functions, sqs: RecordingSqs | None = None) -> LambdaApi:
    spec = FunctionSpec(
        logical_id="PlannerFunction",
        name="trackguard-local-PlannerFunction",
        arn=ARN,
        code_dir=Path("."),
        handler="app.lambda_handler",
        environment={},
        timeout_seconds=3,
        memory_mb=128,
        async_invoke=AsyncInvokeSpec(max_retries=2, on_failure_queue_url="http://sqs/failures"),
    )
    return LambdaApi({"PlannerFunction": spec}, functions, sqs)


def invoke(lambda_api: LambdaApi, name: str, kind: str, event: Any) -> Any:
    request = HttpRequest(
        method="POST",
        raw_path=f"/2015-03-31/functions/{name}/invocations",
        raw_query="",
        headers=[("X-Amz-Invocation-Type", kind)],
        body=json.dumps(event).encode(),
    )
    return lambda_api.handle(request)


@pytest.mark.parametrize(
    "name", ["PlannerFunction", "trackguard-local-PlannerFunction", ARN, f"{ARN}:$LATEST"]
)
def test_a_function_is_named_by_logical_id_name_or_arn(name: str) -> None:
    functions = Functions()

    response = invoke(api(functions), name.replace("$", "%24"), "RequestResponse", {"as_of": "x"})

    assert (response.status, json.loads(response.body)) == (200, {"done": True})
    assert functions.calls == [("PlannerFunction", {"as_of": "x"})]


def test_an_event_invocation_answers_202_and_runs_in_the_background() -> None:
    functions = Functions()

    response = invoke(api(functions), "PlannerFunction", "Event", {"n": 1})

    assert response.status == 202
    assert functions.called.wait(5)
    assert functions.calls == [("PlannerFunction", {"n": 1})]


def test_a_failed_handler_is_flagged_as_lambda_does() -> None:
    response = invoke(api(Functions(ok=False)), "PlannerFunction", "RequestResponse", {})

    assert response.status == 200
    assert ("x-amz-function-error", "Unhandled") in response.headers


def test_an_unknown_function_is_404() -> None:
    functions = Functions()

    assert invoke(api(functions), "Nobody", "Event", {}).status == 404
    assert functions.calls == []


def test_queue_outputs_become_the_variables_replay_reads() -> None:
    assert [variable_of(o) for o in ("ProcessingQueueUrl", "StreamFailureDLQUrl", "ReconcileDLQUrl")] == [
        "PROCESSING_QUEUE_URL",
        "STREAM_FAILURE_DLQ_URL",
        "RECONCILE_DLQ_URL",
    ]


def test_a_failing_async_invocation_is_retried_then_its_record_goes_to_the_on_failure_queue() -> None:
    functions, sqs = Functions(ok=False), RecordingSqs()

    result = api(functions, sqs).invoke_async("PlannerFunction", {"as_of": "never"})

    assert not result.ok
    assert len(functions.calls) == 3
    [(queue, record)] = sqs.sent
    assert queue == "http://sqs/failures"
    assert record["requestContext"]["functionArn"] == f"{ARN}:$LATEST"
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestPayload"] == {"as_of": "never"}
    assert record["responsePayload"] == {"errorMessage": "boom"}


def test_a_succeeding_async_invocation_runs_once_and_sends_nothing() -> None:
    functions, sqs = Functions(), RecordingSqs()

    assert api(functions, sqs).invoke_async("PlannerFunction", {}).ok
    assert (len(functions.calls), sqs.sent) == (1, [])
