"""`trackguard openapi`: write the seller API's OpenAPI document (openapi.json), or check it is current."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = subparsers.add_parser("openapi", help="regenerate openapi.json from the seller API's routes")
    command.add_argument("--output", type=Path, default=Path("openapi.json"))
    command.add_argument(
        "--check", action="store_true", help="only verify the file is current (exit 1 if not)"
    )
    command.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from trackguard.api.seller_routes import openapi_document

    document = openapi_document()
    output: Path = args.output
    if args.check:
        current = output.is_file() and output.read_text(encoding="utf-8") == document
        if not current:
            print(f"{output} is out of date: run `trackguard openapi`", file=sys.stderr)
        return 0 if current else 1
    output.write_text(document, encoding="utf-8")
    print(f"wrote {output}")
    return 0
