"""A function's settings come from its environment; a missing or bad variable is named, never defaulted."""

from __future__ import annotations

import pytest

from trackguard.rules.thresholds import Thresholds
from trackguard.settings import ProcessorSettings, ReportSettings, Settings, SettingsError

GLOBALS = {
    "TABLE_NAME": "trackguard-prod-Table",
    "EVENT_BUS_NAME": "trackguard-prod",
    "WEBHOOK_SECRETS_ID": "arn:aws:secretsmanager:us-east-1:000000000000:secret:hooks",
    "DUE_INDEX_SHARDS": "8",
}
PROCESSOR = {
    **GLOBALS,
    "TIKTOK_SHOP_API_BASE_URL": "https://open-api.example",
    "SHOP_TOKENS_SECRET_PREFIX": "trackguard/shop-tokens/",
    "SELLER_SECRETS_PREFIX": "trackguard/seller-secrets/",
    "PROCESSING_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/000000000000/processing",
    "REPORTS_BUCKET": "reports",
    "REPORT_SENDER_EMAIL": "reports@example.com",
    "TIKTOK_SHOP_AUTH_BASE_URL": "https://auth.example",
}


def test_the_globals_are_every_function_s_settings() -> None:
    settings = Settings.from_environ(GLOBALS)

    assert (settings.table_name, settings.event_bus_name, settings.due_index_shards) == (
        "trackguard-prod-Table",
        "trackguard-prod",
        8,
    )


@pytest.mark.parametrize("variable", sorted(GLOBALS))
def test_a_missing_variable_is_named(variable: str) -> None:
    environ = {name: value for name, value in GLOBALS.items() if name != variable}

    with pytest.raises(SettingsError) as raised:
        Settings.from_environ(environ)

    assert str(raised.value) == f"Settings: {variable} not set"


def test_a_blank_variable_counts_as_missing() -> None:
    with pytest.raises(SettingsError, match="TABLE_NAME not set"):
        Settings.from_environ({**GLOBALS, "TABLE_NAME": ""})


def test_every_missing_variable_of_a_function_is_named_at_once() -> None:
    with pytest.raises(SettingsError) as raised:
        ProcessorSettings.from_environ(GLOBALS)

    assert str(raised.value) == (
        "ProcessorSettings: TIKTOK_SHOP_API_BASE_URL, SHOP_TOKENS_SECRET_PREFIX, TIKTOK_SHOP_AUTH_BASE_URL, "
        "SELLER_SECRETS_PREFIX, PROCESSING_QUEUE_URL, REPORTS_BUCKET not set"
    )


def test_a_value_that_does_not_parse_is_named() -> None:
    environ = {**PROCESSOR, "DUE_INDEX_SHARDS": "0", "CUSTOMS_HOLD_DAYS": "three"}

    with pytest.raises(SettingsError) as raised:
        ProcessorSettings.from_environ(environ)

    assert str(raised.value) == "ProcessorSettings: CUSTOMS_HOLD_DAYS, DUE_INDEX_SHARDS not valid"


def test_thresholds_are_read_by_their_own_names_and_otherwise_the_contract_s() -> None:
    settings = ProcessorSettings.from_environ({**PROCESSOR, "CUSTOMS_HOLD_DAYS": "5"})

    assert settings.thresholds == Thresholds(customs_hold_days=5)


def test_only_limits_and_safe_switches_have_defaults() -> None:
    """No sender is the safe switch of report e-mails: off (the stack's ReportEmails=disabled)."""
    settings = ReportSettings.from_environ(
        {**GLOBALS, "REPORTS_BUCKET": "reports", "SELLER_SECRETS_PREFIX": "trackguard/seller-secrets/"}
    )

    assert (settings.max_body_bytes, settings.allow_loopback_webhooks) == (1024 * 1024, False)
    assert settings.report_sender_email == ""
    assert ReportSettings.required_variables() == [*GLOBALS, "REPORTS_BUCKET", "SELLER_SECRETS_PREFIX"]
