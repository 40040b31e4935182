"""Create the template's tables, queues, buckets and event buses, and the local parameters' secrets.

Everything is idempotent: what exists is kept (a table's missing indexes and TTL are added), so data
survives between runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from trackguard_dev.local.template import Resolver

TABLE_KEYS = (
    "AttributeDefinitions",
    "KeySchema",
    "BillingMode",
    "ProvisionedThroughput",
    "LocalSecondaryIndexes",
    "StreamSpecification",
)
QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "RedrivePolicy",
    "RedriveAllowPolicy",
)

ClientFactory = Callable[[str], Any]


def local_parameters(
    overrides_file: Path, base_dir: Path, api_url: str, client: ClientFactory
) -> tuple[dict[str, str], dict[str, Any]]:
    """The parameter values of ``local/parameters.json``, and the content of the secrets it creates.

    A plain value may use ``{api_url}``; ``{"secret_from_file": F, "name": N}`` stores F's content as
    secret N (created or updated) and the parameter becomes its ARN; ``{"verified_email": A}`` verifies
    sender A in SES (which refuses mail from unverified senders) and the parameter becomes A.
    """
    if not overrides_file.exists():
        return {}, {}
    values: dict[str, str] = {}
    secrets: dict[str, Any] = {}
    for name, value in json.loads(overrides_file.read_text()).items():
        if isinstance(value, dict) and "secret_from_file" in value:
            content = (base_dir / value["secret_from_file"]).read_text()
            values[name] = put_secret(client("secretsmanager"), str(value["name"]), content)
            secrets.update(json.loads(content))
        elif isinstance(value, dict) and "verified_email" in value:
            client("ses").verify_email_identity(EmailAddress=str(value["verified_email"]))
            values[name] = str(value["verified_email"])
        else:
            values[name] = str(value).replace("{api_url}", api_url)
    return values, secrets


def put_secret(client: Any, name: str, content: str) -> str:
    try:
        arn: str = client.create_secret(Name=name, SecretString=content)["ARN"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceExistsException":
            raise
        arn = client.put_secret_value(SecretId=name, SecretString=content)["ARN"]
    return arn


def provision(resolver: Resolver, client: ClientFactory) -> list[str]:
    """Create what the template declares; returns one line per resource."""
    created: list[str] = []
    by_type = _resources_by_type(resolver)
    for logical_id in by_type.get("AWS::DynamoDB::Table", []):
        created.append(_table(resolver, logical_id, client("dynamodb")))
    queues = by_type.get("AWS::SQS::Queue", [])
    queues.sort(key=lambda logical_id: "RedrivePolicy" in _properties(resolver, logical_id))
    for logical_id in queues:
        created.append(_queue(resolver, logical_id, client("sqs")))
    for logical_id in by_type.get("AWS::S3::Bucket", []):
        created.append(_bucket(resolver, logical_id, client("s3")))
    for logical_id in by_type.get("AWS::Events::EventBus", []):
        created.append(_event_bus(resolver, logical_id, client("events")))
    return created


def _resources_by_type(resolver: Resolver) -> dict[str, list[str]]:
    by_type: dict[str, list[str]] = {}
    for logical_id, resource in resolver.resources.items():
        if resolver.is_enabled(logical_id):
            by_type.setdefault(str(resource.get("Type")), []).append(logical_id)
    return by_type


def _properties(resolver: Resolver, logical_id: str) -> dict[str, Any]:
    properties: dict[str, Any] = resolver.resolve(resolver.resources[logical_id].get("Properties") or {})
    return properties


def _table(resolver: Resolver, logical_id: str, dynamodb: Any) -> str:
    properties = _properties(resolver, logical_id)
    name = str(resolver.attribute(logical_id, "Ref"))
    indexes = properties.get("GlobalSecondaryIndexes") or []
    on_demand = properties.get("BillingMode") == "PAY_PER_REQUEST"
    if on_demand:
        indexes = [{k: v for k, v in index.items() if k != "ProvisionedThroughput"} for index in indexes]
    try:
        existing = dynamodb.describe_table(TableName=name)["Table"]
    except dynamodb.exceptions.ResourceNotFoundException:
        arguments = {key: properties[key] for key in TABLE_KEYS if key in properties}
        if "StreamSpecification" in arguments:
            arguments["StreamSpecification"] = {"StreamEnabled": True, **arguments["StreamSpecification"]}
        if indexes:
            arguments["GlobalSecondaryIndexes"] = indexes
        dynamodb.create_table(TableName=name, **arguments)
        existing = {"GlobalSecondaryIndexes": indexes}
    _add_missing_indexes(dynamodb, name, properties, existing, indexes)
    _enable_ttl(dynamodb, name, properties.get("TimeToLiveSpecification"))
    return f"table {logical_id}: {name}"


def _add_missing_indexes(
    dynamodb: Any,
    name: str,
    properties: Mapping[str, Any],
    existing: Mapping[str, Any],
    indexes: list[dict[str, Any]],
) -> None:
    present = {index["IndexName"] for index in existing.get("GlobalSecondaryIndexes") or []}
    for index in indexes:
        if index["IndexName"] not in present:
            dynamodb.update_table(
                TableName=name,
                AttributeDefinitions=properties["AttributeDefinitions"],
                GlobalSecondaryIndexUpdates=[{"Create": index}],
            )


def _enable_ttl(dynamodb: Any, name: str, specification: Mapping[str, Any] | None) -> None:
    if not specification or str(specification.get("Enabled")).lower() != "true":
        return
    status = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if status.get("TimeToLiveStatus") != "ENABLED":
        dynamodb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"AttributeName": specification["AttributeName"], "Enabled": True},
        )


def _queue(resolver: Resolver, logical_id: str, sqs: Any) -> str:
    properties = _properties(resolver, logical_id)
    name = str(resolver.attribute(logical_id, "QueueName"))
    attributes = {key: _attribute_text(properties[key]) for key in QUEUE_ATTRIBUTES if key in properties}
    try:
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("QueueAlreadyExists", "QueueNameExists"):
            raise
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        settable = {key: value for key, value in attributes.items() if key != "FifoQueue"}
        sqs.set_queue_attributes(QueueUrl=url, Attributes=settable)
    resolver.override_attribute(logical_id, "Ref", url)
    resolver.override_attribute(logical_id, "QueueUrl", url)
    return f"queue {logical_id}: {url}"


def _attribute_text(value: Any) -> str:
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _bucket(resolver: Resolver, logical_id: str, s3: Any) -> str:
    name = str(resolver.attribute(logical_id, "Ref"))
    try:
        s3.create_bucket(Bucket=name)
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    return f"bucket {logical_id}: {name}"


def _event_bus(resolver: Resolver, logical_id: str, events: Any) -> str:
    name = str(resolver.attribute(logical_id, "Name"))
    try:
        events.create_event_bus(Name=name)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceAlreadyExistsException":
            raise
    return f"event bus {logical_id}: {name}"
