"""Answering Shopify's ``customers/data_request``: what trackguard holds of the listed orders, for the seller.

Shopify does not relay the answer: the app sends it to the store owner. trackguard keeps the export in
S3 (``exports/{seller}/{request}.json``) and sends it by the seller's report channels: a signed webhook
(``type: customer.data_request``, the export inline and a download link) and/or an e-mail with the
export attached. When no channel took it, the delivery fails and is retried like any failed delivery; a
seller with no channel at all has it kept in S3 only (an operator hands it over), and a warning logged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from hashlib import sha256
from typing import Any

from trackguard.clients.email import Attachment, SesMailer, report_message
from trackguard.clients.seller_webhooks import SellerWebhookSender
from trackguard.domain.sellers import Seller
from trackguard.observability import logger
from trackguard.sources.shops.shopify.webhook import ShopifyCustomersDataRequest
from trackguard.storage.reports import ReportStore
from trackguard.storage.store import Store


class DataRequestUndeliveredError(RuntimeError):
    """No channel of the seller took the export; the delivery fails and is retried."""


class DataRequestAnswer:
    def __init__(
        self,
        *,
        store: Store,
        objects: ReportStore,
        webhooks: SellerWebhookSender,
        mailer: SesMailer,
        sender_email: str,
        webhook_secret: Callable[[Seller], str | None],
    ) -> None:
        self._store = store
        self._objects = objects
        self._webhooks = webhooks
        self._mailer = mailer
        self._sender_email = sender_email
        self._webhook_secret = webhook_secret

    def send(self, seller: Seller, request: ShopifyCustomersDataRequest, now: datetime) -> None:
        export = self.export(seller.seller_id, request, now)
        body = json.dumps(export, separators=(",", ":"), default=str).encode()
        request_id = _request_id(seller.seller_id, request)
        name = self._objects.put_export(seller.seller_id, request_id, body)
        failures: list[str] = []
        delivered = 0
        if seller.webhook_url:
            reason = self._by_webhook(seller, request_id, export, name, now)
            failures += [f"webhook: {reason}"] if reason else []
            delivered += 0 if reason else 1
        if seller.email:
            reason = self._by_email(seller, request_id, body)
            failures += [f"email: {reason}"] if reason else []
            delivered += 0 if reason else 1
        if failures and not delivered:
            raise DataRequestUndeliveredError("; ".join(failures))
        if not (seller.webhook_url or seller.email):
            logger.warning(
                "data request kept in S3 only: the seller has no report channel", seller_id=seller.seller_id
            )
        logger.info(
            "data request answered", seller_id=seller.seller_id, delivered=delivered, failed=len(failures)
        )

    def export(self, seller_id: str, request: ShopifyCustomersDataRequest, now: datetime) -> dict[str, Any]:
        """The orders' records as stored (order, packages, flags) and what is kept of their deliveries."""
        wanted = set(request.orders_requested)
        deliveries: dict[str, list[Any]] = {order_id: [] for order_id in wanted}
        for listed in self._store.deliveries.of_seller(seller_id):
            for order_id in wanted & set(listed.order_ids):
                stored = self._store.deliveries.get(listed.source, listed.delivery_id)
                if stored is not None:
                    deliveries[order_id].append(json.loads(stored.body))
        orders = []
        for order_id in sorted(wanted):
            view = self._store.orders.view(seller_id, order_id)
            orders.append(
                {
                    "order_id": order_id,
                    "order": view.order.model_dump(mode="json") if view.order else None,
                    "packages": [package.model_dump(mode="json") for package in view.packages],
                    "flags": [flag.model_dump(mode="json") for flag in view.flags],
                    "deliveries": deliveries[order_id],
                }
            )
        return {
            "shop_domain": seller_id,
            "data_request_id": request.data_request.id,
            "customer_id": request.customer.id,
            "generated_at": now.isoformat(),
            "orders": orders,
        }

    def _by_webhook(
        self, seller: Seller, request_id: str, export: dict[str, Any], name: str, now: datetime
    ) -> str | None:
        secret = self._webhook_secret(seller)
        if not seller.webhook_url or not secret:
            return "no webhook secret set for the seller"
        links = self._objects.download_links({"json": name}, now)
        payload = {
            "type": "customer.data_request",
            "timestamp": now.isoformat(),
            "data": {
                "export": export,
                "download": links.urls["json"],
                "download_expires_at": links.expires_at.isoformat(),
            },
        }
        body = json.dumps(payload, separators=(",", ":"), default=str).encode()
        result = self._webhooks.send(seller.webhook_url, secret, f"msg_datareq_{request_id}", body)
        return None if result.delivered else result.reason or "not delivered"

    def _by_email(self, seller: Seller, request_id: str, body: bytes) -> str | None:
        text = (
            f"A customer of {seller.seller_id} asked Shopify for their data. Attached is everything "
            "trackguard holds about the orders Shopify listed. Send it on to the customer.\n"
        )
        message = report_message(
            sender=self._sender_email,
            recipient=seller.email or "",
            subject=f"trackguard: customer data request for {seller.seller_id}",
            text=text,
            html=f"<p>{text}</p>",
            attachment=Attachment(
                filename=f"trackguard-data-request-{request_id}.json",
                content=body,
                maintype="application",
                subtype="json",
            ),
        )
        result = self._mailer.send(message)
        return None if result.sent else result.reason or "not sent"


def _request_id(seller_id: str, request: ShopifyCustomersDataRequest) -> str:
    """Shopify's data-request id when given; else a stable digest, so a redelivery overwrites one export."""
    if request.data_request.id:
        return f"request-{request.data_request.id}"
    listed = ",".join(sorted(request.orders_requested))
    return "orders-" + sha256(f"{seller_id}/{request.customer.id}/{listed}".encode()).hexdigest()[:24]
