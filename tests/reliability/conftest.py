"""Reliability tests: the real handlers against DynamoDB Local and a moto server (SQS, Secrets Manager).

Every test records what it tried in its ``user_properties`` (they travel back from xdist workers); the
terminal summary adds them up into one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.reliability.harness import Ingestion, clear_secret_caches
from tests.reliability.senders import SHOPIFY_DOMAIN, TIKTOK_SHOP_ID
from tests.support.aws import dynamodb_client, dynamodb_local, store, table
from tests.support.shops import register
from trackguard.storage.dynamo import Table
from trackguard.storage.store import Store
from trackguard_dev.local.dynamodb_local import free_port
from trackguard_dev.signing import DEV_SECRETS_FILE as SECRETS_FILE

__all__ = ["dynamodb_client", "dynamodb_local", "store", "table"]

SECRETS_ID = "trackguard/webhook-secrets"
COUNTERS = ("cases_tried", "cases_passed", "data_lost")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """One xdist worker runs them all: they share one DynamoDB Local and one moto server."""
    for item in items:
        if "tests/reliability" in str(item.path):
            item.add_marker(pytest.mark.xdist_group("reliability"))


@pytest.fixture(scope="session")
def aws_endpoint() -> Iterator[str]:
    """A moto server holding the dev webhook secrets; boto3 and Powertools reach it through the env."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL", endpoint)
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        env.setenv("AWS_REGION", "us-east-1")
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        clear_secret_caches()
        boto3.client("secretsmanager").create_secret(Name=SECRETS_ID, SecretString=SECRETS_FILE.read_text())
        yield endpoint
        clear_secret_caches()
    server.stop()


def wire(table: Table, monkeypatch: pytest.MonkeyPatch) -> Ingestion:
    """The webhook functions on this table, with the senders' shops registered (else they are parked)."""
    store = Store.for_table(table, due_shards=4)
    for shop in (SHOPIFY_DOMAIN, TIKTOK_SHOP_ID):
        if store.sellers.get(shop) is None:
            register(store, shop)
    ingestion = Ingestion(table, SECRETS_ID)
    for function, endpoint in ingestion.endpoints().items():
        monkeypatch.setattr(function, "endpoint", endpoint)
    return ingestion


@pytest.fixture
def ingestion(table: Table, aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Ingestion:
    """Both webhook functions wired to this test's table (the webhook secret lives in moto)."""
    return wire(table, monkeypatch)


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Iterator[dict[str, int]]:
    counts = dict.fromkeys(COUNTERS, 0)
    yield counts
    request.node.user_properties.extend(counts.items())


def pytest_terminal_summary(terminalreporter: Any) -> None:
    totals = dict.fromkeys(COUNTERS, 0)
    reports = [
        report
        for reports_of_outcome in terminalreporter.stats.values()
        for report in reports_of_outcome
        if getattr(report, "when", None) == "teardown"
    ]
    for report in reports:
        for name, value in getattr(report, "user_properties", []):
            if name in totals:
                totals[name] += int(value)
    if totals["cases_tried"]:
        terminalreporter.write_line(
            f"reliability: cases tried {totals['cases_tried']}, passed {totals['cases_passed']}, "
            f"data lost {totals['data_lost']}"
        )
