"""Header parser and ingest, on the real seed article and on broken files."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import polars as pl
import pytest

from tests.conftest import SEED_ARTICLE
from tests.conftest import SEEDS as SEEDS_DIR
from tests.hostile_corpus import HUGE_BYTES, build_hostile_corpus
from transforms.articles import RejectedFile, article_id_for, ingest_folder, parse_article

TODAY = dt.date(2026, 11, 25)
SEED_RAW = SEED_ARTICLE.read_text(encoding="utf-8")
SEED_BODY = parse_article(SEED_RAW, today=TODAY).text
# Every rejection reason says what to do: it contains one of these.
ACTIONS = (
    "remove",
    "re-save",
    "fix",
    "write",
    "add",
    "split",
    "copy",
    "Copy",
    "extract",
    "rerun",
    "nothing to do",
)


def test_seed_layout_first_paragraph_on_date_line():
    parsed = parse_article(SEED_RAW, today=TODAY)
    assert parsed.published_date == dt.date(2024, 11, 4)
    assert parsed.text.startswith("Russian President Vladimir Putin has met North Korean")
    assert parsed.text.endswith("Moscow and Pyongyang have denied weapons transfers.")
    assert "\n\nIn a video released by the Kremlin" in parsed.text


@pytest.mark.parametrize(
    "raw",
    [
        SEED_RAW.lstrip(" "),  # no leading space
        "\ufeff" + SEED_RAW,  # byte-order mark
        SEED_RAW.replace("\n", "\r\n"),  # CRLF
        SEED_RAW.replace("\n", "\r"),  # lone CR
        " date 2024-11-04\n\n" + SEED_BODY,  # the date alone on its line
        "Date: 2024-11-04\n" + SEED_BODY,  # colon, capitalized
        "date 2024-11-04T09:30:00Z " + SEED_BODY,  # a time after the date
        "title: Putin meets Choe\nsource: VOA\n date 2024-11-04 " + SEED_BODY,  # other headers
    ],
)
def test_header_variants_give_the_same_article(raw):
    parsed = parse_article(raw, today=TODAY)
    assert parsed.published_date == dt.date(2024, 11, 4)
    assert article_id_for(parsed.text) == article_id_for(SEED_BODY)
    assert parsed.text.replace("\r", "") == SEED_BODY


def test_title_header_is_used():
    parsed = parse_article("title: Putin meets Choe\n date 2024-11-04 " + SEED_BODY, today=TODAY)
    assert parsed.headers["title"] == "Putin meets Choe"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (SEED_BODY, "no_date"),
        (" date 2024-02-30 " + SEED_BODY, "bad_date"),
        (" date 04/11/2024 " + SEED_BODY, "bad_date"),
        (" date 2031-01-01 " + SEED_BODY, "future_date"),
        (" date 2024-11-04 \n\n  \n", "no_body"),
    ],
)
def test_unusable_headers_are_rejected_with_a_code(raw, code):
    with pytest.raises(RejectedFile) as err:
        parse_article(raw, today=TODAY)
    assert err.value.code == code
    assert len(err.value.reason) > 30  # says what is wrong and what to do


def test_hostile_corpus_every_bad_file_set_aside_every_good_file_loaded(tmp_path):
    """The hostile corpus (tests/hostile_corpus.py): each bad file rejected with its code and a
    reason that says what to do; each good file stored exactly; duplicates keep both paths."""
    folder = tmp_path / "in"
    folder.mkdir()
    corpus = build_hostile_corpus(folder, today=TODAY)

    result = ingest_folder(folder, today=TODAY)

    rejected = {r["source_path"]: r for r in result.rejected.iter_rows(named=True)}
    assert {path: r["reason_code"] for path, r in rejected.items()} == corpus.rejected
    for path, row in rejected.items():
        # a reason names the problem and says what to do (an imperative or "nothing to do")
        assert len(row["reason"]) > 40, path
        assert any(verb in row["reason"] for verb in ACTIONS), (path, row["reason"])
    stored = dict(result.articles.select("source_path", "text").iter_rows())
    assert stored == corpus.loaded
    assert result.ignored == ["README.md"]
    sources = dict(result.sources.select("source_path", "article_id").iter_rows())
    for dup, original in corpus.duplicate_of.items():
        assert sources[dup] == sources[original]
    assert (
        "huge_200mb.txt" in rejected and "209,715,200 bytes" in rejected["huge_200mb.txt"]["reason"]
    )
    assert "2024-02-30" in rejected["date_impossible.txt"]["reason"]


def test_huge_file_is_refused_with_flat_memory(tmp_path):
    """A 200 MB file costs no memory: measured as ru_maxrss growth of a fresh process."""
    folder = tmp_path / "in"
    folder.mkdir()
    with (folder / "huge.txt").open("wb") as fh:
        fh.write(b" date 2024-11-04 ")
        fh.truncate(HUGE_BYTES)
    shutil.copy(SEED_ARTICLE, folder / "seed.txt")
    script = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from transforms.articles import ingest_folder\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "r = ingest_folder(Path(sys.argv[1]))\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(r.articles.height, r.rejected['reason_code'].to_list(), after - before)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(folder)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    grown_kb = int(out.stdout.split()[-1])
    assert out.stdout.startswith("1 ['too_large']"), out.stdout
    assert grown_kb < 20 * 1024  # < 20 MB growth while a 200 MB file sits in the input


def test_a_file_that_changes_while_being_read_is_set_aside(tmp_path, monkeypatch):
    """Fault injection in the reading path: another writer appends between two chunks."""
    import transforms.articles as articles

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / "seed.txt")
    growing = folder / "growing.txt"
    growing.write_text(" date 2024-11-05 " + "Words of a story still being written. " * 60000)
    monkeypatch.setattr(articles, "READ_CHUNK", 64 * 1024)
    real = articles._read_chunks

    def appended_between_chunks(fh, limit):
        for i, chunk in enumerate(real(fh, limit)):
            yield chunk
            if i == 0 and os.fstat(fh.fileno()).st_size > 1_000_000:
                with growing.open("a") as writer:
                    writer.write("A late paragraph.\n")

    monkeypatch.setattr(articles, "_read_chunks", appended_between_chunks)
    result = ingest_folder(folder, today=TODAY)
    assert result.articles["source_path"].to_list() == ["seed.txt"]
    row = result.rejected.row(0, named=True)
    assert (row["source_path"], row["reason_code"]) == ("growing.txt", "changed_while_reading")
    assert "rerun" in row["reason"]


def test_a_file_that_disappears_before_it_is_read_is_set_aside(tmp_path, monkeypatch):
    """Fault injection: the file is listed, then deleted by someone else before it is opened."""
    import transforms.articles as articles

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / "seed.txt")
    (folder / "vanishing.txt").write_text(" date 2024-11-05 Here one moment.\n")
    real = articles.list_input_files

    def listed_then_deleted(input_dir):
        candidates, ignored = real(input_dir)
        (folder / "vanishing.txt").unlink()
        return candidates, ignored

    monkeypatch.setattr(articles, "list_input_files", listed_then_deleted)
    result = ingest_folder(folder, today=TODAY)
    assert result.articles["source_path"].to_list() == ["seed.txt"]
    row = result.rejected.row(0, named=True)
    assert row["source_path"] == "vanishing.txt"
    assert row["reason_code"] == "vanished"
    assert "disappeared" in row["reason"] and "rerun" in row["reason"]


def test_a_symlinked_folder_is_set_aside_not_walked(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text(" date 2024-11-04 Not for the warehouse.")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "linked_dir").symlink_to(outside, target_is_directory=True)
    shutil.copy(SEED_ARTICLE, folder / "seed.txt")
    result = ingest_folder(folder, today=TODAY)
    assert result.articles["source_path"].to_list() == ["seed.txt"]
    assert result.rejected.select("source_path", "reason_code").rows() == [
        ("linked_dir", "symlink_outside")
    ]


def test_a_symlink_swapped_in_after_the_check_is_not_followed(tmp_path, monkeypatch):
    """The confinement check and the open race: the open refuses a symlink (O_NOFOLLOW)."""
    import transforms.articles as articles

    outside = tmp_path / "secret.txt"
    outside.write_text(" date 2024-11-04 Not for the warehouse.")
    folder = tmp_path / "in"
    folder.mkdir()
    target = folder / "swapped.txt"
    target.write_text(" date 2024-11-05 An innocent file.")
    real = articles._confined

    def confined_then_swapped(path, input_dir, real_input_dir):
        checked = real(path, input_dir, real_input_dir)
        path.unlink()
        path.symlink_to(outside)
        return checked

    monkeypatch.setattr(articles, "_confined", confined_then_swapped)
    result = ingest_folder(folder, today=TODAY)
    assert result.articles.height == 0
    assert result.rejected["reason_code"].to_list() == ["unreadable"]


def test_missing_input_folder_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="--input"):
        ingest_folder(tmp_path / "nope")


def test_all_seed_files_load(tmp_path):
    from tests.conftest import SEEDS

    result = ingest_folder(SEEDS)
    assert result.rejected.height == 0
    assert result.articles.height == len(list(SEEDS.glob("*.txt")))
    assert result.articles["published_date"].min() >= dt.date(2019, 1, 1)


def _rerun_cases(folder):
    """Edits a user makes between two runs, one of each kind the manifest must not hide."""
    (folder / "voa_6180015.txt").write_text(
        (folder / "voa_6180015.txt").read_text() + "A paragraph added later.\n"
    )  # changed
    (folder / "voa_6180206.txt").unlink()  # removed
    (folder / "voa_6180705.txt").rename(folder / "renamed.txt")  # renamed
    shutil.copy(folder / "voa_6180790.txt", folder / "copy_of_6180790.txt")  # a new duplicate
    (folder / "bad.txt").write_text(" date 2024-11-04 Fixed by the user.\n")  # rejected, fixed
    # Same size, same mtime, new content: only ctime and the inode say it changed.
    same = folder / "voa_6180932.txt"
    before = same.stat()
    text = same.read_text()
    tmp = folder / ".swap"
    tmp.write_text(text.replace("the", "THE", 1))
    os.utime(tmp, ns=(before.st_atime_ns, before.st_mtime_ns))
    tmp.replace(same)
    # A duplicate's first path removed: the other path, with another date, becomes the article.
    (folder / "zz_dup_of_seed.txt").unlink()


def _frames(result):
    return (
        result.articles,
        result.sources,
        result.rejected.drop("detected_at"),
    )


def test_a_rerun_reads_only_new_and_changed_files_and_gives_what_a_full_read_gives(
    tmp_path, monkeypatch
):
    import transforms.articles as articles

    monkeypatch.setattr(articles, "RACY_WINDOW_NS", 0)  # files written by this test just now
    folder = tmp_path / "in"
    shutil.copytree(SEEDS_DIR, folder)
    (folder / "bad.txt").write_text("no header at all\n")
    # the same text as the seed under another date: a duplicate, counted once
    (folder / "zz_dup_of_seed.txt").write_text(SEED_RAW.replace("2024-11-04", "2024-11-05", 1))
    (folder / "000_55766d7a04a2f1f7.txt").rename(folder / "aa_seed.txt")
    first = ingest_folder(folder, today=TODAY)
    assert first.n_reused == 0 and first.rejected["reason_code"].to_list().count("duplicate") == 1
    # each file that became an article or a duplicate is recorded; the rejected one is not
    assert first.manifest.height == first.sources.height
    assert "bad.txt" not in first.manifest["source_path"].to_list()

    unchanged = ingest_folder(
        folder, today=TODAY, manifest=first.manifest, previous_articles=first.articles
    )
    assert unchanged.n_reused == first.sources.height  # nothing read but the rejected file
    for got, want in zip(_frames(unchanged), _frames(first), strict=True):
        assert got.equals(want)

    _rerun_cases(folder)
    (folder / "aa_seed.txt").unlink()
    read: list[str] = []
    real = articles.read_limited_stat

    def counting(path, max_bytes):
        read.append(path.name)
        return real(path, max_bytes)

    monkeypatch.setattr(articles, "read_limited_stat", counting)
    rerun = ingest_folder(
        folder, today=TODAY, manifest=unchanged.manifest, previous_articles=unchanged.articles
    )
    monkeypatch.setattr(articles, "read_limited_stat", real)
    full = ingest_folder(folder, today=TODAY)
    for got, want in zip(_frames(rerun), _frames(full), strict=True):
        assert got.equals(want)
    assert sorted(read) == sorted(
        [
            "voa_6180015.txt",
            "renamed.txt",
            "copy_of_6180790.txt",
            "bad.txt",
            "voa_6180932.txt",
            "SOURCES.csv",  # the side file (provenance) is read on every run: it is small
        ]
    )
    # the duplicate whose first path went away is now the article, with its own date
    seed_row = rerun.articles.filter(pl.col("article_id") == article_id_for(SEED_BODY)[0])
    assert seed_row.height == 0  # both seed paths are gone
    assert "bad.txt" in rerun.articles["source_path"].to_list()
    assert rerun.n_reused == rerun.sources.height - (len(read) - 1)


def test_a_duplicate_that_becomes_the_first_path_is_read_again(tmp_path, monkeypatch):
    import transforms.articles as articles

    monkeypatch.setattr(articles, "RACY_WINDOW_NS", 0)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(SEED_RAW)
    (folder / "b.txt").write_text(SEED_RAW.replace("2024-11-04", "2024-11-05", 1))
    first = ingest_folder(folder, today=TODAY)
    assert first.articles["published_date"].to_list() == [dt.date(2024, 11, 4)]
    (folder / "a.txt").unlink()
    rerun = ingest_folder(
        folder, today=TODAY, manifest=first.manifest, previous_articles=first.articles
    )
    assert rerun.articles.drop("n_sources").equals(
        ingest_folder(folder, today=TODAY).articles.drop("n_sources")
    )
    assert rerun.articles["published_date"].to_list() == [dt.date(2024, 11, 5)]
    assert rerun.articles["source_path"].to_list() == ["b.txt"]


def test_a_file_written_during_the_run_is_not_recorded(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / "seed.txt")  # just written: within the racy window
    result = ingest_folder(folder, today=TODAY)
    assert result.articles.height == 1 and result.manifest.height == 0


def test_a_manifest_of_another_input_folder_is_not_used(tmp_path, monkeypatch):
    import transforms.articles as articles

    monkeypatch.setattr(articles, "RACY_WINDOW_NS", 0)
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / "seed.txt")
    first = ingest_folder(folder, today=TODAY)
    other = tmp_path / "other"
    folder.rename(other)
    rerun = ingest_folder(
        other, today=TODAY, manifest=first.manifest, previous_articles=first.articles
    )
    assert rerun.n_reused == 0 and rerun.articles.equals(first.articles)


def test_a_file_set_aside_again_keeps_its_first_detection_time(tmp_path):
    from transforms.articles import keep_first_detection

    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "nodate.txt").write_text("Just text, no header.\n")
    first = ingest_folder(tmp_path, now=dt.datetime(2024, 11, 4, tzinfo=dt.UTC)).rejected
    (tmp_path / "nodate.txt").write_bytes(b"\x00\x01 binary now")  # another reason
    (tmp_path / "new_empty.txt").write_bytes(b"")
    again = ingest_folder(tmp_path, now=dt.datetime(2024, 11, 9, tzinfo=dt.UTC)).rejected
    kept = keep_first_detection(again, first)
    when = {path: at.day for path, at in kept.select("source_path", "detected_at").iter_rows()}
    assert when == {"empty.txt": 4, "new_empty.txt": 9, "nodate.txt": 9}
    assert kept.drop("detected_at").equals(again.drop("detected_at"))
