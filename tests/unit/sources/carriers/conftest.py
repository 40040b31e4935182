from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from trackguard.sources.base import RawDelivery

ROOT = Path(__file__).resolve().parents[4]
DEV_SECRETS = json.loads((ROOT / "local" / "secrets.json").read_text())


def body_of(document: Any) -> bytes:
    return json.dumps(document).encode()


def delivery(body: bytes, **headers: str) -> RawDelivery:
    lowered = {name.replace("_", "-").lower(): value for name, value in headers.items()}
    return RawDelivery(headers={"content-type": "application/json", **lowered}, body=body)


def b64_hmac(key: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(key.encode(), message, hashlib.sha256).digest()).decode()


def every_secret_value() -> list[str]:
    return [value for section in DEV_SECRETS.values() for value in section.values()]
