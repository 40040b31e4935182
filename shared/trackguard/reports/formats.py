"""The report as JSON and as CSV (one row per flag, open ones first)."""

from __future__ import annotations

import csv
import io
from typing import Literal

from trackguard.domain.inert_text import inert_cell
from trackguard.reports.model import ReportFlag, SellerReport

ReportFormat = Literal["json", "csv", "html"]
REPORT_CONTENT_TYPES: dict[str, str] = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}

CSV_COLUMNS = (
    "order_id",
    "package_id",
    "tracking_number",
    "carrier",
    "code",
    "severity",
    "status",
    "detected_at",
    "evidence",
    "what_to_do",
)


def render_json(report: SellerReport) -> bytes:
    return report.model_dump_json(indent=2).encode()


def render_csv(report: SellerReport) -> bytes:
    """Spreadsheet-safe in any locale: no formula in any cell, no control or bidi character (inert_cell)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for flag in [*report.open_flags, *report.resolved_flags]:
        writer.writerow([inert_cell(value) for value in _row(flag)])
    return out.getvalue().encode()


def _row(flag: ReportFlag) -> tuple[str, ...]:
    return (
        flag.order_id or "",
        flag.package_id or "",
        flag.tracking_number or "",
        flag.carrier or "",
        flag.code.value,
        flag.severity.value,
        flag.status.value,
        flag.detected_at.isoformat(),
        flag.evidence.message,
        flag.what_to_do,
    )
