"""End-to-end flows through the real local stack over HTTP: shop webhooks to the seller API, the
authorizer's isolation, the ingestion answers, every carrier route, orphan events, acknowledging a flag,
and the median webhook answer time.

Processing is asynchronous (the table's stream feeds the processor): every check of its effect polls the
seller API with a deadline.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import boto3
import httpx
import pytest

from tests.support.plans import STEPS, digits, parcel, recent_events, shopify_order, tiktok_order
from tests.support.stacks import Stack
from trackguard_dev.demo import payloads
from trackguard_dev.demo.payloads import Request
from trackguard_dev.demo.scenario import OrderPlan, ParcelPlan, Platform, SellerPlan
from trackguard_dev.demo.stack import StackHandle, handle_for
from trackguard_dev.signing import sign

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

WAIT_SECONDS = 90.0
POLL_SECONDS = 0.2
JSON_HEADERS = {"content-type": "application/json"}
ROUTE_CARRIERS = {
    "17track": "usps",
    "ship24": "fedex",
    "aftership": "dhl",
    "ups": "ups",
    "fedex": "fedex",
    "dhl": "dhl",
    "usps": "usps",
    "generic": "china_post",
}

T = TypeVar("T")


# stack, sellers and sending -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def handle(real_stack: Stack) -> StackHandle:
    found = handle_for(real_stack.state_dir)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def api(handle: StackHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=handle.api_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def shopify_seller(handle: StackHandle) -> tuple[SellerPlan, str]:
    return new_shopify_seller(handle)


def new_shopify_seller(handle: StackHandle) -> tuple[SellerPlan, str]:
    seller = SellerPlan(f"flows-{uuid.uuid4().hex[:10]}.myshopify.com", Platform.SHOPIFY, "UTC", 6)
    return seller, register(handle, seller)


def register(handle: StackHandle, seller: SellerPlan) -> str:
    """The new seller's API key: the last word `trackguard sellers add` prints."""
    output = handle.run("sellers", "add", seller.seller_id, "--platform", seller.platform.value)
    return output.split()[-1]


def bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def send(api: httpx.Client, request: Request) -> httpx.Response:
    return api.post(request.path, content=request.body, headers={**JSON_HEADERS, **request.headers})


def send_ok(api: httpx.Client, request: Request) -> httpx.Response:
    response = send(api, request)
    assert response.status_code == 200, f"{request.path} answered {response.status_code}: {response.text}"
    return response


def wait_for(condition: Callable[[], T | None], what: str, timeout: float = WAIT_SECONDS) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(POLL_SECONDS)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


# planned orders and parcels -----------------------------------------------------------------------------


def send_shopify_order(api: httpx.Client, handle: StackHandle, order: OrderPlan) -> None:
    for request in payloads.shopify_webhooks(order, handle.secrets):
        send_ok(api, request)


def send_carrier_events(api: httpx.Client, handle: StackHandle, route: str, shipped: ParcelPlan) -> None:
    for request in payloads.CARRIER_SENDERS[route](shipped, handle.secrets):
        send_ok(api, request)


# reading back -------------------------------------------------------------------------------------------


def order_view(api: httpx.Client, seller_id: str, order_id: str, key: str) -> dict[str, Any] | None:
    response = api.get(f"/sellers/{seller_id}/orders/{order_id}", headers=bearer(key))
    return response.json() if response.status_code == 200 else None


def package_of(view: dict[str, Any] | None, number: str | None) -> dict[str, Any] | None:
    packages = (view or {}).get("packages", [])
    return next((package for package in packages if package["tracking_number"] == number), None)


