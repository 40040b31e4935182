"""Shopify: its webhooks (``webhook``), its orders and fulfillments in trackguard's terms (``orders``)."""

from trackguard.sources.base import Sender
from trackguard.sources.shops.shopify.webhook import Secret, ShopifyNotification, parse, sign, verify

NAME = "shopify"
SOURCE: Sender[Secret, ShopifyNotification] = Sender(NAME, Secret, verify, sign, parse)
