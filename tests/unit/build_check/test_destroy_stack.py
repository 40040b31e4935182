"""scripts/destroy_stack.py against moto's CloudFormation: the bucket is emptied, the table kept and named."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[3]
STACK = "trackguard-staging"
# The two resources whose fate `make destroy` documents, with the template's deletion policies.
TEMPLATE = {
    "Resources": {
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "DeletionPolicy": "Retain",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            },
        },
        "ReportsBucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Delete"},
    }
}


def load_destroy_stack() -> ModuleType:
    spec = importlib.util.spec_from_file_location("destroy_stack", ROOT / "scripts" / "destroy_stack.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["destroy_stack"] = module
    spec.loader.exec_module(module)
    return module


destroy_stack = load_destroy_stack()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        cloudformation = boto3.client("cloudformation")
        cloudformation.create_stack(StackName=STACK, TemplateBody=json.dumps(TEMPLATE))
        yield {
            "cloudformation": cloudformation,
            "s3": boto3.client("s3"),
            "dynamodb": boto3.client("dynamodb"),
        }


def test_the_stack_goes_with_its_emptied_bucket_and_the_table_stays(
    aws: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    resources = destroy_stack.physical_ids(aws["cloudformation"], STACK)
    bucket, table = resources["ReportsBucket"][1], resources["Table"][1]
    for key in ("reports/s-1/2026-11-03.json", "reports/s-1/2026-11-03.csv"):
        aws["s3"].put_object(Bucket=bucket, Key=key, Body=b"{}")

    assert destroy_stack.destroy(STACK) == 0

    assert aws["cloudformation"].list_stacks(StackStatusFilter=["CREATE_COMPLETE"])["StackSummaries"] == []
    assert bucket not in [b["Name"] for b in aws["s3"].list_buckets()["Buckets"]]
    assert aws["dynamodb"].list_tables()["TableNames"] == [table]
    output = capsys.readouterr().out
    assert f"emptying {bucket}: 2 objects deleted" in output
    assert f"AWS::DynamoDB::Table {table}" in output
