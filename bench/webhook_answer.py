"""The median answer time of a carrier callback and of a shop webhook, over HTTP through the local stack.

It boots `trackguard local up` (the real template) in a state directory and on a port of its own, registers
a Shopify seller, warms each route up, then times signed requests one after another: a generic carrier
callback with three recent events, and a Shopify ``orders/create``. Each answer must be 200. The figure
includes the local gateway and the function process's pipe, so it bounds what API Gateway adds on AWS
from above; `bench.ingest` times the handler alone.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from trackguard_dev.demo import numbers, payloads
from trackguard_dev.demo.payloads import Request
from trackguard_dev.demo.scenario import OrderPlan, ParcelPlan, Platform, SellerPlan, Step, TrackEvent
from trackguard_dev.demo.stack import StackHandle, local_stack
from trackguard_dev.local.dynamodb_local import free_port

WARM_UP = 10
SAMPLES = 50
STEPS = (Step.LABEL, Step.PICKUP, Step.OUT)
GOALS: dict[str, tuple[str, float]] = {}
"""No goal: the figure is the local stack's, measured for comparison between runs."""

rng = random.Random()


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
    now = datetime.now(UTC)
    events = tuple(
        TrackEvent(now - timedelta(hours=len(STEPS) - index), step, "Austin", "CN")
        for index, step in enumerate(STEPS)
    )
    [request] = payloads.generic(parcel("china_post", events), handle.secrets)
    return request


def shop_webhook(handle: StackHandle, seller: SellerPlan) -> Request:
    created = datetime.now(UTC) - timedelta(hours=8)
    order = OrderPlan(seller, "57361" + digits(8), created, "fulfilled", "78701", "US", (parcel("usps"),))
    return payloads.shopify_webhook(
        seller.seller_id, "orders/create", payloads.shopify_order(order, fulfilled=False), handle.secrets
    )


def parcel(carrier: str, events: tuple[TrackEvent, ...] = ()) -> ParcelPlan:
    return ParcelPlan(
        package_id="1152" + digits(15),
        number=numbers.valid_number(carrier, rng),
        declared=carrier,
        carrier=carrier,
        origin_country="CN" if carrier == "china_post" else "US",
        destination_postal="78701",
        destination_country="US",
        events=events,
    )


def digits(count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:<40} {value:>10.1f}")
