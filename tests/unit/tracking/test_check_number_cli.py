import json

import pytest

from trackguard.tracking.checksums import mod10_check_digit
from trackguard_dev import cli

UPS_VALID = "1ZA1B2C3017654321" + str(mod10_check_digit("A1B2C3017654321", 1, 2))
UPS_BAD_CHECK = UPS_VALID[:-1] + str((int(UPS_VALID[-1]) + 1) % 10)


@pytest.fixture(autouse=True)
def only_check_number(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register only this subcommand, so the test does not depend on the other command modules."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("trackguard_dev.cli.check_number",))


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = cli.main(argv)
    return status, capsys.readouterr().out


def test_json_output_has_the_contract_shape(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _run(["check-number", UPS_VALID.lower(), "nonsense", "--json"], capsys)
    assert status == 0
    reports = json.loads(out)
    assert [report["number"] for report in reports] == [UPS_VALID.lower(), "nonsense"]
    assert reports[0]["normalized"] == UPS_VALID
    assert reports[0]["matches"] == [
        {
            "carrier": "ups",
            "format": "UPS",
            "valid": True,
            "check": "pass",
            "tracking_url": f"https://www.ups.com/track?tracknum={UPS_VALID}",
        }
    ]
    assert reports[1]["matches"] == []
    assert all("verdict" not in report for report in reports)


def test_invalid_number_still_exits_zero_and_says_fail(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _run(["check-number", UPS_BAD_CHECK, "--json"], capsys)
    assert status == 0
    [match] = json.loads(out)[0]["matches"]
    assert (match["valid"], match["check"]) == (False, "fail")


def test_carrier_adds_a_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _run(["check-number", UPS_VALID, "--carrier", "FedEx", "--json"], capsys)
    assert status == 0
    verdict = json.loads(out)[0]["verdict"]
    assert verdict["kind"] == "CARRIER_MISMATCH"
    assert verdict["declared_carrier"] == "fedex"
    assert verdict["detected_carriers"] == ["ups"]


def test_text_output_lists_matches_and_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _run(["check-number", UPS_BAD_CHECK, "--carrier", "ups"], capsys)
    assert status == 0
    assert UPS_BAD_CHECK in out
    assert "INVALID" in out
    assert "check digit is wrong" in out


def test_text_output_says_when_nothing_fits(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _run(["check-number", "hello"], capsys)
    assert status == 0
    assert "no known format" in out
