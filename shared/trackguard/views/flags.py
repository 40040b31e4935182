"""A flag as a seller sees it: in the seller API's answers and, with a little more, in its daily report."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import Field

from trackguard.domain.flags import Evidence, Flag
from trackguard.domain.status import FlagCode, FlagStatus, Severity
from trackguard.views import ReadModel

FlagStatusFilter = Literal["open", "acknowledged", "resolved", "all"]


class FlagEvidence(ReadModel):
    message: str = Field(description="what is wrong, in a sentence a seller understands")
    fields: Evidence = Field(description="the facts behind the sentence")


class FlagOut(ReadModel):
    flag_id: str = Field(description="a ULID: flags sort by detection time")
    seller_id: str
    order_id: str | None = Field(description="null for a seller-level flag (REAUTHORIZATION_NEEDED)")
    package_id: str | None
    tracking_number: str | None
    code: FlagCode
    severity: Severity
    detected_at: datetime
    evidence: FlagEvidence
    status: FlagStatus
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    resolution: str | None

    @classmethod
    def from_flag(cls, flag: Flag, **extra: Any) -> Self:
        """The flag as shown; a subclass passes its own fields in ``extra``."""
        return cls(
            **flag.model_dump(exclude={"message", "evidence"}),
            evidence=FlagEvidence(message=flag.message, fields=flag.evidence),
            **extra,
        )


class FlagPageOut(ReadModel):
    flags: list[FlagOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last")
