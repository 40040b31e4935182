"""cfn-lint over what CloudFormation receives (the SAM-transformed template), not only over template.yaml."""

from __future__ import annotations

import json
from functools import cache

import pytest
from cfnlint.api import ManualArgs, lint

from tests.unit.template.transform import transformed

# SAM resolves parameter defaults into LayerName when it hashes the layer's logical id, leaving
# `Fn::Sub: trackguard-shared-<stage>` with nothing to substitute: SAM's output, not ours.
JUSTIFIED = {("W1020", "SharedLayer")}


@cache
def findings(**parameters: str) -> list[tuple[str, str, str]]:
    template = transformed(**parameters)
    matches = lint(json.dumps(template), config=ManualArgs(regions=["us-east-1"]))
    return [
        (match.rule.id, str(match.path[1]) if len(match.path) > 1 else "", match.message) for match in matches
    ]


@pytest.mark.parametrize(
    "parameters",
    [
        {"Stage": "prod"},
        {"Stage": "staging", "ReportEmails": "enabled", "ReportSenderEmail": "reports@example.com"},
        {"Stage": "dev", "AlarmTopicArn": "arn:aws:sns:us-east-1:123456789012:pager", "AlarmEmail": "a@b.co"},
    ],
)
def test_the_transformed_template_lints_clean(parameters: dict[str, str]) -> None:
    unjustified = [
        finding
        for finding in findings(**parameters)
        if not any(finding[0] == rule and finding[1].startswith(prefix) for rule, prefix in JUSTIFIED)
    ]

    assert unjustified == []


def test_no_policy_names_a_non_action() -> None:
    """W3037: an IAM action that does not exist (dynamodb:TransactWriteItems was one)."""
    assert [f for f in findings(Stage="prod") if f[0] == "W3037"] == []
