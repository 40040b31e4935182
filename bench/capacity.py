"""docs/capacity.md from bench/results.json: what 100 k, 1 M and 10 M orders a day ask of each limit.

Every rate comes from the metered day (bench/day.py, keys `day_*` and `cost_*` per 1,000 orders) scaled
to the size, at the peak below; every limit is AWS's or 17TRACK's published default. What is assumed
rather than measured is named in ASSUMPTIONS and printed in the document. `make bench` runs it after
writing the results; `python -m bench.capacity` rewrites the document from the last results.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.support import ROOT

RESULTS = Path(__file__).with_name("results.json")
DOCUMENT = ROOT / "docs" / "capacity.md"
SIZES = (100_000, 1_000_000, 10_000_000)
SECONDS_PER_DAY = 86_400
PER_ORDERS = 1000
FUNCTIONS = (
    "shop_webhook",
    "carrier_webhook",
    "processor",
    "reconcile_planner",
    "reconcile_worker",
    "reports",
    "report_worker",
)
# Without the metered day (bench.cost, bench.day) every rate would read 0: the document is then left as is.
REQUIRED = ("cost_usd_per_1000_orders", "day_orders")

ASSUMPTIONS = {
    "peak_factor": 3.0,  # the busiest hour's rate over the day's average (evening orders, morning scans)
    "big_seller_share": 0.10,  # one seller's share of all orders
    "shared_number_orders": 1000,  # orders that carry one reused tracking number (the duplicate fault)
    "due_index_shards": 8.0,  # template.yaml DueIndexShards default
    "link_item_bytes": 150.0,  # a TRK#…/LINK#… item: four short keys
}
LIMITS = {
    "lambda_account_concurrency": 1000.0,  # Lambda default concurrent executions per Region
    "http_api_requests_per_second": 10_000.0,  # API Gateway account throttle per Region (default)
    "partition_write_units_per_second": 1000.0,  # DynamoDB per-partition write throughput
    "partition_read_units_per_second": 3000.0,  # DynamoDB per-partition read throughput
    "table_units_per_second": 40_000.0,  # DynamoDB on-demand table throughput quota (default, each way)
    "eventbridge_put_events_per_second": 10_000.0,  # PutEvents entries, us-east-1 default (soft)
    "seventeen_track_requests_per_second": 3.0,  # 17TRACK API requests per key (40 numbers each)
    "seventeen_track_flagship_quota_per_year": 1_000_000.0,  # the largest published annual plan
}
SEVENTEEN_TRACK_NUMBERS_PER_REQUEST = 40
# What commercial trackers charge per tracked shipment, from their public price and help pages (2026-12).
COMMERCIAL_USD_PER_SHIPMENT = {
    "AfterShip Essentials/Pro, each shipment over the plan (help center, pricing models)": 0.08,
    "AfterShip Tracking 10K Pro, monthly ($519 for 10,000; upgrade guidelines)": 519 / 10_000,
    "Ship24 Pro, from $39 a month for 1,000 shipments (pricing page)": 39 / 1000,
    "17TRACK API Pro plan, CNY 7,299 for 500,000 a year at 7.1 CNY/USD (quota only, no judging)": 7299
    / 500_000
    / 7.1,
}


@dataclass(frozen=True)
class Check:
    """One limit at one size: the demand, the limit, and what to change when it binds."""

    name: str
    demand: float
    limit: float
    unit: str
    change: str

    @property
    def used(self) -> float:
        return self.demand / self.limit


class Figures:
    """The bench's per-1,000-order figures, scaled to one size."""

    def __init__(self, results: dict[str, float], orders_per_day: int) -> None:
        self._results = results
        self.orders_per_day = orders_per_day
        self.scale = orders_per_day / PER_ORDERS
        self.peak = ASSUMPTIONS["peak_factor"] / SECONDS_PER_DAY

    def get(self, key: str) -> float:
        return self._results.get(key, 0.0)

    def per_second(self, key: str) -> float:
        """A per-1,000-orders figure as a rate at the peak hour."""
        return self.get(key) * self.scale * self.peak

    def requests(self, function: str, operation: str) -> float:
        return self.per_second(f"day_requests_per_1000_orders_{function}_{operation}")

    def concurrency(self, function: str) -> float:
        seconds = self.get(f"day_billed_ms_per_invocation_{function}") / 1000
        return self.per_second(f"day_invocations_per_1000_orders_{function}") * seconds

    def order_writes_per_second(self) -> float:
        """Writes that may move an order on the due index: every UpdateItem and transaction of the
        functions that judge (an upper bound: not all of them touch the order item)."""
        return sum(
            self.requests(function, operation)
            for function in ("processor", "reconcile_worker")
            for operation in ("dynamodb_UpdateItem", "dynamodb_TransactWriteItems")
        )

    def checks(self) -> list[Check]:
        registrations_per_day = self.get("day_17track_registrations_per_1000_orders") * self.scale
        big_seller_writes = (
            2 * self.requests("processor", "dynamodb_TransactWriteItems") * ASSUMPTIONS["big_seller_share"]
        )
        return [
            Check(
                "Lambda concurrency (all functions)",
                sum(self.concurrency(function) for function in FUNCTIONS),
                LIMITS["lambda_account_concurrency"],
                "concurrent executions",
                "ask for a higher account concurrency; reserve concurrency for the webhooks",
            ),
            Check(
                "HTTP API requests (webhooks)",
                self.per_second("day_shop_webhooks_per_1000_orders")
                + self.per_second("day_carrier_callbacks_per_1000_orders"),
                LIMITS["http_api_requests_per_second"],
                "requests/s",
                "ask for a higher API Gateway throttle",
            ),
            Check(
                "DynamoDB table write units",
                sum(self.per_second(f"day_write_units_per_1000_orders_{name}") for name in FUNCTIONS),
                LIMITS["table_units_per_second"],
                "write units/s",
                "ask for a higher table quota; cut the processor's writes per order",
            ),
            Check(
                "DueIndex shard writes",
                self.order_writes_per_second() / ASSUMPTIONS["due_index_shards"],
                LIMITS["partition_write_units_per_second"],
                "writes/s per shard",
                "raise DueIndexShards (up to 64)",
            ),
            Check(
                "Big seller partition (SELLER#…, stats)",
                big_seller_writes,
                LIMITS["partition_write_units_per_second"],
                "write units/s",
                "shard the daily stats item by package hash",
            ),
            Check(
                "EventBridge PutEvents",
                self.requests("processor", "events_PutEvents_entries")
                + self.requests("reconcile_worker", "events_PutEvents_entries"),
                LIMITS["eventbridge_put_events_per_second"],
                "events/s",
                "ask for a higher PutEvents quota (it is lower outside the largest Regions)",
            ),
            Check(
                "17TRACK API rate",
                registrations_per_day
                * ASSUMPTIONS["peak_factor"]
                / SECONDS_PER_DAY
                / SEVENTEEN_TRACK_NUMBERS_PER_REQUEST,
                LIMITS["seventeen_track_requests_per_second"],
                "requests/s (registrations)",
                "batch 40 numbers a request; more keys or a contracted rate",
            ),
            Check(
                "17TRACK annual quota",
                registrations_per_day * 365,
                LIMITS["seventeen_track_flagship_quota_per_year"],
                "registrations/year",
                "a contracted volume; register only numbers no carrier pushes",
            ),
        ]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if value >= 1 else f"{value:.3f}"


