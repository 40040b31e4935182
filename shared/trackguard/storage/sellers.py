"""Sellers, their API keys, shop state and report records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from trackguard.domain.sellers import ApiKey, KeyStatus, Seller
from trackguard.errors import ConflictError, NotFoundError
from trackguard.storage import keys
from trackguard.storage.dynamo import Table, from_attributes, key, to_attributes, to_value


class SellerExistsError(ConflictError):
    """A seller with this id is registered already."""


class SellerNotFoundError(NotFoundError):
    """No seller with this id is registered."""


class SellerRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def create(self, seller: Seller) -> None:
        item = {
            **seller.model_dump(mode="json"),
            "pk": keys.seller_pk(seller.seller_id),
            "sk": keys.PROFILE_SK,
            "gsi1pk": keys.ALL_SELLERS,
            "gsi1sk": seller.seller_id,
        }
        try:
            self._table.client.put_item(
                TableName=self._table.name,
                Item=to_attributes(item),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise SellerExistsError(f"seller {seller.seller_id} is already registered") from error
            raise

    def get(self, seller_id: str) -> Seller | None:
        item = self._table.get(keys.seller_pk(seller_id), keys.PROFILE_SK)
        return Seller.model_validate(item) if item else None

    def update(self, seller_id: str, changes: dict[str, Any]) -> Seller:
        names = {f"#{name}": name for name in changes}
        values = {f":{name}": to_value(value) for name, value in changes.items()}
        try:
            answer = self._table.client.update_item(
                TableName=self._table.name,
                Key=key(keys.seller_pk(seller_id), keys.PROFILE_SK),
                UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in changes),
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise SellerNotFoundError(f"no seller {seller_id}") from error
            raise
        return Seller.model_validate(from_attributes(answer["Attributes"]))

    def all(self) -> list[Seller]:
        items = self._table.query_all(
            IndexName="GSI1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.ALL_SELLERS}},
        )
        return [Seller.model_validate(item) for item in items]

    def plaintext_webhook_secrets(self) -> dict[str, str]:
        """Report-webhook secrets that profiles written before they moved to Secrets Manager still hold."""
        items = self._table.query_all(
            IndexName="GSI1",
            KeyConditionExpression="gsi1pk = :pk",
            FilterExpression="attribute_exists(webhook_secret)",
            ExpressionAttributeValues={":pk": {"S": keys.ALL_SELLERS}},
            ProjectionExpression="seller_id, webhook_secret",
        )
        return {item["seller_id"]: item["webhook_secret"] for item in items}

    def drop_plaintext_webhook_secret(self, seller_id: str) -> None:
        """Remove the profile's old plain-text secret, now that Secrets Manager holds it."""
        self._table.client.update_item(
            TableName=self._table.name,
            Key=key(keys.seller_pk(seller_id), keys.PROFILE_SK),
            UpdateExpression="SET webhook_secret_set = :yes REMOVE webhook_secret",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":yes": {"BOOL": True}},
        )

    def add_key(self, api_key: ApiKey) -> None:
        """Store the key under its hash (for the authorizer's one GetItem) and under its seller."""
        record = api_key.model_dump(mode="json")
        self._table.client.transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": self._table.name,
                        "Key": key(keys.seller_pk(api_key.seller_id), keys.PROFILE_SK),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": self._table.name,
                        "Item": to_attributes(
                            {**record, "pk": keys.api_key_pk(api_key.key_hash), "sk": keys.APIKEY_SK}
                        ),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": self._table.name,
                        "Item": to_attributes(
                            {
                                **record,
                                "pk": keys.seller_pk(api_key.seller_id),
                                "sk": keys.api_key_sk(api_key.key_id),
                            }
                        ),
                    }
                },
            ]
        )

    def find_key(self, key_hash: str) -> ApiKey | None:
        """The authorizer's one read: the key item's own fields only (its IAM policy allows no others)."""
        answer = self._table.client.get_item(
            TableName=self._table.name,
            Key=key(keys.api_key_pk(key_hash), keys.APIKEY_SK),
            ProjectionExpression="key_id, seller_id, key_hash, #status, created_at, revoked_at",
            ExpressionAttributeNames={"#status": "status"},
        )
        item = answer.get("Item")
        return ApiKey.model_validate(from_attributes(item)) if item else None

    def keys_of(self, seller_id: str) -> list[ApiKey]:
        items = self._table.query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": keys.seller_pk(seller_id)}, ":prefix": {"S": "KEY#"}},
        )
        return [ApiKey.model_validate(item) for item in items]

    def revoke_key(self, api_key: ApiKey, at: datetime) -> None:
        changes = {":revoked": {"S": KeyStatus.REVOKED.value}, ":at": to_value(at.isoformat())}
        actions = []
        for pk, sk in (
            (keys.api_key_pk(api_key.key_hash), keys.APIKEY_SK),
            (keys.seller_pk(api_key.seller_id), keys.api_key_sk(api_key.key_id)),
        ):
            actions.append(
                {
                    "Update": {
                        "TableName": self._table.name,
                        "Key": key(pk, sk),
                        "UpdateExpression": "SET #status = :revoked, revoked_at = :at",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": changes,
                    }
                }
            )
        self._table.client.transact_write_items(TransactItems=actions)  # type: ignore[arg-type]

    def is_active(self, seller_id: str) -> bool:
        """False only for a registered seller marked inactive (reads one attribute)."""
        answer = self._table.client.get_item(
            TableName=self._table.name,
            Key=key(keys.seller_pk(seller_id), keys.PROFILE_SK),
            ProjectionExpression="active",
        )
        return answer.get("Item", {}).get("active", {}).get("BOOL", True)

    def set_active(self, seller_id: str, active: bool, at: datetime) -> bool:
        """Mark the seller active or inactive; False when the seller is unknown or already so."""
        try:
            self._table.client.update_item(
                TableName=self._table.name,
                Key=key(keys.seller_pk(seller_id), keys.PROFILE_SK),
                UpdateExpression="SET active = :active, deactivated_at = :at",
                ConditionExpression=(
                    "attribute_exists(pk) AND (attribute_not_exists(active) OR active <> :active)"
                ),
                ExpressionAttributeValues={
                    ":active": {"BOOL": active},
                    ":at": {"NULL": True} if active else {"S": at.isoformat()},
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def set_shop_authorized(self, seller_id: str, authorized: bool, at: datetime) -> None:
        """Record whether the platform still lets trackguard fetch this shop's orders.

        An update, not a put: a TikTok connection's expiries and refresh schedule stay as they are.
        """
        self._table.client.update_item(
            TableName=self._table.name,
            Key=key(keys.seller_pk(seller_id), keys.SHOP_SK),
            UpdateExpression="SET authorized = :authorized, changed_at = :at, #state = :state",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={
                ":authorized": {"BOOL": authorized},
                ":at": {"S": at.isoformat()},
                ":state": {"S": "connected" if authorized else "deauthorized"},
            },
        )

    def shop_authorized(self, seller_id: str) -> bool:
        item = self._table.get(keys.seller_pk(seller_id), keys.SHOP_SK)
        return bool(item["authorized"]) if item else True
