"""A realistic day, measured: the demo's day of orders through the local stack with every function metered.

The demo (trackguard_dev/demo: sellers, TikTok Shop and Shopify order webhooks, carrier callbacks on
every route, the reconciler advanced over two days, each seller's report) plays through its own local
stack on a free port, with ``TRACKGUARD_METER_DIR`` set: each function instance then writes one line per
invocation with its duration, every AWS request it made by service and operation, the DynamoDB read and
write units the answers reported (ReturnConsumedCapacity) and the bytes it logged (local/meter.py).
17TRACK registrations are the numbers the 17TRACK sandbox holds as registered at the end.

The seller API, its authorizer and the health check answer the demo's own polling (it reads every order
back until it is processed), which is no seller's real traffic: they are kept apart as `readers`, priced
per request, not per order.
"""

from __future__ import annotations

import functools
import json
import math
import os
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from trackguard_dev.demo.day import plan_day
from trackguard_dev.demo.driver import DemoTimeoutError, driving
from trackguard_dev.demo.stack import local_stack
from trackguard_dev.local.dynamodb_local import free_port
from trackguard_dev.local.meter import METER_DIR_VARIABLE

ORDERS = 60
SEED = 2026
ATTEMPTS = 2
READERS = frozenset({"seller_api", "seller_authorizer", "health"})
REGISTERED_NUMBERS = Path("sandbox") / "17track" / "registered"


@dataclass
class FunctionDay:
    """One function's day: invocations, billed milliseconds, requests, capacity units, log bytes."""

    invocations: int = 0
    cold_starts: int = 0
    sqs_batches: int = 0
    billed_ms: int = 0
    read_units: float = 0.0
    write_units: float = 0.0
    log_bytes: int = 0
    requests: Counter[str] = field(default_factory=Counter)

    def add(self, line: dict[str, object]) -> None:
        self.invocations += 1
        self.cold_starts += bool(line["cold"])
        self.sqs_batches += line.get("trigger") == "aws:sqs"
        self.billed_ms += math.ceil(float(str(line["ms"])))
        self.read_units += float(str(line["read_units"]))
        self.write_units += float(str(line["write_units"]))
        self.log_bytes += int(str(line["log_bytes"]))
        calls = line["calls"]
        if isinstance(calls, dict):
            self.requests.update({str(name): int(count) for name, count in calls.items()})


@dataclass(frozen=True)
class Day:
    orders: int
    carrier_callbacks: int
    shop_webhooks: int
    registrations: int
    functions: dict[str, FunctionDay]


@functools.cache
def measure() -> Day:
    """Run the day once per process (the cost figures share it).

    The stack's functions time out as Lambda's would, so on a crowded machine a cold instance can miss
    its deadline and fail the day: it is then played once more, a new day (another seed) on the same
    stack, its meter emptied first."""
    with tempfile.TemporaryDirectory(prefix="trackguard-day-") as scratch:
        state, meter = Path(scratch) / "state", Path(scratch) / "meter"
        with (
            _environment({"PORT": str(free_port()), METER_DIR_VARIABLE: str(meter)}),
            local_stack(state) as stack,
        ):
            for attempt in range(ATTEMPTS):
                shutil.rmtree(meter, ignore_errors=True)
                registered_before = _registered(state)
                scenario = plan_day(SEED + attempt, ORDERS, datetime.now(UTC))
                try:
                    with driving(stack, scenario) as driver:
                        observed = driver.run()
                    break
                except (RuntimeError, DemoTimeoutError) as failure:
                    if attempt + 1 == ATTEMPTS:
                        raise
                    print(f"day: {failure}; playing another day", file=sys.stderr)
        return Day(
            orders=len(scenario.orders),
            carrier_callbacks=len(observed.webhook_seconds.get("carrier", [])),
            shop_webhooks=len(observed.webhook_seconds.get("shop", [])),
            registrations=len(_registered(state) - registered_before),
            functions=_read_meter(meter),
        )


def _registered(state: Path) -> set[str]:
    return {path.name for path in (state / REGISTERED_NUMBERS).glob("*.json")}


def _read_meter(directory: Path) -> dict[str, FunctionDay]:
    functions: dict[str, FunctionDay] = {}
    for path in sorted(directory.glob("*.jsonl")):
        for text in path.read_text(encoding="utf-8").splitlines():
            line = json.loads(text)
            functions.setdefault(str(line["function"]), FunctionDay()).add(line)
    return functions


@contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    """The local stack reads its port and the meter's folder from the environment it is started with."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
