"""Comparing the carrier's destination with the buyer's address: countries and postal codes.

Platforms and carriers write the same place differently: case, spaces, hyphens, US ZIP+4, a ZIP stored
as a number ("501" for "00501"), ISO3 country codes, a carrier that gives only the first part of a code
(a 3-digit ZIP, a UK outward code, a Canadian FSA). Everything here errs towards "the same place": a
mismatch is a serious accusation, so only a real difference counts.
"""

from __future__ import annotations

import re

_ISO3_TO_ISO2 = {
    "USA": "US", "CAN": "CA", "MEX": "MX", "BRA": "BR", "ARG": "AR", "CHL": "CL", "COL": "CO", "PER": "PE",
    "GBR": "GB", "IRL": "IE", "DEU": "DE", "FRA": "FR", "ITA": "IT", "ESP": "ES", "PRT": "PT", "NLD": "NL",
    "BEL": "BE", "LUX": "LU", "CHE": "CH", "AUT": "AT", "POL": "PL", "CZE": "CZ", "SWE": "SE", "NOR": "NO",
    "DNK": "DK", "FIN": "FI", "GRC": "GR", "HUN": "HU", "ROU": "RO", "TUR": "TR", "ISR": "IL", "ARE": "AE",
    "SAU": "SA", "ZAF": "ZA", "IND": "IN", "CHN": "CN", "HKG": "HK", "TWN": "TW", "JPN": "JP", "KOR": "KR",
    "SGP": "SG", "MYS": "MY", "THA": "TH", "VNM": "VN", "PHL": "PH", "IDN": "ID", "AUS": "AU", "NZL": "NZ",
}  # fmt: skip
_COUNTRY_ALIASES = {
    "UK": "GB",
    "UNITED STATES": "US",
    "UNITED STATES OF AMERICA": "US",
    "UNITED KINGDOM": "GB",
    "GREAT BRITAIN": "GB",
    "CANADA": "CA",
    "CHINA": "CN",
}
_DIGITS_ONLY_LENGTH = {"US": 5, "DE": 5, "FR": 5, "IT": 5, "ES": 5, "MX": 5, "BR": 8, "JP": 7, "AU": 4}
_US_ZIP_PLUS_4 = re.compile(r"^(\d{5})\d{4}$")
_UK_INWARD_CODE_LENGTH = 3
_SHORTEST_PREFIX = 3


def normalise_country(value: str | None) -> str | None:
    """ISO 3166-1 alpha-2, or None when the value is missing or not recognised (so it is never compared)."""
    if value is None:
        return None
    cleaned = " ".join(value.replace(".", "").split()).upper()
    if cleaned in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[cleaned]
    if len(cleaned) == 2 and cleaned.isalpha():
        return cleaned
    return _ISO3_TO_ISO2.get(cleaned)


def normalise_postal_code(value: str | None, country: str | None) -> str | None:
    """Upper case without spaces or hyphens; a US ZIP+4 becomes its 5-digit ZIP. None when empty."""
    if value is None:
        return None
    compact = re.sub(r"[\s\-.]", "", value).upper()
    if not compact:
        return None
    zip_plus_4 = _US_ZIP_PLUS_4.match(compact)
    if country == "US" and zip_plus_4:
        return zip_plus_4.group(1)
    return compact


def postal_codes_match(first: str, second: str, country: str | None) -> bool:
    """Whether two postal codes (as written anywhere) name the same place in ``country`` (ISO2).

    A shorter code matches a longer one when it is the longer one with its leading zeros lost, or the
    part a carrier gives on its own (a UK outward code, else a prefix of at least three characters).
    """
    a = normalise_postal_code(first, country)
    b = normalise_postal_code(second, country)
    if a is None or b is None:
        return True
    shorter, longer = sorted((a, b), key=len)
    return (
        shorter == longer
        or _lost_leading_zeros(shorter, longer, country)
        or _is_part(shorter, longer, country)
    )


def _lost_leading_zeros(shorter: str, longer: str, country: str | None) -> bool:
    length = _DIGITS_ONLY_LENGTH.get(country or "")
    return length == len(longer) and shorter.isdigit() and shorter.zfill(length) == longer


def _is_part(shorter: str, longer: str, country: str | None) -> bool:
    if country == "GB":
        return shorter == longer[:-_UK_INWARD_CODE_LENGTH]
    return len(shorter) >= _SHORTEST_PREFIX and longer.startswith(shorter)
