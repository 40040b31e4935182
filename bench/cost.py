"""What a million carrier webhooks cost on AWS, from the ingestion benchmark's measured callback.

Duration is the measured median handler time (billed rounded up to the millisecond) at the function's
MemorySize from template.yaml; requests are counted, not assumed. Not included: free tiers, Secrets
Manager (one GetSecretValue per warm container every five minutes), data transfer, and Lambda's own
START/END/REPORT log lines. The machine running the benchmark is not a Lambda arm64 core: the duration
line scales with how this machine compares.
"""

from __future__ import annotations

import math

from bench import ingest

GOALS: dict[str, tuple[str, float]] = {}

WEBHOOKS = 1_000_000
BYTES_PER_GB = 1024**3

# us-east-1 list prices, first tier, as shown on the public AWS pricing pages on 2026-11-24.
LAMBDA_ARM64_USD_PER_GB_SECOND = 0.0000133334  # aws.amazon.com/lambda/pricing (Arm, first 7.5 B GB-s)
LAMBDA_USD_PER_REQUEST = 0.20 / 1_000_000  # aws.amazon.com/lambda/pricing
DYNAMODB_ON_DEMAND_USD_PER_WRITE_UNIT = 0.625 / 1_000_000  # aws.amazon.com/dynamodb/pricing/on-demand
SQS_STANDARD_USD_PER_REQUEST = 0.40 / 1_000_000  # aws.amazon.com/sqs/pricing (per 64 KB chunk)
HTTP_API_USD_PER_REQUEST = 1.00 / 1_000_000  # aws.amazon.com/api-gateway/pricing (first 300 M)
CLOUDWATCH_LOGS_USD_PER_GB_INGESTED = 0.50  # aws.amazon.com/cloudwatch/pricing (standard logs)


def run() -> dict[str, float]:
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
