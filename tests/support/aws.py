"""AWS's DynamoDB Local (started once per test session on a free port) and moto's server, as fixtures.

The integration and reliability suites import them into their conftests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.support.tables import create_table
from trackguard.storage.dynamo import Table
from trackguard.storage.store import Store
from trackguard_dev.local.dynamodb_local import DynamoDBLocal, free_port

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[DynamoDBLocal]:
    with DynamoDBLocal.start() as instance:
        yield instance


@pytest.fixture(scope="session")
def dynamodb_client(dynamodb_local: DynamoDBLocal) -> DynamoDBClient:
    return boto3.client(
        "dynamodb",
        endpoint_url=dynamodb_local.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def table(dynamodb_client: DynamoDBClient) -> Table:
    name = f"trackguard-test-{uuid.uuid4().hex[:10]}"
    create_table(dynamodb_client, name)
    return Table(name, dynamodb_client)


@pytest.fixture
def store(table: Table) -> Store:
    return Store.for_table(table, due_shards=4)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's server on loopback, for the services with no AWS-made local build (SQS, S3, SES, Secrets)."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()
