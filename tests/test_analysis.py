"""The French analyzer on real phrases from the corpus."""

import pytest

from search.analysis import analyze, exact_analyzer, french_analyzer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("l'État", ["etat"]),
        ("L’État", ["etat"]),
        ("jusqu'à la fin", ["fin"]),
        ("jusqu’au bout", ["bout"]),
        ("qu’il parte", ["part"]),
        ("lorsqu'elle arrive", ["arriv"]),
        ("puisqu'on le dit", ["dit"]),
        ("d'Anthony Blinken", ["anthony", "blinken"]),
        ("aujourd'hui", ["aujourd'hui"]),
        ("aujourd’hui", ["aujourd'hui"]),
    ],
)
def test_elision(text: str, expected: list[str]) -> None:
    assert analyze(text) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Tokaïev", "tokaiev"),
        ("manifestations", "manifestation"),
        ("cœur", "coeur"),
        ("États-Unis", "etats-unis"),
        ("Etats-Unis", "États-Unis"),
        ("pêche", "peche"),
        ("péché", "peche"),
        ("Américaines", "américain"),
        ("réformes", "reforme"),
    ],
)
def test_recall_view_meets(a: str, b: str) -> None:
    assert analyze(a) == analyze(b)
    assert analyze(a)


def test_exact_view_keeps_accents_and_compounds() -> None:
    assert analyze("Kassym-Jomart Tokaïev", exact=True) == ["kassym-jomart", "tokaïev"]
    assert analyze("pêche péché peche", exact=True) == ["pêche", "péché", "peche"]
    assert analyze("l'État et les États-Unis", exact=True) == ["état", "états-unis"]
    assert analyze("cœur", exact=True) == ["cœur"]


def test_recall_view_splits_compounds_keeping_positions() -> None:
    tokens = [
        (t.text, t.pos)
        for t in french_analyzer()("Kassym-Jomart Tokaïev", positions=True, chars=True)
    ]
    assert tokens == [("kassym", 0), ("jomart", 1), ("tokaiev", 2)]


def test_stop_words_are_removed_before_folding() -> None:
    # "été" (summer) is content in news; "a", "les", "des" are not.
    assert analyze("les manifestations de l'été a eu lieu") == ["manifest", "ete", "lieu"]


def test_character_offsets_point_into_the_original_text() -> None:
    text = "Washington : l’État, les États-Unis"
    spans = [text[t.startchar : t.endchar] for t in french_analyzer()(text, chars=True)]
    assert spans == ["Washington", "État", "États", "Unis"]


def test_nfd_input_is_normalised() -> None:
    nfd = "E\u0301tat re\u0301forme"
    assert analyze(nfd) == analyze("État réforme")
    assert analyze(nfd, exact=True) == ["état", "réforme"]


def test_exact_analyzer_is_a_fresh_chain() -> None:
    assert [t.text for t in exact_analyzer()("Moscou")] == ["moscou"]
