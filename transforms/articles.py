"""Ingest: turn a folder of raw article files into an articles frame and a rejected-files frame.

The raw format (see seeds/README.md) is a ` date YYYY-MM-DD ` header with the first paragraph on
the same line, then the body. The parser is tolerant of the variants real drops show: no leading
space, `Date:` with a colon, the date alone on its line, a time after the date, other `key: value`
header lines before the body (`title:`, `source:`/`publisher:`, `url:`, `author:`), a byte-order
mark, CRLF or lone CR line ends. Provenance (url, publisher, author, title) comes from those header
lines and from an optional side file `SOURCES.csv` per folder (transforms/provenance.py); a side
file that cannot be used is reported in rejected_files and never costs an article.

Every file ends in exactly one of three places:
- an article (one row per distinct content; exact duplicates collapse onto one article and all
  their paths are kept in `article_sources`),
- `rejected_files`, with a reason that says what is wrong and what to do about it,
- ignored: hidden files and the side files named in SIDE_FILES (listed in the run summary).
A bad file never raises out of `ingest_folder` and never costs another file.

Reruns are cheap: the ingest manifest (`MANIFEST_SCHEMA`, kept in the lake by the ingest asset)
records, for every file that became an article or a duplicate, the file's identity as `stat`
sees it (path, resolved path, size, mtime_ns, ctime_ns, inode, device) and the article it gave.
A file whose identity is unchanged since the last run is not read and hashed again: its article
row comes from the previous articles snapshot. Everything else (new, changed, renamed, removed
files, rejected files, which are never recorded) goes through the full read as before, and
duplicates and "first path wins" are decided afresh on every run in path order, so the result
is the one a full read would give.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import re
import stat
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from transforms import provenance
from transforms.progress import Progress

# Files that sit beside articles to describe them, not articles themselves.
SIDE_FILES = frozenset({"README.md", "README.txt", "SOURCES.csv", "LICENSE", "ATTRIBUTION"})
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # a long news article is ~50 KB; 5 MB is a corrupt drop
# spaCy's default nlp.max_length: a longer text makes nlp.pipe raise (E088), so it is refused here.
MAX_TEXT_CHARS = 1_000_000
# A date this many days after today is a typo or a clock fault, not a publication date.
FUTURE_TOLERANCE_DAYS = 1

_DATE_LINE = re.compile(
    r"^[ \t]*date[ \t]*[:=]?[ \t]*"
    r"(?P<date>\d{4}[-/.]\d{1,2}[-/.]\d{1,2})"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"(?=[ \t]|$)[ \t]*(?P<rest>.*)$",
    re.IGNORECASE,
)
_BAD_DATE_LINE = re.compile(r"^[ \t]*date\b[ \t]*[:=]?[ \t]*(?P<value>\S*)", re.IGNORECASE)
_OTHER_HEADER = re.compile(
    r"^[ \t]*(?P<key>title|headline|source|publisher|url|link|author|authors|byline|section|id)"
    r"[ \t]*:[ \t]*(?P<value>.*)$",
    re.IGNORECASE,
)
# A url header may be long (tracking parameters); it is kept only up to provenance.MAX_URL_CHARS.
_MAX_URL_LINE = 2200
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or docx/xlsx)",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive",
    b"\xff\xfe": "UTF-16 (little-endian) text",
    b"\xfe\xff": "UTF-16 (big-endian) text",
}

ARTICLE_SCHEMA = {
    "article_id": pl.String,
    "published_date": pl.Date,
    "title": pl.String,
    "text": pl.String,
    "source_path": pl.String,
    "n_words": pl.Int64,
    "n_sources": pl.Int64,
    "content_sha256": pl.String,
    # provenance (transforms/provenance.py): null when neither a header nor a side file says
    "url": pl.String,
    "publisher": pl.String,
    "author": pl.String,
    "title_source": pl.String,  # header | side_file | first_sentence
    "provenance_file": pl.String,  # the side file that supplied a field, else null
}
SOURCE_SCHEMA = {"article_id": pl.String, "source_path": pl.String, "file_bytes": pl.Int64}
# Bump when parsing changes what a file yields: the manifest of another version is not used.
INGEST_VERSION = "ingest-2"  # 2: provenance columns
MANIFEST_SCHEMA = {
    "source_path": pl.String,
    "target_path": pl.String,  # the resolved path that was read (differs for a symlink)
    "size": pl.Int64,
    "mtime_ns": pl.Int64,
    "ctime_ns": pl.Int64,
    "inode": pl.Int64,
    "device": pl.Int64,
    "article_id": pl.String,
    "content_sha256": pl.String,
    "input_dir": pl.String,
    "ingest_version": pl.String,
    # the side files' fingerprint when the file was read: an edited SOURCES.csv re-reads
    "side_files_sha256": pl.String,
}
# A file modified this close to the run's start is not recorded: a second write within the
# file system's timestamp granularity could leave size and mtime unchanged (git's "racy clean").
RACY_WINDOW_NS = 2_000_000_000
REJECTED_SCHEMA = {
    "source_path": pl.String,
    "reason_code": pl.String,
    "reason": pl.String,
    "detected_at": pl.Datetime("us", "UTC"),
}


class RejectedFile(Exception):
    """A file that cannot be read as an article; `code` is stable, `reason` is for people."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class ParsedArticle:
    published_date: dt.date
    text: str
    headers: dict[str, str] = field(default_factory=dict)


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_article(raw: str, today: dt.date | None = None) -> ParsedArticle:
    """Parse decoded file content into date, headers and body text.

    The body is returned exactly as stored: newlines normalized to LF, the header removed,
    leading and trailing whitespace trimmed. All character offsets downstream index this text.
    Raises RejectedFile when there is no usable date or no body.
    """
    today = today or dt.date.today()
    text = normalize_newlines(raw.lstrip("\ufeff"))
    lines = text.split("\n")
    headers: dict[str, str] = {}
    published: dt.date | None = None
    body_start = 0
    first_paragraph = ""
    for i, line in enumerate(lines):
        if not line.strip():
            if headers or published:
                continue  # blank lines between header lines and body
            continue
        m = _DATE_LINE.match(line)
        if m and published is None:
            published = _parse_date(m.group("date"), today)
            first_paragraph = m.group("rest").strip()
            body_start = i + 1
            if first_paragraph:
                break  # the seed layout: first paragraph shares the date line
            continue
        h = _OTHER_HEADER.match(line)
        if h and len(line) < (_MAX_URL_LINE if h.group("key").lower() in ("url", "link") else 300):
            headers[h.group("key").lower()] = h.group("value").strip()
            body_start = i + 1
            continue
        if published is None:
            bad = _BAD_DATE_LINE.match(line)
            if bad:
                raise RejectedFile(
                    "bad_date",
                    f"date header value '{bad.group('value')[:40]}' is not an ISO date; "
                    "write it as ' date YYYY-MM-DD ' on the first line",
                )
        break
    if published is None:
        raise RejectedFile(
            "no_date",
            "no date header found; add ' date YYYY-MM-DD ' (the publication date) at the start "
            "of the first line, before the article text",
        )
    rest = "\n".join(lines[body_start:])
    body = (first_paragraph + "\n" + rest) if first_paragraph else rest
    body = body.strip()
    if not body:
        raise RejectedFile(
            "no_body",
            "the file has a date header but no article text after it; add the text or remove it",
        )
    if len(body) > MAX_TEXT_CHARS:
        raise RejectedFile(
            "too_long",
            f"the article text is {len(body):,} characters, over the {MAX_TEXT_CHARS:,}-character "
            "limit of the NLP stage; split it into one file per article",
        )
    return ParsedArticle(published_date=published, text=body, headers=headers)


