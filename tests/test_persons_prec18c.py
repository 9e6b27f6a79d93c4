"""Persons precision, issue 16, session 18, third cycle: firms taken for persons (round 18
released as tuning material). Each rule test is a real sentence of a tuning article and fails
with its switch (``FIRM_TAILS``, ``FIRM_APPOSITION``) off (checked)."""

from __future__ import annotations

from tests.test_entity_quality import persons


def test_a_firm_named_after_a_person_with_a_firm_word_last() -> None:
    """``FIRM_TAILS``: "le réseau des agences Stéphane Plaza Immobilier" (round 18,
    orangesum-16831: the animator stays, under his own name), "Avv. Giovanni Agnelli Plant"
    (round 9, orangesum-3974)."""
    text = (
        "Stéphane Plaza en profite ainsi pour se confier au Figaro sur ses projets "
        "professionnels. En février 2015, l'animateur développait le réseau des agences "
        "Stéphane Plaza Immobilier, tout en s'associant avec la chaîne de télévision."
    )
    found = persons(text)
    assert "Stéphane Plaza Immobilier" not in found
    assert "Stéphane Plaza" in found
    text = (
        "Le constructeur au trident a célébré ce 24 septembre la production de son 100 000ème "
        "modèle Ghibli sur le site d'assemblage italien Avv. Giovanni Agnelli Plant (AGAP), "
        "installé à Grugliasco, dans le Piémont."
    )
    assert not any("Agnelli" in p for p in persons(text))


def test_a_surname_that_is_also_a_firm_word_stays() -> None:
    """``FIRM_TAILS`` takes "Plant" only after two other words: the unlabelled pool
    (orangesum-33444)."""
    text = (
        "\"Il y avait beaucoup de choses mystiques qui se passaient là-bas\", confiait en juin "
        "2019 Robert Plant, le chanteur du groupe Led Zeppelin, dans un podcast."
    )
    assert "Robert Plant" in persons(text)


def test_a_name_alone_followed_by_a_firm_apposition() -> None:
    """``FIRM_APPOSITION``: "réalisée pour Homair, un spécialiste de l'hôtellerie de plein air"
    (round 18, orangesum-36900), "Morgan, le constructeur automobile installé à Malvern"
    (round 15, orangesum-9909)."""
    text = (
        "Selon une enquête OpinionWay réalisée pour Homair, un spécialiste de l'hôtellerie de "
        "plein air, et reprise par BFM TV, 61% des sondés ont décidé de faire attention à leurs "
        "dépenses pendant leurs congés."
    )
    assert "Homair" not in persons(text)
    text = (
        "Pashley Cycles, le plus vieux fabricant de cycles britannique (sa fondation remonte à "
        "1926), et Morgan, le constructeur automobile installé à Malvern, se sont associés pour "
        "créer une nouvelle gamme de bicyclettes Pashley-Morgan."
    )
    assert "Morgan" not in persons(text)


def test_a_person_named_in_full_before_a_firm_apposition_stays() -> None:
    """``FIRM_APPOSITION`` leaves a surname the article also writes after a given name (a
    constructed guard, not a corpus sentence)."""
    text = (
        "Le fondateur Pierre Morgan a quitté l'entreprise. Selon Morgan, le groupe doit encore "
        "se développer."
    )
    assert "Pierre Morgan" in persons(text)
