"""Shopify's app lifecycle: ``app/uninstalled`` and the mandatory compliance topics.

- ``app/uninstalled``: the seller becomes inactive (its deliveries are parked, nothing of it is judged,
  no report goes out). Its data stays until ``shop/redact`` (sent 48 h later) or until the app is
  installed again: Shopify removes an uninstalled app's subscriptions, so an order or fulfillment
  webhook triggered after the uninstall proves a reinstall, and reactivates the seller.
- ``customers/redact``: for the listed orders, the buyer's postal code and country go from the order and
  from its flags' evidence, and the order's raw deliveries are deleted.
- ``shop/redact``: everything of the shop is erased, as ``trackguard sellers delete`` does, except the
  ``shop/redact`` delivery itself (it names only the shop, and expires with the deliveries' retention).
- ``customers/data_request``: what trackguard holds of the listed orders is exported to S3 and sent to
  the seller by its report channels (signed webhook and/or e-mail).

Each is idempotent: a repeated delivery finds the work done and does it again harmlessly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from trackguard.domain.sellers import Seller
from trackguard.observability import logger
from trackguard.services.erasure import SellerErasure
from trackguard.services.readiness import ShopNotReadyError
from trackguard.settings import ProcessorSettings
from trackguard.sources.shops.shopify.webhook import (
    ShopifyAppUninstalled,
    ShopifyCustomersDataRequest,
    ShopifyCustomersRedact,
    ShopifyNotification,
    ShopifyShopRedact,
)
from trackguard.storage.store import Store
from trackguard.wiring import on_first_use


class DataRequestSender(Protocol):
    def send(self, seller: Seller, request: ShopifyCustomersDataRequest, now: datetime) -> None:
        """Export what is held of the request's orders and deliver it to the seller."""
        ...


class ShopifyLifecycle:
    """Erasure and data-request delivery are built on first use: most batches need neither."""

    def __init__(
        self,
        store: Store,
        build_erasure: Callable[[], SellerErasure],
        build_data_requests: Callable[[], DataRequestSender],
    ) -> None:
        self._store = store
        self._erasure = on_first_use(build_erasure)
        self._data_requests = on_first_use(build_data_requests)

    def apply(self, notification: ShopifyNotification, now: datetime) -> None:
        shop = notification.shop_domain
        body = notification.lifecycle
        if isinstance(body, ShopifyAppUninstalled):
            deactivated = self._store.sellers.set_active(shop, False, notification.triggered_time or now)
            logger.info("Shopify app uninstalled", seller_id=shop, deactivated=deactivated)
        elif isinstance(body, ShopifyCustomersRedact):
            self.redact_orders(shop, body.orders_to_redact)
        elif isinstance(body, ShopifyShopRedact):
            plan = self._erasure().erase(shop, keep_delivery=("shopify", notification.delivery_id))
            logger.info("Shopify shop redacted", seller_id=shop, items=plan.table.count)
        elif isinstance(body, ShopifyCustomersDataRequest):
            self._answer_data_request(shop, body, now)

    def redact_orders(self, seller_id: str, order_ids: tuple[str, ...]) -> None:
        wanted = set(order_ids)
        for order_id in sorted(wanted):
            self._store.orders.forget_destination(seller_id, order_id)
            self._store.flags.forget_buyer_evidence(seller_id, order_id)
        for delivery in list(self._store.deliveries.of_seller(seller_id)):
            if wanted & set(delivery.order_ids):
                self._store.deliveries.delete(delivery.source, delivery.delivery_id)
        logger.info("Shopify customer redacted", seller_id=seller_id, orders=len(wanted))

    def _answer_data_request(self, shop: str, body: ShopifyCustomersDataRequest, now: datetime) -> None:
        seller = self._store.sellers.get(shop)
        if seller is None:
            raise ShopNotReadyError(f"{shop} is not registered: no channel to answer its data request")
        self._data_requests().send(seller, body, now)


def shopify_lifecycle_from_settings(store: Store, settings: ProcessorSettings) -> ShopifyLifecycle:
    def data_requests() -> DataRequestSender:
        from trackguard.clients.email import SesMailer
        from trackguard.clients.seller_webhooks import SellerWebhookSender
        from trackguard.services.data_requests import DataRequestAnswer
        from trackguard.services.sellers import SellerSecrets
        from trackguard.storage.reports import ReportStore

        return DataRequestAnswer(
            store=store,
            objects=ReportStore(settings.reports_bucket),
            webhooks=SellerWebhookSender(allow_loopback=settings.allow_loopback_webhooks),
            mailer=SesMailer(),
            sender_email=settings.report_sender_email,
            webhook_secret=SellerSecrets.in_secrets_manager(settings.seller_secrets_prefix).webhook_secret,
        )

    def erasure() -> SellerErasure:
        from trackguard.services.erasure import build_seller_erasure

        prefixes = (settings.shop_tokens_secret_prefix, settings.seller_secrets_prefix)
        return build_seller_erasure(store.table, settings.reports_bucket, prefixes)

    return ShopifyLifecycle(store, erasure, data_requests)
