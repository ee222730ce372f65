"""Superset metadata set-up in ONE process inside .bi/venv (each `superset` command re-imports
the whole app, ~10 s on a busy machine; four of them cost most of the set-up time).

    python bi/superset/manage.py setup NAME /abs/path/analytics.duckdb
        = superset db upgrade + fab create-admin + superset init + add the database read-only
    python bi/superset/manage.py add-database NAME /abs/path/analytics.duckdb

The admin password is read from $NEWSLEDGER_BI_HOME/admin_password (setup.sh generates it).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

READ_ONLY_EXTRA = {"engine_params": {"connect_args": {"read_only": True}}}


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
    print(
        f"metadata: upgrade {t1 - t0:.1f} s, init {t2 - t1:.1f} s, admin + database "
        f"{time.monotonic() - t2:.1f} s"
    )


def main(argv: list[str]) -> int:
    from superset.app import create_app

    if len(argv) != 3 or argv[0] not in ("setup", "add-database"):
        print(__doc__, file=sys.stderr)
        return 2
    app = create_app()
    with app.app_context():
        if argv[0] == "setup":
            setup(argv[1], argv[2])
        else:
            add_database(argv[1], argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
