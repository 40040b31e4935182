"""Sign a body as its sender would: the demo, the tests and the sample events all sign through here.

There is one signing implementation per sender, its own ``sign`` beside its ``verify`` in
``trackguard.sources``; this module only finds the sender and its secret (by default the dev secrets in
``local/secrets.json``, in the shape of the production secret).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from trackguard.secrets import SecretDocument
from trackguard.sources.registry import sender

DEV_SECRETS_FILE = Path(__file__).resolve().parents[2] / "local" / "secrets.json"


@cache
def dev_secret_document() -> Mapping[str, Any]:
    document: Mapping[str, Any] = json.loads(DEV_SECRETS_FILE.read_text(encoding="utf-8"))
    return document


def source_of_route(route: str) -> str:
    """``tiktok-shop`` (its URL path) is the source ``tiktok_shop``; carrier routes are their names."""
    return route.replace("-", "_")


def sign(
    source: str, body: bytes, now: datetime, document: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """The headers ``source`` would send with ``body`` at ``now``, keyed with its current secret."""
    found = sender(source)
    secret = SecretDocument(document or dev_secret_document()).section(source, found.secret_model)
    if secret is None:
        raise ValueError(f"the secret document has no usable {source} section")
    return found.sign(body, secret, now)
