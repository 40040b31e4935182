"""Match a request to a route as API Gateway does: the most specific path first, a method over ANY."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from trackguard_dev.local.model import RouteSpec

_LITERAL, _PARAMETER, _GREEDY = 2, 1, 0


@dataclass(frozen=True)
class RouteMatch:
    route: RouteSpec
    path_parameters: dict[str, str]


class RouteTable:
    def __init__(self, routes: Iterable[RouteSpec]) -> None:
        self._routes = [route for route in routes if route.path != "$default"]
        self._default = next((route for route in routes if route.path == "$default"), None)
        self._routes.sort(key=_specificity, reverse=True)

    def match(self, method: str, raw_path: str) -> RouteMatch | None:
        segments = raw_path.split("/")[1:]
        for route in self._routes:
            if route.method not in (method, "ANY"):
                continue
            parameters = _match_path(route.path.split("/")[1:], segments)
            if parameters is not None:
                return RouteMatch(route, parameters)
        return RouteMatch(self._default, {}) if self._default else None


def _segment_kind(segment: str) -> int:
    if segment.startswith("{") and segment.endswith("+}"):
        return _GREEDY
    if segment.startswith("{") and segment.endswith("}"):
        return _PARAMETER
    return _LITERAL


def _specificity(route: RouteSpec) -> tuple[tuple[int, ...], bool]:
    kinds = tuple(_segment_kind(segment) for segment in route.path.split("/")[1:])
    return kinds, route.method != "ANY"


def _match_path(template: list[str], segments: list[str]) -> dict[str, str] | None:
    parameters: dict[str, str] = {}
    for index, part in enumerate(template):
        kind = _segment_kind(part)
        if kind == _GREEDY:
            rest = segments[index:]
            if not rest or not rest[0]:
                return None
            parameters[part[1:-2]] = unquote("/".join(rest))
            return parameters
        if index >= len(segments):
            return None
        if kind == _PARAMETER:
            if not segments[index]:
                return None
            parameters[part[1:-1]] = unquote(segments[index])
        elif part != segments[index]:
            return None
    return parameters if len(template) == len(segments) else None
