"""Apply a stored shop delivery: TikTok Shop (fetching the order from its API) and Shopify.

TikTok webhooks carry no tracking data, so an order change is fetched from the TikTok Shop API; Shopify
webhooks carry the order or fulfillment itself. Both become platform-neutral `OrderSnapshot`s that the
`OrderWriter` stores.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from trackguard.domain.orders import Destination, Order, Package, Platform
from trackguard.observability import logger
from trackguard.services.order_writer import OrderKey, OrderSnapshot, OrderWriter
from trackguard.settings import Settings
from trackguard.sources.base import RawDelivery
from trackguard.sources.shops import shopify, tiktok_shop
from trackguard.sources.shops.shopify import ShopifyFulfillment, ShopifyNotification, ShopifyOrder
from trackguard.sources.shops.tiktok_shop import (
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
from trackguard.tracking import resolve_carrier
from trackguard.tracking.formats import normalize_number

if TYPE_CHECKING:
    from trackguard.clients.shop_credentials import ShopCredentialStore
    from trackguard.clients.tiktok_shop import TikTokOrder, TikTokPackage, TikTokShopClient
    from trackguard.services.reauthorization import ShopLifecycle

TIKTOK_SHIPPED_STATUSES = frozenset(
    {"AWAITING_COLLECTION", "IN_TRANSIT", "PARTIALLY_SHIPPING", "DELIVERED", "COMPLETED"}
)
TIKTOK_PACKAGE_SHIPPED_STATUSES = frozenset({"FULFILLING", "COMPLETED"})
SHOPIFY_PAID_STATUSES = frozenset({"paid", "partially_paid", "partially_refunded", "refunded"})
SHOPIFY_DEAD_FULFILLMENTS = frozenset({"cancelled", "error", "failure"})


class TikTokOrders(Protocol):
    def fetch(self, shop_id: str, order_ids: Sequence[str]) -> list[TikTokOrder]: ...


class ShopAuthorizations(Protocol):
    def deauthorized(self, shop_id: str, at: datetime) -> None: ...

    def authorization_expiring(self, shop_id: str, expiration_time: int | None, at: datetime) -> object: ...


class UnknownShopSourceError(LookupError):
    pass


class PlatformShopSync:
    def __init__(
        self,
        store: Store,
        writer: OrderWriter,
        tiktok_orders: TikTokOrders,
        authorizations: ShopAuthorizations,
    ) -> None:
        self._store = store
        self._writer = writer
        self._tiktok_orders = tiktok_orders
        self._authorizations = authorizations
        self._prefetched: dict[tuple[str, str], TikTokOrder] = {}

    def prefetch(self, deliveries: Iterable[StoredDelivery]) -> None:
        """Fetch the TikTok orders a batch of deliveries needs in as few calls as possible (50 ids each).

        Best effort: on failure each delivery fetches its own orders when it is applied.
        """
        self._prefetched.clear()
        wanted: dict[str, list[str]] = {}
        for delivery in deliveries:
            if delivery.source == "tiktok_shop":
                notification = tiktok_shop.parse(_raw(delivery))
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
            return self._apply_tiktok(tiktok_shop.parse(raw), now)
        if delivery.source == "shopify":
            return self._apply_shopify(shopify.parse(raw), now)
        raise UnknownShopSourceError(delivery.source)

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

    def _apply_shopify(self, notification: ShopifyNotification, now: datetime) -> set[OrderKey]:
        if not notification.handled:
            logger.info("Shopify topic ignored", topic=notification.topic)
            return set()
        shop = notification.shop_domain
        if notification.order is not None:
            return self._writer.save(shopify_order_snapshot(shop, notification.order), now)
        if notification.fulfillment is not None:
            fulfillment = notification.fulfillment
            packages = shopify_packages(shop, fulfillment)
            return self._writer.save(OrderSnapshot(shop, fulfillment.order_id, None, packages), now)
        return set()


def tiktok_order_ids(notification: TikTokNotification) -> list[str]:
    """The orders a TikTok notification asks trackguard to fetch."""
    data = notification.typed_data()
    if isinstance(data, PackageUpdate):
        return [order_id for change in data.package_list for order_id in change.order_id_list]
    if isinstance(
        data, OrderStatusChange | RecipientAddressUpdate | CancellationStatusChange | ReturnStatusChange
    ):
        return [data.order_id]
    return []


def _raw(delivery: StoredDelivery) -> RawDelivery:
    return RawDelivery(headers=delivery.headers, body=delivery.body, received_at=delivery.received_at)


def tiktok_snapshot(shop_id: str, order: TikTokOrder) -> OrderSnapshot:
    shipped = order.status in TIKTOK_SHIPPED_STATUSES
    shipped_at = _time(order.update_time) if shipped else None
    address = order.recipient_address
    domain_order = Order(
        seller_id=shop_id,
        order_id=order.id,
        platform=Platform.TIKTOK_SHOP,
        status=order.status,
        created_at=_time(order.create_time),
        source_updated_at=_time(order.update_time),
        paid_at=_optional_time(order.paid_time),
        shipped_at=shipped_at,
        ship_by=_optional_time(order.shipping_due_time or order.rts_sla_time),
        shipping_type=order.shipping_type,
        destination=Destination(
            postal_code=address.postal_code if address else None,
            country=address.region_code if address else None,
        ),
        cancelled=order.status == "CANCELLED",
    )
    packages = tuple(_tiktok_package(shop_id, order, package, shipped_at) for package in order.packages())
    return OrderSnapshot(shop_id, order.id, domain_order, packages)


def _tiktok_package(
    shop_id: str, order: TikTokOrder, package: TikTokPackage, order_shipped_at: datetime | None
) -> Package:
    """In a partially shipped order, only the packages TikTok shows moving (or numbered) count as shipped."""
    package_shipped = order.status != "PARTIALLY_SHIPPING" or bool(
        package.tracking_number or (package.status in TIKTOK_PACKAGE_SHIPPED_STATUSES)
    )
    return Package(
        seller_id=shop_id,
        order_id=order.id,
        package_id=package.package_id,
        tracking_number=_number(package.tracking_number),
        declared_carrier=resolve_carrier(package.shipping_provider, "tiktok_shop"),
        shipped_at=order_shipped_at if package_shipped else None,
    )


def shopify_order_snapshot(shop: str, order: ShopifyOrder) -> OrderSnapshot:
    order_id = str(order.id)
    address = order.shipping_address
    paid = (order.financial_status or "") in SHOPIFY_PAID_STATUSES
    domain_order = Order(
        seller_id=shop,
        order_id=order_id,
        platform=Platform.SHOPIFY,
        status=order.fulfillment_status or order.financial_status or "open",
        created_at=order.created_at,
        source_updated_at=order.updated_at,
        paid_at=(order.processed_at or order.created_at) if paid else None,
        shipped_at=min((f.created_at for f in order.fulfillments), default=None),
        destination=Destination(
            postal_code=address.zip if address else None,
            country=address.country_code if address else None,
        ),
        cancelled=order.cancelled_at is not None,
    )
    packages = tuple(package for f in order.fulfillments for package in shopify_packages(shop, f))
    return OrderSnapshot(shop, order_id, domain_order, packages)


def shopify_packages(shop: str, fulfillment: ShopifyFulfillment) -> tuple[Package, ...]:
    """One fulfillment is one package; several tracking numbers are several packages."""
    if fulfillment.status in SHOPIFY_DEAD_FULFILLMENTS:
        return ()
    numbers = fulfillment.tracking_numbers or (
        (fulfillment.tracking_number,) if fulfillment.tracking_number else ()
    )
    carrier = resolve_carrier(fulfillment.tracking_company, "shopify")
    base = str(fulfillment.id)
    ids = [base] if len(numbers) <= 1 else [f"{base}-{index}" for index in range(1, len(numbers) + 1)]
    return tuple(
        Package(
            seller_id=shop,
            order_id=str(fulfillment.order_id),
            package_id=package_id,
            tracking_number=_number(number),
            declared_carrier=carrier,
            shipped_at=fulfillment.created_at,
        )
        for package_id, number in zip(ids, numbers or (None,), strict=True)
    )


class TikTokApiOrders:
    """Fetches orders through the TikTok Shop API with each shop's stored credentials; an expired token
    (105002) is refreshed on the spot, once, and the call retried once."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @cached_property
    def _client(self) -> TikTokShopClient:
        from trackguard.clients.tiktok_auth import TikTokAuthClient
        from trackguard.clients.tiktok_shop import TikTokShopClient
        from trackguard.secrets import load_webhook_secrets
        from trackguard.services.tiktok_tokens import TokenRefresher

        app = load_webhook_secrets(self._settings.webhook_secrets_id).tiktok_shop
        auth = TikTokAuthClient(self._settings.tiktok_shop_auth_base_url, app.app_key, app.app_secret)
        renewer = TokenRefresher(Store.from_settings(self._settings), self._credentials, auth)
        return TikTokShopClient(
            self._settings.tiktok_shop_api_base_url, app.app_key, app.app_secret, renewer=renewer
        )

    @cached_property
    def _credentials(self) -> ShopCredentialStore:
        from trackguard.clients.shop_credentials import ShopCredentialStore

        return ShopCredentialStore(self._settings.shop_tokens_secret_prefix)

    def lifecycle(self) -> ShopLifecycle:
        """Type 6 and 7 webhooks, erasing tokens through the same credential store (and its cache)."""
        from trackguard.services.reauthorization import ShopLifecycle

        return ShopLifecycle(Store.from_settings(self._settings), self._credentials)

    def fetch(self, shop_id: str, order_ids: Sequence[str]) -> list[TikTokOrder]:
        return self._client.get_orders(self._credentials.credentials(shop_id), order_ids)


def _time(epoch_seconds: int) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, UTC)


def _optional_time(epoch_seconds: int | None) -> datetime | None:
    return _time(epoch_seconds) if epoch_seconds else None


def _number(raw: str | None) -> str | None:
    return normalize_number(raw) or None if raw else None
