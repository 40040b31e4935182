"""What every sandbox keeps: JSON documents under its state folder (so they survive a restart), and the
faults a test injects with ``PUT /_faults`` ``{"status": 429|500, "count": N}``."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

FAULT_STATUSES = (429, 500)
_FAULTS = "faults.json"


class SandboxState:
    def __init__(self, root: Path, *folders: str) -> None:
        self.root = root
        self.lock = threading.RLock()
        for folder in ("", *folders):
            (root / folder).mkdir(parents=True, exist_ok=True)

    def read(self, name: str) -> Any:
        path = self.root / name
        return json.loads(path.read_text()) if path.exists() else None

    def write(self, name: str, document: Any) -> None:
        """Atomically: a reader never sees half a document."""
        path = self.root / name
        temporary = path.with_suffix(".tmp")
        with self.lock:
            temporary.write_text(json.dumps(document))
            temporary.replace(path)

    def remove(self, name: str) -> None:
        (self.root / name).unlink(missing_ok=True)

    def set_faults(self, body: bytes) -> dict[str, int] | None:
        """Store the faults a body asks for; None when it is not ``{"status": 429|500, "count": N}``."""
        fault = load_json(body)
        if not isinstance(fault, dict) or fault.get("status") not in FAULT_STATUSES:
            return None
        faults = {"status": int(fault["status"]), "count": int(fault.get("count", 1))}
        self.write(_FAULTS, faults)
        return faults

    def take_fault(self) -> int | None:
        """The status the next request must fail with, if a fault is pending (and count it used)."""
        with self.lock:
            fault = self.read(_FAULTS)
            if not isinstance(fault, dict) or int(fault.get("count", 0)) <= 0:
                return None
            self.write(_FAULTS, {"status": fault["status"], "count": int(fault["count"]) - 1})
            return int(fault["status"])


def load_json(body: bytes) -> Any:
    """The body as JSON, or None when it is not JSON."""
    try:
        return json.loads(body or b"null")
    except ValueError:
        return None
