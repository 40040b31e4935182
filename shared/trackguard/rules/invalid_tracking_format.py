"""INVALID_TRACKING_FORMAT: the number fits no known format of the declared carrier (of any carrier when
none is declared), or its check digit is wrong.

Two things keep this high-severity flag from accusing a good number:
- a number the carrier has physically scanned is proven valid, whatever the format table says (a new
  format, a table gap): the scan is the proof, and it ends the finding;
- a declared carrier whose numbers trackguard does not know (a local post, say) gives no verdict unless
  the number fits one of its formats with a wrong check digit. NO_CARRIER_SCAN still catches a bogus
  number there.
"""

from __future__ import annotations

from trackguard.domain.flags import Evidence, FlagFinding
from trackguard.domain.orders import Order, Package
from trackguard.domain.status import FlagCode, Severity
from trackguard.rules.common import package_finding, seller_center
from trackguard.rules.facts import OrderFacts
from trackguard.tracking import FORMATS, UNDECLARED, NumberVerdict, VerdictKind, judge_number

_CARRIERS_WITH_FORMATS = frozenset(tracking_format.carrier for tracking_format in FORMATS)


def invalid_tracking_format(facts: OrderFacts) -> list[FlagFinding]:
    if facts.is_cancelled:
        return []
    findings = []
    for package in facts.numbered_packages:
        if package.state.first_scan_at is not None:
            continue
        verdict = judge_number(package.tracking_number or "", package.declared_carrier)
        if verdict.kind is VerdictKind.INVALID_FORMAT and _knows_declared_carrier(verdict):
            findings.append(_finding(package, verdict, facts.order))
    return findings


def _knows_declared_carrier(verdict: NumberVerdict) -> bool:
    """Whether trackguard knows enough of the declared carrier's numbers to call this one invalid."""
    declared = verdict.declared_carrier
    return (
        declared == UNDECLARED
        or declared in _CARRIERS_WITH_FORMATS
        or any(match.carrier == declared for match in verdict.matches)
    )


def _finding(package: Package, verdict: NumberVerdict, order: Order | None) -> FlagFinding:
    message = (
        f"Tracking {verdict.explanation()} "
        f"Check the number on the label and upload the correct one in {seller_center(order)}."
    )
    evidence: Evidence = {
        "normalized_number": verdict.normalized,
        "declared_carrier": verdict.declared_carrier,
        "detected_carriers": ",".join(verdict.detected_carriers),
        "verdict": verdict.kind.value,
    }
    return package_finding(package, FlagCode.INVALID_TRACKING_FORMAT, Severity.HIGH, message, evidence)
