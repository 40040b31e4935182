"""The download links' stated lifetime is what their signing credentials really allow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from trackguard.storage.reports import (
    CREDENTIAL_EXPIRY_MARGIN,
    DOWNLOAD_LINK_LIFETIME,
    UNDATED_TEMPORARY_CREDENTIALS,
    ReportStore,
)

NOW = datetime(2026, 11, 3, 16, 20, tzinfo=UTC)
OBJECTS = {"csv": "reports/shop-1/2026-11-03.csv", "json": "reports/shop-1/2026-11-03.json"}


@pytest.fixture(autouse=True)
def signing_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys for the store's own S3 client (presigning is local: nothing is sent)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def links_for(environ: dict[str, str]) -> tuple[dict[str, int], datetime]:
    """Each link's X-Amz-Expires, and the instant the links are said to expire."""
    links = ReportStore("bucket", environ=environ).download_links(OBJECTS, NOW)
    expires = {fmt: int(parse_qs(urlsplit(url).query)["X-Amz-Expires"][0]) for fmt, url in links.urls.items()}
    return expires, links.expires_at


@pytest.mark.parametrize(
    ("environ", "lifetime"),
    [
        ({}, DOWNLOAD_LINK_LIFETIME),
        ({"AWS_SESSION_TOKEN": "token"}, UNDATED_TEMPORARY_CREDENTIALS - CREDENTIAL_EXPIRY_MARGIN),
        (
            {"AWS_SESSION_TOKEN": "token", "AWS_CREDENTIAL_EXPIRATION": "2026-11-03T19:20:00Z"},
            timedelta(hours=3) - CREDENTIAL_EXPIRY_MARGIN,
        ),
        (
            {"AWS_SESSION_TOKEN": "token", "AWS_CREDENTIAL_EXPIRATION": "2026-12-30T00:00:00+00:00"},
            DOWNLOAD_LINK_LIFETIME,
        ),
        (
            {"AWS_SESSION_TOKEN": "token", "AWS_CREDENTIAL_EXPIRATION": "2026-11-03T16:21:00Z"},
            timedelta(0),
        ),
    ],
    ids=["long-term keys", "undated session", "session for 3 h", "session for weeks", "expiring session"],
)
def test_the_stated_expiry_is_the_urls_own_and_within_the_credentials_life(
    environ: dict[str, str], lifetime: timedelta
) -> None:
    expires, expires_at = links_for(environ)

    assert set(expires) == set(OBJECTS)
    assert set(expires.values()) == {int(lifetime.total_seconds())}
    assert expires_at == NOW + lifetime
