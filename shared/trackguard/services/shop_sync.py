"""Apply a stored shop delivery: TikTok Shop (fetching the order from its API) and Shopify.

TikTok webhooks carry no tracking data, so an order change is fetched from the TikTok Shop API; Shopify
webhooks carry the order or fulfillment itself. Both become platform-neutral `OrderSnapshot`s that the
`OrderWriter` stores.

Only a ready shop's deliveries are applied: one that is not registered, is inactive (Shopify
``app/uninstalled``) or has no TikTok API credentials raises `ShopNotReadyError`, and the processor parks
the delivery. Shopify's lifecycle topics go to `ShopifyLifecycle` whatever the shop's state.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from trackguard.domain.orders import OrderKey, OrderSnapshot
from trackguard.errors import UnknownSourceError
from trackguard.observability import logger
from trackguard.services.order_writer import OrderWriter
from trackguard.services.readiness import ShopNotReadyError
from trackguard.services.shop_lifecycle import ShopifyLifecycle
from trackguard.settings import ProcessorSettings
from trackguard.sources.base import RawDelivery
from trackguard.sources.shops import shopify, tiktok_shop
from trackguard.sources.shops.shopify.orders import shopify_order_snapshot, shopify_packages
from trackguard.sources.shops.shopify.webhook import ShopifyNotification
from trackguard.sources.shops.tiktok_shop.orders import tiktok_order_ids, tiktok_snapshot
from trackguard.sources.shops.tiktok_shop.webhook import (
    CancellationStatusChange,
    OrderStatusChange,
    PackageUpdate,
    RecipientAddressUpdate,
    ReturnStatusChange,
    SellerDeauthorization,
    TikTokNotification,
    UpcomingAuthorizationExpiration,
)
from trackguard.storage.deliveries import StoredDelivery
from trackguard.storage.store import Store

if TYPE_CHECKING:
    from trackguard.clients.shop_credentials import ShopCredentialStore
    from trackguard.clients.tiktok_shop import TikTokOrder, TikTokShopClient
    from trackguard.services.reauthorization import ShopLifecycle


class TikTokOrders(Protocol):
    def fetch(self, shop_id: str, order_ids: Sequence[str]) -> list[TikTokOrder]: ...


class ParkedReleaser(Protocol):
    def release(self, seller_id: str) -> int: ...


class ShopAuthorizations(Protocol):
    def deauthorized(self, shop_id: str, at: datetime) -> None: ...

    def authorization_expiring(self, shop_id: str, expiration_time: int | None, at: datetime) -> object: ...


class PlatformShopSync:
    def __init__(
        self,
        store: Store,
        writer: OrderWriter,
        tiktok_orders: TikTokOrders,
        *,
        authorizations: ShopAuthorizations,
        lifecycle: ShopifyLifecycle,
        parked: ParkedReleaser,
    ) -> None:
        self._store = store
        self._writer = writer
        self._tiktok_orders = tiktok_orders
        self._authorizations = authorizations
        self._lifecycle = lifecycle
        self._parked = parked
        self._prefetched: dict[tuple[str, str], TikTokOrder] = {}

    def prefetch(self, deliveries: Iterable[StoredDelivery]) -> None:
        """Fetch the TikTok orders a batch of deliveries needs in as few calls as possible (50 ids each).

        Best effort: on failure each delivery fetches its own orders when it is applied.
        """
        self._prefetched.clear()
        wanted: dict[str, list[str]] = {}
        for delivery in deliveries:
            if delivery.source == "tiktok_shop":
                notification = tiktok_shop.SOURCE.parse(_raw(delivery))
                wanted.setdefault(notification.shop_id, []).extend(tiktok_order_ids(notification))
        for shop_id, order_ids in wanted.items():
            if not order_ids or not self._store.sellers.shop_authorized(shop_id):
                continue
            try:
                orders = self._tiktok_orders.fetch(shop_id, order_ids)
            except Exception:
                logger.warning("TikTok prefetch failed; orders will be fetched one delivery at a time")
                continue
            self._prefetched.update({(shop_id, order.id): order for order in orders})

    def apply(self, delivery: StoredDelivery, now: datetime) -> set[OrderKey]:
        raw = _raw(delivery)
        if delivery.source == "tiktok_shop":
            notification = tiktok_shop.SOURCE.parse(raw)
            self._require_registered(notification.shop_id)
            return self._apply_tiktok(notification, now)
        if delivery.source == "shopify":
            return self._apply_shopify(shopify.SOURCE.parse(raw), delivery, now)
        raise UnknownSourceError.unknown(delivery.source)

    def _require_registered(self, seller_id: str) -> None:
        if self._store.sellers.get(seller_id) is None:
            raise ShopNotReadyError(f"shop {seller_id} is not registered")

    def _require_active_shopify(self, notification: ShopifyNotification, delivery: StoredDelivery) -> None:
        """An inactive (uninstalled) shop is reactivated by a webhook Shopify triggered after the uninstall:
        Shopify drops an uninstalled app's subscriptions, so such a webhook means the app is back."""
        seller = self._store.sellers.get(notification.shop_domain)
        if seller is None:
            raise ShopNotReadyError(f"shop {notification.shop_domain} is not registered")
        if seller.active:
            return
        triggered = notification.triggered_time or delivery.received_at
        if seller.deactivated_at is None or triggered <= seller.deactivated_at:
            raise ShopNotReadyError(f"shop {notification.shop_domain} uninstalled the app")
        if self._store.sellers.set_active(notification.shop_domain, True, triggered):
            released = self._parked.release(notification.shop_domain)
            logger.info("Shopify shop reinstalled", seller_id=notification.shop_domain, released=released)

    def _apply_tiktok(self, notification: TikTokNotification, now: datetime) -> set[OrderKey]:
        shop_id = notification.shop_id
        data = notification.typed_data()
        if isinstance(data, SellerDeauthorization):
            self._authorizations.deauthorized(shop_id, now)
            return set()
        if isinstance(data, UpcomingAuthorizationExpiration):
            self._authorizations.authorization_expiring(shop_id, data.expiration_time, now)
            return set()
        if isinstance(data, PackageUpdate):
            touched: set[OrderKey] = set()
            for change in data.package_list:
                if data.sc_type == "COMBINE":
                    touched |= self._writer.combine(shop_id, change.package_id, change.order_id_list)
            return touched | self._refresh_tiktok_orders(shop_id, tiktok_order_ids(notification), now)
        if isinstance(data, OrderStatusChange | RecipientAddressUpdate | CancellationStatusChange):
            return self._refresh_tiktok_orders(shop_id, tiktok_order_ids(notification), now)
        if isinstance(data, ReturnStatusChange):
            return self._refresh_tiktok_orders(
                shop_id, [data.order_id], now, return_status=data.return_status
            )
        logger.info("TikTok notification type ignored", notification_type=notification.type)
        return set()

    def _refresh_tiktok_orders(
        self, shop_id: str, order_ids: list[str], now: datetime, return_status: str | None = None
    ) -> set[OrderKey]:
        if not self._store.sellers.shop_authorized(shop_id):
            logger.info("shop deauthorized: order not fetched", shop_id=shop_id)
            return set()
        touched: set[OrderKey] = set()
        for order in self._tiktok_orders_of(shop_id, order_ids):
            snapshot = tiktok_snapshot(shop_id, order)
            if return_status and snapshot.order is not None:
                snapshot = OrderSnapshot(
                    shop_id,
                    order.id,
                    snapshot.order.model_copy(update={"return_status": return_status}),
                    snapshot.packages,
                )
            touched |= self._writer.save(snapshot, now)
        return touched

    def _tiktok_orders_of(self, shop_id: str, order_ids: list[str]) -> list[TikTokOrder]:
        ready = [self._prefetched.pop((shop_id, i)) for i in order_ids if (shop_id, i) in self._prefetched]
        missing = [i for i in order_ids if i not in {order.id for order in ready}]
        return ready + (self._tiktok_orders.fetch(shop_id, missing) if missing else [])

    def _apply_shopify(
        self, notification: ShopifyNotification, delivery: StoredDelivery, now: datetime
    ) -> set[OrderKey]:
        if not notification.handled:
            logger.info("Shopify topic ignored", topic=notification.topic)
            return set()
        if notification.lifecycle is not None:
            self._lifecycle.apply(notification, now)
            return set()
        self._require_active_shopify(notification, delivery)
        shop = notification.shop_domain
        if notification.order is not None:
            return self._writer.save(shopify_order_snapshot(shop, notification.order), now)
        if notification.fulfillment is not None:
            fulfillment = notification.fulfillment
            packages = shopify_packages(shop, fulfillment)
            return self._writer.save(OrderSnapshot(shop, fulfillment.order_id, None, packages), now)
        return set()


