"""Superset metadata set-up in ONE process inside .bi/venv (each `superset` command re-imports
the whole app, ~10 s on a busy machine; four of them cost most of the set-up time).

    python bi/superset/manage.py setup NAME /abs/path/analytics.duckdb
        = superset db upgrade + fab create-admin + superset init + add the database read-only
          + import the dashboard (bi/superset/dashboard/)
    python bi/superset/manage.py add-database NAME /abs/path/analytics.duckdb
    python bi/superset/manage.py import-dashboard NAME /abs/path/analytics.duckdb
        = (re)import the dashboard bundle with its database pointing at that file; idempotent:
          every object is matched by the uuid in its YAML and overwritten, never duplicated
    python bi/superset/manage.py export-dashboard OUT_DIR
        = export the dashboard as it is now in Superset (e.g. edited in the UI) into OUT_DIR in
          the bundle's layout: each file under the name it has in bi/superset/dashboard/ (matched
          by uuid), the database's URI back to the placeholder; then diff OUT_DIR with the bundle

The admin password is read from $NEWSLEDGER_BI_HOME/admin_password (setup.sh generates it).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

READ_ONLY_EXTRA = {"engine_params": {"connect_args": {"read_only": True}}}
# Superset's own import bundle ("assets" export format); see its metadata.yaml for why.
# NEWSLEDGER_SUPERSET_BUNDLE overrides it (the test imports an edited copy to check updates).
BUNDLE = Path(
    os.environ.get("NEWSLEDGER_SUPERSET_BUNDLE", Path(__file__).resolve().parent / "dashboard")
)
BUNDLE_DATABASE = "databases/newsledger.yaml"


def add_database(name: str, path: str) -> int:
    from superset import db
    from superset.models.core import Database

    database = db.session.query(Database).filter_by(database_name=name).one_or_none()
    if database is None:
        database = Database(database_name=name)
        db.session.add(database)
    database.set_sqlalchemy_uri(f"duckdb:///{path}")
    database.extra = json.dumps(READ_ONLY_EXTRA)
    database.expose_in_sqllab = True
    database.allow_dml = False
    db.session.commit()
    print(f"database {name!r} (id {database.id}) -> {path}, read-only")
    return database.id


def bundle_contents(name: str, path: str) -> dict[str, str]:
    """The bundle's files ({relative path: YAML text}) with the database pointed at `path`."""
    import yaml

    contents = {
        str(f.relative_to(BUNDLE)): f.read_text(encoding="utf-8")
        for f in sorted(BUNDLE.rglob("*.yaml"))
    }
    database = yaml.safe_load(contents[BUNDLE_DATABASE])
    # set through YAML, not by text substitution: a path may hold ':' or '#'
    database["database_name"] = name
    database["sqlalchemy_uri"] = f"duckdb:///{path}"
    database["extra"] = {**database.get("extra", {}), **READ_ONLY_EXTRA}
    database["allow_dml"] = False
    contents[BUNDLE_DATABASE] = yaml.safe_dump(database, sort_keys=False)
    return contents


