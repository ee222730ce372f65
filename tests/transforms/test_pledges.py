"""Aid pledges on the real model: the seed article's pledges and VOA sentences from the gold stories.

The rule extractor is tested on its own (`method="rules"`): its answers are features of the
learned classifiers and its dependency rules stay the fallback. The learned path's own tests are
at the end of this file.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import SEED_ARTICLE
from transforms.articles import parse_article
from transforms.extract.base import ArticleContext
from transforms.extract.pledges import pledge_rows

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nlp():
    from transforms.nlp.pipeline import load_nlp

    return load_nlp()


@pytest.fixture(scope="module")
def seed_rows(nlp):
    parsed = parse_article(SEED_ARTICLE.read_text(encoding="utf-8"))
    doc = nlp(parsed.text)
    ctx = ArticleContext("seed", parsed.published_date, "test")
    return parsed.text, pledge_rows(doc, ctx, method="rules")


def rows_for(nlp, text: str, published=dt.date(2024, 11, 4)) -> list[dict]:
    return pledge_rows(nlp(text), ArticleContext("a", published, "test"), method="rules")


def key(r: dict) -> tuple:
    return (r["donor_iso3"], r["recipient_iso3"], r["stage"])


def test_seed_germany_pledge(seed_rows):
    text, rows = seed_rows
    germany = [r for r in rows if key(r) == ("DEU", "UKR", "pledged")]
    assert len(germany) == 1
    g = germany[0]
    assert (g["amount"], g["currency"], g["amount_usd_stated"]) == (200e6, "EUR", 218e6)
    assert g["aid_type"] == "humanitarian"
    assert g["announced_date"] == dt.date(2024, 11, 4)
    # the evidence offsets cut the statement out of the stored text; the parties' offsets too
    assert text[g["start_char"] : g["end_char"]] == "Germany would give Ukraine 200 million euros"
    assert text[g["donor_start_char"] : g["donor_end_char"]] == "Germany"
    assert text[g["recipient_start_char"] : g["recipient_end_char"]] == "Ukraine"


def test_seed_north_korean_weapons_delivered_and_denied(seed_rows):
    text, rows = seed_rows
    delivered = [r for r in rows if key(r) == ("PRK", "RUS", "delivered")]
    assert {r["aid_type"] for r in delivered} == {"military"}
    sentences = {r["sentence_index"] for r in delivered}
    assert len(sentences) == 2  # the "shipped ballistic missiles" and "arms transfers" sentences
    assert any(r["trigger_text"] == "shipped" for r in delivered)
    denied = [r for r in rows if r["stage"] == "denied"]
    assert len(denied) == 1
    # "Moscow and Pyongyang have denied weapons transfers" names no direction: it is taken from
    # the transfer the article reported
    assert key(denied[0]) == ("PRK", "RUS", "denied")
    assert denied[0]["rule"] == "noun_transfer_denied_direction_from_article"


def test_expressed_support_is_not_aid(seed_rows):
    _, rows = seed_rows
    assert not [r for r in rows if r["donor_iso3"] is None and r["stage"] == "delivered"]
    assert len(rows) == 4


@pytest.mark.parametrize(
    ("sentence", "published", "expected"),
    [
        (
            # voa 7677701
            "Russia's envoy again dismissed accusations it is getting weapons from North Korea "
            "at Friday's meeting.",
            dt.date(2024, 6, 28),
            ("PRK", "RUS", "denied", "military", None),
        ),
        (
            "In return for the weapons, North Korea is seeking trade and military assistance "
            "from Russia, which would violate U.N. sanctions.",
            dt.date(2024, 6, 28),
            ("RUS", "PRK", "requested", "military", None),
        ),
    ],
)
def test_gold_sentences(nlp, sentence, published, expected):
    rows = rows_for(nlp, sentence, published)
    got = {
        (r["donor_iso3"], r["recipient_iso3"], r["stage"], r["aid_type"], r["amount"]) for r in rows
    }
    assert expected in got


def test_voa_story_on_malaysia_and_chinese_loans(nlp):
    """voa_6181504: the $34 billion of loans (delivered) and the frozen $20 billion project."""
    from tests.conftest import SEEDS

    parsed = parse_article((SEEDS / "voa_6181504.txt").read_text(encoding="utf-8"))
    ctx = ArticleContext("v", parsed.published_date, "test")
    rows = pledge_rows(nlp(parsed.text), ctx, method="rules")
    got = {
        (r["donor_iso3"], r["recipient_iso3"], r["stage"], r["aid_type"], r["amount"]) for r in rows
    }
    assert ("CHN", "MYS", "delivered", "loan", 34e9) in got
    # "Mahathir's government ... froze ... a $20 billion railway project, also aided by China":
    # the government named by its leader acts for the country the story is about
    assert ("CHN", "MYS", "paused", "development", 20e9) in got
    loans = next(r for r in rows if r["amount"] == 34e9)
    # mid-year starts in May (transforms/extract/dates.py: a year's parts in thirds)
    assert (loans["date_text"], loans["announced_date"]) == ("mid-2018", dt.date(2018, 5, 1))


def test_support_from_a_government_to_an_agency(nlp):
    rows = rows_for(
        nlp,
        "Simon Denhere, WFP’s acting country director in Malawi, said, “With support from the UK "
        "government, WFP and the Department of Management Affairs have prepositioned food "
        "supplies, emergency kits and operational equipment.”",
        dt.date(2025, 3, 13),
    )
    assert [(r["donor_iso3"], r["recipient_name"], r["stage"]) for r in rows] == [
        ("GBR", "WFP", "delivered")
    ]


def test_evidence_stays_inside_the_sentence_when_the_donor_is_a_pronoun(nlp):
    # Found by the benchmark corpus (sentences recombined from VOA stories): "he" resolves to
    # Putin in the sentence before, and the evidence span used to start at "Putin".
    text = (
        "Putin remains antagonistic towards a Western-dominated political and economic system, "
        "and he has said over and over again that he wants to create an alternative.\n\n"
        "He claimed the images were taken by his grandfather and said he wanted to donate them "
        "to China."
    )
    doc = nlp(text)
    ctx = ArticleContext("a", dt.date(2023, 2, 5), "test")
    assert pledge_rows(doc, ctx, method="rules"), "the donation is a pledge mention"
    sentences = list(doc.sents)
    for r in pledge_rows(doc, ctx, method="rules") + pledge_rows(doc, ctx, method="learned"):
        sent = sentences[r["sentence_index"]]
        assert sent.start_char <= r["start_char"] < r["end_char"] <= sent.end_char
        assert text[r["start_char"] : r["end_char"]] in sent.text


def test_population_recipient_is_placed_in_the_story_country(nlp):
    """voa_6203525 (Myanmar after the coup): "The United Nations was already providing assistance
    to 1 million people": the recipient is the people of the country the story is about, and aid
    to a civilian population is humanitarian; the evidence still points at "1 million people"."""
    from tests.conftest import SEEDS

    parsed = parse_article((SEEDS / "voa_6203525.txt").read_text(encoding="utf-8"))
    ctx = ArticleContext("v", parsed.published_date, "test")
    rows = pledge_rows(nlp(parsed.text), ctx, method="rules")
    un = [r for r in rows if r["donor_name"] == "United Nations"]
    assert [(r["recipient_name"], r["aid_type"], r["stage"]) for r in un] == [
        ("people in Myanmar", "humanitarian", "delivered")
    ]
    r = un[0]
    assert parsed.text[r["recipient_start_char"] : r["recipient_end_char"]] == "1 million people"


def test_placed_population_keeps_its_own_place(nlp):
    rows = rows_for(
        nlp,
        "The World Food Program on Thursday distributed some relief items to affected people in "
        "Mulanje district.",
        dt.date(2025, 3, 13),
    )
    assert [r["recipient_name"] for r in rows] == ["affected people in Mulanje district"]


def test_coordinated_purposes_share_one_joint_recipient(nlp):
    rows = rows_for(
        nlp,
        "The European Union’s executive arm has proposed an $873 billion plan for rearming Europe "
        "and supporting Ukraine.",
        dt.date(2025, 3, 5),
    )
    assert [(r["recipient_name"], r["recipient_iso3"], r["recipient_kind"]) for r in rows] == [
        ("EU member states and Ukraine", None, "group")
    ]
    r = rows[0]
    assert r["recipient_text"] == "Europe and supporting Ukraine"  # offsets: first to last object
    # one purpose: the recipient is that purpose's object, as before
    one = rows_for(nlp, "Germany will give 5 million euros to help Ukraine.")
    assert [(r["recipient_name"], r["recipient_iso3"]) for r in one] == [("Ukraine", "UKR")]


@pytest.mark.parametrize(
    ("text", "amount_text", "amount", "currency", "high"),
    [
        # issue 17: the forms that read as USD or without a currency before the one parser
        (
            "Canada will give Ukraine 500 million Canadian dollars in military aid.",
            "500 million Canadian dollars",
            500e6,
            "CAD",
            None,
        ),
        (
            "Norway will give Ukraine 2.5 billion kroner in military aid.",
            "2.5 billion kroner",
            2.5e9,
            "NOK",
            None,
        ),
        (
            "Japan will provide Ukraine with three and a half million dollars in humanitarian aid.",
            "three and a half million dollars",
            3.5e6,
            "USD",
            None,
        ),
        (
            "The United States pledged between $6 billion and $8 billion in aid to Ukraine.",
            "$6 billion and $8 billion",
            6e9,
            "USD",
            8e9,
        ),
    ],
)
def test_pledge_amounts_of_the_one_parser(nlp, text, amount_text, amount, currency, high):
    (row,) = rows_for(nlp, text)
    assert (row["amount_text"], row["amount"], row["currency"], row["amount_high"]) == (
        amount_text,
        amount,
        currency,
        high,
    )
    assert row["recipient_iso3"] == "UKR"


# -- the learned path (transforms/models/pledges, `make train`) ------------------------------------
@pytest.fixture(scope="module")
def learned_seed_rows(nlp):
    parsed = parse_article(SEED_ARTICLE.read_text(encoding="utf-8"))
    ctx = ArticleContext("seed", parsed.published_date, "test")
    return parsed.text, pledge_rows(nlp(parsed.text), ctx, method="learned")


def test_learned_path_finds_the_seed_pledge_with_its_amount(learned_seed_rows):
    text, rows = learned_seed_rows
    germany = [r for r in rows if key(r) == ("DEU", "UKR", "pledged")]
    assert len(germany) == 1
    g = germany[0]
    assert (g["amount"], g["currency"], g["amount_usd_stated"]) == (200e6, "EUR", 218e6)
    assert g["rule"] == "learned"
    assert 0.5 <= g["confidence"] <= 1.0
    assert text[g["start_char"] : g["end_char"]].startswith("Germany would give Ukraine")
    assert text[g["donor_start_char"] : g["donor_end_char"]] == "Germany"


def test_learned_path_keeps_delivered_weapons_apart_from_the_pledge(learned_seed_rows):
    _, rows = learned_seed_rows
    delivered = [r for r in rows if key(r) == ("PRK", "RUS", "delivered")]
    assert delivered and {r["aid_type"] for r in delivered} == {"military"}
    assert all(r["amount"] is None for r in delivered)
    # "expressed support" and the talks are no transfer: four statements at most
    assert len(rows) <= 4


def test_learned_path_needs_the_trained_models(nlp, monkeypatch):
    from transforms.extract import pledges

    monkeypatch.setattr(pledges, "classifiers", lambda: None)
    doc = nlp("Germany would give Ukraine 200 million euros.")
    ctx = ArticleContext("a", dt.date(2024, 11, 4), "test")
    with pytest.raises(FileNotFoundError, match="make train"):
        pledge_rows(doc, ctx, method="learned")
    # "auto" falls back to the rules
    assert [key(r) for r in pledge_rows(doc, ctx)] == [("DEU", "UKR", "pledged")]


def test_a_role_no_candidate_reaches_goes_to_its_most_probable_candidate(nlp):
    from transforms.extract import event_features, pledges
    from transforms.extract.pledge_features import DONOR, NEITHER, RECIPIENT

    doc = nlp("President Maria Lopez announced $40 million in new assistance for Haiti on Monday.")
    cands = event_features.party_candidates(next(doc.sents))
    assert [c.party.name for c in cands] == ["Maria Lopez", "Haiti"]
    # the person is the likelier donor, yet below the donor threshold; Haiti reaches recipient
    ranked = list(
        zip(
            cands,
            [
                {DONOR: 0.15, RECIPIENT: 0.02, NEITHER: 0.83},
                {DONOR: 0.05, RECIPIENT: 0.7, NEITHER: 0.25},
            ],
            strict=True,
        )
    )
    donor, recipient = pledges._assign(ranked, {"donor": 0.4, "recipient": 0.2})
    assert donor is None and recipient.name == "Haiti"
    donor, recipient = pledges._fill_roles(ranked, donor, recipient)
    assert (donor.name, recipient.name) == ("Maria Lopez", "Haiti")
    # a role whose most probable candidate is the other role's party stays empty
    assert pledges._fill_roles(ranked[1:], None, recipient) == (None, recipient)
