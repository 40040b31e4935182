"""Swagger UI for the seller API, served by the local stack only (at /_docs/).

The page and its assets come from the npm package `swagger-ui-dist` that `make setup` installs under
tools/, so it works offline; the document is the committed openapi.json.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from trackguard_dev.local.sandboxes import SandboxRequest, SandboxResponse

PROJECT_ROOT = Path(__file__).resolve().parents[4]
ASSETS = PROJECT_ROOT / "tools" / "node_modules" / "swagger-ui-dist"
OPENAPI = PROJECT_ROOT / "openapi.json"
CONTENT_TYPES = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "favicon-32x32.png": "image/png",
}
PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>trackguard seller API</title>
  <link rel="stylesheet" href="/_docs/swagger-ui.css">
  <link rel="icon" href="/_docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/_docs/swagger-ui-bundle.js"></script>
  <script>window.ui = SwaggerUIBundle({url: "/_docs/openapi.json", dom_id: "#swagger-ui"});</script>
</body>
</html>
"""


class ApiDocs:
    def __init__(self, assets: Path = ASSETS, openapi: Path = OPENAPI) -> None:
        self._assets = assets
        self._openapi = openapi

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        if request.method not in ("GET", "HEAD"):
            return SandboxResponse(405, {"allow": "GET, HEAD"})
        name = request.path.strip("/")
        if name in ("", "index.html"):
            return SandboxResponse(200, {"content-type": "text/html; charset=utf-8"}, PAGE.encode())
        if name == "openapi.json":
            return SandboxResponse(200, {"content-type": "application/json"}, self._openapi.read_bytes())
        asset = self._assets / name
        if name not in CONTENT_TYPES or not asset.is_file():
            return SandboxResponse(404, {"content-type": "text/plain"}, b"not found")
        return SandboxResponse(200, {"content-type": CONTENT_TYPES[name]}, asset.read_bytes())


def create(_state_dir: Path, _secrets: Mapping[str, Any]) -> ApiDocs:
    return ApiDocs()
