"""`trackguard` commands run beside `make run` reach its stack with no environment set up by hand."""

from __future__ import annotations

import os
import subprocess

import httpx
import pytest

from tests.support.stacks import TRACKGUARD, Stack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_sellers_add_registers_on_the_running_stack_and_its_key_opens_the_api(real_stack: Stack) -> None:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "TABLE_"))
    }
    environment["TRACKGUARD_STATE_DIR"] = str(real_stack.state_dir)

    added = subprocess.run(
        [TRACKGUARD, "sellers", "add", "attach-shop.myshopify.com"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    key = added.stdout.split()[-1]
    answer = httpx.get(
        f"{real_stack.url}/sellers/attach-shop.myshopify.com/flags",
        headers={"authorization": f"Bearer {key}"},
        timeout=30,
    )

    assert added.returncode == 0, added.stderr
    assert answer.status_code == 200
    assert answer.json()["flags"] == []