def _parse_date(value: str, today: dt.date) -> dt.date:
    parts = re.split(r"[-/.]", value)
    try:
        year, month, day = (int(p) for p in parts)
        date = dt.date(year, month, day)
    except ValueError:
        raise RejectedFile(
            "bad_date",
            f"date header '{value}' is not a real calendar date; fix the header to the "
            "publication date as YYYY-MM-DD",
        ) from None
    if date > today + dt.timedelta(days=FUTURE_TOLERANCE_DAYS):
        raise RejectedFile(
            "future_date",
            f"date header '{value}' is in the future (today is {today.isoformat()}); "
            "fix the header to the publication date",
        )
    if date.year < 1800:
        raise RejectedFile("bad_date", f"date header '{value}' is before 1800; fix the header")
    return date


def decode_bytes(data: bytes) -> str:
    """Decode file bytes as UTF-8 (with or without BOM) or raise RejectedFile saying why not."""
    if not data.strip():
        raise RejectedFile("empty", "the file is empty or whitespace only; remove it or fill it")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            if what.startswith("UTF-16"):
                raise RejectedFile(
                    "not_utf8",
                    f"the file is {what}; re-save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)",
                )
            raise RejectedFile("binary", f"the file is {what}, not text; remove it from the input")
    if b"\x00" in data[:8192]:
        raise RejectedFile("binary", "the file contains NUL bytes: binary, not text; remove it")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise RejectedFile(
            "not_utf8",
            f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); "
            "re-save the file as UTF-8 (e.g. iconv -f latin1 -t UTF-8)",
        ) from None
    head = text.lstrip("\ufeff \t\r\n")[:200].lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")):
        raise RejectedFile(
            "html", "the file is HTML/XML markup, not article text; extract the text first"
        )
    return text


