"""A Lambda-like runtime: one process per warm function instance.

Started as ``python -m trackguard_dev.local.runtime --code-dir D --handler app.lambda_handler
--requests FD --responses FD``. It imports the handler once (the cold start), then answers one
invocation per JSON line read from the requests pipe, writing one JSON line to the responses pipe.
The handler's own output (logs, prints) goes to the inherited stdout and stderr, as on Lambda. With
``TRACKGUARD_METER_DIR`` set, each invocation's AWS requests and duration are metered (meter.py).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from trackguard_dev.local.meter import meter_from_environment

Handler = Callable[[Any, Any], Any]


class LambdaContext:
    """The attributes and method of the Python runtime's context object."""

    def __init__(self, invocation: dict[str, Any]) -> None:
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = str(invocation["invoked_function_arn"])
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.aws_request_id = str(invocation["request_id"])
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline_ms = int(invocation["deadline_ms"])

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def load_handler(code_dir: Path, handler: str, layer_dirs: list[Path]) -> Handler:
    module_name, _, function_name = handler.rpartition(".")
    sys.path[:0] = [str(code_dir), *(str(directory) for directory in layer_dirs)]
    module = importlib.import_module(module_name.replace("/", "."))
    function: Handler = getattr(module, function_name)
    return function


def error_payload(error: BaseException, error_type: str | None = None) -> dict[str, Any]:
    return {
        "errorMessage": str(error),
        "errorType": error_type or type(error).__name__,
        "stackTrace": traceback.format_tb(error.__traceback__),
    }


def serve(handler: Handler, requests: BinaryIO, responses: BinaryIO) -> None:
    for line in requests:
        invocation = json.loads(line)
        try:
            answer = {"ok": True, "payload": handler(invocation["event"], LambdaContext(invocation))}
            encoded = json.dumps(answer)
        except Exception as error:
            traceback.print_exc()
            encoded = json.dumps({"ok": False, "payload": error_payload(error)})
        responses.write(encoded.encode() + b"\n")
        responses.flush()


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the stack decides when its workers stop
    parser = argparse.ArgumentParser()
    parser.add_argument("--code-dir", type=Path, required=True)
    parser.add_argument("--handler", required=True)
    parser.add_argument("--layer-dir", type=Path, action="append", default=[])
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--responses", type=int, required=True)
    args = parser.parse_args()
    meter = meter_from_environment(args.code_dir)
    if meter is not None:
        meter.install()
    with os.fdopen(args.requests, "rb") as requests, os.fdopen(args.responses, "wb") as responses:
        try:
            handler = load_handler(args.code_dir, args.handler, args.layer_dir)
            if meter is not None:
                handler = meter.wrap(handler)
        except Exception as error:
            traceback.print_exc()
            init_error = error_payload(error, "Runtime.ImportModuleError")
            responses.write(json.dumps({"ready": False, "payload": init_error}).encode() + b"\n")
            return 1
        responses.write(b'{"ready": true}\n')
        responses.flush()
        serve(handler, requests, responses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
