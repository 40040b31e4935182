"""`trackguard local up | invoke | reset`: the local stack (CONTRACT §7)."""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import signal
import sys
import threading
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("local", help="run the template on this machine (no Docker, no AWS)")
    commands = parser.add_subparsers(dest="local_command", required=True)

    up = commands.add_parser("up", help="serve the HTTP API, queues and schedules until Ctrl-C")
    up.add_argument("--template", type=Path, default=None, help=argparse.SUPPRESS)
    up.add_argument("--parameters", type=Path, default=None, help=argparse.SUPPRESS)
    up.set_defaults(handler=up_command)

    invoke = commands.add_parser("invoke", help="invoke one function against the running stack")
    invoke.add_argument("function", help="the function's logical id in the template")
    source = invoke.add_mutually_exclusive_group()
    source.add_argument("--event", type=Path, help="a JSON file holding the event")
    source.add_argument("--input", help="the event as a JSON string")
    invoke.set_defaults(handler=invoke_command)

    reset = commands.add_parser("reset", help="empty the state directory (the stack must be stopped)")
    reset.set_defaults(handler=reset_command)


def up_command(args: argparse.Namespace) -> int:
    from trackguard_dev.local.config import PROJECT_ROOT, LocalConfig
    from trackguard_dev.local.stack import LocalStack, RunningStack

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = LocalConfig.from_environ()
    if RunningStack.read(config.stack_file) is not None:
        print(f"a stack already runs with state in {config.state_dir}", file=sys.stderr)
        return 1
    stopping = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stopping.set())
    stack = LocalStack(config, args.template or PROJECT_ROOT / "template.yaml", args.parameters)
    try:
        stack.start()
        for line in [*stack.resources, *stack.describe()]:
            print(line, flush=True)
        while not stopping.wait(0.5):
            pass
    finally:
        stack.stop()
    print("stopped", flush=True)
    return 0


def invoke_command(args: argparse.Namespace) -> int:
    from trackguard_dev.local.config import LocalConfig
    from trackguard_dev.local.model import build_model
    from trackguard_dev.local.stack import RunningStack, stack_resolver
    from trackguard_dev.local.workers import Worker, function_environment

    config = LocalConfig.from_environ()
    running = RunningStack.read(config.stack_file)
    if running is None:
        print("no local stack runs: start it with `trackguard local up`", file=sys.stderr)
        return 1
    resolver = stack_resolver(running.template, running.parameters, running.endpoints)
    functions = build_model(resolver, running.template.parent).functions
    if args.function not in functions:
        print(f"unknown function {args.function}; the template has: {', '.join(functions)}", file=sys.stderr)
        return 1
    spec = functions[args.function]
    worker = Worker(spec, function_environment(spec, running.endpoints))
    try:
        result = worker.invoke(_event(args))
    finally:
        worker.stop()
    print(json.dumps(result.payload, indent=2))
    return 0 if result.ok else 1


def _event(args: argparse.Namespace) -> Any:
    if args.event is not None:
        return json.loads(args.event.read_text())
    return json.loads(args.input) if args.input is not None else {}


def reset_command(_: argparse.Namespace) -> int:
    from trackguard_dev.local.config import LocalConfig
    from trackguard_dev.local.stack import RunningStack

    config = LocalConfig.from_environ()
    if RunningStack.read(config.stack_file) is not None:
        print("the local stack is running: stop it first", file=sys.stderr)
        return 1
    if config.state_dir.exists():
        for entry in config.state_dir.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    print(f"emptied {config.state_dir}")
    return 0
