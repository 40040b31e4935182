"""Connecting TikTok shops: the authorisation link with a signed state, and the callback (CONTRACT §2).

The state is ``{expires}.{nonce}.{mac}``: ``mac`` is base64url HMAC-SHA256 over the service id, the
expiry and the nonce, keyed with a key derived from the app's ``tiktok_shop.app_secret``
(HMAC-SHA256(app_secret, "trackguard/tiktok-shop/oauth-state/v1")). Why that key: both ends that need it
(`trackguard shops connect` and the callback) already hold the app secret, so no new secret has to be
provisioned or rotated, and deriving a key under its own label means a state can never be mistaken for
any other value signed with the app secret (webhook signatures, API request signatures). The current
secret signs; during a rotation a state signed with the previous one is still accepted, so links handed
out just before the switch keep working for their 30 minutes (as long as TikTok's code lives).

The callback checks the state, exchanges the code, reads the authorised shops, and only then stores
anything: the tokens (Secrets Manager), each shop's connection, and a seller for each new shop.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlencode

from pydantic import SecretStr

from trackguard.clients.tiktok_auth import TikTokAuthError, TikTokAuthRefusedError, TokenGrant
from trackguard.clients.tiktok_shop import AuthorizedShop, TikTokShopError
from trackguard.domain.orders import Platform
from trackguard.domain.sellers import SELLER_ID_PATTERN
from trackguard.domain.shop_connections import (
    ConnectionState,
    ShopConnection,
    refresh_time,
    refresh_token_ending,
)
from trackguard.observability import logger
from trackguard.services.reauthorization import ReauthorizationFlags
from trackguard.services.sellers import SellerService
from trackguard.services.tiktok_tokens import token_record
from trackguard.storage.sellers import SellerExistsError
from trackguard.storage.store import Store

if TYPE_CHECKING:
    from trackguard.clients.shop_credentials import ShopTokenRecord
    from trackguard.settings import TikTokAuthorizationSettings

STATE_LIFETIME = timedelta(minutes=30)
_STATE_KEY_LABEL = b"trackguard/tiktok-shop/oauth-state/v1"
_STATE_PATTERN = re.compile(
    r"^(?P<expires>[0-9]{1,12})\.(?P<nonce>[A-Za-z0-9_-]{16,64})\.(?P<mac>[A-Za-z0-9_-]{43})$"
)
_SHOP_ID_PATTERN = re.compile(SELLER_ID_PATTERN)
DENIED_ERRORS = frozenset({"access_denied", "auth_denied"})
_ERROR_PATTERN = re.compile(r"^[a-z_]{1,40}$")


class CallbackRefusedError(Exception):
    """The callback cannot connect anything: its HTTP status and a reason a seller can read."""

    def __init__(self, status: int, title: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.title = title
        self.reason = reason


@dataclass(frozen=True)
class ConnectedShop:
    """A shop the authorisation connected; ``api_key`` only for a newly registered seller (shown once)."""

    shop_id: str
    name: str
    region: str
    api_key: str | None


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _state_mac(app_secret: SecretStr, service_id: str, expires: str, nonce: str) -> str:
    key = hmac.new(app_secret.get_secret_value().encode(), _STATE_KEY_LABEL, hashlib.sha256).digest()
    message = f"{service_id}\n{expires}\n{nonce}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign_state(
    app_secret: SecretStr, service_id: str, now: datetime, lifetime: timedelta = STATE_LIFETIME
) -> str:
    """A fresh state for one authorisation link, valid for ``lifetime``."""
    expires = str(int((now + lifetime).timestamp()))
    nonce = secrets.token_urlsafe(18)
    return f"{expires}.{nonce}.{_state_mac(app_secret, service_id, expires, nonce)}"


def check_state(app_secrets: Sequence[SecretStr], service_id: str, state: str | None, now: datetime) -> None:
    """Raise CallbackRefusedError (400) unless trackguard signed ``state`` for this app and it is fresh.

    ``app_secrets`` is the rotation: the current secret, then the previous one while it is still given.
    """
    shape = _STATE_PATTERN.match(state or "")
    if shape is None:
        raise CallbackRefusedError(
            400, "This link is not valid", "the authorisation did not carry trackguard's state"
        )
    signed = [_state_mac(secret, service_id, shape["expires"], shape["nonce"]) for secret in app_secrets]
    if not any(hmac.compare_digest(expected, shape["mac"]) for expected in signed):
        raise CallbackRefusedError(400, "This link is not valid", "the state was not signed by trackguard")
    if int(shape["expires"]) < now.timestamp():
        raise CallbackRefusedError(
            400, "This link has expired", "the authorisation link is over 30 minutes old"
        )


def authorization_link(authorize_url: str, service_id: str, state: str) -> str:
    """TikTok's authorisation page for this app (``service_id`` is the app id, not the app key)."""
    return f"{authorize_url}?{urlencode({'service_id': service_id, 'state': state})}"


