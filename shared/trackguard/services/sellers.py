"""Sellers: registration, API keys (issue, rotate, revoke, authenticate) and delivery settings.

A key is ``tg_<key_id>_<secret>``: shown once when issued, stored only as its SHA-256, so the
authorizer finds it with one GetItem. A seller may hold several keys; rotating issues a new one and
leaves the old ones working until they are revoked. A seller's report-webhook secret is kept in Secrets
Manager (encrypted by KMS, out of the authorizer's reach); the profile only says that one is set.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from trackguard.domain.sellers import ApiKey, KeyStatus, Seller, hash_api_key, new_api_key
from trackguard.errors import InvalidSettingError, NotFoundError
from trackguard.storage.sellers import SellerNotFoundError, SellerRepository
from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from trackguard.domain.orders import Platform
    from trackguard.domain.reports import ReportRecord
    from trackguard.settings import Settings

WEBHOOK_SECRET_PREFIX = "whsec_"  # noqa: S105 (the scheme's prefix, not a secret)
_WEBHOOK_SECRET_BYTES = 32
_WEBHOOK_SECRET_SIZES = range(24, 65)
_API_KEY_PATTERN = re.compile(r"^tg_(?P<key_id>[0-9a-f]{8})_[A-Za-z0-9_-]{32,128}$")
_EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_SHOPIFY_DOMAIN_SUFFIX = ".myshopify.com"


class KeyNotFoundError(NotFoundError):
    """The seller has no API key with that id."""


@dataclass(frozen=True)
class IssuedKey:
    """A freshly issued key: ``api_key`` exists only here, never in storage or logs."""

    seller_id: str
    key_id: str
    api_key: str


@dataclass(frozen=True)
class SellerChanges:
    email: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    new_webhook_secret: bool = False
    timezone: str | None = None
    report_hour: int | None = None


@dataclass(frozen=True)
class Configured:
    seller: Seller
    generated_webhook_secret: str | None


def _utc_now() -> datetime:
    return datetime.now(UTC)


class LatestReports(Protocol):
    def latest(self, seller_id: str) -> ReportRecord | None:
        """The seller's newest report record."""
        ...


@dataclass(frozen=True)
class SellerStatus:
    seller: Seller
    last_report: ReportRecord | None


class SecretValues(Protocol):
    def put(self, owner: str, value: str, description: str) -> None: ...

    def get(self, owner: str) -> str | None: ...


class SellerSecrets:
    """Sellers' report-webhook secrets, one Secrets Manager secret per seller."""

    def __init__(self, store: SecretValues) -> None:
        self._store = store

    @classmethod
    def in_secrets_manager(cls, prefix: str) -> SellerSecrets:
        """As deployed: one Secrets Manager secret per seller, ``{prefix}{seller_id}``."""
        from trackguard.clients.secret_store import SecretStore

        return cls(SecretStore(prefix))

    def set_webhook_secret(self, seller_id: str, secret: str) -> None:
        self._store.put(seller_id, secret, f"trackguard report-webhook secret of seller {seller_id}")

    def webhook_secret(self, seller: Seller) -> str | None:
        return self._store.get(seller.seller_id) if seller.webhook_secret_set else None


