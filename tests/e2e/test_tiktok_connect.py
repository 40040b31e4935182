"""A TikTok shop connects itself through the real local stack, stays connected, and leaves.

`trackguard shops connect` prints the link; the test plays the seller's browser (the sandbox's
authorisation page answers 302, the browser follows it to the callback); then webhooks produce orders
with no `shops set-token`, tokens living seconds are refreshed by the schedule and renewed on TikTok's
105002 while orders keep coming, a type 7 webhook raises REAUTHORIZATION_NEEDED, reconnecting resolves
it, and a type 6 webhook stops the shop.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import httpx
import pytest

from tests.e2e.test_flows import flags, order_view, send_ok, wait_for
from tests.support.plans import digits, parcel, tiktok_order
from tests.support.stacks import Stack
from trackguard_dev.demo import payloads
from trackguard_dev.demo.scenario import Platform, SellerPlan
from trackguard_dev.demo.stack import StackHandle, handle_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SANDBOX = "/_sandbox/tiktok-shop"
SHORT_LIFE_SECONDS = 2
API_KEY = re.compile(r"\btg_[0-9a-f]{8}_[A-Za-z0-9_-]+")


@pytest.fixture(scope="module")
def handle(real_stack: Stack) -> StackHandle:
    found = handle_for(real_stack.state_dir)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def api(handle: StackHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=handle.api_url, timeout=30) as client:
        yield client
        client.put(f"{SANDBOX}/settings", json={"access_token_ttl_s": 7 * 86400})


def connect_as_a_browser(api: httpx.Client, handle: StackHandle, shop_id: str, *extra: str) -> httpx.Response:
    """Open the printed link on TikTok's (sandbox) page, approve, and follow the redirect."""
    link = handle.run("shops", "connect").strip()
    assert link.startswith(f"{handle.api_url}{SANDBOX}/oauth/authorize?service_id="), link
    approval = api.get(link + f"&shop_id={shop_id}" + "".join(extra))
    assert approval.status_code == 302, approval.text
    redirect = approval.headers["location"]
    assert urlsplit(redirect).path == "/oauth/tiktok-shop/callback"
    assert parse_qs(urlsplit(redirect).query)["state"] == parse_qs(urlsplit(link).query)["state"]
    return api.get(redirect)


def shops_listed(handle: StackHandle) -> dict[str, list[str]]:
    lines = handle.run("shops", "list").splitlines()[1:]
    return {line.split()[0]: line.split()[1:] for line in lines if line.strip()}


def order_arrives(api: httpx.Client, handle: StackHandle, seller: SellerPlan, key: str) -> str:
    order = tiktok_order(seller, parcel("ups"))
    put = api.put(f"{SANDBOX}/orders/{order.order_id}", json=payloads.tiktok_order(order))
    assert put.status_code == 200, put.text
    send_ok(api, payloads.tiktok_status_change(order, handle.secrets))
    wait_for(lambda: order_view(api, seller.seller_id, order.order_id, key), f"order {order.order_id}")
    return order.order_id


def reauthorization_flags(api: httpx.Client, seller_id: str, key: str, status: str) -> list[dict[str, Any]]:
    return [flag for flag in flags(api, seller_id, key, status) if flag["code"] == "REAUTHORIZATION_NEEDED"]


