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
    shop_tokens_secret_prefix: str = Field(min_length=1)


class StoredReplaySettings(TableSettings):
    processing_queue_url: str = Field(min_length=1)


class DeadLetterSettings(EnvironmentSettings):
    processing_queue_url: str = Field(min_length=1)
    processing_dlq_url: str = Field(min_length=1)
