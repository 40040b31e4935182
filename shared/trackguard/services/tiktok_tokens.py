"""TikTok Shop tokens that refresh themselves (CONTRACT §5).

The refresh schedule reads only the shops due (a sparse index, see docs/data-model.md) and refreshes
each access token at half its life; an API call answered 105002 renews the shop's token on the spot.

Two refreshers never spend one refresh token: each first claims the shop's tokens of the version it
read (a conditional write with a lease). The loser does not refresh; it reads what the winner stored.
The secret is written before the table records the new version, so a crash between the two leaves a
valid refresh token in the secret, and the next refresh (after the lease lapses) starts from it.

A refusal by TikTok, tokens still unrefreshed when they expire (the auth host was unreachable for half
their life), or an authorisation within 30 days of its end raise the seller's REAUTHORIZATION_NEEDED
flag. Every failure counts ``TokenRefreshFailures``. A flag a failed refresh raised resolves itself when
a later refresh succeeds (the outage is over); the others resolve only when the seller authorises again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import SecretStr

from trackguard.clients.shop_credentials import ShopTokenRecord, UnknownShopError
from trackguard.clients.tiktok_auth import TikTokAuthError, TikTokAuthRefusedError, TokenGrant
from trackguard.clients.tiktok_shop import ShopCredentials
from trackguard.domain.flags import Evidence
from trackguard.domain.shop_connections import ShopConnection, refresh_time, refresh_token_ending
from trackguard.observability import logger, metrics
from trackguard.services.reauthorization import REFRESH_FAILURE_SOURCE, ReauthorizationFlags
from trackguard.storage.store import Store

if TYPE_CHECKING:
    from trackguard.settings import TokenRefreshSettings
    from trackguard.sources.shops.tiktok_shop.webhook import Secret as TikTokAppSecret

REFRESH_LEASE = timedelta(minutes=2)
FAILURE_METRIC = "TokenRefreshFailures"

RefreshOutcome = Literal["refreshed", "taken_by_another", "not_connected", "failed"]


class TokenRefreshInProgressError(RuntimeError):
    """Another invocation is refreshing this shop's token right now: try again in a moment."""


class TokenRefreshFailedError(RuntimeError):
    """The shop's token could not be renewed (the seller may need to authorise again)."""


class AuthHost(Protocol):
    def refresh(self, refresh_token: SecretStr) -> TokenGrant: ...


class TokenVault(Protocol):
    def fresh(self, shop_id: str) -> ShopTokenRecord: ...

    def put(self, shop_id: str, record: ShopTokenRecord) -> None: ...


@dataclass(frozen=True)
class RefreshRun:
    outcomes: dict[str, RefreshOutcome] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"shops": dict(sorted(self.outcomes.items()))}


def _utc_now() -> datetime:
    return datetime.now(UTC)


