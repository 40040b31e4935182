"""The committed shopify.app.toml subscribes to exactly the topics trackguard handles, at its route."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from trackguard.sources.shops.shopify.webhook import COMPLIANCE_TOPICS, HANDLED_TOPICS
from trackguard_dev.cli.shopify import PLACEHOLDER_CLIENT_ID, PLACEHOLDER_WEBHOOK_URL, app_config

COMMITTED = Path(__file__).resolve().parents[2] / "shopify.app.toml"
DEPLOYED = "https://k3x9.execute-api.eu-west-1.amazonaws.com/webhooks/shopify"


def test_the_committed_file_is_what_the_command_renders() -> None:
    assert COMMITTED.read_text() == app_config(PLACEHOLDER_WEBHOOK_URL, PLACEHOLDER_CLIENT_ID, "trackguard")


def test_every_handled_topic_is_subscribed_once_and_compliance_topics_apart() -> None:
    config = tomllib.loads(app_config(DEPLOYED, "abc123", "trackguard"))
    regular, compliance = config["webhooks"]["subscriptions"]

    assert set(compliance["compliance_topics"]) == COMPLIANCE_TOPICS
    assert "topics" not in compliance
    assert sorted(regular["topics"] + compliance["compliance_topics"]) == sorted(HANDLED_TOPICS)
    assert regular["uri"] == compliance["uri"] == DEPLOYED
    assert config["client_id"] == "abc123"
    assert config["application_url"] == "https://k3x9.execute-api.eu-west-1.amazonaws.com/health"


def test_a_url_that_is_not_https_is_refused() -> None:
    with pytest.raises(ValueError, match="https"):
        app_config("http://k3x9.execute-api.eu-west-1.amazonaws.com/webhooks/shopify", "abc", "trackguard")
