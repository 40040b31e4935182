"""Cold start: each function's import and init in a fresh interpreter, against its libraries alone.

Every sample is a new interpreter with the function's template environment and Lambda's runtime variables
(so Powertools' Tracer is on, as deployed), timing the load of functions/<dir>/app.py by path. The baseline
is `import boto3, pydantic; from aws_lambda_powertools import Logger` in the same kind of interpreter.
Both see only what a deployed function has: modules of distributions outside the layer's requirements
(dev tools such as rich, which httpx would otherwise import for its CLI) are hidden.
Samples alternate (baseline, every function, baseline, …) so drift hits all alike. AWS is moto's server
on loopback, holding the dev webhook secrets, and an audit hook records every socket connect during init:
init must not call AWS, and `cold_init_network_connections` names any function that does.

Init alone can be made small by moving work into the first call, so the same interpreter then answers
the function's sample event (events/, against the template's table in moto) and `cold_start_ratio_*`
is init plus that first call over the same baseline: what a cold start really costs, with its goal-free
figure beside the init goal. Outbound HTTP base URLs point at a closed loopback port; the first call
may only connect to loopback.

`python -m bench.cold_start --importtime <dir>` lists the heaviest imports of one function's init.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.support import (
    DUMMY_CREDENTIALS,
    FUNCTIONS,
    REGION,
    ROOT,
    WEBHOOK_SECRETS_ID,
    aws_client,
    function_directories,
    function_spec,
    lambda_environment,
    median,
    modules_outside_layer,
    moto_server,
    seed_webhook_secrets,
)
from tests.support.tables import create_table

GOALS: dict[str, tuple[str, float]] = {
    "cold_init_ratio_worst": ("<=", 1.5),
    "cold_init_network_connections": ("==", 0.0),
}

RUNS = 9
HEAVIEST_IMPORTS = 25
EVENTS = ROOT / "events"
FIRST_CALL_EVENTS = {
    "carrier_webhook": "carrier_ups.json",
    "health": "health.json",
    "processor": "processor.json",
    "reconcile_planner": "reconcile_planner.json",
    "reconcile_worker": "reconcile_worker.json",
    "reports": "reports.json",
    "seller_api": "seller_api_flags.json",
    "seller_authorizer": "seller_authorizer.json",
    "shop_webhook": "shop_tiktok_order_status_change.json",
}
CLOSED_LOOPBACK = "http://127.0.0.1:9"
UNSAMPLED_TRACE = "Root=1-6740a000-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=0"
BASELINE_INIT = "import boto3, pydantic\nfrom aws_lambda_powertools import Logger\n"
PROBE = """
import json, sys, time
outside_layer = frozenset(json.loads(sys.argv[2]))


class OutsideLayer:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in outside_layer:
            raise ModuleNotFoundError(f"No module named {name!r} in the layer", name=name)


sys.meta_path.insert(0, OutsideLayer())
connections = []
sys.addaudithook(lambda event, args: connections.append(str(args[1])) if event == "socket.connect" else None)
namespace = {"__name__": "__cold_start__"}
started = time.perf_counter()
exec(compile(sys.argv[1], "<init>", "exec"), namespace)
elapsed = time.perf_counter() - started
init_connections = list(connections)
first_call, failure = None, None
if len(sys.argv) > 3:
    class Context:
        function_name = "cold-start"
        memory_limit_in_mb = 512
        invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:cold-start"
        aws_request_id = "00000000-0000-0000-0000-000000000000"

    with open(sys.argv[3], encoding="utf-8") as sample:
        event = json.load(sample)
    started = time.perf_counter()
    try:
        namespace["module"].lambda_handler(event, Context())
    except Exception as error:
        failure = repr(error)
    first_call = time.perf_counter() - started
remote = [address for address in connections if not address.startswith(("('127.0.0.1'", "('::1'"))]
print(json.dumps({"seconds": elapsed, "connections": init_connections, "first_call": first_call,
                  "failure": failure, "remote": remote}))
