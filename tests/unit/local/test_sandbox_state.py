"""Sandbox state: documents survive a new instance (a restart), and injected faults are counted down."""

from __future__ import annotations

from pathlib import Path

from trackguard_dev.local.sandboxes.state import SandboxState, load_json


def test_documents_survive_a_restart(tmp_path: Path) -> None:
    SandboxState(tmp_path, "orders").write("orders/1.json", {"id": "1"})

    assert SandboxState(tmp_path, "orders").read("orders/1.json") == {"id": "1"}
    assert SandboxState(tmp_path).read("orders/2.json") is None


def test_faults_fail_the_next_requests_then_stop(tmp_path: Path) -> None:
    state = SandboxState(tmp_path)

    assert state.set_faults(b'{"status": 429, "count": 2}') == {"status": 429, "count": 2}
    assert [state.take_fault() for _ in range(3)] == [429, 429, None]


def test_only_429_and_500_faults_are_accepted(tmp_path: Path) -> None:
    state = SandboxState(tmp_path)

    assert state.set_faults(b'{"status": 404}') is None
    assert state.set_faults(b"not json") is None
    assert state.take_fault() is None


def test_load_json_answers_none_for_what_is_not_json() -> None:
    assert load_json(b'{"a": 1}') == {"a": 1}
    assert load_json(b"{") is None
    assert load_json(b"") is None
