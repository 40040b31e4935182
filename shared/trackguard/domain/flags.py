"""Flags raised for seller follow-up (CONTRACT §4)."""

from __future__ import annotations

import os
import time
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from trackguard.domain.status import FlagCode, FlagStatus, Severity

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

Evidence = dict[str, str | int | float | bool | None]


def new_flag_id(now_ms: int | None = None) -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, so ids sort by creation time."""
    milliseconds = int(time.time() * 1000) if now_ms is None else now_ms
    value = (milliseconds << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


class FlagFinding(BaseModel):
    """A rule's verdict that a condition holds for a package (or an order without packages)."""

    model_config = ConfigDict(frozen=True)

    code: FlagCode
    severity: Severity
    message: str
    evidence: Evidence = {}
    package_id: str | None = None
    tracking_number: str | None = None


class Flag(BaseModel):
    model_config = ConfigDict(frozen=True)

    flag_id: str
    seller_id: str
    order_id: str | None = None  # None: a seller-level flag (REAUTHORIZATION_NEEDED)
    package_id: str | None = None
    tracking_number: str | None = None
    code: FlagCode
    severity: Severity
    detected_at: datetime
    message: str
    evidence: Evidence = {}
    status: FlagStatus = FlagStatus.OPEN
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution: str | None = None

    @property
    def subject(self) -> str:
        """What one open flag per (package, code) is keyed on; no package (or no order) is '-'."""
        return f"{self.package_id or '-'}#{self.code.value}"
