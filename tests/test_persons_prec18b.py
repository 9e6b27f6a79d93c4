"""Persons precision, issue 16, session 18, second cycle: a firm's name taken for a person's
(round 17 released as tuning material). Each test is a real sentence of a tuning article and
fails with ``FIRM_CUE_NAMES`` off (checked)."""

from __future__ import annotations

from tests.test_entity_quality import persons


def test_a_publisher_or_a_label_named_after_a_person() -> None:
    """``FIRM_CUE_NAMES``: "aux Editions Bruno Doucey" (round 8, orangesum-34766), "aux
    éditions Michel lafon" (round 13, orangesum-7051), "label Caroline" (round 9,
    orangesum-34174)."""
    text = (
        "Une anthologie de ses poèmes avait été publiée en début d'année 2020 chez Gallimard. "
        "Peu après, sa santé avait brutalement déclinée. Ses derniers poèmes ont été publiés aux "
        "Editions Bruno Doucey sous le titre \"Par le sextant du soleil\"."
    )
    assert "Bruno Doucey" not in persons(text)
    text = (
        "Intitulé \"Briser le silence\" et publié aux éditions Michel lafon, il a été coécrit "
        "avec Pauline Guéna et devrait donner une version bien personnelle des faits."
    )
    found = persons(text)
    assert "Michel" not in found
    assert "Pauline Guéna" in found
    text = (
        "La réussite de \"Mesdames\" (qui sort vendredi, label Caroline) est que l'hôte laisse "
        "toujours de la place à l'autre."
    )
    assert "Caroline" not in persons(text)


def test_a_house_or_a_restaurant_named_after_people() -> None:
    """``FIRM_CUE_NAMES``: "PDG de la maison de maroquinerie Camille Fournet" (round 12,
    orangesum-27593), "les trois célèbres bouchons lyonnais Daniel et Denise" (round 9,
    orangesum-11217)."""
    text = (
        "Le chef cuisinier Régis Marcon, trois étoiles au Guide Michelin depuis 2005, est promu "
        "officier tandis qu'Agathe Bousquet, présidente de Publicis, Jean-Luc Déchéry, PDG de la "
        "maison de maroquinerie Camille Fournet, et Laurent Mignon, le nouveau patron de BPCE "
        "sont nommés chevaliers."
    )
    found = persons(text)
    assert "Camille Fournet" not in found
    assert {"Jean-Luc Déchéry", "Laurent Mignon", "Agathe Bousquet"} <= found
    text = (
        "\"C'est un exercice nouveau mais nous continuerons après la réouverture\", assure le "
        "patron des trois célèbres bouchons lyonnais Daniel et Denise."
    )
    found = persons(text)
    assert "Daniel" not in found
    assert "Denise" not in found


def test_a_person_after_a_parliamentary_group_or_an_in_house_driver_stays() -> None:
    """``FIRM_CUE_NAMES`` leaves "groupe" (but "groupe scolaire") and "maison" after no article
    alone: two sentences of the unlabelled pool (orangesum-21020, orangesum-8966)."""
    text = (
        "Orateur sur la motion commune des gauches, le président du groupe communiste André "
        "Chassaigne a affirmé en début d'après-midi que l'affaire \"Macron-Benalla\" avait "
        "\"ouvert une plaie qui ne se refermera pas\"."
    )
    assert "André Chassaigne" in persons(text)
    text = (
        "Le 25 octobre dernier, cette Porsche 911 GT2 RS MR préparée en collaboration avec le "
        "Manthey-Racing, et confiée au pilote maison Lars Kern, a en effet bouclé les 20.6 km du "
        "circuit allemand en seulement 6 minutes 40 secondes et 3 dixièmes."
    )
    assert "Lars Kern" in persons(text)

