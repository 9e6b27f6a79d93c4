"""The archive's most frequent persons, issue 16, session 20 (audit of the persons facet over
30,050 unlabelled OrangeSum articles). Each test is a real sentence of the article the error
came from and fails with its switch off (``SHIPS_AND_SQUARES`` in ``persons.py``,
``PARTICLE_SURNAMES`` and ``COMPOUND_ALONE`` in ``search/index/people.py``) (checked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.index import people
from search.index.people import PersonTable, Resolved
from tests.test_entity_quality import persons


def test_a_ship_under_its_flag_or_a_square_is_no_person() -> None:
    """``SHIPS_AND_SQUARES``: orangesum-15072, orangesum-14894, orangesum-3481."""
    for text in (
        "Coronavirus : 50 cas positifs sur le porte-avions français Charles de Gaulle. "
        "C'est confirmé. Cinquante membres de l'équipage du porte-avions français Charles de "
        "Gaulle, qui peut accueillir jusqu'à 2.000 marins, ont été testés positifs.",
        "Les marins du porte-avion Charles de Gaulle, avaient reçu l'autorisation de la part de "
        "leur commandement de descendre à terre lors de l'escale à Brest.",
        "Plusieurs centaines de personnes, dont des lycéens et des étudiants, étaient "
        "rassemblées en rangs très serrés sur l'esplanade Charles de Gaulle, la grande place du "
        "centre de la ville.",
    ):
        assert "Charles de Gaulle" not in persons(text)
    # The man stays.
    text = (
        "L'édition 2020 du 14-Juillet débutera par un hommage au général Charles de Gaulle, "
        "dont la mémoire est célébrée cette année."
    )
    assert "Charles de Gaulle" in persons(text)


def _table(tmp_path: Path, rows: list[tuple[str, str]]) -> PersonTable:
    table = PersonTable(tmp_path)
    for article, name in rows:
        table.add(article, 738000, [Resolved(name, name, 1)])
    return table


def test_a_surname_with_its_particle_takes_the_archives_full_name(tmp_path: Path) -> None:
    """``PARTICLE_SURNAMES``: "en référence à la manifestation de soutien au général de
    Gaulle" (orangesum-18649) stood as the person "de Gaulle" beside "Charles de Gaulle"."""
    table = _table(tmp_path, [("a1", "Charles de Gaulle"), ("a2", "Charles de Gaulle")])
    try:
        assert table.canonical("de Gaulle", 738000)[0] == "Charles de Gaulle"
        assert table.canonical("De Gaulle", 738000)[0] == "Charles de Gaulle"
    finally:
        table.close()


def test_a_compound_given_name_alone_is_not_its_last_part(tmp_path: Path) -> None:
    """``COMPOUND_ALONE``: "Jean-Alexandre" alone was resolved to "Alexandre Benalla"."""
    table = _table(tmp_path, [("a1", "Alexandre Benalla"), ("a2", "Alexandre Benalla")])
    try:
        assert table.canonical("Jean-Alexandre", 738000)[0] == "Jean-Alexandre"
        assert table.canonical("Benalla", 738000)[0] == "Alexandre Benalla"
    finally:
        table.close()
    (tmp_path / "b").mkdir()
    table = _table(tmp_path / "b", [("a1", "Eric Dupond-Moretti"), ("a2", "Eric Dupond-Moretti")])
    try:
        assert table.canonical("Dupond-Moretti", 738000)[0] == "Eric Dupond-Moretti"
    finally:
        table.close()


@pytest.mark.parametrize("switch", ["PARTICLE_SURNAMES", "COMPOUND_ALONE"])
def test_the_switches_are_what_resolves(tmp_path: Path, monkeypatch, switch: str) -> None:
    monkeypatch.setattr(people, switch, False)
    table = _table(
        tmp_path,
        [("a1", "Charles de Gaulle"), ("a2", "Charles de Gaulle"), ("a3", "Alexandre Benalla"),
         ("a4", "Alexandre Benalla")],
    )
    try:
        if switch == "PARTICLE_SURNAMES":
            assert table.canonical("de Gaulle", 738000)[0] == "de Gaulle"
        else:
            assert table.canonical("Jean-Alexandre", 738000)[0] == "Alexandre Benalla"
    finally:
        table.close()


def test_a_ranking_of_given_names_names_no_person() -> None:
    """``NAME_RANKINGS``: orangesum-22760 ("Les prénoms les plus donnés en France en 2018")."""
    text = (
        "En 2018, le prénom Emma, entré dans le top 10 des prénoms les plus donnés en 1999, "
        "arrive en première position. Il est suivi de Jade et de Louise, selon les chiffres "
        "publiés mardi 12 août par l'Institut national de la statistique (Insee).\n\n"
        "Le classement 2018 des prénoms masculins :\n\n1. Gabriel\n\n2. Raphaël\n\n3. Léo\n\n"
        "4. Louis\n\n5. Lucas\n\n6. Adam\n\n7. Arthur\n\n8. Jules\n\n9. Hugo\n\n10. Maël"
    )
    found = persons(text)
    for name in ("Emma", "Gabriel", "Louis", "Arthur", "Maël"):
        assert name not in found
    # A ranking of the year's searches keeps its singer (orangesum-1702).
    text = (
        "Les recherches de l'année, par prénom ou par nom :\n\n5. Greta (Thunberg)\n\n"
        "6. Le prince Harry et sa femme Meghan Markle\n\n7. Avengers : endgame\n\n8. Angèle\n\n"
        "9. Afrique du Sud\n\n10. Marseille"
    )
    assert "Angèle" in persons(text)


def test_a_particle_surname_beside_its_bearer_stays(tmp_path: Path) -> None:
    """"Le Pen" alone in an article on "Marion Maréchal-Le Pen" (orangesum-30185) is not the
    archive's dominant "Marine Le Pen"."""
    table = _table(tmp_path, [("a1", "Marine Le Pen"), ("a2", "Marine Le Pen")])
    try:
        got = table.resolve([("Marion Maréchal-Le Pen", 3), ("Le Pen", 1)], 738000)
        assert [r.canonical for r in got] == ["Marion Maréchal-Le Pen", "Le Pen"]
        got = table.resolve([("Le Pen", 1)], 738000)
        assert [r.canonical for r in got] == ["Marine Le Pen"]
    finally:
        table.close()
