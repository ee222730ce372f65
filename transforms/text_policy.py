"""What the published file holds of the article text: `full`, `sentences` or `none`.

The private lake and newsledger.duckdb always keep everything; the policy is applied once, when
publish (transforms/warehouse.py) writes analytics.duckdb. Columns never disappear: what the
policy withholds is NULL, so every query and dashboard keeps working.

- `full` (default; the seeds are public domain): everything, as built.
- `sentences`: only sentences that carry a fact, meaning a sentence with a claim, an event
  mention or an aid-pledge mention (FACT_TABLES). Entity and place mentions do not count:
  they are in almost every sentence, so counting them would publish nearly the whole text.
  `dim_articles.text` is NULL; `fct_sentences.sentence_text` is NULL for the other sentences
  (their rows, ids and offsets stay); a title taken from the article's first sentence stays
  only when that sentence carries a fact.
- `none`: ids and offsets only. Every column in TEXT_COLUMNS is NULL, including claim
  content (quotes are the article's words) and first-sentence titles.

Short extracted spans (entity mention text, speaker, cue, trigger, amount and date words) are
kept under every policy: they are the extracted facts themselves (names, numbers, a verb), not
the article's prose. A title given by a header or a SOURCES.csv side file is provenance and is
kept too.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

POLICIES = ("full", "sentences", "none")
DEFAULT_POLICY = "full"

# Tables whose rows mark their (article_id, sentence_index) as a sentence that carries a fact.
FACT_TABLES = ("fct_claims", "fct_event_mentions", "fct_aid_pledge_mentions")

# Every published column that holds article prose, by what it is:
#   article        the whole article text                       -> NULL unless `full`
#   sentence       one sentence, any sentence                   -> kept under `sentences` only
#                                                                  when it carries a fact
#   fact_sentence  text of a fact's own sentence (or quote)     -> NULL under `none` only
#   lead           a title cut from the first sentence          -> like sentence 0; rows whose
#                                                                  title_source is not
#                                                                  'first_sentence' are kept
# A test (tests/test_text_policy_pipeline.py) checks that, under `none`, no other published
# text column holds a piece of an article longer than a name: a new column of prose must be
# listed here.
TEXT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("dim_articles", "text", "article"),
    ("dim_articles", "title", "lead"),
    ("fct_sentences", "sentence_text", "sentence"),
    ("fct_aid_pledge_mentions", "sentence_text", "fact_sentence"),
    ("fct_claims", "content", "fact_sentence"),
)


class TextPolicyError(ValueError):
    pass


def check_policy(policy: str) -> str:
    if policy not in POLICIES:
        raise TextPolicyError(
            f"unknown text policy {policy!r}: use one of {', '.join(POLICIES)} "
            "(--text-policy or NEWSLEDGER_TEXT_POLICY)"
        )
    return policy


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _collect_fact_sentences(con: duckdb.DuckDBPyConnection, have: Callable[[str, str], bool]):
    """A temporary table `_fact_sentences` (article_id, sentence_index) of FACT_TABLES' rows."""
    con.execute(
        "create or replace temp table _fact_sentences (article_id varchar, sentence_index integer)"
    )
    for table in FACT_TABLES:
        if have(table, "article_id") and have(table, "sentence_index"):
            con.execute(
                "insert into _fact_sentences "
                f"select article_id, sentence_index from {_ident(table)}"
            )


def apply_text_policy(con: duckdb.DuckDBPyConnection, policy: str) -> dict[str, int]:
    """Withhold what `policy` does not publish, in the tables of `con` (a publish's new file).

    Returns, per "table.column", how many values were set to NULL."""
    check_policy(policy)
    if policy == "full":
        return {}
    nullable = {
        (t, c): bool(n)
        for t, c, n in con.execute(
            "select table_name, column_name, is_nullable from duckdb_columns() "
            "where database_name = current_database() and schema_name = 'main'"
        ).fetchall()
    }
    columns = set(nullable)

    def have(table: str, column: str) -> bool:
        return (table, column) in columns

    _collect_fact_sentences(con, have)
    withheld: dict[str, int] = {}
    for table, column, kind in TEXT_COLUMNS:
        if not have(table, column) or (kind == "fact_sentence" and policy == "sentences"):
            continue  # nothing to withhold
        if kind == "lead" and not have(table, "title_source"):
            continue  # no way to tell a first-sentence title from a header's
        if not nullable[(table, column)]:
            # A NOT NULL constraint cannot hold what this policy withholds.
            con.execute(f"alter table {_ident(table)} alter column {_ident(column)} drop not null")
        if kind == "lead" and policy == "sentences":
            result = con.execute(
                f"update {_ident(table)} set {_ident(column)} = null "
                f"where {_ident(column)} is not null "
                "and title_source = 'first_sentence' and article_id not in "
                "(select article_id from _fact_sentences where sentence_index = 0)"
            )
        elif kind == "lead":
            result = con.execute(
                f"update {_ident(table)} set {_ident(column)} = null "
                f"where {_ident(column)} is not null "
                "and title_source = 'first_sentence'"
            )
        elif kind == "sentence" and policy == "sentences":
            result = con.execute(
                f"update {_ident(table)} set {_ident(column)} = null "
                f"where {_ident(column)} is not null and (article_id, sentence_index) "
                "not in (select article_id, sentence_index from _fact_sentences)"
            )
        else:
            result = con.execute(
                f"update {_ident(table)} set {_ident(column)} = null "
                f"where {_ident(column)} is not null"
            )
        withheld[f"{table}.{column}"] = int(result.fetchone()[0])
    return withheld
