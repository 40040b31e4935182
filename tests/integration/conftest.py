"""Storage tests run against AWS's DynamoDB Local, started once per test session on a free port."""

from tests.support.aws import dynamodb_client, dynamodb_local, moto_endpoint, store, table

__all__ = ["dynamodb_client", "dynamodb_local", "moto_endpoint", "store", "table"]
