"""The pages a seller's browser sees at the end of TikTok Shop's authorisation (CONTRACT §2).

Every page is sent with ``Cache-Control: no-store``: the success page may show a new seller's API key,
once, and no browser or proxy may keep it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from trackguard.services.tiktok_authorization import CallbackRefusedError, ConnectedShop

HTML_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "Referrer-Policy": "no-referrer",
}
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem}"
    "code{word-break:break-all}"
)


def connected_page(shops: Sequence[ConnectedShop]) -> dict[str, Any]:
    items = "".join(_shop_item(shop) for shop in shops)
    body = (
        f"<h1>TikTok Shop connected</h1><p>trackguard now checks the tracking of {len(shops)} "
        f"shop{'' if len(shops) == 1 else 's'}:</p><ul>{items}</ul>"
    )
    if any(shop.api_key for shop in shops):
        body += "<p><strong>Copy each API key now: it is shown only this once.</strong></p>"
    return _page(200, "TikTok Shop connected", body)


def refused_page(refusal: CallbackRefusedError) -> dict[str, Any]:
    body = (
        f"<h1>{escape(refusal.title)}</h1><p>{escape(refusal.reason)}.</p>"
        "<p>Nothing was connected. Ask for a new authorisation link and try again.</p>"
    )
    return _page(refusal.status, refusal.title, body)


def _shop_item(shop: ConnectedShop) -> str:
    label = escape(shop.name or shop.shop_id)
    details = f"{label} (shop {escape(shop.shop_id)}{', ' + escape(shop.region) if shop.region else ''})"
    if shop.api_key is None:
        return f"<li>{details}: reconnected</li>"
    return f"<li>{details}: new seller, API key <code>{escape(shop.api_key)}</code></li>"


def _page(status: int, title: str, body: str) -> dict[str, Any]:
    document = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="robots" content="noindex"><style>{_STYLE}</style></head><body>{body}</body></html>'
    )
    return {"statusCode": status, "headers": dict(HTML_HEADERS), "body": document}
