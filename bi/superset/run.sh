#!/usr/bin/env bash
# Start the Superset set up by `make bi` on 127.0.0.1 (PORT, default 8088), in the foreground.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export NEWSLEDGER_BI_HOME="${NEWSLEDGER_BI_HOME:-$ROOT/.bi}"
export SUPERSET_CONFIG_PATH="$ROOT/bi/superset/superset_config.py"
export FLASK_APP=superset
if [ ! -x "$NEWSLEDGER_BI_HOME/venv/bin/superset" ]; then
  echo "Superset is not set up: run \`make bi\` first" >&2
  exit 2
fi
exec "$NEWSLEDGER_BI_HOME/venv/bin/superset" run -h 127.0.0.1 -p "${PORT:-8088}" --with-threads --no-reload --no-debugger
