from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import respx
from pydantic import SecretStr

from trackguard.clients.http import RetryingHttp, RetryPolicy
from trackguard.clients.tiktok_shop import (
    ORDERS_PATH,
    ShopCredentials,
    TikTokAccessTokenError,
    TikTokNotFoundError,
    TikTokOrder,
    TikTokPackage,
    TikTokRateLimitedError,
    TikTokShopClient,
    TikTokShopError,
    TikTokSignatureError,
    TikTokUnavailableError,
    sign_request,
)

BASE = "https://open-api.tiktokglobalshop.test"
APP_KEY = "6a6xxx-app-key"
APP_SECRET = "4ebxxx-app-secret"
NOW = 1_700_000_000
SHOP = ShopCredentials(
    shop_id="7494049642642441621", shop_cipher="ROW_Y-vWxxx", access_token=SecretStr("ROW_CBxxx")
)
SAMPLE = Path("/work/shared/reference/samples/tiktok-shop/GetOrderDetailResponse.json")


def documented_sign(secret: str, path: str, query: dict[str, str]) -> str:
    """The formula as TikTok documents it, written out independently of the client."""
    pieces = [key + query[key] for key in sorted(query) if key not in ("sign", "access_token")]
    message = secret + path + "".join(pieces) + secret
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def sample_response() -> dict[str, Any]:
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is not available")
    document: dict[str, Any] = json.loads(SAMPLE.read_text())
    return document


def minimal_order(order_id: str | int, **fields: Any) -> dict[str, Any]:
    return {"id": order_id, "status": "AWAITING_SHIPMENT", "create_time": 1, "update_time": 2, **fields}


def ok(orders: list[dict[str, Any]]) -> httpx.Response:
    return httpx.Response(
        200, json={"code": 0, "message": "Success", "request_id": "r-1", "data": {"orders": orders}}
    )


def tiktok_error(status: int, code: int, message: str = "refused") -> httpx.Response:
    return httpx.Response(
        status, json={"code": code, "message": message, "request_id": "r-err", "data": None}
    )


def make_client(sleeps: list[float] | None = None) -> TikTokShopClient:
    http = RetryingHttp(
        httpx.Client(),
        RetryPolicy(attempts=3),
        sleep=(sleeps.append if sleeps is not None else lambda _: None),
    )
    return TikTokShopClient(BASE, APP_KEY, SecretStr(APP_SECRET), http, clock=lambda: NOW + 0.7)


def query_of(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(str(request.url)).query))


class TestSigning:
    def test_matches_the_documented_formula(self) -> None:
        query = {"app_key": APP_KEY, "ids": "1,2", "shop_cipher": "c", "timestamp": "1700000000"}
        assert sign_request(APP_SECRET, ORDERS_PATH, query) == documented_sign(APP_SECRET, ORDERS_PATH, query)

    def test_ignores_sign_and_access_token(self) -> None:
        query = {"app_key": APP_KEY, "timestamp": "1"}
        noisy = {**query, "sign": "old", "access_token": "token"}
        assert sign_request(APP_SECRET, "/p", noisy) == sign_request(APP_SECRET, "/p", query)

    def test_covers_the_body(self) -> None:
        query = {"app_key": APP_KEY, "timestamp": "1"}
        expected_message = f"{APP_SECRET}/papp_key{APP_KEY}timestamp1" + '{"a":1}' + APP_SECRET
        expected = hmac.new(APP_SECRET.encode(), expected_message.encode(), hashlib.sha256).hexdigest()
        assert sign_request(APP_SECRET, "/p", query, b'{"a":1}') == expected


