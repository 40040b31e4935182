"""A carrier callback through its real handler, timed against one bare PutItem on the same DynamoDB Local.

The parent starts DynamoDB Local and moto's server (SQS, Secrets Manager), creates the template's table,
the processing queue and the webhook secret, then measures in a fresh interpreter that has the function's
environment (`python -m bench.ingest --child`): the handler initialises as it would in Lambda, and its log
lines are counted rather than printed. Handler calls and PutItems alternate, so drift hits both alike;
between them, the callback's one request is also timed bare (the same BatchWriteItem, every item the
handler put: the raw callback and its event, under fresh sort keys), which shows how much of a callback
is the handler's own work (`ingest_handler_own_ms`, `ingest_latency_ratio_vs_bare_request`). Last, the
handler runs with DynamoDB answered in-process (`ingest_handler_without_io_ms`: its CPU time alone). The
queue only proves that a callback sends nothing to it (the table's stream starts processing).

`python -m bench.ingest --profile` prints where a warm callback spends its own time (cProfile, DynamoDB
answered in-process).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import importlib.util
import io
import json
import math
import os
import pstats
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders

from bench.support import (
    DUMMY_CREDENTIALS,
    FUNCTIONS,
    REGION,
    ROOT,
    WEBHOOK_SECRETS_ID,
    aws_client,
    function_spec,
    lambda_environment,
    local_secrets,
    median,
    moto_server,
    seed_webhook_secrets,
)
from tests.support.tables import create_table
from trackguard.storage.dynamo import dynamodb_client
from trackguard_dev.local.dynamodb_local import DynamoDBLocal

GOALS: dict[str, tuple[str, float]] = {
    "ingest_latency_ratio_vs_putitem": ("<=", 1.3),
    "dynamodb_requests_per_carrier_callback": ("<=", 2.0),
}

FUNCTION = "carrier_webhook"
SOURCE = "ups"
TRACKING_NUMBER = "1Z5R89390357567127"
WARM_UP_CALLS = 30
TIMED_PAIRS = 300
PROFILED_CALLS = 1000
CHILD_TIMEOUT_SECONDS = 300
FIRST_SCAN = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)


@dataclass(frozen=True)
class IngestMeasurement:
    """Medians and per-callback counts of one run (handler and PutItem timed side by side)."""

    handler_seconds: float
    handler_without_io_seconds: float
    put_item_seconds: float
    batch_write_seconds: float
    dynamodb_requests_per_callback: float
    write_units_per_callback: float
    sqs_messages_per_callback: float
    log_bytes_per_callback: float
    memory_mb: int


def run() -> dict[str, float]:
    measured = measure()
    return {
        "ingest_handler_median_ms": measured.handler_seconds * 1000,
        "ingest_putitem_median_ms": measured.put_item_seconds * 1000,
        "ingest_latency_ratio_vs_putitem": measured.handler_seconds / measured.put_item_seconds,
        "ingest_bare_batchwrite_median_ms": measured.batch_write_seconds * 1000,
        "ingest_latency_ratio_vs_bare_request": measured.handler_seconds / measured.batch_write_seconds,
        "ingest_handler_own_ms": (measured.handler_seconds - measured.batch_write_seconds) * 1000,
        "ingest_handler_without_io_ms": measured.handler_without_io_seconds * 1000,
        "dynamodb_requests_per_carrier_callback": measured.dynamodb_requests_per_callback,
        "sqs_messages_per_carrier_callback": measured.sqs_messages_per_callback,
    }


@functools.cache
def measure() -> IngestMeasurement:
    """Run once per process: the cost benchmark reuses this measurement."""
    counts, messages = _run_child(profile=False)
    return IngestMeasurement(
        handler_seconds=counts["handler_seconds"],
        handler_without_io_seconds=counts["handler_without_io_seconds"],
        put_item_seconds=counts["put_item_seconds"],
        batch_write_seconds=counts["batch_write_seconds"],
        dynamodb_requests_per_callback=counts["dynamodb_requests_per_callback"],
        write_units_per_callback=counts["write_units_per_callback"],
        sqs_messages_per_callback=messages / counts["callbacks"],
        log_bytes_per_callback=counts["log_bytes_per_callback"],
        memory_mb=function_spec(FUNCTION).memory_mb,
    )


def _run_child(profile: bool) -> tuple[dict[str, float], int]:
    """The measurement's numbers and how many messages reached the queue."""
    with DynamoDBLocal.start() as dynamodb, moto_server() as moto_url:
        table_name = f"trackguard-bench-{uuid.uuid4().hex[:8]}"
        create_table(aws_client("dynamodb", dynamodb.endpoint_url), table_name)
        sqs = aws_client("sqs", moto_url)
        queue_url = sqs.create_queue(QueueName="trackguard-processing")["QueueUrl"]
        seed_webhook_secrets(moto_url)
        stand_ins = {
            "TABLE_NAME": table_name,
            "PROCESSING_QUEUE_URL": queue_url,
            "WEBHOOK_SECRETS_ID": WEBHOOK_SECRETS_ID,
            "AWS_ENDPOINT_URL_DYNAMODB": dynamodb.endpoint_url,
            "AWS_ENDPOINT_URL": moto_url,
        }
        completed = subprocess.run(
            [sys.executable, "-m", "bench.ingest", "--child", *(["--profile"] if profile else [])],
            env=_child_environment(stand_ins),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_SECONDS,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"the ingest measurement failed:\n{completed.stderr}")
        queued = _queued_messages(sqs, queue_url)
    print(completed.stderr, end="", file=sys.stderr)
    return json.loads(completed.stdout.splitlines()[-1]), queued


