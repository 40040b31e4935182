"""What trackguard costs on AWS: all in per 1,000 orders from a measured day, and per million webhooks.

Per 1,000 orders (`cost_usd_per_1000_orders`): the demo's day played through the local stack with every
function metered (bench/day.py). Each function is priced from what it did: its invocations, its billed
duration (each invocation's measured time rounded up to the millisecond) at its MemorySize, the DynamoDB
read and write units its answers reported, its SQS, EventBridge, S3, SES and Secrets Manager requests and
its log bytes; HTTP API requests are the webhooks; an SQS-triggered batch adds the event source's two
queue requests (receive, delete); 17TRACK registrations are priced at the plan below. Scaled from the
day's orders to 1,000. The seller API's reads are priced apart, per 1,000 requests: in the day they are
the demo's own polling.

Per webhook (`cost_usd_per_million_webhooks`, kept from before): the ingestion benchmark's carrier
callback, its median handler time, one write, its logs, its HTTP API request.

Not included: free tiers, storage (DynamoDB, S3, logs retention), data transfer, DynamoDB Streams reads
(free for Lambda triggers), idle SQS long polls and schedules (per day, not per order), the secret's
monthly fee, Lambda's START/END/REPORT lines. The machine running the benchmark is not a Lambda arm64
core: durations scale with how this machine compares, and a crowded machine inflates them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from bench import day, ingest
from bench.support import function_spec

GOALS: dict[str, tuple[str, float]] = {}

WEBHOOKS = 1_000_000
ORDERS = 1_000
BYTES_PER_GB = 1024**3
MILLION = 1_000_000

# us-east-1 list prices, first tier, as shown on the public AWS pricing pages on 2026-11-24.
LAMBDA_ARM64_USD_PER_GB_SECOND = 0.0000133334  # aws.amazon.com/lambda/pricing (Arm, first 7.5 B GB-s)
LAMBDA_USD_PER_REQUEST = 0.20 / MILLION  # aws.amazon.com/lambda/pricing
DYNAMODB_ON_DEMAND_USD_PER_WRITE_UNIT = 0.625 / MILLION  # aws.amazon.com/dynamodb/pricing/on-demand
DYNAMODB_ON_DEMAND_USD_PER_READ_UNIT = 0.125 / MILLION  # aws.amazon.com/dynamodb/pricing/on-demand
SQS_STANDARD_USD_PER_REQUEST = 0.40 / MILLION  # aws.amazon.com/sqs/pricing (per 64 KB chunk)
EVENTBRIDGE_USD_PER_EVENT = 1.00 / MILLION  # aws.amazon.com/eventbridge/pricing (custom events)
S3_USD_PER_WRITE_REQUEST = 0.005 / 1000  # aws.amazon.com/s3/pricing (PUT, COPY, POST, LIST)
S3_USD_PER_READ_REQUEST = 0.0004 / 1000  # aws.amazon.com/s3/pricing (GET and others)
SES_USD_PER_EMAIL = 0.10 / 1000  # aws.amazon.com/ses/pricing
SECRETS_MANAGER_USD_PER_REQUEST = 0.05 / 10_000  # aws.amazon.com/secrets-manager/pricing
HTTP_API_USD_PER_REQUEST = 1.00 / MILLION  # aws.amazon.com/api-gateway/pricing (first 300 M)
CLOUDWATCH_LOGS_USD_PER_GB_INGESTED = 0.50  # aws.amazon.com/cloudwatch/pricing (standard logs)
# 17TRACK's API: one quota per registered number (help.17track.net, "Quota Deduction Standards"); the
# Pro plan, 500,000 quota a year for CNY 7,299, is CNY 0.0146 a number, at 7.1 CNY to the USD.
SEVENTEEN_TRACK_USD_PER_REGISTRATION = 7299 / 500_000 / 7.1

S3_WRITES = frozenset({"PutObject", "CopyObject", "ListObjectsV2", "ListObjects"})
WEBHOOK_FUNCTIONS = frozenset({"carrier_webhook", "shop_webhook"})


def run() -> dict[str, float]:
    return {**_per_webhook(), **_per_order()}


def _per_webhook() -> dict[str, float]:
    measured = ingest.measure()
    billed_seconds = math.ceil(measured.handler_seconds * 1000) / 1000
    gb_seconds = measured.memory_mb / 1024 * billed_seconds
    breakdown = {
        "cost_lambda_duration_usd_per_million": gb_seconds * LAMBDA_ARM64_USD_PER_GB_SECOND * WEBHOOKS,
        "cost_lambda_requests_usd_per_million": LAMBDA_USD_PER_REQUEST * WEBHOOKS,
        "cost_dynamodb_writes_usd_per_million": (
            measured.write_units_per_callback * DYNAMODB_ON_DEMAND_USD_PER_WRITE_UNIT * WEBHOOKS
        ),
        "cost_sqs_usd_per_million": (
            measured.sqs_messages_per_callback * SQS_STANDARD_USD_PER_REQUEST * WEBHOOKS
        ),
        "cost_http_api_usd_per_million": HTTP_API_USD_PER_REQUEST * WEBHOOKS,
        "cost_cloudwatch_logs_usd_per_million": (
            measured.log_bytes_per_callback / BYTES_PER_GB * CLOUDWATCH_LOGS_USD_PER_GB_INGESTED * WEBHOOKS
        ),
    }
    return {
        "cost_billed_ms_per_webhook": billed_seconds * 1000,
        "cost_memory_mb": float(measured.memory_mb),
        "cost_write_units_per_webhook": measured.write_units_per_callback,
        "cost_log_bytes_per_webhook": measured.log_bytes_per_callback,
        **breakdown,
        "cost_usd_per_million_webhooks": sum(breakdown.values()),
    }


def function_costs(function: str, measured: day.FunctionDay) -> dict[str, float]:
    """One function's day in USD, by what AWS bills."""
    memory_gb = function_spec(function).memory_mb / 1024
    requests = measured.requests

    def count(service: str, names: Callable[[str], bool] = lambda _: True) -> int:
        prefix = f"{service}:"
        return sum(
            n for call, n in requests.items() if call.startswith(prefix) and names(call[len(prefix) :])
        )

    s3_writes = count("s3", lambda operation: operation in S3_WRITES)
    return {
        "lambda_requests": measured.invocations * LAMBDA_USD_PER_REQUEST,
        "lambda_duration": measured.billed_ms / 1000 * memory_gb * LAMBDA_ARM64_USD_PER_GB_SECOND,
        "dynamodb_reads": measured.read_units * DYNAMODB_ON_DEMAND_USD_PER_READ_UNIT,
        "dynamodb_writes": measured.write_units * DYNAMODB_ON_DEMAND_USD_PER_WRITE_UNIT,
        "sqs": (count("sqs") + 2 * measured.sqs_batches) * SQS_STANDARD_USD_PER_REQUEST,
        "eventbridge": requests["events:PutEvents.entries"] * EVENTBRIDGE_USD_PER_EVENT,
        "s3": s3_writes * S3_USD_PER_WRITE_REQUEST + (count("s3") - s3_writes) * S3_USD_PER_READ_REQUEST,
        "ses": count("ses", lambda operation: operation.startswith("Send")) * SES_USD_PER_EMAIL,
        "secrets_manager": count("secretsmanager") * SECRETS_MANAGER_USD_PER_REQUEST,
        "http_api": measured.invocations * HTTP_API_USD_PER_REQUEST if function in WEBHOOK_FUNCTIONS else 0.0,
        "logs": measured.log_bytes / BYTES_PER_GB * CLOUDWATCH_LOGS_USD_PER_GB_INGESTED,
    }


