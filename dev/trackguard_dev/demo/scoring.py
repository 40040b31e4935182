"""What was planted against what trackguard flagged, per flag code, and overall precision and recall."""

from __future__ import annotations

from dataclasses import dataclass

from trackguard.domain.status import ORDER_CODES, FlagCode

FlagKey = tuple[str, str, str]


@dataclass(frozen=True)
class CodeScore:
    code: str
    planted: int
    flagged: int
    missed: int
    false: int


@dataclass(frozen=True)
class Score:
    rows: tuple[CodeScore, ...]
    missed: frozenset[FlagKey]
    false: frozenset[FlagKey]
    precision: float
    recall: float


def score(expected: set[FlagKey], flagged: set[FlagKey]) -> Score:
    hits = expected & flagged
    rows = tuple(
        CodeScore(
            code=code.value,
            planted=sum(1 for key in expected if key[2] == code.value),
            flagged=sum(1 for key in flagged if key[2] == code.value),
            missed=sum(1 for key in expected - flagged if key[2] == code.value),
            false=sum(1 for key in flagged - expected if key[2] == code.value),
        )
        for code in FlagCode
        if code in ORDER_CODES  # the demo plants faults in orders; seller-level flags are not scored
    )
    return Score(
        rows=rows,
        missed=frozenset(expected - flagged),
        false=frozenset(flagged - expected),
        precision=len(hits) / len(flagged) if flagged else 1.0,
        recall=len(hits) / len(expected) if expected else 1.0,
    )