class TestGetOrders:
    @respx.mock
    def test_sends_a_signed_request_with_the_shop_token(self) -> None:
        route = respx.get(f"{BASE}{ORDERS_PATH}").mock(return_value=ok([minimal_order("576461413038785752")]))
        orders = make_client().get_orders(SHOP, ["576461413038785752"])
        request = route.calls.last.request
        query = query_of(request)
        assert [order.id for order in orders] == ["576461413038785752"]
        assert request.headers["x-tts-access-token"] == "ROW_CBxxx"
        assert query["app_key"] == APP_KEY
        assert query["shop_cipher"] == "ROW_Y-vWxxx"
        assert query["timestamp"] == str(NOW)
        assert query["ids"] == "576461413038785752"
        assert "access_token" not in query
        assert query["sign"] == documented_sign(APP_SECRET, ORDERS_PATH, query)

    @respx.mock
    def test_splits_more_than_50_ids(self) -> None:
        def answer(request: httpx.Request) -> httpx.Response:
            return ok([minimal_order(order_id) for order_id in query_of(request)["ids"].split(",")])

        route = respx.get(f"{BASE}{ORDERS_PATH}").mock(side_effect=answer)
        ids = [str(10**17 + n) for n in range(120)]
        orders = make_client().get_orders(SHOP, ids)
        assert [len(query_of(call.request)["ids"].split(",")) for call in route.calls] == [50, 50, 20]
        assert [order.id for order in orders] == ids

    @respx.mock
    def test_duplicate_ids_are_asked_once(self) -> None:
        route = respx.get(f"{BASE}{ORDERS_PATH}").mock(return_value=ok([]))
        make_client().get_orders(SHOP, ["1", "2", "1"])
        assert query_of(route.calls.last.request)["ids"] == "1,2"

    def test_no_ids_no_request(self) -> None:
        with respx.mock:
            assert make_client().get_orders(SHOP, []) == []

    @respx.mock
    def test_rate_limit_is_retried(self) -> None:
        sleeps: list[float] = []
        respx.get(f"{BASE}{ORDERS_PATH}").mock(
            side_effect=[tiktok_error(429, 36009003), ok([minimal_order("1")])]
        )
        assert [order.id for order in make_client(sleeps).get_orders(SHOP, ["1"])] == ["1"]
        assert len(sleeps) == 1


class TestErrors:
    @pytest.mark.parametrize(
        ("status", "code", "kind"),
        [
            (401, 106001, TikTokSignatureError),
            (200, 105001, TikTokAccessTokenError),
            (401, 105002, TikTokAccessTokenError),
            (200, 21011001, TikTokNotFoundError),
            (404, 40004, TikTokNotFoundError),
            (400, 36009004, TikTokShopError),
        ],
    )
    @respx.mock
    def test_codes_map_to_typed_errors(self, status: int, code: int, kind: type[TikTokShopError]) -> None:
        respx.get(f"{BASE}{ORDERS_PATH}").mock(
            return_value=tiktok_error(status, code, "Invalid credentials.")
        )
        with pytest.raises(kind) as caught:
            make_client().get_orders(SHOP, ["1"])
        assert caught.value.code == code
        assert caught.value.http_status == status
        assert caught.value.request_id == "r-err"
        assert "ROW_CBxxx" not in str(caught.value)

    @respx.mock
    def test_signature_errors_are_not_retried(self) -> None:
        route = respx.get(f"{BASE}{ORDERS_PATH}").mock(return_value=tiktok_error(401, 106001))
        with pytest.raises(TikTokSignatureError):
            make_client().get_orders(SHOP, ["1"])
        assert route.call_count == 1

    @respx.mock
    def test_rate_limited_beyond_the_budget(self) -> None:
        respx.get(f"{BASE}{ORDERS_PATH}").mock(return_value=tiktok_error(429, 36009003))
        with pytest.raises(TikTokRateLimitedError):
            make_client().get_orders(SHOP, ["1"])

    @respx.mock
    def test_unavailable_beyond_the_budget(self) -> None:
        route = respx.get(f"{BASE}{ORDERS_PATH}").mock(return_value=httpx.Response(502, text="bad gateway"))
        with pytest.raises(TikTokUnavailableError):
            make_client().get_orders(SHOP, ["1"])
        assert route.call_count == 3

    @respx.mock
    def test_non_json_answer(self) -> None:
        respx.get(f"{BASE}{ORDERS_PATH}").mock(return_value=httpx.Response(200, text="<html>"))
        with pytest.raises(TikTokShopError, match="non-JSON"):
            make_client().get_orders(SHOP, ["1"])

    @respx.mock
    def test_unreadable_order(self) -> None:
        respx.get(f"{BASE}{ORDERS_PATH}").mock(return_value=ok([{"id": "1"}]))
        with pytest.raises(TikTokShopError, match="status"):
            make_client().get_orders(SHOP, ["1"])


