"""The report's JSON, CSV and HTML renderings against known flags and planted VTR counters."""

from __future__ import annotations

import csv
import io
import json
import re

from tests.unit.reports.sample import sample_report
from trackguard.reports.formats import CSV_COLUMNS, render_csv, render_json
from trackguard.reports.html_page import render_html


def test_json_has_counts_vtr_flags_in_the_api_shape_and_links() -> None:
    document = json.loads(render_json(sample_report()))
    assert document["seller_id"] == "shop-1"
    assert document["report_date"] == "2026-11-03"
    assert document["counts"] == {"NO_CARRIER_SCAN": 2, "DESTINATION_MISMATCH": 1}
    vtr = document["valid_tracking_rate"]
    assert vtr["threshold"] == 0.95
    assert round(vtr["last_7_days"]["rate"], 4) == 0.9357
    assert vtr["last_7_days"]["meets_threshold"] is False
    assert round(vtr["last_30_days"]["rate"], 4) == 0.9767
    assert len(vtr["daily"]) == 30
    first = document["open_flags"][0]
    assert first["evidence"] == {
        "message": "No carrier scan 24 hours after the number was given.",
        "fields": {"hours_without_scan": 30},
    }
    assert {"flag_id", "order_id", "package_id", "code", "severity", "status", "detected_at"} <= set(first)
    assert first["carrier"] == "ups"
    assert [flag["order_id"] for flag in document["resolved_flags"]] == ["o-4"]
    assert document["links"]["csv"] == "/sellers/shop-1/reports/latest?format=csv"


def test_csv_has_one_row_per_flag_with_evidence_and_advice() -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(sample_report()).decode())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(row["order_id"], row["code"], row["status"]) for row in rows] == [
        ("o-1", "NO_CARRIER_SCAN", "open"),
        ("o-2", "NO_CARRIER_SCAN", "open"),
        ("o-3", "DESTINATION_MISMATCH", "open"),
        ("o-4", "INVALID_TRACKING_FORMAT", "resolved"),
    ]
    mismatch = rows[2]
    assert mismatch["carrier"] == "fedex"
    assert mismatch["evidence"] == 'Carrier delivers to 10001, buyer is in <95110> & "CA"'
    assert mismatch["what_to_do"].startswith("Check the label's address")
    assert mismatch["detected_at"] == "2026-11-02T09:00:00+00:00"
    assert mismatch["tracking_number"] == "'=HYPERLINK(1)", "a formula is neutralised"


def test_html_has_vtr_counts_table_rows_and_an_inline_chart() -> None:
    page = render_html(sample_report()).decode()
    assert "93.6%" in page
    assert "97.7%" in page
    assert "below the 95% threshold" in page
    assert '<td class="code">NO_CARRIER_SCAN</td><td>2</td>' in page
    assert "<td>o-2</td><td>p-2</td><td>1Z5R89390357567127</td><td>usps</td><td>NO_CARRIER_SCAN</td>" in page
    assert "2026-11-02 01:00 PST" in page, "since when, in the seller's time zone"
    svg = re.search(r"<svg .*?</svg>", page, re.S)
    assert svg is not None
    assert svg.group(0).count("<rect") == 30
    assert "stroke-dasharray" in svg.group(0), "the 95% line"
    assert "2026-10-24: 75.0% of 20" in svg.group(0)


def test_html_escapes_everything_and_loads_nothing_external() -> None:
    page = render_html(sample_report()).decode()
    assert "&lt;95110&gt; &amp; &quot;CA&quot;" in page
    assert "<95110>" not in page
    assert not re.search(r"""(src|href)\s*=|@import|url\(""", page)
