"""Persons recall of issue 16, session 19: a name glued to the word before it (the space lost
in the source), and a mononym the model calls a thing in a list of its persons. Each rule test
is a real sentence (a tuning file or the unlabelled corpus) and fails with its switch off."""

from __future__ import annotations

import pytest

from search.ingest.entities import persons as P
from tests.test_entity_quality import persons

GLUED = (
    "Depuis la fin de Glee, la série qui l'a révélé au grand public, la vie de Mark Salling est "
    "un véritable cauchemar. En effet, alors que sa carrière décollait dans le monde entier "
    "grâce au drama musical créé parRyan Murphy, le comédien est dans une tourmente médiatique "
    "sordide depuis décembre 2015."
)
GLUED_RUN = (
    "Dans la soirée du 20 octobre, sur le plateau de Touche pas à mon poste, les sbires de "
    "Cyril Hanouna ont regretté que Stéphane Guillon ait fait le choix de \"s'enfuir\", "
    "notamentBenjamin Castaldi qui a déjà eu quelques différends personnels avec lui par le "
    "passé..."
)
LISTED = (
    "Dénonçant une \"pseudo-élite\" intellectuelle, l'humoriste qui sévit notamment sur RTL a "
    "entrepris de parodier des couvertures de Télérama ou des Inrocks en singeant, pour la "
    "photo, l'attitude de ceux qui y figurent, comme Orelsan, Eddy de Pretto ou Booba. Le "
    "rappeur de Boulogne-Billancourt a d'ailleurs fait part de son mécontentement."
)
LISTED_MISC = (
    "Mr Saputo a aussi annoncé le retour de plusieurs joueurs de l'équipe actuel pour la "
    "saison 2013. Notons en particulier le retour des Patrice Bernier, Davy Arnaud, Marco Di "
    "Vaio, Alessandro Nesta, Matteo Ferrari, Nelson Rivas, Felipe, Troy Perkins et Andrew "
    "Wenger."
)


def test_a_name_glued_to_the_word_before() -> None:
    """``GLUED_NAMES``: "créé parRyan Murphy" (round 19, orangesum-17622: the model's MISC
    ``Murphy`` alone before), "notamentBenjamin Castaldi" (round 6, orangesum-17790)."""
    found = persons(GLUED)
    assert "Ryan Murphy" in found and "Murphy" not in found
    assert "Benjamin Castaldi" in persons(GLUED_RUN)


def test_glued_names_need_their_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(P, "GLUED_NAMES", False)
    assert "Ryan Murphy" not in persons(GLUED)


def test_no_glued_name_without_a_known_given_name() -> None:
    """The glued capitalised word must be a given name: "laFrance" or "leMonde" is not."""
    text = "Le journal leMonde Diplomatique publie une enquête sur la crise du logement."
    assert not any("Monde" in name for name in persons(text))


def test_a_mononym_in_a_list_of_people() -> None:
    """``LIST_MIXED``: "comme Orelsan (ORG), Eddy de Pretto ou Booba" (round 19,
    orangesum-7704), "Nelson Rivas, Felipe (MISC), Troy Perkins" (Wikinews, tuning-more)."""
    found = persons(LISTED)
    assert "Orelsan" in found and "Booba" in found
    assert "Felipe" in persons(LISTED_MISC)


def test_mixed_lists_need_their_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(P, "LIST_MIXED", False)
    found = persons(LISTED)
    assert "Orelsan" not in found and "Booba" not in found


def test_no_mononym_from_a_possessive_before_the_list() -> None:
    """A thing first in the list after "de" is the possessive's object, not a person."""
    text = "Le patron de Tesla, Elon Musk, et Jeff Bezos se disputent le marché des fusées."
    assert "Tesla" not in persons(text)


def test_no_mononym_from_examples_in_brackets() -> None:
    """A bracketed list gives examples of a plural noun, here brands (the unlabelled check,
    orangesum-26048: "Celio" and "Lacoste" were wrong persons before this guard)."""
    text = (
        "Parmi les boutiques et commerces les plus touchés : la brasserie huppée Le Fouquet's, "
        "des magasins de prêt-à-porter (Celio, Lacoste, Hugo Boss), le chocolatier Jeff de "
        "Bruges mais aussi le magasin du fabricant chinois de smartphones Xiaomi."
    )
    found = persons(text)
    assert "Celio" not in found and "Lacoste" not in found
