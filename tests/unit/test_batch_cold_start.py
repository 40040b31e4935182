"""The batch and scheduled functions load Powertools alone at init; their service is built by the first call.

Each case runs in a fresh interpreter: it loads the function, lists which of the service's modules init
imported, then builds the service through the function's own factory twice (the second must be the
first, kept for the process). The part only some invocations need (the shop platforms, the 17TRACK
poller, the report machinery) must still be unloaded after the service is built.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOAD_AND_BUILD = """
import json, sys
from tests.support.lambda_events import load_function

function = load_function(sys.argv[1])
heavy = ("pydantic.main", "trackguard.settings", "trackguard.storage.dynamo", sys.argv[3])
at_init = [name for name in heavy if name in sys.modules]
factory = getattr(function, sys.argv[2])
first = factory()
print(json.dumps({
    "at_init": at_init,
    "built": type(first).__name__,
    "kept": factory() is first,
    "service_loaded": sys.argv[3] in sys.modules,
    "deferred_loaded": sys.argv[4] in sys.modules,
}))
"""
DEPLOYED = {
    "TABLE_NAME": "trackguard-Table",
    "EVENT_BUS_NAME": "trackguard",
    "WEBHOOK_SECRETS_ID": "trackguard/webhook-secrets",
    "DUE_INDEX_SHARDS": "8",
    "TIKTOK_SHOP_API_BASE_URL": "https://open-api.tiktokglobalshop.invalid",
    "SHOP_TOKENS_SECRET_PREFIX": "trackguard/shop-tokens/",
    "SELLER_SECRETS_PREFIX": "trackguard/seller-secrets/",
    "PROCESSING_QUEUE_URL": "https://sqs.us-east-1.amazonaws.invalid/000000000000/processing",
    "TIKTOK_SHOP_AUTH_BASE_URL": "https://auth.tiktok-shops.invalid",
    "RECONCILE_QUEUE_URL": "https://sqs.us-east-1.amazonaws.invalid/000000000000/reconcile",
    "SEVENTEEN_TRACK_API_BASE_URL": "https://api.17track.invalid",
    "SEVENTEEN_TRACK_REQUESTS_PER_SECOND": "2.5",
    "REPORTS_BUCKET": "trackguard-reports",
    "REPORT_SENDER_EMAIL": "reports@trackguard.invalid",
    "REPORT_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/000000000000/trackguard-reports",
}
"""Every variable the template gives these functions (their settings require them)."""
CASES = [
    (
        "processor",
        "processor",
        "trackguard.services.processing",
        "Processor",
        "trackguard.services.shop_sync",
    ),
    (
        "reconcile_worker",
        "worker",
        "trackguard.services.reconcile",
        "ReconcileWorker",
        "trackguard.services.polling",
    ),
    (
        "reconcile_planner",
        "planner",
        "trackguard.services.reconcile",
        "ReconcilePlanner",
        "trackguard.rules.registry",
    ),
    (
        "reports",
        "report_schedule",
        "trackguard.storage.sellers",
        "ReportSchedule",
        "trackguard.services.reports",
    ),
    (
        "report_worker",
        "report_jobs",
        "trackguard.services.reports",
        "ReportJobs",
        "trackguard.messaging",
    ),
]


@pytest.mark.parametrize(("directory", "factory", "service_module", "service", "deferred"), CASES)
def test_init_loads_no_service_and_the_first_call_builds_it_once(
    directory: str, factory: str, service_module: str, service: str, deferred: str
) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", LOAD_AND_BUILD, directory, factory, service_module, deferred],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={
            "PYTHONPATH": f"{ROOT}:{ROOT / 'shared'}",
            "AWS_REGION": "us-east-1",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_NAMESPACE": "Trackguard",
            "SEVENTEEN_TRACK_API_KEY": "unused",
            **DEPLOYED,
        },
    )

    outcome = json.loads(completed.stdout.splitlines()[-1])
    assert outcome == {
        "at_init": [],
        "built": service,
        "kept": True,
        "service_loaded": True,
        "deferred_loaded": False,
    }


LOAD_WEBHOOK = """
import json, sys
from tests.support.lambda_events import load_function

load_function(sys.argv[1])
heavy = ("pydantic.main", "trackguard.secrets", "trackguard.settings", "trackguard.sources.registry")
print(json.dumps([name for name in heavy if name in sys.modules]))
"""


@pytest.mark.parametrize("function", ["shop_webhook", "carrier_webhook"])
def test_a_webhook_function_defines_no_pydantic_model_at_init(function: str) -> None:
    """The secret document, the settings and the senders load with the first delivery, not at init."""
    answer = subprocess.run(
        [sys.executable, "-c", LOAD_WEBHOOK, function],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "POWERTOOLS_TRACE_DISABLED": "true"},
    )

    assert json.loads(answer.stdout) == []


LOAD_AUTHORIZER = """
import json, sys
from tests.support.lambda_events import load_function

load_function("seller_authorizer")
heavy = ("pydantic.main", "trackguard.services.sellers", "trackguard.domain.orders")
print(json.dumps([name for name in heavy if name in sys.modules]))
"""


def test_the_authorizer_defines_no_pydantic_model_at_init() -> None:
    """Its seller service (and the key and order models) is built by the first request."""
    answer = subprocess.run(
        [sys.executable, "-c", LOAD_AUTHORIZER],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "POWERTOOLS_TRACE_DISABLED": "true"},
    )

    assert json.loads(answer.stdout) == []
