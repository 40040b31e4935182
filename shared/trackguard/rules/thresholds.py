"""How long each time-based rule waits before it flags: CONTRACT §4's defaults.

Each is also a template Parameter, passed to the functions that judge (their settings read it).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Thresholds(BaseModel):
    model_config = ConfigDict(frozen=True)

    missing_tracking_shipped_hours: float = 24
    missing_tracking_paid_hours: float = 72
    no_carrier_scan_hours: float = 24
    scan_before_order_hours: float = 24
    stalled_domestic_business_days: int = 5
    stalled_cross_border_business_days: int = 10
    customs_hold_days: float = 3
