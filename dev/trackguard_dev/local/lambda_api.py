"""Lambda's Invoke API for the local stack, on the gateway: ``POST /2015-03-31/functions/{name}/invocations``.

So a command run beside the stack (``trackguard replay --dlq schedule|invocation``) invokes the local
functions with boto3 as it would deployed functions (``AWS_ENDPOINT_URL_LAMBDA`` is the gateway). A
function is named by its logical id, name or ARN (a ``:qualifier`` is ignored). ``Event`` invocations
answer 202 at once and run in the background; ``RequestResponse`` ones answer the result, with
``X-Amz-Function-Error: Unhandled`` when the handler failed.

Asynchronous invocations (these, and the schedules') behave as Lambda's: a failed one is retried as the
function's EventInvokeConfig says, then its on-failure record goes to the OnFailure queue.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from trackguard_dev.local.model import FunctionSpec
from trackguard_dev.local.payload import HttpRequest, HttpResponse, json_response
from trackguard_dev.local.workers import Invocation

PREFIX = "/2015-03-31/functions/"
_PATH = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations$")

log = logging.getLogger(__name__)


class LambdaApi:
    def __init__(
        self,
        functions: Mapping[str, FunctionSpec],
        invoke: Callable[[str, Any], Invocation],
        sqs: Any = None,
    ) -> None:
        """``sqs`` sends the on-failure records (none are sent without it)."""
        self._functions = functions
        self._invoke = invoke
        self._sqs = sqs
        self._ids: dict[str, str] = {}
        for logical_id, spec in functions.items():
            self._ids.update({logical_id: logical_id, spec.name: logical_id, spec.arn: logical_id})

    def handle(self, request: HttpRequest) -> HttpResponse:
        match = _PATH.match(request.raw_path)
        if request.method != "POST" or match is None:
            return json_response(404, {"Type": "User", "Message": "Unknown Lambda API operation"})
        named = unquote(match.group(1))
        function_id = self._ids.get(named) or self._ids.get(named.rsplit(":", 1)[0])
        if function_id is None:
            return json_response(404, {"Type": "User", "Message": f"Function not found: {named}"})
        event = json.loads(request.body or b"{}")
        headers = {name.lower(): value for name, value in request.headers}
        if headers.get("x-amz-invocation-type", "RequestResponse") == "Event":
            threading.Thread(target=self.invoke_async, args=(function_id, event), daemon=True).start()
            return HttpResponse(202, [("content-type", "application/json")], b"")
        result = self._invoke(function_id, event)
        response = json_response(200, result.payload)
        if not result.ok:
            response.headers.append(("x-amz-function-error", "Unhandled"))
        return response

    def invoke_async(self, function_id: str, event: Any) -> Invocation:
        """Run as Lambda runs an asynchronous invocation (in the caller's thread); the last result."""
        spec = self._functions[function_id]
        attempts = 1 + spec.async_invoke.max_retries
        for attempt in range(1, attempts + 1):
            result = self._invoke(function_id, event)
            if result.ok:
                return result
            log.warning("asynchronous invocation %d of %s failed: %s", attempt, function_id, result.payload)
        queue_url = spec.async_invoke.on_failure_queue_url
        if self._sqs is not None and queue_url:
            record = on_failure_record(spec, event, result, attempts)
            self._sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(record))
        return result


def on_failure_record(spec: FunctionSpec, event: Any, result: Invocation, attempts: int) -> dict[str, Any]:
    """What Lambda sends an OnFailure destination when an asynchronous invocation exhausted its retries."""
    return {
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(),
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": f"{spec.arn}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": result.payload,
    }
