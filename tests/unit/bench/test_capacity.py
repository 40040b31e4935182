"""docs/capacity.md traces to the bench's figures: each rate is a per-1,000-order figure scaled, and a
document without the metered day is not written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import capacity

DAY = {
    "day_orders": 60.0,
    "cost_usd_per_1000_orders": 0.5,
    "cost_usd_per_1000_orders_aws": 0.05,
    "day_invocations_per_1000_orders_processor": 2000.0,
    "day_billed_ms_per_invocation_processor": 50.0,
    "day_invocations_per_1000_orders_report_worker": 40.0,
    "day_billed_ms_per_invocation_report_worker": 900.0,
    "day_17track_registrations_per_1000_orders": 200.0,
}


def peak_rate(per_1000_orders: float, orders_per_day: int) -> float:
    """A per-1,000-orders figure as a rate in the peak hour, worked out as the document says."""
    return per_1000_orders * orders_per_day / 1000 * capacity.ASSUMPTIONS["peak_factor"] / 86_400


def test_concurrency_is_the_peak_invocation_rate_times_the_billed_duration() -> None:
    figures = capacity.Figures(DAY, 1_000_000)

    assert figures.concurrency("processor") == pytest.approx(peak_rate(2000.0, 1_000_000) * 0.050)
    assert figures.concurrency("report_worker") == pytest.approx(peak_rate(40.0, 1_000_000) * 0.900)


def test_every_function_that_runs_per_order_counts_towards_the_account_concurrency() -> None:
    figures = capacity.Figures(DAY, 10_000_000)
    lambda_check = next(check for check in figures.checks() if check.name.startswith("Lambda"))

    expected = figures.concurrency("processor") + figures.concurrency("report_worker")
    assert lambda_check.demand == pytest.approx(expected)


def test_the_first_limit_named_is_the_most_used_one() -> None:
    document = capacity.document(DAY)
    figures = capacity.Figures(DAY, 100_000)
    most_used = max(figures.checks(), key=lambda check: check.used)

    assert f"- **100,000 orders/day**: {most_used.name} at {most_used.used:.0%}" in document


def test_the_cost_per_order_is_the_measured_cost_per_1000_orders() -> None:
    document = capacity.document(DAY)

    assert "trackguard all in: $0.00050 an order (AWS $0.00005" in document


def test_without_the_metered_day_the_document_is_left_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results, document = tmp_path / "results.json", tmp_path / "capacity.md"
    results.write_text(json.dumps({"ingest_handler_median_ms": 5.0}), encoding="utf-8")
    document.write_text("the last full run's document", encoding="utf-8")
    monkeypatch.setattr(capacity, "RESULTS", results)
    monkeypatch.setattr(capacity, "DOCUMENT", document)

    with pytest.raises(capacity.MissingFiguresError, match="cost_usd_per_1000_orders, day_orders"):
        capacity.write()

    assert document.read_text(encoding="utf-8") == "the last full run's document"


def test_with_the_metered_day_the_document_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results, document = tmp_path / "results.json", tmp_path / "capacity.md"
    results.write_text(json.dumps(DAY), encoding="utf-8")
    monkeypatch.setattr(capacity, "RESULTS", results)
    monkeypatch.setattr(capacity, "DOCUMENT", document)

    capacity.write()

    assert document.read_text(encoding="utf-8") == capacity.document(DAY)
    assert "metered demo day (60 orders" in document.read_text(encoding="utf-8")
