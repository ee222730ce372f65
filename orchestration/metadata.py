"""Asset metadata helpers: row counts and a small markdown preview shown in the Dagster UI."""

from __future__ import annotations

import dagster as dg
import polars as pl


def preview_md(frame: pl.DataFrame, n: int = 5, max_chars: int = 60) -> str:
    if frame.is_empty():
        return "_no rows_"
    cols = [c for c in frame.columns if c != "text"][:8]
    head = frame.select(cols).head(n)

    def cell(v: object) -> str:
        s = "" if v is None else str(v).replace("|", "\\|").replace("\n", " ")
        return s if len(s) <= max_chars else s[: max_chars - 1] + "…"

    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in head.iter_rows()]
    return "\n".join(lines)


def table_metadata(frame: pl.DataFrame, **extra: object) -> dict[str, object]:
    return {
        "dagster/row_count": dg.MetadataValue.int(frame.height),
        "preview": dg.MetadataValue.md(preview_md(frame)),
        **extra,
    }
