"""Create the template's table (its key schema, indexes and TTL) under a test's own name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


class _CloudFormationLoader(yaml.SafeLoader):
    """Reads CloudFormation's short-form tags as plain values: only the table's literal parts are used."""


def _any_tag(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_CloudFormationLoader.add_multi_constructor("!", _any_tag)


def table_properties() -> dict[str, Any]:
    template = yaml.load(TEMPLATE.read_text(), Loader=_CloudFormationLoader)
    tables = [
        resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::DynamoDB::Table"
    ]
    assert len(tables) == 1, "the design is a single table"
    return tables[0]


def create_table(client: Any, name: str) -> None:
    properties = table_properties()
    indexes = [
        {key: index[key] for key in ("IndexName", "KeySchema", "Projection")}
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
