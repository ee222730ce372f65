"""One writer per warehouse: an advisory file lock on <warehouse>/.newsledger.lock.

DuckDB allows one writer per database file, and a second `newsledger run` (or a Dagster run
started while the command line is running) on the same warehouse would fail on that lock in the
middle of its dbt step. Every writer takes this lock first instead: the `newsledger run` command
for the whole run, and the dbt and publish assets for their step (so runs launched by the Dagster
daemon also wait for a command-line run). The lock is re-entrant inside one process (the
command line runs the assets in-process while it holds it) and is released by the kernel when
the process dies, even by SIGKILL, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

LOCK_NAME = ".newsledger.lock"
DEFAULT_TIMEOUT_S = 3600.0
_held: dict[str, tuple[int, int]] = {}  # lock path -> (fd, depth) for locks this process holds


class WarehouseBusy(RuntimeError):
    """Another process held the warehouse lock for longer than the timeout."""


def lock_timeout() -> float:
    return float(os.environ.get("NEWSLEDGER_LOCK_TIMEOUT", DEFAULT_TIMEOUT_S))


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip() or "unknown"
    except OSError:
        return "unknown"


@contextlib.contextmanager
def warehouse_lock(
    warehouse: Path | str,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the warehouse's writer lock; wait up to `timeout` seconds for it, then raise."""
    warehouse = Path(warehouse)
    warehouse.mkdir(parents=True, exist_ok=True)
    path = warehouse / LOCK_NAME
    key = str(path.resolve())
    if key in _held:  # re-entrant: this process already holds it
        fd, depth = _held[key]
        _held[key] = (fd, depth + 1)
        try:
            yield
        finally:
            fd, depth = _held[key]
            _held[key] = (fd, depth - 1)
        return
    timeout = lock_timeout() if timeout is None else timeout
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    waited = False
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"another newsledger run ({_holder(path)}) is writing {warehouse}; "
                        f"gave up after {timeout:.0f} s. Wait for it to finish, or raise "
                        "NEWSLEDGER_LOCK_TIMEOUT"
                    ) from None
                if not waited and on_wait:
                    on_wait(
                        f"waiting for another newsledger run ({_holder(path)}) "
                        f"to finish writing {warehouse} ..."
                    )
                waited = True
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}".encode())
        _held[key] = (fd, 1)
        try:
            yield
        finally:
            del _held[key]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
