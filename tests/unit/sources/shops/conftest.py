from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trackguard.secrets import WebhookSecrets

SAMPLES = Path("/work/shared/reference/samples/tiktok-shop")
DEV_SECRETS = Path(__file__).resolve().parents[4] / "local" / "secrets.json"


@pytest.fixture(scope="session")
def secrets() -> WebhookSecrets:
    return WebhookSecrets.model_validate(json.loads(DEV_SECRETS.read_text()))


def tiktok_sample(name: str) -> dict[str, Any]:
    """A TikTok SDK sample (skips when the shared reference is absent)."""
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    document: dict[str, Any] = json.loads(path.read_text())
    return document
