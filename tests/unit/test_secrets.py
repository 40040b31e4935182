"""The secret document fails closed per section, accepts rotation lists, and never shows a value."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities import parameters

from trackguard.observability import logger, metrics
from trackguard.secrets import (
    INVALID_SECTION_METRIC,
    SecretDocument,
    candidates,
    current,
    load_secret_document,
)
from trackguard.sources.carriers import fedex, ups
from trackguard.sources.shops.tiktok_shop import webhook as tiktok

CURRENT = "current-secret-value-0001"
PREVIOUS = "previous-secret-value-0002"


def ups_section(document: dict[str, Any]) -> ups.Secret | None:
    return SecretDocument(document).section("ups", ups.Secret)


@pytest.mark.parametrize(
    "section",
    [
        None,
        {},
        {"credential": ""},
        {"credential": "   "},
        {"credential": "fifteen-chars!!"[:15]},
        {"credential": []},
        {"credential": ["a" * 20, "b" * 20, "c" * 20]},
        {"credential": ["a" * 20, ""]},
        {"credential": 12345678901234567890},
        "not an object",
    ],
)
def test_a_missing_blank_short_or_malformed_section_is_not_configured(section: object) -> None:
    document = {} if section is None else {"ups": section}

    assert ups_section(document) is None


def test_a_usable_section_is_configured_and_other_sections_do_not_matter() -> None:
    found = ups_section({"ups": {"credential": CURRENT}, "fedex": {"security_token": ""}})

    assert found is not None
    assert current(found.key) == CURRENT


def test_during_a_rotation_both_verify_and_the_first_signs() -> None:
    found = ups_section({"ups": {"credential": [CURRENT, PREVIOUS]}})

    assert found is not None
    assert candidates(found.key) == (CURRENT, PREVIOUS)
    assert current(found.key) == CURRENT


def test_a_secret_is_trimmed_so_a_pasted_newline_does_not_change_it() -> None:
    found = ups_section({"ups": {"credential": f"  {CURRENT}\n"}})

    assert found is not None
    assert current(found.key) == CURRENT


def test_the_tiktok_app_key_is_required_beside_its_secret() -> None:
    document = SecretDocument({"tiktok_shop": {"app_secret": CURRENT}})

    assert document.section("tiktok_shop", tiktok.Secret) is None


def test_an_invalid_section_is_logged_by_name_and_counted_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log = io.StringIO()
    monkeypatch.setattr(logger.registered_handler, "stream", log)
    metrics.clear_metrics()
    secret_value = "short-but-secret"[:15]

    assert SecretDocument({"fedex": {"security_token": secret_value}}).section("fedex", fedex.Secret) is None

    logged = log.getvalue()
    assert '"section":"fedex"' in logged.replace(" ", "")
    assert secret_value not in logged
    assert metrics.metric_set[INVALID_SECTION_METRIC]["Value"] == [1.0]
    metrics.clear_metrics()


def test_the_document_is_validated_once_per_fetch(monkeypatch: pytest.MonkeyPatch) -> None:
    fetched = {"ups": {"credential": CURRENT}}
    monkeypatch.setattr(parameters, "get_secret", lambda *_args, **_kwargs: fetched)

    first = load_secret_document("doc-a")
    second = load_secret_document("doc-a")

    assert first is second
    monkeypatch.setattr(parameters, "get_secret", lambda *_args, **_kwargs: json.loads(json.dumps(fetched)))
    assert load_secret_document("doc-a") is not first
