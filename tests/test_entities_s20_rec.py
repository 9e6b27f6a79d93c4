"""Persons recall, issue 16, session 20: round 21 released as tuning material, every tuning
file's missed persons and 200 unlabelled OrangeSum articles (seed 2901) sorted into classes.
Each rule test is real sentences of the articles it came from and fails with its switch
(``KIN_BEFORE_GIVEN``, ``WORLD_OWNERS``) off (checked with ``monkeypatch`` below and by
setting each to ``False`` in ``persons.py``)."""

from __future__ import annotations

import pytest

from search.ingest.entities import persons as P
from tests.test_entity_quality import persons

# Round 21, orangesum-28896.
MAELYS_PARENTS = (
    "Hormis les juges d'instruction, Nordahl Lelandais et son avocat, le procureur de Grenoble "
    "sera également présent. Les services de gendarmerie participeront aussi à cette "
    "reconstitution. Les parents de Maëlys, Jennifer et Joachim de Araujo, devraient, "
    "eux-aussi, venir, selon BFMTV."
)
# Unlabelled, orangesum-30832 (title and first paragraph).
FIONA_FATHER = (
    "Le témoignage bouleversant du père de Fiona\n\nLe palais de justice du Puy-en-Velay a vécu "
    "un moment bouleversant ce vendredi 9 février. Appelé à la barre de la cour d'assises, "
    "Nicolas Chafoulais, le père de Fiona, morte en 2013 et dont le corps n'a jamais été "
    "retrouvé, a livré un témoignage poignant."
)
# Unlabelled, orangesum-30814.
LITTLE_MAELYS = (
    "Selon ces témoignages, la petite Maëlys n'aurait donc pas pu se trouver dans la voiture "
    "de Nordhal Lelandais à cette heure."
)


def test_a_given_name_after_its_kin_or_la_petite_is_a_person() -> None:
    """``KIN_BEFORE_GIVEN``: "Les parents de Maëlys", "le père de Fiona", "la petite Maëlys"."""
    assert "Maëlys" in persons(MAELYS_PARENTS)
    found = persons(FIONA_FATHER)
    assert "Fiona" in found and "Nicolas Chafoulais" in found
    assert "Maëlys" in persons(LITTLE_MAELYS)


@pytest.mark.parametrize("text", [MAELYS_PARENTS, FIONA_FATHER, LITTLE_MAELYS])
def test_the_cue_is_the_switch(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """With ``KIN_BEFORE_GIVEN`` off the given name is lost again (what the rule adds)."""
    monkeypatch.setattr(P, "KIN_BEFORE_GIVEN", False)
    found = persons(text)
    assert "Maëlys" not in found and "Fiona" not in found


def test_no_given_name_no_person() -> None:
    """A name that is no given name of the lists is left to the other rules: "la famille de
    Gaulle" gives no "Gaulle" (a constructed guard)."""
    assert "Gaulle" not in persons("Il a reçu la famille de Gaulle à Colombey samedi.")


# Round 21, orangesum-16262; unlabelled, orangesum-3606.
ALIAGAS_SHOW = (
    "Polémiste dans On n'est pas couché, Yann Moix n'avait pas hésité à descendre le rappeur "
    "Nekfeu. Invité le 5 janvier dans l'émission de Nikos Aliagas De quoi j'ai l'air ? sur "
    "Europe 1, il s'est excusé auprès du chanteur."
)
PENN_FILM = (
    "Le bus, devenu un lieu de pèlerinage en Alaska pour des aventuriers du monde entier, "
    'notamment depuis son apparition dans le film de Sean Penn "Into the wild", a été '
    "déplacé afin de protéger le public."
)


def test_the_owner_of_a_show_with_a_given_name_of_the_world() -> None:
    """``WORLD_OWNERS``: "l'émission de Nikos Aliagas", "le film de Sean Penn"."""
    assert "Nikos Aliagas" in persons(ALIAGAS_SHOW)
    assert "Sean Penn" in persons(PENN_FILM)


@pytest.mark.parametrize(
    ("text", "name"), [(ALIAGAS_SHOW, "Nikos Aliagas"), (PENN_FILM, "Sean Penn")]
)
def test_world_owners_is_the_switch(monkeypatch: pytest.MonkeyPatch, text: str, name: str) -> None:
    monkeypatch.setattr(P, "WORLD_OWNERS", False)
    assert name not in persons(text)
