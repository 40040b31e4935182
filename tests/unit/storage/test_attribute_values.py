"""Item building maps common values directly; it must store exactly what the JSON round trip stored."""

from __future__ import annotations

import decimal
import json
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer
from hypothesis import given
from hypothesis import strategies as st

from trackguard.storage.dynamo import to_attributes, to_value


class Colour(StrEnum):
    RED = "red"


def round_trip(value: Any) -> Any:
    """What storage did before the direct mapping: JSON (``default=str``), floats as Decimals."""
    return TypeSerializer().serialize(json.loads(json.dumps(value, default=str), parse_float=Decimal))


SCALARS = st.one_of(
    st.text(),
    st.booleans(),
    st.integers(min_value=-(10**37), max_value=10**37),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.datetimes(timezones=st.just(UTC)),
    st.sampled_from(list(Colour)),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=5), inner, max_size=4),
    ),
    max_leaves=12,
)


@given(VALUES)
def test_every_value_is_stored_as_the_round_trip_stored_it(value: Any) -> None:
    assert to_value(value) == round_trip(value)


@given(st.dictionaries(st.text(min_size=1, max_size=8), VALUES, max_size=6))
def test_an_item_drops_its_none_values_and_keeps_the_rest_as_before(item: dict[str, Any]) -> None:
    expected = {key: round_trip(value) for key, value in item.items() if value is not None}
    assert to_attributes(item) == expected


def test_maps_with_keys_json_would_rename_take_the_round_trip() -> None:
    assert to_value({1: "a", None: "b"}) == {"M": {"1": {"S": "a"}, "null": {"S": "b"}}}


def test_a_number_beyond_38_digits_is_refused_as_before() -> None:
    with pytest.raises(decimal.Rounded):
        round_trip(10**40)
    with pytest.raises(decimal.Rounded):
        to_value(10**40)


def test_a_moment_is_stored_as_its_text() -> None:
    moment = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert to_value(moment) == {"S": "2026-12-01 09:30:00+00:00"}
