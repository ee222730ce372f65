"""Hand-written gold entity mentions of the seed article (seeds/000_55766d7a04a2f1f7.txt).

Names only (PERSON, ORG, GPE, LOC, NORP), in text order, each with the actor it stands for
(canonical name or ISO3 country; None for places that are not actors). Offsets are found by
scanning the article text forward, so the list must follow the text's order exactly.
Conventions: a leading "the" is not part of a span; "Russia’s" is the span "Russia"; the
Kremlin is an ORG standing for Russia; "Kursk" in "Kursk region" is a GPE.
"""

SEED_GOLD: list[tuple[str, str, str | None]] = [
    ("Russian", "NORP", "RUS"),
    ("Vladimir Putin", "PERSON", "Vladimir Putin"),
    ("North Korean", "NORP", "PRK"),
    ("Choe Son Hui", "PERSON", "Choe Son Hui"),
    ("Kremlin", "ORG", "RUS"),
    ("Ukraine", "GPE", "UKR"),
    ("North Korean", "NORP", "PRK"),
    ("Russia", "GPE", "RUS"),
    ("Kursk", "GPE", None),
    ("Kremlin", "ORG", "RUS"),
    ("Putin", "PERSON", "Vladimir Putin"),
    ("Choe", "PERSON", "Choe Son Hui"),
    ("Russian", "NORP", "RUS"),
    ("Russia", "GPE", "RUS"),
    ("Choe", "PERSON", "Choe Son Hui"),
    ("North Korean", "NORP", "PRK"),
    ("Kim Jong Un", "PERSON", "Kim Jong Un"),
    ("US State Department", "ORG", "USA"),
    ("Matthew Miller", "PERSON", "Matthew Miller"),
    ("North Korean", "NORP", "PRK"),
    ("Russia", "GPE", "RUS"),
    ("Kursk", "GPE", None),
    ("Moscow", "GPE", "RUS"),
    ("Ukraine", "GPE", "UKR"),
    ("Ukrainian", "NORP", "UKR"),
    ("Volodymyr Zelenskyy", "PERSON", "Volodymyr Zelenskyy"),
    ("Ukrainian", "NORP", "UKR"),
    ("North Korean", "NORP", "PRK"),
    ("Kursk", "GPE", None),
    ("Ukrainian", "NORP", "UKR"),
    ("North Koreans", "NORP", "PRK"),
    ("Zelenskyy", "PERSON", "Volodymyr Zelenskyy"),
    ("Putin", "PERSON", "Vladimir Putin"),
    ("North Korean", "NORP", "PRK"),
    ("Kursk", "GPE", None),
    ("Kyiv", "GPE", "UKR"),
    ("Ukrainian", "NORP", "UKR"),
    ("Andrii Sybiha", "PERSON", "Andrii Sybiha"),
    ("German", "NORP", "DEU"),
    ("Annalena Baerbock", "PERSON", "Annalena Baerbock"),
    ("North Korean", "NORP", "PRK"),
    ("Ukraine", "GPE", "UKR"),
    ("Europe", "LOC", None),
    ("North Korean", "NORP", "PRK"),
    ("Europe", "LOC", None),
    ("European", "NORP", None),
    ("West", "LOC", None),
    ("Russia", "GPE", "RUS"),
    ("Sybiha", "PERSON", "Andrii Sybiha"),
    ("Baerbock", "PERSON", "Annalena Baerbock"),
    ("Ukraine", "GPE", "UKR"),
    ("Baerbock", "PERSON", "Annalena Baerbock"),
    ("Germany", "GPE", "DEU"),
    ("Ukraine", "GPE", "UKR"),
    ("United Nations Security Council", "ORG", "UN Security Council"),
    ("United States", "GPE", "USA"),
    ("Russia", "GPE", "RUS"),
    ("China", "GPE", "CHN"),
    ("North Korea", "GPE", "PRK"),
    ("UN", "ORG", "United Nations"),
    ("Seoul", "GPE", "KOR"),
    ("South Korea", "GPE", "KOR"),
    ("European Union", "ORG", "European Union"),
    ("North Korea", "GPE", "PRK"),
    ("Russian Federation", "GPE", "RUS"),
    ("Ukraine", "GPE", "UKR"),
    ("Russia", "GPE", "RUS"),
    ("North Korea", "GPE", "PRK"),
    ("Choe", "PERSON", "Choe Son Hui"),
    ("Russia", "GPE", "RUS"),
    ("Vladivostok", "GPE", None),
    ("Choe", "PERSON", "Choe Son Hui"),
    ("Russian", "NORP", "RUS"),
    ("Sergey Lavrov", "PERSON", "Sergey Lavrov"),
    ("North Korea", "GPE", "PRK"),
    ("Russia", "GPE", "RUS"),
    ("Ukraine", "GPE", "UKR"),
    ("Kremlin", "ORG", "RUS"),
    ("Putin", "PERSON", "Vladimir Putin"),
    ("Choe", "PERSON", "Choe Son Hui"),
    ("US", "GPE", "USA"),
    ("South Korea", "GPE", "KOR"),
    ("North Korea", "GPE", "PRK"),
    ("Russia", "GPE", "RUS"),
    ("Ukraine", "GPE", "UKR"),
    ("Moscow", "GPE", "RUS"),
    ("Pyongyang", "GPE", "PRK"),
]


def gold_spans(text: str) -> list[tuple[int, int, str, str | None]]:
    """(start, end, label, actor) of every gold mention, scanning the text forward."""
    out, cursor = [], 0
    for surface, label, actor in SEED_GOLD:
        start = text.find(surface, cursor)
        if start < 0:
            raise ValueError(f"gold mention {surface!r} not found after offset {cursor}")
        # whole words only
        while start >= 0 and (
            (start > 0 and text[start - 1].isalnum())
            or (start + len(surface) < len(text) and text[start + len(surface)].isalnum())
        ):
            start = text.find(surface, start + 1)
        if start < 0:
            raise ValueError(f"gold mention {surface!r} not found as a word after {cursor}")
        out.append((start, start + len(surface), label, actor))
        cursor = start + len(surface)
    return out
