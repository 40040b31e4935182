"""The local stack's settings: the only place the local stack reads the process environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_PORT = 3000


@dataclass(frozen=True)
class LocalConfig:
    """``PORT``, ``TRACKGUARD_STATE_DIR``, and the AWS endpoints to use instead of starting services."""

    port: int = DEFAULT_PORT
    state_dir: Path = PROJECT_ROOT / ".trackguard"
    dynamodb_endpoint: str | None = None
    aws_endpoint: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> LocalConfig:
        env = os.environ if environ is None else environ
        state_dir = env.get("TRACKGUARD_STATE_DIR")
        return cls(
            port=int(env.get("PORT") or DEFAULT_PORT),
            state_dir=Path(state_dir).resolve() if state_dir else PROJECT_ROOT / ".trackguard",
            dynamodb_endpoint=env.get("AWS_ENDPOINT_URL_DYNAMODB") or None,
            aws_endpoint=env.get("AWS_ENDPOINT_URL") or None,
        )

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stack_file(self) -> Path:
        return self.state_dir / "stack.json"


@dataclass(frozen=True)
class Endpoints:
    """Where the running stack's services answer."""

    api: str
    dynamodb: str
    aws: str
