"""DELIVERY_EXCEPTION: the carrier reports an exception, a failed delivery, a return, loss or damage."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.builders import T0
from tests.unit.rules.helpers import a_package_in, cancelled, facts_of
from trackguard.domain.orders import Package
from trackguard.domain.status import ExceptionReason, FlagCode, Severity, TrackingStatus
from trackguard.rules.delivery_exception import delivery_exception

AS_OF = T0 + timedelta(days=4)
EVENT_AT = T0 + timedelta(days=3)


def reporting(status: TrackingStatus, reason: ExceptionReason | None = None) -> Package:
    return a_package_in(
        status=status,
        reason=reason,
        first_scan_at=T0,
        last_event_at=EVENT_AT,
        last_source_code="X1",
        last_description="Carrier says so",
    )


@pytest.mark.parametrize(
    ("reason", "severity"),
    [
        (ExceptionReason.LOST, Severity.HIGH),
        (ExceptionReason.DAMAGED, Severity.HIGH),
        (ExceptionReason.RETURNED, Severity.HIGH),
        (ExceptionReason.RETURNING, Severity.MEDIUM),
        (ExceptionReason.REFUSED, Severity.MEDIUM),
        (ExceptionReason.ADDRESS_PROBLEM, Severity.MEDIUM),
        (ExceptionReason.OTHER, Severity.MEDIUM),
        (None, Severity.MEDIUM),
    ],
)
def test_an_exception(reason: ExceptionReason | None, severity: Severity) -> None:
    [finding] = delivery_exception(facts_of(reporting(TrackingStatus.EXCEPTION, reason), as_of=AS_OF))

    assert finding.code is FlagCode.DELIVERY_EXCEPTION
    assert finding.severity is severity
    assert finding.evidence == {
        "carrier_status": "EXCEPTION",
        "reason": reason.value if reason else None,
        "carrier_code": "X1",
        "carrier_description": "Carrier says so",
        "last_event_at": EVENT_AT.isoformat(),
    }
    assert 'for tracking 1Z5R89390357567127: "Carrier says so".' in finding.message


def test_the_message_names_the_reason_and_the_next_step() -> None:
    [finding] = delivery_exception(
        facts_of(reporting(TrackingStatus.EXCEPTION, ExceptionReason.LOST), as_of=AS_OF)
    )

    assert "an exception (lost)" in finding.message
    assert "Open a claim with the carrier" in finding.message


def test_a_failed_delivery() -> None:
    [finding] = delivery_exception(facts_of(reporting(TrackingStatus.DELIVERY_FAILED), as_of=AS_OF))

    assert finding.severity is Severity.MEDIUM
    assert "a failed delivery attempt" in finding.message


def test_a_customs_exception_belongs_to_customs_hold() -> None:
    package = reporting(TrackingStatus.EXCEPTION, ExceptionReason.CUSTOMS)

    assert delivery_exception(facts_of(package, as_of=AS_OF)) == []


@pytest.mark.parametrize(
    "status", [TrackingStatus.IN_TRANSIT, TrackingStatus.OUT_FOR_DELIVERY, TrackingStatus.DELIVERED]
)
def test_no_problem_no_finding(status: TrackingStatus) -> None:
    assert delivery_exception(facts_of(reporting(status), as_of=AS_OF)) == []


def test_a_later_delivery_ends_it() -> None:
    failed = reporting(TrackingStatus.DELIVERY_FAILED)
    delivered = failed.model_copy(
        update={"state": failed.state.model_copy(update={"status": TrackingStatus.DELIVERED})}
    )

    assert len(delivery_exception(facts_of(failed, as_of=AS_OF))) == 1
    assert delivery_exception(facts_of(delivered, as_of=AS_OF)) == []


def test_cancelled_orders_give_no_findings() -> None:
    package = reporting(TrackingStatus.EXCEPTION, ExceptionReason.LOST)

    assert delivery_exception(facts_of(package, order=cancelled(), as_of=AS_OF)) == []
