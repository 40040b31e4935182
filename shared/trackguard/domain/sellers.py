"""Sellers, identified by their shop id on their platform, and their API keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

API_KEY_PREFIX = "tg_"
SELLER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"


class KeyStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


class Seller(BaseModel):
    """The report-webhook secret itself is in Secrets Manager (``SellerSecrets``), never in the table.

    ``active`` is False from a Shopify ``app/uninstalled`` until the app is installed again: the
    seller's deliveries are then parked, nothing of it is judged and no report is sent."""

    model_config = ConfigDict(frozen=True)

    seller_id: str = Field(pattern=SELLER_ID_PATTERN)
    platform: str
    created_at: datetime
    email: str | None = None
    webhook_url: str | None = None
    webhook_secret_set: bool = False
    timezone: str = "UTC"
    report_hour: int = Field(default=8, ge=0, le=23)
    active: bool = True
    deactivated_at: datetime | None = None


class ApiKey(BaseModel):
    """What is stored of a key: never the key itself, only its hash and a short id to name it by."""

    model_config = ConfigDict(frozen=True)

    key_id: str
    seller_id: str
    key_hash: str
    status: KeyStatus = KeyStatus.ACTIVE
    created_at: datetime
    revoked_at: datetime | None = None


def new_api_key() -> tuple[str, str]:
    """A fresh key and its id: ``tg_<id>_<secret>``. The key is shown once and stored only as a hash."""
    key_id = secrets.token_hex(4)
    return f"{API_KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}", key_id


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()
