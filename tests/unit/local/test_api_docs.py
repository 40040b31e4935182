"""The local stack's Swagger UI: the page, the committed OpenAPI document, and only known assets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trackguard_dev.local.sandboxes import SandboxRequest
from trackguard_dev.local.sandboxes.api_docs import ASSETS, OPENAPI, ApiDocs


def get(path: str) -> tuple[int, str, bytes]:
    response = ApiDocs().handle(SandboxRequest("GET", path))
    return response.status, response.headers.get("content-type", ""), response.body


def test_the_page_loads_the_document_and_the_local_assets() -> None:
    status, content_type, body = get("/")

    assert (status, content_type) == (200, "text/html; charset=utf-8")
    assert b'url: "/_docs/openapi.json"' in body
    assert b'src="/_docs/swagger-ui-bundle.js"' in body


def test_the_document_is_the_committed_openapi() -> None:
    status, _, body = get("/openapi.json")

    assert status == 200
    assert json.loads(body) == json.loads(OPENAPI.read_text())


@pytest.mark.skipif(
    not (ASSETS / "swagger-ui-bundle.js").is_file(), reason="tools/ not installed (make setup)"
)
def test_the_assets_come_from_the_installed_package() -> None:
    status, content_type, body = get("/swagger-ui-bundle.js")

    assert (status, content_type) == (200, "text/javascript")
    assert body == (ASSETS / "swagger-ui-bundle.js").read_bytes()


@pytest.mark.parametrize("path", ["/package.json", "/../../pyproject.toml", "/nothing.js"])
def test_nothing_else_is_served(path: str) -> None:
    assert get(path)[0] == 404


def test_only_reading_is_allowed(tmp_path: Path) -> None:
    assert ApiDocs(tmp_path, tmp_path / "x.json").handle(SandboxRequest("POST", "/")).status == 405
