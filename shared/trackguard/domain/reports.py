"""A seller's daily report as a record: who claimed the day's run, where its files are, how each
delivery went. The table holds it; the report's contents are trackguard.reports.model."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["webhook", "email"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class DeliveryOutcome(_Frozen):
    channel: Channel
    status: Literal["delivered", "failed"]
    at: datetime
    reason: str | None = None
    reference: str | None = Field(default=None, description="the webhook's HTTP status or SES message id")


class ReportRecord(_Frozen):
    seller_id: str
    report_date: date
    state: Literal["building", "done"]
    claimed_at: datetime
    completed_at: datetime | None = None
    objects: dict[str, str] = Field(default_factory=dict, description="S3 key by format")
    deliveries: dict[str, DeliveryOutcome] = Field(default_factory=dict)
