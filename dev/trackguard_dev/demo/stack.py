"""Reach a running local stack (`make run`), or start one for the demo and stop it afterwards.

The `trackguard` commands the demo runs (sellers, shops, local invoke) get the stack's environment: every
function's template environment and the stack's endpoints, as `trackguard local up` gives its functions.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from trackguard_dev.local.attach import stack_environment
from trackguard_dev.local.config import PROJECT_ROOT, LocalConfig
from trackguard_dev.local.meter import METER_DIR_VARIABLE
from trackguard_dev.local.stack import RunningStack

BOOT_SECONDS = 180
TRACKGUARD = str(Path(sys.executable).parent / "trackguard")


class StackUnavailableError(RuntimeError):
    pass


@dataclass(frozen=True)
class StackHandle:
    api_url: str
    environment: dict[str, str]
    secrets: dict[str, dict[str, str]]

    def run(self, *arguments: str) -> str:
        """A `trackguard` command against this stack; its standard output, or an error naming its stderr."""
        result = subprocess.run(
            [TRACKGUARD, *arguments],
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise StackUnavailableError(
                f"trackguard {' '.join(arguments[:2])} failed: {result.stderr.strip()}"
            )
        return result.stdout

    def invoke(self, function_id: str, event: dict[str, Any]) -> str:
        """One `trackguard local invoke`; what it printed (the function's logs and result)."""
        return self.run("local", "invoke", function_id, "--input", json.dumps(event))


def handle_for(state_dir: Path) -> StackHandle | None:
    """The stack whose state lives in ``state_dir``, when one runs."""
    running = RunningStack.read(state_dir / "stack.json")
    environment = stack_environment(state_dir)
    if running is None or environment is None:
        return None
    environment |= {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "TRACKGUARD_STATE_DIR": str(state_dir),
        **{name: os.environ[name] for name in (METER_DIR_VARIABLE,) if name in os.environ},
    }
    secrets = json.loads((running.template.parent / "local" / "secrets.json").read_text())
    return StackHandle(running.endpoints.api, environment, secrets)


@contextmanager
def local_stack(state_dir: Path | None = None, port: int | None = None) -> Iterator[StackHandle]:
    """The running stack of ``state_dir`` (default: `make run`'s), else one started here (on ``port``,
    default the configured one) and stopped after."""
    config = LocalConfig.from_environ()
    state = state_dir or config.state_dir
    running = handle_for(state)
    if running is not None:
        yield running
        return
    process = subprocess.Popen(
        [TRACKGUARD, "local", "up"],
        env={**os.environ, "TRACKGUARD_STATE_DIR": str(state), "PORT": str(port or config.port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd=PROJECT_ROOT,
    )
    try:
        yield _wait_until_up(process, state)
    finally:
        _stop(process)


def _wait_until_up(process: subprocess.Popen[bytes], state_dir: Path) -> StackHandle:
    deadline = time.monotonic() + BOOT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackUnavailableError(f"`trackguard local up` exited with {process.returncode}")
        handle = handle_for(state_dir)
        if handle is not None and _healthy(handle.api_url):
            return handle
        time.sleep(0.5)
    raise StackUnavailableError(f"the local stack did not answer /health within {BOOT_SECONDS} s")


def _healthy(api_url: str) -> bool:
    try:
        return httpx.get(f"{api_url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