def import_dashboard(name: str, path: str) -> int:
    import uuid

    import yaml
    from superset import db, security_manager
    from superset.commands.importers.v1.assets import ImportAssetsCommand
    from superset.models.core import Database
    from superset.models.dashboard import Dashboard
    from superset.utils.core import override_user

    t0 = time.monotonic()
    contents = bundle_contents(name, path)
    bundle_uuid = uuid.UUID(yaml.safe_load(contents[BUNDLE_DATABASE])["uuid"])
    # A database of that name added before the bundle existed (older `make bi`, or add-database)
    # takes the bundle's uuid, so the import updates it instead of failing on the unique name.
    existing = db.session.query(Database).filter_by(database_name=name).one_or_none()
    if existing is not None and existing.uuid != bundle_uuid:
        clash = db.session.query(Database).filter_by(uuid=bundle_uuid).one_or_none()
        if clash is not None:  # the bundle's database under another name: keep one of them
            db.session.delete(existing)
        else:
            existing.uuid = bundle_uuid
        db.session.commit()
    admin = security_manager.find_user(username="admin")
    if admin is None:
        raise SystemExit("no Superset user 'admin': run `make bi` (manage.py setup) first")
    with override_user(admin):  # the import checks the importing user's permissions
        ImportAssetsCommand(contents).run()
    dashboard_uuid = yaml.safe_load(contents["dashboards/newsledger.yaml"])["uuid"]
    dashboard = db.session.query(Dashboard).filter_by(uuid=uuid.UUID(dashboard_uuid)).one()
    n_datasets = sum(1 for f in contents if f.startswith("datasets/"))
    print(
        f"dashboard {dashboard.dashboard_title!r} (id {dashboard.id}, /superset/dashboard/"
        f"{dashboard.slug}/): {len(dashboard.slices)} charts on {n_datasets} datasets, "
        f"database {name!r} -> {path}, imported in {time.monotonic() - t0:.1f} s"
    )
    return dashboard.id


def export_dashboard(out_dir: str) -> None:
    import uuid

    import yaml
    from superset import db, security_manager
    from superset.commands.dashboard.export import ExportDashboardsCommand
    from superset.models.dashboard import Dashboard
    from superset.utils.core import override_user

    names = {}  # uuid -> the file's path in the bundle
    for f in BUNDLE.rglob("*.yaml"):
        config = yaml.safe_load(f.read_text(encoding="utf-8"))
        if "uuid" in config:
            names[config["uuid"]] = str(f.relative_to(BUNDLE))
    dashboard_uuid = yaml.safe_load((BUNDLE / "dashboards/newsledger.yaml").read_text())["uuid"]
    dashboard = db.session.query(Dashboard).filter_by(uuid=uuid.UUID(dashboard_uuid)).one()
    out = Path(out_dir)
    with override_user(security_manager.find_user(username="admin")):
        files = [
            (name, content()) for name, content in ExportDashboardsCommand([dashboard.id]).run()
        ]
    for name, content in files:
        config = yaml.safe_load(content)
        if name.endswith("metadata.yaml"):
            continue  # the bundle's own, with its comments and `type: assets`
        if name.startswith("databases/"):
            config["sqlalchemy_uri"] = "duckdb:///@WAREHOUSE@"
        target = out / names.get(str(config.get("uuid")), name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
        print(f"exported {target}")


def setup(name: str, path: str) -> None:
    from flask_migrate import upgrade
    from superset import security_manager
    from superset.extensions import appbuilder

    t0 = time.monotonic()
    upgrade()  # superset db upgrade
    t1 = time.monotonic()
    appbuilder.add_permissions(update_perms=True)  # superset init
    security_manager.sync_role_definitions()
    t2 = time.monotonic()
    if not security_manager.find_user(username="admin"):  # superset fab create-admin
        password = (Path(os.environ["NEWSLEDGER_BI_HOME"]) / "admin_password").read_text().strip()
        user = security_manager.add_user(
            "admin",
            "news",
            "ledger",
            "admin@localhost",
            security_manager.find_role("Admin"),
            password=password,
        )
        if not user:
            raise SystemExit("could not create the Superset admin user; see .bi/setup.log")
    add_database(name, path)
    import_dashboard(name, path)
    print(
        f"metadata: upgrade {t1 - t0:.1f} s, init {t2 - t1:.1f} s, admin + database "
        f"{time.monotonic() - t2:.1f} s"
    )


COMMANDS = {  # name: (function, number of arguments)
    "setup": (setup, 2),
    "add-database": (add_database, 2),
    "import-dashboard": (import_dashboard, 2),
    "export-dashboard": (export_dashboard, 1),
}


def main(argv: list[str]) -> int:
    from superset.app import create_app

    command, n_args = COMMANDS.get(argv[0] if argv else "", (None, -1))
    if command is None or len(argv) != 1 + n_args:
        print(__doc__, file=sys.stderr)
        return 2
    app = create_app()
    with app.app_context():
        command(*argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
