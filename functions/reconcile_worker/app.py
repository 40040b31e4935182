"""The reconcile queue: poll the batch's silent numbers, then judge each order (partial batch failures)."""

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from trackguard.observability import logger, metrics, tracer
from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from trackguard.services.reconcile import ReconcileWorker

batch = BatchProcessor(event_type=EventType.SQS)


@on_first_use
def worker() -> "ReconcileWorker":
    from trackguard.services.reconcile import build_worker

    return build_worker()


@tracer.capture_method
def handle_record(record: SQSRecord) -> None:
    worker().handle_body(record.body)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    worker().prepare_batch([record.get("body", "") for record in event.get("Records", [])])
    return process_partial_response(
        event=event, record_handler=handle_record, processor=batch, context=context
    )
