"""A Celery cluster on this machine: a Redis broker and N Dagster Celery workers (`make cluster`).

    python -m orchestration.cluster [--input DIR] [--warehouse DIR] [--workers 2]

starts redis-server on a free local port, N workers (`dagster-celery worker start -A
dagster_celery.app`, each a separate process with one task slot), runs `newsledger run
--executor celery` (a backfill of every NLP shard and everything downstream, each step a Celery
task), prints which worker ran which step, and stops everything.

Every process is started in a process group of its own and stopped by signalling that group
(SIGTERM, then SIGKILL after a bounded wait), so nothing outlives the launcher: not on success,
not on an error, not on Ctrl-C or SIGTERM of the launcher. `Cluster` is the same launcher as a
context manager, for tests.

The workers and the run share the lake (<NEWSLEDGER_WAREHOUSE_DIR>/lake, or NEWSLEDGER_LAKE_URL:
a folder every worker reads and writes, on several machines a shared volume or an fsspec URL;
the workers inherit both from this environment) and the Dagster instance (DAGSTER_HOME: run and
event storage, pool slots; Postgres on several machines). Step outputs (a few bytes: shard lists,
stats) go through Dagster's filesystem IO manager under DAGSTER_HOME/storage.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.executors import (
    BACKEND_ENV,
    BROKER_ENV,
    celery_config_source,
)
from orchestration.processes import group_members

START_TIMEOUT_S = 120.0  # broker answering + every worker answering a ping
STOP_TIMEOUT_S = 15.0  # per process group, after SIGTERM, before SIGKILL
WORKER_PREFIX = "newsledger-w"


class ClusterError(RuntimeError):
    """The broker or a worker did not start (or died) within the bounded wait."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bin(name: str) -> str:
    """An executable of this venv (beside the running interpreter), else from PATH."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    found = shutil.which(name)
    if found is None:
        raise ClusterError(f"{name} not found: `make install` (and `make redis` for redis-server)")
    return found


def redis_server() -> str:
    found = shutil.which("redis-server")
    if found is None:
        raise ClusterError("redis-server is not installed: run `make redis` (Debian's package)")
    return found


def stop_group(proc: subprocess.Popen, timeout: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM the process group of proc, then SIGKILL it if it is still there after timeout."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    # The group leader may be gone while its children (celery's pool processes) linger.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


def init_instance() -> None:
    """Create the storage of the instance in DAGSTER_HOME now: workers starting at once on a fresh
    home would each create its SQLite tables and race (UNIQUE constraint failed:
    alembic_version)."""
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        instance.get_runs(limit=1)
        instance.event_log_storage.get_concurrency_keys()


def worker_config_yaml(broker: str, backend: str) -> str:
    """The celery executor's config block: what `dagster-celery worker start -y` reads."""
    import yaml

    return yaml.safe_dump(
        {
            "execution": {
                "config": {
                    "broker": broker,
                    "backend": backend,
                    "config_source": celery_config_source(),
                }
            }
        }
    )


