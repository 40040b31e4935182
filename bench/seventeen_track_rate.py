"""How fast concurrent reconcile workers call 17TRACK: each with its own limit, one at a time, or sharing one.

    python -m bench.seventeen_track_rate [--limit 3] [--rate 3] [--requests 15]

Worker processes send gettrackinfo requests (40 numbers each, three in flight, retries on 429 as
deployed) to the 17TRACK sandbox over loopback, which enforces 17TRACK's per-key limit (``--limit`` a
second, answering 429 past it) and logs every arrival. Three ways, ``2 × --requests`` requests each:

- ``per-process``: two workers, each with its own limit of ``--rate`` (what was deployed before);
- ``one-worker``: one worker sends them all (capping the worker function's concurrency at 1);
- ``shared``: two workers sharing one limit of ``--rate`` through DynamoDB Local (``SharedRateLimit``).

Printed per way: requests that reached the sandbox, how many it answered 429, the most that arrived in
any one-second window, the accepted rate and the wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
import httpx

from tests.support.sandbox_server import SandboxServer
from tests.support.tables import create_table
from trackguard.clients.http import RetryPolicy
from trackguard.clients.seventeen_track import (
    MAX_NUMBERS_PER_REQUEST,
    SeventeenTrackClient,
    SharedRateLimiter,
    TrackedNumber,
)
from trackguard.storage.dynamo import Table
from trackguard.storage.rate_limits import SharedRateLimit
from trackguard_dev.local.dynamodb_local import DynamoDBLocal
from trackguard_dev.local.sandboxes import seventeen_track as sandbox

API_KEY = "bench-17track-key"
TABLE = "trackguard-rate-bench"
WORKERS = 2
RETRY = RetryPolicy(attempts=8, max_delay=4.0)


def worker(mode: str, base_url: str, dynamodb_endpoint: str, per_second: float, requests: int) -> None:
    """One reconcile worker's polling client, sending ``requests`` gettrackinfo requests at once."""
    limiter = None
    if mode == "shared":
        client = boto3.client(
            "dynamodb",
            endpoint_url=dynamodb_endpoint,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )
        limiter = SharedRateLimiter(SharedRateLimit(Table(TABLE, client), "17track", per_second))
    numbers = [TrackedNumber(f"BENCH{n:06d}") for n in range(requests * MAX_NUMBERS_PER_REQUEST)]

    async def run() -> None:
        tracker = SeventeenTrackClient(
            base_url, API_KEY, requests_per_second=per_second, limiter=limiter, retry=RETRY
        )
        try:
            await tracker.get_track_info(numbers)
        finally:
            await tracker.aclose()

    asyncio.run(run())


def busiest_second(arrivals: list[float]) -> int:
    """The most arrivals in any window of one second (starting at an arrival)."""
    ordered = sorted(arrivals)
    return max((sum(1 for t in ordered[i:] if t - start < 1.0) for i, start in enumerate(ordered)), default=0)


def measure(mode: str, limit: int, rate: float, requests: int, dynamodb: DynamoDBLocal) -> dict[str, Any]:
    workers = 1 if mode == "one-worker" else WORKERS
    with (
        tempfile.TemporaryDirectory() as state,
        SandboxServer(sandbox.create(Path(state), {"17track": {"api_key": API_KEY}})) as server,
    ):
        httpx.put(f"{server.url}/_rate_limit", json={"per_second": limit}).raise_for_status()
        started = time.monotonic()
        each = requests * WORKERS // workers
        processes = [
            multiprocessing.Process(target=worker, args=(mode, server.url, dynamodb.endpoint_url, rate, each))
            for _ in range(workers)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=300)
        elapsed = time.monotonic() - started
        log = httpx.get(f"{server.url}/_requests").json()["requests"]
    accepted = [entry["at"] for entry in log if entry["status"] == 200]
    span = max(accepted) - min(accepted) if len(accepted) > 1 else 0.0
    return {
        "mode": mode,
        "arrived": len(log),
        "answered_429": sum(1 for entry in log if entry["status"] == 429),
        "accepted": len(accepted),
        "busiest_second": busiest_second([entry["at"] for entry in log]),
        "accepted_per_second": round((len(accepted) - 1) / span, 2) if span else None,
        "elapsed_seconds": round(elapsed, 1),
        "all_done": all(process.exitcode == 0 for process in processes),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--limit", type=int, default=3, help="17TRACK's limit a second (default 3)")
    parser.add_argument("--rate", type=float, default=3.0, help="the workers' rate a second (default 3)")
    parser.add_argument("--requests", type=int, default=15, help="requests per worker of two (default 15)")
    args = parser.parse_args()
    with DynamoDBLocal.start() as dynamodb:
        create_table(
            boto3.client(
                "dynamodb",
                endpoint_url=dynamodb.endpoint_url,
                region_name="us-east-1",
                aws_access_key_id="bench",
                aws_secret_access_key="bench",
            ),
            TABLE,
        )
        for mode in ("per-process", "one-worker", "shared"):
            print(measure(mode, args.limit, args.rate, args.requests, dynamodb), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
