"""TikTok Shop: its webhooks (``webhook``), its orders in trackguard's terms (``orders``).

The Open API client that fetches orders is ``trackguard.clients.tiktok_shop`` (only clients talk HTTP).
"""

from trackguard.sources.base import Sender
from trackguard.sources.shops.tiktok_shop.webhook import Secret, TikTokNotification, parse, sign, verify

NAME = "tiktok_shop"
SOURCE: Sender[Secret, TikTokNotification] = Sender(NAME, Secret, verify, sign, parse)
