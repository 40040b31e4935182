"""Report delivery on the local stack: four sellers due at the same hour, one whose webhook trickles bytes
and one whose webhook answers 500. The other two get their report stored and delivered within 30 s of the
run; the failing two are retried by a later run; nothing is marked delivered that was not. One of the
good sellers' orders carries hostile text (in its order id and in its carrier's description), sent through
signed webhooks: it ends inert in the CSV, the HTML and the e-mail.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import random
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_string, policy
from functools import partial
from typing import TypeVar
from urllib.parse import quote

import httpx
import pytest

from tests.support.receiver import Receiver, receiver
from tests.support.stacks import Stack
from trackguard.clients.email import outbox
from trackguard_dev.demo import numbers, payloads
from trackguard_dev.demo.payloads import Request
from trackguard_dev.demo.scenario import OrderPlan, ParcelPlan, Platform, SellerPlan
from trackguard_dev.demo.stack import StackHandle, handle_for
from trackguard_dev.signing import sign

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SECRET = "whsec_" + base64.b64encode(b"e2e-report-webhook-secret-32byte").decode()
RUN_DEADLINE_SECONDS = 30.0
WAIT_SECONDS = 90.0
TRICKLE_PAUSE_SECONDS = 2.0
HOSTILE_ORDER_ID = "x;=1+2;@SUM(3)"
"""A formula after a separator. Control characters cannot be in an id (it is a key part: refused at the
edge), so the bidi override and the NUL arrive in the carrier's description."""
HOSTILE_DESCRIPTION = 'Lost\u0000 in transit\u202e <b>=HYPERLINK("http://evil");@SUM(2)</b>'
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
T = TypeVar("T")
rng = random.Random()


@dataclass(frozen=True)
class DueSeller:
    seller_id: str
    api_key: str


def wait_for(condition: Callable[[], T | None], what: str, timeout: float = WAIT_SECONDS) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="module")
def handle(real_stack: Stack) -> StackHandle:
    found = handle_for(real_stack.state_dir)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def api(handle: StackHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=handle.api_url, timeout=30) as client:
        yield client


@pytest.fixture
def trickling_webhook() -> Iterator[tuple[str, list[float]]]:
    """A receiver that answers 200 one byte every 2 s, forever; the URL and when each request came."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    arrivals: list[float] = []
    stop = threading.Event()

    def answer(connection: socket.socket) -> None:
        with connection:
            connection.recv(1 << 20)
            answer = b"HTTP/1.1 200 OK\r\ncontent-length: 1000000\r\n\r\n" + b"x" * 1_000_000
            for byte in answer:
                if stop.wait(TRICKLE_PAUSE_SECONDS):
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            arrivals.append(time.monotonic())
            threading.Thread(target=answer, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hooks/report", arrivals
    finally:
        stop.set()
        thread.join()
        server.close()


def add_seller(handle: StackHandle, name: str, webhook_url: str, report_hour: int, email: bool) -> str:
    """Register a Shopify seller due at ``report_hour`` UTC; its API key."""
    seller_id = f"{name}-{uuid.uuid4().hex[:8]}.myshopify.com"
    extra = ["--email", f"owner@{seller_id}"] if email else []
    output = handle.run(
        "sellers", "add", seller_id, "--platform", "shopify", "--webhook-url", webhook_url, *extra
    )
    handle.run(
        "sellers",
        "set",
        seller_id,
        "--webhook-secret",
        SECRET,
        "--timezone",
        "UTC",
        "--report-hour",
        str(report_hour),
    )
    return f"{seller_id} {output.split()[-1]}"


def send(api: httpx.Client, request: Request) -> None:
    response = api.post(
        request.path, content=request.body, headers={"content-type": "application/json", **request.headers}
    )
    assert response.status_code == 200, f"{request.path} answered {response.status_code}: {response.text}"


def shopify_order(handle: StackHandle, api: httpx.Client, seller_id: str, number: str, order_id: str) -> None:
    """A fulfilled Shopify order carrying ``number``, sent as its three signed webhooks."""
    plan = SellerPlan(seller_id, Platform.SHOPIFY, "UTC", 0)
    parcel = ParcelPlan(str(rng.randrange(10**14, 10**15)), number, "ups", "ups", "US", "78701", "US")
    numeric_id = str(rng.randrange(10**11, 10**12))
    order = OrderPlan(
        plan, numeric_id, datetime.now(UTC) - timedelta(hours=8), "fulfilled", "78701", "US", (parcel,)
    )
    created = payloads.shopify_order(order, fulfilled=False) | {"id": order_id}
    fulfillment = payloads.shopify_fulfillment(order, parcel) | {"order_id": order_id}
    updated = payloads.shopify_order(order, fulfilled=True) | {"id": order_id, "fulfillments": [fulfillment]}
    for topic, document in (
        ("orders/create", created),
        ("fulfillments/create", fulfillment),
        ("orders/updated", updated),
    ):
        send(api, payloads.shopify_webhook(seller_id, topic, document, handle.secrets))


def lost_parcel_event(handle: StackHandle, number: str) -> Request:
    """A signed generic carrier callback: the parcel is lost, in the carrier's own (hostile) words."""
    event = {
        "tracking_number": number,
        "carrier": "ups",
        "occurred_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "status": "EXCEPTION",
        "reason": "lost",
        "description": HOSTILE_DESCRIPTION,
        "location": {"city": "Austin", "country": "US"},
    }
    body = json.dumps({"events": [event]}).encode()
    headers = sign("generic", body, datetime.now(UTC), handle.secrets)
    return Request("/webhooks/carriers/generic", headers, body)


