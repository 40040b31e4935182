"""The local stack serves the real template's report queue: its consumer, batch size and partial failures."""

from __future__ import annotations

from pathlib import Path

from trackguard_dev.local.model import build_model
from trackguard_dev.local.stack import local_concurrency
from trackguard_dev.local.template import Resolver, load_template, resolve_parameters
from trackguard_dev.local.workers import MAX_WORKERS_PER_FUNCTION

TEMPLATE = Path(__file__).parents[3] / "template.yaml"


def test_the_report_queue_feeds_the_report_worker_one_seller_at_a_time() -> None:
    template = load_template(TEMPLATE)
    parameters = resolve_parameters(
        template, {"WebhookSecretsArn": "arn:aws:secretsmanager:us-east-1:000000000000:secret:x"}
    )
    model = build_model(
        Resolver(template, parameters, queue_endpoint="http://sqs", api_url="http://api"), TEMPLATE.parent
    )

    [source] = [s for s in model.queue_sources if s.queue_id == "ReportQueue"]
    assert (source.function_id, source.batch_size, source.report_item_failures) == (
        "ReportWorkerFunction",
        1,
        True,
    )
    assert local_concurrency(source) == MAX_WORKERS_PER_FUNCTION, (
        "sellers in parallel, as far as the pool goes"
    )
    schedule = model.functions["ReportFunction"].environment
    assert schedule["REPORT_QUEUE_URL"] == source.queue_url
    assert model.functions["ReportWorkerFunction"].timeout_seconds == 60
