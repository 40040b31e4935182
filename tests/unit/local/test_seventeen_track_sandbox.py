"""The 17TRACK sandbox's quota (getquota, refusals when spent) and its per-second rate limit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trackguard_dev.local.sandboxes import SandboxRequest
from trackguard_dev.local.sandboxes.seventeen_track import QUOTA_EXHAUSTED, SeventeenTrackSandbox

KEY = "the-key"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(tmp_path: Path, clock: Clock) -> SeventeenTrackSandbox:
    return SeventeenTrackSandbox(tmp_path, KEY, clock)


def call(sandbox: SeventeenTrackSandbox, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    request = SandboxRequest(
        method=method, path=path, headers={"17token": KEY}, body=json.dumps(body).encode()
    )
    response = sandbox.handle(request)
    return response.status, json.loads(response.body) if response.body else None


def test_registering_spends_the_quota_then_is_refused(sandbox: SeventeenTrackSandbox) -> None:
    assert call(sandbox, "PUT", "/_quota", {"total": 2, "used": 1})[0] == 204

    _, first = call(sandbox, "POST", "/track/v2.2/register", [{"number": "AAAA1111"}, {"number": "BBBB2222"}])
    _, quota = call(sandbox, "POST", "/track/v2.2/getquota", {})

    assert [item["number"] for item in first["data"]["accepted"]] == ["AAAA1111"]
    assert [item["error"]["code"] for item in first["data"]["rejected"]] == [QUOTA_EXHAUSTED]
    assert quota["data"] == {"quota_total": 2, "quota_used": 2, "quota_remain": 0}


def test_the_rate_limit_answers_429_past_n_requests_in_a_second_and_logs_every_arrival(
    sandbox: SeventeenTrackSandbox, clock: Clock
) -> None:
    call(sandbox, "PUT", "/_rate_limit", {"per_second": 2})
    statuses = []
    for step in (0.0, 0.1, 0.2, 1.05, 1.08):
        clock.now = 1_000.0 + step
        statuses.append(call(sandbox, "POST", "/track/v2.2/getquota", {})[0])

    _, log = call(sandbox, "GET", "/_requests")

    assert statuses == [200, 200, 429, 200, 429]
    assert [(round(r["at"] - 1_000.0, 2), r["status"]) for r in log["requests"]] == [
        (0.0, 200),
        (0.1, 200),
        (0.2, 429),
        (1.05, 200),
        (1.08, 429),
    ]
