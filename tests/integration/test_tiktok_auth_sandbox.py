"""The sandbox plays TikTok's side of an authorisation, over real HTTP with the project's own clients:
the authorisation page redirects with a single-use code, token get and refresh answer as TikTok's auth
host does, Get Authorized Shops lists the shops, and an expired token is TikTok's 105002."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr

from tests.support.sandbox_server import SandboxServer
from trackguard.clients.http import RetryingHttp, RetryPolicy
from trackguard.clients.tiktok_auth import TikTokAuthClient, TikTokAuthRefusedError
from trackguard.clients.tiktok_shop import (
    ACCESS_TOKEN_EXPIRED,
    ShopCredentials,
    TikTokAccessTokenError,
    TikTokShopClient,
)
from trackguard_dev.local.sandboxes.tiktok_shop import TikTokShopSandbox

pytestmark = pytest.mark.integration

APP_KEY, APP_SECRET = "dev-tiktok-app-key", "dev-tiktok-app-secret"
SHOP_A, SHOP_B = "7494049642642441621", "7494049642642441622"


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(tmp_path: Path, clock: Clock) -> Iterator[SandboxServer]:
    with SandboxServer(TikTokShopSandbox(tmp_path, APP_KEY, APP_SECRET, clock=clock)) as server:
        for shop_id, cipher in ((SHOP_A, "ROW_a"), (SHOP_B, "ROW_b")):
            answer = httpx.put(
                f"{server.url}/shops/{shop_id}", json={"name": f"Shop {shop_id[-1]}", "cipher": cipher}
            )
            assert answer.status_code == 200
        yield server


def http() -> RetryingHttp:
    return RetryingHttp(httpx.Client(), RetryPolicy(attempts=1))


def authorize(sandbox: SandboxServer, shops: str, *extra: str) -> dict[str, list[str]]:
    answer = httpx.get(
        f"{sandbox.url}/oauth/authorize?service_id=731&state=s-1&shop_id={shops}{''.join(extra)}"
    )
    assert answer.status_code == 302
    location = urlsplit(answer.headers["location"])
    assert location.path == "/oauth/tiktok-shop/callback"
    return parse_qs(location.query)


def test_an_approval_gives_a_single_use_code_for_tokens_covering_every_shop(
    sandbox: SandboxServer, clock: Clock
) -> None:
    auth = TikTokAuthClient(sandbox.url, APP_KEY, SecretStr(APP_SECRET), http())
    api = TikTokShopClient(sandbox.url, APP_KEY, SecretStr(APP_SECRET), http(), clock=clock)
    redirect = authorize(sandbox, f"{SHOP_A},{SHOP_B}")

    grant = auth.exchange_code(redirect["code"][0])
    shops = api.get_authorized_shops(grant.access_token)

    assert redirect["state"] == ["s-1"]
    assert grant.access_token_expires_at == int(clock.now) + 7 * 86400
    assert grant.refresh_token_expires_at == int(clock.now) + 365 * 86400
    assert [(shop.id, shop.cipher) for shop in shops] == [(SHOP_A, "ROW_a"), (SHOP_B, "ROW_b")]
    with pytest.raises(TikTokAuthRefusedError):
        auth.exchange_code(redirect["code"][0])


def test_a_refusal_redirects_with_access_denied_and_no_code(sandbox: SandboxServer) -> None:
    redirect = authorize(sandbox, SHOP_A, "&deny=1")

    assert (redirect["error"], redirect["code"], redirect["state"]) == (["access_denied"], ["null"], ["s-1"])


def test_a_refresh_retires_the_old_refresh_token_and_keeps_the_authorisations_end(
    sandbox: SandboxServer, clock: Clock
) -> None:
    auth = TikTokAuthClient(sandbox.url, APP_KEY, SecretStr(APP_SECRET), http())
    first = auth.exchange_code(authorize(sandbox, SHOP_A)["code"][0])
    clock.now += 3600

    second = auth.refresh(first.refresh_token)

    assert second.access_token.get_secret_value() != first.access_token.get_secret_value()
    assert second.access_token_expires_at == int(clock.now) + 7 * 86400
    assert second.refresh_token_expires_at == first.refresh_token_expires_at
    with pytest.raises(TikTokAuthRefusedError):
        auth.refresh(first.refresh_token)


def test_wrong_app_credentials_are_refused(sandbox: SandboxServer) -> None:
    code = authorize(sandbox, SHOP_A)["code"][0]

    with pytest.raises(TikTokAuthRefusedError):
        TikTokAuthClient(sandbox.url, APP_KEY, SecretStr("not-the-app-secret"), http()).exchange_code(code)


def test_a_shortened_token_expires_into_105002(sandbox: SandboxServer, clock: Clock) -> None:
    assert httpx.put(f"{sandbox.url}/settings", json={"access_token_ttl_s": 60}).status_code == 200
    grant = TikTokAuthClient(sandbox.url, APP_KEY, SecretStr(APP_SECRET), http()).exchange_code(
        authorize(sandbox, SHOP_A)["code"][0]
    )
    api = TikTokShopClient(sandbox.url, APP_KEY, SecretStr(APP_SECRET), http(), clock=clock)
    shop = ShopCredentials(shop_id=SHOP_A, shop_cipher="ROW_a", access_token=grant.access_token)

    assert api.get_orders(shop, ["576461413038785752"]) == []
    clock.now += 61
    with pytest.raises(TikTokAccessTokenError) as expired:
        api.get_orders(shop, ["576461413038785752"])

    assert grant.access_token_expires_at == int(clock.now) - 1
    assert expired.value.code == ACCESS_TOKEN_EXPIRED


def test_settings_and_shops_refuse_what_they_cannot_use(sandbox: SandboxServer) -> None:
    assert httpx.put(f"{sandbox.url}/settings", json={"access_token_ttl_s": 0}).status_code == 400
    assert httpx.put(f"{sandbox.url}/settings", json={"lifetime": 5}).status_code == 400
    assert httpx.put(f"{sandbox.url}/shops/not-a-number", json={"cipher": "c"}).status_code == 400
    assert httpx.get(f"{sandbox.url}/oauth/authorize?service_id=731&state=s&shop_id=1").status_code == 404