def _child_environment(stand_ins: dict[str, str]) -> dict[str, str]:
    inherited = {
        name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "POWERTOOLS_"))
    }
    return {
        **inherited,
        **lambda_environment(function_spec(FUNCTION), stand_ins),
        **stand_ins,
        **DUMMY_CREDENTIALS,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_LAMBDA_FUNCTION_NAME": f"trackguard-{FUNCTION}",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "Trackguard",
    }


def _queued_messages(sqs: Any, queue_url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


# --- the child: runs with the function's environment -------------------------------------------------


class _CountingSink(io.TextIOBase):
    """Stands in for stdout (Lambda ships it to CloudWatch Logs): counts the bytes, keeps nothing."""

    def __init__(self) -> None:
        self.bytes_written = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.bytes_written += len(text.encode())
        return len(text)


@dataclass(frozen=True)
class FakeLambdaContext:
    function_name: str = f"trackguard-{FUNCTION}"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:123456789012:function:trackguard-{FUNCTION}"
    aws_request_id: str = "bench-request"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 3000


class _DynamoDBTraffic:
    """Counts the requests a client sends and the write units of the items its BatchWriteItems put."""

    def __init__(self, client: Any) -> None:
        self.requests = 0
        self.write_units = 0
        self.last_item: dict[str, Any] = {}
        self.last_request: list[dict[str, Any]] = []
        client.meta.events.register("before-send.dynamodb", self._sent)
        client.meta.events.register("provide-client-params.dynamodb.BatchWriteItem", self._batch)

    def _sent(self, **_: Any) -> None:
        self.requests += 1

    def _batch(self, params: dict[str, Any], **_: Any) -> None:
        for requests in params["RequestItems"].values():
            self.last_request = [request["PutRequest"]["Item"] for request in requests]
            for request in requests:
                self.last_item = request["PutRequest"]["Item"]
                self.write_units += math.ceil(_item_bytes(self.last_item) / 1024)


def _item_bytes(item: dict[str, Any]) -> int:
    """DynamoDB's item size: attribute names plus values (numbers about one byte per two digits)."""
    total = 0
    for name, value in item.items():
        kind, content = next(iter(value.items()))
        size = len(content) // 2 + 1 if kind == "N" else len(content.encode() if kind == "S" else content)
        total += len(name.encode()) + size
    return total


def _ups_event(index: int, credential: str) -> dict[str, Any]:
    """A UPS Track Alert (payload 2.0 event); each index is a distinct scan time, so each call writes."""
    scanned = FIRST_SCAN + timedelta(minutes=index)
    local = scanned - timedelta(hours=5)
    body = json.dumps(
        {
            "trackingNumber": TRACKING_NUMBER,
            "localActivityDate": local.strftime("%Y%m%d"),
            "localActivityTime": local.strftime("%H%M%S"),
            "gmtActivityDate": scanned.strftime("%Y%m%d"),
            "gmtActivityTime": scanned.strftime("%H%M%S"),
            "gmtOffset": "-05:00",
            "activityLocation": {
                "city": "LOUISVILLE",
                "stateProvince": "KY",
                "postalCode": "40213",
                "country": "US",
            },
            "activityStatus": {"type": "I", "code": "DP", "description": "Departure Scan"},
            "scheduledDeliveryDate": (scanned + timedelta(days=2)).strftime("%Y%m%d"),
            "actualDeliveryDate": "",
        },
        separators=(",", ":"),
    )
    path = f"/webhooks/carriers/{SOURCE}"
    return {
        "version": "2.0",
        "routeKey": f"POST {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "content-type": "application/json",
            "content-length": str(len(body)),
            "credential": credential,
            "user-agent": "UPS Track Alert",
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "bench",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "http": {
                "method": "POST",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "UPS Track Alert",
            },
            "requestId": f"bench-{index}",
            "routeKey": f"POST {path}",
            "stage": "$default",
            "time": scanned.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(scanned.timestamp() * 1000),
        },
        "body": body,
        "isBase64Encoded": False,
    }


