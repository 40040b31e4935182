"""Boot `trackguard local up` as a subprocess in its own process group and wait until it answers.

The e2e and the slow reliability suites share these stacks (their fixtures import them from here).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from trackguard_dev.local.dynamodb_local import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_TEMPLATE = PROJECT_ROOT / "tests" / "e2e" / "fixtures" / "app" / "template.yaml"
REAL_TEMPLATE = PROJECT_ROOT / "template.yaml"
BOOT_TIMEOUT_SECONDS = 120
TRACKGUARD = str(Path(sys.executable).parent / "trackguard")


@dataclass
class Stack:
    process: subprocess.Popen[bytes]
    url: str
    state_dir: Path
    log_path: Path
    seconds_to_ready: float

    @property
    def stack_file(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads((self.state_dir / "stack.json").read_text())
        return document

    def env(self) -> dict[str, str]:
        return {**os.environ, "TRACKGUARD_STATE_DIR": str(self.state_dir)}

    def signal(self, number: int) -> None:
        os.killpg(self.process.pid, number)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def boot_stack(template: Path, state_dir: Path, ready_path: str) -> Stack:
    """Start the stack; ready when ``ready_path`` answers anything but a connection error."""
    port = free_port()
    log_path = state_dir.parent / f"{state_dir.name}-stack.log"
    env = {
        **os.environ,
        "PORT": str(port),
        "TRACKGUARD_STATE_DIR": str(state_dir),
    }
    env.pop("AWS_ENDPOINT_URL", None)
    env.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [TRACKGUARD, "local", "up", "--template", str(template)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=PROJECT_ROOT,
        )
    stack = Stack(process, f"http://127.0.0.1:{port}", state_dir, log_path, 0.0)
    deadline = started + BOOT_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the stack exited with {process.returncode}:\n{log_path.read_text()}")
        if _answers(stack.url + ready_path):
            stack.seconds_to_ready = time.monotonic() - started
            return stack
        time.sleep(0.1)
    stack.stop()
    raise AssertionError(f"the stack did not answer in {BOOT_TIMEOUT_SECONDS} s:\n{log_path.read_text()}")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def fixture_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = boot_stack(FIXTURE_TEMPLATE, tmp_path_factory.mktemp("fixture") / "state", "/hello/ready")
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def real_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not REAL_TEMPLATE.exists():
        pytest.skip("template.yaml is not written yet")
    stack = boot_stack(REAL_TEMPLATE, tmp_path_factory.mktemp("real") / "state", "/health")
    yield stack
    stack.stop()
