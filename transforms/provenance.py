"""Provenance: where an article came from on the web (url, publisher, author, title).

Two places say it, both optional:
- header lines of the article file before its body (`url:`, `source:`/`publisher:`, `author:`,
  `title:`; parsed by transforms/articles.py into `ParsedArticle.headers`), and
- a side file `SOURCES.csv` in the article's folder: a CSV with a header row, one row per
  article file, a `file` column (the file name, or a path relative to that folder) and any of
  `url`, `title`, `publisher` (or `source`), `author`; other columns (the seeds' `voa_id`,
  `published`) are ignored.

A header line wins over the side file (it is the file's own word); a field neither gives is
null, never an error. Values are cleaned (control characters removed, whitespace collapsed,
length capped) and a url is kept only when it is an absolute http(s) url, so that no
`javascript:` or relative link ever reaches the report's links.

A side file that cannot be read as such a CSV is reported (`SideFileProblem`: the file and the
reason, published in rejected_files) and contributes nothing; its folder's articles are loaded as
if it were absent. Rows it cannot use (no file name, a name listed twice with other values) are
skipped and reported in one line; its good rows are used.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

SIDE_FILE_NAME = "SOURCES.csv"
MAX_URL_CHARS = 2048
MAX_TEXT_CHARS = 500
MAX_SIDE_FILE_BYTES = 20 * 1024 * 1024

# Header keys (lower case, as transforms/articles.py reads them) -> provenance field.
HEADER_FIELDS = {
    "url": "url",
    "link": "url",
    "publisher": "publisher",
    "source": "publisher",  # a `source:` holding a url is taken as the url (see from_headers)
    "author": "author",
    "authors": "author",
    "byline": "author",
    "title": "title",
    "headline": "title",
}
# Side-file column (lower case) -> provenance field.
SIDE_COLUMNS = {
    "url": "url",
    "link": "url",
    "title": "title",
    "headline": "title",
    "publisher": "publisher",
    "source": "publisher",
    "author": "author",
    "authors": "author",
    "byline": "author",
}
FILE_COLUMNS = ("file", "filename", "file_name", "path")
FIELDS = ("url", "publisher", "author", "title")

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
_URL = re.compile(r"^https?://[^\s<>\"'`\\{}|^]+$", re.IGNORECASE)


def clean_text(value: str | None, max_len: int = MAX_TEXT_CHARS) -> str | None:
    """A header or CSV value fit for a column: no control characters, single spaces, capped."""
    if value is None:
        return None
    text = " ".join(_CONTROL.sub(" ", str(value)).split())
    if not text:
        return None
    if len(text) > max_len:
        text = text[: max_len - 1].rstrip() + "…"
    return text


def clean_url(value: str | None) -> str | None:
    """An absolute http(s) url, or None (relative, other schemes, spaces, too long)."""
    text = clean_text(value, max_len=MAX_URL_CHARS + 1)
    if text is None or len(text) > MAX_URL_CHARS or not _URL.match(text):
        return None
    return text


def looks_like_url(value: str | None) -> bool:
    return bool(value) and bool(re.match(r"^\s*https?://", value, re.IGNORECASE))


def from_headers(headers: dict[str, str]) -> dict[str, str | None]:
    """The provenance fields an article's own header lines give (absent ones None)."""
    out: dict[str, str | None] = dict.fromkeys(FIELDS)
    for key, value in headers.items():
        name = HEADER_FIELDS.get(key)
        if name is None or out[name] is not None:
            continue
        if key == "source" and looks_like_url(value):
            if out["url"] is None:
                out["url"] = clean_url(value)
            continue
        out[name] = clean_url(value) if name == "url" else clean_text(value)
    return out


@dataclass
class SideFile:
    """What one folder's side file says: rows by file path relative to the input folder."""

    path: str  # relative to the input folder, POSIX
    sha256: str
    rows: dict[str, dict[str, str | None]] = field(default_factory=dict)
    problem: str | None = None  # the whole file was unusable: why (rows is then empty)
    bad_rows: str | None = None  # rows skipped: which and why