class CodeExchange(Protocol):
    def exchange_code(self, auth_code: str) -> TokenGrant: ...


class AuthorizedShops(Protocol):
    def get_authorized_shops(self, access_token: SecretStr) -> list[AuthorizedShop]: ...


class TokenWriter(Protocol):
    def put(self, shop_id: str, record: ShopTokenRecord) -> None: ...


class ParkedReleaser(Protocol):
    def release(self, seller_id: str) -> int: ...


class TikTokConnector:
    def __init__(
        self,
        *,
        store: Store,
        tokens: TokenWriter,
        parked: ParkedReleaser,
        auth: CodeExchange,
        shops: AuthorizedShops,
        app_secrets: Sequence[SecretStr],
        service_id: str,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._store = store
        self._tokens = tokens
        self._parked = parked
        self._auth = auth
        self._shops = shops
        self._app_secrets = tuple(app_secrets)
        self._service_id = service_id
        self._now = now
        self._sellers = SellerService(store.sellers, now=now)
        self._flags = ReauthorizationFlags(store)

    def complete(self, query: Mapping[str, str]) -> list[ConnectedShop]:
        """What TikTok's redirect asks for, or CallbackRefusedError; a refusal stores nothing."""
        now = self._now()
        if not self._service_id:
            logger.error("TIKTOK_SHOP_SERVICE_ID is not set: no authorisation can be checked")
            raise CallbackRefusedError(503, "Not available yet", "trackguard's TikTok Shop app is not set up")
        check_state(self._app_secrets, self._service_id, query.get("state"), now)
        error = query.get("error")
        if error:
            title = "Authorisation declined" if error in DENIED_ERRORS else "TikTok Shop did not authorise"
            named = error if _ERROR_PATTERN.match(error) else "an error"  # echo only what looks like a code
            raise CallbackRefusedError(403, title, f"TikTok Shop answered {named}: nothing was connected")
        code = query.get("code")
        if not code or code == "null":
            raise CallbackRefusedError(
                400, "This link is not valid", "TikTok Shop's redirect carried no code"
            )
        grant, shops = self._authorized(code)
        connected = [self._connect(shop, grant, shops, now) for shop in shops]
        for shop in shops:
            released = self._parked.release(shop.id)
            logger.info("TikTok shop connected", shop_id=shop.id, parked_deliveries_released=released)
        return connected

    def _authorized(self, code: str) -> tuple[TokenGrant, list[AuthorizedShop]]:
        try:
            grant = self._auth.exchange_code(code)
            shops = self._shops.get_authorized_shops(grant.access_token)
        except TikTokAuthRefusedError as error:
            raise CallbackRefusedError(
                502, "TikTok Shop refused the authorisation", f"TikTok Shop refused the code ({error})"
            ) from error
        except (TikTokAuthError, TikTokShopError) as error:
            logger.warning("TikTok authorisation could not be completed", reason=str(error))
            raise CallbackRefusedError(
                502, "TikTok Shop could not be reached", "TikTok Shop did not answer as expected; try again"
            ) from error
        if not shops:
            raise CallbackRefusedError(
                502, "No shop was authorised", "the authorisation covers no TikTok shop"
            )
        unreadable = [shop.id for shop in shops if not _SHOP_ID_PATTERN.match(shop.id)]
        if unreadable:
            raise CallbackRefusedError(
                502, "TikTok Shop answered oddly", "TikTok Shop named a shop id trackguard cannot use"
            )
        return grant, sorted(shops, key=lambda shop: shop.id)

    def _connect(
        self, shop: AuthorizedShop, grant: TokenGrant, shops: list[AuthorizedShop], now: datetime
    ) -> ConnectedShop:
        """Tokens first, then the connection, then the seller: a shop never looks connected without tokens."""
        owner = shops[0].id
        previous = self._store.connections.get(shop.id, consistent=True)
        version = (previous.token_version if previous else 0) + 1
        self._tokens.put(shop.id, token_record(shop.cipher, grant, version))
        access_expires = datetime.fromtimestamp(grant.access_token_expires_at, UTC)
        refresh_expires = datetime.fromtimestamp(grant.refresh_token_expires_at, UTC)
        self._store.connections.connect(
            ShopConnection(
                shop_id=shop.id,
                state=ConnectionState.CONNECTED,
                changed_at=now,
                shop_name=shop.name,
                region=shop.region,
                seller_type=shop.seller_type,
                connected_at=now,
                access_token_expires_at=access_expires,
                refresh_token_expires_at=refresh_expires,
                refresh_at=refresh_time(now, access_expires) if shop.id == owner else None,
                token_version=version,
                open_id=grant.open_id,
                token_owner=None if shop.id == owner else owner,
                covered_shops=tuple(each.id for each in shops) if shop.id == owner else (),
            )
        )
        api_key = self._register(shop.id)
        self._flags.resolve(shop.id, now)
        if refresh_token_ending(refresh_expires, now):
            message = (
                f"TikTok Shop granted trackguard access to shop {shop.id} only until "
                f"{refresh_expires.date().isoformat()}: authorise again for longer."
            )
            self._flags.raise_needed(shop.id, message, {"source": "authorization_duration"}, now)
        logger.info("TikTok shop connected", shop_id=shop.id, new_seller=api_key is not None)
        return ConnectedShop(shop_id=shop.id, name=shop.name, region=shop.region, api_key=api_key)

    def _register(self, shop_id: str) -> str | None:
        try:
            return self._sellers.register(shop_id, Platform.TIKTOK_SHOP).api_key
        except SellerExistsError:
            return None


def build_connector(settings: TikTokAuthorizationSettings | None = None) -> TikTokConnector:
    """The callback's connector as deployed, with its AWS and TikTok clients."""
    from trackguard.clients.http import RetryingHttp, shared_client
    from trackguard.clients.shop_credentials import ShopCredentialStore
    from trackguard.clients.tiktok_auth import CALLBACK_RETRY_POLICY, TikTokAuthClient
    from trackguard.clients.tiktok_shop import TikTokShopClient
    from trackguard.messaging import MessageQueue
    from trackguard.services.parking import ParkedDeliveries
    from trackguard.services.tiktok_tokens import tiktok_app
    from trackguard.settings import TikTokAuthorizationSettings

    settings = settings or TikTokAuthorizationSettings.from_environ()
    app = tiktok_app(settings.webhook_secrets_id)
    auth_http = RetryingHttp(shared_client(settings.tiktok_shop_auth_base_url), CALLBACK_RETRY_POLICY)
    api_http = RetryingHttp(shared_client(settings.tiktok_shop_api_base_url), CALLBACK_RETRY_POLICY)
    store = Store.for_table_name(settings.table_name, settings.due_index_shards)
    return TikTokConnector(
        store=store,
        tokens=ShopCredentialStore(settings.shop_tokens_secret_prefix),
        parked=ParkedDeliveries(store.deliveries, MessageQueue(settings.processing_queue_url)),
        auth=TikTokAuthClient(settings.tiktok_shop_auth_base_url, app.app_key, app.app_secret[0], auth_http),
        shops=TikTokShopClient(settings.tiktok_shop_api_base_url, app.app_key, app.app_secret[0], api_http),
        app_secrets=app.app_secret,
        service_id=settings.tiktok_shop_service_id,
    )
