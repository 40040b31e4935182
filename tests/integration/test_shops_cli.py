"""`trackguard shops`: `set-token` stores a TikTok shop's credentials and re-authorizes the shop; `connect`
prints a signed authorisation link; `list` shows each shop's state and expiries."""

from __future__ import annotations

import argparse
import io
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from pydantic import SecretStr

from tests.support.builders import T0
from trackguard.clients.shop_credentials import ShopCredentialStore
from trackguard.domain.shop_connections import ConnectionState, ShopConnection
from trackguard.services.tiktok_authorization import check_state
from trackguard.settings import SettingsError
from trackguard.storage.dynamo import Table, dynamodb_client
from trackguard.storage.store import Store
from trackguard_dev.cli import shops as shops_cli
from trackguard_dev.local.dynamodb_local import DynamoDBLocal

pytestmark = pytest.mark.integration
APP_SECRET = "dev-tiktok-app-secret-for-cli"


@pytest.fixture(autouse=True)
def environment(
    dynamodb_local: DynamoDBLocal, moto_endpoint: str, table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "TABLE_NAME": table.name,
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_local.endpoint_url,
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": moto_endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "SHOP_TOKENS_SECRET_PREFIX": f"trackguard-test/{table.name}/",
    }.items():
        monkeypatch.setenv(name, value)
    dynamodb_client.reset()


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="trackguard")
    shops_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def test_the_token_is_stored_and_never_printed(table: Table, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        "shops", "set-token", "7494049642642441621", "--shop-cipher", "ROW_abc", "--access-token", "tok-123"
    )

    credentials = ShopCredentialStore(f"trackguard-test/{table.name}/").credentials("7494049642642441621")
    assert code == 0
    assert (credentials.shop_cipher, credentials.access_token.get_secret_value()) == ("ROW_abc", "tok-123")
    assert "tok-123" not in capsys.readouterr().out


def test_a_deauthorized_shop_is_authorized_again(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.sellers.set_shop_authorized("shop-9", False, T0)
    monkeypatch.setattr("sys.stdin", io.StringIO("tok-from-stdin\n"))

    assert run("shops", "set-token", "shop-9", "--shop-cipher", "c", "--access-token", "-") == 0
    assert store.sellers.shop_authorized("shop-9") is True


def test_an_empty_token_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))

    assert run("shops", "set-token", "shop-9", "--shop-cipher", "c", "--access-token", "-") == 2


def test_connect_prints_the_authorisation_link_with_a_state_the_callback_accepts(
    table: Table, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_id = f"trackguard-test/{table.name}/webhook-secrets"
    boto3.client("secretsmanager", endpoint_url=moto_endpoint).create_secret(
        Name=secret_id, SecretString=json.dumps({"tiktok_shop": {"app_key": "key", "app_secret": APP_SECRET}})
    )
    monkeypatch.setenv("WEBHOOK_SECRETS_ID", secret_id)
    monkeypatch.setenv("TIKTOK_SHOP_SERVICE_ID", "7310000000000000001")

    assert run("shops", "connect") == 0

    link = urlsplit(capsys.readouterr().out.strip())
    query = parse_qs(link.query)
    assert f"{link.scheme}://{link.netloc}{link.path}" == "https://services.tiktokshop.com/open/authorize"
    assert query["service_id"] == ["7310000000000000001"]
    check_state((SecretStr(APP_SECRET),), "7310000000000000001", query["state"][0], datetime.now(UTC))


def test_connect_names_what_it_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_SECRETS_ID", "trackguard/webhook-secrets")

    with pytest.raises(SettingsError, match="AuthorizationLinkSettings: TIKTOK_SHOP_SERVICE_ID not set"):
        run("shops", "connect")


def test_list_shows_each_shops_state_and_expiries(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    expires = T0 + timedelta(days=7)
    store.connections.connect(
        ShopConnection(
            shop_id="7494049642642441621",
            state=ConnectionState.CONNECTED,
            changed_at=T0,
            access_token_expires_at=expires,
            refresh_token_expires_at=T0 + timedelta(days=365),
            refresh_at=T0 + timedelta(days=3),
        )
    )
    assert run("shops", "set-token", "7494049642642441622", "--shop-cipher", "c", "--access-token", "t") == 0
    store.connections.deauthorize("7494049642642441622", "type 6", T0)
    capsys.readouterr()

    assert run("shops", "list") == 0

    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert rows == [
        [
            "7494049642642441621",
            "connected",
            T0.isoformat(),
            expires.isoformat(),
            "2027-11-02T09:00:00+00:00",
            "-",
        ],
        ["7494049642642441622", "deauthorized", T0.isoformat(), "-", "-", "-"],
    ]
