"""The webhook-secrets document (CONTRACT §6): one Secrets Manager secret, same shape locally."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class TikTokShopSecrets(_Section):
    app_key: str
    app_secret: SecretStr


class ShopifySecrets(_Section):
    """One client secret, or ``[current, previous]`` while it is rotated (both verify)."""

    client_secret: SecretStr | tuple[SecretStr, ...]


class SeventeenTrackSecrets(_Section):
    api_key: SecretStr


class WebhookSecretSection(_Section):
    webhook_secret: SecretStr


class UpsSecrets(_Section):
    credential: SecretStr


class FedexSecrets(_Section):
    security_token: SecretStr


class DhlSecrets(_Section):
    token: SecretStr


class UspsSecrets(_Section):
    hmac_secret: SecretStr


class GenericSecrets(_Section):
    secret: SecretStr


class WebhookSecrets(_Section):
    tiktok_shop: TikTokShopSecrets
    shopify: ShopifySecrets
    seventeen_track: SeventeenTrackSecrets = Field(alias="17track")
    ship24: WebhookSecretSection
    aftership: WebhookSecretSection
    ups: UpsSecrets
    fedex: FedexSecrets
    dhl: DhlSecrets
    usps: UspsSecrets
    generic: GenericSecrets


def load_webhook_secrets(secret_id: str, max_age_seconds: int = 300) -> WebhookSecrets:
    """Fetch and cache the secret document (Powertools parameters cache it between invocations)."""
    from aws_lambda_powertools.utilities import parameters

    document = parameters.get_secret(secret_id, transform="json", max_age=max_age_seconds)
    return WebhookSecrets.model_validate(document)
