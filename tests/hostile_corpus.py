"""A folder of hostile input files beside good ones, shared by the ingest and the pipeline tests.

`build_hostile_corpus(folder)` writes the files and returns what must become of each: the code
it must be rejected with, or the exact text it must be stored as. Everything is built here from
the real seed articles; nothing is copied from a fixture folder (the 200 MB file is sparse).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import SEED_ARTICLE, SEEDS
from transforms.articles import parse_article

HUGE_BYTES = 200 * 1024 * 1024
SEED_RAW = SEED_ARTICLE.read_text(encoding="utf-8")
SEED_BODY = parse_article(SEED_RAW).text
VOA_BODY = parse_article((SEEDS / "voa_6181504.txt").read_text(encoding="utf-8")).text

# Control characters, SQL and Jinja that must be stored exactly as written and never executed.
# (NUL is absent on purpose: a NUL byte marks a file as binary.)
HOSTILE_BODY = (
    "Officials said the talks would resume.\x07 The bell\x1b[31m rang red\x1b[0m twice.\x0b"
    "\x0cA form feed,\x7f a DEL,\x85 a NEL,\u2028 a line separator,\u200b a zero-width space "
    "and \u202ean override.\n\n"
    "Robert'); DROP TABLE dim_articles; -- said the minister. "
    "SELECT * FROM rejected_files; ATTACH '/etc/passwd' AS leak; COPY dim_articles TO '/tmp/x';\n\n"
    "{{ 7*7 }} {{ config(materialized='view') }} {{ env_var('HOME') }} {# a comment #} "
    "{% for x in range(3) %}loop{% endfor %} {% raw %}raw{% endraw %} "
    "$(touch /tmp/newsledger-pwned) `id` ${HOME} %s %(name)s \\N \\x00 ' \" ;"
)
CR_BODY = "Lone carriage returns end these lines.\nA second paragraph follows.\nAnd a third."
CRLF_BODY = "Windows line ends end these lines.\n\nSeoul said it would send observers."
BOM_BODY = "A byte-order mark opens this file.\nThe ministry confirmed the visit."


@dataclass
class Corpus:
    folder: Path
    rejected: dict[str, str]  # relative path -> reason code it must be rejected with
    loaded: dict[str, str]  # relative path -> exact text it must be stored as
    duplicate_of: dict[str, str]  # relative path -> path of the article it duplicates


def _long_line_body(n_chars: int) -> str:
    """One line of n_chars made of real sentences (no newline at all)."""
    sentences = " ".join(VOA_BODY.split())
    return (sentences + " ") * (n_chars // (len(sentences) + 1)) + "The end."


def build_hostile_corpus(
    folder: Path, long_line_chars: int = 100_000, today: dt.date | None = None
) -> Corpus:
    """Write the hostile corpus into folder (which must exist and be empty)."""
    today = today or dt.date.today()
    outside = folder.parent / f"{folder.name}-outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_text(" date 2024-11-04 Not for the warehouse.\n")

    rejected: dict[str, str] = {}
    loaded: dict[str, str] = {}

    def bad(name: str, data: bytes, code: str) -> None:
        (folder / name).write_bytes(data)
        rejected[name] = code

    def good(name: str, data: bytes, text: str) -> None:
        (folder / name).write_bytes(data)
        loaded[name] = text

    # --- files that must load, each exactly as the text given
    shutil.copy(SEED_ARTICLE, folder / "good_seed.txt")
    loaded["good_seed.txt"] = SEED_BODY
    good("good_bom.txt", b"\xef\xbb\xbf date 2024-11-05 " + BOM_BODY.encode(), BOM_BODY)
    good(
        "good_crlf.txt",
        ("date 2024-11-05\r\n\r\n" + CRLF_BODY).replace("\n", "\r\n").encode(),
        CRLF_BODY,
    )
    good("good_cr.txt", (" date 2024-11-05 " + CR_BODY).replace("\n", "\r").encode(), CR_BODY)
    long_body = _long_line_body(long_line_chars)
    good("good_long_line.txt", (" date 2019-12-23 " + long_body).encode(), long_body)
    good(
        "good_control_sql_jinja.txt",
        (" date 2024-11-06 " + HOSTILE_BODY).encode(),
        HOSTILE_BODY,
    )
    quoted_name = "o'brien; drop table x --.txt"
    good(quoted_name, f" date 2024-11-07 {CRLF_BODY} (O'Brien)".encode(), f"{CRLF_BODY} (O'Brien)")

    # --- files that must be set aside
    bad("empty.txt", b"", "empty")
    bad("whitespace_only.txt", b"  \n\t\r\n  ", "empty")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    bad("image.png", png, "binary")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("article.txt", SEED_RAW)
    bad("articles.zip", buf.getvalue(), "binary")
    bad("latin1.txt", " date 2024-11-04 Le café a fermé.".encode("latin-1"), "not_utf8")
    bad("utf16_bom.txt", SEED_RAW.encode("utf-16"), "not_utf8")
    bad("header_missing.txt", SEED_BODY.encode(), "no_date")
    bad("date_malformed.txt", (" date 04/11/2024 " + SEED_BODY).encode(), "bad_date")
    bad("date_impossible.txt", (" date 2024-02-30 " + SEED_BODY).encode(), "bad_date")
    future = (today + dt.timedelta(days=40)).isoformat()
    bad("date_future.txt", f" date {future} {SEED_BODY}".encode(), "future_date")
    bad(
        "page.html",
        b"<!DOCTYPE html>\n<html><body><p>date 2024-11-04 Putin met Choe.</p></body></html>",
        "html",
    )
    over_nlp = " date 2024-11-04 " + _long_line_body(1_050_000)
    bad("too_long_for_nlp.txt", over_nlp.encode(), "too_long")
    with (folder / "huge_200mb.txt").open("wb") as fh:  # sparse: 200 MB on paper
        fh.write(b" date 2024-11-04 ")
        fh.truncate(HUGE_BYTES)
    rejected["huge_200mb.txt"] = "too_large"
    (folder / "link_outside.txt").symlink_to(outside / "secret.txt")
    rejected["link_outside.txt"] = "symlink_outside"
    os.mkfifo(folder / "a_fifo.txt")
    rejected["a_fifo.txt"] = "not_a_file"
    # the same text as good_seed.txt under another name (read after it: sorted paths)
    shutil.copy(SEED_ARTICLE, folder / "zz_copy_of_seed.txt")
    rejected["zz_copy_of_seed.txt"] = "duplicate"
    (folder / "README.md").write_text("side file: ignored, neither loaded nor rejected")
    return Corpus(folder, rejected, loaded, {"zz_copy_of_seed.txt": "good_seed.txt"})