class SellerService:
    def __init__(
        self,
        sellers: SellerRepository,
        secrets: SellerSecrets | None = None,
        now: Callable[[], datetime] = _utc_now,
        reports: LatestReports | None = None,
    ) -> None:
        """``secrets`` keeps report-webhook secrets; a service without it (the TikTok callback, which only
        registers shops) refuses to set one."""
        self._sellers = sellers
        self._secrets = secrets
        self._now = now
        self._reports = reports

    def status(self, seller_id: str) -> SellerStatus:
        """The seller's settings and its latest report with every delivery attempt (operators' view)."""
        seller = self._require(seller_id)
        return SellerStatus(seller, self._reports.latest(seller_id) if self._reports else None)

    def register(
        self,
        seller_id: str,
        platform: Platform | None = None,
        email: str | None = None,
        webhook_url: str | None = None,
    ) -> IssuedKey:
        """Create the seller and its first API key. Raises SellerExistsError when already registered."""
        try:
            seller = Seller(
                seller_id=seller_id,
                platform=(platform or guess_platform(seller_id)).value,
                created_at=self._now(),
                email=checked_email(email) if email is not None else None,
                webhook_url=checked_webhook_url(webhook_url) if webhook_url is not None else None,
            )
        except ValidationError as error:
            raise InvalidSettingError(f"seller id {seller_id!r} is not a valid shop id") from error
        self._sellers.create(seller)
        return self._issue_key(seller_id)

    def sellers(self) -> list[Seller]:
        return self._sellers.all()

    def keys(self, seller_id: str) -> list[ApiKey]:
        return self._sellers.keys_of(seller_id)

    def rotate_key(self, seller_id: str) -> IssuedKey:
        """Issue another key; the seller's existing keys keep working until revoked."""
        self._require(seller_id)
        return self._issue_key(seller_id)

    def revoke_key(self, seller_id: str, key_id: str) -> ApiKey:
        """Revoke one key (at once: the authorizer reads the key's status on every request)."""
        self._require(seller_id)
        for api_key in self._sellers.keys_of(seller_id):
            if api_key.key_id != key_id:
                continue
            if api_key.status is KeyStatus.REVOKED:
                return api_key
            revoked_at = self._now()
            self._sellers.revoke_key(api_key, revoked_at)
            return api_key.model_copy(update={"status": KeyStatus.REVOKED, "revoked_at": revoked_at})
        raise KeyNotFoundError(f"seller {seller_id} has no key {key_id}")

    def configure(self, seller_id: str, changes: SellerChanges) -> Configured:
        values, generated = _validated_changes(changes)
        if not values:
            return Configured(self._require(seller_id), None)
        secret = values.pop("webhook_secret", None)
        if secret is not None:
            self._require(seller_id)
            self._secret_store().set_webhook_secret(seller_id, secret)
            values["webhook_secret_set"] = True
        return Configured(self._sellers.update(seller_id, values), generated)

    def _secret_store(self) -> SellerSecrets:
        if self._secrets is None:
            raise InvalidSettingError("report-webhook secrets cannot be stored from here")
        return self._secrets

    def move_webhook_secrets(self) -> list[str]:
        """Move report-webhook secrets still kept in profiles (written before this change) to Secrets
        Manager, then drop them from the table; returns the sellers moved. Running it again moves none."""
        moved = []
        for seller_id, secret in sorted(self._sellers.plaintext_webhook_secrets().items()):
            self._secret_store().set_webhook_secret(seller_id, secret)
            self._sellers.drop_plaintext_webhook_secret(seller_id)
            moved.append(seller_id)
        return moved

    def _require(self, seller_id: str) -> Seller:
        seller = self._sellers.get(seller_id)
        if seller is None:
            raise SellerNotFoundError(f"no seller {seller_id}")
        return seller

    def _issue_key(self, seller_id: str) -> IssuedKey:
        api_key, key_id = new_api_key()
        self._sellers.add_key(
            ApiKey(key_id=key_id, seller_id=seller_id, key_hash=hash_api_key(api_key), created_at=self._now())
        )
        return IssuedKey(seller_id=seller_id, key_id=key_id, api_key=api_key)


def guess_platform(seller_id: str) -> Platform:
    """Shopify shops are named by their ``*.myshopify.com`` domain; TikTok shop ids are numbers.

    Imported here: the authorizer shares this module and must not build the order models at init."""
    from trackguard.domain.orders import Platform

    return Platform.SHOPIFY if seller_id.lower().endswith(_SHOPIFY_DOMAIN_SUFFIX) else Platform.TIKTOK_SHOP


def new_webhook_secret() -> str:
    """A Standard Webhooks signing secret: ``whsec_`` and base64 of random bytes."""
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(secrets.token_bytes(_WEBHOOK_SECRET_BYTES)).decode()


def checked_email(email: str) -> str:
    if not _EMAIL_PATTERN.match(email):
        raise InvalidSettingError(f"{email!r} is not an e-mail address")
    return email


def checked_webhook_url(url: str) -> str:
    """HTTPS only; plain HTTP is allowed to a loopback host, for the local stack."""
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    local = parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS
    if not parts.hostname or not (secure or local):
        raise InvalidSettingError(f"{url!r} is not an https:// URL")
    return url


def checked_webhook_secret(secret: str) -> str:
    encoded = secret.removeprefix(WEBHOOK_SECRET_PREFIX)
    try:
        size = len(base64.b64decode(encoded, validate=True))
    except binascii.Error:
        size = 0
    if not secret.startswith(WEBHOOK_SECRET_PREFIX) or size not in _WEBHOOK_SECRET_SIZES:
        raise InvalidSettingError("a webhook secret is whsec_ followed by base64 of 24 to 64 bytes")
    return secret


def checked_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidSettingError(f"{name!r} is not an IANA time zone") from error
    return name


def checked_report_hour(hour: int) -> int:
    if not 0 <= hour <= 23:
        raise InvalidSettingError(f"report hour {hour} is not between 0 and 23")
    return hour


