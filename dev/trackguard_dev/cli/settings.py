"""What each operator command reads from the environment (the functions' models are trackguard.settings).

A command needs only the resources it touches, so these are small: a missing variable is named in the
command's error, and nothing else is asked of the operator.
"""

from __future__ import annotations

from pydantic import Field

from trackguard.settings import EnvironmentSettings


class TableSettings(EnvironmentSettings):
    table_name: str = Field(min_length=1)


class ShopTokenSettings(TableSettings):
    """Without ``PROCESSING_QUEUE_URL``, deliveries parked for the shop are not sent to processing."""

    shop_tokens_secret_prefix: str = Field(min_length=1)
    processing_queue_url: str = ""


class SellerSettings(TableSettings):
    """Report-webhook secrets live under their prefix; without ``PROCESSING_QUEUE_URL``, a newly
    registered shop's parked deliveries are counted, not sent to processing."""

    seller_secrets_prefix: str = Field(min_length=1)
    processing_queue_url: str = ""


class ErasureSettings(SellerSettings):
    """`sellers delete` reaches the seller's reports and its TikTok tokens too."""

    reports_bucket: str = Field(min_length=1)
    shop_tokens_secret_prefix: str = Field(min_length=1)


class AuthorizationLinkSettings(EnvironmentSettings):
    """`trackguard shops connect`: the app's service id and secret sign the link's state."""

    webhook_secrets_id: str = Field(min_length=1)
    tiktok_shop_service_id: str = Field(min_length=1)
    # TikTok's page for sellers outside the US (US apps: https://services.us.tiktokshop.com/open/authorize);
    # beside `make run`, the stack's sandbox plays it.
    tiktok_shop_authorize_url: str = Field(
        default="https://services.tiktokshop.com/open/authorize", min_length=1
    )


class StoredReplaySettings(TableSettings):
    processing_queue_url: str = Field(min_length=1)


# `trackguard replay --dlq KIND`: each dead-letter queue's URL first, then the queue it re-drives to.


class ProcessingDeadLetterSettings(EnvironmentSettings):
    processing_dlq_url: str = Field(min_length=1)
    processing_queue_url: str = Field(min_length=1)


class ReconcileDeadLetterSettings(EnvironmentSettings):
    reconcile_dlq_url: str = Field(min_length=1)
    reconcile_queue_url: str = Field(min_length=1)


class ReportDeadLetterSettings(EnvironmentSettings):
    report_dlq_url: str = Field(min_length=1)
    report_queue_url: str = Field(min_length=1)


class StreamDeadLetterSettings(EnvironmentSettings):
    """The stream itself is named by each failure record."""

    stream_failure_dlq_url: str = Field(min_length=1)
    processing_queue_url: str = Field(min_length=1)


class ScheduleDeadLetterSettings(EnvironmentSettings):
    """Each dead letter names the function it invokes."""

    schedule_dlq_url: str = Field(min_length=1)


class InvocationDeadLetterSettings(EnvironmentSettings):
    """Each on-failure record names the function it invokes."""

    invocation_failure_dlq_url: str = Field(min_length=1)


DEAD_LETTER_SETTINGS: dict[str, type[EnvironmentSettings]] = {
    "processing": ProcessingDeadLetterSettings,
    "reconcile": ReconcileDeadLetterSettings,
    "report": ReportDeadLetterSettings,
    "stream": StreamDeadLetterSettings,
    "schedule": ScheduleDeadLetterSettings,
    "invocation": InvocationDeadLetterSettings,
}
