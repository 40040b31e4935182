"""The HTML report as a browser shows it: headless Chromium renders it, we read its DOM and save a picture."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.unit.reports.sample import sample_report
from trackguard.reports.html_page import render_html

CHROMIUM = shutil.which("chromium")
OUTPUT = Path(__file__).resolve().parents[3] / "test-output"
pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="chromium is not installed (make setup installs it where apt-get is available)",
    ),
    # One worker renders the page once: the screenshot file is shared by every test of this module.
    pytest.mark.xdist_group("chromium"),
]


def chromium(page: Path, profile: Path, *action: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--window-size=1280,1600",
            *action,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    directory = tmp_path_factory.mktemp("report")
    page = directory / "report.html"
    page.write_bytes(render_html(sample_report()))
    screenshot = take_screenshot(page, directory)
    OUTPUT.mkdir(exist_ok=True)
    kept = OUTPUT / "report.png"
    shutil.copyfile(screenshot, kept)
    dom = chromium(page, directory / "profile-dom", "--dump-dom").stdout
    return kept, dom


def take_screenshot(page: Path, directory: Path) -> Path:
    """Chromium can exit 0 without a picture on a loaded machine; a second fresh profile gets one.

    The picture is written inside the test's own directory first, so no other run can remove it
    while Chromium writes; the failure message carries what Chromium said.
    """
    screenshot = directory / "report.png"
    said = []
    for attempt in range(2):
        run = chromium(page, directory / f"profile-shot-{attempt}", f"--screenshot={screenshot}")
        if screenshot.exists():
            return screenshot
        said.append(run.stderr[-2000:])
    pytest.fail("Chromium wrote no screenshot:\n" + "\n---\n".join(said))


def test_the_screenshot_is_saved(rendered: tuple[Path, str]) -> None:
    screenshot, _ = rendered
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 10_000


def test_the_page_shows_both_rates_against_the_threshold(rendered: tuple[Path, str]) -> None:
    _, dom = rendered
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom))
    assert "Valid Tracking Rate, 7 days 93.6% below the 95% threshold · 9 invalid of 140 packages" in text
    assert (
        "Valid Tracking Rate, 30 days 97.7% at or above the 95% threshold · 14 invalid of 600 packages"
        in text
    )


def test_the_page_shows_the_flag_rows_and_the_chart(rendered: tuple[Path, str]) -> None:
    _, dom = rendered
    row = re.search(r"<tr><td>o-3</td>.*?</tr>", dom)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(0))
    assert cells[:5] == ["o-3", "p-3", "=HYPERLINK(1)", "fedex", "DESTINATION_MISMATCH"]
    assert cells[5] == 'Carrier delivers to 10001, buyer is in &lt;95110&gt; &amp; "CA"'
    assert dom.count("<rect") == 30
    assert "<script" not in dom
