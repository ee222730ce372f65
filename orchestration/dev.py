"""`make dev`: `dagster dev` (UI, daemon, schedule, sensor) that stops when asked, within seconds.

    python -m orchestration.dev [-h HOST] [-p PORT]

Started under make, uv or a non-interactive shell, `dagster dev` ignored SIGINT and SIGTERM while
a sensor-launched run was active (measured 2026-12-03: only SIGKILL stopped it), and its run
worker and step processes could outlive it. This launcher starts it in a process group of its
own, with SIGINT handled again, and on Ctrl-C or SIGTERM:

1. sends SIGINT to that whole group (dagster dev, webserver, daemon, code server, the run worker
   and its step processes): each shuts down as on Ctrl-C in a terminal;
2. after GRACE_S seconds, SIGKILLs whatever of the group is left;
3. marks every run of the instance that was still queued, starting or started as failed, and frees
   the pool slots those runs held: the next run (sensor, schedule, `newsledger run`) then starts
   at once and repairs the lake (a shard step removes the orphan parts of an interrupted one).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time

from orchestration.processes import group_alive

GRACE_S = 8.0  # SIGINT to the group, then this long before SIGKILL
KILL_WAIT_S = 5.0


def stop_group(pgid: int, grace: float = GRACE_S) -> str:
    """SIGINT the group, wait up to grace seconds, then SIGKILL it; how it ended."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGINT)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not group_alive(pgid):
            return "stopped on SIGINT"
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    deadline = time.monotonic() + KILL_WAIT_S
    while time.monotonic() < deadline and group_alive(pgid):
        time.sleep(0.1)
    return f"killed after {grace:.0f} s"


def fail_interrupted_runs(reason: str) -> list[str]:
    """Mark every unfinished run of the instance failed and free its pool slots.

    Only called once the whole dev process group is gone: on this one-machine instance
    (max_concurrent_runs 1) no run can still be running, except a `newsledger run` of the command
    line, which is skipped while its process lives (orchestration/recovery.py tags)."""
    import dagster as dg

    from orchestration.recovery import PID_TAG, _pid_alive, unfinished_runs_filter

    failed = []
    with dg.DagsterInstance.get() as instance:
        for run in instance.get_runs(filters=unfinished_runs_filter()):
            pid = run.tags.get(PID_TAG)
            if pid is not None and _pid_alive(int(pid)):
                continue
            instance.report_run_failed(run, reason)
            failed.append(run.run_id)
        storage = instance.event_log_storage
        if storage.supports_global_concurrency_limits:
            for run_id in storage.get_concurrency_run_ids():
                run = instance.get_run_by_id(run_id)
                if run is None or run.is_finished:
                    storage.free_concurrency_slots_for_run(run_id)
    return failed


class _Stop(Exception):
    pass


def _raise_stop(signum, _frame):
    raise _Stop(signal.Signals(signum).name)


def _child_signals() -> None:
    """In the child, before exec: default SIGINT/SIGTERM, even if this launcher was started in the
    background of a non-interactive shell (which starts it with SIGINT ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.dev", add_help=False)
    parser.add_argument("--help", action="help")
    parser.add_argument("-h", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", default="3000")
    parser.add_argument("--grace", type=float, default=GRACE_S, help="seconds before SIGKILL")
    args = parser.parse_args(argv)
    if not os.environ.get("DAGSTER_HOME"):
        print("error: DAGSTER_HOME must be set (make sets .dagster_home)", file=sys.stderr)
        return 2
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    cmd = [dagster, "dev", "-m", "orchestration.definitions", "-h", args.host, "-p", args.port]
    # Handlers first: a signal arriving while the child starts must still stop it.
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    proc = None
    how = "exited"
    try:
        proc = subprocess.Popen(cmd, start_new_session=True, preexec_fn=_child_signals)
        print(f"newsledger dev: dagster dev pid {proc.pid} (process group {proc.pid})", flush=True)
        code = proc.wait()
    except _Stop as stop:
        print(f"newsledger dev: {stop}: stopping dagster dev and its runs", file=sys.stderr)
        code = 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip the cleanup
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if proc is not None:
            how = stop_group(proc.pid, args.grace)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(1)
        failed = fail_interrupted_runs("interrupted: `make dev` was stopped during the run")
    for run_id in failed:
        print(f"newsledger dev: run {run_id} marked failed (the next run repairs it)", flush=True)
    print(f"newsledger dev: {how}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
