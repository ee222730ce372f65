"""report.html opened in headless Chromium: the charts render with data; a screenshot is kept.

Needs Debian's `chromium` (`make browser`, which .ci/run calls). The screenshot is written to
test-artifacts/report.png (gitignored) and its path printed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.transforms.test_report import FIGURE_NEEDS, parse

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium")
ARTIFACTS = REPO / "test-artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium(*args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="newsledger-chromium-") as profile:
        return subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=120,
        )


@pytest.fixture(scope="module")
def report_file(seeds_warehouse) -> Path:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed: run `make browser` (apt-get install chromium)")
    warehouse, _ = seeds_warehouse
    return warehouse / "report.html"


def test_chromium_renders_the_charts_with_data(report_file, capsys):
    dom = chromium("--dump-dom", report_file.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = parse(dom.stdout)
    # what the browser built from the file, not the file itself: the DOM has the SVG marks
    assert rendered.marks.get("actor-mentions", 0) > 0, "no marks in the actor-mentions chart"
    for key in FIGURE_NEEDS:
        if key not in rendered.marks:
            assert f'id="fig-{key}"' in dom.stdout
            assert "in this warehouse" in dom.stdout.split(f'id="fig-{key}"')[1][:600], key
    assert rendered.links and set(rendered.links) <= rendered.ids

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    run = chromium("--window-size=1100,2400", f"--screenshot={shot}", report_file.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # a blank page compresses to a few kB; charts, labels and tables do not
    assert len(data) > 50_000, f"screenshot suspiciously small ({len(data)} bytes)"
    shutil.copy(report_file, ARTIFACTS / "report.html")
    with capsys.disabled():
        print(
            f"\nreport screenshot: {shot} ({len(data):,} bytes); page: {ARTIFACTS / 'report.html'}"
        )