def article_id_for(text: str) -> tuple[str, str]:
    """A stable id from the normalized content: whitespace runs collapsed, Unicode NFC.

    Two files whose text differs only in line ends or spacing are the same article.
    Returns (article_id, full sha256).
    """
    normalized = " ".join(unicodedata.normalize("NFC", text).split())
    digest = hashlib.sha256(normalized.encode("utf-8")).hexdigest()
    return digest[:16], digest


def derive_title(parsed: ParsedArticle, max_len: int = 160) -> str:
    """The `title:` header when there is one, else the article's first sentence (cut at max_len)."""
    for key in ("title", "headline"):
        if parsed.headers.get(key):
            return parsed.headers[key][:max_len]
    first = parsed.text.split("\n", 1)[0]
    m = re.search(r"(?<=[.!?])[\"”’']?\s+(?=[A-Z“\"])", first)
    sentence = first[: m.start() + 1].strip() if m else first
    if len(sentence) > max_len:
        sentence = sentence[: max_len - 1].rsplit(" ", 1)[0] + "…"
    return sentence


READ_CHUNK = 1024 * 1024


def _read_chunks(fh, limit: int) -> Iterator[bytes]:
    """Yield the file's bytes in chunks, at most `limit` bytes in all (the fault-injection seam of
    tests/transforms/test_hostile_corpus.py, which changes a file between two chunks)."""
    remaining = limit
    while remaining > 0:
        chunk = fh.read(min(READ_CHUNK, remaining))
        if not chunk:
            return
        remaining -= len(chunk)
        yield chunk


def read_limited(path: Path, max_bytes: int) -> bytes:
    """Read a file of at most max_bytes (see `read_limited_stat`)."""
    return read_limited_stat(path, max_bytes)[0]


