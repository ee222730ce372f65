"""The Superset dashboard of bi/superset/dashboard/ on the seeds warehouse: imported twice (an
edited copy, then the bundle: the second import updates, never duplicates) and exported back, its
charts' data compared with DuckDB, and the dashboard opened in headless Chromium (Playwright
driving Debian's /usr/bin/chromium), every chart drawn, a screenshot kept at
test-artifacts/superset_dashboard.png.

It runs on a copy of the metadata of `make bi` (.bi/superset.db, secret key, admin password; the
venv is linked, not copied), so the dashboard of .bi/ keeps pointing at the user's warehouse.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.conftest import REPO
from tests.test_superset import BI_HOME, SUPERSET, api_session, running_superset

pytestmark = pytest.mark.slow

BUNDLE = REPO / "bi" / "superset" / "dashboard"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"
SHOT = ARTIFACTS / "superset_dashboard.png"


def bundle(folder: str) -> dict[str, dict]:
    return {
        f.stem: yaml.safe_load(f.read_text()) for f in sorted((BUNDLE / folder).rglob("*.yaml"))
    }


CHARTS = bundle("charts")
DASHBOARD = bundle("dashboards")["newsledger"]


def manage(bi_home: Path, *args: str, bundle: Path = BUNDLE) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(bi_home / "venv" / "bin" / "python"), str(REPO / "bi/superset/manage.py"), *args],
        env={
            **os.environ,
            "NEWSLEDGER_BI_HOME": str(bi_home),
            "NEWSLEDGER_SUPERSET_BUNDLE": str(bundle),
            "SUPERSET_CONFIG_PATH": str(REPO / "bi/superset/superset_config.py"),
            "FLASK_APP": "superset",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


def metadata(bi_home: Path) -> dict[str, list]:
    with sqlite3.connect(bi_home / "superset.db") as con:
        return {
            table: con.execute(f"select {cols} from {table} order by 1").fetchall()
            for table, cols in {
                "dashboards": "id, slug",
                "slices": "id, slice_name, params",
                "tables": "id, table_name",
                "dbs": "id, database_name, sqlalchemy_uri",
                "dashboard_slices": "dashboard_id, slice_id",
            }.items()
        }


def ids(state: dict[str, list]) -> dict[str, list]:
    return {
        table: [row[:1] if len(row) > 2 else row for row in rows] for table, rows in state.items()
    }


@pytest.fixture(scope="module")
def dashboard_home(tmp_path_factory, seeds_warehouse):
    """A copy of .bi's metadata with the dashboard imported against the seeds warehouse: first an
    edited copy of the bundle against another path, then the bundle itself (an update)."""
    if not SUPERSET.exists():
        pytest.skip(f"Superset is not set up in {BI_HOME}: run `make bi` (CI does)")
    warehouse, _ = seeds_warehouse
    db_path = (warehouse / "analytics.duckdb").resolve()
    tmp = tmp_path_factory.mktemp("superset_dashboard_import")
    home = tmp / "bi_home"
    home.mkdir()
    (home / "venv").symlink_to(BI_HOME / "venv")
    (home / "data").mkdir()
    for name in ("secret_key", "admin_password"):
        shutil.copy(BI_HOME / name, home / name)
    with (
        sqlite3.connect(BI_HOME / "superset.db") as src,
        sqlite3.connect(home / "superset.db") as dst,
    ):
        src.backup(dst)  # consistent even with the WAL of a running server
    # an older version of the dashboard: one chart renamed and drawn vertically
    old = tmp / "old_bundle"
    shutil.copytree(BUNDLE, old)
    chart = old / "charts" / "claims_by_stance.yaml"
    config = yaml.safe_load(chart.read_text())
    config["slice_name"] += " (old)"
    config["params"]["orientation"] = "vertical"
    chart.write_text(yaml.safe_dump(config, sort_keys=False))

    timings = []
    for bundle, path in ((old, tmp / "elsewhere" / "analytics.duckdb"), (BUNDLE, db_path)):
        started = time.monotonic()
        run = manage(home, "import-dashboard", "newsledger", str(path), bundle=bundle)
        timings.append(time.monotonic() - started)
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
        assert f"{len(CHARTS)} charts on 5 datasets" in run.stdout, run.stdout
        if bundle == old:
            before = metadata(home)
            assert "Claims by stance (old)" in [name for _, name, _ in before["slices"]]
    after = metadata(home)
    assert ids(after) == ids(before), "the second import added or removed objects"
    started = time.monotonic()
    exported = tmp / "export"
    run = manage(home, "export-dashboard", str(exported))
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    print(
        f"\nimport-dashboard: {timings[0]:.1f} s, update {timings[1]:.1f} s; "
        f"export-dashboard {time.monotonic() - started:.1f} s"
    )
    return home, db_path, after, exported


def test_the_import_updates_in_place_and_points_at_the_given_warehouse(dashboard_home):
    _, db_path, state, _ = dashboard_home
    assert [slug for _, slug in state["dashboards"]].count("newsledger") == 1
    slices = {name: json.loads(params) for _, name, params in state["slices"]}
    for chart in CHARTS.values():
        assert list(slices).count(chart["slice_name"]) == 1
    # the edited copy's chart is back to the bundle's name and parameters
    assert "Claims by stance (old)" not in slices
    assert slices["Claims by stance"]["orientation"] == "horizontal"
    dbs = [row for row in state["dbs"] if row[1] == "newsledger"]
    assert dbs == [(dbs[0][0], "newsledger", f"duckdb:///{db_path}")]


def test_the_export_gives_back_the_bundle(dashboard_home):
    """manage.py export-dashboard (the way back from UI edits) writes the bundle's files under
    their names, and every chart parameter and dataset metric survived the import."""
    _, _, _, exported = dashboard_home
    files = {str(f.relative_to(exported)) for f in exported.rglob("*.yaml")}
    assert files == {str(f.relative_to(BUNDLE)) for f in BUNDLE.rglob("*.yaml")} - {"metadata.yaml"}
    for key, chart in CHARTS.items():
        back = yaml.safe_load((exported / "charts" / f"{key}.yaml").read_text())
        assert back["uuid"] == chart["uuid"] and back["slice_name"] == chart["slice_name"]
        # Superset adds the dataset's id and an empty annotation list; nothing else differs
        assert {k: v for k, v in back["params"].items() if k in chart["params"]} == chart["params"]
        assert set(back["params"]) - set(chart["params"]) <= {"datasource", "annotation_layers"}
    for key, dataset in bundle("datasets").items():
        back = yaml.safe_load((exported / "datasets" / "newsledger" / f"{key}.yaml").read_text())
        assert {m["metric_name"]: m["expression"] for m in back["metrics"]} == {
            m["metric_name"]: m["expression"] for m in dataset["metrics"]
        }
        assert {c["column_name"] for c in back["columns"]} == {
            c["column_name"] for c in dataset["columns"]
        }
    database = yaml.safe_load((exported / "databases" / "newsledger.yaml").read_text())
    assert database["sqlalchemy_uri"] == "duckdb:///@WAREHOUSE@"
    assert database["extra"]["engine_params"] == {"connect_args": {"read_only": True}}


@pytest.fixture(scope="module")
def server(dashboard_home, tmp_path_factory):
    home, db_path, _, _ = dashboard_home
    log = tmp_path_factory.mktemp("superset_dashboard") / "server.log"
    with running_superset(home, log) as base:
        yield base, home, db_path


@pytest.fixture(scope="module")
def dashboard_charts(server):
    base, home, _ = server
    session = api_session(base, home)
    res = session.get(f"{base}/api/v1/dashboard/newsledger/charts", timeout=60)
    assert res.status_code == 200, res.text
    charts = {c["slice_name"]: c["id"] for c in res.json()["result"]}
    assert set(charts) == {c["slice_name"] for c in CHARTS.values()}
    return session, charts


def chart_rows(base, session, chart_id) -> list[dict]:
    res = session.get(f"{base}/api/v1/chart/{chart_id}/data/", timeout=120)
    assert res.status_code == 200, res.text[:2000]
    (result,) = res.json()["result"]
    assert result["error"] is None, result["error"]
    return result["data"]


def test_every_chart_returns_the_numbers_duckdb_computes(server, dashboard_charts):
    base, _, db_path = server
    session, charts = dashboard_charts
    data = {
        key: chart_rows(base, session, charts[chart["slice_name"]]) for key, chart in CHARTS.items()
    }
    for key, rows in data.items():
        assert rows, f"chart {key} returned no rows"
    con = duckdb.connect(str(db_path), read_only=True)

    def grouped(rows, keys, metric):
        return {tuple(r[k] for k in keys): r[metric] for r in rows}

    claims = grouped(data["claims_by_stance"], ["stance", "speaker_type"], "claims")
    expected = con.execute(
        "select stance, speaker_type, count(*) from fct_claims group by all"
    ).fetchall()
    assert claims == {(a, b): n for a, b, n in expected}
    assert sum(claims.values()) == con.execute("select count(*) from fct_claims").fetchone()[0]

    for cur in ("usd", "eur"):
        aid = grouped(data[f"aid_by_donor_and_stage_{cur}"], ["donor", "stage"], f"amount_{cur}")
        expected = con.execute(
            f"select coalesce(donor_name, donor_iso3, 'unknown donor'), stage, sum(amount_{cur}) "
            f"from fct_aid_pledges where not is_cumulative and amount_{cur} is not null "
            "group by all"
        ).fetchall()
        assert aid == pytest.approx({(d, s): v for d, s, v in expected})
        # the seeds' Germany pledge: EUR 200 million, $218 million as the article states it
        assert aid[("Germany", "pledged")] == (218e6 if cur == "usd" else 200e6)

    quad = {}
    for r in data["interactions_by_quad_class"]:
        quad[r["quad_class_label"]] = quad.get(r["quad_class_label"], 0) + r["events"]
    expected = con.execute(
        "select cast(quad_class as varchar) || ' ' || quad_class_name, sum(n_events) "
        "from mart_actor_interactions group by all"
    ).fetchall()
    assert quad == {label: int(n) for label, n in expected}

    places = grouped(data["map_of_places"], ["country_iso3"], "mentions")
    expected = con.execute(
        "select p.country_iso3, count(*) from fct_place_mentions m join dim_places p "
        "using (place_id) where p.country_iso3 is not null group by all"
    ).fetchall()
    assert places == {(iso3,): n for iso3, n in expected}

    top = con.execute(
        "select canonical_name, sum(n_mentions) as n from mart_actor_mentions "
        "group by 1 order by 2 desc"
    ).fetchall()
    # the 8 most-mentioned actors; where several tie at the 8th count, any of them may be it
    cutoff = top[7][1]
    above = {name for name, n in top if n > cutoff}
    tied = {name for name, n in top if n == cutoff}
    actors = data["actor_mentions_over_time"]
    shown = {r["canonical_name"] for r in actors}
    assert len(shown) == 8 and above <= shown <= above | tied, (shown, above, tied)
    assert sum(r["mentions"] for r in actors) == sum(n for _, n in top[:8])
    con.close()


# Each chart's drawing, read from the page: the ECharts canvas as a PNG data URL (an empty canvas
# of the same size gives the baseline), the world map's country shapes and bubbles.
CHART_STATE = """() => [...document.querySelectorAll('[data-test-chart-name]')].map(holder => {
  const canvas = holder.querySelector('[data-test=chart-container] canvas');
  let drawn = 0, blank = 0;
  if (canvas) {
    drawn = canvas.toDataURL().length;
    const empty = document.createElement('canvas');
    empty.width = canvas.width; empty.height = canvas.height;
    blank = empty.toDataURL().length;
  }
  const map = holder.querySelector('svg.datamap');
  // countries coloured by their mentions: every fill but the most common one (no data, grey)
  const fills = {};
  if (map) map.querySelectorAll('path.datamaps-subunit')
      .forEach(p => { fills[p.style.fill] = (fills[p.style.fill] || 0) + 1; });
  const counts = Object.values(fills);
  const filled = counts.length ? counts.reduce((a, b) => a + b) - Math.max(...counts) : 0;
  return {
    name: holder.getAttribute('data-test-chart-name'),
    canvas: drawn, blank: blank,
    countries: map ? map.querySelectorAll('path.datamaps-subunit').length : 0,
    bubbles: map ? map.querySelectorAll('circle.datamaps-bubble').length : 0,
    filled: filled,
    loading: holder.querySelectorAll('[data-test=loading-indicator], .loading').length,
    error: [...holder.querySelectorAll('[role=alert], .alert-danger, [data-test=error-tooltip]')]
        .map(e => e.innerText).join(' | '),
  };
})"""


def test_the_dashboard_renders_every_chart_in_chromium(server, capsys):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed: run `make browser` (apt-get install chromium)")
    base, home, db_path = server
    password = (home / "admin_password").read_text().strip()
    answers: list[tuple[str, int, dict | None]] = []

    def on_response(response):
        if "/api/v1/chart/data" in response.url or "/superset/explore_json/" in response.url:
            try:
                body = response.json()
            except Exception:  # noqa: BLE001 - kept as None, asserted below
                body = None
            answers.append((response.url, response.status, body))

    started = time.monotonic()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1660})
            # offline: anything not served by this Superset (its telemetry pixel) is refused
            context.route(lambda url: not url.startswith(base), lambda route: route.abort())
            page = context.new_page()
            page.on("response", on_response)
            page.goto(f"{base}/login/")
            page.fill("#username", "admin")
            page.fill("#password", password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/login" not in url, timeout=60_000)
            logged_in = time.monotonic()
            page.goto(f"{base}/superset/dashboard/newsledger/")
            page.wait_for_selector("[data-test-chart-name]", timeout=60_000)
            # every chart drawn: a canvas with more than an empty one's bytes, or the map's
            # bubbles; then the same state twice in a row (ECharts animates for about 1 s)
            deadline = time.monotonic() + 120
            previous = None
            while True:
                state = page.evaluate(CHART_STATE)
                done = len(state) == len(CHARTS) and all(
                    s["canvas"] > s["blank"] + 2000 or s["bubbles"] > 0 for s in state
                )
                if (done and state == previous) or any(s["error"] for s in state):
                    break
                if time.monotonic() > deadline:
                    pytest.fail(f"the charts did not finish drawing: {state}")
                previous = state
                page.wait_for_timeout(1000)
            rendered = time.monotonic()
            ARTIFACTS.mkdir(exist_ok=True)
            SHOT.unlink(missing_ok=True)
            page.screenshot(path=str(SHOT))
            title = page.locator("[data-test=dashboard-header-container]").inner_text()
        finally:
            browser.close()

    by_name = {s["name"]: s for s in state}
    assert set(by_name) == {c["slice_name"] for c in CHARTS.values()}
    errors = {s["name"]: s["error"] for s in state if s["error"]}
    assert not errors, f"charts showing an error: {errors}"
    for s in state:
        assert s["loading"] == 0, s
    assert "newsledger" in title
    # what the browser fetched: one answer per chart, each with rows
    assert len(answers) == len(CHARTS), [(u, s) for u, s, _ in answers]
    rows_by_answer = []
    for url, status, body in answers:
        assert status == 200, (url, body)
        if "explore_json" in url:  # the world map (a legacy chart): one row per country
            rows = body["data"]
            map_rows = rows
        else:
            (result,) = body["result"]
            assert result["error"] is None, result
            rows = result["data"]
        assert rows, url
        rows_by_answer.append(len(rows))
    # the map drew one bubble per country it knows (unknown codes come back as 'XXX'), and
    # coloured those countries
    known = [r for r in map_rows if r["country"] != "XXX"]
    with duckdb.connect(str(db_path), read_only=True) as con:
        n_countries = con.execute(
            "select count(distinct p.country_iso3) from fct_place_mentions m "
            "join dim_places p using (place_id) where p.country_iso3 is not null"
        ).fetchone()[0]
    assert len(map_rows) == n_countries
    world = by_name["Places mentioned, by country"]
    assert world["countries"] > 150
    assert world["bubbles"] == len(known) > 20
    # coloured countries: those with a shape at this scale (small states get only a bubble)
    assert len(known) - 10 <= world["filled"] <= len(known)

    data = SHOT.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # measured: the dashboard with its cards but no chart drawn is 47 kB, drawn 167 kB
    assert len(data) > 100_000, f"screenshot suspiciously small ({len(data)} bytes)"
    with capsys.disabled():
        print(
            f"\nSuperset dashboard in Chromium: login {logged_in - started:.1f} s, all "
            f"{len(state)} charts drawn {rendered - logged_in:.1f} s later; rows per chart "
            f"{rows_by_answer}; screenshot {SHOT} ({len(data):,} bytes)"
        )
