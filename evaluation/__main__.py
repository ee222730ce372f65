"""Print every evaluation section as one table: `uv run python -m evaluation [SECTION ...]`."""

from __future__ import annotations

import importlib
import sys

from evaluation.common import SHARED_DATA, ErrorTable, Row, fmt

# Section modules in print order; each exposes report() -> list[Row].
SECTIONS = [
    "entities", "actors", "claims", "releases", "events", "event_confidence", "interactions",
    "pledges", "dates", "places", "uncertainty",
]  # fmt: skip


def main(argv: list[str]) -> int:
    wanted = argv or SECTIONS
    if not SHARED_DATA.exists():
        print(f"gold data not found at {SHARED_DATA}; set NEWSLEDGER_SHARED_DATA", file=sys.stderr)
        return 2
    rows: list[Row] = []
    tables: list[ErrorTable] = []
    for name in wanted:
        try:
            module = importlib.import_module(f"evaluation.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"evaluation.{name}":
                raise
            continue  # section not built yet
        for item in module.report():
            (tables if isinstance(item, ErrorTable) else rows).append(item)
    header = (
        f"{'section':<9} {'dataset':<44} {'field':<26} "
        f"{'P':>6} {'R':>6} {'F1':>6} {'acc':>6}  target"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.section:<9} {r.dataset:<44} {r.field:<26} {fmt(r.precision)} {fmt(r.recall)} "
            f"{fmt(r.f1)} {fmt(r.value)}  {r.target} {r.note}"
        )
    if tables:
        print("\nThe 20 most frequent error kinds per field (held-out split unless labelled)")
        for table in tables:
            print()
            print("\n".join(table.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
