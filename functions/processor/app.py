"""Processing: stored deliveries and carrier events (from the table's stream) and replays (from the
processing queue) become orders, shipment states and flags (partial batch failures)."""

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from trackguard.observability import logger, metrics, tracer
from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from trackguard.services.processing import Processor

queue_batch = BatchProcessor(event_type=EventType.SQS)
stream_batch = BatchProcessor(event_type=EventType.DynamoDBStreams)


@on_first_use
def processor() -> "Processor":
    from trackguard.services.processing import build_processor

    return build_processor()


@tracer.capture_method
def handle_queued(record: SQSRecord) -> None:
    processor().handle_queued(record.body)


@tracer.capture_method
def handle_stored(record: DynamoDBRecord) -> None:
    processor().handle_stored(record.raw_event)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    records = event.get("Records", [])
    if records and records[0].get("eventSource") == "aws:dynamodb":
        processor().start_stream_batch(records)
        return process_partial_response(
            event=event, record_handler=handle_stored, processor=stream_batch, context=context
        )
    processor().start_queue_batch(record["body"] for record in records)
    return process_partial_response(
        event=event, record_handler=handle_queued, processor=queue_batch, context=context
    )
