"""Sender codes no status table knew: counted per source, each logged once per process.

An adapter marks such an event ``unmapped`` and gives it its documented fallback status; this is where
the operators hear of it, so that the table grows the day a sender starts using a new code.
"""

from __future__ import annotations

from collections.abc import Iterable

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from trackguard.domain.events import CarrierEvent
from trackguard.observability import logger, metrics

UNMAPPED_METRIC = "UnmappedStatusCodes"
_logged: set[tuple[str, str]] = set()


def report_unmapped_codes(source: str, events: Iterable[CarrierEvent]) -> None:
    """One EMF line per delivery that had any (none for the usual delivery, so the hot path stays a loop
    over its events), with its own ``source`` dimension so it leaves the function's other metrics alone.
    """
    unmapped = [event for event in events if event.unmapped]
    if not unmapped:
        return
    with single_metric(
        name=UNMAPPED_METRIC, unit=MetricUnit.Count, value=len(unmapped), namespace=metrics.namespace
    ) as metric:
        metric.add_dimension(name="source", value=source)
    for event in unmapped:
        if (source, event.source_code) not in _logged:
            _logged.add((source, event.source_code))
            logger.warning(
                "unmapped status code",
                source=source,
                code=event.source_code,
                description=event.source_description[:200],
                fallback_status=event.status.value,
            )
