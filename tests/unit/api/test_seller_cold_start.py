"""The seller API registers its routes on the first request, so its init loads no route or model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FIRST_REQUEST = """
import sys
from tests.support.lambda_events import FakeLambdaContext, api_event, load_function

function = load_function("seller_api")
print("trackguard.api.seller_routes" in sys.modules, "trackguard.api.models" in sys.modules)
answer = function.lambda_handler(api_event("GET", "/health", None), FakeLambdaContext())
print("trackguard.api.seller_routes" in sys.modules, answer["statusCode"], answer["body"])
"""


def test_routes_are_registered_by_the_first_request_not_at_init() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", FIRST_REQUEST],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": f"{ROOT}:{ROOT / 'shared'}", "AWS_REGION": "us-east-1"},
    )

    at_init, after_first_request = completed.stdout.splitlines()
    assert at_init == "False False"
    assert after_first_request == 'True 200 {"status":"ok"}'
