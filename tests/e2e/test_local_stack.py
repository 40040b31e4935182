"""The local stack over HTTP: the real template's /health, and a fixture app the stack knows nothing of."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import boto3
import httpx
import pytest

from tests.support.stacks import FIXTURE_TEMPLATE, TRACKGUARD, Stack, boot_stack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def wait_for(condition: Callable[[], Any], timeout: float = 30, message: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(message or "the condition did not hold in time")


def aws(stack: Stack, service: Literal["s3", "secretsmanager", "sqs"]) -> Any:
    return boto3.client(
        service,
        endpoint_url=stack.stack_file["aws_endpoint"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_health_answers_ok_through_the_real_template(real_stack: Stack) -> None:
    response = httpx.get(f"{real_stack.url}/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    print(f"\nlocal up → /health answered in {real_stack.seconds_to_ready:.1f} s")


def test_real_template_tables_and_queues_exist(real_stack: Stack) -> None:
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=real_stack.stack_file["dynamodb_endpoint"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    tables = dynamodb.list_tables()["TableNames"]
    queues = aws(real_stack, "sqs").list_queues().get("QueueUrls", [])

    assert tables
    assert any(url.endswith("ProcessingQueue") for url in queues)


def test_unknown_route_is_404(fixture_stack: Stack) -> None:
    response = httpx.post(f"{fixture_stack.url}/no/such/route", content=b"{}")

    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}


def test_a_route_of_the_fixture_template_reaches_its_function_with_a_2_0_event(fixture_stack: Stack) -> None:
    response = httpx.get(f"{fixture_stack.url}/hello/World%20Wide?a=1&a=2", headers={"X-Custom": "v"})

    assert response.status_code == 200
    assert response.headers["x-function"] == "trackguard-local-HelloFunction"
    assert response.cookies["seen"] == "1"
    body = response.json()
    event = body["event"]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /hello/{name}"
    assert event["pathParameters"] == {"name": "World Wide"}
    assert event["queryStringParameters"] == {"a": "1,2"}
    assert event["headers"]["x-custom"] == "v"
    assert 0 < body["remaining_ms"] <= 5000


def test_functions_get_their_resolved_template_environment(fixture_stack: Stack) -> None:
    env = httpx.get(f"{fixture_stack.url}/hello/env").json()["env"]

    assert env["GREETING"] == f"hi from {fixture_stack.url}"
    assert env["TABLE_NAME"] == "trackguard-local-Table"
    assert env["QUEUE_NAME"] == "trackguard-local-WorkQueue"
    assert env["QUEUE_URL"].endswith("/000000000000/trackguard-local-WorkQueue")
    secret = aws(fixture_stack, "secretsmanager").get_secret_value(SecretId=env["SECRET_ARN"])
    assert json.loads(secret["SecretString"]) == {"token": "open-sesame"}


def test_a_warm_function_is_not_started_again(fixture_stack: Stack) -> None:
    first = httpx.get(f"{fixture_stack.url}/hello/one").json()
    second = httpx.get(f"{fixture_stack.url}/hello/two").json()

    assert first["cold_starts"] == second["cold_starts"] == 1


def test_an_added_function_with_a_greedy_route_is_served(fixture_stack: Stack) -> None:
    response = httpx.request("DELETE", f"{fixture_stack.url}/extra/a/b/c")

    assert response.status_code == 200
    assert response.headers["x-function"] == "trackguard-local-ExtraFunction"
    assert response.json()["event"]["pathParameters"] == {"proxy": "a/b/c"}


def test_head_is_answered_without_a_body(fixture_stack: Stack) -> None:
    response = httpx.head(f"{fixture_stack.url}/extra/probe")

    assert response.status_code == 200
    assert response.content == b""


def test_authorizer_refuses_a_missing_identity_with_401(fixture_stack: Stack) -> None:
    response = httpx.get(f"{fixture_stack.url}/private")

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


def test_authorizer_refusal_is_403(fixture_stack: Stack) -> None:
    response = httpx.get(f"{fixture_stack.url}/private", headers={"Authorization": "Bearer bad"})

    assert response.status_code == 403
    assert response.json() == {"message": "Forbidden"}


def test_authorized_request_carries_the_authorizer_context(fixture_stack: Stack) -> None:
    response = httpx.get(f"{fixture_stack.url}/private", headers={"Authorization": "Bearer good"})

    assert response.status_code == 200
    authorizer = response.json()["event"]["requestContext"]["authorizer"]["lambda"]
    assert authorizer["caller"] == "good-caller"
    assert authorizer["route"].endswith("/$default/GET/private")


def test_a_body_over_10_mb_is_refused_with_413(fixture_stack: Stack) -> None:
    response = httpx.post(f"{fixture_stack.url}/extra/big", content=b"x" * (10 * 1024 * 1024 + 1))

    assert response.status_code == 413


def test_a_processed_message_is_deleted_and_a_failing_one_lands_in_the_dlq(fixture_stack: Stack) -> None:
    sqs, s3 = aws(fixture_stack, "sqs"), aws(fixture_stack, "s3")
    queue_url = sqs.get_queue_url(QueueName="trackguard-local-WorkQueue")["QueueUrl"]
    dlq_url = sqs.get_queue_url(QueueName="trackguard-local-WorkDLQ")["QueueUrl"]
    bucket = "trackguard-local-markerbucket"

    sqs.send_message(QueueUrl=queue_url, MessageBody="fine-1")
    sqs.send_message(QueueUrl=queue_url, MessageBody="poison-1")

    def processed() -> bool:
        objects = s3.list_objects_v2(Bucket=bucket, Prefix="processed/").get("Contents", [])
        return any(item["Key"] == "processed/fine-1" for item in objects)

    def in_dlq() -> list[dict[str, Any]]:
        received = sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1, AttributeNames=["All"])
        messages: list[dict[str, Any]] = received.get("Messages", [])
        return messages

    wait_for(processed, message="the good message was not processed")
    dead = wait_for(in_dlq, timeout=60, message="the failing message did not reach the DLQ")
    assert [message["Body"] for message in dead] == ["poison-1"]
    assert int(dead[0]["Attributes"]["ApproximateReceiveCount"]) >= 2
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_local_invoke_runs_one_function_against_the_running_stack(fixture_stack: Stack) -> None:
    result = subprocess.run(
        [TRACKGUARD, "local", "invoke", "ConsumerFunction", "--input", '{"tick": true}'],
        env=fixture_stack.env(),
        capture_output=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout) == {"ticked": True}
    marker = aws(fixture_stack, "s3").get_object(Bucket="trackguard-local-markerbucket", Key="ticks/tick")
    assert marker["Body"].read() == b"tick"


def test_local_reset_refuses_while_the_stack_runs(fixture_stack: Stack) -> None:
    result = subprocess.run(
        [TRACKGUARD, "local", "reset"], env=fixture_stack.env(), capture_output=True, check=False
    )

    assert result.returncode == 1
    assert (fixture_stack.state_dir / "dynamodb").exists()


def _descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        children = {child for child, parent in parents.items() if parent in frontier}
        found |= children
        frontier = children
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_process_group_stops_every_child(tmp_path: Path, signal_number: int) -> None:
    stack = boot_stack(FIXTURE_TEMPLATE, tmp_path / "state", "/hello/ready")
    try:
        httpx.get(f"{stack.url}/private", headers={"Authorization": "Bearer good"})
        recorded = set(stack.stack_file["processes"].values())
        children = _descendants(stack.process.pid)
        assert recorded <= children
        assert len(children) >= len(recorded) + 3  # the warm workers

        stack.signal(signal_number)
        assert stack.process.wait(timeout=30) == 0
    finally:
        stack.stop()

    left = {pid for pid in children | {stack.process.pid} if _running(pid)}
    assert left == set()
    assert not (tmp_path / "state" / "stack.json").exists()
    assert os.path.exists(tmp_path / "state" / "dynamodb")