def open_flag_codes(api: httpx.Client, seller: DueSeller) -> set[str]:
    response = api.get(
        f"/sellers/{seller.seller_id}/flags",
        params={"status": "open"},
        headers={"authorization": f"Bearer {seller.api_key}"},
    )
    return (
        {flag["code"] for flag in response.json().get("flags", [])} if response.status_code == 200 else set()
    )


def has_open_flag(api: httpx.Client, seller: DueSeller, code: str) -> bool:
    return code in open_flag_codes(api, seller)


def shown(handle: StackHandle, seller: DueSeller) -> str:
    return handle.run("sellers", "show", seller.seller_id)


def report_state(handle: StackHandle, seller: DueSeller) -> str | None:
    match = re.search(r"state=(\w+)", shown(handle, seller))
    return match.group(1) if match else None


def report_in_state(handle: StackHandle, seller: DueSeller, state: str) -> bool:
    return report_state(handle, seller) == state


def webhook_attempts(handle: StackHandle, seller: DueSeller) -> int:
    match = re.search(r"webhook: \w+ at \S+  attempts=(\d+)", shown(handle, seller))
    return int(match.group(1)) if match else 0


def latest(api: httpx.Client, seller: DueSeller, fmt: str) -> httpx.Response:
    return api.get(
        f"/sellers/{seller.seller_id}/reports/latest",
        params={"format": fmt},
        headers={"authorization": f"Bearer {seller.api_key}"},
    )


