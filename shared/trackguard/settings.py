"""The one place that reads the process environment: one settings model per kind of function.

A field is its upper-case environment variable (``table_name`` ← ``TABLE_NAME``). A value that differs
per deployment (a table, bus, queue, bucket, secret, base URL) has no default: a function whose
environment lacks one raises ``SettingsError`` naming the variable, before it touches any resource,
instead of silently talking to a resource of the same name somewhere else. Only limits and safe
switches have defaults, and CONTRACT §4's thresholds (each also a template Parameter).

``Settings`` is what the template's Globals give every function; a function that needs more has its own
model (``tests/unit/test_template.py`` proves that the template gives each function every variable its
model requires). Each function reads its settings while building its service on first use
(trackguard.wiring), so a missing variable fails that function's first invocation with the variable's
name, as a Lambda error that the stack's error alarms count.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo

from trackguard.rules.thresholds import Thresholds


class SettingsError(RuntimeError):
    """The environment lacks a required variable or holds a value that does not parse."""


class EnvironmentSettings(BaseModel):
    """A model read from the environment: a field without a default is a required variable."""

    model_config = ConfigDict(frozen=True)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        env = os.environ if environ is None else environ
        missing = [variable for variable in cls.required_variables() if not env.get(variable)]
        if missing:
            raise SettingsError(f"{cls.__name__}: {', '.join(missing)} not set")
        try:
            return cls.model_validate(_values(cls.model_fields, env))
        except ValidationError as error:
            bad = sorted({str(problem["loc"][-1]).upper() for problem in error.errors()})
            raise SettingsError(f"{cls.__name__}: {', '.join(bad)} not valid") from error

    @classmethod
    def required_variables(cls) -> list[str]:
        return [name.upper() for name, field in cls.model_fields.items() if field.is_required()]

    @classmethod
    def variables(cls) -> set[str]:
        """Every variable this model reads, required or not."""
        return _variables(cls.model_fields)


def _values(fields: Mapping[str, FieldInfo], env: Mapping[str, str]) -> dict[str, object]:
    """Each field's variable where it is set; a nested model (the thresholds) reads its own fields'."""
    values: dict[str, object] = {}
    for name, field in fields.items():
        nested = _nested_model(field)
        if nested is not None:
            values[name] = _values(nested.model_fields, env)
        elif name.upper() in env:
            values[name] = env[name.upper()]
    return values


def _variables(fields: Mapping[str, FieldInfo]) -> set[str]:
    names: set[str] = set()
    for name, field in fields.items():
        nested = _nested_model(field)
        names |= {name.upper()} if nested is None else _variables(nested.model_fields)
    return names


def _nested_model(field: FieldInfo) -> type[BaseModel] | None:
    annotation = field.annotation
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


class Settings(EnvironmentSettings):
    """What every function reads: the template's Globals."""

    table_name: str = Field(min_length=1)
    event_bus_name: str = Field(min_length=1)
    webhook_secrets_id: str = Field(min_length=1)
    due_index_shards: int = Field(ge=1, le=64)
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)


class ProcessorSettings(Settings):
    """The processor judges, and fetches TikTok Shop orders with each shop's stored credentials
    (renewing at the auth host a token TikTok calls expired).

    Shopify's lifecycle needs the rest: a reinstall re-queues parked deliveries (the processing queue),
    ``shop/redact`` erases reports and secrets, ``customers/data_request`` is answered by the report
    channels (bucket, sender, the sellers' webhook secrets)."""

    tiktok_shop_api_base_url: str = Field(min_length=1)
    shop_tokens_secret_prefix: str = Field(min_length=1)
    tiktok_shop_auth_base_url: str = Field(min_length=1)
    seller_secrets_prefix: str = Field(min_length=1)
    processing_queue_url: str = Field(min_length=1)
    reports_bucket: str = Field(min_length=1)
    report_sender_email: str = ""
    """Empty when the stack's ReportEmails is disabled: nothing is e-mailed."""
    allow_loopback_webhooks: bool = False
    thresholds: Thresholds = Thresholds()


class TokenRefreshSettings(Settings):
    """The schedule that refreshes TikTok shops' tokens before they expire."""

    tiktok_shop_auth_base_url: str = Field(min_length=1)
    shop_tokens_secret_prefix: str = Field(min_length=1)


class TikTokAuthorizationSettings(Settings):
    """The callback that connects TikTok shops.

    The service id is the app's, known only once the app exists in TikTok's Partner Center: until the
    deployment is given one (``TikTokShopServiceId``) the callback answers that it is not set up, as a
    sender whose secret is missing is not configured.
    """

    tiktok_shop_api_base_url: str = Field(min_length=1)
    tiktok_shop_auth_base_url: str = Field(min_length=1)
    shop_tokens_secret_prefix: str = Field(min_length=1)
    processing_queue_url: str = Field(min_length=1)
    tiktok_shop_service_id: str = ""


class ReconcilePlannerSettings(Settings):
    reconcile_queue_url: str = Field(min_length=1)


class ReconcileWorkerSettings(Settings):
    """The worker judges, and polls 17TRACK (its key is the secret document's, unless set here)."""

    seventeen_track_api_base_url: str = Field(min_length=1)
    seventeen_track_api_key: str = ""
    seventeen_track_requests_per_second: float = Field(gt=0)
    """Shared by every worker of the deployment (``SharedRateLimit``)."""
    thresholds: Thresholds = Thresholds()


class SellerApiSettings(Settings):
    reports_bucket: str = Field(min_length=1)


class ReportScheduleSettings(Settings):
    """The hourly report run queues one job per due seller."""

    report_queue_url: str = Field(min_length=1)


class ReportSettings(Settings):
    """The report worker builds, stores and delivers one seller's report per job."""

    reports_bucket: str = Field(min_length=1)
    report_sender_email: str = ""
    """The SES sender; empty when the stack's ReportEmails is disabled: reports are then not e-mailed."""
    seller_secrets_prefix: str = Field(min_length=1)
    allow_loopback_webhooks: bool = False
