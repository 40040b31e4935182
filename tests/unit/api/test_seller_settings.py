"""What an operator may set on a seller: checked before anything is stored."""

from __future__ import annotations

import base64

import pytest

from trackguard.domain.orders import Platform
from trackguard.errors import InvalidSettingError
from trackguard.services.sellers import (
    checked_email,
    checked_report_hour,
    checked_timezone,
    checked_webhook_secret,
    checked_webhook_url,
    guess_platform,
    new_webhook_secret,
)


def test_a_generated_webhook_secret_is_in_standard_webhooks_form() -> None:
    secret = new_webhook_secret()

    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert checked_webhook_secret(secret) == secret
    assert new_webhook_secret() != secret


@pytest.mark.parametrize(
    "secret",
    [
        "plain",
        "whsec_not base64!",
        "whsec_" + base64.b64encode(b"short").decode(),
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    ],
)
def test_a_webhook_secret_not_in_standard_webhooks_form_is_refused(secret: str) -> None:
    with pytest.raises(InvalidSettingError):
        checked_webhook_secret(secret)


def test_time_zones_are_iana_names() -> None:
    assert checked_timezone("Europe/Paris") == "Europe/Paris"
    for name in ("Mars/Olympus", "../etc/passwd", ""):
        with pytest.raises(InvalidSettingError):
            checked_timezone(name)


def test_the_report_hour_is_an_hour_of_the_day() -> None:
    assert checked_report_hour(0) == 0
    assert checked_report_hour(23) == 23
    for hour in (-1, 24):
        with pytest.raises(InvalidSettingError):
            checked_report_hour(hour)


def test_webhooks_go_to_https_or_to_a_loopback_host() -> None:
    assert checked_webhook_url("https://hooks.example.com/tg") == "https://hooks.example.com/tg"
    assert checked_webhook_url("http://127.0.0.1:9000/hook") == "http://127.0.0.1:9000/hook"
    for url in ("http://hooks.example.com/tg", "ftp://example.com", "https://", "not a url"):
        with pytest.raises(InvalidSettingError):
            checked_webhook_url(url)


def test_an_email_address_needs_a_domain() -> None:
    assert checked_email("ops@shop.example") == "ops@shop.example"
    for address in ("ops", "ops@localhost", "a b@shop.example"):
        with pytest.raises(InvalidSettingError):
            checked_email(address)


def test_the_platform_is_guessed_from_the_shop_id() -> None:
    assert guess_platform("my-shop.myshopify.com") is Platform.SHOPIFY
    assert guess_platform("7495614880318359851") is Platform.TIKTOK_SHOP
