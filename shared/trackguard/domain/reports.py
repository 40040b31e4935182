"""A seller's daily report as a record: who claimed the day's job, where its files are, how each
delivery attempt went. The table holds it; the report's contents are trackguard.reports.model."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["webhook", "email"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class DeliveryOutcome(_Frozen):
    """One delivery attempt by one channel in one report job (its in-job retries counted in ``tries``)."""

    channel: Channel
    status: Literal["delivered", "failed"]
    at: datetime
    reason: str | None = None
    reference: str | None = Field(default=None, description="the webhook's HTTP status or SES message id")
    tries: int | None = Field(default=None, description="requests made within the job (webhook)")


ReportState = Literal["building", "retrying", "done", "failed"]


class ReportRecord(_Frozen):
    """A day's report: ``building`` while a job holds it, ``retrying`` until a later run delivers it,
    ``done`` once every channel delivered it, ``failed`` when a day passed without that."""

    seller_id: str
    report_date: date
    state: ReportState
    claimed_at: datetime
    completed_at: datetime | None = None
    due_since: datetime | None = Field(default=None, description="as_of of the run that first claimed it")
    retry_at: datetime | None = Field(default=None, description="when a later run may try again")
    objects: dict[str, str] = Field(default_factory=dict, description="S3 key by format")
    deliveries: dict[str, DeliveryOutcome] = Field(
        default_factory=dict, description="last outcome by channel"
    )
    attempts: list[DeliveryOutcome] = Field(default_factory=list, description="every outcome, oldest first")

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")
