"""trackguard's own vectors: a valid number is built for every format with its check algorithm."""

import pytest

from trackguard.tracking import FORMATS, FormatMatch, identify, normalize_number
from trackguard.tracking.checksums import (
    luhn_check_digit,
    mod10_check_digit,
    mod37_36_check_char,
    s10_check_digit,
    weighted_check_digit,
)

FEDEX_317 = (3, 1, 7) * 4
FEDEX_173 = (1, 7, 3) * 5


def _mod10(serial: str, evens: int, odds: int, reverse: bool = False) -> str:
    return str(mod10_check_digit(serial, evens, odds, reverse))


def _fedex(serial: str, weights: tuple[int, ...]) -> str:
    return str(weighted_check_digit(serial, weights[: len(serial)], 11, 10))


def _s10(prefix: str, serial: str, country: str) -> str:
    return f"{prefix}{serial}{s10_check_digit(serial)}{country}"


def _ontrac(letter: str, implied: str, serial: str) -> str:
    return f"{letter}{serial}{_mod10(implied + serial, 1, 2)}"


# format name -> (carrier, a valid number built here, the check digit's index or None)
CHECKED: dict[str, tuple[str, str, int]] = {
    "UPS": ("ups", "1Z" + "A1B2C3" + "01" + "7654321" + _mod10("A1B2C30" + "17654321", 1, 2), 17),
    "UPS Waybill": ("ups", "K" + "123456789" + _mod10("123456789", 1, 2), 10),
    "FedEx Express (12)": ("fedex", "12345678901" + _fedex("12345678901", FEDEX_317), 11),
    "FedEx Express (34)": (
        "fedex",
        "1" + "00000000000000" + "90210" + "1234567890123" + _fedex("1234567890123", FEDEX_173),
        33,
    ),
    "FedEx ASTRA (32)": (
        "fedex",
        "3" + "1" * 15 + "12345678901" + _fedex("12345678901", FEDEX_317) + "2014",
        27,
    ),
    "FedEx Ground SSCC-18": ("fedex", "00" + "123456789012345" + _mod10("123456789012345", 3, 1), 17),
    "FedEx Ground 96 (22)": ("fedex", "96" + "12345" + "12345678901234" + _mod10("12345678901234", 1, 3), 21),
    "FedEx Ground GSN (34)": (
        "fedex",
        "96" + "1" * 18 + "1234567890123" + _fedex("1234567890123", FEDEX_173),
        33,
    ),
    "USPS IMpb N": (
        "usps",
        "94001" + "123456" + "1234567890" + _mod10("940011234561234567890", 3, 1, True),
        21,
    ),
    "USPS IMpb C": ("usps", "92612" + "912345678" + "1234567" + _mod10("926129123456781234567", 3, 1), 21),
    "USPS Legacy": (
        "usps",
        "9101" + "123456789" + "12345678" + _mod10("9101123456789" + "12345678", 3, 1),
        21,
    ),
    "UPU S10": ("china_post", _s10("LX", "47312482", "CN"), 10),
    "DHL Express": ("dhl", "123456789" + str(123456789 % 7), 9),
    "Canada Post (16)": ("canada_post", "123456789012345" + _mod10("123456789012345", 3, 1), 15),
    "DPD (28)": ("dpd", "0" * 20 + "1013276" + mod37_36_check_char("0" * 20 + "1013276"), 27),
    "DPD (14)": ("dpd", "12345678901234" + mod37_36_check_char("12345678901234"), 14),
    "Old Dominion": ("old_dominion", "0721234567" + str(luhn_check_digit("0721234567")), 10),
    "Old Dominion Guaranteed": ("old_dominion", "8012345678" + str(luhn_check_digit("8012345678")), 10),
    "OnTrac C": ("ontrac", _ontrac("C", "4", "1234567890123"), 14),
    "OnTrac D": ("ontrac", _ontrac("D", "5", "1234567890123"), 14),
    "Purolator (12)": ("purolator", "12345678901" + str(luhn_check_digit("12345678901")), 11),
}
# Formats that share a shape with another checked format get their own vector here.
CHECKED_SHARED_SHAPE: dict[str, tuple[str, str, int]] = {
    "FedEx Ground (15)": ("fedex", "98765432109876" + _mod10("98765432109876", 1, 3), 14),
    "USPS 20": ("usps", "0312345678912345678" + _mod10("0312345678912345678", 3, 1), 19),
}
UNCHECKED: dict[str, tuple[str, str]] = {
    "DHL Express Piece ID": ("dhl", "JVGL1234567890"),
    "DHL eCommerce": ("dhl_ecommerce", "GM1234567890ABCD"),
    "DHL eCommerce (14)": ("dhl_ecommerce", "12345678901234"),
    "Canpar (22)": ("canpar", "D" + "1" * 21),
    "GOFO Express (US)": ("gofo", "GFUS" + "2" * 14),
    "Landmark Global LTN": ("landmark", "LTN12345678N1"),
    "LaserShip LX": ("lasership", "LX21234567"),
    "LaserShip 1LS7 (15)": ("lasership", "1LS7" + "1" + "1234567890"),
    "LaserShip 1LS7 (18)": ("lasership", "1LS71" + "23" + "012" + "123456" + "-1"),
    "LaserShip 1LSCX (15)": ("lasership", "1LSCX" + "AB12CD34EF"),
    "Purolator (alpha + 9)": ("purolator", "ABC123456789"),
    "Spee-Dee (20)": ("speedee", "SP" + "3" * 18),
    "Yodel": ("yodel", "JJD" + "4" * 16),
    "Amazon Logistics": ("amazon", "TBM" + "5" * 12),
    "Amazon International": ("amazon", "A1234567890"),
    "YunExpress": ("yunexpress", "YT" + "6" * 16),
    "YTO Express": ("yto", "YT" + "7" * 13),
    "Cainiao LP": ("cainiao", "LP" + "8" * 14),
    "Cainiao (23)": ("cainiao", "1" * 23),
    "4PX": ("4px", "4PX" + "9" * 13 + "CN"),
    "4PX (12)": ("4px", "1" * 12),
    "SF Express": ("sf_express", "SF1" + "2" * 12),
    "J&T Express": ("jt_express", "JT" + "3" * 13),
    "Yanwen": ("yanwen", "AC" + "4" * 9 + "YN"),
}