def read_limited_stat(path: Path, max_bytes: int) -> tuple[bytes, os.stat_result]:
    """Read a file of at most max_bytes, streamed in chunks, refusing it if it changes meanwhile.

    The size is checked on the open file before anything is read, so a huge file costs no
    memory; a file that grows, shrinks or is rewritten while being read (size or modification
    time differ before and after the read) is refused rather than half-read. Returns the bytes
    and the `fstat` of the open file, which describes exactly the bytes read.
    """
    # O_NOFOLLOW: the path was resolved and confined by `_confined`; if it was swapped for a
    # symlink since, the open fails instead of following it. O_NONBLOCK: a FIFO never blocks.
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        before = os.fstat(fh.fileno())
        if not stat.S_ISREG(before.st_mode):
            raise RejectedFile(
                "not_a_file",
                "not a regular file (a FIFO, device or socket); remove it from the input",
            )
        if before.st_size > max_bytes:
            raise RejectedFile(
                "too_large",
                f"the file is {before.st_size:,} bytes, over the {max_bytes:,}-byte limit; split "
                "it into one file per article or raise NEWSLEDGER_MAX_FILE_BYTES",
            )
        data = b"".join(_read_chunks(fh, max_bytes + 1))
        after = os.fstat(fh.fileno())
    if len(data) > max_bytes:
        raise RejectedFile(
            "too_large", f"the file grew past the {max_bytes:,}-byte limit while being read"
        )
    if (
        len(data) != before.st_size
        or after.st_size != before.st_size
        or after.st_mtime_ns != before.st_mtime_ns
    ):
        raise RejectedFile(
            "changed_while_reading",
            f"the file changed while being read ({before.st_size:,} bytes when opened, "
            f"{after.st_size:,} after); rerun once whatever writes it has finished",
        )
    return data, before


def list_input_files(input_dir: Path) -> tuple[list[Path], list[Path]]:
    """All candidate files under input_dir (recursive, sorted), and the ignored ones."""
    candidates: list[Path] = []
    ignored: list[Path] = []
    for root, dirs, files in os.walk(input_dir, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        # a symlinked folder is never walked (followlinks=False); list it so that it is set
        # aside with a reason instead of silently skipped
        candidates.extend(Path(root) / d for d in dirs if (Path(root) / d).is_symlink())
        for name in sorted(files):
            path = Path(root) / name
            if name.startswith(".") or name in SIDE_FILES:
                ignored.append(path)
            else:
                candidates.append(path)
    return candidates, ignored


_MISSING_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


def _confined(path: Path, input_dir: Path, real_input_dir: Path) -> Path:
    """The real path of an input file, refusing anything that leaves the input folder.

    Symlinks inside the folder are followed; a symlink (or a path through a symlinked folder)
    that resolves outside it is refused, so input paths never reach outside the input folder.
    `path` comes from `list_input_files`, which never walks into a symlinked folder: a path that
    is not itself a symlink is real below `real_input_dir` (input_dir resolved, once per run),
    so only symlinks pay for a full resolve (two realpath calls per file were half of a
    rerun's ingest at 20,000 files).
    """
    try:
        st = os.lstat(path)  # one system call answers "symlink?", "still there?" and "a file?"
    except OSError as err:
        if err.errno not in _MISSING_ERRNOS:  # what pathlib's is_symlink/exists report as False
            raise
        st = None
    if st is not None and stat.S_ISLNK(st.st_mode):
        target = path.resolve()
        if not target.is_relative_to(real_input_dir):
            raise RejectedFile(
                "symlink_outside",
                "the file is a symlink pointing outside the input folder; not followed. "
                "Copy the file into the input folder instead",
            )
        regular = target.is_file()
    else:
        if st is None:
            raise RejectedFile(
                "vanished",
                "the file disappeared before it could be read (moved or deleted meanwhile); "
                "if it should be loaded, put it back and rerun",
            )
        # not a symlink, below the resolved input folder: lstat is the file's own stat
        target = real_input_dir / path.relative_to(input_dir)
        regular = stat.S_ISREG(st.st_mode)
    if not regular:
        raise RejectedFile(
            "not_a_file",
            "not a regular file (a FIFO, device, socket or broken link); remove it from the input",
        )
    return target


@dataclass
class IngestResult:
    articles: pl.DataFrame
    sources: pl.DataFrame
    rejected: pl.DataFrame
    ignored: list[str]
    manifest: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=MANIFEST_SCHEMA))
    n_reused: int = 0  # files not read again: unchanged since the previous run
    n_read: int = 0


