"""Build a function's service on its first use, then keep it: the one wiring helper every function uses.

Why on first use. A Lambda function's init (importing its handler module) is paid on every cold start,
before the first request is even read, and only part of it is free. So a handler module imports
Powertools and this helper alone; the service behind it (settings, storage, rules, the pydantic models,
a Secrets Manager read, an HTTP client) is imported and built by the first invocation that needs it, and
kept for the life of the process, so every later invocation reuses it and its connections. A part that
only some invocations need (the shop platforms for a batch of carrier events, the report machinery on an
hour when no seller is due, the 17TRACK poller) is wrapped the same way inside the service, so those
invocations never pay for it.

A build that raises keeps nothing: the error reaches the invocation that asked, and the next use tries
again (a Secrets Manager blip does not poison the process). Building is locked, because a function's
first requests may come from several threads (and boto3 does not create clients from its default session
safely in parallel); once built, a use takes no lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import update_wrapper
from typing import Generic, TypeVar, cast

T = TypeVar("T")

_NOT_BUILT = object()


class on_first_use(Generic[T]):  # noqa: N801 (used as a decorator, like functools.cache)
    """Calling it returns what ``factory`` built on the first call; every later call returns the same."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._built: object = _NOT_BUILT
        update_wrapper(self, factory)

    def __call__(self) -> T:
        built = self._built
        if built is _NOT_BUILT:
            with self._lock:
                if self._built is _NOT_BUILT:
                    self._built = self._factory()
                built = self._built
        return cast("T", built)

    @property
    def is_built(self) -> bool:
        return self._built is not _NOT_BUILT

    def reset(self) -> None:
        """Forget what was built, so the next call builds again (from the current environment)."""
        with self._lock:
            self._built = _NOT_BUILT