def delivery_status(handle: StackHandle, delivery_id: str) -> str | None:
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=handle.environment["AWS_ENDPOINT_URL_DYNAMODB"],
        region_name=handle.environment["AWS_REGION"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    item = dynamodb.get_item(
        TableName=handle.environment["TABLE_NAME"],
        Key={"pk": {"S": f"DELIVERY#tiktok_shop#{delivery_id}"}, "sk": {"S": "DELIVERY"}},
        ConsistentRead=True,
    ).get("Item")
    return item["status"]["S"] if item else None


def test_a_shop_connects_stays_connected_and_leaves(api: httpx.Client, handle: StackHandle) -> None:
    seller = SellerPlan("7495" + digits(15), Platform.TIKTOK, "UTC", 6)
    shop = {"name": "E2E shop", "region": "US", "cipher": f"ROW_{digits(8)}", "seller_type": "LOCAL"}
    assert api.put(f"{SANDBOX}/shops/{seller.seller_id}", json=shop).status_code == 200
    assert api.put(f"{SANDBOX}/settings", json={"access_token_ttl_s": SHORT_LIFE_SECONDS}).status_code == 200

    # a seller refuses, then approves: only the approval connects the shop
    refused = connect_as_a_browser(api, handle, seller.seller_id, "&deny=1")
    assert refused.status_code == 403
    assert refused.headers["cache-control"] == "no-store"
    assert seller.seller_id not in shops_listed(handle)
    page = connect_as_a_browser(api, handle, seller.seller_id)
    print(f"\ncallback answered in {page.elapsed.total_seconds() * 1000:.0f} ms (cold)")
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "no-store"
    assert "E2E shop" in page.text
    found = API_KEY.search(page.text)
    assert found is not None
    key = found.group(0)
    assert shops_listed(handle)[seller.seller_id][0] == "connected"

    # webhooks produce orders with no set-token, while tokens living 2 s are refreshed and renewed
    first = order_arrives(api, handle, seller, key)
    result = handle.invoke("TokenRefreshFunction", {"as_of": "2099-01-01T00:00:00Z"})
    assert json.dumps({seller.seller_id: "refreshed"})[1:-1] in result, result
    second = order_arrives(api, handle, seller, key)
    assert first != second
    expiry_after_refresh = shops_listed(handle)[seller.seller_id][2]
    third = order_arrives(api, handle, seller, key)
    assert third not in (first, second)
    assert shops_listed(handle)[seller.seller_id][2] >= expiry_after_refresh

    # TikTok warns that the authorisation ends: the seller is flagged, once
    warning = {"message": "Authorization is expiring in 30 days.", "expiration_time": "4102444800"}
    for _ in range(2):
        send_ok(api, payloads.tiktok_webhook(seller.seller_id, 7, warning, handle.secrets))
    [raised] = wait_for(
        lambda: reauthorization_flags(api, seller.seller_id, key, "open"), "REAUTHORIZATION_NEEDED"
    )
    assert raised["order_id"] is None
    assert shops_listed(handle)[seller.seller_id][0] == "reauthorization_needed"

    # the seller authorises again: no new key, the flag resolves
    again = connect_as_a_browser(api, handle, seller.seller_id)
    print(f"callback answered in {again.elapsed.total_seconds() * 1000:.0f} ms (warm)")
    assert again.status_code == 200, again.text
    assert API_KEY.search(again.text) is None
    assert "reconnected" in again.text
    [resolved] = wait_for(
        lambda: reauthorization_flags(api, seller.seller_id, key, "resolved"), "the flag resolved"
    )
    assert resolved["flag_id"] == raised["flag_id"]
    assert shops_listed(handle)[seller.seller_id][0] == "connected"

    # the seller withdraws the authorisation: nothing more is fetched for the shop
    send_ok(api, payloads.tiktok_webhook(seller.seller_id, 6, {"message": "deauthorized"}, handle.secrets))
    wait_for(lambda: shops_listed(handle)[seller.seller_id][0] == "deauthorized", "the shop deauthorized")
    order = tiktok_order(seller, parcel("ups"))
    api.put(f"{SANDBOX}/orders/{order.order_id}", json=payloads.tiktok_order(order))
    answer = send_ok(api, payloads.tiktok_status_change(order, handle.secrets))
    delivery_id = answer.json()["delivery_id"]
    wait_for(lambda: delivery_status(handle, delivery_id) == "processed", "the delivery processed")
    assert order_view(api, seller.seller_id, order.order_id, key) is None
    assert shops_listed(handle)[seller.seller_id][2:4] == ["-", "-"]
