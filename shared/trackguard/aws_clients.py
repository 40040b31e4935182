"""boto3 clients: each is created on its first use, not during init, then kept for the process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache, update_wrapper
from typing import Generic, TypeVar

ClientT = TypeVar("ClientT")


class created_once(Generic[ClientT]):  # noqa: N801 (used as a decorator, like functools.cache)
    """The client ``factory`` makes, created by the first call and reused by every later one.

    Creation is locked: a function's first requests may come from several threads, and boto3 does not
    create clients from its default session safely in parallel.
    """

    def __init__(self, factory: Callable[[], ClientT]) -> None:
        self._lock = threading.Lock()
        self._created = cache(factory)
        update_wrapper(self, factory)

    def __call__(self) -> ClientT:
        with self._lock:
            return self._created()

    def cache_clear(self) -> None:
        """Forget the client, so the next call creates one from the current environment."""
        with self._lock:
            self._created.cache_clear()
