"""Create the template's table (its key schema, indexes and TTL) under a test's own name."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from trackguard_dev.local.template import load_template

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import GlobalSecondaryIndexTypeDef

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


def table_properties() -> dict[str, Any]:
    template = load_template(TEMPLATE)
    tables = [
        resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::DynamoDB::Table"
    ]
    assert len(tables) == 1, "the design is a single table"
    properties: dict[str, Any] = tables[0]
    return properties


def create_table(client: DynamoDBClient, name: str) -> None:
    properties = table_properties()
    indexes: list[GlobalSecondaryIndexTypeDef] = [
        {"IndexName": index["IndexName"], "KeySchema": index["KeySchema"], "Projection": index["Projection"]}
        for index in properties.get("GlobalSecondaryIndexes", [])
    ]
    client.create_table(
        TableName=name,
        AttributeDefinitions=properties["AttributeDefinitions"],
        KeySchema=properties["KeySchema"],
        GlobalSecondaryIndexes=indexes,
        BillingMode="PAY_PER_REQUEST",
        **_stream(properties),
    )
    client.get_waiter("table_exists").wait(TableName=name)
    ttl = properties.get("TimeToLiveSpecification")
    if ttl:
        client.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)


def _stream(properties: dict[str, Any]) -> dict[str, Any]:
    view = properties.get("StreamSpecification", {}).get("StreamViewType")
    return {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": view}} if view else {}
