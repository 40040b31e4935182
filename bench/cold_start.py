"""Cold start as deployed: each function's init and first call on Python 3.12, from the built layer.

Every sample is a new Python 3.12 interpreter (`-I -B`: no environment-given paths, no bytecode written)
whose sys.path is Lambda's: the function's code (functions/<dir>, as deployed: source only), the layer
as `make build` builds it (bench/layer.py), then the runtime's own boto3. The layer comes in two
variants, `source` (as `sam build` leaves it: every import compiles) and `compiled` (bytecode compiled
at build time), both read-only to the samples; the run checks that no sample wrote bytecode. Each sample
has the function's template environment and Lambda's runtime variables (so Powertools' Tracer is on, as
deployed) and times `import app`. The baseline is `import boto3, pydantic; from aws_lambda_powertools
import Logger` from the same layer variant in the same kind of interpreter. Samples alternate (each
round: every variant's baseline and every function) so drift hits all alike.

AWS is moto's server on loopback, holding the dev webhook secrets, and an audit hook records every
socket connect during init: init must not call AWS, and `cold_init_network_connections` names any
function that does. The same interpreter then answers the function's sample event (events/, against
the template's table in moto): `cold_start_ratio_*` is init plus that first call over the baseline. Outbound
HTTP base URLs point at a closed loopback port; the first call may only connect to loopback.

`cold_init_ratio_*` and `cold_start_ratio_*` describe the variant `make build` ships
(`layer.SHIPPED_VARIANT`); `cold_*_ms_*_<variant>` give both variants' medians, and
`cold_start_bytecode_speedup_*` how much faster the compiled layer starts (source over compiled).

`python -m bench.cold_start --importtime <dir> [--variant source]` lists the heaviest imports of one
function's init and first call.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench import layer
from bench.support import (
    DUMMY_CREDENTIALS,
    REGION,
    ROOT,
    WEBHOOK_SECRETS_ID,
    aws_client,
    function_directories,
    function_spec,
    lambda_environment,
    median,
    moto_server,
    seed_webhook_secrets,
)
from tests.support.tables import create_table

GOALS: dict[str, tuple[str, float]] = {
    "cold_init_ratio_worst": ("<=", 1.2),
    "cold_init_network_connections": ("==", 0.0),
}

RUNS = 9  # samples per function and variant; the medians of 5 moved by ±10 % between runs
HEAVIEST_IMPORTS = 60
EVENTS = ROOT / "events"
FIRST_CALL_EVENTS = {
    "carrier_webhook": "carrier_ups.json",
    "health": "health.json",
    "processor": "processor.json",
    "reconcile_planner": "reconcile_planner.json",
    "reconcile_worker": "reconcile_worker.json",
    "report_worker": "report_worker.json",
    "reports": "reports.json",
    "seller_api": "seller_api_flags.json",
    "seller_authorizer": "seller_authorizer.json",
    "shop_webhook": "shop_tiktok_order_status_change.json",
    "tiktok_oauth": "tiktok_oauth_callback.json",
    "token_refresh": "token_refresh.json",
}
CLOSED_LOOPBACK = "http://127.0.0.1:9"
UNSAMPLED_TRACE = "Root=1-6740a000-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=0"
BASELINE = "baseline"
BASELINE_INIT = "import boto3, pydantic\nfrom aws_lambda_powertools import Logger\n"
FUNCTION_INIT = "import app as module\n"
PROBE = """
import json, sys, time
sys.path[:0] = json.loads(sys.argv[2])
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

    @property
    def total(self) -> float:
        return self.seconds + (self.first_call or 0.0)


@dataclass(frozen=True)
class Deployment:
    """Where a sample's imports come from: each variant's layer, the runtime's boto3, each task root."""

    layers: dict[str, Path]
    runtime: Path
    task_roots: dict[str, Path]

    @classmethod
    def build(cls, directories: list[str]) -> Deployment:
        return cls(
            layers=layer.deployed_layers(),
            runtime=layer.runtime_directory(),
            task_roots={directory: layer.task_root(directory) for directory in directories},
        )

    def sys_path(self, variant: str, directory: str | None) -> str:
        """Lambda's order: the function's code, the layer, the runtime."""
        roots = [self.task_roots[directory]] if directory else []
        return json.dumps([str(path) for path in [*roots, self.layers[variant], self.runtime]])


def run() -> dict[str, float]:
    directories = function_directories()
    deployment = Deployment.build(directories)
    uncompiled = layer.bytecode_files(deployment.layers["source"])
    samples: dict[tuple[str, str], list[Sample]] = {
        (variant, name): [] for variant in layer.VARIANTS for name in [BASELINE, *directories]
    }
    with moto_server() as moto_url:
        seed_webhook_secrets(moto_url)
        environments = {directory: _environment(directory, moto_url, deployment) for directory in directories}
        create_table(aws_client("dynamodb", moto_url), environments[directories[0]]["TABLE_NAME"])
        for _ in range(RUNS):
            for variant in layer.VARIANTS:
                baseline_path = deployment.sys_path(variant, None)
                sample = _sample(BASELINE_INIT, baseline_path, environments[directories[0]])
                samples[variant, BASELINE].append(sample)
                for directory in directories:
                    event = EVENTS / FIRST_CALL_EVENTS[directory]
                    path = deployment.sys_path(variant, directory)
                    samples[variant, directory].append(
                        _sample(FUNCTION_INIT, path, environments[directory], event)
                    )
    written = layer.bytecode_files(deployment.layers["source"]) - uncompiled
    if written or any(layer.bytecode_files(root) for root in deployment.task_roots.values()):
        raise RuntimeError("a cold-start sample wrote bytecode: the figures are not from a read-only layer")
    return _results(samples, directories)


