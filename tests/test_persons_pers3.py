"""Persons recall of issue 16, session 18's third cycle: a relative named by the given name
alone, in apposition after the kin noun of a person the article names in full. Each rule test
is a real sentence (round 18, or the unlabelled corpus) and fails with its switch off."""

from __future__ import annotations

import pytest

from search.ingest.entities import persons as P
from tests.test_entity_quality import persons


def test_a_relative_in_apposition_after_the_kin_of_a_named_person() -> None:
    """``KIN_OF_NAMED``: "La femme de Joe Biden, Jill," (round 18, orangesum-35647), "la fille
    cadette de Karl Marx, Eleanor," (round 18, orangesum-34352), "le fils de Donald Trump,
    Barron," (the unlabelled pool, orangesum-17761)."""
    text = (
        "La femme de Joe Biden, Jill, s'est exprimée en fin de soirée depuis une école de "
        "Wilmington, dans le Delaware."
    )
    assert "Jill" in persons(text)
    text = (
        "Susanna Nicchiarelli, qui promet de se pencher sur les convictions féministes de la "
        "fille cadette de Karl Marx, Eleanor, dans \"Miss Marx\", ou la Norvégienne Mona Fastwold."
    )
    assert "Eleanor" in persons(text)
    text = (
        "Selon le site américain TMZ, le fils de Donald Trump, Barron, aurait pris au sérieux la "
        "mauvaise blague de l'humoriste."
    )
    assert "Barron" in persons(text)


def test_the_rule_needs_its_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``KIN_OF_NAMED`` off the given name is dropped again (the base's output)."""
    monkeypatch.setattr(P, "KIN_OF_NAMED", False)
    text = (
        "La femme de Joe Biden, Jill, s'est exprimée en fin de soirée depuis une école de "
        "Wilmington, dans le Delaware."
    )
    assert "Jill" not in persons(text)


def test_no_relative_when_the_apposition_goes_on() -> None:
    """The given name must close the apposition: "la femme de Joe Biden, Jill Biden" is the
    full name's business, a single word before a capitalised word is not taken alone."""
    text = "La femme de Joe Biden, Jill Biden, s'est exprimée en fin de soirée."
    assert "Jill" not in persons(text)


def test_a_full_name_run_on_into_a_party_or_a_firm() -> None:
    """``RUN_ON_NAMES``: "le think tank de Xavier Bertrand" then "après le départ de Xavier
    Bertrand des Républicains" (round 18, orangesum-22253); "Stéphane Plaza" then "le réseau
    des agences Stéphane Plaza Immobilier" (round 18, orangesum-16831). The model spans the
    longer form as a person; the full name alone is the person."""
    text = (
        "L'ex-socialiste va pourtant rejoindre la Manufacture, le think tank de Xavier Bertrand. "
        "Le mouvement avait été réactivé en décembre dernier après le départ de Xavier Bertrand "
        "des Républicains."
    )
    found = persons(text)
    assert "Xavier Bertrand" in found
    assert "Xavier Bertrand des Républicains" not in found
    text = (
        "Stéphane Plaza en profite ainsi pour se confier au Figaro sur ses projets. Depuis 2015, "
        "l'animateur développait le réseau des agences Stéphane Plaza Immobilier."
    )
    found = persons(text)
    assert "Stéphane Plaza" in found
    assert "Stéphane Plaza Immobilier" not in found
