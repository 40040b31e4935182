"""Warm function instances: one subprocess each (see runtime.py), pooled per function."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from trackguard_dev.local.config import Endpoints
from trackguard_dev.local.meter import METER_DIR_VARIABLE
from trackguard_dev.local.model import FunctionSpec
from trackguard_dev.local.template import REGION

INIT_TIMEOUT_SECONDS = 30.0
STOP_GRACE_SECONDS = 3.0
MAX_WORKERS_PER_FUNCTION = 4
PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "HOME", "SYSTEMROOT", "TMPDIR", METER_DIR_VARIABLE)


@dataclass(frozen=True)
class Invocation:
    """A finished invocation: the handler's return value, or Lambda's error payload when not ``ok``."""

    ok: bool
    payload: Any


def function_environment(spec: FunctionSpec, endpoints: Endpoints) -> dict[str, str]:
    """Exactly the function's template environment plus what Lambda and the local services add."""
    inherited = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    return {
        **inherited,
        **spec.environment,
        "AWS_ENDPOINT_URL": endpoints.aws,
        "AWS_ENDPOINT_URL_DYNAMODB": endpoints.dynamodb,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": f"local/{spec.logical_id}",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "PYTHONUNBUFFERED": "1",
        "TZ": "UTC",
    }


class Worker:
    """One function instance. Not thread-safe: the pool hands it to one caller at a time."""

    def __init__(self, spec: FunctionSpec, environment: dict[str, str]) -> None:
        self.spec = spec
        requests_read, requests_write = os.pipe()
        responses_read, responses_write = os.pipe()
        layer_args = [argument for path in spec.layer_dirs for argument in ("--layer-dir", str(path))]
        command = [sys.executable, "-m", "trackguard_dev.local.runtime", "--code-dir", str(spec.code_dir)]
        command += ["--handler", spec.handler, *layer_args]
        command += ["--requests", str(requests_read), "--responses", str(responses_write)]
        self.process = subprocess.Popen(
            command, env=environment, pass_fds=(requests_read, responses_write), stdin=subprocess.DEVNULL
        )
        os.close(requests_read)
        os.close(responses_write)
        self._requests = os.fdopen(requests_write, "wb")
        self._responses = responses_read
        self._buffer = bytearray()
        self._init_error: Invocation | None = None
        self._ready = False

    @property
    def alive(self) -> bool:
        return self.process.poll() is None and self._init_error is None

    def wait_until_ready(self) -> None:
        """Finish the cold start (importing the handler) if it has not finished yet."""
        if not self._ready:
            self._await_init()

    def invoke(self, event: Any) -> Invocation:
        self.wait_until_ready()
        if self._init_error is not None:
            return self._init_error
        deadline = time.monotonic() + self.spec.timeout_seconds
        request = {
            "event": event,
            "request_id": str(uuid.uuid4()),
            "invoked_function_arn": self.spec.arn,
            "deadline_ms": int((time.time() + self.spec.timeout_seconds) * 1000),
        }
        try:
            self._requests.write(json.dumps(request).encode() + b"\n")
            self._requests.flush()
        except BrokenPipeError:
            return _failure("Runtime.ExitError", "the function's process exited")
        line = self._read_line(deadline)
        if line is None:
            return self._timed_out()
        answer = json.loads(line)
        return Invocation(ok=bool(answer["ok"]), payload=answer["payload"])

    def stop(self) -> None:
        """Closing the requests pipe ends the runtime's loop; a stuck one is killed."""
        if self._requests.closed:
            return
        self._requests.close()
        try:
            self.process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._responses)

    def _await_init(self) -> None:
        line = self._read_line(time.monotonic() + INIT_TIMEOUT_SECONDS)
        if line is None:
            self.process.kill()
            self._init_error = _failure("Runtime.InitError", "the function did not initialise in time")
            return
        answer = json.loads(line)
        if not answer.get("ready"):
            self._init_error = Invocation(ok=False, payload=answer["payload"])
        self._ready = True

    def _timed_out(self) -> Invocation:
        if self.process.poll() is not None:
            return _failure("Runtime.ExitError", f"the function's process exited ({self.process.returncode})")
        self.process.kill()
        self.process.wait()
        return _failure("Sandbox.Timedout", f"Task timed out after {self.spec.timeout_seconds:.2f} seconds")

    def _read_line(self, deadline: float) -> bytes | None:
        """One line from the runtime, or None at the deadline or when the runtime has gone."""
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            readable, _, _ = select.select([self._responses], [], [], remaining)
            if readable:
                chunk = os.read(self._responses, 65536)
                if not chunk:
                    return None
                self._buffer += chunk
        line, _, rest = bytes(self._buffer).partition(b"\n")
        self._buffer = bytearray(rest)
        return line


def _failure(error_type: str, message: str) -> Invocation:
    return Invocation(ok=False, payload={"errorType": error_type, "errorMessage": message})


class FunctionPool:
    """Up to ``max_workers`` warm instances of one function; a new one starts when all are busy."""

    def __init__(
        self, spec: FunctionSpec, environment: dict[str, str], max_workers: int = MAX_WORKERS_PER_FUNCTION
    ) -> None:
        self.spec = spec
        self._environment = environment
        self._max_workers = max_workers
        self._idle: list[Worker] = []
        self._workers: set[Worker] = set()
        self._changed = threading.Condition()
        self._stopped = False

    def warm(self) -> None:
        """Start one instance and wait for its cold start, so that the first invocation finds it ready."""
        with self._changed:
            if self._workers or self._stopped:
                return
            worker = Worker(self.spec, self._environment)
            self._workers.add(worker)
        worker.wait_until_ready()
        self._release(worker)

    def invoke(self, event: Any) -> Invocation:
        worker = self._acquire()
        try:
            return worker.invoke(event)
        finally:
            self._release(worker)

    def pids(self) -> list[int]:
        with self._changed:
            return [worker.process.pid for worker in self._workers]

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            workers = list(self._workers)
            self._workers.clear()
            self._idle.clear()
            self._changed.notify_all()
        for worker in workers:
            worker.stop()

    def _acquire(self) -> Worker:
        with self._changed:
            while True:
                if self._stopped:
                    raise RuntimeError("the stack is stopping")
                if self._idle:
                    return self._idle.pop()
                if len(self._workers) < self._max_workers:
                    worker = Worker(self.spec, self._environment)
                    self._workers.add(worker)
                    return worker
                self._changed.wait()

    def _release(self, worker: Worker) -> None:
        with self._changed:
            if worker.alive and not self._stopped:
                self._idle.append(worker)
            elif worker in self._workers:
                self._workers.discard(worker)
                worker.stop()
            self._changed.notify()
