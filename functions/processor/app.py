"""The processing queue: stored shop deliveries and carrier events become orders, states and flags."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from trackguard.observability import logger, metrics, tracer
from trackguard.services.messages import processing_message
from trackguard.services.processing import build_processor

batch = BatchProcessor(event_type=EventType.SQS)
processor = build_processor()


@tracer.capture_method
def handle_record(record: SQSRecord) -> None:
    processor.handle(processing_message.validate_json(record.body))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=handle_record, processor=batch, context=context
    )
