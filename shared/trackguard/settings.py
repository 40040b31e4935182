"""The one place that reads the process environment.

Every function builds a `Settings` once at cold start; everything else receives values from it.
Field names map to upper-case environment variables (``table_name`` ← ``TABLE_NAME``).
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field


class Thresholds(BaseModel):
    """CONTRACT §4 defaults; each is a template Parameter passed to the functions that judge."""

    model_config = ConfigDict(frozen=True)

    missing_tracking_shipped_hours: float = 24
    missing_tracking_paid_hours: float = 72
    no_carrier_scan_hours: float = 24
    scan_before_order_hours: float = 24
    stalled_domestic_business_days: int = 5
    stalled_cross_border_business_days: int = 10
    customs_hold_days: float = 3


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    service_name: str = "trackguard"
    environment: str = "dev"
    table_name: str = "trackguard"
    processing_queue_url: str = ""
    processing_dlq_url: str = ""
    reconcile_queue_url: str = ""
    reconcile_dlq_url: str = ""
    stream_failure_dlq_url: str = ""
    schedule_dlq_url: str = ""
    invocation_failure_dlq_url: str = ""
    event_bus_name: str = "default"
    reports_bucket: str = ""
    webhook_secrets_id: str = "trackguard/webhook-secrets"
    shop_tokens_secret_prefix: str = "trackguard/shop-tokens/"  # noqa: S105 (a name prefix, not a secret)
    tiktok_shop_api_base_url: str = "https://open-api.tiktokglobalshop.com"
    seventeen_track_api_base_url: str = "https://api.17track.net"
    seventeen_track_api_key: str = ""
    seventeen_track_requests_per_second: float = Field(default=2.5, gt=0)
    report_sender_email: str = "reports@trackguard.invalid"
    due_index_shards: int = Field(default=8, ge=1, le=64)
    allow_loopback_webhooks: bool = False
    max_body_bytes: int = 1024 * 1024
    thresholds: Thresholds = Thresholds()

    @classmethod
    def from_environ(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        for name in cls.model_fields:
            if name != "thresholds" and name.upper() in env:
                values[name] = env[name.upper()]
        values["service_name"] = env.get("POWERTOOLS_SERVICE_NAME", "trackguard")
        values["thresholds"] = {
            name: env[name.upper()] for name in Thresholds.model_fields if name.upper() in env
        }
        return cls.model_validate(values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_environ()
