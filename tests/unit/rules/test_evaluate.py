"""`evaluate` runs every rule: one planted fault of each code yields exactly those findings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.support.builders import T0, a_package, an_order
from tests.unit.rules.helpers import cancelled, facts_of
from trackguard.domain.orders import Destination, Package, ShipmentState
from trackguard.domain.status import ORDER_CODES, ExceptionReason, FlagCode, TrackingStatus
from trackguard.rules.registry import RULES, evaluate

AS_OF = T0 + timedelta(days=10)  # a Thursday
RECENTLY = AS_OF - timedelta(hours=6)
ORDER = an_order(status="IN_TRANSIT", shipped_at=T0 + timedelta(hours=4))  # buyer in 95110, US


def healthy(package_id: str, number: str, carrier: str = "ups", **state: Any) -> Package:
    """A package a day into a normal journey: scanned, moving, addressed to the buyer."""
    fields: dict[str, Any] = {
        "status": TrackingStatus.IN_TRANSIT,
        "first_event_at": T0 + timedelta(hours=5),
        "first_scan_at": T0 + timedelta(hours=6),
        "last_event_at": RECENTLY,
        "origin_country": "US",
        "destination": Destination(postal_code="95110-2201", country="US"),
    }
    fields.update(state)
    return a_package(
        package_id=package_id,
        tracking_number=number,
        declared_carrier=carrier,
        number_first_seen_at=T0 + timedelta(hours=4),
        state=ShipmentState(**fields),
    )


PLANTED = {
    "p-missing": (FlagCode.MISSING_TRACKING, a_package(package_id="p-missing", tracking_number=None)),
    "p-bad-check-digit": (
        FlagCode.INVALID_TRACKING_FORMAT,
        a_package(package_id="p-bad-check-digit", tracking_number="1Z5R89390357567128"),
    ),
    "p-usps-as-ups": (FlagCode.CARRIER_MISMATCH, healthy("p-usps-as-ups", "9400111206206406260787")),
    "p-duplicate": (FlagCode.DUPLICATE_TRACKING, healthy("p-duplicate", "1Z879E930346834440")),
    "p-no-scan": (
        FlagCode.NO_CARRIER_SCAN,
        healthy("p-no-scan", "1Z410E7W0392751591", status=TrackingStatus.INFO_RECEIVED, first_scan_at=None),
    ),
    "p-early": (
        FlagCode.SCAN_BEFORE_ORDER,
        healthy("p-early", "1Z8V92A70367203024", first_event_at=T0 - timedelta(days=3)),
    ),
    "p-elsewhere": (
        FlagCode.DESTINATION_MISMATCH,
        healthy("p-elsewhere", "986578788855", "fedex", destination=Destination(postal_code="10001")),
    ),
    "p-stalled": (
        FlagCode.STALLED_IN_TRANSIT,
        healthy("p-stalled", "477179081230", "fedex", last_event_at=T0 + timedelta(days=1)),
    ),
    "p-customs": (
        FlagCode.CUSTOMS_HOLD,
        healthy(
            "p-customs",
            "799531274483",
            "fedex",
            status=TrackingStatus.CUSTOMS,
            customs_since=RECENTLY,
            customs_information_requested=True,
        ),
    ),
    "p-lost": (
        FlagCode.DELIVERY_EXCEPTION,
        healthy(
            "p-lost", "790535312317", "fedex", status=TrackingStatus.EXCEPTION, reason=ExceptionReason.LOST
        ),
    ),
}
ELSEWHERE = {"1Z879E930346834440": (("shop-9", "o-77"),)}


def planted_facts() -> Any:
    return facts_of(
        *(package for _, package in PLANTED.values()), order=ORDER, as_of=AS_OF, elsewhere=ELSEWHERE
    )


def test_one_fault_of_every_code_yields_exactly_those_findings() -> None:
    findings = evaluate(planted_facts())

    assert sorted((f.package_id or "", f.code) for f in findings) == sorted(
        (package_id, code) for package_id, (code, _) in PLANTED.items()
    )
    assert {f.code for f in findings} == ORDER_CODES


def test_every_rule_is_run() -> None:
    assert len(RULES) == len(ORDER_CODES)


def test_a_clean_order_yields_nothing() -> None:
    clean = healthy("p-clean", "1Z5R89390357567127")

    assert evaluate(facts_of(clean, order=ORDER, as_of=AS_OF, elsewhere={"1Z5R89390357567127": ()})) == []


def test_a_cancelled_order_yields_nothing() -> None:
    facts = facts_of(
        *(package for _, package in PLANTED.values()),
        order=cancelled(ORDER),
        as_of=AS_OF,
        elsewhere=ELSEWHERE,
    )

    assert evaluate(facts) == []


def test_every_finding_is_json_ready() -> None:
    for finding in evaluate(planted_facts()):
        assert finding.message.endswith(".")
        assert all(
            isinstance(value, str | int | float | bool | type(None)) for value in finding.evidence.values()
        )
