"""A sentence-boundary rule before spaCy's parser, for what its sentence splitting misses.

US news (AP style) names a member of Congress with party and state: "said Sen. Mitch
McConnell, R-Ky." or "(D-Calif.)". The state's abbreviation ends on a period that is part of
the token, so where the affiliation closes a sentence ("..., said Rep. Andy Barr, R-Ky. Democrats
said ...") the small model's parser joins the two sentences: the next sentence's claim then gets
the wrong speaker or none. The parser keeps the boundaries set before it runs, so this component
marks the capitalised word after such an affiliation as a sentence start. The parser already
splits after "U.S.", "Inc." or "D.C." before a capitalised word (tests/transforms/test_nlp.py);
only this pattern is added.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

COMPONENT = "newsledger_sentence_rules"

# party letter, hyphen, the state's abbreviation with its period, space, a capitalised word
AFFILIATION_END = re.compile(r"(?<![\w-])[RDI]-[A-Z][A-Za-z.]*\.[ \t]+(?=[A-Z][a-z])")


@Language.component(COMPONENT)
def sentence_rules(doc: Doc) -> Doc:
    for m in AFFILIATION_END.finditer(doc.text):
        span = doc.char_span(m.end(), m.end() + 1, alignment_mode="expand")
        if span is not None and span.start > 0:
            doc[span.start].is_sent_start = True
    return doc
