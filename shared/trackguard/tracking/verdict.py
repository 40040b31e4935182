"""A verdict on a (tracking number, declared carrier) pair, worded for the seller.

Related carriers are not a mismatch: DHL Express and DHL eCommerce are distinct carriers, but a
"DHL" label is ambiguous on most platforms and both track on dhl.com, so a number of the other DHL
service is PLAUSIBLE (with a note), not CARRIER_MISMATCH. Likewise a valid UPU S10 number declared
with any national post: posts hand international mail over to each other and the destination post
tracks it under the same number (a China Post ePacket delivered by USPS).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from trackguard.tracking.carriers import UNDECLARED, UPU_S10, display_name
from trackguard.tracking.formats import S10_POSTS, FormatMatch, identify_normalized, normalize_number

_FAMILIES = {"dhl": "dhl", "dhl_ecommerce": "dhl"}
_POSTS = frozenset(S10_POSTS.values()) | {UPU_S10}
_S10_FORMAT = "UPU S10"


class VerdictKind(StrEnum):
    VALID = "VALID"
    PLAUSIBLE = "PLAUSIBLE"
    CARRIER_MISMATCH = "CARRIER_MISMATCH"
    INVALID_FORMAT = "INVALID_FORMAT"


@dataclass(frozen=True, slots=True)
class NumberVerdict:
    kind: VerdictKind
    normalized: str
    declared_carrier: str
    detected_carriers: tuple[str, ...]
    matches: tuple[FormatMatch, ...]

    def explanation(self) -> str:
        """One sentence a seller understands."""
        number, declared = self.normalized or "The empty tracking number", display_name(self.declared_carrier)
        undeclared = self.declared_carrier == UNDECLARED
        if self.kind is VerdictKind.VALID:
            passing = self._carriers(lambda match: match.valid and match.check == "pass")
            return f"{number} is a valid {passing if undeclared else declared} tracking number."
        if self.kind is VerdictKind.PLAUSIBLE:
            return self._plausible_explanation(number)
        if self.kind is VerdictKind.CARRIER_MISMATCH:
            looks_like = _with_article(self._carriers(_is_evidence))
            return f"{number} looks like {looks_like} number, not {_with_article(declared)} one."
        return self._invalid_explanation(number, declared, undeclared)

    def _plausible_explanation(self, number: str) -> str:
        declared = self.declared_carrier
        fitting = self._carriers(lambda match: match.valid)
        if declared != UNDECLARED and not self._fits(declared):
            return (
                f"{number} looks like {_with_article(fitting)} number; {display_name(declared)} may still "
                "carry it (a related service), but only a carrier scan will confirm it."
            )
        shape_of = fitting if declared == UNDECLARED else display_name(declared)
        return (
            f"{number} has the shape of {_with_article(shape_of)} number, which has no check digit; "
            "only a carrier scan will confirm it."
        )

    def _invalid_explanation(self, number: str, declared: str, undeclared: bool) -> str:
        failed = [match for match in self.matches if match.check == "fail"]
        wrong_country = [match for match in self.matches if match.check == "pass" and not match.valid]
        own_failed = [match for match in failed if undeclared or match.carrier == self.declared_carrier]
        if own_failed:
            carrier = _with_article(display_name(own_failed[0].carrier))
            return f"{number} looks like {carrier} number but its check digit is wrong."
        if wrong_country:
            return f"{number} has the shape of an international postal number but no known country code."
        if undeclared:
            return f"{number} does not match any known carrier's tracking number format."
        return f"{number} does not match any {declared} tracking number format."

    def _carriers(self, chosen: Callable[[FormatMatch], bool]) -> str:
        names = dict.fromkeys(display_name(match.carrier) for match in self.matches if chosen(match))
        return " or ".join(list(names)[:3])

    def _fits(self, carrier: str) -> bool:
        return any(match.valid and match.carrier == carrier for match in self.matches)


def _with_article(name: str) -> str:
    return f"an {name}" if name[:1] in "AEIO" else f"a {name}"


def _related(declared: str, match: FormatMatch) -> bool:
    if declared in _FAMILIES and _FAMILIES.get(match.carrier) == _FAMILIES[declared]:
        return True
    return declared in _POSTS and match.format == _S10_FORMAT


def _is_evidence(match: FormatMatch) -> bool:
    """A fit that names its carrier: a passing check digit, or a carrier-specific prefix or suffix."""
    return match.valid and (match.check == "pass" or match.distinctive)


def _detected_carriers(matches: tuple[FormatMatch, ...]) -> tuple[str, ...]:
    ordered = sorted(matches, key=lambda match: (not match.valid, match.check != "pass"))
    return tuple(dict.fromkeys(match.carrier for match in ordered))


def _kind(declared: str, matches: tuple[FormatMatch, ...]) -> VerdictKind:
    valid = [match for match in matches if match.valid]
    own = valid if declared == UNDECLARED else [match for match in valid if match.carrier == declared]
    if any(match.check == "pass" for match in own):
        return VerdictKind.VALID
    if own:
        return VerdictKind.PLAUSIBLE
    if any(_related(declared, match) for match in valid):
        return VerdictKind.PLAUSIBLE
    if any(_is_evidence(match) for match in valid):
        return VerdictKind.CARRIER_MISMATCH
    return VerdictKind.INVALID_FORMAT


def judge_number(number: str, declared_carrier: str = UNDECLARED) -> NumberVerdict:
    """Judge `number` against `declared_carrier` (a trackguard slug, or "undeclared")."""
    normalized = normalize_number(number)
    matches = identify_normalized(normalized)
    return NumberVerdict(
        kind=_kind(declared_carrier, matches),
        normalized=normalized,
        declared_carrier=declared_carrier,
        detected_carriers=_detected_carriers(matches),
        matches=matches,
    )
