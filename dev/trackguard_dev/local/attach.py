"""The environment of a running local stack, for commands run beside it (`trackguard sellers`, the demo).

It is what `trackguard local up` gives its functions: every function's template environment with the
stack's endpoints, so a command reaches the same table, queues and secrets as the functions do; and,
for `trackguard shops connect`, TikTok's authorisation page as the stack's TikTok Shop sandbox plays it.
"""

from __future__ import annotations

from pathlib import Path

from trackguard_dev.local.config import LocalConfig
from trackguard_dev.local.model import build_model
from trackguard_dev.local.sandboxes import TIKTOK_SHOP_PREFIX
from trackguard_dev.local.sandboxes.tiktok_shop import AUTHORIZE_PATH
from trackguard_dev.local.stack import RunningStack, stack_resolver
from trackguard_dev.local.workers import function_environment


def stack_environment(state_dir: Path | None = None) -> dict[str, str] | None:
    """The running stack's environment (state in `state_dir`, default `make run`'s), or None."""
    running = RunningStack.read((state_dir or LocalConfig.from_environ().state_dir) / "stack.json")
    if running is None:
        return None
    resolver = stack_resolver(running.template, running.parameters, running.endpoints)
    environment: dict[str, str] = {}
    for spec in build_model(resolver, running.template.parent).functions.values():
        environment |= function_environment(spec, running.endpoints)
    environment.pop("AWS_LAMBDA_FUNCTION_NAME", None)
    environment["TIKTOK_SHOP_AUTHORIZE_URL"] = running.endpoints.api + TIKTOK_SHOP_PREFIX + AUTHORIZE_PATH
    return environment
