"""Run every benchmark (or those named: `python -m bench cold_start cost`), print key / value / goal /
met, and merge the numbers into bench/results.json.

Each benchmark module exposes `run() -> dict[str, float]` and `GOALS: dict[str, tuple[str, float]]`
(key -> (comparison, threshold), comparison one of ">=", "<=", "=="). docs/capacity.md is then derived
from the results (bench/capacity.py).
"""

from __future__ import annotations

import importlib
import json
import operator
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from bench import capacity

BENCHMARKS = (
    "bench.tracking_numbers",
    "bench.reconcile",
    "bench.ingest",
    "bench.webhook_answer",
    "bench.cold_start",
    "bench.cost",
)
RESULTS = Path(__file__).with_name("results.json")
COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
}


def _row(key: str, value: float, goal: tuple[str, float] | None) -> str:
    if goal is None:
        return f"{key:<48} {value:>14.4f} {'':<12} {'':<6}"
    comparison, threshold = goal
    met = "met" if COMPARISONS[comparison](value, threshold) else "MISSED"
    return f"{key:<48} {value:>14.4f} {comparison + ' ' + str(threshold):<12} {met:<6}"


def main(names: list[str]) -> int:
    """Run the named benchmarks (all when none is named); one that fails is reported and the others
    still run and are written."""
    results: dict[str, float] = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else {}
    print(f"{'key':<48} {'value':>14} {'goal':<12} {'result':<6}")
    missed = 0
    failed = []
    for module_name in [f"bench.{name.removeprefix('bench.')}" for name in names] or BENCHMARKS:
        module = importlib.import_module(module_name)
        goals: dict[str, tuple[str, float]] = module.GOALS
        try:
            measured: dict[str, float] = module.run()
        except Exception:
            traceback.print_exc()
            failed.append(module_name)
            continue
        for key, value in measured.items():
            goal = goals.get(key)
            print(_row(key, value, goal))
            missed += goal is not None and not COMPARISONS[goal[0]](value, goal[1])
        results.update(measured)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}" + (f"; {missed} goal(s) missed" if missed else ""))
    try:
        print(f"wrote {capacity.write()}")
    except capacity.MissingFiguresError as missing:
        print(missing)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