"""


@dataclass(frozen=True)
class Sample:
    seconds: float
    connections: list[str]
    first_call: float | None = None
    failure: str | None = None


def run() -> dict[str, float]:
    directories = function_directories()
    outside_layer = json.dumps(modules_outside_layer())
    baseline: list[Sample] = []
    samples: dict[str, list[Sample]] = {directory: [] for directory in directories}
    with moto_server() as moto_url:
        seed_webhook_secrets(moto_url)
        environments = {directory: _environment(directory, moto_url) for directory in directories}
        create_table(aws_client("dynamodb", moto_url), environments[directories[0]]["TABLE_NAME"])
        for _ in range(RUNS):
            baseline.append(_sample(BASELINE_INIT, environments[directories[0]], outside_layer))
            for directory in directories:
                init = _function_init(directory)
                event = EVENTS / FIRST_CALL_EVENTS[directory]
                samples[directory].append(_sample(init, environments[directory], outside_layer, event))
    return _results(baseline, samples)


def _results(baseline: list[Sample], samples: dict[str, list[Sample]]) -> dict[str, float]:
    baseline_seconds = median([sample.seconds for sample in baseline])
    ratios = {
        directory: median([sample.seconds for sample in runs]) / baseline_seconds
        for directory, runs in samples.items()
    }
    connections = sum(len(sample.connections) for runs in samples.values() for sample in runs)
    for directory, runs in samples.items():
        if any(sample.connections for sample in runs):
            print(f"cold start: functions/{directory} connects during init", file=sys.stderr)
        for failure in sorted({sample.failure for sample in runs if sample.failure}):
            print(f"cold start: the first call of functions/{directory} raised {failure}", file=sys.stderr)
    totals = {
        directory: median([sample.seconds + (sample.first_call or 0.0) for sample in runs]) / baseline_seconds
        for directory, runs in samples.items()
    }
    return {
        "cold_init_baseline_ms": baseline_seconds * 1000,
        **{f"cold_init_ratio_{directory}": ratio for directory, ratio in ratios.items()},
        "cold_init_ratio_worst": max(ratios.values()),
        "cold_init_network_connections": float(connections),
        **{f"cold_start_ratio_{directory}": ratio for directory, ratio in totals.items()},
        "cold_start_ratio_worst": max(totals.values()),
    }


def _function_init(directory: str) -> str:
    path = FUNCTIONS / directory / "app.py"
    return (
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('{directory}_app', {str(path)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
    )


def _environment(directory: str, aws_endpoint: str) -> dict[str, str]:
    """The function's variables as deployed, Lambda's runtime variables, and AWS on loopback."""
    spec = function_spec(directory)
    inherited = {
        name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "POWERTOOLS_"))
    }
    return {
        **inherited,
        **lambda_environment(spec, {"WEBHOOK_SECRETS_ID": WEBHOOK_SECRETS_ID}),
        **DUMMY_CREDENTIALS,
        "TIKTOK_SHOP_API_BASE_URL": CLOSED_LOOPBACK,
        "SEVENTEEN_TRACK_API_BASE_URL": CLOSED_LOOPBACK,
        "_X_AMZN_TRACE_ID": UNSAMPLED_TRACE,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": aws_endpoint,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_LAMBDA_FUNCTION_NAME": f"trackguard-{directory}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "LAMBDA_TASK_ROOT": str(FUNCTIONS / directory),
    }


def _sample(init: str, environment: dict[str, str], outside_layer: str, event: Path | None = None) -> Sample:
    """One fresh interpreter: time the init, then (given a sample event) the first call."""
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, init, outside_layer, *([str(event)] if event else [])],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"init failed:\n{init}\n{completed.stderr}")
    measured = json.loads(completed.stdout.splitlines()[-1])
    if measured["remote"]:
        raise RuntimeError(f"{event} reached beyond loopback: {measured['remote']}")
    return Sample(measured["seconds"], measured["connections"], measured["first_call"], measured["failure"])


def heaviest_imports(directory: str) -> list[tuple[int, str]]:
    """(cumulative microseconds, module) of the function's init, heaviest first (`-X importtime`)."""
    outside_layer = json.dumps(modules_outside_layer())
    with moto_server() as moto_url:
        seed_webhook_secrets(moto_url)
        completed = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", PROBE, _function_init(directory), outside_layer],
            env=_environment(directory, moto_url),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    rows = [line.split("|") for line in completed.stderr.splitlines() if line.startswith("import time:")]
    timed = [(int(row[1]), row[2].rstrip()) for row in rows if row[1].strip().isdigit()]
    return sorted(timed, reverse=True)[:HEAVIEST_IMPORTS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--importtime", metavar="DIR", help="list the heaviest imports of functions/DIR")
    arguments = parser.parse_args()
    if arguments.importtime:
        for microseconds, module in heaviest_imports(arguments.importtime):
            print(f"{microseconds / 1000:>9.1f} ms  {module}")
    else:
        print(json.dumps(run(), indent=2))


if __name__ == "__main__":
    main()
