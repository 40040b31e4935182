"""The dev secrets (local/secrets.json) as each sender's own secret model."""

from __future__ import annotations

from typing import Any

from trackguard.secrets import SecretDocument
from trackguard.sources.registry import sender
from trackguard_dev.signing import dev_secret_document


def dev_secret(source: str) -> Any:
    """The sender's section of the dev secret document, validated by the sender's model."""
    found = sender(source)
    secret = SecretDocument(dev_secret_document()).section(source, found.secret_model)
    assert secret is not None, f"local/secrets.json has no usable {source} section"
    return secret
