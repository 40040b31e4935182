from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path("/work/shared/reference/samples/tiktok-shop")


def tiktok_sample(name: str) -> dict[str, Any]:
    """A TikTok SDK sample (skips when the shared reference is absent)."""
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    document: dict[str, Any] = json.loads(path.read_text())
    return document
