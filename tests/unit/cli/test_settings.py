"""A `trackguard` command names the variables it lacks, in one line, before it touches AWS."""

from __future__ import annotations

import pytest

from trackguard_dev.cli import main


def test_a_command_without_its_variables_names_them_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TABLE_NAME", "trackguard-prod-Table")  # a deployment: no local stack is attached
    monkeypatch.delenv("PROCESSING_QUEUE_URL", raising=False)
    monkeypatch.delenv("PROCESSING_DLQ_URL", raising=False)

    status = main(["replay", "--dlq", "processing"])

    assert status == 2
    assert capsys.readouterr().err == (
        "trackguard replay: ProcessingDeadLetterSettings: PROCESSING_DLQ_URL, PROCESSING_QUEUE_URL not set\n"
    )
