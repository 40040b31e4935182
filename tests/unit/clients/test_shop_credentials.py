from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import pytest
from moto import mock_aws
from pydantic import SecretStr

from trackguard.clients.shop_credentials import ShopCredentialStore, ShopTokenRecord, UnknownShopError

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

PREFIX = "trackguard/shop-tokens/"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def secretsmanager(monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretsManagerClient]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", raising=False)
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(secretsmanager: SecretsManagerClient, clock: Clock) -> ShopCredentialStore:
    return ShopCredentialStore(PREFIX, secretsmanager, clock=clock)


def record(token: str = "ROW_access-1") -> ShopTokenRecord:
    return ShopTokenRecord(
        shop_cipher="ROW_cipher",
        access_token=SecretStr(token),
        refresh_token=SecretStr("ROW_refresh-1"),
        access_token_expire_in=1_700_600_000,
        refresh_token_expire_in=1_731_000_000,
        version=3,
    )


def test_put_creates_one_secret_per_shop(
    store: ShopCredentialStore, secretsmanager: SecretsManagerClient
) -> None:
    store.put("7494049642642441621", record())
    stored = json.loads(
        secretsmanager.get_secret_value(SecretId=PREFIX + "7494049642642441621")["SecretString"]
    )
    assert stored == {
        "shop_cipher": "ROW_cipher",
        "access_token": "ROW_access-1",
        "refresh_token": "ROW_refresh-1",
        "access_token_expire_in": 1_700_600_000,
        "refresh_token_expire_in": 1_731_000_000,
        "version": 3,
    }


def test_credentials_come_back_for_the_client(
    store: ShopCredentialStore, secretsmanager: SecretsManagerClient, clock: Clock
) -> None:
    store.put("shop-1", record())
    fresh = ShopCredentialStore(PREFIX, secretsmanager, clock=clock)
    credentials = fresh.credentials("shop-1")
    assert (credentials.shop_id, credentials.shop_cipher) == ("shop-1", "ROW_cipher")
    assert credentials.access_token.get_secret_value() == "ROW_access-1"


def test_put_replaces_an_existing_secret(
    store: ShopCredentialStore, secretsmanager: SecretsManagerClient
) -> None:
    store.put("shop-1", record("first"))
    store.put("shop-1", record("second"))
    stored = json.loads(secretsmanager.get_secret_value(SecretId=PREFIX + "shop-1")["SecretString"])
    assert stored["access_token"] == "second"
    assert store.get("shop-1").access_token.get_secret_value() == "second"


def test_reads_are_cached_for_five_minutes(
    store: ShopCredentialStore, secretsmanager: SecretsManagerClient, clock: Clock
) -> None:
    secretsmanager.create_secret(Name=PREFIX + "shop-2", SecretString=record("old").to_secret_string())
    assert store.get("shop-2").access_token.get_secret_value() == "old"
    secretsmanager.put_secret_value(SecretId=PREFIX + "shop-2", SecretString=record("new").to_secret_string())
    clock.now += 299
    assert store.get("shop-2").access_token.get_secret_value() == "old"
    clock.now += 2
    assert store.get("shop-2").access_token.get_secret_value() == "new"


def test_forget_drops_the_cached_record(
    store: ShopCredentialStore, secretsmanager: SecretsManagerClient
) -> None:
    secretsmanager.create_secret(Name=PREFIX + "shop-3", SecretString=record("old").to_secret_string())
    store.get("shop-3")
    secretsmanager.put_secret_value(SecretId=PREFIX + "shop-3", SecretString=record("new").to_secret_string())
    store.forget("shop-3")
    assert store.get("shop-3").access_token.get_secret_value() == "new"


def test_an_unknown_shop(store: ShopCredentialStore) -> None:
    with pytest.raises(UnknownShopError):
        store.get("never-authorized")


def test_tokens_never_print(store: ShopCredentialStore) -> None:
    store.put("shop-1", record())
    printed = f"{store.get('shop-1')!r} {store.credentials('shop-1')!r}"
    assert "ROW_access-1" not in printed
    assert "ROW_refresh-1" not in printed


def test_optional_fields_may_be_absent(
    store: ShopCredentialStore, secretsmanager: SecretsManagerClient
) -> None:
    secretsmanager.create_secret(
        Name=PREFIX + "shop-4", SecretString=json.dumps({"shop_cipher": "c", "access_token": "t"})
    )
    loaded = store.get("shop-4")
    assert loaded.refresh_token is None
    assert loaded.access_token_expire_in is None
    assert loaded.version == 0


def test_fresh_reads_past_the_cache(store: ShopCredentialStore, secretsmanager: SecretsManagerClient) -> None:
    """A refresher must start from the stored refresh token, not one another process replaced."""
    secretsmanager.create_secret(Name=PREFIX + "shop-5", SecretString=record("old").to_secret_string())
    store.get("shop-5")
    secretsmanager.put_secret_value(SecretId=PREFIX + "shop-5", SecretString=record("new").to_secret_string())

    assert store.fresh("shop-5").access_token.get_secret_value() == "new"
    assert store.get("shop-5").access_token.get_secret_value() == "new"


def test_delete_erases_the_secret_at_once_and_the_cache(
    store: ShopCredentialStore, secretsmanager: SecretsManagerClient
) -> None:
    store.put("shop-6", record())

    store.delete("shop-6")
    store.delete("shop-6")

    with pytest.raises(UnknownShopError):
        store.get("shop-6")
    names = [
        entry["Name"] for entry in secretsmanager.list_secrets(IncludePlannedDeletion=True)["SecretList"]
    ]
    assert PREFIX + "shop-6" not in names
    store.put("shop-6", record("after"))
    assert store.fresh("shop-6").access_token.get_secret_value() == "after"
