"""The served model of a template: functions with merged environments, routes, queues, schedules."""

from __future__ import annotations

from pathlib import Path

import pytest

from trackguard_dev.local.model import StackModel, build_model
from trackguard_dev.local.template import Resolver, load_template, resolve_parameters

FIXTURE = Path(__file__).parents[2] / "e2e" / "fixtures" / "app" / "template.yaml"


@pytest.fixture(scope="module")
def model() -> StackModel:
    template = load_template(FIXTURE)
    parameters = resolve_parameters(template, {"SecretArn": "arn:aws:secretsmanager:x"})
    resolver = Resolver(template, parameters, queue_endpoint="http://sqs", api_url="http://api")
    return build_model(resolver, FIXTURE.parent)


def test_every_function_is_served_with_globals_merged(model: StackModel) -> None:
    hello = model.functions["HelloFunction"]

    assert set(model.functions) == {
        "HelloFunction",
        "ExtraFunction",
        "AuthorizerFunction",
        "ConsumerFunction",
    }
    assert hello.code_dir == FIXTURE.parent / "functions" / "hello"
    assert hello.timeout_seconds == 5
    assert hello.environment == {
        "BUCKET": "trackguard-local-markerbucket",
        "GREETING": "hello",
        "SECRET_ARN": "arn:aws:secretsmanager:x",
        "TABLE_NAME": "trackguard-local-Table",
        "QUEUE_URL": "http://sqs/000000000000/trackguard-local-WorkQueue",
        "QUEUE_NAME": "trackguard-local-WorkQueue",
    }


def test_routes_take_the_default_authorizer_unless_none(model: StackModel) -> None:
    routes = {route.route_key: route for route in model.routes}

    assert set(routes) == {"GET /hello/{name}", "GET /private", "ANY /extra/{proxy+}"}
    assert routes["GET /hello/{name}"].authorizer is None
    private = routes["GET /private"].authorizer
    assert private is not None
    assert private.function_id == "AuthorizerFunction"
    assert private.identity_headers == ("Authorization",)
    assert private.reauthorize_seconds == 0
    assert private.simple_responses is True


def test_queue_sources_and_schedules(model: StackModel) -> None:
    (source,) = model.queue_sources
    (schedule,) = model.schedules

    assert source.function_id == "ConsumerFunction"
    assert source.queue_id == "WorkQueue"
    assert source.queue_arn == "arn:aws:sqs:us-east-1:000000000000:trackguard-local-WorkQueue"
    assert source.batch_size == 5
    assert source.report_item_failures is True
    assert schedule.expression == "rate(1 hour)"
    assert schedule.input == {"tick": True}