class _Reuse:
    """What the previous run learnt about unchanged files: the manifest and its articles."""

    def __init__(
        self,
        input_dir: Path,
        manifest: pl.DataFrame | None,
        articles: pl.DataFrame | None,
        side_files_sha256: str = "",
    ):
        self.entries: dict[str, tuple] = {}
        # The previous articles stay one Polars frame: a reused article is its row number
        # there (Python dicts of every text held ~1.4 GB at 100,000 articles: session 22).
        self.frame = pl.DataFrame(schema=ARTICLE_SCHEMA)
        self.rows: dict[str, int] = {}  # source path -> row in `frame`
        self.sha256: list[str] = []
        if manifest is None or articles is None or not manifest.height or not articles.height:
            return
        if set(MANIFEST_SCHEMA) - set(manifest.columns) or set(ARTICLE_SCHEMA) - set(
            articles.columns
        ):
            return  # written by another layout: read everything
        manifest = manifest.filter(
            (pl.col("ingest_version") == INGEST_VERSION)
            & (pl.col("input_dir") == str(input_dir.resolve()))
            & (pl.col("side_files_sha256") == side_files_sha256)
        )
        for row in manifest.iter_rows(named=True):
            self.entries[row["source_path"]] = row
        # Only the row of the path that was the article's first path: its text and header
        # fields are that file's own.
        self.frame = articles.filter(pl.col("source_path").is_in(list(self.entries))).select(
            list(ARTICLE_SCHEMA)
        )
        self.rows = {path: i for i, path in enumerate(self.frame["source_path"])}
        self.sha256 = self.frame["content_sha256"].to_list()

    def lookup(self, rel: str, target: Path, max_bytes: int) -> dict | None:
        """The manifest entry of an unchanged file, else None (the file must be read)."""
        entry = self.entries.get(rel)
        if entry is None:
            return None
        st = os.stat(target)
        if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
            return None
        if (
            entry["target_path"],
            entry["size"],
            entry["mtime_ns"],
            entry["ctime_ns"],
            entry["inode"],
            entry["device"],
        ) != (str(target), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev):
            return None
        return entry

    def article(self, rel: str, entry: dict) -> int | None:
        """The row of the previous article read from this very file, when it is in the
        snapshot."""
        row = self.rows.get(rel)
        if row is None or self.sha256[row] != entry["content_sha256"]:
            return None
        return row

    def assemble(self, articles: dict[str, dict | int], n_sources: dict[str, int]) -> pl.DataFrame:
        """The articles table, in `articles`' order: a file read is its row (a dict), a reused
        article its row number in the previous snapshot; n_sources as counted in this run."""
        order = {"reused": [], "read": []}
        reused, read = [], []
        for i, row in enumerate(articles.values()):
            if isinstance(row, int):
                order["reused"].append(i)
                reused.append(row)
            else:
                order["read"].append(i)
                read.append(row)
        frames = [
            self.frame[pl.Series(reused, dtype=pl.Int64)].with_columns(
                _order=pl.Series(order["reused"], dtype=pl.Int64)
            ),
            pl.DataFrame(read, schema=ARTICLE_SCHEMA).with_columns(
                _order=pl.Series(order["read"], dtype=pl.Int64)
            ),
        ]
        return (
            pl.concat(frames)
            .sort("_order")
            .drop("_order")
            .with_columns(n_sources=pl.Series(list(n_sources.values()), dtype=pl.Int64))
        )


