"""The 17TRACK sandbox over real loopback HTTP: token check, the 40-number limit, faults, its answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.sandbox_server import SandboxServer
from trackguard_dev.local.sandboxes import SANDBOXES, load_factory
from trackguard_dev.local.sandboxes import seventeen_track as sandbox

API_KEY = "dev-17track-api-key"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SandboxServer]:
    with SandboxServer(sandbox.create(tmp_path, {"17track": {"api_key": API_KEY}})) as running:
        yield running


def post(
    server: SandboxServer, operation: str, numbers: list[dict[str, Any]], key: str = API_KEY
) -> httpx.Response:
    return httpx.post(f"{server.url}/track/v2.2/{operation}", json=numbers, headers={"17token": key})


def test_the_local_stack_registry_finds_the_sandbox() -> None:
    assert load_factory(SANDBOXES["/_sandbox/17track"]) is sandbox.create


def test_a_wrong_token_gets_17tracks_error_answer(server: SandboxServer) -> None:
    answer = post(server, "register", [{"number": "1Z999AA10123456784"}], key="wrong")

    assert answer.status_code == 401
    assert answer.json()["code"] == -18010002


def test_more_than_40_numbers_are_refused(server: SandboxServer) -> None:
    answer = post(server, "register", [{"number": f"NUM{i:05d}"} for i in range(41)])

    assert answer.json()["code"] == -18010014
    assert answer.json()["data"]["errors"][0]["code"] == -18010014


def test_register_then_gettrackinfo_answers_what_was_configured(server: SandboxServer) -> None:
    track_info = {"latest_status": {"status": "InTransit", "sub_status": "InTransit_PickedUp"}}
    assert httpx.put(f"{server.url}/numbers/AB123456789", json=track_info).status_code == 204

    registered = post(server, "register", [{"number": "AB123456789", "carrier": 100002}])
    again = post(server, "register", [{"number": "AB123456789"}])
    info = post(server, "gettrackinfo", [{"number": "AB123456789"}, {"number": "NEVER12345"}])

    assert registered.json()["data"]["accepted"] == [
        {"origin": 1, "number": "AB123456789", "carrier": 100002}
    ]
    assert again.json()["data"]["rejected"][0]["error"]["code"] == -18019901
    [accepted] = info.json()["data"]["accepted"]
    assert (accepted["number"], accepted["carrier"], accepted["track_info"]) == (
        "AB123456789",
        100002,
        track_info,
    )
    assert info.json()["data"]["rejected"] == [
        {
            "number": "NEVER12345",
            "error": {"code": -18019902, "message": "Tracking number NEVER12345 is not registered yet."},
        }
    ]


def test_retrack_follows_17tracks_rules_stopped_numbers_only_and_once(server: SandboxServer) -> None:
    post(server, "register", [{"number": "AB123456789"}])

    def retrack_code() -> int | None:
        answer = post(server, "retrack", [{"number": "AB123456789"}]).json()["data"]
        return answer["rejected"][0]["error"]["code"] if answer["rejected"] else None

    not_stopped = retrack_code()
    post(server, "stoptrack", [{"number": "AB123456789"}])
    first = retrack_code()
    post(server, "stoptrack", [{"number": "AB123456789"}])
    second = retrack_code()

    assert (not_stopped, first, second) == (-18019904, None, -18019905)
    unknown = post(server, "retrack", [{"number": "NEVER12345"}]).json()["data"]["rejected"]
    assert unknown[0]["error"]["code"] == -18019902


def test_a_configured_rejection_is_answered(server: SandboxServer) -> None:
    httpx.put(
        f"{server.url}/numbers/BAD12345", json={"rejected": {"code": -18019903, "message": "no carrier"}}
    )

    answer = post(server, "gettrackinfo", [{"number": "BAD12345"}])

    assert answer.json()["data"]["rejected"] == [
        {"number": "BAD12345", "error": {"code": -18019903, "message": "no carrier"}}
    ]


@pytest.mark.parametrize("status", [429, 500])
def test_faults_fail_exactly_the_next_n_requests(server: SandboxServer, status: int) -> None:
    assert httpx.put(f"{server.url}/_faults", json={"status": status, "count": 2}).status_code == 204

    statuses = [post(server, "register", [{"number": f"NUM{i:05d}"}]).status_code for i in range(3)]

    assert statuses == [status, status, 200]


def test_state_survives_a_restart(tmp_path: Path) -> None:
    first = sandbox.create(tmp_path, {"17track": {"api_key": API_KEY}})
    with SandboxServer(first) as server:
        httpx.put(f"{server.url}/numbers/AB123456789", json={"latest_status": {"status": "Delivered"}})
        post(server, "register", [{"number": "AB123456789"}])

    with SandboxServer(sandbox.create(tmp_path, {"17track": {"api_key": API_KEY}})) as restarted:
        info = post(restarted, "gettrackinfo", [{"number": "AB123456789"}])

    assert info.json()["data"]["accepted"][0]["track_info"] == {"latest_status": {"status": "Delivered"}}


def test_bad_sandbox_requests_are_refused(server: SandboxServer) -> None:
    assert httpx.put(f"{server.url}/numbers/bad number!", json={}).status_code == 400
    assert httpx.put(f"{server.url}/_faults", json={"status": 418}).status_code == 400
    assert httpx.get(f"{server.url}/elsewhere").status_code == 404
