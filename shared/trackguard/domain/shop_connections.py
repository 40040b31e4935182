"""A TikTok shop's connection: whether trackguard may act for it, and when its tokens stop working.

The tokens themselves live encrypted in Secrets Manager (``clients/shop_credentials.py``); this record
holds only what can be shown and scheduled: the state, the expiries and when to refresh next.

One authorisation (one seller account, TikTok's ``open_id``) may cover several shops, and its tokens are
the same for all of them. So one shop, the tokens' *owner*, carries the refresh schedule, the version
and the lease for every shop the authorisation covers (``covered_shops``); the others name their owner.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

REAUTHORIZE_BEFORE = timedelta(days=30)  # CONTRACT §4: TikTok's own type 7 warning starts 30 days ahead


class ConnectionState(StrEnum):
    CONNECTED = "connected"
    REAUTHORIZATION_NEEDED = "reauthorization_needed"
    DEAUTHORIZED = "deauthorized"


class ShopConnection(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    shop_id: str
    state: ConnectionState
    changed_at: datetime
    shop_name: str = ""
    region: str = ""
    seller_type: str | None = None
    connected_at: datetime | None = None
    refreshed_at: datetime | None = None
    access_token_expires_at: datetime | None = None
    refresh_token_expires_at: datetime | None = None
    refresh_at: datetime | None = None
    token_version: int = 0
    reason: str | None = None
    open_id: str = ""
    token_owner: str | None = None
    covered_shops: tuple[str, ...] = ()

    @property
    def authorized(self) -> bool:
        """Whether trackguard may still fetch and judge this shop's orders."""
        return self.state is not ConnectionState.DEAUTHORIZED

    @property
    def owner(self) -> str:
        """The shop whose record refreshes this shop's tokens (itself, unless it shares them)."""
        return self.token_owner or self.shop_id


def refresh_time(issued_at: datetime, expires_at: datetime) -> datetime:
    """Refresh at half the access token's life: well before it expires, with time to retry on failure.

    TikTok's tokens live 7 days, so a refresh is due after three and a half; a schedule running every
    hour then has some 80 chances to succeed before the old token stops working.
    """
    return issued_at + max(expires_at - issued_at, timedelta(0)) / 2


def refresh_token_ending(refresh_expires_at: datetime | None, now: datetime) -> bool:
    """The authorisation (the refresh token's life) ends within 30 days: only the seller can renew it."""
    return refresh_expires_at is not None and refresh_expires_at - now <= REAUTHORIZE_BEFORE
