"""The `trackguard` command. Each subcommand lives in its own module with a `register(subparsers)`.

Modules import their heavy dependencies inside their handlers, so `trackguard --help` stays quick.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

COMMAND_MODULES = (
    "trackguard.cli.local",
    "trackguard.cli.sellers",
    "trackguard.cli.shops",
    "trackguard.cli.openapi",
    "trackguard.cli.check_number",
    "trackguard.cli.outbox",
    "trackguard.cli.replay",
    "trackguard.cli.demo",
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="trackguard", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    args = parser.parse_args(argv)
    return int(args.handler(args) or 0)
