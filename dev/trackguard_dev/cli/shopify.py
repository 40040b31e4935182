"""`trackguard shopify app-config`: write the `shopify.app.toml` that subscribes Shopify to trackguard.

Shopify needs absolute HTTPS URLs, and trackguard's is known only once the stack is deployed (the
`ShopifyWebhookUrl` output). The committed `shopify.app.toml` is rendered with placeholders; render it
again against the deployed URL and the app's client id, then `shopify app deploy` it. Topics come from
the Shopify adapter itself, so the file subscribes to exactly what trackguard handles.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlsplit

API_VERSION = "2025-10"
PLACEHOLDER_WEBHOOK_URL = "https://API_ID.execute-api.REGION.amazonaws.com/webhooks/shopify"
PLACEHOLDER_CLIENT_ID = "YOUR_APP_CLIENT_ID"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    shopify = subparsers.add_parser("shopify", help="the Shopify app's configuration file")
    commands = shopify.add_subparsers(dest="shopify_command", required=True)
    config = commands.add_parser("app-config", help="render shopify.app.toml for a deployed stack")
    config.add_argument(
        "--webhook-url", default=PLACEHOLDER_WEBHOOK_URL, help="the stack's ShopifyWebhookUrl output"
    )
    config.add_argument("--client-id", default=PLACEHOLDER_CLIENT_ID, help="the Shopify app's client id")
    config.add_argument("--name", default="trackguard", help="the app's name in Shopify")
    config.add_argument("--output", type=Path, help="where to write it (default: standard output)")
    config.set_defaults(handler=_app_config)


def app_config(webhook_url: str, client_id: str, name: str) -> str:
    """The app configuration: every handled topic, and the compliance topics in their own block."""
    from trackguard.sources.shops.shopify.webhook import (
        APP_UNINSTALLED,
        COMPLIANCE_TOPICS,
        FULFILLMENT_TOPICS,
        ORDER_TOPICS,
    )

    parts = urlsplit(webhook_url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"{webhook_url!r} is not an https:// URL")
    topics = [*sorted(ORDER_TOPICS), *sorted(FULFILLMENT_TOPICS), APP_UNINSTALLED]
    return "\n".join(
        [
            "# Rendered by `trackguard shopify app-config`; see the README (Deploying to AWS, Shopify).",
            "# trackguard is a webhook-only app: no admin UI, no Admin API calls, read_orders only.",
            f'client_id = "{client_id}"',
            f'name = "{name}"',
            f'application_url = "{parts.scheme}://{parts.netloc}/health"',
            "embedded = false",
            "",
            "[access_scopes]",
            'scopes = "read_orders"',
            "",
            "[webhooks]",
            f'api_version = "{API_VERSION}"',
            "",
            "  [[webhooks.subscriptions]]",
            f"  topics = [{_list(topics)}]",
            f'  uri = "{webhook_url}"',
            "",
            "  # Mandatory for the App Store; answered by trackguard (docs/data-retention.md).",
            "  [[webhooks.subscriptions]]",
            f"  compliance_topics = [{_list(sorted(COMPLIANCE_TOPICS))}]",
            f'  uri = "{webhook_url}"',
            "",
        ]
    )


def _list(values: list[str]) -> str:
    return ", ".join(f'"{value}"' for value in values)


def _app_config(args: argparse.Namespace) -> int:
    try:
        text = app_config(args.webhook_url, args.client_id, args.name)
    except ValueError as error:
        print(f"trackguard shopify: {error}", file=sys.stderr)
        return 1
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text)
        print(f"wrote {args.output}")
    return 0