class TokenRefresher:
    def __init__(
        self,
        store: Store,
        vault: TokenVault,
        auth: AuthHost,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._store = store
        self._vault = vault
        self._auth = auth
        self._now = now
        self._flags = ReauthorizationFlags(store)

    def run(self, at: datetime | None = None) -> RefreshRun:
        """Refresh every shop due at ``at`` (default now); one shop's failure does not stop the others."""
        due_at = at or self._now()
        outcomes: dict[str, RefreshOutcome] = {}
        for shop_id in self._store.connections.due_for_refresh(due_at):
            connection = self._store.connections.get(shop_id, consistent=True)
            if connection is None or (connection.refresh_at is not None and connection.refresh_at > due_at):
                continue  # refreshed since the index was read
            try:
                outcomes[shop_id] = self.refresh(connection)
            except Exception:  # one shop's storage or secret trouble must not stop the others
                logger.exception("TikTok Shop token refresh crashed", shop_id=shop_id)
                metrics.add_metric(name=FAILURE_METRIC, unit=MetricUnit.Count, value=1)
                outcomes[shop_id] = "failed"
        return RefreshRun(outcomes)

    def renew(self, expired: ShopCredentials) -> ShopCredentials:
        """A working token for a shop whose token TikTok just called expired (error 105002).

        When another invocation already stored a different token, that one is used without a refresh.
        """
        record = self._vault.fresh(expired.shop_id)
        if record.access_token.get_secret_value() != expired.access_token.get_secret_value():
            return _credentials(expired.shop_id, record)
        shop = self._store.connections.get(expired.shop_id, consistent=True)
        owner = self._store.connections.get(shop.owner, consistent=True) if shop else None
        if shop is None or owner is None or not shop.authorized:
            raise TokenRefreshFailedError(f"shop {expired.shop_id} is not connected")
        outcome = self.refresh(owner)
        if outcome == "taken_by_another":
            raise TokenRefreshInProgressError(f"shop {expired.shop_id}: another invocation is refreshing")
        if outcome != "refreshed":
            raise TokenRefreshFailedError(f"shop {expired.shop_id}: the token could not be refreshed")
        return _credentials(expired.shop_id, self._vault.fresh(expired.shop_id))

    def refresh(self, owner: ShopConnection) -> RefreshOutcome:
        """Refresh ``owner``'s tokens (of its version) for every shop they cover, unless another has them."""
        shop_id, version, now = owner.shop_id, owner.token_version, self._now()
        if not owner.authorized:
            return "not_connected"
        if not self._store.connections.claim_refresh(shop_id, version, now, REFRESH_LEASE):
            return "taken_by_another"
        try:
            record = self._vault.fresh(shop_id)
        except UnknownShopError:
            record = None
        if record is None or record.refresh_token is None:
            self._store.connections.release_refresh(shop_id, version)
            return self._failed(owner, "trackguard holds no refresh token for the shop", refused=True)
        try:
            grant = self._auth.refresh(record.refresh_token)
        except TikTokAuthError as error:
            self._store.connections.release_refresh(shop_id, version)
            gave_up = isinstance(error, TikTokAuthRefusedError) or _expired(owner, now)
            return self._failed(owner, str(error), refused=gave_up)
        self._store_grant(owner, record, grant, now)
        return "refreshed"

    def _store_grant(
        self, owner: ShopConnection, record: ShopTokenRecord, grant: TokenGrant, now: datetime
    ) -> None:
        """Secrets first (every covered shop), then the table: a crash between leaves usable tokens."""
        current = self._store.connections.get(owner.shop_id, consistent=True)
        if current is None or current.token_version != owner.token_version:
            logger.warning(
                "the shop was authorised again while refreshing: kept the new tokens", shop_id=owner.shop_id
            )
            return
        version = max(owner.token_version, record.version) + 1
        access_expires = _time(grant.access_token_expires_at)
        refreshed = owner.model_copy(
            update={
                "token_version": version,
                "access_token_expires_at": access_expires,
                "refresh_token_expires_at": _time(grant.refresh_token_expires_at),
                "refresh_at": refresh_time(now, access_expires),
                "refreshed_at": now,
            }
        )
        sharing = self._sharing(owner)
        self._vault.put(owner.shop_id, token_record(record.shop_cipher, grant, version))
        for shop in sharing:
            cipher = self._vault.fresh(shop.shop_id).shop_cipher
            self._vault.put(shop.shop_id, token_record(cipher, grant, version))
            expiries = refreshed.model_dump(include=_EXPIRIES)
            self._store.connections.record_shared_refresh(shop.model_copy(update=expiries), owner.shop_id)
        self._store.connections.record_refresh(refreshed, owner.token_version)
        logger.info("TikTok Shop token refreshed", shop_id=owner.shop_id, token_version=version)
        self._after_refresh([owner.shop_id, *(shop.shop_id for shop in sharing)], refreshed, now)

    def _after_refresh(self, shop_ids: list[str], refreshed: ShopConnection, now: datetime) -> None:
        """A refresh that works ends an outage's flag; an authorisation near its end raises one."""
        ends = refreshed.refresh_token_expires_at
        for shop_id in shop_ids:
            self._flags.recovered(shop_id, now)
            if ends is not None and refresh_token_ending(ends, now):
                self._flag_ending(shop_id, ends, now)

    def _sharing(self, owner: ShopConnection) -> list[ShopConnection]:
        """The other shops whose tokens are ``owner``'s (a shop reconnected elsewhere has left)."""
        shops = (
            self._store.connections.get(shop_id)
            for shop_id in owner.covered_shops
            if shop_id != owner.shop_id
        )
        return [
            shop for shop in shops if shop is not None and shop.authorized and shop.owner == owner.shop_id
        ]

    def _flag_ending(self, shop_id: str, ends: datetime, now: datetime) -> None:
        message = (
            f"trackguard's authorisation for TikTok shop {shop_id} ends on {ends.date().isoformat()}: "
            "after that its orders can no longer be checked."
        )
        evidence: Evidence = {"source": "refresh_token_expiry", "refresh_token_expires_at": ends.isoformat()}
        self._flags.raise_needed(shop_id, message, evidence, now)

    def _failed(self, owner: ShopConnection, reason: str, refused: bool) -> RefreshOutcome:
        """Count the failure; flag the sellers when waiting cannot help (a refusal, or dead tokens)."""
        metrics.add_metric(name=FAILURE_METRIC, unit=MetricUnit.Count, value=1)
        logger.warning("TikTok Shop token refresh failed", shop_id=owner.shop_id, reason=reason)
        if not refused:
            return "failed"
        evidence: Evidence = {"source": REFRESH_FAILURE_SOURCE, "reason": reason}
        for shop_id in (owner.shop_id, *(shop.shop_id for shop in self._sharing(owner))):
            message = (
                f"trackguard can no longer renew its access to TikTok shop {shop_id}: its orders are "
                "not being checked until the seller authorises trackguard again."
            )
            self._flags.raise_needed(shop_id, message, evidence, self._now())
        return "failed"


_EXPIRIES = {"access_token_expires_at", "refresh_token_expires_at", "refreshed_at"}


def _expired(connection: ShopConnection, now: datetime) -> bool:
    expires = connection.access_token_expires_at
    return expires is not None and expires <= now


def token_record(shop_cipher: str, grant: TokenGrant, version: int) -> ShopTokenRecord:
    """What the shop's secret holds for a grant (after an authorisation or a refresh)."""

    return ShopTokenRecord(
        shop_cipher=shop_cipher,
        access_token=grant.access_token,
        refresh_token=grant.refresh_token,
        access_token_expire_in=grant.access_token_expires_at,
        refresh_token_expire_in=grant.refresh_token_expires_at,
        version=version,
    )


def _credentials(shop_id: str, record: ShopTokenRecord) -> ShopCredentials:
    return ShopCredentials(shop_id=shop_id, shop_cipher=record.shop_cipher, access_token=record.access_token)


def _time(epoch_seconds: int) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, UTC)


