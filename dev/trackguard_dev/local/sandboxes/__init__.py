"""Fake third-party APIs served by the local stack under a path prefix.

A sandbox module offers a factory ``create(state_dir, secrets) -> Sandbox``; ``SANDBOXES`` maps a prefix
to ``"module:factory"``, imported on first use so that a missing module only leaves its prefix unserved.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

TIKTOK_SHOP_PREFIX = "/_sandbox/tiktok-shop"
SANDBOXES: dict[str, str] = {
    TIKTOK_SHOP_PREFIX: "trackguard_dev.local.sandboxes.tiktok_shop:create",
    "/_sandbox/17track": "trackguard_dev.local.sandboxes.seventeen_track:create",
    "/_docs": "trackguard_dev.local.sandboxes.api_docs:create",
}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SandboxRequest:
    """``path`` is relative to the sandbox's prefix; header names are lower-case."""

    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class SandboxResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class Sandbox(Protocol):
    def handle(self, request: SandboxRequest) -> SandboxResponse: ...


SandboxFactory = Callable[[Path, Mapping[str, Any]], Sandbox]


def load_factory(reference: str) -> SandboxFactory | None:
    """The factory named ``"module:attribute"``, or None (logged) when its module is not there."""
    module_name, _, attribute = reference.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        log.warning("sandbox %s is not installed: its prefix is not served", module_name)
        return None
    return cast(SandboxFactory, getattr(module, attribute))
