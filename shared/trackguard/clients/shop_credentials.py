"""Per-shop TikTok Shop access tokens, one Secrets Manager secret per shop (encrypted at rest by KMS).

The secret ``{prefix}{shop_id}`` holds ``{"shop_cipher", "access_token", "refresh_token"?,
"access_token_expire_in"?, "refresh_token_expire_in"?, "version"}`` (the expiries are epoch seconds, as
TikTok gives them; ``version`` counts the tokens stored, so a refresher can tell whether another one
already replaced the token it saw). Reads are cached for five minutes per process; a write replaces the
cached value at once. Tokens stay ``SecretStr`` in memory, so they never reach a log line.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, SecretStr

from trackguard.clients.tiktok_shop import ShopCredentials

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

CACHE_SECONDS = 300.0


class UnknownShopError(LookupError):
    """No token is stored for this shop (never authorized, or deauthorized)."""


class ShopTokenRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    shop_cipher: str
    access_token: SecretStr
    refresh_token: SecretStr | None = None
    access_token_expire_in: int | None = None
    refresh_token_expire_in: int | None = None
    version: int = 0

    def to_secret_string(self) -> str:
        document: dict[str, object] = {
            "shop_cipher": self.shop_cipher,
            "access_token": self.access_token.get_secret_value(),
            "version": self.version,
        }
        if self.refresh_token is not None:
            document["refresh_token"] = self.refresh_token.get_secret_value()
        if self.access_token_expire_in is not None:
            document["access_token_expire_in"] = self.access_token_expire_in
        if self.refresh_token_expire_in is not None:
            document["refresh_token_expire_in"] = self.refresh_token_expire_in
        return json.dumps(document)


class ShopCredentialStore:
    def __init__(
        self,
        prefix: str,
        client: SecretsManagerClient | None = None,
        cache_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._prefix = prefix
        self._client = client or _secrets_manager()
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._cache: dict[str, tuple[float, ShopTokenRecord]] = {}

    def credentials(self, shop_id: str) -> ShopCredentials:
        record = self.get(shop_id)
        return ShopCredentials(
            shop_id=shop_id, shop_cipher=record.shop_cipher, access_token=record.access_token
        )

    def get(self, shop_id: str) -> ShopTokenRecord:
        cached = self._cache.get(shop_id)
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        record = self._read(shop_id)
        self._remember(shop_id, record)
        return record

    def put(self, shop_id: str, record: ShopTokenRecord) -> None:
        name = self._name(shop_id)
        try:
            self._client.put_secret_value(SecretId=name, SecretString=record.to_secret_string())
        except self._client.exceptions.ResourceNotFoundException:
            self._client.create_secret(
                Name=name,
                SecretString=record.to_secret_string(),
                Description=f"TikTok Shop access token of shop {shop_id}",
            )
        self._remember(shop_id, record)

    def forget(self, shop_id: str) -> None:
        """Drop the cached record (e.g. after TikTok refused its token)."""
        self._cache.pop(shop_id, None)

    def fresh(self, shop_id: str) -> ShopTokenRecord:
        """The stored record, not the cached one: what a refresher must start from."""
        self.forget(shop_id)
        return self.get(shop_id)

    def delete(self, shop_id: str) -> None:
        """Erase the shop's tokens at once (no recovery window): the seller withdrew its authorisation."""
        self.forget(shop_id)
        try:
            self._client.delete_secret(SecretId=self._name(shop_id), ForceDeleteWithoutRecovery=True)
        except self._client.exceptions.ResourceNotFoundException:
            return

    def _read(self, shop_id: str) -> ShopTokenRecord:
        try:
            secret = self._client.get_secret_value(SecretId=self._name(shop_id))
        except self._client.exceptions.ResourceNotFoundException as error:
            raise UnknownShopError(shop_id) from error
        return ShopTokenRecord.model_validate_json(secret["SecretString"])

    def _remember(self, shop_id: str, record: ShopTokenRecord) -> None:
        self._cache[shop_id] = (self._clock() + self._cache_seconds, record)

    def _name(self, shop_id: str) -> str:
        return f"{self._prefix}{shop_id}"


def _secrets_manager() -> SecretsManagerClient:
    import boto3

    return boto3.client("secretsmanager")