def test_a_trickling_and_a_failing_webhook_delay_no_other_sellers_report(
    api: httpx.Client, handle: StackHandle, trickling_webhook: tuple[str, list[float]]
) -> None:
    trickle_url, trickle_arrivals = trickling_webhook
    next_hour = (datetime.now(UTC) + timedelta(hours=1)).replace(minute=5, second=0, microsecond=0)
    with receiver((500, {})) as failing, receiver((200, {})) as good, receiver((200, {})) as hostile:
        sellers = {
            name: DueSeller(*add_seller(handle, name, url, next_hour.hour, email=name == "hostile").split())
            for name, url in (
                ("trickle", trickle_url),
                ("failing", failing.url),
                ("good", good.url),
                ("hostile", hostile.url),
            )
        }
        for name, seller in sellers.items():
            if name != "hostile":
                shopify_order(
                    handle, api, seller.seller_id, "1Z-NOT-A-NUMBER-42", str(rng.randrange(10**11, 10**12))
                )
        number = numbers.valid_number("ups", rng)
        shopify_order(handle, api, sellers["hostile"].seller_id, number, HOSTILE_ORDER_ID)
        send(api, lost_parcel_event(handle, number))
        for name, seller in sellers.items():
            code = "DELIVERY_EXCEPTION" if name == "hostile" else "INVALID_TRACKING_FORMAT"
            wait_for(partial(has_open_flag, api, seller, code), f"{code} for {name}")

        started = time.monotonic()
        handle.invoke("ReportFunction", {"as_of": next_hour.isoformat()})
        wait_for(
            lambda: good.received and hostile.received, "the good sellers' webhooks", RUN_DEADLINE_SECONDS
        )
        posted_after = time.monotonic() - started
        wait_for(
            lambda: all(report_state(handle, sellers[name]) == "done" for name in ("good", "hostile")),
            "the good sellers' reports recorded as delivered",
            timeout=started + RUN_DEADLINE_SECONDS - time.monotonic(),
        )
        print(f"\nthe other sellers' reports were posted {posted_after:.1f} s after the run started")

        assert [len(good.received), len(hostile.received)] == [1, 1]
        for name in ("good", "hostile"):
            assert latest(api, sellers[name], "json").status_code == 200, "stored"
        for name in ("trickle", "failing"):
            wait_for(
                partial(report_in_state, handle, sellers[name], "retrying"), f"{name} to be retried later"
            )
        assert "(last: ReadTimeout)" in shown(handle, sellers["trickle"])
        assert "HTTP 500" in shown(handle, sellers["failing"])
        assert trickle_arrivals, "the trickling receiver was called"
        assert len(failing.received) == 3, "retried within the job"

        failing.answers = [(200, {})]
        handle.invoke("ReportFunction", {"as_of": (next_hour + timedelta(hours=1)).isoformat()})
        wait_for(lambda: report_state(handle, sellers["failing"]) == "done", "the failing seller's retry")
        wait_for(lambda: webhook_attempts(handle, sellers["trickle"]) == 2, "the trickling seller's retry")

        assert report_state(handle, sellers["trickle"]) == "retrying", "never marked delivered"
        assert "next_retry=" in shown(handle, sellers["trickle"])
        assert webhook_attempts(handle, sellers["failing"]) == 2
        assert [len(good.received), len(hostile.received)] == [1, 1], "nothing delivered twice"
        assert_hostile_text_is_inert(api, handle, sellers["hostile"], hostile)


def assert_hostile_text_is_inert(
    api: httpx.Client, handle: StackHandle, seller: DueSeller, hook: Receiver
) -> None:
    order = api.get(
        f"/sellers/{seller.seller_id}/orders/{quote(HOSTILE_ORDER_ID, safe='')}",
        headers={"authorization": f"Bearer {seller.api_key}"},
    )
    assert order.status_code == 200, "the encoded order id is decoded once"
    assert order.json()["order_id"] == HOSTILE_ORDER_ID

    delivered = json.loads(hook.received[0].body)["data"]["report"]
    assert {flag["order_id"] for flag in delivered["open_flags"]} == {HOSTILE_ORDER_ID}, "the data is kept"

    table = latest(api, seller, "csv").text
    assert not CONTROLS.search(table)
    rows = list(csv.DictReader(io.StringIO(table)))
    assert {row["order_id"] for row in rows} == {"x;'=1+2;'@SUM(3)"}
    exception = next(row for row in rows if row["code"] == "DELIVERY_EXCEPTION")
    assert ";'@SUM(2)" in exception["evidence"]
    for line in table.splitlines():
        for separator in ",;|\t":
            starts = {part.strip(' "')[:1] for part in line.split(separator)}
            assert not starts & set("=+-@"), f"a formula after {separator!r} in {line!r}"

    page = latest(api, seller, "html").text
    assert not CONTROLS.search(page)
    assert "<b>" not in page
    assert "&lt;b&gt;=HYPERLINK(" in page

    [mail] = [
        m
        for m in outbox(handle.environment["AWS_ENDPOINT_URL"])
        if f"owner@{seller.seller_id}" in m.destinations
    ]
    message = message_from_string(mail.raw, policy=policy.default)
    parts = [str(part.get_content()) for part in message.walk() if part.get_content_maintype() == "text"]
    assert len(parts) == 3
    for part in parts:
        assert not CONTROLS.search(part.replace("\r\n", "\n"))
    assert "x;'=1+2;'@SUM(3)" in parts[2], "the attached CSV"
