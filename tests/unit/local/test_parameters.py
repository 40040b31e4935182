"""local/parameters.json: plain values, secrets seeded from files, and verified SES senders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from trackguard_dev.local.provision import local_parameters


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        yield lambda service: boto3.client(service, region_name="us-east-1")


def test_each_kind_of_local_parameter(tmp_path: Path, aws: Any) -> None:
    (tmp_path / "secrets.json").write_text(json.dumps({"shopify": {"client_secret": "s"}}))
    overrides = tmp_path / "parameters.json"
    overrides.write_text(
        json.dumps(
            {
                "TikTokShopApiBaseUrl": "{api_url}/_sandbox/tiktok-shop",
                "WebhookSecretsArn": {
                    "secret_from_file": "secrets.json",
                    "name": "trackguard/webhook-secrets",
                },
                "ReportSenderEmail": {"verified_email": "reports-local@trackguard.invalid"},
            }
        )
    )

    values, secrets = local_parameters(overrides, tmp_path, "http://127.0.0.1:3000", aws)

    assert values["TikTokShopApiBaseUrl"] == "http://127.0.0.1:3000/_sandbox/tiktok-shop"
    assert values["WebhookSecretsArn"].startswith("arn:aws:secretsmanager:")
    assert values["ReportSenderEmail"] == "reports-local@trackguard.invalid"
    assert secrets == {"shopify": {"client_secret": "s"}}
    assert aws("ses").list_identities()["Identities"] == ["reports-local@trackguard.invalid"]


def test_a_missing_file_means_no_overrides(tmp_path: Path, aws: Any) -> None:
    assert local_parameters(tmp_path / "absent.json", tmp_path, "http://x", aws) == ({}, {})
