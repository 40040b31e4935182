"""The Tracer as deployed: on in Lambda, botocore traced from init, httpx traced once HTTP clients load.

Each case runs in a fresh interpreter: Powertools keeps the Tracer's configuration per process and the
X-Ray SDK patches libraries globally.
"""

import json
import os
import subprocess
import sys

import pytest

REPORT_TRACING = """
import json, sys
from aws_xray_sdk.core import patcher
from trackguard.observability import tracer
{extra_import}
print(json.dumps({{
    "disabled": tracer.disabled,
    "patched": sorted(patcher._PATCHED_MODULES),
    "httpx_client_from": sys.modules["httpx"].AsyncClient.__module__ if "httpx" in sys.modules else None,
}}))
"""


def tracing_in_lambda(extra_import: str = "") -> dict[str, object]:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "POWERTOOLS_"))
    }
    environment["LAMBDA_TASK_ROOT"] = os.getcwd()
    completed = subprocess.run(
        [sys.executable, "-c", REPORT_TRACING.format(extra_import=extra_import)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report: dict[str, object] = json.loads(completed.stdout)
    return report


def test_tracer_is_on_in_lambda_and_traces_botocore_without_importing_httpx() -> None:
    assert tracing_in_lambda() == {"disabled": False, "patched": ["botocore"], "httpx_client_from": None}


def test_loading_the_http_clients_traces_httpx() -> None:
    report = tracing_in_lambda("import trackguard.clients.http")

    assert report["patched"] == ["botocore", "httpx"]
    assert report["httpx_client_from"] == "aws_xray_sdk.ext.httpx.patch"


def test_unmapped_codes_are_counted_per_source_and_each_logged_once(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    from tests.support.builders import an_event
    from trackguard.services.unmapped_codes import UNMAPPED_METRIC, report_unmapped_codes

    known = an_event(code="I:DP")
    unknown = an_event(code="I:QQ", unmapped=True)

    report_unmapped_codes("ups-test", [known, unknown, unknown.model_copy(update={"source_code": "I:QR"})])
    report_unmapped_codes("ups-test", [unknown])
    report_unmapped_codes("ups-test", [known])

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    metrics = [line for line in lines if "_aws" in line]
    logged = [getattr(r, "code", None) for r in caplog.records if r.getMessage() == "unmapped status code"]
    assert [(m[UNMAPPED_METRIC], m["source"]) for m in metrics] == [([2.0], "ups-test"), ([1.0], "ups-test")]
    assert {str(m["_aws"]["CloudWatchMetrics"][0]["Dimensions"]) for m in metrics} == {"[['source']]"}
    assert logged == ["I:QQ", "I:QR"]


def metrics_namespace(environment: dict[str, str]) -> str:
    completed = subprocess.run(
        [sys.executable, "-c", "from trackguard.observability import metrics; print(metrics.namespace)"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("POWERTOOLS_")}, **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return completed.stdout.strip()


def test_metrics_go_to_the_stages_namespace_when_the_template_gives_one() -> None:
    assert metrics_namespace({"POWERTOOLS_METRICS_NAMESPACE": "Trackguard/prod"}) == "Trackguard/prod"
    assert metrics_namespace({}) == "Trackguard"
