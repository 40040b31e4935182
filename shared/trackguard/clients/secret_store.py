"""Secrets Manager secrets named ``{prefix}{id}``: sellers' report-webhook secrets, shops' tokens.

Secrets Manager encrypts them with KMS; the table holds none of them. Deleting skips the recovery
window: erasure means gone, not recoverable for 30 days.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


class SecretStore:
    def __init__(self, prefix: str, client: SecretsManagerClient | None = None) -> None:
        self._prefix = prefix
        self._client = on_first_use(lambda: client or _secrets_manager())

    def name(self, owner: str) -> str:
        return f"{self._prefix}{owner}"

    def put(self, owner: str, value: str, description: str) -> None:
        try:
            self._client().put_secret_value(SecretId=self.name(owner), SecretString=value)
        except self._client().exceptions.ResourceNotFoundException:
            self._client().create_secret(Name=self.name(owner), SecretString=value, Description=description)

    def get(self, owner: str) -> str | None:
        try:
            return self._client().get_secret_value(SecretId=self.name(owner))["SecretString"]
        except self._client().exceptions.ResourceNotFoundException:
            return None

    def exists(self, owner: str) -> bool:
        try:
            self._client().describe_secret(SecretId=self.name(owner))
        except self._client().exceptions.ResourceNotFoundException:
            return False
        return True

    def delete(self, owner: str) -> bool:
        """Delete at once (no recovery window); False when there was nothing to delete."""
        try:
            self._client().delete_secret(SecretId=self.name(owner), ForceDeleteWithoutRecovery=True)
        except self._client().exceptions.ResourceNotFoundException:
            return False
        return True


def _secrets_manager() -> SecretsManagerClient:
    import boto3

    return boto3.client("secretsmanager")
