"""In-memory stand-ins for the AWS messaging the services publish to."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class RecordingPublisher:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def publish(self, events: list[tuple[str, dict[str, Any]]]) -> None:
        self.events.extend(events)

    def of_type(self, detail_type: str) -> list[dict[str, Any]]:
        return [detail for kind, detail in self.events if kind == detail_type]


class RecordingQueue:
    def __init__(self) -> None:
        self.messages: list[BaseModel] = []

    def send(self, message: BaseModel) -> None:
        self.messages.append(message)


class DictSecrets:
    """Secrets Manager as a dict, for tests of what is stored where (not of Secrets Manager itself)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def put(self, owner: str, value: str, description: str) -> None:
        self.values[owner] = value

    def get(self, owner: str) -> str | None:
        return self.values.get(owner)