def wait_for_package(
    api: httpx.Client, order: OrderPlan, key: str, ready: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The order's view, once its package holds the parcel's number and ``ready`` holds for it."""
    number = order.parcels[0].number

    def view_when_ready() -> dict[str, Any] | None:
        view = order_view(api, order.seller.seller_id, order.order_id, key)
        package = package_of(view, number)
        return view if package is not None and ready(package) else None

    return wait_for(view_when_ready, f"order {order.order_id} with package {number}")


def has_status(status: str) -> Callable[[dict[str, Any]], bool]:
    return lambda package: package["tracking_status"] == status


def any_package(_package: dict[str, Any]) -> bool:
    return True


def flags(api: httpx.Client, seller_id: str, key: str, status: str) -> list[dict[str, Any]]:
    params = {"status": status, "limit": "100"}
    response = api.get(f"/sellers/{seller_id}/flags", params=params, headers=bearer(key))
    assert response.status_code == 200, response.text
    listed: list[dict[str, Any]] = response.json()["flags"]
    return listed


def stored_events(handle: StackHandle, number: str) -> list[dict[str, Any]]:
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=handle.environment["AWS_ENDPOINT_URL_DYNAMODB"],
        region_name=handle.environment["AWS_REGION"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    answer = dynamodb.query(
        TableName=handle.environment["TABLE_NAME"],
        KeyConditionExpression="pk = :pk AND begins_with(sk, :events)",
        ExpressionAttributeValues={":pk": {"S": f"TRK#{number}"}, ":events": {"S": "EVT#"}},
    )
    items: list[dict[str, Any]] = answer["Items"]
    return items


# 1. a TikTok order, and its webhook three times ---------------------------------------------------------


def test_a_tiktok_order_reaches_the_seller_api_and_its_repeated_webhook_has_one_effect(
    api: httpx.Client, handle: StackHandle
) -> None:
    seller = SellerPlan("7495" + digits(15), Platform.TIKTOK, "UTC", 6)
    key = register(handle, seller)
    handle.run(
        "shops", "set-token", seller.seller_id, "--shop-cipher", "GCP_flows", "--access-token", "ROW_x"
    )
    order = tiktok_order(seller, parcel("ups"))
    put = api.put(f"/_sandbox/tiktok-shop/orders/{order.order_id}", json=payloads.tiktok_order(order))
    assert put.status_code == 200, put.text
    webhook = payloads.tiktok_status_change(order, handle.secrets)

    answers = [send(api, webhook) for _ in range(3)]
    view = wait_for_package(api, order, key, any_package)

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert [answer.json()["status"] for answer in answers] == ["accepted", "duplicate", "duplicate"]
    assert len({answer.json()["delivery_id"] for answer in answers}) == 1
    assert view["order_id"] == order.order_id
    assert view["status"] == "IN_TRANSIT"
    [package] = view["packages"]
    assert package["package_id"] == order.parcels[0].package_id
    assert package["tracking_number"] == order.parcels[0].number
    assert (package["declared_carrier"], package["detected_carrier"]) == ("ups", "ups")
    assert order_view(api, seller.seller_id, order.order_id, key) == view


# 2. the authorizer ---------------------------------------------------------------------------------------


def seller_paths(seller_id: str, order_id: str) -> list[tuple[str, str]]:
    return [
        ("GET", f"/sellers/{seller_id}/orders/{order_id}"),
        ("GET", f"/sellers/{seller_id}/flags?status=all"),
        ("POST", f"/sellers/{seller_id}/flags/01JAAAAAAAAAAAAAAAAAAAAAAA/acknowledge"),
        ("GET", f"/sellers/{seller_id}/reports/latest?format=json"),
    ]


def statuses(api: httpx.Client, paths: list[tuple[str, str]], headers: dict[str, str]) -> list[int]:
    return [api.request(method, path, headers=headers).status_code for method, path in paths]


def test_a_key_opens_its_own_sellers_paths_only(
    api: httpx.Client, handle: StackHandle, shopify_seller: tuple[SellerPlan, str]
) -> None:
    seller_b, key_b = shopify_seller
    seller_a, key_a = new_shopify_seller(handle)
    order = shopify_order(seller_b, parcel("fedex"))
    send_shopify_order(api, handle, order)
    wait_for_package(api, order, key_b, any_package)

    other_sellers = statuses(api, seller_paths(seller_b.seller_id, order.order_id), bearer(key_a))
    own_flags = api.get(f"/sellers/{seller_a.seller_id}/flags", headers=bearer(key_a))
    refused = api.get(f"/sellers/{seller_b.seller_id}/orders/{order.order_id}", headers=bearer(key_a))

    assert other_sellers == [403, 403, 403, 403]
    assert refused.json()["error"] == "forbidden"
    assert own_flags.status_code == 200


def test_a_malformed_a_revoked_and_a_missing_key_are_401(
    api: httpx.Client, handle: StackHandle, shopify_seller: tuple[SellerPlan, str]
) -> None:
    seller, _ = shopify_seller
    revoked_key = handle.run("sellers", "rotate-key", seller.seller_id).split()[-1]
    handle.run("sellers", "revoke", seller.seller_id, revoked_key.split("_")[1])
    paths = seller_paths(seller.seller_id, "57361" + digits(8))

    malformed = statuses(api, paths, bearer(f"not-a-key-{uuid.uuid4().hex}"))
    revoked = api.get(paths[1][1], headers=bearer(revoked_key))
    missing = statuses(api, paths, {})

    assert malformed == [401, 401, 401, 401]
    assert revoked.status_code == 401
    assert revoked.json()["message"] == "the API key has been revoked"
    assert missing == [401, 401, 401, 401]


# 3. ingestion answers ------------------------------------------------------------------------------------


def test_ship24_probe_is_200_with_an_empty_body(api: httpx.Client) -> None:
    response = api.head("/webhooks/carriers/ship24")

    assert response.status_code == 200
    assert response.content == b""


def test_an_unknown_carrier_route_is_404(api: httpx.Client) -> None:
    response = api.post("/webhooks/carriers/pigeon-post", content=b"{}", headers=JSON_HEADERS)

    assert response.status_code == 404


def test_a_body_over_1_mib_is_413(api: httpx.Client, handle: StackHandle) -> None:
    body = b'{"events":[],"padding":"' + b"x" * (1024 * 1024) + b'"}'
    headers = sign("generic", body, datetime.now(UTC), handle.secrets)

    response = api.post("/webhooks/carriers/generic", content=body, headers={**JSON_HEADERS, **headers})

    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_a_text_plain_body_is_415(api: httpx.Client, handle: StackHandle) -> None:
    [request] = payloads.aftership(parcel("dhl", recent_events("US")), handle.secrets)

    response = api.post(
        request.path, content=request.body, headers={**request.headers, "content-type": "text/plain"}
    )

    assert response.status_code == 415


def test_a_wrong_signature_is_401(api: httpx.Client, handle: StackHandle) -> None:
    [request] = payloads.fedex(parcel("fedex", recent_events("US")), handle.secrets)
    wrong = {"fdx-signature": base64.b64encode(b"not the signature").decode()}

    response = api.post(request.path, content=request.body, headers={**JSON_HEADERS, **wrong})

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_signature"


# 4. and 5. carrier events --------------------------------------------------------------------------------


@pytest.mark.parametrize("route", sorted(ROUTE_CARRIERS))
def test_carrier_events_through_each_route_update_the_package(
    route: str, api: httpx.Client, handle: StackHandle, shopify_seller: tuple[SellerPlan, str]
) -> None:
    seller, key = shopify_seller
    carrier = ROUTE_CARRIERS[route]
    shipped = parcel(carrier, recent_events("CN" if carrier == "china_post" else "US"))
    order = shopify_order(seller, shipped)
    send_shopify_order(api, handle, order)
    wait_for_package(api, order, key, has_status("PENDING"))
    expected = payloads.expected_status(route, shipped)

    send_carrier_events(api, handle, route, shipped)
    view = wait_for_package(api, order, key, has_status(expected))

    package = package_of(view, shipped.number)
    assert package is not None
    assert expected != "PENDING"
    assert [entry["status"] for entry in reversed(package["timeline"])] == [
        payloads.ROUTE_STEPS[route][step][1] for step in STEPS
    ]


@pytest.mark.parametrize("events_first", [True, False], ids=["event-then-order", "order-then-event"])
def test_an_event_and_its_order_meet_whichever_arrives_first(
    events_first: bool, api: httpx.Client, handle: StackHandle, shopify_seller: tuple[SellerPlan, str]
) -> None:
    seller, key = shopify_seller
    shipped = parcel("ups", recent_events("US"))
    order = shopify_order(seller, shipped)
    assert shipped.number is not None

    if events_first:
        send_carrier_events(api, handle, "ups", shipped)
        assert len(stored_events(handle, shipped.number)) == len(STEPS)
        send_shopify_order(api, handle, order)
    else:
        send_shopify_order(api, handle, order)
        wait_for_package(api, order, key, has_status("PENDING"))
        send_carrier_events(api, handle, "ups", shipped)

    view = wait_for_package(api, order, key, has_status("OUT_FOR_DELIVERY"))
    package = package_of(view, shipped.number)
    assert package is not None
    assert len(package["timeline"]) == len(STEPS)


# 6. acknowledging a flag ----------------------------------------------------------------------------------


def no_carrier_scan_flag(api: httpx.Client, seller_id: str, key: str, order_id: str) -> dict[str, Any] | None:
    return next(
        (
            flag
            for flag in flags(api, seller_id, key, "open")
            if flag["order_id"] == order_id and flag["code"] == "NO_CARRIER_SCAN"
        ),
        None,
    )


def test_an_acknowledged_flag_is_listed_as_acknowledged(api: httpx.Client, handle: StackHandle) -> None:
    seller, key = new_shopify_seller(handle)
    order = shopify_order(seller, parcel("fedex"))
    send_shopify_order(api, handle, order)
    wait_for_package(api, order, key, any_package)
    assert no_carrier_scan_flag(api, seller.seller_id, key, order.order_id) is None

    as_of = datetime.now(UTC) + timedelta(hours=26)
    handle.invoke("ReconcilePlannerFunction", {"as_of": as_of.isoformat()})
    flag = wait_for(
        lambda: no_carrier_scan_flag(api, seller.seller_id, key, order.order_id), "a NO_CARRIER_SCAN flag"
    )
    response = api.post(
        f"/sellers/{seller.seller_id}/flags/{flag['flag_id']}/acknowledge", headers=bearer(key)
    )

    assert response.status_code == 200, response.text
    acknowledged = response.json()
    assert (acknowledged["flag_id"], acknowledged["status"]) == (flag["flag_id"], "acknowledged")
    assert acknowledged["acknowledged_at"] is not None
    listed = [item["flag_id"] for item in flags(api, seller.seller_id, key, "acknowledged")]
    assert flag["flag_id"] in listed
    assert flag["flag_id"] not in [item["flag_id"] for item in flags(api, seller.seller_id, key, "open")]
