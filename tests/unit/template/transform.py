"""template.yaml as CloudFormation receives it for one stage: packaged (code in S3), then SAM-transformed."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import boto3
from cfnlint.decode import decode
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "template.yaml"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:trackguard/webhook-secrets-AbCdEf"


@cache
def source() -> dict[str, Any]:
    decoded, errors = decode(str(TEMPLATE))
    assert not errors, errors
    assert decoded is not None
    return dict(decoded)


def transformed(**parameters: str) -> dict[str, Any]:
    """The transformed template for these parameter values (the secret's ARN is always given)."""
    return copy.deepcopy(_transformed(tuple(sorted(parameters.items()))))


@cache
def _transformed(parameters: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    packaged = copy.deepcopy(source())
    for resource in packaged["Resources"].values():
        properties = resource.get("Properties", {})
        for code_property in ("CodeUri", "ContentUri"):
            if code_property in properties:
                properties[code_property] = f"s3://artifacts/{properties[code_property]}"
    translator = Translator({}, Parser(), boto_session=boto3.Session(region_name="us-east-1"))
    values = {"WebhookSecretsArn": SECRET_ARN, **dict(parameters)}
    result: dict[str, Any] = translator.translate(packaged, values)
    return result


def of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == resource_type}
