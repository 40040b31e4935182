"""A stand-in for 17TRACK API v2.2 (register, gettrackinfo, getquota, stoptrack, retrack) for the local
stack and the tests.

Paths are relative to the sandbox's prefix (``/_sandbox/17track``):

- ``PUT /numbers/{number}`` sets what gettrackinfo answers for a number: a 17TRACK ``track_info``
  document, or ``{"rejected": {"code": ..., "message": ...}}``.
- ``PUT /_faults`` ``{"status": 429|500, "count": N}`` makes the next N API requests fail that way.
- ``PUT /_quota`` ``{"total": N, "used": M}`` sets the registration quota (default 10,000, none used);
  each number registered uses one, and when none is left register refuses with -18019908.
- ``PUT /_rate_limit`` ``{"per_second": N}`` answers HTTP 429 to an API request when N already
  arrived in the second before it (default: no limit), as 17TRACK does per key;
  ``GET /_requests`` lists the arrival time (epoch seconds) and status of every API request.
- ``POST /track/v2.2/register``, ``/gettrackinfo`` and ``/getquota`` behave like 17TRACK: the ``17token``
  header must be the configured key, at most 40 numbers a request, answers in 17TRACK's shape (getquota:
  ``quota_total``, ``quota_used``, ``quota_remain``).
- ``POST /track/v2.2/stoptrack`` stops registered numbers (as 17TRACK does by itself after 30 silent
  days); ``POST /track/v2.2/retrack`` resumes a stopped number, once: a number that is not stopped is
  refused with -18019904, a second retrack with -18019905.

State lives in JSON files under ``<state_dir>/sandbox/17track/``, so it survives a restart (the
request log and the rate limit live in memory).
"""

from __future__ import annotations

import json
import re
import threading
import time
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
QUOTA_EXHAUSTED = -18019908
DEFAULT_QUOTA = 10_000
_QUOTA = "quota.json"

_Operation = Callable[[str, int | None, list[dict[str, Any]], list[dict[str, Any]]], None]
_NUMBER = re.compile(r"^[A-Za-z0-9-]{4,64}$")
_NOT_FOUND_YET: dict[str, Any] = {
    "latest_status": {"status": "NotFound", "sub_status": "NotFound_Other"},
    "latest_event": None,
    "tracking": {"providers": []},
}


class SeventeenTrackSandbox:
    def __init__(self, state_dir: Path, api_key: str, clock: Callable[[], float] = time.time) -> None:
        self._state = SandboxState(
            state_dir / "sandbox" / "17track", "numbers", "registered", "stopped", "retracked"
        )
        self._api_key = api_key
        self._clock = clock
        self._log_lock = threading.Lock()
        self._requests: list[tuple[float, int]] = []
        self._per_second: int | None = None

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        route = (request.method.upper(), request.path.rstrip("/"))
        if route == ("PUT", "/_faults"):
            return self._set_faults(request.body)
        if route == ("PUT", "/_quota"):
            return self._set_quota(request.body)
        if route == ("PUT", "/_rate_limit"):
            return self._set_rate_limit(request.body)
        if route == ("GET", "/_requests"):
            with self._log_lock:
                log = [{"at": at, "status": status} for at, status in self._requests]
            return _json(200, {"requests": log})
        if route[0] == "PUT" and route[1].startswith("/numbers/"):
            return self._set_number(route[1].removeprefix("/numbers/"), request.body)
        api = {
            "/track/v2.2/register": lambda: self._api(request, self._register),
            "/track/v2.2/gettrackinfo": lambda: self._api(request, self._track_info),
            "/track/v2.2/getquota": lambda: self._quota(request),
            "/track/v2.2/stoptrack": lambda: self._api(request, self._stop),
            "/track/v2.2/retrack": lambda: self._api(request, self._retrack),
        }
        if route[0] == "POST" and route[1] in api:
            return self._logged(api[route[1]])
        return _json(404, {"code": 404, "data": {"errors": [{"code": 404, "message": "Not found."}]}})

    def _logged(self, answer: Callable[[], SandboxResponse]) -> SandboxResponse:
        """Log the request's arrival; answer 429 when the rate limit's last second is full."""
        with self._log_lock:
            now = self._clock()
            recent = sum(1 for at, status in self._requests if now - at < 1.0 and status != 429)
            limited = self._per_second is not None and recent >= self._per_second
            self._requests.append((now, 429 if limited else 0))
            index = len(self._requests) - 1
        response = _json(429, _error(429, "Request frequency exceeds the limit.")) if limited else answer()
        with self._log_lock:
            self._requests[index] = (now, response.status)
        return response

    def _set_quota(self, body: bytes) -> SandboxResponse:
        quota = load_json(body)
        if not isinstance(quota, dict) or not isinstance(quota.get("total"), int):
            return _json(400, {"error": 'expected {"total": N, "used": M}'})
        self._state.write(_QUOTA, {"total": quota["total"], "used": int(quota.get("used", 0))})
        return SandboxResponse(204, {}, b"")

    def _set_rate_limit(self, body: bytes) -> SandboxResponse:
        limit = load_json(body)
        if not isinstance(limit, dict) or not (
            limit.get("per_second") is None or isinstance(limit["per_second"], int)
        ):
            return _json(400, {"error": 'expected {"per_second": N} (null: no limit)'})
        self._per_second = limit["per_second"]
        return SandboxResponse(204, {}, b"")

    def _quota_state(self) -> dict[str, int]:
        quota = self._state.read(_QUOTA)
        return quota if isinstance(quota, dict) else {"total": DEFAULT_QUOTA, "used": 0}

    def _quota(self, request: SandboxRequest) -> SandboxResponse:
        if request.headers.get("17token") != self._api_key:
            return _json(401, _error(INVALID_KEY, "Invalid security key."))
        quota = self._quota_state()
        remaining = max(quota["total"] - quota["used"], 0)
        data = {"quota_total": quota["total"], "quota_used": quota["used"], "quota_remain": remaining}
        return _json(200, {"code": 0, "data": data})

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
        quota = self._quota_state()
        if quota["used"] >= quota["total"]:
            rejected.append(_rejected(number, QUOTA_EXHAUSTED, "The quota is exhausted."))
            return
        self._state.write(_QUOTA, {"total": quota["total"], "used": quota["used"] + 1})
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
