"""Postal codes and countries written differently still name the same place; different places do not match."""

from __future__ import annotations

import pytest

from trackguard.rules.postal import normalise_country, normalise_postal_code, postal_codes_match


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("US", "US"),
        ("us", "US"),
        (" gb ", "GB"),
        ("UK", "GB"),
        ("USA", "US"),
        ("can", "CA"),
        ("GBR", "GB"),
        ("BRA", "BR"),
        ("CHN", "CN"),
        ("United States", "US"),
        ("U.S.A.", "US"),
        ("Deutschland", None),
        ("XYZ", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_country(written: str | None, expected: str | None) -> None:
    assert normalise_country(written) == expected


@pytest.mark.parametrize(
    ("written", "country", "expected"),
    [
        ("95110-1234", "US", "95110"),
        ("951101234", "US", "95110"),
        (" 95110 ", "US", "95110"),
        ("k1a 0b1", "CA", "K1A0B1"),
        ("SW1A 1AA", "GB", "SW1A1AA"),
        ("01310-100", "BR", "01310100"),
        ("100-0001", "JP", "1000001"),
        ("951101234", "BR", "951101234"),  # not a ZIP+4 outside the US
        ("  ", "US", None),
        (None, "US", None),
    ],
)
def test_normalise_postal_code(written: str | None, country: str | None, expected: str | None) -> None:
    assert normalise_postal_code(written, country) == expected


@pytest.mark.parametrize(
    ("first", "second", "country"),
    [
        ("95110", "95110-1234", "US"),
        ("95110-0001", "95110-9999", "US"),
        ("501", "00501", "US"),
        ("2134", "02134", "US"),
        ("951", "95110", "US"),  # 3-digit ZIP prefix from the carrier
        ("K1A 0B1", "k1a0b1", "CA"),
        ("K1A", "K1A 0B1", "CA"),  # forward sortation area
        ("SW1A1AA", "sw1a 1aa", "GB"),
        ("SW1A", "SW1A 1AA", "GB"),  # outward code
        ("N1", "N1 9GU", "GB"),
        ("01310-100", "01310100", "BR"),
        ("1310100", "01310-100", "BR"),
        ("10001", "10001", None),
    ],
)
def test_the_same_place(first: str, second: str, country: str | None) -> None:
    assert postal_codes_match(first, second, country)
    assert postal_codes_match(second, first, country)


@pytest.mark.parametrize(
    ("first", "second", "country"),
    [
        ("10001", "95110", "US"),
        ("95111", "95110-1234", "US"),
        ("952", "95110", "US"),
        ("95", "95110", "US"),  # too short to be a prefix
        ("K1A 0B2", "K1A 0B1", "CA"),
        ("N1", "N16 5AA", "GB"),  # N1 is not N16's outward code
        ("SW1", "SW1A 1AA", "GB"),
        ("01310-200", "01310-100", "BR"),
    ],
)
def test_different_places(first: str, second: str, country: str | None) -> None:
    assert not postal_codes_match(first, second, country)
    assert not postal_codes_match(second, first, country)


def test_an_empty_code_says_nothing() -> None:
    assert postal_codes_match("", "95110", "US")
