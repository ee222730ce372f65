"""Which Dagster executor runs the steps of `newsledger_job`: one setting, one home.

NEWSLEDGER_EXECUTOR   multiprocess (default): one process per step on this machine
                      celery: each step is a Celery task run by any worker listening on the
                              broker NEWSLEDGER_CELERY_BROKER (results: NEWSLEDGER_CELERY_BACKEND,
                              default the broker); `orchestration/cluster.py` starts a broker and
                              workers on this machine (`make cluster`)
                      k8s:    one Kubernetes pod per step (dagster-k8s, not installed here:
                              docs/deployment.md)

The job itself (its assets, its partitions) is the same whatever the executor: only this
choice changes. `newsledger run` without --executor runs in-process and ignores it.
"""

from __future__ import annotations

import os
import warnings

import dagster as dg

EXECUTORS = ("multiprocess", "celery", "k8s")
BROKER_ENV = "NEWSLEDGER_CELERY_BROKER"
BACKEND_ENV = "NEWSLEDGER_CELERY_BACKEND"
VISIBILITY_ENV = "NEWSLEDGER_CELERY_VISIBILITY_TIMEOUT"
DEFAULT_VISIBILITY_TIMEOUT_S = 6 * 3600  # longer than any step: never two copies of one task


def celery_config_source() -> dict:
    """Celery settings of the executor and of the workers (orchestration/cluster.py writes the
    same block into the workers' config yaml, so both sides agree).

    A worker that dies mid-step (SIGKILL, OOM, a lost machine) never acknowledges its task
    (`task_acks_late`). The cluster launcher watches its workers and puts the tasks of a dead one
    back on the queue at once (`Cluster.requeue_lost_tasks`), so a live worker runs the step again
    and the run goes on. Without a launcher watching (workers on other machines), the broker does
    it once the task has been unacknowledged for NEWSLEDGER_CELERY_VISIBILITY_TIMEOUT seconds: 6 h
    by default, longer than any step, since the broker also hands out again the task of a live
    worker still running it after that time (a step longer than the timeout would run over and
    over). Only a step's pool process dying under a live worker fails the task (WorkerLostError,
    not requeued: a step that kills its process every time must not loop): the run fails and the
    next run repairs it (a shard step removes its orphan parts).
    """
    visibility = int(os.environ.get(VISIBILITY_ENV, DEFAULT_VISIBILITY_TIMEOUT_S))
    return {
        "worker_prefetch_multiplier": 1,
        "task_acks_late": True,
        "task_reject_on_worker_lost": False,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {
            "visibility_timeout": visibility,
            # Look for tasks of dead workers every 5 s (kombu's default scans every 10th call).
            "unacked_restore_interval": 5,
            "unacked_restore_throttle": 1,
            "max_retries": 3,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        "result_backend_transport_options": {"visibility_timeout": visibility},
    }


class ExecutorChoiceError(ValueError):
    """NEWSLEDGER_EXECUTOR names no executor, or one this installation cannot run."""


def executor_name() -> str:
    name = os.environ.get("NEWSLEDGER_EXECUTOR", "multiprocess").strip().lower()
    if name not in EXECUTORS:
        raise ExecutorChoiceError(
            f"NEWSLEDGER_EXECUTOR={name!r}: choose one of {', '.join(EXECUTORS)}"
        )
    return name


def celery_config() -> dict:
    """The celery executor's config: broker and backend read from the environment at run time."""
    backend_env = BACKEND_ENV if os.environ.get(BACKEND_ENV) else BROKER_ENV
    return {
        "broker": {"env": BROKER_ENV},
        "backend": {"env": backend_env},
        "config_source": celery_config_source(),
    }


def job_executor() -> dg.ExecutorDefinition:
    name = executor_name()
    if name == "celery":
        from celery.exceptions import DuplicateTaskNameWarning
        from dagster_celery import celery_executor

        # dagster-celery registers its task again for every step it submits: harmless, and
        # otherwise printed once per run.
        warnings.filterwarnings("ignore", category=DuplicateTaskNameWarning)

        return celery_executor.configured(celery_config(), name="newsledger_celery")
    if name == "k8s":
        try:
            from dagster_k8s import k8s_job_executor
        except ImportError as err:
            raise ExecutorChoiceError(
                "NEWSLEDGER_EXECUTOR=k8s needs dagster-k8s==0.29.27 (docs/deployment.md)"
            ) from err
        return k8s_job_executor.configured({"max_concurrent": 8}, name="newsledger_k8s")
    return dg.multiprocess_executor
