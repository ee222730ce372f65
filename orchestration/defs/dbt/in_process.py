"""dbt run inside the calling process (`dbtRunner`), behind dagster-dbt's usual event stream.

dagster-dbt runs `dbt build` as a subprocess and turns the JSON log lines it prints into Dagster
events. A subprocess pays Python's start-up and dbt's imports (dbt-core, the DuckDB adapter,
agate...) on every build, ~2-4 s on this 2-core machine; the process that runs the dbt asset has
already imported dbt-core (dagster-dbt imports it). `InProcessDbt` stands in for the
`subprocess.Popen` that `DbtCliInvocation` reads: it runs the same command line with dbt's
`dbtRunner` in a thread of this process and writes every event (info level and above, as the
CLI prints them with `--log-format json`) as one JSON line to a pipe that dagster-dbt reads as
the process's stdout. The rest (asset materializations, asset check results, errors) is
dagster-dbt's own code, unchanged.

After the build, dbt-duckdb's process-wide DuckDB instance is closed: left open, it would keep
the private database file open read-write in this process, and the publish step (in the same
process under `newsledger run`) could not open it read-only.

NEWSLEDGER_DBT_SUBPROCESS=1 runs dbt as a subprocess again (dagster-dbt's default); a full
build of a large local lake always does (`runs_in_process`).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from orchestration.settings import dbt_in_process_allowed
from transforms.long_lived import is_long_lived

IN_PROCESS_ENV_FLAGS = {
    # environment variables dagster-dbt passes to the dbt subprocess -> the same command-line flag
    "DBT_TARGET_PATH": "--target-path",
    "DBT_LOG_PATH": "--log-path",
    "DBT_PROFILES_DIR": "--profiles-dir",
    "DBT_PROJECT_DIR": "--project-dir",
}
_ONE_AT_A_TIME = threading.Lock()  # dbt's event manager and flags are process-wide


# A full build of a lake under this size runs in the calling process too (`runs_in_process`).
# Measured 2026-12-04/05: a 2,000-article lake is 13 MB of Parquet, a 20,000-article one ~130 MB;
# the dbt subprocess costs ~2 s of CPU and wall time to start (Python, dbt's imports, parse), a
# twentieth of the dbt step at 2,000 articles; its memory only matters on the large lake.
IN_PROCESS_FULL_BUILD_MAX_BYTES = 48 * 1024 * 1024


def runs_in_process(
    args: Sequence[str], lake_is_local: bool, lake_bytes: int | None = None
) -> bool:
    """Whether this build runs in this process: an incremental build (a rerun: what changed) does,
    saving dbt's start-up; so does a full build (`--full-refresh`: a new warehouse or changed dbt
    code) of a small local lake (`lake_bytes` under IN_PROCESS_FULL_BUILD_MAX_BYTES). A full build
    of a larger local lake (or of unknown size) runs as a subprocess, so that DuckDB's working
    memory (up to its 500 MB limit plus dbt's own) goes with the process instead of adding to what
    the run's main process holds. Measured at 20,000 articles (2026-12-04): the main process
    peaked at 1,403 MB with the full build in it (671 MB before dbt), against ~700 MB for a dbt
    subprocess. A lake outside the filesystem (memory://) is readable only from this process:
    always in-process then."""
    if not dbt_in_process_allowed():
        return False
    if "--full-refresh" not in args or not lake_is_local:
        return True
    return lake_bytes is not None and lake_bytes < IN_PROCESS_FULL_BUILD_MAX_BYTES


def stays_warm() -> bool:
    """Whether a run of this process whose dbt step has nothing to build should parse the dbt
    project instead, with the flags, environment and target folder of a build: in a process that
    builds again later (`transforms.long_lived`), in-process. What that parse leaves warm (dbt's
    profile, project and parser, the adapter, a partial-parse file written by this very process) is
    what the process's first build would otherwise pay. Measured 2026-12-05 on a 2,000-article
    warehouse, +20 articles, the process's first build after the macro warm-up (`warm_up`):
    6.0-7.1 s without the parse, 4.4-5.3 s after it, as fast as a second build (4.2-5.2 s). A
    parse into another target folder gained nothing (6.1-6.9 s)."""
    return is_long_lived() and dbt_in_process_allowed()


def dbt_args(args: Sequence[str], env: dict[str, str], cwd: Path) -> list[str]:
    """The arguments of `dbt <args>` (without the executable) with the locations dagster-dbt sets
    by environment variable given as flags, relative paths made absolute against `cwd`."""
    flags = list(args)
    for variable, flag in IN_PROCESS_ENV_FLAGS.items():
        if variable in env and flag not in flags:
            value = Path(env[variable])
            flags += [flag, str(value if value.is_absolute() else cwd / value)]
    if "--log-format" not in flags:
        flags += ["--log-format", "json"]
    # dbt's own terminal output is off: its events reach dagster-dbt through the pipe
    return [*flags, "--log-level", "none", "--no-send-anonymous-usage-stats"]


class InProcessDbt:
    """A `subprocess.Popen` look-alike (args, stdout, wait, returncode, send_signal) running
    `dbt` with `dbtRunner` in a thread of this process."""

    def __init__(self, args: Sequence[str], env: dict[str, str], cwd: str | Path):
        self.args = list(args)
        self.returncode: int | None = None
        read, write = os.pipe()
        self.stdout = os.fdopen(read, "rb")
        self._out = os.fdopen(write, "wb")
        self._out_lock = threading.Lock()  # dbt fires events from its worker threads
        self._argv = dbt_args(self.args[1:], env, Path(cwd))
        self._thread = threading.Thread(target=self._run, name="dbt-in-process", daemon=True)
        self._thread.start()

    def _emit(self, event: dict) -> None:
        line = json.dumps(event, default=str).encode() + b"\n"
        with self._out_lock:
            try:
                self._out.write(line)
                self._out.flush()
            except BrokenPipeError:  # the reader has gone (an interrupted step): nobody to tell
                pass

    def _on_event(self, msg) -> None:
        from dbt_common.events.functions import msg_to_dict

        if msg.info.level == "debug":
            return  # the CLI prints info and above
        self._emit(msg_to_dict(msg))

    def _run(self) -> None:
        try:
            with _ONE_AT_A_TIME:
                from dbt.cli.main import dbtRunner

                try:
                    result = dbtRunner(callbacks=[self._on_event]).invoke(self._argv)
                finally:
                    close_dbt_duckdb()
            if result.exception is not None:
                self._emit(_error_event(f"dbt failed: {result.exception}"))
            self.returncode = 0 if result.success else (2 if result.exception else 1)
        except BaseException as err:  # noqa: BLE001 - reported as the build's error
            self._emit(_error_event(f"dbt failed in-process: {err!r}"))
            self.returncode = 2
        finally:
            with contextlib.suppress(BrokenPipeError):
                self._out.close()

    def wait(self, timeout: float | None = None) -> int:
        self._thread.join(timeout)
        if self._thread.is_alive():
            from subprocess import TimeoutExpired  # as Popen.wait raises (no process started)

            raise TimeoutExpired(self.args, timeout)
        return self.returncode

    def poll(self) -> int | None:
        return None if self._thread.is_alive() else self.returncode

    def send_signal(self, sig: int) -> None:
        """dbt cannot be interrupted inside this process: the build runs to its end (its models
        are written in transactions; the interrupted Dagster step fails and a rerun redoes it)."""


def _error_event(message: str) -> dict:
    return {
        "info": {"level": "error", "msg": message, "name": "NewsledgerInProcessError"},
        "data": {},
    }


def close_dbt_duckdb() -> None:
    """Close dbt-duckdb's process-wide DuckDB instance (it stays open after a dbt command)."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:
        return
    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        if env is not None:
            try:
                env.close()
            finally:
                DuckDBConnectionManager.close_all_connections()


def warm_up(macros: dict[str, dict]) -> int:
    """Pay now what the first in-process dbt build of this process would: import dbt's build task
    and the DuckDB adapter, and compile every macro's Jinja template (`macros`: the manifest's)
    into dbt's process-wide template cache (`dbt_common.clients.jinja.template_cache`, keyed by
    the macro's SQL, kept for the process's life). For `newsledger watch`, whose first run with
    something new would otherwise pay it: measured on a 2,000-article warehouse, +20 articles
    (2026-12-05), its dbt step took 6.1-6.2 s as the process's first dbt build against 4.6 s as a
    later one. Returns the number of templates compiled (0 when all were cached already)."""
    from types import SimpleNamespace

    import dbt.adapters.duckdb  # noqa: F401 - imported for its side effect: loaded once
    import dbt.task.build  # noqa: F401
    from dbt_common.clients.jinja import template_cache

    compiled = 0
    for macro in macros.values():
        if macro["macro_sql"] not in template_cache.file_cache:
            template_cache.get_node_template(
                SimpleNamespace(name=macro["name"], macro_sql=macro["macro_sql"])
            )
            compiled += 1
    return compiled


def in_process_invocation_class():
    """dagster-dbt's DbtCliInvocation, started on an `InProcessDbt` instead of a subprocess."""
    import shutil

    from dagster_dbt.core.dbt_cli_invocation import (
        PARTIAL_PARSE_FILE_NAME,
        DbtCliInvocation,
        _get_dbt_target_path,
    )

    class InProcessDbtCliInvocation(DbtCliInvocation):
        @classmethod
        def run(
            cls,
            args,
            env,
            manifest,
            dagster_dbt_translator,
            project_dir,
            target_path,
            raise_on_error,
            context,
            adapter,
            cli_version,
            dbt_project=None,
        ):
            # as dagster-dbt does: start from the project's partial parse when the target has none
            current = _get_dbt_target_path()
            partial = (current if current.is_absolute() else project_dir / current).joinpath(
                PARTIAL_PARSE_FILE_NAME
            )
            destination = target_path.joinpath(PARTIAL_PARSE_FILE_NAME)
            if partial.exists() and not destination.exists():
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(partial, destination)
            return cls(
                process=InProcessDbt(args, env, project_dir),
                manifest=manifest,
                project=dbt_project,
                dagster_dbt_translator=dagster_dbt_translator,
                project_dir=project_dir,
                target_path=target_path,
                raise_on_error=raise_on_error,
                context=context,
                adapter=adapter,
                cli_version=cli_version,
            )

    return InProcessDbtCliInvocation
