"""Tracking-number intelligence: which carrier formats a number fits, and what sellers declared."""

from trackguard.tracking.carriers import UNDECLARED, UPU_S10, display_name, resolve_carrier, tracking_url
from trackguard.tracking.formats import FORMATS, FormatMatch, TrackingFormat, identify, normalize_number
from trackguard.tracking.verdict import NumberVerdict, VerdictKind, judge_number

__all__ = [
    "FORMATS",
    "UNDECLARED",
    "UPU_S10",
    "FormatMatch",
    "NumberVerdict",
    "TrackingFormat",
    "VerdictKind",
    "display_name",
    "identify",
    "judge_number",
    "normalize_number",
    "resolve_carrier",
    "tracking_url",
]
