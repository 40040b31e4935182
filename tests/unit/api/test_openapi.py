"""The committed openapi.json is exactly what the seller API's routes generate."""

from __future__ import annotations

import json
from pathlib import Path

from trackguard.api.seller_routes import openapi_document

COMMITTED = Path(__file__).resolve().parents[3] / "openapi.json"


def test_openapi_json_is_in_sync_with_the_routes() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == openapi_document(), (
        "openapi.json is stale: run `trackguard openapi`"
    )


def test_seller_routes_require_the_bearer_key_and_document_the_contract_errors() -> None:
    paths = json.loads(openapi_document())["paths"]

    for path, operations in paths.items():
        for operation in operations.values():
            responses = operation["responses"]
            assert "422" not in responses
            if path.startswith("/sellers/"):
                assert operation["security"] == [{"bearerAuth": []}]
                assert {"401", "403"} <= responses.keys()
            else:
                assert "security" not in operation
