"""A TikTok shop's authorisation over its life: the seller-level REAUTHORIZATION_NEEDED flag, TikTok's
warning that an authorisation is about to expire (webhook type 7), and its withdrawal (type 6).

The flag belongs to the seller, not to an order (CONTRACT §4); one is open at a time (its guard decides),
TikTok's daily repeat of type 7 raises nothing new, and it resolves only when the seller authorises again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from trackguard.domain.flags import Evidence, Flag, new_flag_id
from trackguard.domain.status import FlagCode, Severity
from trackguard.observability import logger
from trackguard.services.judging import RESOLUTIONS
from trackguard.storage.store import Store

DEAUTHORIZED_REASON = "the seller withdrew trackguard's authorisation in TikTok Shop (webhook type 6)"
REFRESH_FAILURE_SOURCE = "token_refresh"
RECOVERED = "trackguard renewed its access to the shop: the refresh works again."


class TokenEraser(Protocol):
    def delete(self, shop_id: str) -> None: ...


class ReauthorizationFlags:
    def __init__(self, store: Store) -> None:
        self._store = store

    def raise_needed(self, shop_id: str, message: str, evidence: Evidence, at: datetime) -> Flag | None:
        """Mark the shop and raise its flag; None when the shop is not connected or a flag is already open."""
        if not self._store.connections.need_reauthorization(shop_id, message, at):
            logger.info("reauthorization not flagged: the shop is not connected", shop_id=shop_id)
            return None
        flag = Flag(
            flag_id=new_flag_id(),
            seller_id=shop_id,
            code=FlagCode.REAUTHORIZATION_NEEDED,
            severity=Severity.HIGH,
            detected_at=at,
            message=message,
            evidence=evidence,
        )
        return flag if self._store.flags.raise_flag(flag) else None

    def resolve(self, shop_id: str, at: datetime) -> Flag | None:
        """Close the open flag after the seller authorised again; None when none was open."""
        flag = self._store.flags.open_seller_flag(shop_id, FlagCode.REAUTHORIZATION_NEEDED)
        if flag is None:
            return None
        return self._store.flags.resolve(flag, at, RESOLUTIONS[FlagCode.REAUTHORIZATION_NEEDED])

    def recovered(self, shop_id: str, at: datetime) -> Flag | None:
        """After a successful refresh: close the flag a failed refresh raised, and only that one."""
        flag = self._store.flags.open_seller_flag(shop_id, FlagCode.REAUTHORIZATION_NEEDED)
        if flag is None or flag.evidence.get("source") != REFRESH_FAILURE_SOURCE:
            return None
        self._store.connections.reconnected(shop_id, at)
        return self._store.flags.resolve(flag, at, RECOVERED)


class ShopLifecycle:
    """What TikTok's lifecycle webhooks change for a shop."""

    def __init__(self, store: Store, tokens: TokenEraser) -> None:
        self._store = store
        self._tokens = tokens
        self._flags = ReauthorizationFlags(store)

    def authorization_expiring(self, shop_id: str, expiration_time: int | None, at: datetime) -> Flag | None:
        """Type 7: TikTok warns (30 days ahead, then daily) that the seller's authorisation will lapse."""
        when = datetime.fromtimestamp(expiration_time, at.tzinfo) if expiration_time else None
        ending = f"on {when.date().isoformat()}" if when else "soon"
        message = (
            f"TikTok Shop says trackguard's authorisation for shop {shop_id} expires {ending}: "
            "after that its orders can no longer be checked."
        )
        evidence: Evidence = {"source": "tiktok_webhook_type_7", "expiration_time": expiration_time}
        return self._flags.raise_needed(shop_id, message, evidence, at)

    def deauthorized(self, shop_id: str, at: datetime) -> None:
        """Type 6: stop fetching, judging, refreshing and reporting, and erase the tokens at once.

        The shop's orders, flags and statistics stay, as docs/data-retention.md says; the state is
        recorded before the tokens go, so no worker picks up a shop whose tokens are half erased.
        """
        self._store.connections.deauthorize(shop_id, DEAUTHORIZED_REASON, at)
        self._tokens.delete(shop_id)
        logger.info("shop deauthorized: tokens erased", shop_id=shop_id)
