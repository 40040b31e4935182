"""The environment of a running local stack, for commands run beside it (`trackguard sellers`, the demo).

It is what `trackguard local up` gives its functions: every function's template environment with the
stack's endpoints, so a command reaches the same table, queues and secrets as the functions do; and the
stack's Lambda API, the table's stream and the queue URLs of the template's Outputs (``ProcessingDLQUrl``
as ``PROCESSING_DLQ_URL``), which `trackguard replay --dlq` re-drives through, as an operator sets them
from a deployed stack's Outputs; and, for `trackguard shops connect`, TikTok's authorisation page as
the stack's TikTok Shop sandbox plays it.
"""

from __future__ import annotations

import re
from pathlib import Path

from trackguard_dev.local.config import LocalConfig
from trackguard_dev.local.model import build_model
from trackguard_dev.local.sandboxes import TIKTOK_SHOP_PREFIX
from trackguard_dev.local.sandboxes.tiktok_shop import AUTHORIZE_PATH
from trackguard_dev.local.stack import RunningStack, stack_resolver
from trackguard_dev.local.workers import function_environment

QUEUE_OUTPUT_SUFFIXES = ("QueueUrl", "DLQUrl")
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z]|$)|[A-Z][a-z0-9]*")


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
    for output, value in (resolver.template.get("Outputs") or {}).items():
        if output.endswith(QUEUE_OUTPUT_SUFFIXES):
            environment[variable_of(output)] = str(resolver.resolve(value["Value"]))
    environment["AWS_ENDPOINT_URL_LAMBDA"] = running.endpoints.api
    environment["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"] = running.endpoints.dynamodb
    environment["TIKTOK_SHOP_AUTHORIZE_URL"] = running.endpoints.api + TIKTOK_SHOP_PREFIX + AUTHORIZE_PATH
    return environment


def variable_of(output: str) -> str:
    """An Output's name as its environment variable: ``StreamFailureDLQUrl`` → ``STREAM_FAILURE_DLQ_URL``."""
    return "_".join(word.upper() for word in _WORDS.findall(output))
