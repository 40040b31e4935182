"""The `trackguard` command. Each subcommand lives in its own module with a `register(subparsers)`.

Modules import their heavy dependencies inside their handlers, so `trackguard --help` stays quick.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

COMMAND_MODULES = (
    "trackguard_dev.cli.local",
    "trackguard_dev.cli.sellers",
    "trackguard_dev.cli.shops",
    "trackguard_dev.cli.shopify",
    "trackguard_dev.cli.openapi",
    "trackguard_dev.cli.check_number",
    "trackguard_dev.cli.outbox",
    "trackguard_dev.cli.replay",
    "trackguard_dev.cli.demo",
)


# Commands that need no AWS service, or (local) manage the stack themselves.
_STANDALONE = frozenset({"local", "check-number", "openapi", "shopify"})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="trackguard", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    args = parser.parse_args(argv)
    if args.command not in _STANDALONE:
        _attach_to_local_stack()
    from trackguard.settings import SettingsError

    try:
        return int(args.handler(args) or 0)
    except SettingsError as error:
        print(f"trackguard {args.command}: {error}", file=sys.stderr)
        return 2


def _attach_to_local_stack() -> None:
    """Without TABLE_NAME naming a deployment, commands talk to the running local stack (`make run`)."""
    if "TABLE_NAME" in os.environ:
        return
    from trackguard_dev.local.attach import stack_environment

    environment = stack_environment()
    if environment is not None:
        os.environ.update({name: value for name, value in environment.items() if name not in os.environ})