def _validated_changes(changes: SellerChanges) -> tuple[dict[str, Any], str | None]:
    if changes.webhook_secret is not None and changes.new_webhook_secret:
        raise InvalidSettingError("give a webhook secret or ask for a new one, not both")
    values: dict[str, Any] = {}
    if changes.email is not None:
        values["email"] = checked_email(changes.email)
    if changes.webhook_url is not None:
        values["webhook_url"] = checked_webhook_url(changes.webhook_url)
    if changes.webhook_secret is not None:
        values["webhook_secret"] = checked_webhook_secret(changes.webhook_secret)
    generated = new_webhook_secret() if changes.new_webhook_secret else None
    if generated is not None:
        values["webhook_secret"] = generated
    if changes.timezone is not None:
        values["timezone"] = checked_timezone(changes.timezone)
    if changes.report_hour is not None:
        values["report_hour"] = checked_report_hour(changes.report_hour)
    return values, generated


class KeyRefusal(StrEnum):
    MISSING = "missing_key"
    MALFORMED = "malformed_key"
    UNKNOWN = "unknown_key"
    REVOKED = "revoked_key"


REFUSAL_MESSAGES = {
    KeyRefusal.MISSING: "send the seller API key as Authorization: Bearer <key>",
    KeyRefusal.MALFORMED: "the Authorization header does not hold a trackguard API key",
    KeyRefusal.UNKNOWN: "the API key is not valid",
    KeyRefusal.REVOKED: "the API key has been revoked",
}


@dataclass(frozen=True)
class Caller:
    seller_id: str
    key_id: str


class KeyFinder(Protocol):
    def find_key(self, key_hash: str) -> ApiKey | None: ...


def bearer_token(headers: Mapping[str, str] | None) -> str | None:
    for name, value in (headers or {}).items():
        if name.lower() == "authorization":
            scheme, _, token = value.strip().partition(" ")
            return token.strip() if scheme.lower() == "bearer" else ""
    return None


def authenticate(token: str | None, keys: KeyFinder) -> Caller | KeyRefusal:
    """Who holds this key, or why it opens nothing. Malformed keys are refused without a read."""
    if token is None:
        return KeyRefusal.MISSING
    shape = _API_KEY_PATTERN.match(token)
    if shape is None:
        return KeyRefusal.MALFORMED
    api_key = keys.find_key(hash_api_key(token))
    if api_key is None or api_key.key_id != shape["key_id"]:
        return KeyRefusal.UNKNOWN
    if api_key.status is not KeyStatus.ACTIVE:
        return KeyRefusal.REVOKED
    return Caller(seller_id=api_key.seller_id, key_id=api_key.key_id)


def authorizer_answer(headers: Mapping[str, str] | None, keys: KeyFinder) -> dict[str, Any]:
    """The HTTP API simple response: every request passes, carrying who the caller is or why not.

    API Gateway can only answer 403 to ``isAuthorized: false``; passing the refusal on lets the
    seller API answer the contract's 401 in its own JSON error shape.
    """
    verdict = authenticate(bearer_token(headers), keys)
    if isinstance(verdict, KeyRefusal):
        return {"isAuthorized": True, "context": {"refusal": verdict.value}}
    return {"isAuthorized": True, "context": {"seller_id": verdict.seller_id, "key_id": verdict.key_id}}


def caller_from_context(context: Mapping[str, Any] | None) -> Caller | KeyRefusal:
    """Read the authorizer's verdict back; no verdict at all (no authorizer ran) opens nothing."""
    context = context or {}
    seller_id, key_id = context.get("seller_id"), context.get("key_id")
    if isinstance(seller_id, str) and isinstance(key_id, str) and seller_id and key_id:
        return Caller(seller_id=seller_id, key_id=key_id)
    refusal = context.get("refusal")
    return KeyRefusal(refusal) if refusal in set(KeyRefusal) else KeyRefusal.MISSING


class Authorizer:
    """The seller authorizer; its key store is built by the first request (trackguard.wiring)."""

    def __init__(self, build_keys: Callable[[], KeyFinder]) -> None:
        self._keys = on_first_use(build_keys)

    def answer(self, event: Mapping[str, Any]) -> dict[str, Any]:
        return authorizer_answer(event.get("headers"), self._keys())


def build_key_finder(settings: Settings | None = None) -> KeyFinder:
    """The authorizer's key store as deployed: the seller repository of the table."""
    from trackguard.settings import Settings
    from trackguard.storage.dynamo import Table

    return SellerRepository(Table((settings or Settings.from_environ()).table_name))
