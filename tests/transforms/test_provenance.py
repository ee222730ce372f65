"""Provenance at ingest: url, publisher, author, title from header lines and the side file."""

from __future__ import annotations

import csv
import datetime as dt
import shutil

import pytest

from tests.conftest import SEED_ARTICLE, SEEDS
from transforms import provenance
from transforms.articles import ingest_folder, parse_article

TODAY = dt.date(2026, 11, 25)
SEED_RAW = SEED_ARTICLE.read_text(encoding="utf-8")
VOA = "voa_6180015.txt"  # first row of seeds/SOURCES.csv


def _seed_sources() -> dict[str, dict[str, str]]:
    with (SEEDS / "SOURCES.csv").open(encoding="utf-8", newline="") as fh:
        return {row["file"]: row for row in csv.DictReader(fh)}


def _by_path(result) -> dict[str, dict]:
    return {row["source_path"]: row for row in result.articles.iter_rows(named=True)}


def test_all_seed_files_get_the_side_files_url_title_and_publisher():
    result = ingest_folder(SEEDS, today=TODAY)
    rows = _by_path(result)
    sources = _seed_sources()
    assert len(sources) == 40 and set(sources) < set(rows)
    for name, src in sources.items():
        row = rows[name]
        assert (row["url"], row["title"], row["publisher"]) == (
            src["url"],
            src["title"],
            "Voice of America",
        ), name
        assert row["title_source"] == "side_file" and row["provenance_file"] == "SOURCES.csv"
        assert row["author"] is None
    # the seed article is not in the side file and has no header: nulls, its first sentence
    seed = rows[SEED_ARTICLE.name]
    assert (seed["url"], seed["publisher"], seed["author"], seed["provenance_file"]) == (None,) * 4
    assert seed["title_source"] == "first_sentence"
    assert seed["title"].startswith("Russian President Vladimir Putin has met")
    assert result.rejected.is_empty()


def test_header_lines_give_provenance_and_win_over_the_side_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    raw = (SEEDS / VOA).read_text(encoding="utf-8")
    header = (
        "Title: Turkey tests S-400\r\n"
        "URL: https://example.org/news/s400?id=1\r\n"
        "Publisher: Example Wire\r\n"
        "Author: Jane Doe\r\n"
    )
    (folder / VOA).write_text(header + raw, encoding="utf-8")
    (folder / "SOURCES.csv").write_text(
        "file,url,title,publisher,author\n"
        f"{VOA},https://side.example/a,Side title,Side Publisher,Side Author\n",
        encoding="utf-8",
    )
    row = _by_path(ingest_folder(folder, today=TODAY))[VOA]
    assert (row["title"], row["url"], row["publisher"], row["author"]) == (
        "Turkey tests S-400",
        "https://example.org/news/s400?id=1",
        "Example Wire",
        "Jane Doe",
    )
    assert row["title_source"] == "header" and row["provenance_file"] is None
    # the headers are not part of the text: same article id as without them
    plain = ingest_folder(SEEDS, today=TODAY)
    assert row["article_id"] == _by_path(plain)[VOA]["article_id"]


def test_side_file_fills_what_the_header_does_not_say(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    raw = (SEEDS / VOA).read_text(encoding="utf-8")
    (folder / "sub" / VOA).write_text("source: https://example.org/s\n" + raw, encoding="utf-8")
    (folder / "sub" / "SOURCES.csv").write_text(
        f"file,publisher,author\n{VOA},Side Publisher,Side Author\n", encoding="utf-8"
    )
    row = _by_path(ingest_folder(folder, today=TODAY))[f"sub/{VOA}"]
    # a `source:` holding a url is the url; publisher and author come from the side file
    assert row["url"] == "https://example.org/s"
    assert (row["publisher"], row["author"]) == ("Side Publisher", "Side Author")
    assert row["provenance_file"] == "sub/SOURCES.csv" and row["title_source"] == "first_sentence"


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "/relative/path.html",
        "ftp://example.org/a",
        "https://example.org/a b",
        'https://example.org/"><script>',
        "https://example.org/" + "a" * 2100,  # a header, but over 2,048 characters
    ],
)
def test_a_url_that_is_not_an_absolute_http_url_is_dropped(value):
    parsed = parse_article(f"url: {value}\n" + SEED_RAW, today=TODAY)
    assert provenance.from_headers(parsed.headers)["url"] is None


