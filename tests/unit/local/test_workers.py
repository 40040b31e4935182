"""Function instances: imported once, warm afterwards, with their own environment and a Lambda context."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from trackguard_dev.local.config import Endpoints
from trackguard_dev.local.model import FunctionSpec
from trackguard_dev.local.workers import FunctionPool, Worker, function_environment

COUNTER = Path(__file__).parent / "fixtures" / "functions" / "counter"
ENDPOINTS = Endpoints(
    api="http://127.0.0.1:3000", dynamodb="http://127.0.0.1:8000", aws="http://127.0.0.1:5000"
)


def spec(timeout: float = 3, handler: str = "app.lambda_handler") -> FunctionSpec:
    return FunctionSpec(
        logical_id="CounterFunction",
        name="local-counter",
        arn="arn:aws:lambda:us-east-1:000000000000:function:local-counter",
        code_dir=COUNTER,
        handler=handler,
        environment={"TABLE_NAME": "orders"},
        timeout_seconds=timeout,
        memory_mb=256,
    )


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[Worker]:
    monkeypatch.setenv("SHOULD_NOT_LEAK", "parent")
    function = spec()
    instance = Worker(function, function_environment(function, ENDPOINTS))
    yield instance
    instance.stop()


def test_the_handler_is_imported_once_and_gets_a_lambda_context(worker: Worker) -> None:
    first, second = worker.invoke({}), worker.invoke({})

    assert first.ok
    assert second.payload["cold_starts"] == 1
    assert first.payload["function_name"] == "local-counter"
    assert first.payload["memory"] == 256
    assert first.payload["arn"] == "arn:aws:lambda:us-east-1:000000000000:function:local-counter"
    assert first.payload["request_id"] != second.payload["request_id"]
    assert 0 < first.payload["remaining_ms"] <= 3000


def test_the_environment_is_the_functions_own_plus_local_endpoints(worker: Worker) -> None:
    payload = worker.invoke({}).payload

    assert payload["table"] == "orders"
    assert payload["endpoint"] == "http://127.0.0.1:8000"
    assert payload["inherited"] is None


def test_a_raising_handler_is_an_error_and_the_instance_stays_warm(worker: Worker) -> None:
    failed = worker.invoke({"fail": True})
    after = worker.invoke({})

    assert not failed.ok
    assert failed.payload["errorType"] == "ValueError"
    assert failed.payload["errorMessage"] == "asked to fail"
    assert after.ok
    assert after.payload["cold_starts"] == 1


def test_a_handler_over_its_timeout_is_stopped() -> None:
    function = spec(timeout=1)
    worker = Worker(function, function_environment(function, ENDPOINTS))
    try:
        worker.invoke({})
        result = worker.invoke({"sleep": 30})
    finally:
        worker.stop()

    assert not result.ok
    assert result.payload["errorType"] == "Sandbox.Timedout"
    assert not worker.alive


def test_a_missing_handler_is_an_init_error() -> None:
    function = spec(handler="missing.lambda_handler")
    worker = Worker(function, function_environment(function, ENDPOINTS))
    try:
        result = worker.invoke({})
    finally:
        worker.stop()

    assert not result.ok
    assert result.payload["errorType"] == "Runtime.ImportModuleError"


def test_a_pool_replaces_an_instance_that_timed_out() -> None:
    function = spec(timeout=1)
    pool = FunctionPool(function, function_environment(function, ENDPOINTS))
    try:
        pool.warm()
        first_pids = pool.pids()
        timed_out = pool.invoke({"sleep": 30})
        after = pool.invoke({})
        second_pids = pool.pids()
    finally:
        pool.stop()

    assert not timed_out.ok
    assert after.ok
    assert len(first_pids) == len(second_pids) == 1
    assert first_pids != second_pids
    assert all(not os.path.exists(f"/proc/{pid}/cmdline") or _zombie(pid) for pid in second_pids)


def _zombie(pid: int) -> bool:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
