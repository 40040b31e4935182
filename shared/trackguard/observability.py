"""Logger, Tracer and Metrics shared by every function (configured by POWERTOOLS_* variables).

The Tracer patches only the libraries trackguard calls out with: botocore at init, and httpx when the
first module that makes HTTP calls is imported (``trace_httpx``), so a function that never makes one
neither imports httpx nor pays for patching it during its cold start.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

TRACED_AT_INIT = ("botocore",)

logger = Logger()
tracer = Tracer(patch_modules=TRACED_AT_INIT)
metrics = Metrics(namespace="Trackguard")


def trace_httpx() -> None:
    """Record httpx calls as X-Ray subsegments: clients created after this call are instrumented."""
    tracer.patch(modules=("httpx",))
