"""A daemon thread that polls an AWS source until stopped (queue and stream consumers)."""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod

from botocore.exceptions import BotoCoreError, ClientError

log = logging.getLogger(__name__)


class PollingThread(ABC):
    """Calls `poll_once` in a loop; waits `idle_seconds` after a round with nothing to do and
    `error_seconds` after a failed one, so a stopped service is not hammered."""

    def __init__(self, name: str, idle_seconds: float, error_seconds: float, join_seconds: float) -> None:
        self._idle_seconds = idle_seconds
        self._error_seconds = error_seconds
        self._join_seconds = join_seconds
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()

    def join(self) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout=self._join_seconds)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def pause(self, seconds: float) -> None:
        """Wait, unless the thread is being stopped."""
        self._stopping.wait(seconds)

    @abstractmethod
    def poll_once(self) -> bool:
        """One round; True when it found work."""

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                busy = self.poll_once()
            except (BotoCoreError, ClientError) as error:
                if not self._stopping.is_set():
                    log.warning("%s failed: %s", self._thread.name, error)
                self._stopping.wait(self._error_seconds)
                continue
            if not busy:
                self._stopping.wait(self._idle_seconds)