def _per_order() -> dict[str, float]:
    measured = day.measure()
    scale = ORDERS / measured.orders
    by_part: dict[str, float] = {}
    by_function: dict[str, float] = {}
    readers = {"requests": 0, "usd": 0.0}
    for function, function_day in sorted(measured.functions.items()):
        costs = function_costs(function, function_day)
        if function in day.READERS:
            routed = function != "seller_authorizer"  # the authorizer answers API Gateway, not a route
            readers["requests"] += function_day.invocations if routed else 0
            readers["usd"] += sum(costs.values()) + (
                function_day.invocations * HTTP_API_USD_PER_REQUEST if routed else 0.0
            )
            continue
        by_function[function] = sum(costs.values()) * scale
        for part, usd in costs.items():
            by_part[part] = by_part.get(part, 0.0) + usd * scale
    by_part["seventeen_track"] = measured.registrations * SEVENTEEN_TRACK_USD_PER_REGISTRATION * scale
    webhooks = measured.functions.get("carrier_webhook", day.FunctionDay())
    return {
        "cost_usd_per_1000_orders": sum(by_part.values()),
        "cost_usd_per_1000_orders_aws": sum(by_part.values()) - by_part["seventeen_track"],
        **{f"cost_per_1000_orders_{part}_usd": usd for part, usd in by_part.items()},
        **{f"cost_per_1000_orders_fn_{function}_usd": usd for function, usd in by_function.items()},
        "cost_usd_per_carrier_callback_in_day": (
            sum(function_costs("carrier_webhook", webhooks).values()) / max(1, webhooks.invocations)
        ),
        "cost_usd_per_1000_seller_api_reads": readers["usd"] / max(1, readers["requests"]) * 1000,
        **day_figures(measured),
    }


def day_figures(measured: day.Day) -> dict[str, float]:
    """The day's counts per 1,000 orders, by function and by request: what docs/capacity.md scales."""
    scale = ORDERS / measured.orders
    figures = {
        "day_orders": float(measured.orders),
        "day_shop_webhooks_per_1000_orders": measured.shop_webhooks * scale,
        "day_carrier_callbacks_per_1000_orders": measured.carrier_callbacks * scale,
        "day_17track_registrations_per_1000_orders": measured.registrations * scale,
    }
    for function, function_day in sorted(measured.functions.items()):
        if function in day.READERS:
            continue
        warm = max(1, function_day.invocations)
        figures[f"day_invocations_per_1000_orders_{function}"] = function_day.invocations * scale
        figures[f"day_billed_ms_per_invocation_{function}"] = function_day.billed_ms / warm
        figures[f"day_read_units_per_1000_orders_{function}"] = function_day.read_units * scale
        figures[f"day_write_units_per_1000_orders_{function}"] = function_day.write_units * scale
        figures[f"day_sqs_batches_per_1000_orders_{function}"] = function_day.sqs_batches * scale
        for call, n in sorted(function_day.requests.items()):
            name = call.replace(":", "_").replace(".", "_")
            figures[f"day_requests_per_1000_orders_{function}_{name}"] = n * scale
    return figures