class TestSampleOrder:
    def order(self) -> TikTokOrder:
        return TikTokOrder.model_validate(sample_response()["data"]["orders"][0])

    def test_fields(self) -> None:
        order = self.order()
        assert order.id == "576461413038785752"
        assert order.status == "UNPAID"
        assert (order.create_time, order.paid_time, order.update_time) == (1619611561, 1619611563, 1619621355)
        assert (order.rts_sla_time, order.shipping_due_time, order.delivery_due_time) == (
            1619611688,
            1678389618,
            1678389618,
        )
        assert order.shipping_type == "TIKTOK"
        assert order.split_or_combine_tag == "COMBINED"
        assert order.tracking_number == "JX12345"
        assert order.recipient_address is not None
        assert (order.recipient_address.postal_code, order.recipient_address.region_code) == ("95110", "US")

    def test_personal_data_is_dropped_at_parse(self) -> None:
        kept = self.order().model_dump_json()
        for personal in (
            "David",
            "Kong",
            "213-***-1234",
            "Coleman Ave",
            "Unit one",
            "bristol",
            "v2b2V5@chat",
        ):
            assert personal not in kept

    def test_packages_group_line_items(self) -> None:
        """The SDK sample lists one package id and a line item in another: two packages, no guessing."""
        assert self.order().packages() == [
            TikTokPackage(
                package_id="1152321127278713123",
                tracking_number=None,
                shipping_provider=None,
                shipping_provider_id=None,
                line_item_ids=(),
                status=None,
            ),
            TikTokPackage(
                package_id="1153132168123859123",
                tracking_number="JX12345",
                shipping_provider="TT Virtual express",
                shipping_provider_id="6617675021119438849",
                line_item_ids=("577086512123755123",),
                status="TO_FULFILL",
            ),
        ]

    @respx.mock
    def test_the_sample_response_comes_through_the_client(self) -> None:
        respx.get(f"{BASE}{ORDERS_PATH}").mock(return_value=httpx.Response(200, json=sample_response()))
        assert [order.id for order in make_client().get_orders(SHOP, ["576461413038785752"])] == [
            "576461413038785752"
        ]


class TestPackages:
    def test_split_order_has_one_package_per_package_id(self) -> None:
        order = TikTokOrder.model_validate(
            minimal_order(
                "1",
                packages=[{"id": "P1"}, {"id": "P2"}],
                tracking_number="",
                line_items=[
                    {
                        "id": "L1",
                        "package_id": "P1",
                        "tracking_number": "1Z999AA10123456784",
                        "package_status": "SHIPPED",
                    },
                    {"id": "L2", "package_id": "P2", "tracking_number": "", "shipping_provider_name": "USPS"},
                    {"id": "L3", "package_id": "P1", "tracking_number": "1Z999AA10123456784"},
                ],
            )
        )
        packages = {package.package_id: package for package in order.packages()}
        assert packages["P1"].line_item_ids == ("L1", "L3")
        assert packages["P1"].tracking_number == "1Z999AA10123456784"
        assert packages["P1"].status == "SHIPPED"
        assert packages["P2"].tracking_number is None
        assert packages["P2"].shipping_provider == "USPS"

    def test_order_level_tracking_fills_a_single_package(self) -> None:
        order = TikTokOrder.model_validate(
            minimal_order(
                "1",
                packages=[{"id": "P1"}],
                tracking_number="9400111899223197428490",
                shipping_provider="USPS",
                line_items=[{"id": "L1"}, {"id": "L2", "package_id": "P1"}],
            )
        )
        (package,) = order.packages()
        assert package.tracking_number == "9400111899223197428490"
        assert package.shipping_provider == "USPS"
        assert package.line_item_ids == ("L1", "L2")

    def test_order_level_tracking_is_not_guessed_for_several_packages(self) -> None:
        order = TikTokOrder.model_validate(
            minimal_order("1", packages=[{"id": "P1"}, {"id": "P2"}], tracking_number="JX1")
        )
        assert [package.tracking_number for package in order.packages()] == [None, None]

    def test_unshipped_order_has_no_packages(self) -> None:
        order = TikTokOrder.model_validate(
            minimal_order("1", line_items=[{"id": "L1", "tracking_number": ""}])
        )
        assert order.packages() == []

    def test_numeric_ids_become_strings(self) -> None:
        order = TikTokOrder.model_validate(minimal_order(576461413038785752, packages=[{"id": 11}]))
        assert order.id == "576461413038785752"
        assert order.packages()[0].package_id == "11"
