"""Play a planned day through the local stack over HTTP, then read back what trackguard flagged.

Every wait polls the seller API (or the reconcile queue) for a condition, with a deadline.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

import boto3
import httpx

from trackguard.domain.status import FlagCode
from trackguard_dev.demo import payloads
from trackguard_dev.demo.payloads import Request
from trackguard_dev.demo.scenario import OrderPlan, ParcelPlan, Platform, Scenario, SellerPlan
from trackguard_dev.demo.stack import StackHandle

WAIT_SECONDS = 180.0
POLL_SECONDS = 0.5
RECONCILE_STEPS = (timedelta(hours=1), timedelta(hours=13), timedelta(hours=26), timedelta(hours=50))
CONCURRENCY = 4
# Senders retry a 5xx (a webhook that could not store, or timed out on a loaded laptop), so the demo does.
SENDER_ATTEMPTS = 4
SENDER_BACKOFF_SECONDS = 0.5


class DemoTimeoutError(RuntimeError):
    pass


class Progress(Protocol):
    def phase(self, description: str, total: int) -> Callable[[int], None]: ...


class _Silent:
    def phase(self, _description: str, _total: int) -> Callable[[int], None]:
        return lambda _advance: None


@dataclass
class Observations:
    webhook_seconds: dict[str, list[float]] = field(default_factory=dict)
    routes: Counter[str] = field(default_factory=Counter)
    flags: set[tuple[str, str, str]] = field(default_factory=set)
    report_keys: dict[str, list[str]] = field(default_factory=dict)
    report_files: dict[str, list[Path]] = field(default_factory=dict)
    as_of: list[datetime] = field(default_factory=list)
    resent: Counter[str] = field(default_factory=Counter)

    def median_ms(self, kind: str) -> float:
        samples = self.webhook_seconds.get(kind, [])
        return statistics.median(samples) * 1000 if samples else 0.0


def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(POLL_SECONDS)
    raise DemoTimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


class Driver:
    def __init__(
        self,
        stack: StackHandle,
        scenario: Scenario,
        progress: Progress | None = None,
        reports_dir: Path | None = None,
    ) -> None:
        self.stack = stack
        self.scenario = scenario
        self.progress = progress or _Silent()
        self.reports_dir = reports_dir
        self.keys: dict[str, str] = {}
        self.observed = Observations()
        self._http = httpx.Client(base_url=stack.api_url, timeout=30)
        self._routes: dict[str, str] = {}

    def close(self) -> None:
        self._http.close()

    def run(self) -> Observations:
        self.register_sellers()
        self.send_orders()
        self.wait_for_orders()
        self.send_carrier_events()
        self.wait_for_tracking()
        self.reconcile()
        self.collect_flags()
        self.produce_reports()
        return self.observed

    # sellers -------------------------------------------------------------------------------------------

    def register_sellers(self) -> None:
        advance = self.progress.phase("registering sellers", len(self.scenario.sellers))
        for seller in self.scenario.sellers:
            self.keys[seller.seller_id] = self._register(seller)
            advance(1)

    def _register(self, seller: SellerPlan) -> str:
        listed = self.stack.run("sellers", "list")
        exists = any(line.split("  ", 1)[0] == seller.seller_id for line in listed.splitlines())
        if exists:
            output = self.stack.run("sellers", "rotate-key", seller.seller_id)
        else:
            output = self.stack.run("sellers", "add", seller.seller_id, "--platform", seller.platform.value)
        hour = str(seller.report_hour)
        self.stack.run(
            "sellers", "set", seller.seller_id, "--timezone", seller.timezone, "--report-hour", hour
        )
        if seller.platform is Platform.TIKTOK:
            cipher = f"GCP_{seller.seller_id[-6:]}"
            self.stack.run(
                "shops", "set-token", seller.seller_id, "--shop-cipher", cipher, "--access-token", "ROW_demo"
            )
        return output.strip().splitlines()[-1]

    # shop webhooks ------------------------------------------------------------------------------------

    def send_orders(self) -> None:
        tiktok = [order for order in self.scenario.orders if order.seller.platform is Platform.TIKTOK]
        for order in tiktok:
            self._expect_ok(
                self._http.put(
                    f"/_sandbox/tiktok-shop/orders/{order.order_id}", json=payloads.tiktok_order(order)
                )
            )
        batches: list[list[Request]] = []
        for order in self.scenario.orders:
            if order.seller.platform is Platform.TIKTOK:
                batches.append([payloads.tiktok_status_change(order, self.stack.secrets)])
            else:
                batches.append(payloads.shopify_webhooks(order, self.stack.secrets))
        for combine in self.scenario.combines:
            batches.append(
                [
                    payloads.tiktok_combine(
                        combine.seller.seller_id, combine.package_id, combine.order_ids, self.stack.secrets
                    )
                ]
            )
        self._send_all("sending shop webhooks", "shop", batches)

    def _send_all(self, description: str, kind: str, batches: list[list[Request]]) -> None:
        advance = self.progress.phase(description, sum(len(batch) for batch in batches))
        samples = self.observed.webhook_seconds.setdefault(kind, [])

        def send(batch: list[Request]) -> None:
            for request in batch:
                samples.append(self.post(request))
                advance(1)

        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            list(pool.map(send, batches))

    def post(self, request: Request) -> float:
        """Send one signed request as its sender would, again after a 5xx; the seconds the answer took.

        Each resend is counted by path (``Observations.resent``): a 5xx is never silent.
        """
        for attempt in range(SENDER_ATTEMPTS):
            started = time.perf_counter()
            response = self._http.post(
                request.path,
                content=request.body,
                headers={"content-type": "application/json", **request.headers},
            )
            elapsed = time.perf_counter() - started
            if response.status_code < 500 or attempt == SENDER_ATTEMPTS - 1:
                break
            self.observed.resent[request.path] += 1
            time.sleep(SENDER_BACKOFF_SECONDS * 2**attempt)
        self._expect_ok(response)
        return elapsed

    @staticmethod
    def _expect_ok(response: httpx.Response) -> None:
        if response.status_code >= 300:
            raise RuntimeError(
                f"{response.request.method} {response.request.url.path} answered "
                f"{response.status_code}: {response.text}"
            )

    # reading back ---------------------------------------------------------------------------------------

    def order_view(self, seller_id: str, order_id: str) -> dict[str, Any] | None:
        response = self._http.get(f"/sellers/{seller_id}/orders/{order_id}", headers=self._auth(seller_id))
        return response.json() if response.status_code == 200 else None

    def _auth(self, seller_id: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.keys[seller_id]}"}

    def _wait_each(
        self,
        description: str,
        orders: Iterable[OrderPlan],
        ready: Callable[[OrderPlan, dict[str, Any]], bool],
    ) -> None:
        pending = list(orders)
        advance = self.progress.phase(description, len(pending))

        def still_pending() -> bool:
            nonlocal pending
            left = []
            for order in pending:
                view = self.order_view(order.seller.seller_id, order.order_id)
                if view is not None and ready(order, view):
                    advance(1)
                else:
                    left.append(order)
            pending = left
            return not pending

        wait_for(still_pending, f"{description}: {[order.order_id for order in pending[:5]]}")

    def wait_for_orders(self) -> None:
        def ready(order: OrderPlan, view: dict[str, Any]) -> bool:
            numbers = {package.get("tracking_number") for package in view.get("packages", [])}
            return view.get("status") is not None and all(
                parcel.number in numbers for parcel in order.parcels
            )

        self._wait_each("waiting for orders", self.scenario.orders, ready)

    # carriers -------------------------------------------------------------------------------------------

    def tracked_parcels(self) -> list[tuple[OrderPlan, ParcelPlan]]:
        """Each tracked number once (a duplicate or combined number is one parcel to its carrier)."""
        seen: dict[str, tuple[OrderPlan, ParcelPlan]] = {}
        for order in self.scenario.orders:
            for parcel in order.parcels:
                if parcel.number and parcel.events and parcel.number not in seen:
                    seen[parcel.number] = (order, parcel)
        return list(seen.values())

    def send_carrier_events(self) -> None:
        batches = []
        for index, (order, parcel) in enumerate(self.tracked_parcels()):
            needs_postal = (
                order.fault is FlagCode.DESTINATION_MISMATCH
                or parcel.destination_postal != order.buyer_postal
            )
            route = payloads.route_for(parcel, index, needs_postal=needs_postal)
            self._routes[parcel.number or ""] = route
            self.observed.routes[route] += 1
            info = payloads.track_info(parcel)
            self._expect_ok(self._http.put(f"/_sandbox/17track/numbers/{parcel.number}", json=info))
            batches.append(payloads.CARRIER_SENDERS[route](parcel, self.stack.secrets))
        self._send_all("sending carrier events", "carrier", batches)

    def wait_for_tracking(self) -> None:
        def ready(order: OrderPlan, view: dict[str, Any]) -> bool:
            statuses = {
                package.get("tracking_number"): package.get("tracking_status")
                for package in view.get("packages", [])
            }
            return all(
                statuses.get(parcel.number)
                == payloads.expected_status(self._routes.get(parcel.number or "", "generic"), parcel)
                for parcel in order.parcels
                if parcel.number and parcel.events
            )

        self._wait_each("waiting for tracking", self.scenario.orders, ready)

    # reconciler and reports -----------------------------------------------------------------------------

    def reconcile(self) -> None:
        now = datetime.now(UTC)
        advance = self.progress.phase("reconciling (as_of advanced)", len(RECONCILE_STEPS))
        for step in RECONCILE_STEPS:
            as_of = now + step
            self.stack.invoke("ReconcilePlannerFunction", {"as_of": as_of.isoformat()})
            self.observed.as_of.append(as_of)
            wait_for(
                lambda: self._queue_empty("RECONCILE_QUEUE_URL"),
                f"the reconcile queue to drain (as_of {as_of:%Y-%m-%d %H:%M})",
            )
            advance(1)

    def _queue_empty(self, url_variable: str) -> bool:
        sqs = self._aws("sqs")
        url = self.stack.environment[url_variable]
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        return all(int(attributes[name]) == 0 for name in names)

    def _aws(self, service: Literal["sqs", "s3"]) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.stack.environment["AWS_ENDPOINT_URL"],
            region_name=self.stack.environment["AWS_REGION"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 (moto's fixed credentials)
        )

    def collect_flags(self) -> None:
        ours = {(order.seller.seller_id, order.order_id) for order in self.scenario.orders}
        for seller in self.scenario.sellers:
            for flag in self.flags(seller.seller_id, "open"):
                if (seller.seller_id, flag["order_id"]) in ours:
                    self.observed.flags.add((seller.seller_id, flag["order_id"], flag["code"]))

    def flags(self, seller_id: str, status: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(1000):
            params = {"status": status, "limit": "100", **({"cursor": cursor} if cursor else {})}
            response = self._http.get(
                f"/sellers/{seller_id}/flags", params=params, headers=self._auth(seller_id)
            )
            self._expect_ok(response)
            page = response.json()
            found += page["flags"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        return found

    def produce_reports(self) -> None:
        after = self.observed.as_of[-1] if self.observed.as_of else datetime.now(UTC)
        advance = self.progress.phase("producing seller reports", len(self.scenario.sellers))
        bucket = self.stack.environment["REPORTS_BUCKET"]
        for seller in self.scenario.sellers:
            self.stack.invoke("ReportFunction", {"as_of": report_time(seller, after).isoformat()})
            wait_for(lambda: self._queue_empty("REPORT_QUEUE_URL"), f"{seller.seller_id}'s report job")
            listing = self._aws("s3").list_objects_v2(Bucket=bucket, Prefix=f"reports/{seller.seller_id}/")
            keys = [item["Key"] for item in listing.get("Contents", [])]
            self.observed.report_keys[seller.seller_id] = [f"s3://{bucket}/{key}" for key in sorted(keys)]
            if self.reports_dir is not None:
                self.observed.report_files[seller.seller_id] = self._download(seller)
            advance(1)

    def _download(self, seller: SellerPlan) -> list[Path]:
        assert self.reports_dir is not None
        folder = self.reports_dir / seller.seller_id
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        for fmt in ("json", "csv", "html"):
            response = self._http.get(
                f"/sellers/{seller.seller_id}/reports/latest",
                params={"format": fmt},
                headers=self._auth(seller.seller_id),
            )
            self._expect_ok(response)
            path = folder / f"latest.{fmt}"
            path.write_bytes(response.content)
            files.append(path)
        return files


def report_time(seller: SellerPlan, after: datetime) -> datetime:
    """The first instant after ``after`` that falls in the seller's report hour, in its time zone."""
    local = after.astimezone(ZoneInfo(seller.timezone)) + timedelta(hours=1)
    candidate = local.replace(hour=seller.report_hour, minute=5, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate.astimezone(UTC)


@contextmanager
def driving(
    stack: StackHandle, scenario: Scenario, progress: Progress | None = None, reports_dir: Path | None = None
) -> Iterator[Driver]:
    driver = Driver(stack, scenario, progress, reports_dir)
    try:
        yield driver
    finally:
        driver.close()
