"""The claims evaluation on a corpus whose double quotation marks are re-rendered in another
convention: PTB ``...'' (PolNeAR, Penn Treebank-derived text), ''...'' and British '...'.

Robustness, not in-sample tuning: the same stories, the same gold and the same scoring as the
original rows of `evaluation.claims`, only the marks differ. Each story's text is converted
before the pipeline parses it; every verbatim gold field (sentence, content, source_text, cue,
target) is cut again out of the converted text at its re-mapped offsets, so a gold content that
holds a nested mark holds the converted one.

What is converted: the double marks only. “ and „ and an opening straight " become the style's
opener, ” and a closing straight " its closer (a straight mark opens after whitespace, the start
or opening punctuation when a non-space follows; else it closes). Single quotes inside stay as
they are (straight 'nested' quotes and apostrophes). For the ‘...’ style a story already holding a
curly ‘ is skipped: its inner ‘...’ would collide with the converted outer marks (none in the
test split; `skipped()` counts them on a split).

The marks' direction is read here from the characters, independently of
`transforms.extract.claims.find_quotes`, the code being measured.
"""

from __future__ import annotations

import dataclasses
import functools

STYLES = {
    "ptb": ("``", "''"),  # ``like this''
    "apostrophes": ("''", "''"),  # ''like this''
    "single": ("‘", "’"),  # ‘like this’
}
LABELS = {"ptb": "``...''", "apostrophes": "''...''", "single": "‘...’"}
GOLD_FIELDS = ("sentence", "content", "source_text", "cue", "target")
_OPENING_PUNCT = "([—-:"


def _direction(text: str, i: int) -> str | None:
    """'open', 'close' or None (not a double mark) for the character at i."""
    ch = text[i]
    if ch in "“„":
        return "open"
    if ch == "”":
        return "close"
    if ch != '"':
        return None
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if (before.isspace() or before in _OPENING_PUNCT) and not after.isspace():
        return "open"
    return "close"


def convert(text: str, style: str) -> tuple[str, list[int]]:
    """(converted text, pos): pos[i] is where the original character i starts in the converted
    text (pos[len(text)] its length), so an original span (a, b) is (pos[a], pos[b])."""
    opener, closer = STYLES[style]
    out: list[str] = []
    pos: list[int] = []
    n = 0
    for i, ch in enumerate(text):
        pos.append(n)
        d = _direction(text, i)
        piece = ch if d is None else (opener if d == "open" else closer)
        out.append(piece)
        n += len(piece)
    pos.append(n)
    return "".join(out), pos


def skips(text: str, style: str) -> bool:
    """A story the style cannot render without ambiguity (see the module docstring)."""
    return style == "single" and "‘" in text


def _remap_span(original: str, converted: str, pos: list[int], value: str, near: int) -> str:
    """`value`, found in the original text (first at or after `near`, else anywhere), cut out of
    the converted text; unchanged when the original text does not hold it."""
    at = original.find(value, near)
    if at < 0:
        at = original.find(value)
    if at < 0:
        return value
    return converted[pos[at] : pos[at + len(value)]]


def convert_gold(record: dict, original: str, converted: str, pos: list[int]) -> dict:
    out = dict(record)
    sentence = record.get("sentence") or ""
    near = max(original.find(sentence), 0) if sentence else 0
    for field in GOLD_FIELDS:
        value = record.get(field)
        if isinstance(value, str) and value:
            out[field] = _remap_span(
                original, converted, pos, value, 0 if field == "sentence" else near
            )
    return out


def kept_ids(split: str, style: str) -> list[str]:
    """Ids of the stories of one split labelled for claims that `style` does not skip."""
    from evaluation import corpus

    known = corpus.stories()
    return [
        s for s in corpus.story_ids(split, labelled_for="claims") if not skips(known[s].text, style)
    ]


@functools.lru_cache(maxsize=8)
def parsed_as(split: str, style: str) -> tuple:
    """The stories of `kept_ids`, converted to `style`, parsed with the pipeline's model: a tuple
    of (story, doc, ArticleContext) like `corpus.parsed`."""
    from evaluation import corpus

    known = corpus.stories()
    stories = [
        dataclasses.replace(known[s], text=convert(known[s].text, style)[0])
        for s in kept_ids(split, style)
    ]
    return tuple(corpus.parse(stories))


def gold_as(split: str, style: str) -> tuple[list[str], list[dict]]:
    """(story ids kept, gold claims of those stories with their verbatim fields converted)."""
    from evaluation import corpus

    known = corpus.stories()
    ids = kept_ids(split, style)
    keep = set(ids)
    conversions = {s: (known[s].text, *convert(known[s].text, style)) for s in ids}
    rows = []
    for r in corpus.records("claims", split):
        if r["story_id"] in keep:
            rows.append(convert_gold(r, *conversions[r["story_id"]]))
    return ids, rows


def skipped(split: str, style: str) -> int:
    from evaluation import corpus

    return sum(skips(s.text, style) for s in corpus.stories().values() if s.split == split)


def predict_as(split: str, style: str) -> dict[str, list[dict]]:
    from transforms.extract.claims import claim_rows

    return {story.id: claim_rows(doc, ctx) for story, doc, ctx in parsed_as(split, style)}


def dataset_label(split: str, style: str, n: int) -> str:
    base = f"gold/train test ({n} st.)" if split == "test" else f"train split ({n} st.)"
    return f"{base}, quotes as {LABELS[style]}"
