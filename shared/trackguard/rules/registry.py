"""Every rule, in the order CONTRACT §4 lists them, and the one call that runs them all."""

from __future__ import annotations

from trackguard.domain.flags import FlagFinding
from trackguard.rules.carrier_mismatch import carrier_mismatch
from trackguard.rules.customs_hold import customs_hold
from trackguard.rules.delivery_exception import delivery_exception
from trackguard.rules.destination_mismatch import destination_mismatch
from trackguard.rules.duplicate_tracking import duplicate_tracking
from trackguard.rules.facts import OrderFacts, Rule
from trackguard.rules.invalid_tracking_format import invalid_tracking_format
from trackguard.rules.missing_tracking import missing_tracking
from trackguard.rules.no_carrier_scan import no_carrier_scan
from trackguard.rules.scan_before_order import scan_before_order
from trackguard.rules.stalled_in_transit import stalled_in_transit

RULES: tuple[Rule, ...] = (
    missing_tracking,
    invalid_tracking_format,
    carrier_mismatch,
    duplicate_tracking,
    no_carrier_scan,
    scan_before_order,
    destination_mismatch,
    stalled_in_transit,
    customs_hold,
    delivery_exception,
)


def evaluate(facts: OrderFacts) -> list[FlagFinding]:
    """Every finding of every rule."""
    return [finding for rule in RULES for finding in rule(facts)]
