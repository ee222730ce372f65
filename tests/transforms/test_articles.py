"""Header parser and ingest, on the real seed article and on broken files."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import SEED_ARTICLE
from transforms.articles import RejectedFile, article_id_for, ingest_folder, parse_article

TODAY = dt.date(2026, 11, 25)
SEED_RAW = SEED_ARTICLE.read_text(encoding="utf-8")
SEED_BODY = parse_article(SEED_RAW, today=TODAY).text


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


def _write_broken_files(folder: Path) -> dict[str, str]:
    """Broken files next to good ones; returns file name -> expected reason code."""
    latin1 = (" date 2024-11-04 Le café de Paris a fermé.").encode("latin-1")
    files = {
        "empty.txt": (b"", "empty"),
        "blank.txt": (b"  \n\t\n", "empty"),
        "image.txt": (b"\x89PNG\r\n\x1a\n" + os.urandom(64), "binary"),
        "archive.zip": (b"PK\x03\x04" + os.urandom(64), "binary"),
        "latin1.txt": (latin1, "not_utf8"),
        "utf16.txt": (SEED_RAW.encode("utf-16"), "not_utf8"),
        "nodate.txt": (SEED_BODY.encode(), "no_date"),
        "page.html": (b"<!DOCTYPE html><html><body>hi</body></html>", "html"),
        "nul.txt": (b" date 2024-11-04 abc\x00def", "binary"),
    }
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    return {name: code for name, (_, code) in files.items()}


def test_ingest_sets_aside_bad_files_and_keeps_every_good_one(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / "seed.txt")
    (folder / "seed_bom_crlf.txt").write_bytes(
        b"\xef\xbb\xbf" + SEED_RAW.replace("\n", "\r\n").encode()
    )
    (folder / "other.txt").write_text(" date 2024-11-05 A second, different article.\n")
    expected = _write_broken_files(folder)
    (folder / "README.md").write_text("side file, ignored")

    result = ingest_folder(folder, today=TODAY)

    assert result.articles.height == 2
    assert sorted(result.sources["source_path"].to_list()) == [
        "other.txt",
        "seed.txt",
        "seed_bom_crlf.txt",
    ]
    rejected = dict(result.rejected.select("source_path", "reason_code").iter_rows())
    assert rejected == {**expected, "seed_bom_crlf.txt": "duplicate"}
    assert result.ignored == ["README.md"]
    seed = result.articles.filter(result.articles["source_path"] == "seed.txt").row(0, named=True)
    assert seed["n_sources"] == 2
    assert seed["published_date"] == dt.date(2024, 11, 4)
    assert seed["text"] == SEED_BODY


def test_size_limit_refuses_without_reading(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    with (folder / "huge.txt").open("wb") as fh:
        fh.write(b" date 2024-11-04 ")
        fh.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing on disk
    shutil.copy(SEED_ARTICLE, folder / "seed.txt")
    result = ingest_folder(folder, max_bytes=1024 * 1024, today=TODAY)
    assert result.articles.height == 1
    row = result.rejected.row(0, named=True)
    assert row["reason_code"] == "too_large" and "huge.txt" == row["source_path"]
    assert "52,428,800 bytes" in row["reason"]


def test_symlink_outside_input_is_not_followed(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text(" date 2024-11-04 Not for the warehouse.")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "link.txt").symlink_to(outside)
    shutil.copy(SEED_ARTICLE, folder / "seed.txt")
    result = ingest_folder(folder, today=TODAY)
    assert result.articles.height == 1
    assert result.rejected.row(0, named=True)["reason_code"] == "symlink_outside"


def test_missing_input_folder_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="--input"):
        ingest_folder(tmp_path / "nope")


def test_all_seed_files_load(tmp_path):
    from tests.conftest import SEEDS

    result = ingest_folder(SEEDS)
    assert result.rejected.height == 0
    assert result.articles.height == len(list(SEEDS.glob("*.txt")))
    assert result.articles["published_date"].min() >= dt.date(2019, 1, 1)