@dataclass
class Cluster:
    """Redis broker + n Dagster Celery workers, each in its own process group, under root/."""

    root: Path
    n_workers: int = 2
    env: dict[str, str] = field(default_factory=dict)  # extra environment of the workers
    port: int = 0
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    requeued: list[str] = field(default_factory=list)  # ids of tasks of dead workers requeued
    _stopping: threading.Event = field(default_factory=threading.Event)
    _watch: threading.Thread | None = None

    @property
    def broker(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def backend(self) -> str:
        return f"redis://127.0.0.1:{self.port}/1"

    def client_env(self) -> dict[str, str]:
        """What a process submitting runs to this cluster needs in its environment."""
        return {"NEWSLEDGER_EXECUTOR": "celery", BROKER_ENV: self.broker, BACKEND_ENV: self.backend}

    def worker_names(self) -> list[str]:
        return [f"{WORKER_PREFIX}{i + 1}" for i in range(self.n_workers)]

    def start(self, timeout: float = START_TIMEOUT_S) -> Cluster:
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        deadline = time.monotonic() + timeout
        try:
            init_instance()
            self._start_redis(deadline)
            self._start_workers(deadline)
        except BaseException:
            self.stop()
            raise
        self._watch = threading.Thread(target=self._watch_workers, name="watch", daemon=True)
        self._watch.start()
        return self

    def _watch_workers(self) -> None:
        """Once a worker has died, put the tasks it held back on the queue (every 2 s, since a
        task may still be in flight to it), so that a live worker runs the step again."""
        while not self._stopping.wait(2.0):
            dead = [n for n in self.worker_names() if self.procs[n].poll() is not None]
            if not dead:
                continue
            with contextlib.suppress(Exception):  # the broker going away at stop: nothing to do
                for task_id in self.requeue_lost_tasks(set(self.worker_names()) - set(dead)):
                    print(f"cluster: requeued task {task_id} of dead worker(s) {dead}", flush=True)
                    self.requeued.append(task_id)

    def requeue_lost_tasks(self, live_workers: set[str], min_age: float = 3.0) -> list[str]:
        """Tasks delivered but not acknowledged (task_acks_late) that no live worker holds: the
        tasks of dead workers. Back on the queue (its head) for a live worker.

        Only when every live worker answered (a worker that did not answer may hold any of
        them) and only deliveries older than min_age (one may be on its way to a live worker).
        """
        from kombu import Connection

        inspect = self.celery_app().control.inspect(timeout=1.0)
        held: set[str] = set()
        answered: set[str] = set()
        for replies in (inspect.active() or {}, inspect.reserved() or {}):
            for worker, tasks in replies.items():
                answered.add(worker.split("@")[0])
                held.update(t["id"] for t in tasks)
        if not live_workers <= answered:
            return []
        requeued = []
        with Connection(self.broker) as conn:
            channel = conn.default_channel
            client = channel.client
            now = time.time()
            for tag, delivered in client.zrange(channel.unacked_index_key, 0, -1, withscores=True):
                raw = client.hget(channel.unacked_key, tag)
                if raw is None or now - delivered < min_age:
                    continue
                message = json.loads(raw)[0]
                task_id = (message.get("headers") or {}).get("id")
                if task_id in held:
                    continue
                channel.qos.restore_by_tag(tag, leftmost=True)
                requeued.append(task_id)
        return requeued

    def _spawn(self, name: str, cmd: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.root / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=self.root,
            start_new_session=True,  # its own process group: stopped as a whole
        )
        log.close()

    def _start_redis(self, deadline: float) -> None:
        import redis

        data = self.root / "redis"
        data.mkdir(exist_ok=True)
        cmd = [redis_server(), "--port", str(self.port), "--bind", "127.0.0.1"]
        cmd += ["--save", "", "--appendonly", "no", "--dir", str(data), "--daemonize", "no"]
        self._spawn("redis", cmd)
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
        while True:
            self._check_alive()
            with contextlib.suppress(redis.exceptions.ConnectionError):
                if client.ping():
                    return
            if time.monotonic() > deadline:
                raise ClusterError(f"redis-server did not answer on port {self.port}")
            time.sleep(0.1)

    def _start_workers(self, deadline: float) -> None:
        config = self.root / "celery.yaml"
        config.write_text(worker_config_yaml(self.broker, self.backend), encoding="utf-8")
        env = {**os.environ, **self.env, **self.client_env()}
        # `dagster-celery worker start` runs `celery` from PATH: this venv's.
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        for name in self.worker_names():
            cmd = [_bin("dagster-celery"), "worker", "start", "-A", "dagster_celery.app"]
            cmd += ["-y", str(config), "-n", name, "-l", "INFO"]
            # The definitions are imported once by the worker, before it forks its pool process.
            cmd += ["-i", "orchestration.definitions", "--"]
            cmd += ["--concurrency=1", "--without-gossip", "--without-mingle"]
            self._spawn(name, cmd, env)
        self._wait_for_workers(deadline)

    def celery_app(self):
        from celery import Celery

        return Celery("newsledger-cluster", broker=self.broker, backend=self.backend)

    def _wait_for_workers(self, deadline: float) -> None:
        app = self.celery_app()
        want = set(self.worker_names())
        seen: set[str] = set()
        while True:
            self._check_alive()
            replies = app.control.ping(timeout=1.0) or []
            seen = {name.split("@")[0] for reply in replies for name in reply}
            if want <= seen:
                return
            if time.monotonic() > deadline:
                raise ClusterError(
                    f"workers {', '.join(sorted(want - seen))} did not answer in time "
                    f"(logs in {self.root})"
                )

    def _check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                tail = (self.root / f"{name}.log").read_text(errors="replace")[-2000:]
                raise ClusterError(f"{name} exited with {proc.returncode}:\n{tail}")

    def pids(self) -> dict[str, list[int]]:
        """Process name -> every pid of its process group (the worker and its pool process)."""
        return {
            name: sorted(member.pid for member in group_members(proc.pid))
            for name, proc in self.procs.items()
        }

    def stop(self) -> None:
        """Workers first (a warm shutdown returns unfinished tasks), then the broker."""
        self._stopping.set()
        if self._watch is not None:
            self._watch.join(10)
        for name in [n for n in self.procs if n != "redis"] + ["redis"]:
            proc = self.procs.get(name)
            if proc is not None:
                stop_group(proc)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


RUN_STOP_TIMEOUT_S = 30.0  # the run's process, after SIGINT, before SIGKILL


def _raise_interrupt(signum, _frame):
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.cluster", description=__doc__)
    parser.add_argument("--input", help="folder of raw article files (default: seeds/)")
    parser.add_argument("--warehouse", help="output folder (default: warehouse/)")
    parser.add_argument("--workers", type=int, default=2, help="Celery workers (default 2)")
    parser.add_argument(
        "--root", help="folder for the broker's and workers' logs (default: <warehouse>/cluster)"
    )
    args = parser.parse_args(argv)
    # Ctrl-C and SIGTERM: the run is interrupted (and marked failed), the cluster stopped, exit 130.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, _raise_interrupt)
    from orchestration.cli import _set_locations
    from orchestration.prepare import ensure_manifest

    if not os.environ.get("DAGSTER_HOME"):
        print("error: DAGSTER_HOME must name the instance the workers share", file=sys.stderr)
        return 2
    input_dir, warehouse = _set_locations(args)  # exported: the workers inherit them
    ensure_manifest()  # the workers import the definitions, which read the dbt manifest
    root = Path(args.root or warehouse / "cluster").resolve()
    started = time.monotonic()
    cluster = Cluster(root, n_workers=args.workers)
    run = None
    try:
        cluster.start()
        up = time.monotonic() - started
        pids = cluster.pids()
        print(f"cluster up in {up:.1f} s: redis {cluster.broker} (pid {pids['redis'][0]})")
        for name in cluster.worker_names():
            print(f"  worker {name}: pids {', '.join(map(str, sorted(pids[name])))}")
        print(f"  logs in {root}", flush=True)
        # The run's own process (`newsledger run --executor celery`), in a group of its own: on
        # Ctrl-C / SIGTERM this launcher interrupts it (Dagster revokes the tasks and marks the
        # run failed), then stops the cluster.
        cmd = [sys.executable, "-m", "orchestration.cli", "run", "--executor", "celery"]
        cmd += ["--input", str(input_dir), "--warehouse", str(warehouse)]
        run = subprocess.Popen(
            cmd, env={**os.environ, **cluster.client_env()}, start_new_session=True
        )
        code = run.wait()
    except KeyboardInterrupt as stop:
        print(f"{stop}: stopping the run and the cluster", file=sys.stderr, flush=True)
        code = 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip the stop
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if run is not None and run.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                run.send_signal(signal.SIGINT)
            try:
                run.wait(RUN_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                stop_group(run)
        cluster.stop()
    if code == 130:
        import dagster as dg

        from orchestration.recovery import release_dead_runs

        with dg.DagsterInstance.get() as instance:
            release_dead_runs(instance)  # a run whose process had to be killed: marked failed
    print(f"cluster stopped; {time.monotonic() - started:.1f} s in all")
    return code


if __name__ == "__main__":
    sys.exit(main())
