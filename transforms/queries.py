"""The analyst queries of docs/queries.sql: parsed into named blocks with the tables they need."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

QUERIES_FILE = Path(__file__).resolve().parents[1] / "docs" / "queries.sql"


@dataclass(frozen=True)
class Query:
    name: str
    question: str
    needs: tuple[str, ...]
    sql: str


def load_queries(path: Path = QUERIES_FILE) -> dict[str, Query]:
    """Blocks start at `-- name: X`; `-- question:` and `-- needs: a, b` describe them."""
    text = Path(path).read_text(encoding="utf-8")
    queries: dict[str, Query] = {}
    for block in re.split(r"^(?=-- name: )", text, flags=re.M)[1:]:
        name = re.match(r"-- name: (\S+)", block).group(1)
        question = re.search(r"^-- question: (.+)$", block, flags=re.M)
        needs = re.search(r"^-- needs: (.+)$", block, flags=re.M)
        sql = block.strip().rstrip(";").strip()
        queries[name] = Query(
            name,
            question.group(1).strip() if question else "",
            tuple(t.strip() for t in needs.group(1).split(",")) if needs else (),
            sql,
        )
    return queries
