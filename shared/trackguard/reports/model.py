"""What a daily report holds (what became of its delivery is trackguard.domain.reports)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from trackguard.views.flags import FlagOut

VTR_THRESHOLD = 0.95


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class VtrDay(_Frozen):
    day: date
    packages: int = Field(description="packages whose tracking number was first given that UTC day")
    invalid_packages: int = Field(description="packages first flagged invalid that day")
    rate: float | None = Field(description="share valid; null on a day without packages")


class VtrWindow(_Frozen):
    days: int
    packages: int
    invalid_packages: int
    rate: float | None = Field(description="share valid, 0 to 1; null without packages")
    meets_threshold: bool | None


class ValidTrackingRate(_Frozen):
    threshold: float = VTR_THRESHOLD
    last_7_days: VtrWindow
    last_30_days: VtrWindow
    daily: list[VtrDay] = Field(description="the last 30 UTC days, oldest first")


class ReportFlag(FlagOut):
    """A flag in the seller API's shape, plus the package's carrier and what the seller should do."""

    carrier: str | None
    what_to_do: str


class SellerReport(_Frozen):
    seller_id: str
    timezone: str = Field(description="the seller's IANA time zone, in which report_date is a date")
    report_date: date = Field(description="the seller's local date the report is for")
    generated_at: datetime
    as_of: datetime
    counts: dict[str, int] = Field(description="open and acknowledged flags by code")
    valid_tracking_rate: ValidTrackingRate
    open_flags: list[ReportFlag] = Field(description="open and acknowledged flags, newest first")
    resolved_flags: list[ReportFlag] = Field(description="flags resolved in the 24 hours before as_of")
    links: dict[str, str] = Field(description="seller API paths: the report in each format, the flags")

    @property
    def is_empty(self) -> bool:
        return not self.open_flags and not self.resolved_flags