def test_header_values_are_cleaned_and_titles_capped(tmp_path):
    raw = "author: Jane\x1b[31m  Doe\u202e\ntitle: " + "T" * 250 + "\n" + SEED_RAW
    fields = provenance.from_headers(parse_article(raw, today=TODAY).headers)
    assert fields["author"] == "Jane [31m Doe"  # escape and bidi override gone, spaces single
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(raw, encoding="utf-8")
    (row,) = ingest_folder(folder, today=TODAY).articles.to_dicts()
    assert row["title"] == "T" * 160 and row["title_source"] == "header"


@pytest.mark.parametrize(
    "content, reason_part",
    [
        (b"\xff\xfe\x00f\x00i\x00l\x00e", "NUL bytes"),
        (b"file,url\nvoa_6180015.txt,\xe9\n", "not valid UTF-8"),
        (b"name,link\nvoa_6180015.txt,https://x.example/\n", "no file-name column"),
        (b"file,voa_id\nvoa_6180015.txt,1\n", "no provenance column"),
        (b'file,url\nvoa_6180015.txt,"https://x.example/\n', "not a well-formed CSV"),
        (b"  \n", "empty"),
    ],
)
def test_a_malformed_side_file_is_reported_and_costs_no_article(tmp_path, content, reason_part):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS / VOA, folder / VOA)
    shutil.copy(SEED_ARTICLE, folder / SEED_ARTICLE.name)
    (folder / "SOURCES.csv").write_bytes(content)
    result = ingest_folder(folder, today=TODAY)
    assert result.articles.height == 2
    assert result.articles["url"].null_count() == 2
    bad = result.rejected.to_dicts()
    assert [(r["source_path"], r["reason_code"]) for r in bad] == [("SOURCES.csv", "bad_side_file")]
    assert reason_part in bad[0]["reason"] and "side file not used" in bad[0]["reason"]


def test_bad_rows_are_skipped_and_reported_good_rows_used(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (VOA, "voa_6180206.txt"):
        shutil.copy(SEEDS / name, folder / name)
    (folder / "SOURCES.csv").write_text(
        "file,url,title\n"
        f"{VOA},https://a.example/1,One\n"
        ",https://a.example/2,No name\n"
        "../outside.txt,https://a.example/3,Escapes\n"
        f"{VOA},https://a.example/other,One again\n"
        "voa_6180206.txt,not a url,Two\n",
        encoding="utf-8",
    )
    result = ingest_folder(folder, today=TODAY)
    rows = _by_path(result)
    assert (rows[VOA]["url"], rows[VOA]["title"]) == ("https://a.example/1", "One")
    assert (rows["voa_6180206.txt"]["url"], rows["voa_6180206.txt"]["title"]) == (None, "Two")
    (bad,) = result.rejected.to_dicts()
    assert bad["reason_code"] == "side_file_rows" and bad["source_path"] == "SOURCES.csv"
    assert "3 row(s) skipped" in bad["reason"]
    assert "line 3" in bad["reason"] and "line 4" in bad["reason"] and "line 5" in bad["reason"]


def test_an_edited_side_file_is_picked_up_by_a_rerun(tmp_path, monkeypatch):
    import transforms.articles as articles

    monkeypatch.setattr(articles, "RACY_WINDOW_NS", 0)  # files written by this test just now
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS / VOA, folder / VOA)
    first = ingest_folder(folder, today=TODAY)
    assert first.articles["url"].to_list() == [None]
    assert first.manifest.height == 1  # the article file is recorded: a rerun would reuse it
    (folder / "SOURCES.csv").write_text(f"file,url\n{VOA},https://a.example/1\n")
    second = ingest_folder(
        folder, today=TODAY, manifest=first.manifest, previous_articles=first.articles
    )
    assert second.articles["url"].to_list() == ["https://a.example/1"]
    assert second.n_reused == 0
    # and unchanged again: reused, same row
    third = ingest_folder(
        folder, today=TODAY, manifest=second.manifest, previous_articles=second.articles
    )
    assert third.n_reused == 1 and third.articles.equals(second.articles)


def test_a_side_file_symlinked_outside_the_input_is_not_read(tmp_path):
    outside = tmp_path / "secret.csv"
    outside.write_text(f"file,url\n{VOA},https://leak.example/\n")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS / VOA, folder / VOA)
    (folder / "SOURCES.csv").symlink_to(outside)
    result = ingest_folder(folder, today=TODAY)
    assert result.articles["url"].to_list() == [None]
    (bad,) = result.rejected.to_dicts()
    assert bad["reason_code"] == "bad_side_file" and "outside the input folder" in bad["reason"]
