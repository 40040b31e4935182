"""A stand-in for 17TRACK API v2.2 (register, gettrackinfo, stoptrack, retrack) for the local stack and
the tests.

Paths are relative to the sandbox's prefix (``/_sandbox/17track``):

- ``PUT /numbers/{number}`` sets what gettrackinfo answers for a number: a 17TRACK ``track_info``
  document, or ``{"rejected": {"code": ..., "message": ...}}``.
- ``PUT /_faults`` ``{"status": 429|500, "count": N}`` makes the next N API requests fail that way.
- ``POST /track/v2.2/register`` and ``POST /track/v2.2/gettrackinfo`` behave like 17TRACK: the ``17token``
  header must be the configured key, at most 40 numbers a request, answers in 17TRACK's shape.
- ``POST /track/v2.2/stoptrack`` stops registered numbers (as 17TRACK does by itself after 30 silent
  days); ``POST /track/v2.2/retrack`` resumes a stopped number, once: a number that is not stopped is
  refused with -18019904, a second retrack with -18019905.

State lives in JSON files under ``<state_dir>/sandbox/17track/``, so it survives a restart.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from trackguard_dev.local.sandboxes import SandboxRequest, SandboxResponse
from trackguard_dev.local.sandboxes.state import SandboxState, load_json

MAX_NUMBERS = 40
INVALID_KEY = -18010002
INVALID_DATA = -18010013
TOO_MANY_NUMBERS = -18010014
ALREADY_REGISTERED = -18019901
NOT_REGISTERED = -18019902
NOT_STOPPED = -18019904
RETRACKED_BEFORE = -18019905

_Operation = Callable[[str, int | None, list[dict[str, Any]], list[dict[str, Any]]], None]
_NUMBER = re.compile(r"^[A-Za-z0-9-]{4,64}$")
_NOT_FOUND_YET: dict[str, Any] = {
    "latest_status": {"status": "NotFound", "sub_status": "NotFound_Other"},
    "latest_event": None,
    "tracking": {"providers": []},
}


class SeventeenTrackSandbox:
    def __init__(self, state_dir: Path, api_key: str) -> None:
        self._state = SandboxState(
            state_dir / "sandbox" / "17track", "numbers", "registered", "stopped", "retracked"
        )
        self._api_key = api_key

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        route = (request.method.upper(), request.path.rstrip("/"))
        if route == ("PUT", "/_faults"):
            return self._set_faults(request.body)
        if route[0] == "PUT" and route[1].startswith("/numbers/"):
            return self._set_number(route[1].removeprefix("/numbers/"), request.body)
        if route == ("POST", "/track/v2.2/register"):
            return self._api(request, self._register)
        if route == ("POST", "/track/v2.2/gettrackinfo"):
            return self._api(request, self._track_info)
        if route == ("POST", "/track/v2.2/stoptrack"):
            return self._api(request, self._stop)
        if route == ("POST", "/track/v2.2/retrack"):
            return self._api(request, self._retrack)
        return _json(404, {"code": 404, "data": {"errors": [{"code": 404, "message": "Not found."}]}})

    def _set_faults(self, body: bytes) -> SandboxResponse:
        if self._state.set_faults(body) is None:
            return _json(400, {"error": 'expected {"status": 429|500, "count": N}'})
        return SandboxResponse(204, {}, b"")

    def _set_number(self, number: str, body: bytes) -> SandboxResponse:
        answer = load_json(body)
        if not _NUMBER.match(number) or not isinstance(answer, dict):
            return _json(400, {"error": "expected a track_info object or {'rejected': {...}}"})
        self._state.write(f"numbers/{number.upper()}.json", answer)
        return SandboxResponse(204, {}, b"")

    def _api(self, request: SandboxRequest, operation: _Operation) -> SandboxResponse:
        fault = self._state.take_fault()
        if fault is not None:
            return _json(
                fault, {"code": fault, "data": {"errors": [{"code": fault, "message": "Sandbox fault."}]}}
            )
        if request.headers.get("17token") != self._api_key:
            return _json(401, _error(INVALID_KEY, "Invalid security key."))
        items = load_json(request.body)
        if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("number") for i in items):
            return _json(200, _error(INVALID_DATA, "Invalid submitted data."))
        if len(items) > MAX_NUMBERS:
            return _json(200, _error(TOO_MANY_NUMBERS, "Tracking numbers exceed the 40 limit."))
        accepted: list[dict[str, Any]] = []
        rejected: list[dict[str, Any]] = []
        with self._state.lock:
            for item in items:
                operation(str(item["number"]).upper(), item.get("carrier"), accepted, rejected)
        return _json(200, {"code": 0, "data": {"accepted": accepted, "rejected": rejected}})

    def _register(
        self, number: str, carrier: int | None, accepted: list[dict[str, Any]], rejected: list[dict[str, Any]]
    ) -> None:
        if self._state.read(f"registered/{number}.json") is not None:
            rejected.append(
                _rejected(number, ALREADY_REGISTERED, f"Tracking number {number} is already registered.")
            )
            return
        self._state.write(f"registered/{number}.json", {"carrier": carrier or 0})
        accepted.append({"origin": 1, "number": number, "carrier": carrier or 0})

    def _track_info(
        self,
        number: str,
        _carrier: int | None,
        accepted: list[dict[str, Any]],
        rejected: list[dict[str, Any]],
    ) -> None:
        configured = self._state.read(f"numbers/{number}.json")
        if isinstance(configured, dict) and isinstance(configured.get("rejected"), dict):
            error = configured["rejected"]
            rejected.append(
                _rejected(number, int(error.get("code", NOT_REGISTERED)), str(error.get("message", "")))
            )
            return
        registration = self._state.read(f"registered/{number}.json")
        if registration is None:
            rejected.append(
                _rejected(number, NOT_REGISTERED, f"Tracking number {number} is not registered yet.")
            )
            return
        track_info = configured if isinstance(configured, dict) else _NOT_FOUND_YET
        accepted.append(
            {"number": number, "carrier": registration.get("carrier", 0), "tag": "", "track_info": track_info}
        )

    def _stop(
        self,
        number: str,
        _carrier: int | None,
        accepted: list[dict[str, Any]],
        rejected: list[dict[str, Any]],
    ) -> None:
        registration = self._state.read(f"registered/{number}.json")
        if registration is None:
            rejected.append(_rejected(number, NOT_REGISTERED, f"Tracking number {number} is not registered."))
            return
        self._state.write(f"stopped/{number}.json", {"stopped": True})
        accepted.append({"number": number, "carrier": registration.get("carrier", 0)})

    def _retrack(
        self,
        number: str,
        _carrier: int | None,
        accepted: list[dict[str, Any]],
        rejected: list[dict[str, Any]],
    ) -> None:
        registration = self._state.read(f"registered/{number}.json")
        if registration is None:
            rejected.append(_rejected(number, NOT_REGISTERED, f"Tracking number {number} is not registered."))
        elif self._state.read(f"retracked/{number}.json") is not None:
            rejected.append(_rejected(number, RETRACKED_BEFORE, "Retrack is allowed only once."))
        elif self._state.read(f"stopped/{number}.json") is None:
            rejected.append(_rejected(number, NOT_STOPPED, "Only a stopped number can be retracked."))
        else:
            self._state.remove(f"stopped/{number}.json")
            self._state.write(f"retracked/{number}.json", {"retracked": True})
            accepted.append({"number": number, "carrier": registration.get("carrier", 0)})


def create(state_dir: Path, secrets: Mapping[str, Any]) -> SeventeenTrackSandbox:
    return SeventeenTrackSandbox(Path(state_dir), str(secrets["17track"]["api_key"]))


def _error(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "data": {"errors": [{"code": code, "message": message}]}}


def _rejected(number: str, code: int, message: str) -> dict[str, Any]:
    return {"number": number, "error": {"code": code, "message": message}}


def _json(status: int, document: Any) -> SandboxResponse:
    return SandboxResponse(status, {"content-type": "application/json"}, json.dumps(document).encode())
