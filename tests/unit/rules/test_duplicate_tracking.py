"""DUPLICATE_TRACKING: the same number on another order, unless the platform combined the orders."""

from __future__ import annotations

from tests.support.builders import a_package
from tests.unit.rules.helpers import cancelled, facts_of
from trackguard.domain.status import FlagCode, Severity
from trackguard.rules.duplicate_tracking import duplicate_tracking

NUMBER = "1Z5R89390357567127"


def test_a_number_on_another_order_of_the_same_seller() -> None:
    facts = facts_of(a_package(), elsewhere={NUMBER: (("shop-1", "o-9"),)})

    [finding] = duplicate_tracking(facts)

    assert finding.code is FlagCode.DUPLICATE_TRACKING
    assert finding.severity is Severity.HIGH
    assert finding.package_id == "p-1"
    assert finding.tracking_number == NUMBER
    assert "order o-9" in finding.message
    assert finding.evidence == {"other_orders_of_this_seller": "o-9", "orders_of_other_sellers": 0}


def test_other_sellers_orders_are_counted_but_not_named() -> None:
    facts = facts_of(a_package(), elsewhere={NUMBER: (("shop-2", "secret-1"), ("shop-3", "secret-2"))})

    [finding] = duplicate_tracking(facts)

    assert "secret" not in finding.message
    assert "2 order(s) of other sellers" in finding.message
    assert finding.evidence["orders_of_other_sellers"] == 2


def test_orders_combined_in_one_package_by_the_platform_are_not_duplicates() -> None:
    package = a_package(combined_order_ids=("o-9",))

    assert duplicate_tracking(facts_of(package, elsewhere={NUMBER: (("shop-1", "o-9"),)})) == []


def test_a_combined_order_id_does_not_cover_another_sellers_order() -> None:
    package = a_package(combined_order_ids=("o-9",))

    assert len(duplicate_tracking(facts_of(package, elsewhere={NUMBER: (("shop-2", "o-9"),)}))) == 1


def test_a_combination_covers_only_the_orders_combined() -> None:
    package = a_package(combined_order_ids=("o-9",))
    facts = facts_of(package, elsewhere={NUMBER: (("shop-1", "o-9"), ("shop-1", "o-7"))})

    [finding] = duplicate_tracking(facts)

    assert finding.evidence["other_orders_of_this_seller"] == "o-7"


def test_numbers_are_compared_without_spaces_or_case() -> None:
    package = a_package(tracking_number="1z5r 8939 0357 5671 27")

    assert len(duplicate_tracking(facts_of(package, elsewhere={NUMBER: (("shop-1", "o-9"),)}))) == 1


def test_a_number_nowhere_else_is_fine() -> None:
    assert duplicate_tracking(facts_of(a_package(), elsewhere={NUMBER: ()})) == []
    assert duplicate_tracking(facts_of(a_package(), elsewhere={"OTHER123": (("shop-1", "o-9"),)})) == []


def test_a_corrected_number_ends_it() -> None:
    corrected = a_package(tracking_number="9400111899223197428490")

    assert duplicate_tracking(facts_of(corrected, elsewhere={NUMBER: (("shop-1", "o-9"),)})) == []


def test_packages_without_numbers_are_ignored() -> None:
    assert duplicate_tracking(facts_of(a_package(tracking_number=None), elsewhere={"": (("s", "o"),)})) == []


def test_cancelled_orders_give_no_findings() -> None:
    facts = facts_of(a_package(), order=cancelled(), elsewhere={NUMBER: (("shop-1", "o-9"),)})

    assert duplicate_tracking(facts) == []
