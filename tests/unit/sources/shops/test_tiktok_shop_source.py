from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from tests.support.secrets import dev_secret
from tests.unit.sources.shops.conftest import tiktok_sample
from trackguard.errors import PayloadError, SignatureError
from trackguard.sources.base import RawDelivery
from trackguard.sources.shops.tiktok_shop import webhook
from trackguard.sources.shops.tiktok_shop.webhook import (
    CancellationStatusChange,
    OrderStatusChange,
    PackageUpdate,
    RecipientAddressUpdate,
    ReturnStatusChange,
    SellerDeauthorization,
)

APP_KEY = "dev-tiktok-app-key"
APP_SECRET = "dev-tiktok-app-secret"


def signed(body: bytes, app_key: str = APP_KEY, app_secret: str = APP_SECRET) -> RawDelivery:
    signature = hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()
    return RawDelivery(headers={"authorization": signature, "content-type": "application/json"}, body=body)


def body_of(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()


class TestVerify:
    def test_accepts_the_documented_signature(self) -> None:
        webhook.verify(signed(b'{"type": 1}'), dev_secret("tiktok_shop"))

    def test_accepts_upper_case_hex(self) -> None:
        delivery = signed(b'{"type": 1}')
        upper = RawDelivery(
            headers={"authorization": delivery.headers["authorization"].upper()}, body=b'{"type": 1}'
        )
        webhook.verify(upper, dev_secret("tiktok_shop"))

    def test_refuses_a_signature_over_another_body(self) -> None:
        signature = signed(b'{"type": 1}').headers["authorization"]
        with pytest.raises(SignatureError, match="does not match"):
            webhook.verify(
                RawDelivery(headers={"authorization": signature}, body=b'{"type": 2}'),
                dev_secret("tiktok_shop"),
            )

    def test_refuses_a_signature_made_with_another_secret(self) -> None:
        with pytest.raises(SignatureError):
            webhook.verify(signed(b"{}", app_secret="not-the-secret"), dev_secret("tiktok_shop"))

    def test_refuses_a_signature_made_with_another_app_key(self) -> None:
        with pytest.raises(SignatureError):
            webhook.verify(signed(b"{}", app_key="other-app"), dev_secret("tiktok_shop"))

    def test_refuses_a_bearer_prefixed_signature(self) -> None:
        signature = signed(b"{}").headers["authorization"]
        with pytest.raises(SignatureError):
            webhook.verify(
                RawDelivery(headers={"authorization": f"Bearer {signature}"}, body=b"{}"),
                dev_secret("tiktok_shop"),
            )

    def test_refuses_a_missing_header(self) -> None:
        with pytest.raises(SignatureError, match="missing"):
            webhook.verify(RawDelivery(headers={}, body=b"{}"), dev_secret("tiktok_shop"))


class TestParseSamples:
    def test_order_status_change(self) -> None:
        notification = webhook.parse(signed(body_of(tiktok_sample("OrderStatusChangeEvent.json"))))
        assert notification.type == 1
        assert notification.shop_id == "7494049642642441621"
        assert notification.typed_data() == OrderStatusChange(
            order_id="576486316948490001",
            order_status="UNPAID",
            is_on_hold_order=False,
            update_time=1644412885,
        )

    def test_recipient_address_update(self) -> None:
        notification = webhook.parse(signed(body_of(tiktok_sample("RecipientAddressUpdateEvent.json"))))
        assert notification.typed_data() == RecipientAddressUpdate(
            order_id="576486316948490001", update_time=1644412885
        )

    def test_package_update(self) -> None:
        data = webhook.parse(signed(body_of(tiktok_sample("PackageUpdateEvent.json")))).typed_data()
        assert isinstance(data, PackageUpdate)
        assert data.sc_type == "COMBINE"
        assert data.role_type == "ROLE_USER"
        assert [(p.package_id, p.order_id_list) for p in data.package_list] == [
            ("123456", ("152523", "532123"))
        ]

    def test_seller_deauthorization(self) -> None:
        notification = webhook.parse(signed(body_of(tiktok_sample("SellerDeauthorizationEvent.json"))))
        data = notification.typed_data()
        assert isinstance(data, SellerDeauthorization)
        assert notification.type == 6
        assert data.message is not None
        assert "deauthorized" in data.message

    def test_cancellation_status_change(self) -> None:
        data = webhook.parse(
            signed(body_of(tiktok_sample("CancellationStatusChangeEvent.json")))
        ).typed_data()
        assert data == CancellationStatusChange(
            order_id="576486316948490001",
            cancellations_role="BUYER",
            cancel_status="CANCELLATION_REQUEST_PENDING",
            cancel_id="4035318504086604100",
            create_time=1627587600,
        )

    def test_return_status_change(self) -> None:
        data = webhook.parse(signed(body_of(tiktok_sample("ReturnStatusChangeEvent.json")))).typed_data()
        assert data == ReturnStatusChange(
            order_id="576486316948490001",
            return_role="BUYER",
            return_type="REFUND",
            return_status="RETURN_OR_REFUND_REQUEST_PENDING",
            return_id="576486316948490001",
            create_time=1627587600,
            update_time=1644412885,
        )


class TestParse:
    def test_unknown_types_are_accepted_with_their_raw_data(self) -> None:
        document = {"type": 99, "shop_id": "1", "timestamp": 1, "data": {"anything": [1, 2]}}
        notification = webhook.parse(signed(body_of(document)))
        assert notification.type == 99
        assert notification.typed_data() is None
        assert notification.data == {"anything": [1, 2]}

    def test_product_status_change_is_known_to_tiktok_but_untyped_here(self) -> None:
        document = {"type": 5, "shop_id": "1", "timestamp": 1, "data": {"product_id": "9"}}
        assert webhook.parse(signed(body_of(document))).typed_data() is None

    def test_delivery_id_is_the_notification_id(self) -> None:
        document = {
            **tiktok_sample("OrderStatusChangeEvent.json"),
            "tts_notification_id": "7327112393057371910",
        }
        assert webhook.parse(signed(body_of(document))).delivery_id == "7327112393057371910"

    def test_delivery_id_falls_back_to_the_body_hash(self) -> None:
        body = body_of(tiktok_sample("OrderStatusChangeEvent.json"))
        assert webhook.parse(signed(body)).delivery_id == "sha256:" + hashlib.sha256(body).hexdigest()

    def test_numeric_ids_keep_every_digit_as_strings(self) -> None:
        body = (
            b'{"type": 1, "shop_id": 7494049642642441621, "timestamp": 1644412885, "data": '
            b'{"order_id": 576486316948490001, "order_status": "AWAITING_SHIPMENT", "update_time": 1}}'
        )
        notification = webhook.parse(signed(body))
        data = notification.typed_data()
        assert notification.shop_id == "7494049642642441621"
        assert isinstance(data, OrderStatusChange)
        assert data.order_id == "576486316948490001"


class TestPayloadErrors:
    def test_not_json(self) -> None:
        with pytest.raises(PayloadError, match="not JSON"):
            webhook.parse(signed(b"type=1"))

    def test_not_an_object(self) -> None:
        with pytest.raises(PayloadError, match="not a JSON object"):
            webhook.parse(signed(b"[1, 2]"))

    def test_missing_envelope_fields_are_named_without_values(self) -> None:
        with pytest.raises(PayloadError) as caught:
            webhook.parse(signed(b'{"type": 1, "timestamp": 1, "data": {}}'))
        assert {"loc": ["shop_id"], "msg": "Field required", "type": "missing"} in caught.value.details
        json.dumps(caught.value.details)

    def test_typed_data_errors_point_into_data_and_do_not_echo_input(self) -> None:
        document = {
            "type": 4,
            "shop_id": "1",
            "timestamp": 1,
            "data": {"sc_type": "MERGE-SECRET-VALUE", "package_list": [], "update_time": 1},
        }
        with pytest.raises(PayloadError) as caught:
            webhook.parse(signed(body_of(document)))
        assert [detail["loc"] for detail in caught.value.details] == [["data", "sc_type"]]
        assert "MERGE-SECRET-VALUE" not in json.dumps(caught.value.details)

    def test_an_order_status_change_without_order_id_is_refused(self) -> None:
        document = {
            "type": 1,
            "shop_id": "1",
            "timestamp": 1,
            "data": {"order_status": "IN_TRANSIT", "update_time": 1},
        }
        with pytest.raises(PayloadError) as caught:
            webhook.parse(signed(body_of(document)))
        assert caught.value.details[0]["loc"] == ["data", "order_id"]

    def test_an_empty_shop_id_is_refused(self) -> None:
        with pytest.raises(PayloadError):
            webhook.parse(signed(b'{"type": 1, "shop_id": " ", "timestamp": 1, "data": {}}'))