def _raw(delivery: StoredDelivery) -> RawDelivery:
    return RawDelivery(headers=delivery.headers, body=delivery.body, received_at=delivery.received_at)


class TikTokApiOrders:
    """Fetches orders through the TikTok Shop API with each shop's stored credentials; an expired token
    (105002) is refreshed on the spot, once, and the call retried once."""

    def __init__(self, settings: ProcessorSettings, store: Store) -> None:
        self._settings = settings
        self._store = store

    @cached_property
    def _client(self) -> TikTokShopClient:
        from trackguard.clients.tiktok_auth import TikTokAuthClient
        from trackguard.clients.tiktok_shop import TikTokShopClient
        from trackguard.services.tiktok_tokens import TokenRefresher, tiktok_app

        app = tiktok_app(self._settings.webhook_secrets_id)
        auth = TikTokAuthClient(self._settings.tiktok_shop_auth_base_url, app.app_key, app.app_secret[0])
        renewer = TokenRefresher(self._store, self._credentials, auth)
        return TikTokShopClient(
            self._settings.tiktok_shop_api_base_url, app.app_key, app.app_secret[0], renewer=renewer
        )

    @cached_property
    def _credentials(self) -> ShopCredentialStore:
        from trackguard.clients.shop_credentials import ShopCredentialStore

        return ShopCredentialStore(self._settings.shop_tokens_secret_prefix)

    def lifecycle(self) -> ShopLifecycle:
        """Type 6 and 7 webhooks, erasing tokens through the same credential store (and its cache)."""
        from trackguard.services.reauthorization import ShopLifecycle

        return ShopLifecycle(self._store, self._credentials)

    def fetch(self, shop_id: str, order_ids: Sequence[str]) -> list[TikTokOrder]:
        from trackguard.clients.shop_credentials import UnknownShopError

        try:
            credentials = self._credentials.credentials(shop_id)
        except UnknownShopError as error:
            raise ShopNotReadyError(f"shop {shop_id} has no API credentials") from error
        return self._client.get_orders(credentials, order_ids)
