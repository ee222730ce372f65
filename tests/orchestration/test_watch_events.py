"""`newsledger watch` wakes on the input folder's changes as the OS reports them (FolderEvents)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from orchestration.watch import SETTLE_S, FolderEvents


@pytest.fixture
def events(tmp_path: Path):
    watcher = FolderEvents(tmp_path)
    assert watcher.error is None, watcher.error  # Linux: inotify
    yield watcher
    watcher.close()


def _later(seconds: float, action) -> threading.Thread:
    def run():
        time.sleep(seconds)
        action()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_new_file_in_a_subfolder_wakes_the_wait_long_before_its_timeout(
    events: FolderEvents, tmp_path: Path
):
    (tmp_path / "2024" / "11").mkdir(parents=True)
    events.wait(0.5)  # the folders' own events
    started = time.monotonic()
    writer = _later(
        0.2, lambda: (tmp_path / "2024" / "11" / "a.txt").write_text(" date 2024-11-04 x")
    )
    assert events.wait(30.0) is True
    took = time.monotonic() - started
    writer.join()
    assert 0.2 + SETTLE_S * 0.9 <= took < 5.0


def test_no_change_and_reading_files_do_not_wake_it(events: FolderEvents, tmp_path: Path):
    (tmp_path / "a.txt").write_text(" date 2024-11-04 x")
    events.wait(0.5)
    assert events.wait(0.3) is False
    reader = _later(0.05, lambda: (tmp_path / "a.txt").read_text())  # as the ingest does
    assert events.wait(0.6) is False
    reader.join()


def test_a_file_written_in_pieces_settles_only_after_its_last_piece(
    events: FolderEvents, tmp_path: Path
):
    path = tmp_path / "slow.txt"
    last: list[float] = []

    def write_slowly():
        with path.open("w") as out:
            for _ in range(8):
                out.write("words " * 100)
                out.flush()
                last[:] = [time.monotonic()]
                time.sleep(0.1)  # under SETTLE_S: still one change

    writer = _later(0.0, write_slowly)
    assert events.wait(30.0) is True
    woke = time.monotonic()
    writer.join()
    assert woke - last[0] >= SETTLE_S * 0.9


def test_a_file_still_being_written_when_the_wait_ends_has_not_settled(
    events: FolderEvents, tmp_path: Path
):
    """Changes that keep coming for the whole wait are no settled change: the loop then looks
    twice, as without events, instead of taking the quiet window as the second look."""
    path = tmp_path / "endless.txt"
    stop = threading.Event()

    def write_on():
        with path.open("w") as out:
            while not stop.is_set():
                out.write("words " * 100)
                out.flush()
                time.sleep(0.05)

    writer = _later(0.0, write_on)
    try:
        started = time.monotonic()
        assert events.wait(0.5) is False
        assert time.monotonic() - started >= 0.5  # it waited for the writes to stop, in vain
    finally:
        stop.set()
        writer.join()