def ingest_folder(
    input_dir: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    manifest: pl.DataFrame | None = None,
    previous_articles: pl.DataFrame | None = None,
) -> IngestResult:
    """Read every file of input_dir into articles, their source paths, and rejected files.

    Paths are stored relative to input_dir (POSIX style) so that ids and tables do not
    depend on where the folder is mounted. With the previous run's `manifest` and articles
    snapshot, files unchanged since then are not read again (see the module docstring);
    the result is the same as without them.
    """
    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        raise FileNotFoundError(
            f"input folder {input_dir} does not exist; pass --input DIR or set NEWSLEDGER_INPUT_DIR"
        )
    real_input_dir = input_dir.resolve()
    now = now or dt.datetime.now(dt.UTC)
    racy_after = time.time_ns() - RACY_WINDOW_NS
    candidates, ignored = list_input_files(input_dir)
    rejected: list[dict] = []
    side_rows, side_fingerprint = _read_side_files(
        input_dir, real_input_dir, ignored, max_bytes, now, rejected
    )
    reuse = _Reuse(input_dir, manifest, previous_articles, side_fingerprint)
    n_candidates = len(candidates)
    candidates = Progress("ingest", n_candidates, "files").track(candidates)
    # article id -> its row: a dict for a file read, a row number of the previous snapshot for a
    # reused one (_Reuse.assemble); its first path and its number of paths, in the same order
    articles: dict[str, dict | int] = {}
    first_path: dict[str, str] = {}
    n_sources: dict[str, int] = {}
    sources: list[dict] = []
    recorded: list[dict] = []
    n_reused = 0
    for path in candidates:
        rel = path.relative_to(input_dir).as_posix()
        try:
            target = _confined(path, input_dir, real_input_dir)
            entry = reuse.lookup(rel, target, max_bytes)
            row = None
            if entry is not None and entry["article_id"] not in articles:
                row = reuse.article(rel, entry)  # this file is the article's first path
                if row is None:
                    entry = None  # its fields are not at hand: read it
            if entry is None:
                data, st = read_limited_stat(target, max_bytes)
                parsed = parse_article(decode_bytes(data), today=today)
        except RejectedFile as rej:
            rejected.append(_rejection(rel, rej.code, rej.reason, now))
            continue
        except OSError as err:  # vanished, permission denied, ...
            reason = f"could not be read ({err.strerror or err}); check it exists and is readable"
            rejected.append(_rejection(rel, "unreadable", reason, now))
            continue
        if entry is not None:
            n_reused += 1
            article_id, digest, n_bytes = (
                entry["article_id"],
                entry["content_sha256"],
                entry["size"],
            )
            recorded.append(entry)
        else:
            article_id, digest = article_id_for(parsed.text)
            n_bytes = len(data)
            if max(st.st_mtime_ns, st.st_ctime_ns) < racy_after:
                recorded.append(
                    {
                        "source_path": rel,
                        "target_path": str(target),
                        "size": st.st_size,
                        "mtime_ns": st.st_mtime_ns,
                        "ctime_ns": st.st_ctime_ns,
                        "inode": st.st_ino,
                        "device": st.st_dev,
                        "article_id": article_id,
                        "content_sha256": digest,
                        "input_dir": str(input_dir.resolve()),
                        "ingest_version": INGEST_VERSION,
                        "side_files_sha256": side_fingerprint,
                    }
                )
        sources.append({"article_id": article_id, "source_path": rel, "file_bytes": n_bytes})
        if article_id in articles:
            first = first_path[article_id]
            n_sources[article_id] += 1
            reason = (
                f"exact duplicate of {first} (same text); counted once as article {article_id}, "
                "both paths kept in article_sources; nothing to do"
            )
            rejected.append(_rejection(rel, "duplicate", reason, now))
            continue
        first_path[article_id], n_sources[article_id] = rel, 1
        if row is not None:
            articles[article_id] = row
            continue
        articles[article_id] = {
            "article_id": article_id,
            "published_date": parsed.published_date,
            "text": parsed.text,
            "source_path": rel,
            "n_words": len(parsed.text.split()),
            "content_sha256": digest,
        } | provenance_fields(parsed, side_rows.get(rel))
    return IngestResult(
        articles=reuse.assemble(articles, n_sources),
        sources=pl.DataFrame(sources, schema=SOURCE_SCHEMA),
        rejected=pl.DataFrame(rejected, schema=REJECTED_SCHEMA),
        ignored=[p.relative_to(input_dir).as_posix() for p in ignored],
        manifest=pl.DataFrame(recorded, schema=MANIFEST_SCHEMA),
        n_reused=n_reused,
        n_read=n_candidates - n_reused,
    )