def _load_handler() -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"{FUNCTION}_app", FUNCTIONS / FUNCTION / "app.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load functions/{FUNCTION}/app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Bench:
    """The loaded handler, its events and the bare PutItem it is compared with."""

    def __init__(self) -> None:

        self.handler: Callable[[dict[str, Any], Any], dict[str, Any]] = _load_handler().lambda_handler
        self.client = dynamodb_client()
        self.traffic = _DynamoDBTraffic(self.client)
        self.table_name = os.environ["TABLE_NAME"]
        self.credential = local_secrets()[SOURCE]["credential"]
        self.context = FakeLambdaContext(memory_limit_in_mb=function_spec(FUNCTION).memory_mb)
        self.calls = 0

    def callback(self) -> float:
        event = _ups_event(self.calls, self.credential)
        self.calls += 1
        started = time.perf_counter()
        answer = self.handler(event, self.context)
        elapsed = time.perf_counter() - started
        if answer["statusCode"] != 200 or '"accepted"' not in answer["body"]:
            raise RuntimeError(f"the callback was not accepted: {answer}")
        return elapsed

    def put_item(self, index: int) -> float:
        item = {**self.traffic.last_item, "sk": {"S": f"EVT#bench-put#{index:08d}"}}
        started = time.perf_counter()
        self.client.put_item(TableName=self.table_name, Item=item)
        return time.perf_counter() - started

    def batch_write(self, index: int) -> float:
        """The callback's own DynamoDB request, bare: the BatchWriteItem of every item it put."""
        requests: list[Any] = [
            {"PutRequest": {"Item": {**item, "sk": {"S": f"{item['sk']['S']}#bench-batch#{index:08d}"}}}}
            for item in self.traffic.last_request
        ]
        started = time.perf_counter()
        self.client.batch_write_item(RequestItems={self.table_name: requests})
        return time.perf_counter() - started


class _AnsweredInProcess:
    """A BatchWriteItem answer handed to botocore without sending: ``before-send`` short-circuits."""

    body = b'{"UnprocessedItems":{}}'

    def stream(self) -> Iterator[bytes]:
        yield self.body

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        headers = HTTPHeaders()
        headers["content-type"] = "application/x-amz-json-1.0"
        return AWSResponse(request.url, 200, headers, self)


@contextmanager
def _answered_in_process(bench: _Bench) -> Iterator[None]:
    """The handler's BatchWriteItems answered without sending, for as long as the block runs."""
    answer: Any = _AnsweredInProcess()  # botocore's stubs type hooks as returning None; this one answers
    bench.client.meta.events.register_first("before-send.dynamodb.BatchWriteItem", answer)
    try:
        yield
    finally:
        bench.client.meta.events.unregister("before-send.dynamodb.BatchWriteItem", answer)


def _without_io(bench: _Bench) -> float:
    """The handler's own CPU time per callback: every step, botocore's building, signing and parsing of
    its request included, with only the network and DynamoDB's work taken away. Unlike the difference
    of two timed requests, it is not moved by DynamoDB Local sharing this machine's cores."""
    with _answered_in_process(bench):
        return median([bench.callback() for _ in range(TIMED_PAIRS)])


def _measure(bench: _Bench) -> dict[str, float]:
    for _ in range(WARM_UP_CALLS):
        bench.callback()
    samples: dict[str, list[float]] = {"handler": [], "put_item": [], "batch_write": []}
    requests = units = 0
    for index in range(TIMED_PAIRS):
        before = (bench.traffic.requests, bench.traffic.write_units)
        samples["handler"].append(bench.callback())
        requests += bench.traffic.requests - before[0]
        units += bench.traffic.write_units - before[1]
        samples["put_item"].append(bench.put_item(index))
        samples["batch_write"].append(bench.batch_write(index))
    return {
        **{f"{step}_seconds": median(durations) for step, durations in samples.items()},
        "handler_without_io_seconds": _without_io(bench),
        "dynamodb_requests_per_callback": requests / TIMED_PAIRS,
        "write_units_per_callback": units / TIMED_PAIRS,
        "callbacks": float(bench.calls),
    }


def _profile(bench: _Bench, report: io.TextIOBase) -> None:
    """The handler's own time (DynamoDB answered in-process, as in `_without_io`), by function."""
    for _ in range(WARM_UP_CALLS):
        bench.callback()
    profiler = cProfile.Profile()
    with _answered_in_process(bench):
        profiler.enable()
        for _ in range(PROFILED_CALLS):
            bench.callback()
        profiler.disable()
    stats = pstats.Stats(profiler, stream=report)  # type: ignore[arg-type]
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)


def _child(profile: bool) -> None:
    real_stdout = sys.stdout
    sink = _CountingSink()
    sys.stdout = sink  # before the handler's import: Powertools' Logger binds stdout when created
    bench = _Bench()
    if profile:
        _profile(bench, sys.stderr)  # type: ignore[arg-type]
        counts = {"callbacks": float(bench.calls)}
    else:
        counts = _measure(bench)
    counts["log_bytes_per_callback"] = sink.bytes_written / bench.calls
    sys.stdout = real_stdout
    print(json.dumps(counts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", action="store_true", help="measure here (needs the function's env)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of warm callbacks")
    arguments = parser.parse_args()
    if arguments.child:
        _child(arguments.profile)
    elif arguments.profile:
        _run_child(profile=True)
    else:
        print(json.dumps(asdict(measure()), indent=2))


if __name__ == "__main__":
    main()
