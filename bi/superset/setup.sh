#!/usr/bin/env bash
# Superset for the published warehouse, in .bi/ (gitignored): venv, metadata DB, admin user, the
# warehouse added read-only and the dashboard of bi/superset/dashboard/ imported.
# Usage: bi/superset/setup.sh [PATH/TO/analytics.duckdb]
# Idempotent: a second run reuses the venv and updates the database entry and the dashboard
# (matched by the uuids of its YAML files, never duplicated).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BI_HOME="${NEWSLEDGER_BI_HOME:-$ROOT/.bi}"
DB="$(realpath -m "${1:-$ROOT/warehouse/analytics.duckdb}")"
UV="${UV:-uv}"
export NEWSLEDGER_BI_HOME="$BI_HOME"
export SUPERSET_CONFIG_PATH="$ROOT/bi/superset/superset_config.py"
export FLASK_APP=superset
mkdir -p "$BI_HOME/data"
t0=$(date +%s)
if [ ! -x "$BI_HOME/venv/bin/superset" ]; then
  "$UV" venv --quiet --python 3.11 "$BI_HOME/venv"
  "$UV" pip install --quiet --python "$BI_HOME/venv/bin/python" -r "$ROOT/bi/superset/requirements.txt"
fi
t1=$(date +%s)
[ -s "$BI_HOME/secret_key" ] || "$BI_HOME/venv/bin/python" -c "import secrets; print(secrets.token_urlsafe(42))" > "$BI_HOME/secret_key"
[ -s "$BI_HOME/admin_password" ] || "$BI_HOME/venv/bin/python" -c "import secrets; print(secrets.token_urlsafe(12))" > "$BI_HOME/admin_password"
chmod 600 "$BI_HOME/secret_key" "$BI_HOME/admin_password"
# db upgrade + init + admin + database in one process (see manage.py); its log in setup.log
"$BI_HOME/venv/bin/python" "$ROOT/bi/superset/manage.py" setup newsledger "$DB" \
  >"$BI_HOME/setup.log" 2>&1 || { tail -30 "$BI_HOME/setup.log"; exit 1; }
grep -E "^(metadata|database|dashboard)" "$BI_HOME/setup.log"
t2=$(date +%s)
echo "superset ready in $((t2 - t0)) s (install $((t1 - t0)) s, metadata and admin $((t2 - t1)) s)"
echo "  database 'newsledger' -> $DB (read-only)"
echo "  dashboard 'newsledger' (bi/superset/dashboard/): /superset/dashboard/newsledger/"
echo "  start it: make bi-up   (http://127.0.0.1:8088, user admin, password in $BI_HOME/admin_password)"
