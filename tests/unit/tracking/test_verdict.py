import pytest

from trackguard.tracking import UNDECLARED, VerdictKind, judge_number
from trackguard.tracking.checksums import mod10_check_digit, s10_check_digit

UPS_VALID = "1ZA1B2C3017654321" + str(mod10_check_digit("A1B2C3017654321", 1, 2))
UPS_BAD_CHECK = UPS_VALID[:-1] + str((int(UPS_VALID[-1]) + 1) % 10)
CHINA_POST = f"LX12345678{s10_check_digit('12345678')}CN"


@pytest.mark.parametrize(
    ("number", "declared", "kind"),
    [
        (UPS_VALID, "ups", VerdictKind.VALID),
        (UPS_VALID, UNDECLARED, VerdictKind.VALID),
        (UPS_BAD_CHECK, "ups", VerdictKind.INVALID_FORMAT),
        (UPS_BAD_CHECK, UNDECLARED, VerdictKind.INVALID_FORMAT),
        (UPS_VALID, "fedex", VerdictKind.CARRIER_MISMATCH),
        ("TBA123456789012", "amazon", VerdictKind.PLAUSIBLE),
        ("TBA123456789012", UNDECLARED, VerdictKind.PLAUSIBLE),
        ("TBA123456789012", "usps", VerdictKind.CARRIER_MISMATCH),
        ("12345678901234", "usps", VerdictKind.INVALID_FORMAT),
        ("NOT-A-NUMBER", UNDECLARED, VerdictKind.INVALID_FORMAT),
        (CHINA_POST, "china_post", VerdictKind.VALID),
        (CHINA_POST, "usps", VerdictKind.PLAUSIBLE),
        (CHINA_POST, "ups", VerdictKind.CARRIER_MISMATCH),
        ("GM1234567890ABCD", "dhl", VerdictKind.PLAUSIBLE),
        ("GM1234567890ABCD", "dhl_ecommerce", VerdictKind.PLAUSIBLE),
        ("RR123456785XX", "royal_mail", VerdictKind.INVALID_FORMAT),
    ],
)
def test_verdict_kind(number: str, declared: str, kind: VerdictKind) -> None:
    assert judge_number(number, declared).kind is kind


def test_undeclared_valid_verdict_names_the_detected_carrier() -> None:
    verdict = judge_number(UPS_VALID.lower())
    assert verdict.normalized == UPS_VALID
    assert verdict.declared_carrier == UNDECLARED
    assert verdict.detected_carriers == ("ups",)
    assert verdict.explanation() == f"{UPS_VALID} is a valid UPS tracking number."


def test_wrong_check_digit_is_explained() -> None:
    explanation = judge_number(UPS_BAD_CHECK, "ups").explanation()
    assert explanation == f"{UPS_BAD_CHECK} looks like a UPS number but its check digit is wrong."


def test_mismatch_names_both_carriers() -> None:
    explanation = judge_number("TBA123456789012", "usps").explanation()
    assert explanation == "TBA123456789012 looks like an Amazon Logistics number, not a USPS one."


def test_dhl_sibling_is_noted_not_flagged() -> None:
    verdict = judge_number("GM1234567890ABCD", "dhl")
    assert verdict.detected_carriers == ("dhl_ecommerce",)
    assert "DHL eCommerce" in verdict.explanation()
    assert "related service" in verdict.explanation()


def test_valid_matches_come_first_in_detected_carriers() -> None:
    verdict = judge_number("RR123456785YN")
    fits = [(match.carrier, match.valid) for match in verdict.matches]
    assert fits == [("upu_s10", False), ("yanwen", True)]
    assert verdict.detected_carriers == ("yanwen", "upu_s10")


def test_no_fit_for_declared_carrier_is_explained() -> None:
    assert judge_number("12345678901234", "usps").explanation() == (
        "12345678901234 does not match any USPS tracking number format."
    )


def test_verdict_is_frozen() -> None:
    verdict = judge_number(UPS_VALID, "ups")
    with pytest.raises(AttributeError):
        verdict.kind = VerdictKind.INVALID_FORMAT  # type: ignore[misc]