class SideFileError(Exception):
    """The side file as a whole cannot be used; the message says why and what to do."""


def parse_side_file(data: bytes, rel_path: str) -> SideFile:
    """Parse the bytes of a side file at `rel_path` (relative to the input folder).

    Never raises: a file that cannot be used comes back with `problem` set and no rows.
    """
    digest = hashlib.sha256(data).hexdigest()
    side = SideFile(path=rel_path, sha256=digest)
    try:
        side.rows, side.bad_rows = _parse_rows(data, PurePosixPath(rel_path).parent)
    except SideFileError as err:
        side.problem = str(err)
    return side


def _parse_rows(
    data: bytes, folder: PurePosixPath
) -> tuple[dict[str, dict[str, str | None]], str | None]:
    if len(data) > MAX_SIDE_FILE_BYTES:
        raise SideFileError(
            f"the side file is {len(data):,} bytes, over {MAX_SIDE_FILE_BYTES:,}; it should hold "
            "one short row per article file"
        )
    if b"\x00" in data[:8192]:
        raise SideFileError("the side file contains NUL bytes: binary, not CSV text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SideFileError(
            f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); re-save it as "
            "UTF-8 CSV"
        ) from None
    if not text.strip():
        raise SideFileError("the side file is empty; remove it or add a header row and rows")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        columns = [clean_text(c, 100) or "" for c in header]
        columns = [c.lower() for c in columns]
        file_col = next((columns.index(c) for c in FILE_COLUMNS if c in columns), None)
        if file_col is None:
            raise SideFileError(
                f"no file-name column: the header row is {', '.join(header)[:120]!r}; the first "
                "row must name the columns, one of them `file` (the article's file name)"
            )
        wanted = {i: SIDE_COLUMNS[c] for i, c in enumerate(columns) if c in SIDE_COLUMNS}
        if not wanted:
            raise SideFileError(
                "no provenance column: expected one or more of url, title, publisher, author "
                f"beside `file` (header row: {', '.join(header)[:120]!r})"
            )
        rows: dict[str, dict[str, str | None]] = {}
        skipped: list[str] = []
        for record in reader:
            line = reader.line_num
            if not any(v.strip() for v in record):
                continue
            name = record[file_col].strip() if file_col < len(record) else ""
            key = _relative_key(name, folder)
            if key is None:
                skipped.append(f"line {line}: no usable file name")
                continue
            values: dict[str, str | None] = dict.fromkeys(FIELDS)
            for i, fname in wanted.items():
                if i < len(record) and values[fname] is None:
                    raw = record[i]
                    values[fname] = clean_url(raw) if fname == "url" else clean_text(raw)
            if key in rows and rows[key] != values:
                skipped.append(f"line {line}: {name!r} listed again with other values (first kept)")
                continue
            rows[key] = values
    except csv.Error as err:
        raise SideFileError(
            f"not a well-formed CSV at line {reader.line_num} ({err}); fix the quoting there"
        ) from None
    except StopIteration:
        raise SideFileError("the side file has no header row") from None
    bad = None
    if skipped:
        bad = f"{len(skipped)} row(s) skipped: " + "; ".join(skipped[:5])
        if len(skipped) > 5:
            bad += f"; and {len(skipped) - 5} more"
    return rows, bad


def _relative_key(name: str, folder: PurePosixPath) -> str | None:
    """The input-relative POSIX path a side-file row names, or None if it names nothing usable
    (empty, absolute, or leaving its folder with `..`)."""
    name = name.strip().replace("\\", "/")
    if not name or name.startswith("/") or "\x00" in name:
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return (folder.joinpath(*parts)).as_posix() if str(folder) != "." else "/".join(parts)


def merge(
    header: dict[str, str | None], side: dict[str, str | None] | None
) -> dict[str, str | None]:
    """Header fields first, the side file's where the header says nothing."""
    side = side or {}
    return {f: header.get(f) if header.get(f) is not None else side.get(f) for f in FIELDS}
