"""`newsledger watch`: one long-lived process that runs the pipeline whenever the input folder has
something new (issue 19: "dbt started once ... rather than paying its start-up per run").

    newsledger watch [--input DIR] [--warehouse DIR] [--interval SECONDS]

`newsledger run` pays, per run, the interpreter, the imports of Dagster, dagster-dbt, dbt-core and
spaCy (~7 s on the 2-core machine), and the NLP fork server's load of the spaCy model (~2 s). This
process pays them once (`transforms.long_lived`): it imports the Dagster definitions once, keeps the
fork server (the model loaded) and the NLP workers forked from it up between runs, has dbt parse its
project when a run has nothing for dbt to build, and looks at the input folder every `--interval`
seconds and on every change the operating system reports. Each run is the same in-process run as
`newsledger run` (`orchestration.cli.run_once`: same job, same warehouse lock, same summary), so
everything `run` guarantees holds per run.

When it runs:
- once at start, whatever the folder holds: a run with nothing new is cheap (the NLP step parses
  nothing, dbt is skipped), and it repairs what an interrupted run left (a lake part without its
  commit file, an unpublished build);
- then when the folder's files (path, size, times, inode) differ from what they were when the
  last run started, the same on two looks in a row or on one look after a reported change has
  settled (a file still being written, or a batch of files still being copied in, waits for the
  next look), and `input_unchanged` (the ingest manifest) says something is new or changed. A
  failed run is not retried until the folder changes again.

It looks at the folder every `--interval` seconds, and at once when the operating system reports a
change under it (`FolderEvents`: inotify on Linux, through the watchdog library that Dagster already
depends on): a change wakes the loop, which waits until SETTLE_S seconds pass without another (a
file being written or copied keeps sending events), then looks once: the quiet window is the
confirmation a second look would give. So a new batch is picked up ~SETTLE_S after its last file is
in place, not up to two intervals later. The looks every interval stay, for filesystems that report
no events (NFS and other network mounts, some FUSE mounts).

The warehouse lock (transforms/locking.py) is held only while a run executes: a `newsledger run`
on the same warehouse between two runs of the watcher runs at once; one during a run waits for it.

Stopping: SIGINT (Ctrl-C) or SIGTERM. Between runs the loop ends at once. During a run Dagster's
own interrupt handling stops the running step (the run fails, nothing is published; the next
run, of the watcher or of `newsledger run`, repairs the lake as after any failed run). Either
way the fork server is stopped, any process left under this one is killed, and the exit code is
130, as `make dev` (orchestration/dev.py). A run that does not stop within GRACE_S seconds
(dbt's in-process build cannot be interrupted) is cut short: its child processes are SIGKILLed
and the process exits 130 at once; a killed run's pool slots are freed by the next run
(orchestration/recovery.py).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

from orchestration.dev import GRACE_S
from orchestration.processes import kill_descendants, rss_mb

STOPPED = 130  # exit code when stopped by SIGINT / SIGTERM, as orchestration/dev.py


def folder_state(input_dir: Path) -> tuple[tuple[str, int, int, int, int], ...]:
    """Every file of the input folder as the ingest lists them (articles and side files), with its
    size, modification and change times and inode: any change to the folder changes this."""
    from transforms.articles import list_input_files

    candidates, ignored = list_input_files(input_dir)
    state = []
    for path in (*candidates, *ignored):
        try:
            st = os.lstat(path)
        except OSError:
            continue
        state.append((str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return tuple(state)


# After a reported change: how long the folder must stay quiet before it is looked at again.
SETTLE_S = 0.25
# inotify also reports reads (the ingest opens every input file): those are not changes.
_READS = frozenset({"opened", "closed_no_write"})


class FolderEvents:
    """Whether anything under a folder was created, written, moved or removed, as the operating
    system reports it (watchdog's native observer: inotify on Linux). Where it cannot watch (no
    inotify, its watch limit reached), `error` says why and `wait` only sleeps."""

    def __init__(self, folder: Path) -> None:
        self._changed = threading.Event()
        self._observer = None
        self.error: str | None = None
        try:
            from watchdog.events import FileSystemEventHandler
            from watchdog.observers import Observer

            changed = self._changed

            class _Changed(FileSystemEventHandler):
                def on_any_event(self, event) -> None:
                    if event.event_type not in _READS:
                        changed.set()

            observer = Observer()
            observer.schedule(_Changed(), str(folder), recursive=True)
            observer.start()
            self._observer = observer
        except Exception as err:  # noqa: BLE001 - the looks every interval still find changes
            self.error = f"{type(err).__name__}: {err}"

    def wait(self, timeout: float, settle: float = SETTLE_S) -> bool:
        """Up to `timeout` seconds for a change; after one, until `settle` seconds pass without
        another (at most `timeout` seconds more). Whether a change came and settled: False when
        none came, or when changes kept coming for `timeout` seconds more (still being written)."""
        if not self._changed.wait(timeout):
            return False
        deadline = time.monotonic() + timeout
        while True:
            self._changed.clear()
            if not self._changed.wait(settle):
                return True
            if time.monotonic() > deadline:
                return False

    def close(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(5)


class Stopper:
    """SIGINT / SIGTERM -> stop, within GRACE_S seconds whatever is running.

    Between runs the handler raises KeyboardInterrupt in the main thread. During a run Dagster
    replaces the handlers with its own (the step is interrupted, the run fails), so a thread
    learns of the signal through `signal.set_wakeup_fd`, which the interpreter writes to on every
    handled signal whoever handles it: it marks the stop, and if the process is still alive
    GRACE_S seconds later, kills every process under it and exits with STOPPED."""

    def __init__(self, grace: float = GRACE_S) -> None:
        self.requested = threading.Event()
        self.grace = grace
        self._read, write = socket.socketpair()
        write.setblocking(False)
        self._write = write  # kept open for the process's life
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._interrupt)
        signal.set_wakeup_fd(write.fileno(), warn_on_full_buffer=False)
        threading.Thread(target=self._listen, name="watch-stop", daemon=True).start()

    def _interrupt(self, signum: int, _frame) -> None:
        self.requested.set()
        raise KeyboardInterrupt(signal.Signals(signum).name)

    def _listen(self) -> None:
        wanted = {signal.SIGINT.value, signal.SIGTERM.value}
        while not any(byte in wanted for byte in self._read.recv(64)):
            pass
        self.requested.set()
        time.sleep(self.grace)
        print(
            f"newsledger watch: the run did not stop within {self.grace:.0f} s: killing it",
            file=sys.stderr,
            flush=True,
        )
        kill_descendants(keep_tracker=False)
        os._exit(STOPPED)

    @staticmethod
    def ignore() -> None:
        """From here on (the clean-up), a second Ctrl-C must not cut the clean-up short."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)


