"""Persons precision, issue 16, session 19: places taken for persons (round 19 released as
tuning material, 300 unlabelled OrangeSum articles drawn with seed 2601). Each rule test is a
real sentence of the article it came from and fails with its switch
(``LOCATIVE_BUILDINGS``, ``PLACE_IN_REGION``) off (checked)."""

from __future__ import annotations

from tests.test_entity_quality import persons


def test_a_building_after_a_preposition_of_place_is_no_person() -> None:
    """``LOCATIVE_BUILDINGS``: "transportées à l'hôpital Georges Pompidou" (unlabelled,
    orangesum-30022), "pénètrent dans l'hôpital Henri Duffaut d'Avignon" (orangesum-13766)."""
    text = (
        "Deux personnes ont été blessées. Elles ont été transportées à l'hôpital Georges "
        "Pompidou, dans le 15e arrondissement de la capitale."
    )
    assert not any("Pompidou" in p for p in persons(text))
    text = (
        "Il est aux environs de 20 heures, ce samedi 18 juin quand trois jeunes en mal d'idées "
        "pénètrent dans l'hôpital Henri Duffaut d'Avignon comme l'indique La Provence."
    )
    assert not any("Duffaut" in p for p in persons(text))


def test_a_person_after_a_building_of_which_he_is_head_stays() -> None:
    """``LOCATIVE_BUILDINGS`` leaves "de l'hôpital" + a full name (an apposition: a
    constructed guard, not a corpus sentence)."""
    text = "Le directeur de l'hôpital Jean Martin a démenti toute erreur du personnel."
    assert "Jean Martin" in persons(text)


def test_a_town_before_its_region_is_no_person() -> None:
    """``PLACE_IN_REGION``: "dans un tabac de Vibo Valentia, en Calabre" (round 19,
    orangesum-12916), "à Corpus Christi et Kingsville dans le Texas" (unlabelled,
    orangesum-16965), "située à Pléneuf Val-André dans les Côtes-d'Armor" (orangesum-11723)."""
    text = (
        "Le mystérieux acheteur, qui ne s'est pas encore fait connaitre, avait payé son billet "
        "gagnant 3 euros dans un tabac de Vibo Valentia, en Calabre, dans le sud du pays."
    )
    assert "Vibo Valentia" not in persons(text)
    text = (
        "Les personnels et avions d'entraînement de deux bases de la marine américaine, à "
        "Corpus Christi et Kingsville dans le Texas, ont été évacués."
    )
    assert "Kingsville" not in persons(text)
    text = (
        "Un homme de 93 ans s'est éclipsé de sa maison de retraite, située à Pléneuf Val-André "
        "dans les Côtes-d'Armor, pour rejoindre sa petite-amie, rapporte France Bleu Armorique."
    )
    assert "Pléneuf Val-André" not in persons(text)


def test_a_person_named_in_full_before_a_region_stays() -> None:
    """``PLACE_IN_REGION`` needs no given name first (a constructed guard)."""
    text = "La visite d'Emmanuel Macron, en Corse, a été reportée à la semaine prochaine."
    assert "Emmanuel Macron" in persons(text)