def _results(samples: dict[tuple[str, str], list[Sample]], directories: list[str]) -> dict[str, float]:
    _report_problems(samples)
    init_ms = {key: median([sample.seconds for sample in runs]) * 1000 for key, runs in samples.items()}
    start_ms = {key: median([sample.total for sample in runs]) * 1000 for key, runs in samples.items()}
    shipped = layer.SHIPPED_VARIANT
    baseline_ms = init_ms[shipped, BASELINE]
    init_ratios = {directory: init_ms[shipped, directory] / baseline_ms for directory in directories}
    start_ratios = {directory: start_ms[shipped, directory] / baseline_ms for directory in directories}
    speedups = {
        name: start_ms["source", name] / start_ms["compiled", name] for name in [BASELINE, *directories]
    }
    connections = sum(len(sample.connections) for runs in samples.values() for sample in runs)
    return {
        "cold_init_baseline_ms": baseline_ms,
        **{f"cold_init_ratio_{directory}": ratio for directory, ratio in init_ratios.items()},
        "cold_init_ratio_worst": max(init_ratios.values()),
        "cold_init_network_connections": float(connections),
        **{f"cold_start_ratio_{directory}": ratio for directory, ratio in start_ratios.items()},
        "cold_start_ratio_worst": max(start_ratios.values()),
        **{f"cold_init_ms_{name}_{variant}": value for (variant, name), value in init_ms.items()},
        **{f"cold_start_ms_{name}_{variant}": value for (variant, name), value in start_ms.items()},
        **{f"cold_start_bytecode_speedup_{name}": value for name, value in speedups.items()},
        "cold_start_bytecode_speedup_worst": min(speedups.values()),
    }


def _report_problems(samples: dict[tuple[str, str], list[Sample]]) -> None:
    for (variant, name), runs in samples.items():
        if any(sample.connections for sample in runs):
            print(f"cold start: functions/{name} connects during init ({variant} layer)", file=sys.stderr)
        for failure in sorted({sample.failure for sample in runs if sample.failure}):
            print(f"cold start: the first call of functions/{name} raised {failure}", file=sys.stderr)


def _environment(directory: str, aws_endpoint: str, deployment: Deployment) -> dict[str, str]:
    """The function's variables as deployed, Lambda's runtime variables, and AWS on loopback."""
    spec = function_spec(directory)
    inherited = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return {
        **inherited,
        **lambda_environment(spec, {"WEBHOOK_SECRETS_ID": WEBHOOK_SECRETS_ID}),
        **DUMMY_CREDENTIALS,
        "TIKTOK_SHOP_API_BASE_URL": CLOSED_LOOPBACK,
        "TIKTOK_SHOP_AUTH_BASE_URL": CLOSED_LOOPBACK,
        "SEVENTEEN_TRACK_API_BASE_URL": CLOSED_LOOPBACK,
        "_X_AMZN_TRACE_ID": UNSAMPLED_TRACE,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": aws_endpoint,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_LAMBDA_FUNCTION_NAME": f"trackguard-{directory}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "LAMBDA_TASK_ROOT": str(deployment.task_roots[directory]),
        "TZ": "UTC",
    }


def _sample(init: str, sys_path: str, environment: dict[str, str], event: Path | None = None) -> Sample:
    """One fresh Python 3.12 interpreter: time the init, then (given a sample event) the first call."""
    completed = subprocess.run(
        [layer.python312(), "-I", "-B", "-c", PROBE, init, sys_path, *([str(event)] if event else [])],
        env=environment,
        cwd=environment.get("LAMBDA_TASK_ROOT", ROOT),
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


def heaviest_imports(directory: str, variant: str) -> list[tuple[int, str]]:
    """(cumulative microseconds, module) of the function's init and first call, heaviest first
    (`-X importtime`): what a cold start imports, whether at init or deferred to the first call."""
    deployment = Deployment.build([directory])
    with moto_server() as moto_url:
        seed_webhook_secrets(moto_url)
        environment = _environment(directory, moto_url, deployment)
        create_table(aws_client("dynamodb", moto_url), environment["TABLE_NAME"])
        completed = subprocess.run(
            [
                layer.python312(),
                "-I",
                "-B",
                "-X",
                "importtime",
                "-c",
                PROBE,
                FUNCTION_INIT,
                deployment.sys_path(variant, directory),
                str(EVENTS / FIRST_CALL_EVENTS[directory]),
            ],
            env=environment,
            cwd=environment["LAMBDA_TASK_ROOT"],
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
    parser.add_argument(
        "--importtime", metavar="DIR", help="list the heaviest imports of functions/DIR's cold start"
    )
    parser.add_argument("--variant", choices=layer.VARIANTS, default=layer.SHIPPED_VARIANT)
    arguments = parser.parse_args()
    if arguments.importtime:
        for microseconds, module in heaviest_imports(arguments.importtime, arguments.variant):
            print(f"{microseconds / 1000:>9.1f} ms  {module}")
    else:
        print(json.dumps(run(), indent=2))


if __name__ == "__main__":
    main()
