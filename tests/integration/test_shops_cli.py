"""`trackguard shops set-token` stores a TikTok shop's credentials and re-authorizes the shop."""

from __future__ import annotations

import argparse
import io

import pytest

from tests.support.builders import T0
from trackguard.clients.shop_credentials import ShopCredentialStore
from trackguard.storage.dynamo import Table, dynamodb_client
from trackguard.storage.store import Store
from trackguard_dev.cli import shops as shops_cli
from trackguard_dev.local.dynamodb_local import DynamoDBLocal

pytestmark = pytest.mark.integration


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
