"""The processes newsledger starts and stops, read through psutil: one home for process trees,
groups and liveness.

- `newsledger watch` kills what an interrupted run left under it (`descendants`);
- `make dev` and `make cluster` stop process groups and wait until none of a group is left
  (`group_alive`, `group_members`);
- a run whose CLI process has died is marked failed (`alive`, orchestration/recovery.py).

A zombie (ended, not yet reaped by its parent) counts as gone everywhere: it holds no file, no
lock and no memory, and only its parent can make it disappear.
"""

from __future__ import annotations

import contextlib
import os
import signal

import psutil


def _live(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True


def alive(pid: int) -> bool:
    """Whether the process `pid` exists and has not ended."""
    try:
        return _live(psutil.Process(pid))
    except psutil.NoSuchProcess:
        return False


def descendants(pid: int | None = None) -> list[int]:
    """The pids of every live process under `pid` (default: this one)."""
    try:
        children = psutil.Process(os.getpid() if pid is None else pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [child.pid for child in children if _live(child)]


def kill_descendants(keep_tracker: bool = True) -> list[int]:
    """SIGKILL every process under this one; `keep_tracker`: except multiprocessing's resource
    tracker, which ends by itself when this process does (killed early, it is started again by
    the next semaphore this process frees, and complains)."""
    from multiprocessing import resource_tracker

    tracker = getattr(resource_tracker._resource_tracker, "_pid", None) if keep_tracker else None
    killed = [pid for pid in descendants() if pid != tracker]
    for pid in killed:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    for pid in killed:  # reap our own children (the others are reaped by their parents)
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)
    return killed


def group_members(pgid: int) -> list[psutil.Process]:
    """The live processes of process group `pgid`."""
    members = []
    for proc in psutil.process_iter():
        with contextlib.suppress(OSError, psutil.Error):  # gone meanwhile, or not ours to see
            if os.getpgid(proc.pid) == pgid and _live(proc):
                members.append(proc)
    return members


def group_alive(pgid: int) -> bool:
    """Whether any live process is left in process group `pgid`."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return bool(group_members(pgid))


def command_line(pid: int) -> str | None:
    """The command line of `pid`, None when it has gone; "" when it may not be read."""
    try:
        return " ".join(psutil.Process(pid).cmdline())
    except psutil.NoSuchProcess:
        return None
    except psutil.AccessDenied:
        return ""


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of `pid` (default: this process), in MB."""
    return psutil.Process(pid).memory_info().rss / 2**20
