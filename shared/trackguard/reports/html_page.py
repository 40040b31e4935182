"""The report as one self-contained HTML page a busy seller reads in 30 seconds.

Top to bottom: the Valid Tracking Rate of the last 7 and 30 days against the threshold, flags by code,
the daily chart, then the flagged orders with what to do. Inline CSS and SVG only; every value from
the report is HTML-escaped, its control and bidi characters removed first.
"""

from __future__ import annotations

from datetime import datetime
from html import escape as escape_markup
from zoneinfo import ZoneInfo

from trackguard.domain.inert_text import inert_text
from trackguard.reports.chart import vtr_chart
from trackguard.reports.model import ReportFlag, SellerReport, VtrWindow

_STYLE = """
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:24px;color:#212121;
max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.muted{color:#616161;font-size:13px}
.cards{display:flex;gap:16px;flex-wrap:wrap;margin-top:16px}
.card{border:1px solid #e0e0e0;border-radius:8px;padding:12px 16px;min-width:200px}
.card .value{font-size:30px;font-weight:700}
.good{color:#2e7d32}.bad{color:#c62828}.none{color:#757575}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e0e0e0;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}
.code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
"""


def render_html(report: SellerReport) -> bytes:
    zone = ZoneInfo(report.timezone)
    vtr = report.valid_tracking_rate
    title = f"Flagged orders for {report.seller_id} — {report.report_date.isoformat()}"
    sections = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="muted">As of {escape(_local(report.as_of, zone))} · '
        f"{len(report.open_flags)} open flags · "
        f"{len(report.resolved_flags)} resolved in the last 24 hours</p>",
        '<div class="cards">',
        _vtr_card("Valid Tracking Rate, 7 days", vtr.last_7_days, vtr.threshold),
        _vtr_card("Valid Tracking Rate, 30 days", vtr.last_30_days, vtr.threshold),
        "</div>",
        "<h2>Open flags by type</h2>",
        _counts_table(report.counts),
        "<h2>Daily Valid Tracking Rate, last 30 days</h2>",
        vtr_chart(vtr),
        "<h2>Flagged orders</h2>",
        _flags_table(report.open_flags, zone, "No open flags."),
    ]
    if report.resolved_flags:
        sections += ["<h2>Resolved in the last 24 hours</h2>", _flags_table(report.resolved_flags, zone, "")]
    sections.append(_links(report.links))
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        + "".join(sections)
        + "</body></html>"
    ).encode()


def escape(text: str) -> str:
    """Text for the page: inert (no control or bidi character), then HTML-escaped."""
    return escape_markup(inert_text(text))


def format_rate(rate: float | None) -> str:
    return "no packages" if rate is None else f"{rate * 100:.1f}%"


def _vtr_card(label: str, window: VtrWindow, threshold: float) -> str:
    tone = {None: "none", True: "good", False: "bad"}[window.meets_threshold]
    verdict = {
        None: "no packages in this period",
        True: f"at or above the {threshold * 100:.0f}% threshold",
        False: f"below the {threshold * 100:.0f}% threshold",
    }[window.meets_threshold]
    return (
        f'<div class="card"><div class="muted">{escape(label)}</div>'
        f'<div class="value {tone}">{escape(format_rate(window.rate))}</div>'
        f'<div class="muted">{escape(verdict)} · {window.invalid_packages} invalid of '
        f"{window.packages} packages</div></div>"
    )


def _counts_table(counts: dict[str, int]) -> str:
    if not counts:
        return '<p class="muted">No open flags.</p>'
    rows = "".join(
        f'<tr><td class="code">{escape(code)}</td><td>{count}</td></tr>'
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )
    return f"<table><thead><tr><th>Flag</th><th>Open</th></tr></thead><tbody>{rows}</tbody></table>"


def _flags_table(flags: list[ReportFlag], zone: ZoneInfo, empty: str) -> str:
    if not flags:
        return f'<p class="muted">{escape(empty)}</p>'
    header = "".join(
        f"<th>{name}</th>"
        for name in (
            "Order",
            "Package",
            "Tracking number",
            "Carrier",
            "Flag",
            "Evidence",
            "What to do",
            "Since",
        )
    )
    rows = "".join(_flag_row(flag, zone) for flag in flags)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"


def _flag_row(flag: ReportFlag, zone: ZoneInfo) -> str:
    cells = (
        flag.order_id or "— (whole shop)",
        flag.package_id or "—",
        flag.tracking_number or "—",
        flag.carrier or "—",
        flag.code.value,
        flag.evidence.message,
        flag.what_to_do,
        _local(flag.detected_at, zone),
    )
    return "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>"


def _links(links: dict[str, str]) -> str:
    items = " · ".join(f"{escape(name.upper())}: <code>{escape(path)}</code>" for name, path in links.items())
    return f'<p class="muted">Also in the seller API — {items}</p>'


def _local(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
