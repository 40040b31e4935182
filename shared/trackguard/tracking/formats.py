"""trackguard's own table of tracking-number formats, and `identify`: every format a number fits.

Each number is normalised (whitespace removed, upper-cased) and matched whole. Only formats whose
length and first character fit are tried: an index on (length, first character) picks a handful of
candidates out of the table before any regex runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, NamedTuple

from trackguard.domain.numbers import normalize_number
from trackguard.tracking import checksums
from trackguard.tracking.carriers import UPU_S10, tracking_url

__all__ = [
    "FEDEX_317",
    "FORMATS",
    "S10_POSTS",
    "FormatMatch",
    "TrackingFormat",
    "identify",
    "identify_normalized",
    "normalize_number",
]
"""What callers use; ``normalize_number`` (the domain's) is part of it, as ``identify`` normalises first."""

CheckVerdict = Literal["pass", "fail", "none"]
MatchCheck = Callable[[re.Match[str]], bool]

DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# ISO 3166 codes of the posts that issue UPU S10 numbers (the dataset's list, plus TW and MO).
# fmt: off
S10_COUNTRIES = frozenset({
    "AE", "AF", "AG", "AL", "AM", "AO", "AR", "AT", "AU", "AZ", "BA", "BB", "BD", "BE", "BF", "BG",
    "BH", "BI", "BJ", "BN", "BO", "BR", "BS", "BT", "BW", "BY", "BZ", "CA", "CD", "CF", "CG", "CH",
    "CI", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ",
    "EC", "EE", "EG", "ER", "ES", "ET", "FI", "FJ", "FR", "GA", "GB", "GD", "GE", "GH", "GM", "GN",
    "GQ", "GR", "GT", "GW", "GY", "HK", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IN", "IQ", "IR",
    "IS", "IT", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KZ", "LA",
    "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MG", "MK",
    "ML", "MM", "MN", "MO", "MR", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NE", "NG", "NI",
    "NL", "NO", "NP", "NR", "NZ", "OM", "PA", "PE", "PG", "PH", "PK", "PL", "PT", "PY", "QA", "RO",
    "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SI", "SK", "SL", "SM", "SN", "SO", "SR",
    "SS", "ST", "SV", "SY", "SZ", "TD", "TG", "TH", "TJ", "TL", "TM", "TN", "TO", "TR", "TT", "TV",
    "TW", "TZ", "UA", "UG", "US", "UY", "UZ", "VA", "VC", "VE", "VN", "VU", "WS", "YE", "ZA", "ZM",
    "ZW",
})
# fmt: on

S10_POSTS: dict[str, str] = {
    "CN": "china_post",
    "GB": "royal_mail",
    "US": "usps",
    "CA": "canada_post",
    "AU": "australia_post",
    "DE": "deutsche_post",
    "FR": "la_poste",
    "JP": "japan_post",
    "KR": "korea_post",
    "HK": "hongkong_post",
    "SG": "singapore_post",
    "NL": "postnl",
    "IE": "an_post",
    "IT": "poste_italiane",
    "ES": "correos",
    "CH": "swiss_post",
    "NZ": "new_zealand_post",
    "IN": "india_post",
    "BR": "correios",
    "MX": "correos_mexico",
}

FEDEX_317 = (3, 1, 7) * 4
FEDEX_173 = (1, 7, 3) * 5


class FormatMatch(NamedTuple):
    """One format a number fits. `valid` is false when its check digit or a required part is wrong.

    A NamedTuple: identification builds many of these, and tuples are the cheapest immutable records.
    """

    carrier: str
    format: str
    valid: bool
    check: CheckVerdict
    number: str
    distinctive: bool

    @property
    def tracking_url(self) -> str:
        return tracking_url(self.carrier, self.number)


@dataclass(frozen=True, slots=True)
class TrackingFormat:
    """A format: whole-string regex, check rule, and the prefilter facts (lengths, first characters).

    `distinctive` formats carry a literal prefix or suffix, so a fit names the carrier even without
    a check digit (TBA…, 1LS…); a bare run of digits without a check digit names no one.
    """

    carrier: str
    name: str
    pattern: re.Pattern[str]
    lengths: Iterable[int]
    first_chars: str
    check: MatchCheck | None = None
    distinctive: bool = True
    carrier_of: Callable[[re.Match[str]], str] | None = None
    parts_valid: MatchCheck | None = None

    def match(self, number: str) -> FormatMatch | None:
        found = self.pattern.fullmatch(number)
        if found is None:
            return None
        verdict: CheckVerdict = "none" if self.check is None else ("pass" if self.check(found) else "fail")
        parts_ok = self.parts_valid is None or self.parts_valid(found)
        carrier = self.carrier if self.carrier_of is None else self.carrier_of(found)
        return FormatMatch(
            carrier, self.name, verdict != "fail" and parts_ok, verdict, number, self.distinctive
        )


def _mod10(evens: int, odds: int, reverse: bool = False, prefix: str = "") -> MatchCheck:
    def check(found: re.Match[str]) -> bool:
        return checksums.mod10(prefix + found["serial"], found["check"], evens, odds, reverse)

    return check


def _prepend_unless_leading(digit: str) -> MatchCheck:
    """OnTrac: the serial gets `digit` in front unless it already starts with it, then mod10 1/2."""

    def check(found: re.Match[str]) -> bool:
        serial = found["serial"]
        serial = serial if serial.startswith(digit) else digit + serial
        return checksums.mod10(serial, found["check"], 1, 2)

    return check


def _usps_legacy(found: re.Match[str]) -> bool:
    serial = found["serial"]
    serial = serial if serial.startswith("91") else "91" + serial
    return checksums.mod10(serial, found["check"], 3, 1)


def _weighted(weights: tuple[int, ...]) -> MatchCheck:
    def check(found: re.Match[str]) -> bool:
        return checksums.weighted(found["serial"], found["check"], weights[: len(found["serial"])], 11, 10)

    return check


def _simple(check: Callable[[str, str], bool]) -> MatchCheck:
    def run(found: re.Match[str]) -> bool:
        return check(found["serial"], found["check"])

    return run


def _s10_country_known(found: re.Match[str]) -> bool:
    return found["country"] in S10_COUNTRIES


def _s10_post(found: re.Match[str]) -> str:
    return S10_POSTS.get(found["country"], UPU_S10)


_ZIP = r"(?:420(?:\d{9}(?=\d{22}$)|\d{5}))?"
_IMPB_SHIPPER_AND_PACKAGE = r"(?:9\d{8}(?:\d{15}|\d{11}|\d{7})|[0-8]\d{5}(?:\d{14}|\d{10}))"
_IMPB_C_SHIPPER_AND_PACKAGE = r"(?:9\d{8}(?:\d{11}|\d{7})|[0-8]\d{5}(?:\d{14}|\d{10}))"


def _fmt(
    carrier: str,
    name: str,
    regex: str,
    lengths: Iterable[int],
    first_chars: str,
    *,
    check: MatchCheck | None = None,
    distinctive: bool = True,
    carrier_of: Callable[[re.Match[str]], str] | None = None,
    parts_valid: MatchCheck | None = None,
) -> TrackingFormat:
    return TrackingFormat(
        carrier,
        name,
        re.compile(regex),
        tuple(lengths),
        first_chars,
        check,
        distinctive,
        carrier_of,
        parts_valid,
    )


FORMATS: tuple[TrackingFormat, ...] = (
    _fmt("ups", "UPS", r"1Z(?P<serial>[0-9A-Z]{15})(?P<check>\d)", [18], "1", check=_mod10(1, 2)),
    _fmt("ups", "UPS Waybill", r"[AHJKTV](?P<serial>\d{9})(?P<check>\d)", [11], "AHJKTV", check=_mod10(1, 2)),
    _fmt(
        "fedex",
        "FedEx Express (12)",
        r"(?P<serial>\d{11})(?P<check>\d)",
        [12],
        DIGITS,
        check=_weighted(FEDEX_317),
    ),
    _fmt(
        "fedex",
        "FedEx Express (34)",
        r"[0-8]\d{14}\d{5}(?P<serial>\d{13})(?P<check>\d)",
        [34],
        "012345678",
        check=_weighted(FEDEX_173),
    ),
    _fmt(
        "fedex",
        "FedEx ASTRA (32)",
        r"3\d{15}(?P<serial>\d{11})(?P<check>\d)\d{4}",
        [32],
        "3",
        check=_weighted(FEDEX_317),
    ),
    _fmt("fedex", "FedEx Ground (15)", r"(?P<serial>\d{14})(?P<check>\d)", [15], DIGITS, check=_mod10(1, 3)),
    _fmt(
        "fedex",
        "FedEx Ground SSCC-18",
        r"\d\d(?P<serial>\d{15})(?P<check>\d)",
        [18],
        DIGITS,
        check=_mod10(3, 1),
    ),
    _fmt(
        "fedex",
        "FedEx Ground 96 (22)",
        r"96\d{5}(?P<serial>\d{14})(?P<check>\d)",
        [22],
        "9",
        check=_mod10(1, 3),
    ),
    _fmt(
        "fedex",
        "FedEx Ground GSN (34)",
        r"96\d{18}(?P<serial>\d{13})(?P<check>\d)",
        [34],
        "9",
        check=_weighted(FEDEX_173),
    ),
    _fmt("usps", "USPS 20", r"(?P<serial>\d{19})(?P<check>\d)", [20], DIGITS, check=_mod10(3, 1)),
    _fmt(
        "usps",
        "USPS IMpb N",
        r"(?:420(?:\d{9}(?=\d{22}$)|\d{5}(?=\d{22}$|\d{26}$)))?(?P<serial>94\d{3}"
        + _IMPB_SHIPPER_AND_PACKAGE
        + r")(?P<check>\d)",
        [22, 26, 30, 34],
        "49",
        check=_mod10(3, 1, reverse=True),
    ),
    _fmt(
        "usps",
        "USPS IMpb C",
        _ZIP
        + r"(?P<serial>(?:92(?=\d{3}9)|93(?=\d{3}[0-8])|95)\d{3}"
        + _IMPB_C_SHIPPER_AND_PACKAGE
        + r")(?P<check>\d)",
        [22, 26, 30, 34],
        "49",
        check=_mod10(3, 1),
    ),
    _fmt(
        "usps",
        "USPS Legacy",
        r"(?:420(?:\d{9}|\d{5}))?(?P<serial>(?:91)?\d{19})(?P<check>\d)",
        [20, 22, 28, 30, 32, 34],
        DIGITS,
        check=_usps_legacy,
    ),
    _fmt(
        UPU_S10,
        "UPU S10",
        r"[A-Z]{2}(?P<serial>\d{8})(?P<check>\d)(?P<country>[A-Z]{2})",
        [13],
        LETTERS,
        check=_simple(checksums.s10),
        carrier_of=_s10_post,
        parts_valid=_s10_country_known,
    ),
    _fmt(
        "dhl",
        "DHL Express",
        r"(?P<serial>\d{9,10})(?P<check>\d)",
        [10, 11],
        DIGITS,
        check=_simple(checksums.mod7),
    ),
    _fmt("dhl", "DHL Express Piece ID", r"J[A-Z]{2,3}\d{9,10}", range(12, 15), "J"),
    _fmt(
        "dhl_ecommerce",
        "DHL eCommerce",
        r"(?:GM|LX|RX|UV|CN|SG|TH|IN|HK|MY)(?=[A-Z]*\d)[0-9A-Z]{10,39}",
        range(12, 42),
        "GLRUCSTIHM",
    ),
    _fmt("dhl_ecommerce", "DHL eCommerce (14)", r"\d{14}", [14], DIGITS, distinctive=False),
    _fmt(
        "canada_post",
        "Canada Post (16)",
        r"(?P<serial>\d{15})(?P<check>\d)",
        [16],
        DIGITS,
        check=_mod10(3, 1),
    ),
    _fmt("canpar", "Canpar (22)", r"[CDKLSUXZ]\d{21}", [22], "CDKLSUXZ"),
    _fmt(
        "dpd",
        "DPD (28)",
        r"(?P<serial>\d{27})(?P<check>[0-9A-Z])",
        [28],
        DIGITS,
        check=_simple(checksums.mod37_36),
    ),
    _fmt(
        "dpd",
        "DPD (14)",
        r"(?P<serial>\d{14})(?P<check>[0-9A-Z])",
        [15],
        DIGITS,
        check=_simple(checksums.mod37_36),
    ),
    _fmt("gofo", "GOFO Express (US)", r"GFUS\d{14}", [18], "G"),
    _fmt("landmark", "Landmark Global LTN", r"LTN\d{8}N1", [13], "L"),
    _fmt("lasership", "LaserShip LX", r"L[AIEHNX][1-3]\d{7}", [10], "L"),
    _fmt("lasership", "LaserShip 1LS7 (15)", r"1LS7[12]\d{10}", [15], "1"),
    _fmt("lasership", "LaserShip 1LS7 (18)", r"1LS7[12]\d\d01[1-4]\d{6}-1", [18], "1"),
    _fmt("lasership", "LaserShip 1LSCX (15)", r"1LSCX[0-9A-Z]{10}", [15], "1"),
    _fmt(
        "old_dominion",
        "Old Dominion",
        r"(?P<serial>(?:77[78]|072|780)\d{7})(?P<check>\d)",
        [11],
        "07",
        check=_simple(checksums.luhn),
    ),
    _fmt(
        "old_dominion",
        "Old Dominion Guaranteed",
        r"(?P<serial>80\d{8})(?P<check>\d)",
        [11],
        "8",
        check=_simple(checksums.luhn),
    ),
    _fmt(
        "ontrac",
        "OnTrac C",
        r"C(?P<serial>\d{13})(?P<check>\d)",
        [15],
        "C",
        check=_prepend_unless_leading("4"),
    ),
    _fmt(
        "ontrac",
        "OnTrac D",
        r"D(?P<serial>\d{13})(?P<check>\d)",
        [15],
        "D",
        check=_prepend_unless_leading("5"),
    ),
    _fmt(
        "purolator",
        "Purolator (12)",
        r"(?P<serial>[0-5]\d{10})(?P<check>\d)",
        [12],
        "012345",
        check=_simple(checksums.luhn),
    ),
    _fmt("purolator", "Purolator (alpha + 9)", r"[A-Z]{3}\d{9}", [12], LETTERS, distinctive=False),
    _fmt("speedee", "Spee-Dee (20)", r"SP\d{18}", [20], "S"),
    _fmt("yodel", "Yodel", r"JJ?D\d{16}", [18, 19], "J"),
    _fmt("amazon", "Amazon Logistics", r"TB[ACM]\d{12}", [15], "T"),
    _fmt("amazon", "Amazon International", r"[AFC]\d{10}", [11], "AFC", distinctive=False),
    _fmt("yunexpress", "YunExpress", r"YT\d{16}", [18], "Y"),
    _fmt("yto", "YTO Express", r"YT\d{13}", [15], "Y"),
    _fmt("cainiao", "Cainiao LP", r"LP\d{14}", [16], "L"),
    _fmt("cainiao", "Cainiao (23)", r"\d{23}", [23], DIGITS, distinctive=False),
    _fmt("4px", "4PX", r"4PX\d{13}CN", [18], "4"),
    _fmt("4px", "4PX (12)", r"\d{12}", [12], DIGITS, distinctive=False),
    _fmt("sf_express", "SF Express", r"SF[0-9A-Z]\d{12}", [15], "S"),
    _fmt("jt_express", "J&T Express", r"JT\d{13}", [15], "J"),
    _fmt("yanwen", "Yanwen", r"[A-Z]{2}\d{9}Y[NP]", [13], LETTERS),
)


def _build_index(formats: Iterable[TrackingFormat]) -> dict[tuple[int, str], tuple[TrackingFormat, ...]]:
    index: dict[tuple[int, str], list[TrackingFormat]] = {}
    for tracking_format in formats:
        for length in tracking_format.lengths:
            for first_char in tracking_format.first_chars:
                index.setdefault((length, first_char), []).append(tracking_format)
    return {key: tuple(candidates) for key, candidates in index.items()}


_CANDIDATES = _build_index(FORMATS)


def identify_normalized(number: str) -> tuple[FormatMatch, ...]:
    if not number:
        return ()
    matches = []
    for candidate in _CANDIDATES.get((len(number), number[0]), ()):
        found = candidate.match(number)
        if found is not None:
            matches.append(found)
    return tuple(matches)


def identify(raw: str) -> tuple[FormatMatch, ...]:
    """Every format the number fits, valid ones and those whose check digit fails alike."""
    return identify_normalized(normalize_number(raw))