def document(results: dict[str, float]) -> str:
    sizes = [Figures(results, size) for size in SIZES]
    header = ["", *[f"{size.orders_per_day:,} orders/day" for size in sizes]]
    rate_rows: list[tuple[str, Callable[[Figures], float]]] = [
        ("orders/s at the peak hour", lambda f: f.orders_per_day * f.peak),
        *[(f"Lambda concurrency: {name}", lambda f, name=name: f.concurrency(name)) for name in FUNCTIONS],
        (
            "DynamoDB read units/s (table)",
            lambda f: sum(f.per_second(f"day_read_units_per_1000_orders_{name}") for name in FUNCTIONS),
        ),
        (
            "DynamoDB write units/s (table)",
            lambda f: sum(f.per_second(f"day_write_units_per_1000_orders_{name}") for name in FUNCTIONS),
        ),
        (
            "SQS requests/s (reconcile queue)",
            lambda f: (
                f.requests("reconcile_planner", "sqs_SendMessageBatch")
                + 2 * f.per_second("day_sqs_batches_per_1000_orders_reconcile_worker")
            ),
        ),
        (
            "EventBridge events/s",
            lambda f: (
                f.requests("processor", "events_PutEvents_entries")
                + f.requests("reconcile_worker", "events_PutEvents_entries")
            ),
        ),
        ("17TRACK registrations/day", lambda f: f.get("day_17track_registrations_per_1000_orders") * f.scale),
        ("cost USD/day (AWS)", lambda f: f.get("cost_usd_per_1000_orders_aws") * f.scale),
        ("cost USD/day (17TRACK)", lambda f: f.get("cost_per_1000_orders_seventeen_track_usd") * f.scale),
        ("cost USD/month (all in, 30 days)", lambda f: f.get("cost_usd_per_1000_orders") * f.scale * 30),
    ]
    lines = [
        "# Capacity: 100 k, 1 M and 10 M orders a day",
        "",
        "Generated by `python -m bench.capacity` from `bench/results.json` (`make bench` writes both): every",
        f"rate is the metered demo day ({results.get('day_orders', 0):.0f} orders, `bench/day.py`) per 1,000",
        "orders, scaled to the size at the peak hour. Durations are this machine's billed milliseconds, cold",
        "starts included, on a shared 2-core box: concurrency is an upper bound. The scheduled functions",
        "(planner, reports) are scaled by their work per order, not by their runs: a real day runs the",
        "planner on its schedule and each seller's report once, each doing more.",
        "",
        "Assumed, not measured: "
        + ", ".join(f"`{name}` = {value:g}" for name, value in ASSUMPTIONS.items())
        + ".",
        "",
        "## Rates",
        "",
        _row(header),
        _row(["---"] * len(header)),
        *[_row([label, *[_number(compute(size)) for size in sizes]]) for label, compute in rate_rows],
        "",
        "## Limits (demand / limit)",
        "",
        _row(header),
        _row(["---"] * len(header)),
    ]
    names = [check.name for check in sizes[0].checks()]
    for index, name in enumerate(names):
        checks = [size.checks()[index] for size in sizes]
        cells = [
            f"{_number(check.demand)} / {_number(check.limit)} {check.unit} ({check.used:.0%})"
            for check in checks
        ]
        lines.append(_row([name, *cells]))
    lines += ["", "## The first limit each size hits", ""]
    for size in sizes:
        ranked = sorted(size.checks(), key=lambda check: check.used, reverse=True)
        first_aws = next(check for check in ranked if not check.name.startswith("17TRACK"))
        lines.append(
            f"- **{size.orders_per_day:,} orders/day**: {ranked[0].name} at {ranked[0].used:.0%} of its"
            f" limit — {ranked[0].change}. First AWS limit: {first_aws.name} at {first_aws.used:.0%}"
            f" — {first_aws.change}."
        )
    per_order = results.get("cost_usd_per_1000_orders", 0.0) / PER_ORDERS
    aws_per_order = results.get("cost_usd_per_1000_orders_aws", 0.0) / PER_ORDERS
    lines += [
        "",
        "## Against commercial trackers",
        "",
        f"trackguard all in: ${per_order:.5f} an order (AWS ${aws_per_order:.5f}, the rest 17TRACK",
        "registrations). Commercial trackers, per tracked shipment:",
        "",
        *[f"- {name}: ${usd:.4f}" for name, usd in COMMERCIAL_USD_PER_SHIPMENT.items()],
    ]
    shared = ASSUMPTIONS["shared_number_orders"]
    shared_units = shared * ASSUMPTIONS["link_item_bytes"] / 4096
    callbacks = results.get("day_carrier_callbacks_per_1000_orders", 0.0) / PER_ORDERS
    lines += [
        "",
        "## A tracking number shared by many orders",
        "",
        f"A number carried by {shared:,} orders (the duplicate-tracking fault at its worst) sits in one",
        f"partition (`TRK#…`): each of its events is read back with its links, about {shared_units:.0f}",
        f"read units (strongly consistent), and fans out to {shared:,} package writes in {shared:,} order",
        f"partitions. With {callbacks:.2f} callbacks per order in the day, the number's own partition sees",
        "a few events a day, so no partition limit binds; what grows is the processor's batch time and",
        "the write cost of that one number (what to change: cap the links a number may carry and flag",
        "the reuse once instead of judging every order on every event).",
        "",
        "## Inputs (from bench/results.json)",
        "",
        *[f"- `{key}` = {results[key]:.6g}" for key in sorted(results) if _is_input(key)],
        "",
        "Every AWS limit above except the per-partition throughput is a default quota that can be raised;",
        "per-partition throughput is fixed, so the due-index shards, the seller stats item and the shared",
        "number's fan-out are the ones the design itself must keep under 1,000 write / 3,000 read units a",
        "second.",
        "",
    ]
    return "\n".join(lines)


def _is_input(key: str) -> bool:
    return key.startswith(("day_", "cost_usd_per_1000_orders", "cost_per_1000_orders_seventeen"))


class MissingFiguresError(LookupError):
    """The results lack the metered day, so the document would describe nothing."""


def write() -> Path:
    results: dict[str, float] = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else {}
    missing = [key for key in REQUIRED if key not in results]
    if missing:
        raise MissingFiguresError(f"{DOCUMENT} left as it was: {RESULTS} lacks {', '.join(missing)}")
    DOCUMENT.write_text(document(results), encoding="utf-8")
    return DOCUMENT


if __name__ == "__main__":
    print(f"wrote {write()}")