def _warm_up_dbt() -> None:
    """What the first in-process dbt build would pay otherwise, ~1.5 s of the next run
    (in_process.warm_up)."""
    from orchestration.defs.dbt.in_process import warm_up
    from orchestration.defs.dbt.project import read_manifest

    warm_up(read_manifest()["macros"])


def _only_a_saving(what: str, warm_up) -> None:
    """Run a warm-up whose failure costs only time: the next run pays it instead."""
    try:
        warm_up()
    except Exception as err:  # noqa: BLE001 - only a saving
        _say(f"{what} failed ({err!r}); the next run pays it")


def _say(message: str) -> None:
    print(f"newsledger watch: {message}", flush=True)


def watch(args: argparse.Namespace, input_dir: Path, warehouse: Path, lake) -> int:
    from orchestration.cli import newsledger_job, run_once
    from orchestration.nothing_new import input_unchanged
    from transforms.long_lived import mark_long_lived
    from transforms.memory import freeze_imports
    from transforms.nlp.run import cool_down, prestart_workers, warm_up

    stopper = Stopper()
    events = FolderEvents(input_dir)
    _say(
        f"{input_dir} -> {warehouse}, looking every {args.interval:g} s"
        + ("" if events.error else " and on every change")
        + "; Ctrl-C or SIGTERM stops it"
    )
    if events.error:
        _say(f"the folder's changes are not reported here ({events.error})")
    runs = 0
    try:
        warm_up()  # the fork server loads the model while the definitions are imported
        # the NLP workers stay up between runs, and a run with nothing for dbt to build parses
        # the dbt project for the next build
        mark_long_lived()
        newsledger_job()
        ran_on = None  # the folder as it was when the last run started
        state = seen = folder_state(input_dir)  # this look and the one before
        while not stopper.requested.is_set():
            if state != ran_on and state == seen:
                if ran_on is None or not input_unchanged(input_dir, lake):
                    runs += 1
                    started = time.monotonic()
                    code = run_once(args, input_dir, warehouse, lake, warm=True)
                    if stopper.requested.is_set():
                        break
                    took = time.monotonic() - started
                    if runs == 1:  # before saying "idle": the warm-ups are part of start-up
                        _only_a_saving("dbt's warm-up", _warm_up_dbt)
                        # the workers the next run uses, each with a first chunk behind it
                        _only_a_saving("the NLP workers' warm-up", prestart_workers)
                        # what the start-up made to keep (dbt's parse and templates, caches) out
                        # of the garbage collector's view, as the imports: each run's collections
                        # (transforms/memory.py) then scan only that run's objects
                        freeze_imports()
                    outcome = "finished" if code == 0 else f"failed (exit code {code})"
                    _say(
                        f"run {runs} {outcome} in {took:.1f} s; "
                        f"main process {rss_mb():.0f} MB; idle, watching {input_dir}"
                    )
                ran_on = state
            seen = state
            settled = events.wait(args.interval)  # a change, then SETTLE_S without another
            state = folder_state(input_dir)
            if settled:
                seen = state  # the quiet window confirms this look: no second look needed
    except KeyboardInterrupt:
        pass
    except BaseException:
        if not stopper.requested.is_set():
            raise  # a real error, not the interrupted run (Dagster's interrupt error)
    finally:
        Stopper.ignore()
        events.close()
        stopping = cool_down()
        if stopping is not None:
            stopping.join(GRACE_S)
        kill_descendants()  # a pool worker or dbt process of an interrupted run
    _say(f"stopped after {runs} runs")
    return STOPPED
