"""Logger, Tracer and Metrics shared by every function (configured by POWERTOOLS_* variables).

The Tracer patches only the libraries trackguard calls out with: botocore at init, and httpx when the
first module that makes HTTP calls is imported (``trace_httpx``), so a function that never makes one
neither imports httpx nor pays for patching it during its cold start.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

if TYPE_CHECKING:
    from trackguard.domain.events import CarrierEvent

TRACED_AT_INIT = ("botocore",)

logger = Logger()
tracer = Tracer(patch_modules=TRACED_AT_INIT)
metrics = Metrics(namespace="Trackguard")


def trace_httpx() -> None:
    """Record httpx calls as X-Ray subsegments: clients created after this call are instrumented."""
    tracer.patch(modules=("httpx",))


UNMAPPED_METRIC = "UnmappedStatusCodes"
_logged_unmapped: set[tuple[str, str]] = set()


def report_unmapped_codes(source: str, events: Iterable[CarrierEvent]) -> None:
    """Count the sender codes no status table knew, per source; log each new code once per process.

    One EMF line per delivery that had any (none for the usual delivery, so the hot path stays a loop
    over its events), with its own ``source`` dimension so it does not change the function's other metrics.
    """
    unmapped = [event for event in events if event.unmapped]
    if not unmapped:
        return
    with single_metric(
        name=UNMAPPED_METRIC, unit=MetricUnit.Count, value=len(unmapped), namespace=metrics.namespace
    ) as metric:
        metric.add_dimension(name="source", value=source)
    for event in unmapped:
        if (source, event.source_code) not in _logged_unmapped:
            _logged_unmapped.add((source, event.source_code))
            logger.warning(
                "unmapped status code",
                source=source,
                code=event.source_code,
                description=event.source_description[:200],
                fallback_status=event.status.value,
            )
