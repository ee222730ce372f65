"""Claims of government press releases: an independent claims set of a style the labelled corpus
holds only for pledges.

`evaluation/data/re3d_claims.jsonl` holds the claims of 49 re3d documents (../shared/data/re3d:
all 23 CENTCOM releases and all 26 UK government pages), labelled by this project for this
purpose without looking at the extractor's code or output (`evaluation/data/re3d_claims.md`);
`re3d_claims_documents.txt` lists every labelled document under a `# folder` line per source (a
document may hold no claim). They are scored as the claims section scores the labelled corpus
(`evaluation.claims.score`: contents matched one to one at token F1 >= 0.5, speakers by name or
surname); every labelled document counts, so a claim found in a document without gold is a false
positive. Rows: the whole set, then speaker and content F1 per source. Nothing was trained,
tuned or written on it.
"""

from __future__ import annotations

import json

from evaluation.claims import rows_of, score
from evaluation.common import RE3D, RE3D_DATE, REPO, Row, re3d_parsed

CLAIMS = REPO / "evaluation" / "data" / "re3d_claims.jsonl"
DOCUMENTS = REPO / "evaluation" / "data" / "re3d_claims_documents.txt"
FIELDS = (
    "speaker", "content_overlap", "indirect claims recall", "speaker (matched)",
    "stance (matched)", "is_direct (matched)",
)  # fmt: skip


def gold() -> tuple[dict[str, str], list[dict]]:
    """({labelled document id: its re3d folder}, their gold claims)."""
    ids: dict[str, str] = {}
    folder = ""
    for line in DOCUMENTS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            folder = line[1:].strip()
        elif line.strip():
            ids[line.strip()] = folder
    lines = CLAIMS.read_text(encoding="utf-8").splitlines()
    return ids, [json.loads(x) for x in lines if x.strip()]


def predict(ids: list[str]) -> dict[str, list[dict]]:
    """{document id: the pipeline's claim rows} of the labelled documents."""
    from transforms.extract.base import ArticleContext
    from transforms.extract.claims import claim_rows

    parsed = re3d_parsed()
    return {sid: claim_rows(parsed[sid][1], ArticleContext(sid, RE3D_DATE, "eval")) for sid in ids}


def report() -> list[Row]:
    if not (RE3D.exists() and CLAIMS.exists()):
        return []
    ids, labels = gold()
    predicted = predict(list(ids))
    dataset = f"re3d releases (independent, {len(ids)} docs)"
    rows = [r for r in rows_of(dataset, score(labels, predicted, list(ids))) if r.field in FIELDS]
    for source in sorted(set(ids.values())):
        some = [i for i, f in ids.items() if f == source]
        keep = set(some)
        got = score([g for g in labels if g["story_id"] in keep], predicted, some)
        label = f"re3d releases: {source} ({len(some)} docs)"
        rows += [r for r in rows_of(label, got) if r.field in ("speaker", "content_overlap")]
    return rows
