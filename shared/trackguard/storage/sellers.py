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
        item = self._table.get(keys.api_key_pk(key_hash), keys.APIKEY_SK)
        return ApiKey.model_validate(item) if item else None

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

    def set_shop_authorized(self, seller_id: str, authorized: bool, at: datetime) -> None:
        """Record whether the platform still lets trackguard fetch this shop's orders."""
        self._table.client.put_item(
            TableName=self._table.name,
            Item=to_attributes(
                {
                    "pk": keys.seller_pk(seller_id),
                    "sk": keys.SHOP_SK,
                    "authorized": authorized,
                    "changed_at": at.isoformat(),
                }
            ),
        )

    def shop_authorized(self, seller_id: str) -> bool:
        item = self._table.get(keys.seller_pk(seller_id), keys.SHOP_SK)
        return bool(item["authorized"]) if item else True
