"""Logger, Tracer and Metrics shared by every function (configured by POWERTOOLS_* variables).

The Tracer patches only the libraries trackguard calls out with: botocore at init, and httpx when the
first module that makes HTTP calls is imported (``trace_httpx``), so a function that never makes one
neither imports httpx nor pays for patching it during its cold start.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer

TRACED_AT_INIT = ("botocore",)
NAMESPACE_VARIABLE = "POWERTOOLS_METRICS_NAMESPACE"
DEFAULT_NAMESPACE = "Trackguard"

logger = Logger()
tracer = Tracer(patch_modules=TRACED_AT_INIT)
# Deployed, Powertools reads the namespace the template gives each stage (``Trackguard/<Stage>``), so the
# alarms of one stage never count another's metrics; elsewhere (tests, scripts) it is the project's.
metrics = Metrics(namespace=None if NAMESPACE_VARIABLE in os.environ else DEFAULT_NAMESPACE)


def trace_httpx() -> None:
    """Record httpx calls as X-Ray subsegments: clients created after this call are instrumented."""
    tracer.patch(modules=("httpx",))
