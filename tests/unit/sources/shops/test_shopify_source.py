from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.secrets import dev_secret
from tests.unit.sources.shops.shopify_payloads import FULFILLMENT, ORDER
from trackguard.errors import PayloadError, SignatureError
from trackguard.sources.base import RawDelivery
from trackguard.sources.shops import shopify
from trackguard.sources.shops.shopify import webhook
from trackguard.sources.shops.shopify.webhook import ShopifyCustomersRedact

CLIENT_SECRET = "dev-shopify-client-secret"


def signed(
    body: bytes,
    topic: str | None = "orders/create",
    secret: str = CLIENT_SECRET,
    **extra_headers: str,
) -> RawDelivery:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    headers = {
        "content-type": "application/json",
        "x-shopify-hmac-sha256": base64.b64encode(digest).decode(),
        "x-shopify-shop-domain": "trail-gear.myshopify.com",
        "x-shopify-event-id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
        "x-shopify-webhook-id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "x-shopify-triggered-at": "2024-05-02T14:15:04.617Z",
    }
    if topic is not None:
        headers["x-shopify-topic"] = topic
    headers.update({name.replace("_", "-"): value for name, value in extra_headers.items()})
    return RawDelivery(headers={k: v for k, v in headers.items() if v}, body=body)


def body_of(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()


def kept_body(delivery: RawDelivery) -> bytes:
    """What ingestion keeps of a delivery Shopify signed."""
    return webhook.parse(delivery).stored_body(delivery.body)


class TestVerify:
    def test_accepts_the_documented_signature(self) -> None:
        webhook.verify(signed(body_of(ORDER)), dev_secret("shopify"))

    def test_refuses_a_signature_over_another_body(self) -> None:
        delivery = signed(body_of(ORDER))
        tampered = RawDelivery(headers=delivery.headers, body=delivery.body.replace(b"#1042", b"#1043"))
        with pytest.raises(SignatureError, match="does not match"):
            webhook.verify(tampered, dev_secret("shopify"))

    def test_refuses_a_signature_made_with_another_secret(self) -> None:
        with pytest.raises(SignatureError):
            webhook.verify(signed(body_of(ORDER), secret="another-app-secret"), dev_secret("shopify"))

    def test_refuses_a_hex_encoded_signature(self) -> None:
        body = body_of(ORDER)
        hex_signature = hmac.new(CLIENT_SECRET.encode(), body, hashlib.sha256).hexdigest()
        with pytest.raises(SignatureError):
            webhook.verify(signed(body, x_shopify_hmac_sha256=hex_signature), dev_secret("shopify"))

    def test_refuses_a_missing_signature(self) -> None:
        with pytest.raises(SignatureError, match="missing"):
            webhook.verify(signed(body_of(ORDER), x_shopify_hmac_sha256=""), dev_secret("shopify"))


class TestParseOrders:
    @pytest.mark.parametrize(
        "topic", ["orders/create", "orders/updated", "orders/cancelled", "orders/fulfilled", "orders/paid"]
    )
    def test_every_order_topic_carries_the_order(self, topic: str) -> None:
        notification = webhook.parse(signed(body_of(ORDER), topic=topic))
        assert notification.topic == topic
        assert notification.handled
        assert notification.order is not None
        assert notification.order.id == "5736153350282"
        assert notification.fulfillment is None

    def test_order_fields(self) -> None:
        notification = webhook.parse(signed(body_of(ORDER)))
        order = notification.order
        assert order is not None
        assert order.name == "#1042"
        assert order.financial_status == "paid"
        assert order.created_at == datetime(2024, 5, 1, 22, 22, 41, tzinfo=UTC)
        assert notification.updated_at == datetime(2024, 5, 1, 22, 22, 43, tzinfo=UTC)
        assert notification.shop_domain == "trail-gear.myshopify.com"

    def test_only_the_destination_of_the_shipping_address_is_kept(self) -> None:
        order = webhook.parse(signed(body_of(ORDER))).order
        assert order is not None
        assert order.shipping_address is not None
        assert order.shipping_address.model_dump() == {
            "zip": "K2P 1L4",
            "country_code": "CA",
            "province_code": "ON",
            "city": "Ottawa",
        }
        kept = order.model_dump_json()
        for personal in ("Jane", "123 Elm Street", "+15555550123", "jane.buyer@example.com"):
            assert personal not in kept

    def test_an_order_with_fulfillments(self) -> None:
        fulfilled = {**ORDER, "fulfillment_status": "fulfilled", "fulfillments": [FULFILLMENT]}
        order = webhook.parse(signed(body_of(fulfilled), topic="orders/fulfilled")).order
        assert order is not None
        assert [f.tracking_number for f in order.fulfillments] == ["1Z999AA10123456784"]

    def test_a_cancelled_order(self) -> None:
        cancelled = {**ORDER, "cancelled_at": "2024-05-02T09:00:00-04:00", "financial_status": "refunded"}
        order = webhook.parse(signed(body_of(cancelled), topic="orders/cancelled")).order
        assert order is not None
        assert order.cancelled_at == datetime(2024, 5, 2, 13, 0, tzinfo=UTC)


class TestParseFulfillments:
    @pytest.mark.parametrize("topic", ["fulfillments/create", "fulfillments/update"])
    def test_every_fulfillment_topic_carries_the_fulfillment(self, topic: str) -> None:
        notification = webhook.parse(signed(body_of(FULFILLMENT), topic=topic))
        fulfillment = notification.fulfillment
        assert notification.order is None
        assert fulfillment is not None
        assert fulfillment.id == "4451159933066"
        assert fulfillment.order_id == "5736153350282"
        assert fulfillment.tracking_company == "UPS"
        assert fulfillment.tracking_numbers == ("1Z999AA10123456784",)
        assert fulfillment.line_items[0].sku == "TR-42-BLK"
        assert notification.updated_at == datetime(2024, 5, 2, 14, 15, 4, tzinfo=UTC)

    def test_a_delivered_shipment_status(self) -> None:
        update = {**FULFILLMENT, "shipment_status": "delivered"}
        fulfillment = webhook.parse(signed(body_of(update), topic="fulfillments/update")).fulfillment
        assert fulfillment is not None
        assert fulfillment.shipment_status == "delivered"


class TestOtherTopics:
    def test_are_accepted_and_ignored(self) -> None:
        notification = webhook.parse(signed(b'{"id": 1, "title": "Trail Runner"}', topic="products/update"))
        assert not notification.handled
        assert notification.order is None
        assert notification.fulfillment is None
        assert notification.updated_at is None

    def test_topic_is_matched_case_insensitively(self) -> None:
        assert webhook.parse(signed(body_of(ORDER), topic="Orders/Create")).order is not None


class TestDeliveryId:
    def test_is_the_event_id(self) -> None:
        assert webhook.parse(signed(body_of(ORDER))).delivery_id == "98880550-7158-44d4-b7cd-2c97c8a091b5"

    def test_falls_back_to_the_webhook_id(self) -> None:
        delivery = signed(body_of(ORDER), x_shopify_event_id="")
        assert webhook.parse(delivery).delivery_id == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"

    def test_falls_back_to_the_body_hash(self) -> None:
        body = body_of(ORDER)
        delivery = signed(body, x_shopify_event_id="", x_shopify_webhook_id="")
        assert webhook.parse(delivery).delivery_id == "sha256:" + hashlib.sha256(body).hexdigest()


class TestPayloadErrors:
    def test_missing_topic(self) -> None:
        with pytest.raises(PayloadError, match="x-shopify-topic") as caught:
            webhook.parse(signed(body_of(ORDER), topic=None))
        assert caught.value.details[0]["loc"] == ["headers", "x-shopify-topic"]

    def test_missing_shop_domain(self) -> None:
        with pytest.raises(PayloadError, match="x-shopify-shop-domain"):
            webhook.parse(signed(body_of(ORDER), x_shopify_shop_domain=""))

    def test_not_json(self) -> None:
        with pytest.raises(PayloadError, match="not JSON"):
            webhook.parse(signed(b"<order/>"))

    def test_an_order_without_updated_at(self) -> None:
        incomplete = {key: value for key, value in ORDER.items() if key != "updated_at"}
        with pytest.raises(PayloadError) as caught:
            webhook.parse(signed(body_of(incomplete)))
        assert caught.value.details == [{"loc": ["updated_at"], "msg": "Field required", "type": "missing"}]

    def test_a_fulfillment_without_order_id(self) -> None:
        incomplete = {key: value for key, value in FULFILLMENT.items() if key != "order_id"}
        with pytest.raises(PayloadError) as caught:
            webhook.parse(signed(body_of(incomplete), topic="fulfillments/create"))
        assert [detail["loc"] for detail in caught.value.details] == [["order_id"]]

    def test_details_never_echo_values(self) -> None:
        broken = {**FULFILLMENT, "created_at": "Jane Buyer, 123 Elm Street"}
        with pytest.raises(PayloadError) as caught:
            webhook.parse(signed(body_of(broken), topic="fulfillments/create"))
        details = json.dumps(caught.value.details)
        assert "created_at" in details
        assert "Elm Street" not in details


class TestSecretRotation:
    """During a rotation the secret is ``[current, previous]``: either verifies (Shopify switches signing
    over up to an hour), anything else still does not."""

    ROTATING = {"client_secret": ["new-client-secret-0001", CLIENT_SECRET]}

    @pytest.mark.parametrize("signing_secret", ["new-client-secret-0001", CLIENT_SECRET])
    def test_the_current_and_the_previous_secret_both_verify(self, signing_secret: str) -> None:
        rotating = shopify.SOURCE.secret_model.model_validate(self.ROTATING)
        webhook.verify(signed(body_of(ORDER), secret=signing_secret), rotating)

    def test_a_third_secret_does_not(self) -> None:
        rotating = shopify.SOURCE.secret_model.model_validate(self.ROTATING)
        with pytest.raises(SignatureError):
            webhook.verify(signed(body_of(ORDER), secret="revoked-long-ago-0003"), rotating)


class TestShopDomain:
    @pytest.mark.parametrize(
        "domain",
        [
            "beta.myshopify.com#FLAGS",
            "beta.myshopify.com.evil.example",
            "shop.example.com",
            "-beta.myshopify.com",
            "beta-.myshopify.com",
            "myshopify.com",
            "beta.myshopify.io",
            "beta.myshopify.com/",
            "b\u0435ta.myshopify.com",
        ],
    )
    def test_only_a_myshopify_com_host_is_a_shop(self, domain: str) -> None:
        with pytest.raises(PayloadError, match=r"myshopify\.com") as caught:
            webhook.parse(signed(body_of(ORDER), x_shopify_shop_domain=domain))
        assert caught.value.details[0]["loc"] == ["headers", "x-shopify-shop-domain"]
        assert json.dumps(domain) not in json.dumps(caught.value.details), "the value is not echoed"

    def test_case_and_surrounding_space_do_not_make_another_shop(self) -> None:
        delivery = signed(body_of(ORDER), x_shopify_shop_domain=" Trail-Gear.MyShopify.com ")
        assert webhook.parse(delivery).shop_domain == "trail-gear.myshopify.com"

    @pytest.mark.parametrize(
        ("topic", "body"),
        [
            ("shop/redact", {"shop_id": 1, "shop_domain": "victim.myshopify.com"}),
            ("customers/redact", {"shop_domain": "victim.myshopify.com", "orders_to_redact": [1]}),
            ("customers/data_request", {"shop_domain": "victim.myshopify.com", "orders_requested": [1]}),
            ("app/uninstalled", {"id": 1, "myshopify_domain": "victim.myshopify.com"}),
        ],
    )
    def test_the_header_must_name_the_shop_of_the_signed_body(self, topic: str, body: dict[str, Any]) -> None:
        with pytest.raises(PayloadError, match="differs"):
            webhook.parse(signed(body_of(body), topic=topic))


class TestLifecycleTopics:
    CUSTOMER = {"id": 207119551, "email": "jane.buyer@example.com", "phone": "+15555550123"}

    def test_customers_redact_lists_the_orders_and_keeps_no_contact(self) -> None:
        body = {
            "shop_id": 954889,
            "shop_domain": "trail-gear.myshopify.com",
            "customer": self.CUSTOMER,
            "orders_to_redact": [299938, 280263],
        }
        delivery = signed(body_of(body), topic="customers/redact")
        notification = webhook.parse(delivery)

        assert isinstance(notification.lifecycle, ShopifyCustomersRedact)
        assert notification.lifecycle.orders_to_redact == ("299938", "280263")
        assert json.loads(notification.stored_body(delivery.body)) == {
            "shop_domain": "trail-gear.myshopify.com",
            "customer": {"id": "207119551"},
            "orders_to_redact": ["299938", "280263"],
        }

    def test_a_data_request_keeps_the_request_and_customer_ids_only(self) -> None:
        body = {
            "shop_id": 954889,
            "shop_domain": "trail-gear.myshopify.com",
            "orders_requested": [299938],
            "customer": self.CUSTOMER,
            "data_request": {"id": 9999},
        }
        stored = kept_body(signed(body_of(body), topic="customers/data_request"))

        assert json.loads(stored) == {
            "shop_domain": "trail-gear.myshopify.com",
            "customer": {"id": "207119551"},
            "orders_requested": ["299938"],
            "data_request": {"id": "9999"},
        }

    def test_app_uninstalled_keeps_only_the_shop_domain(self) -> None:
        body = {
            "id": 954889,
            "name": "Trail Gear",
            "email": "owner@trail-gear.example",
            "shop_owner": "Ann Owner",
            "myshopify_domain": "trail-gear.myshopify.com",
        }
        stored = kept_body(signed(body_of(body), topic="app/uninstalled"))

        assert json.loads(stored) == {"myshopify_domain": "trail-gear.myshopify.com"}

    def test_the_trigger_time_is_read(self) -> None:
        notification = webhook.parse(
            signed(body_of({"shop_domain": "trail-gear.myshopify.com"}), "shop/redact")
        )
        assert notification.triggered_time == datetime(2024, 5, 2, 14, 15, 4, 617000, tzinfo=UTC)


class TestStoredBody:
    def test_an_order_is_kept_without_the_buyers_name_street_phone_or_email(self) -> None:
        delivery = signed(body_of(ORDER))
        notification = webhook.parse(delivery)

        stored = notification.stored_body(delivery.body)

        for personal in ("Jane", "Buyer", "123 Elm Street", "+15555550123", "jane.buyer@example.com"):
            assert personal.encode() not in stored
        assert notification.order_ids == ("5736153350282",)

    def test_what_is_kept_parses_to_the_same_order(self) -> None:
        """Replay reads the kept body: it must mean exactly what the delivery meant."""
        delivery = signed(body_of({**ORDER, "fulfillments": [FULFILLMENT]}))
        notification = webhook.parse(delivery)
        kept = RawDelivery(headers=signed(b"{}").headers, body=notification.stored_body(delivery.body))

        assert webhook.parse(kept).order == notification.order

    def test_a_fulfillment_is_kept_parseable_and_names_its_order(self) -> None:
        delivery = signed(body_of(FULFILLMENT), topic="fulfillments/create")
        notification = webhook.parse(delivery)
        kept = RawDelivery(
            headers=signed(b"{}", topic="fulfillments/create").headers,
            body=notification.stored_body(delivery.body),
        )

        assert webhook.parse(kept).fulfillment == notification.fulfillment
        assert notification.order_ids == ("5736153350282",)
