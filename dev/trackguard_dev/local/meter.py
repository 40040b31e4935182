"""Metering a function instance: what each invocation cost in AWS requests, capacity, time and log bytes.

Enabled by ``TRACKGUARD_METER_DIR`` (the cost benchmark sets it): the runtime then wraps its handler and
appends one JSON line per invocation to ``<dir>/<function>-<pid>.jsonl``. Every botocore client the
function creates gets two hooks: one asks DynamoDB for the consumed capacity of every request that can
report it (``ReturnConsumedCapacity``), the other counts each call by service and operation, adds up the
read and write units DynamoDB answered and the events each PutEvents carried (EventBridge bills events).
Standard output and error are counted on the way through, as CloudWatch Logs would ingest them.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

METER_DIR_VARIABLE = "TRACKGUARD_METER_DIR"
CAPACITY_DETAIL = "INDEXES"
PUT_EVENTS_ENTRIES = "events:PutEvents.entries"  # EventBridge bills each event, not each request
READ_OPERATIONS = frozenset(
    {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "ExecuteStatement"}
)

Handler = Callable[[Any, Any], Any]


class _CountingStream:
    """Passes every write through to the real stream and counts its bytes."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.bytes_written = 0

    def write(self, text: str) -> int:
        self.bytes_written += len(text.encode("utf-8", "surrogatepass"))
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class Meter:
    """One function instance's meter: install before the handler loads, then wrap the handler."""

    def __init__(self, directory: Path, function: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._path = directory / f"{function}-{os.getpid()}.jsonl"
        self._function = function
        self._calls: Counter[str] = Counter()
        self._units = {"read": 0.0, "write": 0.0}
        self._stdout = _CountingStream(sys.stdout)
        self._stderr = _CountingStream(sys.stderr)
        self._invocations = 0

    def install(self) -> None:
        """Count the process's output and hook every botocore client created from now on."""
        import botocore.session

        sys.stdout = self._stdout
        sys.stderr = self._stderr
        create_client = botocore.session.Session.create_client
        attach = self._attach

        def metered_create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
            client = create_client(session, *args, **kwargs)
            attach(client)
            return client

        botocore.session.Session.create_client = metered_create_client  # type: ignore[method-assign,assignment]

    def wrap(self, handler: Handler) -> Handler:
        """The handler, timed; each invocation's figures appended to the meter file."""

        def metered(event: Any, context: Any) -> Any:
            self._reset()
            started = time.perf_counter()
            try:
                return handler(event, context)
            finally:
                self._record(time.perf_counter() - started, _trigger(event))

        return metered

    def _attach(self, client: Any) -> None:
        events = client.meta.events
        events.register("provide-client-params.dynamodb.*", _ask_for_capacity)
        events.register("after-call.*.*", self._counted)

    def _counted(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        service = model.service_model.service_name
        self._calls[f"{service}:{model.name}"] += 1
        if service == "events" and model.name == "PutEvents":
            self._calls[PUT_EVENTS_ENTRIES] += len(parsed.get("Entries", []))
        if service == "dynamodb":
            kind = "read" if model.name in READ_OPERATIONS else "write"
            self._units[kind] += _capacity_units(parsed, minimum=0.5 if kind == "read" else 1.0)

    def _reset(self) -> None:
        self._calls.clear()
        self._units = {"read": 0.0, "write": 0.0}
        self._log_mark = self._stdout.bytes_written + self._stderr.bytes_written

    def _record(self, seconds: float, trigger: str | None) -> None:
        log_bytes = self._stdout.bytes_written + self._stderr.bytes_written - self._log_mark
        line = {
            "function": self._function,
            "cold": self._invocations == 0,
            "trigger": trigger,
            "ms": seconds * 1000,
            "calls": dict(self._calls),
            "read_units": self._units["read"],
            "write_units": self._units["write"],
            "log_bytes": log_bytes,
        }
        self._invocations += 1
        with self._path.open("a", encoding="utf-8") as meter_file:
            meter_file.write(json.dumps(line) + "\n")


def _trigger(event: Any) -> str | None:
    """The event source of a batch (``aws:sqs``, ``aws:dynamodb``): an SQS batch costs its poller requests."""
    records = event.get("Records") if isinstance(event, dict) else None
    if isinstance(records, list) and records and isinstance(records[0], dict):
        source = records[0].get("eventSource")
        return str(source) if source else None
    return None


def _ask_for_capacity(params: dict[str, Any], model: Any, **_: Any) -> None:
    if "ReturnConsumedCapacity" in model.input_shape.members:
        params.setdefault("ReturnConsumedCapacity", CAPACITY_DETAIL)


def _capacity_units(parsed: dict[str, Any], minimum: float) -> float:
    """The units DynamoDB answered; a request answered without them (a failed condition, an error)
    still costs the least it can: half a read unit (eventually consistent) or one write unit."""
    consumed = parsed.get("ConsumedCapacity")
    if consumed is None:
        return minimum
    entries = consumed if isinstance(consumed, list) else [consumed]
    return float(sum(entry.get("CapacityUnits", 0.0) for entry in entries)) or minimum


def meter_from_environment(code_dir: Path) -> Meter | None:
    """The meter the environment asks for (``TRACKGUARD_METER_DIR``), named after the function's code."""
    directory = os.environ.get(METER_DIR_VARIABLE)
    return Meter(Path(directory), code_dir.name) if directory else None
