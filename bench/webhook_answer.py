"""The median answer time of a carrier callback and of a shop webhook, over HTTP through the local stack.

It boots `trackguard local up` (the real template) in a state directory and on a port of its own, registers
a Shopify seller, warms each route up, then times signed requests one after another: a generic carrier
callback with three recent events, and a Shopify ``orders/create``. Each answer must be 200. The figure
includes the local gateway and the function process's pipe, so it bounds what API Gateway adds on AWS
from above; `bench.ingest` times the handler alone.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.support.plans import parcel, recent_events, shopify_order
from trackguard_dev.demo import payloads
from trackguard_dev.demo.payloads import Request
from trackguard_dev.demo.scenario import Platform, SellerPlan
from trackguard_dev.demo.stack import StackHandle, local_stack
from trackguard_dev.local.dynamodb_local import free_port

WARM_UP = 10
SAMPLES = 50
GOALS: dict[str, tuple[str, float]] = {}
"""No goal: the figure is the local stack's, measured for comparison between runs."""


def run() -> dict[str, float]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-webhook-") as state,
        local_stack(Path(state), free_port()) as handle,
        httpx.Client(base_url=handle.api_url, timeout=30) as api,
    ):
        seller = SellerPlan(f"bench-{uuid.uuid4().hex[:10]}.myshopify.com", Platform.SHOPIFY, "UTC", 6)
        handle.run("sellers", "add", seller.seller_id, "--platform", seller.platform.value)
        carrier = median_ms(api, lambda: carrier_callback(handle))
        shop = median_ms(api, lambda: shop_webhook(handle, seller))
    return {"webhook_answer.carrier_median_ms": carrier, "webhook_answer.shop_median_ms": shop}


def median_ms(api: httpx.Client, make: Callable[[], Request]) -> float:
    for _ in range(WARM_UP):
        timed(api, make())
    return statistics.median(timed(api, make()) for _ in range(SAMPLES)) * 1000


def timed(api: httpx.Client, request: Request) -> float:
    started = time.perf_counter()
    response = api.post(
        request.path, content=request.body, headers={"content-type": "application/json", **request.headers}
    )
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{request.path} answered {response.status_code}: {response.text}")
    return elapsed


def carrier_callback(handle: StackHandle) -> Request:
    [request] = payloads.generic(parcel("china_post", recent_events("CN")), handle.secrets)
    return request


def shop_webhook(handle: StackHandle, seller: SellerPlan) -> Request:
    order = shopify_order(seller, parcel("usps"))
    return payloads.shopify_webhook(
        seller.seller_id, "orders/create", payloads.shopify_order(order, fulfilled=False), handle.secrets
    )


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:<40} {value:>10.1f}")
