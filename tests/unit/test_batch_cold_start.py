"""The batch and scheduled functions load Powertools alone at init; their service is built by the first call.

Each case runs in a fresh interpreter: it loads the function, lists which of the service's modules init
imported, then builds the service through the function's own factory twice (the second must be the
first, kept for the process).
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
from tests.unit.api.seller_events import load_function

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
}))
"""
CASES = [
    ("processor", "processor", "trackguard.services.processing", "Processor"),
    ("reconcile_worker", "worker", "trackguard.services.reconcile", "ReconcileWorker"),
    ("reconcile_planner", "planner", "trackguard.services.reconcile", "ReconcilePlanner"),
    ("reports", "report_schedule", "trackguard.storage.sellers", "ReportSchedule"),
    ("report_worker", "report_jobs", "trackguard.services.reports", "ReportJobs"),
]


@pytest.mark.parametrize(("directory", "factory", "service_module", "service"), CASES)
def test_init_loads_no_service_and_the_first_call_builds_it_once(
    directory: str, factory: str, service_module: str, service: str
) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", LOAD_AND_BUILD, directory, factory, service_module],
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
        },
    )

    outcome = json.loads(completed.stdout.splitlines()[-1])
    assert outcome == {"at_init": [], "built": service, "kept": True, "service_loaded": True}
