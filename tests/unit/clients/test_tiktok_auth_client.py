"""The TikTok auth host client (token get and refresh), and the Open API client's authorisation parts:
Get Authorized Shops and the one renewal and one retry an expired token (105002) gets."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import respx
from pydantic import SecretStr

from trackguard.clients.http import RetryingHttp, RetryPolicy
from trackguard.clients.tiktok_auth import (
    TOKEN_GET_PATH,
    TOKEN_REFRESH_PATH,
    TikTokAuthClient,
    TikTokAuthRefusedError,
    TikTokAuthUnavailableError,
)
from trackguard.clients.tiktok_shop import (
    AUTHORIZED_SHOPS_PATH,
    ORDERS_PATH,
    ShopCredentials,
    TikTokAccessTokenError,
    TikTokShopClient,
)

AUTH = "https://auth.tiktok-shops.test"
API = "https://open-api.tiktokglobalshop.test"
APP_KEY = "6a6xxx-app-key"
APP_SECRET = "4ebxxx-app-secret-value"
NOW = 1_700_000_000
# The documented sample's shape: expiries are epoch seconds (1660556783 → 1691487031 in TikTok's own).
GRANT = {
    "access_token": "ROW_access-new",
    "access_token_expire_in": 1_660_556_783,
    "refresh_token": "ROW_refresh-new",
    "refresh_token_expire_in": 1_691_487_031,
    "open_id": "7010736057180325637",
    "seller_name": "Jjj test shop",
    "seller_base_region": "ID",
    "user_type": 0,
    "granted_scopes": ["seller.order.info"],
}


def http() -> RetryingHttp:
    return RetryingHttp(httpx.Client(), RetryPolicy(attempts=2), sleep=lambda _: None)


def auth_client() -> TikTokAuthClient:
    return TikTokAuthClient(AUTH, APP_KEY, SecretStr(APP_SECRET), http())


def envelope(data: Any, code: int = 0, message: str = "success") -> httpx.Response:
    return httpx.Response(200, json={"code": code, "message": message, "request_id": "r-1", "data": data})


def query_of(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(str(request.url)).query))


class TestTokenGet:
    @respx.mock
    def test_sends_the_four_documented_parameters_unsigned(self) -> None:
        route = respx.get(f"{AUTH}{TOKEN_GET_PATH}").mock(return_value=envelope(GRANT))

        auth_client().exchange_code("TTP_code-1")

        assert query_of(route.calls.last.request) == {
            "app_key": APP_KEY,
            "app_secret": APP_SECRET,
            "auth_code": "TTP_code-1",
            "grant_type": "authorized_code",
        }

    @respx.mock
    def test_reads_the_expiries_as_epoch_timestamps(self) -> None:
        respx.get(f"{AUTH}{TOKEN_GET_PATH}").mock(return_value=envelope(GRANT))

        grant = auth_client().exchange_code("TTP_code-1")

        assert grant.access_token.get_secret_value() == "ROW_access-new"
        assert grant.refresh_token.get_secret_value() == "ROW_refresh-new"
        assert (grant.access_token_expires_at, grant.refresh_token_expires_at) == (
            1_660_556_783,
            1_691_487_031,
        )
        assert (grant.open_id, grant.seller_base_region) == ("7010736057180325637", "ID")
        assert grant.granted_scopes == ("seller.order.info",)

    @respx.mock
    def test_reads_the_older_granted_permissions_name(self) -> None:
        older = {key: value for key, value in GRANT.items() if key != "granted_scopes"}
        respx.get(f"{AUTH}{TOKEN_GET_PATH}").mock(
            return_value=envelope({**older, "granted_permissions": ["SELLER_ORDER_INFO"]})
        )

        assert auth_client().exchange_code("c").granted_scopes == ("SELLER_ORDER_INFO",)

    @respx.mock
    def test_a_refusal_carries_tiktoks_code_and_never_the_secret(self) -> None:
        respx.get(f"{AUTH}{TOKEN_GET_PATH}").mock(return_value=envelope(None, 36004004, "auth code expired"))

        with pytest.raises(TikTokAuthRefusedError) as refused:
            auth_client().exchange_code("TTP_used")

        assert refused.value.code == 36004004
        assert "auth code expired" in str(refused.value)
        assert APP_SECRET not in str(refused.value)

    @respx.mock
    def test_5xx_after_every_retry_is_unavailable(self) -> None:
        route = respx.get(f"{AUTH}{TOKEN_GET_PATH}").mock(return_value=httpx.Response(503))

        with pytest.raises(TikTokAuthUnavailableError) as unavailable:
            auth_client().exchange_code("c")

        assert route.call_count == 2
        assert APP_SECRET not in str(unavailable.value)

    @pytest.mark.parametrize(
        "response",
        [
            httpx.Response(200, text="<html>gateway</html>"),
            httpx.Response(200, json={"message": "no code"}),
            envelope(None),
            envelope({**GRANT, "access_token_expire_in": "soon"}),
        ],
    )
    @respx.mock
    def test_an_answer_that_is_not_tokens_is_unavailable(self, response: httpx.Response) -> None:
        respx.get(f"{AUTH}{TOKEN_GET_PATH}").mock(return_value=response)

        with pytest.raises(TikTokAuthUnavailableError) as unavailable:
            auth_client().exchange_code("c")

        assert "ROW_access-new" not in str(unavailable.value)


class TestTokenRefresh:
    @respx.mock
    def test_sends_the_refresh_token_with_its_grant_type(self) -> None:
        route = respx.get(f"{AUTH}{TOKEN_REFRESH_PATH}").mock(return_value=envelope(GRANT))

        grant = auth_client().refresh(SecretStr("ROW_refresh-old"))

        assert query_of(route.calls.last.request) == {
            "app_key": APP_KEY,
            "app_secret": APP_SECRET,
            "refresh_token": "ROW_refresh-old",
            "grant_type": "refresh_token",
        }
        assert grant.refresh_token.get_secret_value() == "ROW_refresh-new"

    @respx.mock
    def test_a_revoked_refresh_token_is_refused(self) -> None:
        respx.get(f"{AUTH}{TOKEN_REFRESH_PATH}").mock(return_value=envelope(None, 36004004, "invalid"))

        with pytest.raises(TikTokAuthRefusedError):
            auth_client().refresh(SecretStr("ROW_refresh-old"))


SHOP = ShopCredentials(shop_id="7494049642642441621", shop_cipher="ROW_cipher", access_token=SecretStr("old"))


class Renewer:
    def __init__(self) -> None:
        self.renewed: list[str] = []

    def renew(self, expired: ShopCredentials) -> ShopCredentials:
        self.renewed.append(expired.access_token.get_secret_value())
        return expired.model_copy(update={"access_token": SecretStr("new")})


def api_client(renewer: Renewer | None = None) -> TikTokShopClient:
    return TikTokShopClient(API, APP_KEY, SecretStr(APP_SECRET), http(), clock=lambda: NOW, renewer=renewer)


def expired() -> httpx.Response:
    return httpx.Response(
        401, json={"code": 105002, "message": "access token expired", "request_id": "r", "data": None}
    )


def orders(*ids: str) -> httpx.Response:
    items = [{"id": i, "status": "IN_TRANSIT", "create_time": 1, "update_time": 2} for i in ids]
    return envelope({"orders": items})


class TestGetAuthorizedShops:
    @respx.mock
    def test_is_signed_with_the_token_and_carries_no_shop_cipher(self) -> None:
        route = respx.get(f"{API}{AUTHORIZED_SHOPS_PATH}").mock(
            return_value=envelope(
                {
                    "shops": [
                        {
                            "cipher": "GCP_a",
                            "code": "CNGBCBA4LLU8",
                            "id": "7000714532876273420",
                            "name": "A",
                            "region": "GB",
                            "seller_type": "CROSS_BORDER",
                        },
                        {
                            "cipher": "GCP_b",
                            "code": "CNGBCBB",
                            "id": "7000714532876273421",
                            "name": "B",
                            "region": "DE",
                            "seller_type": "CROSS_BORDER",
                        },
                    ]
                }
            )
        )

        shops = api_client().get_authorized_shops(SecretStr("ROW_access-new"))

        request = route.calls.last.request
        assert request.headers["x-tts-access-token"] == "ROW_access-new"
        assert "shop_cipher" not in query_of(request)
        assert {"app_key", "timestamp", "sign"} <= query_of(request).keys()
        assert [(shop.id, shop.cipher, shop.region) for shop in shops] == [
            ("7000714532876273420", "GCP_a", "GB"),
            ("7000714532876273421", "GCP_b", "DE"),
        ]


class TestExpiredToken:
    @respx.mock
    def test_105002_renews_once_and_retries_once_with_the_new_token(self) -> None:
        route = respx.get(f"{API}{ORDERS_PATH}").mock(side_effect=[expired(), orders("1")])
        renewer = Renewer()

        found = api_client(renewer).get_orders(SHOP, ["1"])

        assert [order.id for order in found] == ["1"]
        assert renewer.renewed == ["old"]
        assert [call.request.headers["x-tts-access-token"] for call in route.calls] == ["old", "new"]

    @respx.mock
    def test_a_second_105002_is_not_renewed_again(self) -> None:
        route = respx.get(f"{API}{ORDERS_PATH}").mock(side_effect=[expired(), expired()])
        renewer = Renewer()

        with pytest.raises(TikTokAccessTokenError):
            api_client(renewer).get_orders(SHOP, ["1"])

        assert route.call_count == 2
        assert renewer.renewed == ["old"]

    @respx.mock
    def test_later_batches_use_the_renewed_token(self) -> None:
        route = respx.get(f"{API}{ORDERS_PATH}").mock(side_effect=[expired(), orders(), orders()])

        api_client(Renewer()).get_orders(SHOP, [str(n) for n in range(60)])

        assert [call.request.headers["x-tts-access-token"] for call in route.calls] == ["old", "new", "new"]

    @respx.mock
    def test_an_invalid_token_is_not_renewed(self) -> None:
        respx.get(f"{API}{ORDERS_PATH}").mock(
            return_value=httpx.Response(401, json={"code": 105001, "message": "invalid", "data": None})
        )
        renewer = Renewer()

        with pytest.raises(TikTokAccessTokenError):
            api_client(renewer).get_orders(SHOP, ["1"])

        assert renewer.renewed == []
