"""Route matching: literal paths before parameters before greedy paths, a method before ANY."""

from __future__ import annotations

from trackguard_dev.local.model import RouteSpec
from trackguard_dev.local.routes import RouteTable


def route(method: str, path: str, function_id: str) -> RouteSpec:
    return RouteSpec(method=method, path=path, function_id=function_id, api_id="Api", authorizer=None)


TABLE = RouteTable(
    [
        route("ANY", "/{proxy+}", "catch_all"),
        route("GET", "/sellers/{seller_id}/flags", "flags"),
        route("GET", "/sellers/me/flags", "my_flags"),
        route("ANY", "/items/{id}", "any_item"),
        route("DELETE", "/items/{id}", "delete_item"),
        route("HEAD", "/probe", "probe"),
    ]
)


def test_literal_path_wins_over_parameter() -> None:
    match = TABLE.match("GET", "/sellers/me/flags")

    assert match is not None
    assert match.route.function_id == "my_flags"
    assert match.path_parameters == {}


def test_parameters_are_extracted_and_url_decoded() -> None:
    match = TABLE.match("GET", "/sellers/shop%20one/flags")

    assert match is not None
    assert match.route.function_id == "flags"
    assert match.path_parameters == {"seller_id": "shop one"}


def test_a_specific_method_wins_over_any() -> None:
    deleted, fetched = TABLE.match("DELETE", "/items/7"), TABLE.match("GET", "/items/7")

    assert deleted is not None
    assert deleted.route.function_id == "delete_item"
    assert fetched is not None
    assert fetched.route.function_id == "any_item"


def test_greedy_parameter_takes_the_rest_of_the_path() -> None:
    match = TABLE.match("POST", "/a/b/c")

    assert match is not None
    assert match.route.function_id == "catch_all"
    assert match.path_parameters == {"proxy": "a/b/c"}


def test_head_route_matches_only_head() -> None:
    head = TABLE.match("HEAD", "/probe")
    get = TABLE.match("GET", "/probe")

    assert head is not None
    assert head.route.function_id == "probe"
    assert get is not None
    assert get.route.function_id == "catch_all"


def test_no_route_matches_without_catch_all() -> None:
    table = RouteTable([route("GET", "/health", "health")])

    assert table.match("GET", "/health/extra") is None
    assert table.match("POST", "/health") is None
    assert table.match("GET", "/") is None


def test_an_empty_parameter_segment_does_not_match() -> None:
    table = RouteTable([route("GET", "/sellers/{id}/flags", "flags")])

    assert table.match("GET", "/sellers//flags") is None


def test_default_route_takes_what_nothing_else_matches() -> None:
    table = RouteTable([route("ANY", "$default", "fallback"), route("GET", "/health", "health")])

    health, other = table.match("GET", "/health"), table.match("PUT", "/anything")

    assert health is not None
    assert health.route.function_id == "health"
    assert other is not None
    assert other.route.function_id == "fallback"
    assert other.route.route_key == "$default"
