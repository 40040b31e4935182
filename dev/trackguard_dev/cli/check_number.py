"""`trackguard check-number NUMBER... [--carrier CODE] [--json]`: every carrier format each number fits."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = subparsers.add_parser(
        "check-number", help="show every carrier format a tracking number fits, with check-digit verdicts"
    )
    command.add_argument("numbers", nargs="+", metavar="NUMBER")
    command.add_argument("--carrier", help="the declared carrier (slug or name): also print the verdict")
    command.add_argument("--json", action="store_true", help="print one JSON array")
    command.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from trackguard.tracking import judge_number, resolve_carrier

    declared = None if args.carrier is None else resolve_carrier(args.carrier, "any")
    reports = [
        _report(number, judge_number(number, declared or "undeclared"), declared) for number in args.numbers
    ]
    print(json.dumps(reports, indent=2) if args.json else _as_text(reports))
    return 0


def _report(number: str, verdict: Any, declared: str | None) -> dict[str, Any]:
    report: dict[str, Any] = {
        "number": number,
        "normalized": verdict.normalized,
        "matches": [
            {
                "carrier": match.carrier,
                "format": match.format,
                "valid": match.valid,
                "check": match.check,
                "tracking_url": match.tracking_url,
            }
            for match in verdict.matches
        ],
    }
    if declared is not None:
        report["verdict"] = {
            "kind": verdict.kind.value,
            "declared_carrier": declared,
            "detected_carriers": list(verdict.detected_carriers),
            "explanation": verdict.explanation(),
        }
    return report


def _as_text(reports: list[dict[str, Any]]) -> str:
    blocks = []
    for report in reports:
        lines = [f"{report['normalized']}"]
        if not report["matches"]:
            lines.append("  no known format")
        for match in report["matches"]:
            mark = "valid" if match["valid"] else "INVALID"
            lines.append(
                f"  {match['carrier']:<14} {match['format']:<24} {mark:<8} "
                f"check {match['check']:<5} {match['tracking_url']}"
            )
        if "verdict" in report:
            lines.append(f"  verdict {report['verdict']['kind']}: {report['verdict']['explanation']}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