def _another(char: str) -> str:
    alphabet = "0123456789" if char.isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return alphabet[(alphabet.index(char) + 1) % len(alphabet)]


def _fit(number: str, format_name: str) -> list[FormatMatch]:
    return [match for match in identify(number) if match.format == format_name]


def test_every_format_has_a_vector() -> None:
    covered = set(CHECKED) | set(CHECKED_SHARED_SHAPE) | set(UNCHECKED)
    assert {fmt.name for fmt in FORMATS} == covered


@pytest.mark.parametrize("format_name", [*CHECKED, *CHECKED_SHARED_SHAPE])
def test_checked_vector_passes_and_a_changed_check_digit_fails(format_name: str) -> None:
    carrier, number, check_index = {**CHECKED, **CHECKED_SHARED_SHAPE}[format_name]
    [good] = [match for match in identify(number) if match.format == format_name]
    assert (good.carrier, good.check, good.valid) == (carrier, "pass", True)
    corrupted = number[:check_index] + _another(number[check_index]) + number[check_index + 1 :]
    [bad] = [match for match in identify(corrupted) if match.format == format_name]
    assert (bad.check, bad.valid) == ("fail", False)


@pytest.mark.parametrize("format_name", UNCHECKED)
def test_unchecked_vector_fits_without_check_digit(format_name: str) -> None:
    carrier, number = UNCHECKED[format_name]
    [match] = [match for match in identify(number) if match.format == format_name]
    assert (match.carrier, match.check, match.valid) == (carrier, "none", True)


def test_s10_worked_example_from_the_reference() -> None:
    assert s10_check_digit("47312482") == 9


@pytest.mark.parametrize(
    ("serial", "check"),
    [("00000000", 5), ("00004000", 0)],
    ids=["remainder 0 gives 5", "remainder 1 gives 0"],
)
def test_s10_remainder_edge_cases(serial: str, check: int) -> None:
    assert s10_check_digit(serial) == check
    [match] = [match for match in identify(f"RR{serial}{check}GB") if match.format == "UPU S10"]
    assert (match.carrier, match.valid) == ("royal_mail", True)


@pytest.mark.parametrize(
    ("country", "carrier"), [("CN", "china_post"), ("US", "usps"), ("CA", "canada_post")]
)
def test_s10_belongs_to_the_post_of_its_country(country: str, carrier: str) -> None:
    [match] = _fit(_s10("EE", "12345678", country), "UPU S10")
    assert match.carrier == carrier


def test_s10_of_a_post_without_a_slug_is_upu_s10() -> None:
    [match] = _fit(_s10("RR", "12345678", "ZA"), "UPU S10")
    assert (match.carrier, match.valid) == ("upu_s10", True)


def test_s10_with_unknown_country_is_invalid_though_its_check_digit_passes() -> None:
    [match] = _fit(_s10("RR", "12345678", "XX"), "UPU S10")
    assert (match.check, match.valid) == ("pass", False)


@pytest.mark.parametrize(
    "spelling", ["  1z a1b2c3 01 7654321 {d}", "1za1b2c3017654321{d}", "1Z\tA1B2C3\n017654321{d} "]
)
def test_lower_case_and_spaced_input_is_normalised(spelling: str) -> None:
    number = CHECKED["UPS"][1]
    raw = spelling.format(d=number[-1])
    assert normalize_number(raw) == number
    assert [(match.carrier, match.valid) for match in identify(raw)] == [("ups", True)]


def test_a_number_fitting_several_formats_returns_them_all() -> None:
    number = CHECKED["FedEx Express (12)"][1]
    formats = {match.format for match in identify(number)}
    assert {"FedEx Express (12)", "4PX (12)"} <= formats


@pytest.mark.parametrize("garbage", ["", "   ", "HELLO", "1Z", "!!!!!!!!!!!!", "1Z5R8939035756712"])
def test_text_that_fits_nothing_has_no_matches(garbage: str) -> None:
    assert identify(garbage) == ()


def test_tracking_url_carries_the_normalised_number() -> None:
    [match] = identify("tba 555555555555")
    assert match.tracking_url.endswith("TBA555555555555")