def keep_first_detection(rejected: pl.DataFrame, previous: pl.DataFrame | None) -> pl.DataFrame:
    """A file set aside again for the same reason keeps the time it was first detected.

    So `detected_at` says since when a bad file has been waiting, and a rerun with nothing new
    writes the same rejected_files snapshot (the dbt build is skipped when the lake is unchanged).
    """
    key = ["source_path", "reason_code", "reason"]
    if previous is None or rejected.is_empty():
        return rejected
    if not {*key, "detected_at"} <= set(previous.columns):  # a snapshot of an older layout
        return rejected
    first = previous.select(*key, pl.col("detected_at").alias("_first")).unique(key, keep="first")
    return (
        rejected.join(first, on=key, how="left", maintain_order="left")
        .with_columns(detected_at=pl.coalesce("_first", "detected_at"))
        .select(rejected.columns)
    )


def provenance_fields(
    parsed: ParsedArticle, side: tuple[str, dict[str, str | None]] | None
) -> dict[str, str | None]:
    """url, publisher, author, title (+ where the title and the side-file fields came from) of a
    parsed article and its side-file row (side file path, row), header lines first."""
    header = provenance.from_headers(parsed.headers)
    side_path, side_row = side if side else (None, None)
    merged = provenance.merge(header, side_row)
    if header["title"] is not None:
        title, title_source = header["title"][:160], "header"
    elif merged["title"] is not None:
        title, title_source = merged["title"][:160], "side_file"
    else:
        title, title_source = derive_title(parsed), "first_sentence"
    used_side = side_row is not None and any(
        header[f] is None and side_row.get(f) is not None for f in provenance.FIELDS
    )
    return {
        "title": title,
        "url": merged["url"],
        "publisher": merged["publisher"],
        "author": merged["author"],
        "title_source": title_source,
        "provenance_file": side_path if used_side else None,
    }


def _read_side_files(
    input_dir: Path,
    real_input_dir: Path,
    ignored: list[Path],
    max_bytes: int,
    now: dt.datetime,
    rejected: list[dict],
) -> tuple[dict[str, tuple[str, dict[str, str | None]]], str]:
    """Every side file `SOURCES.csv` of the input: {article path: (side file path, row)} and a
    fingerprint of them all (an edited side file makes the next run read every file again).

    A side file that cannot be read or parsed adds a `bad_side_file` row to `rejected` and
    nothing else; skipped rows add one `side_file_rows` row. A deeper folder's side file wins
    over a shallower one naming the same file.
    """
    found = sorted(
        (p for p in ignored if p.name == provenance.SIDE_FILE_NAME),
        key=lambda p: (len(p.relative_to(input_dir).parts), p.as_posix()),
    )
    rows: dict[str, tuple[str, dict[str, str | None]]] = {}
    digests: list[str] = []
    for path in found:
        rel = path.relative_to(input_dir).as_posix()
        try:
            target = _confined(path, input_dir, real_input_dir)
            data, _ = read_limited_stat(target, max_bytes)
        except RejectedFile as rej:
            reason = f"side file not used: {rej.reason}"
            rejected.append(_rejection(rel, "bad_side_file", reason, now))
            digests.append(f"{rel}:{rej.code}")
            continue
        except OSError as err:
            reason = f"side file not used: could not be read ({err.strerror or err})"
            rejected.append(_rejection(rel, "bad_side_file", reason, now))
            digests.append(f"{rel}:unreadable")
            continue
        side = provenance.parse_side_file(data, rel)
        digests.append(f"{rel}:{side.sha256}")
        if side.problem:
            reason = (
                f"side file not used (its folder's articles are loaded without its urls and "
                f"titles): {side.problem}"
            )
            rejected.append(_rejection(rel, "bad_side_file", reason, now))
            continue
        if side.bad_rows:
            reason = f"side file used, but {side.bad_rows}; fix those rows"
            rejected.append(_rejection(rel, "side_file_rows", reason, now))
        for key, row in side.rows.items():
            rows[key] = (rel, row)
    fingerprint = hashlib.sha256("\n".join(digests).encode()).hexdigest()[:16] if digests else ""
    return rows, fingerprint


def _rejection(rel: str, code: str, reason: str, now: dt.datetime) -> dict:
    return {"source_path": rel, "reason_code": code, "reason": reason, "detected_at": now}
