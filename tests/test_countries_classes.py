"""Countries classes of issue 16, session 17, on the sentences they came from (round 14,
``bench/gold/entities-round14.jsonl``; unlabelled OrangeSum articles outside every gold file).
Each fails without its data line."""

from __future__ import annotations

import pytest

from tests.test_entity_quality import countries


@pytest.mark.parametrize(
    "text",
    [
        # round 14, orangesum-2666
        "Des commerçants coréens, se sentant abandonnés par la police locale, avaient tiré sur "
        "les manifestants noirs du haut du toit de leurs immeubles pour protéger leurs boutiques.",
        # unlabelled orangesum-949
        "Le constructeur coréen Hyundai, par la voix de son responsable du design, a confirmé la "
        "future entrée en production de ses concepts électriques Prophecy et 45.",
    ],
)
def test_a_korean_adjective_alone_is_south_korea_s(text: str) -> None:
    """``coréen(ne)(s)`` default to KR in ``ambiguous.tsv`` (a data line)."""
    assert "KR" in countries(text)


def test_north_korea_named_decides_the_adjective() -> None:
    """The article's own mention of North Korea still decides (unlabelled orangesum-32466)."""
    text = (
        "Selon l'Agence météorologique, la tempête devrait se déplacer vers le nord-nord-ouest "
        "et passer au large de la côte ouest de Kyushu dans la nuit de dimanche à lundi avant "
        "d'atteindre la péninsule coréenne lundi matin.\n\nLa Corée du Nord se remet déjà à "
        "peine des dégâts infligés par un autre typhon récent."
    )
    found = countries(text)
    assert "KP" in found
    assert "KR" not in found


# -- second cycle: round 15's errors (bench/gold/entities-round15.jsonl) and unlabelled
# OrangeSum articles outside every gold file and rounds 14 to 16 (seeds 1760, 1761).


@pytest.mark.parametrize(
    "text",
    [
        # round 15, orangesum-12440
        "Le ministre de la Défense Jean-Yves Le Drian s'est endormi dès le début du débat entre "
        "Benoît Hamon et Manuel Valls mercredi soir.",
        # unlabelled orangesum-8158
        "Le début des soldes d'été est décalé du 24 juin au 15 juillet, a annoncé mardi 2 juin "
        "le ministre de l'Économie, Bruno Le Maire.",
        # unlabelled orangesum-21796
        "Une centaine de personnalités au total ont pris la plume, mercredi 2 octobre, pour "
        "rédiger une lettre ouverte adressée au chef de l'État, Emmanuel Macron.",
        # unlabelled orangesum-30365
        "La ministre des Armées Florence Parly a annoncé mercredi 4 avril que des sanctions "
        "seraient prises.",
    ],
)
def test_one_more_office_of_the_state_gives_france(text: str) -> None:
    """Offices added to ``french_cues.txt`` (data lines): alone in an article that names no
    country, one of them gives FR."""
    assert countries(text) == {"FR"}


def test_every_combining_form_of_a_chain_names_its_country() -> None:
    """Round 15, orangesum-25205: ``franco-libano-brésilien`` names FR, LB and BR
    (``PREFIX_CHAINS``)."""
    text = (
        "Le tribunal du district de Tokyo a proposé que le procès de l'industriel "
        "franco-libano-brésilien s'ouvre en septembre."
    )
    assert {"FR", "LB", "BR"} <= countries(text)


def test_tripoli_in_lebanon() -> None:
    """Tripoli is listed under Lebanon too (default Libya, ``ambiguous.tsv``): the article's
    Lebanon decides (unlabelled orangesum-4512, and 10 more articles on Lebanon)."""
    text = (
        "Il attend le déconfinement complet dans la ville d'Ehden, sur les hauteurs de Tripoli, "
        "au Liban, pays relativement épargné par l'épidémie."
    )
    found = countries(text)
    assert "LB" in found
    assert "LY" not in found


def test_tripoli_alone_is_libya_s() -> None:
    text = "Des combats ont éclaté dans la nuit au sud de Tripoli, selon des témoins."
    assert countries(text) == {"LY"}


@pytest.mark.parametrize(
    ("text", "code", "not_code"),
    [
        # round 15, orangesum-6211: an affair named after the country (as 'la guerre d'Algérie')
        (
            "Paul-Loup Sulitzer a un AVC en 2002 et est condamné dans \"l'Angolagate\" pour "
            "recel d'abus de bien sociaux.",
            "AO",
            None,
        ),
        # unlabelled orangesum-12136: New Britain, an island of Papua New Guinea, not Brittany
        (
            "Le jeune homme de 21 ans a été transporté à Rabaul, sur l'île papouasienne de "
            "Nouvelle-Bretagne, où il a été examiné par des médecins.",
            "PG",
            "FR",
        ),
    ],
)
def test_places_the_gazetteer_lacked(text: str, code: str, not_code: str | None) -> None:
    found = countries(text)
    assert code in found
    if not_code:
        assert not_code not in found


def test_richmond_near_london() -> None:
    """Richmond is listed under Britain and Canada too (default the United States,
    ``ambiguous.tsv``): an article on London keeps it British (unlabelled orangesum-15013,
    and 4 more articles of the archive)."""
    text = (
        "Le corps de la victime avait été découvert la semaine dernière, enterré dans son jardin "
        "à Richmond, dans la banlieue de Londres."
    )
    found = countries(text)
    assert "GB" in found
    assert "US" not in found


def test_richmond_alone_is_virginia_s() -> None:
    text = "Une statue confédérée a été démontée à Richmond mercredi."
    assert countries(text) == {"US"}