def tiktok_app(webhook_secrets_id: str) -> TikTokAppSecret:
    """The app's key and secret (``tiktok_shop`` in the secret document); raises when not configured."""
    from trackguard.errors import UnknownSourceError
    from trackguard.secrets import load_secret_document
    from trackguard.sources.shops import tiktok_shop

    document = load_secret_document(webhook_secrets_id)
    app = document.section(tiktok_shop.NAME, tiktok_shop.SOURCE.secret_model)
    if app is None:
        raise UnknownSourceError.not_configured(tiktok_shop.NAME)
    return app


def build_token_refresher(settings: TokenRefreshSettings | None = None) -> TokenRefresher:
    """The refresher as deployed for the schedule, with its AWS and TikTok clients."""
    from trackguard.clients.shop_credentials import ShopCredentialStore
    from trackguard.clients.tiktok_auth import TikTokAuthClient
    from trackguard.settings import TokenRefreshSettings

    settings = settings or TokenRefreshSettings.from_environ()
    app = tiktok_app(settings.webhook_secrets_id)
    return TokenRefresher(
        store=Store.for_table_name(settings.table_name, settings.due_index_shards),
        vault=ShopCredentialStore(settings.shop_tokens_secret_prefix),
        auth=TikTokAuthClient(settings.tiktok_shop_auth_base_url, app.app_key, app.app_secret[0]),
    )
