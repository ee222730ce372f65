"""Recover Dagster's bookkeeping after a `newsledger run` process was killed.

A command-line run executes in-process against the Dagster instance (DAGSTER_HOME, so `make run`
shares .dagster_home with `make dev`). Its NLP, dbt and publish steps claim a slot of their pool
(newsledger_nlp / newsledger_duckdb, limit 1 in dagster.yaml). A process killed by SIGKILL (OOM
killer, `kill -9`, a power cut) never frees its slot nor ends its run, and the next run then
waits for that slot for ever (found by tests/test_reliability_pipeline.py). Each command-line
run is therefore tagged with its pid and host; before a run starts, runs whose process is gone
are marked failed and every slot held by a finished or dead run is freed.
"""

from __future__ import annotations

import os
import socket

from orchestration.processes import alive, command_line

PID_TAG = "newsledger/pid"
HOST_TAG = "newsledger/host"


def run_tags() -> dict[str, str]:
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def _pid_alive(pid: int) -> bool:
    """The process lives and is a newsledger one (not a pid reused by another program)."""
    cmdline = command_line(pid) if alive(pid) else None
    if cmdline is None:
        return False
    # "": a process we may not read (another user's): counted alive, as before
    return cmdline == "" or "newsledger" in cmdline or "orchestration" in cmdline


def _is_dead_cli_run(run) -> bool:
    pid = run.tags.get(PID_TAG)
    return (
        pid is not None
        and run.tags.get(HOST_TAG) == socket.gethostname()
        and not run.is_finished
        and not _pid_alive(int(pid))
    )


def release_dead_runs(instance) -> list[str]:
    """Fail runs of killed `newsledger run` processes and free the pool slots they held.

    Returns the ids of the runs whose slots were freed.
    """
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    released = []
    for run_id in sorted(storage.get_concurrency_run_ids()):
        run = instance.get_run_by_id(run_id)
        if run is not None and _is_dead_cli_run(run):
            instance.report_run_failed(
                run, "the newsledger process running it was killed; its pool slots were freed"
            )
            run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            storage.free_concurrency_slots_for_run(run_id)
            released.append(run_id)
    return released


def unfinished_runs_filter(tags: dict[str, str] | None = None):
    """Runs queued, starting, started or being canceled (with these tags, if given)."""
    import dagster as dg

    return dg.RunsFilter(
        tags=tags,
        statuses=[
            dg.DagsterRunStatus.QUEUED,
            dg.DagsterRunStatus.NOT_STARTED,
            dg.DagsterRunStatus.STARTING,
            dg.DagsterRunStatus.STARTED,
            dg.DagsterRunStatus.CANCELING,
        ],
    )
