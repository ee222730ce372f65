"""Superset (set up by `make bi` in .bi/) reads the published warehouse: a real server on
127.0.0.1, a real login, a SQL Lab query through the REST API, numbers compared with DuckDB.

The server is started with setsid and stopped by signalling its process group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import duckdb
import pytest
import requests

from tests.conftest import REPO

pytestmark = pytest.mark.slow

BI_HOME = Path(os.environ.get("NEWSLEDGER_BI_HOME", REPO / ".bi"))
SUPERSET = BI_HOME / "venv" / "bin" / "superset"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_superset(bi_home: Path, log: Path):
    """bi/superset/run.sh on a free port with NEWSLEDGER_BI_HOME=bi_home; yields its base url."""
    port = free_port()
    started = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(REPO / "bi" / "superset" / "run.sh")],
            env={**os.environ, "PORT": str(port), "NEWSLEDGER_BI_HOME": str(bi_home)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # setsid: its own process group, stopped as a whole below
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Superset did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        print(f"\nSuperset answered after {time.monotonic() - started:.1f} s on {base}")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def superset(tmp_path_factory):
    if not SUPERSET.exists():
        pytest.skip(f"Superset is not set up in {BI_HOME}: run `make bi` (CI does)")
    log = tmp_path_factory.mktemp("superset") / "server.log"
    with running_superset(BI_HOME, log) as base:
        yield base


def api_session(base: str, bi_home: Path) -> requests.Session:
    """A requests session logged in as admin (JWT) with the CSRF token set."""
    session = requests.Session()
    password = (bi_home / "admin_password").read_text().strip()
    login = session.post(
        f"{base}/api/v1/security/login",
        json={"username": "admin", "password": password, "provider": "db", "refresh": True},
        timeout=30,
    )
    assert login.status_code == 200, login.text
    session.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    csrf = session.get(f"{base}/api/v1/security/csrf_token/", timeout=30)
    assert csrf.status_code == 200, csrf.text
    session.headers.update({"X-CSRFToken": csrf.json()["result"], "Referer": base})
    return session


@pytest.fixture(scope="module")
def api(superset):
    return superset, api_session(superset, BI_HOME)


def sqllab(
    base: str, session: requests.Session, database_id: int, sql: str, limit: int = 1000
) -> list[dict]:
    # Superset 6.1 replaces the query's own LIMIT by the SQL Lab row limit (queryLimit, the UI's
    # "limit" menu): `... limit 5` ran as `LIMIT 100001` without it. Pass the limit explicitly.
    res = session.post(
        f"{base}/api/v1/sqllab/execute/",
        json={
            "database_id": database_id,
            "sql": sql,
            "runAsync": False,
            "schema": "main",
            "queryLimit": limit,
        },
        timeout=60,
    )
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["status"] == "success", body
    return body["data"]


def test_superset_queries_the_published_warehouse(api, seeds_warehouse):
    base, session = api
    warehouse, _ = seeds_warehouse
    db_path = (warehouse / "analytics.duckdb").resolve()
    created = session.post(
        f"{base}/api/v1/database/",
        json={
            "database_name": f"newsledger-test-{uuid.uuid4().hex[:8]}",
            "sqlalchemy_uri": f"duckdb:///{db_path}",
            "expose_in_sqllab": True,
            "extra": '{"engine_params": {"connect_args": {"read_only": true}}}',
        },
        timeout=60,
    )
    assert created.status_code == 201, created.text
    database_id = created.json()["id"]
    try:
        started = time.monotonic()
        rows = sqllab(
            base,
            session,
            database_id,
            "select canonical_name, sum(n_mentions) as n from mart_actor_mentions "
            "group by 1 order by 2 desc, 1 limit 5",
            limit=5,
        )
        elapsed = time.monotonic() - started
        with duckdb.connect(str(db_path), read_only=True) as con:
            expected = con.execute(
                "select canonical_name, sum(n_mentions) as n from mart_actor_mentions "
                "group by 1 order by 2 desc, 1 limit 5"
            ).fetchall()
        assert [(r["canonical_name"], r["n"]) for r in rows] == [(a, int(b)) for a, b in expected]
        assert rows[0]["n"] > 0
        n_articles = sqllab(base, session, database_id, "select count(*) as n from dim_articles")
        assert n_articles == [{"n": 41}]
        print(f"SQL Lab answered in {elapsed:.2f} s: {rows[:3]}")
        # writes are refused (Superset's allow_dml is off for the database)
        denied = session.post(
            f"{base}/api/v1/sqllab/execute/",
            json={
                "database_id": database_id,
                "sql": "create table x as select 1",
                "schema": "main",
            },
            timeout=60,
        )
        assert denied.status_code != 200 or denied.json().get("status") != "success"
    finally:
        session.delete(f"{base}/api/v1/database/{database_id}", timeout=30)
