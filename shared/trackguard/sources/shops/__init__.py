"""Shop-platform sources (TikTok Shop, Shopify): one module each, exposing ``verify`` and ``parse``."""
