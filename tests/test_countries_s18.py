"""Countries classes of issue 16, session 18, on the sentences they came from (the tuning rounds
in ``bench/gold/``; unlabelled OrangeSum articles outside every gold file, drawn with seeds
1918 and 1919 or found by their words). Each fails without its data line or its switch."""

from __future__ import annotations

import pytest

from search.ingest.entities import countries as gaz
from tests.test_entity_quality import countries

# -- the home town of a car maker or its test track, which the gazetteer lacked


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # round 16, orangesum-2824
        (
            "Au volant de la Supercar de Woking, celui-ci a couvert un tour du tracé allemand "
            "(4.574 km) en seulement 1 minute 40 secondes et 79 centièmes.",
            "GB",
        ),
        # round 16, orangesum-2412
        (
            "Une course dans laquelle Bugatti a bien failli le devancer en septembre dernier, en "
            "enregistrant sur la piste d'essais d'Ehra-Lessien avec un modèle Chiron sensiblement "
            "modifié, une vitesse maximale de 490.484 km/h (304.773 mph).",
            "DE",
        ),
        # round 8, orangesum-2089
        (
            "Le constructeur d'Affalterbach a levé le voile sur le nouveau Mercedes-AMG GLE 63 "
            "4MATIC+ Coupé, un SUV hautes performances.",
            "DE",
        ),
        # countries round 10, orangesum-772
        (
            "Le constructeur de Sant'Agata Bolognese qui est déjà présent dans le catalogue de "
            "LEGO avec ses modèles Lamborghini Urus ST-X et Lamborghini Huracán Super Trofeo.",
            "IT",
        ),
        # countries round 10, orangesum-6557 (both)
        (
            "Après un premier rendez-vous intitulé « Evening of Aston Martin » consacré aux "
            "modèles de Gaydon, deux ventes regrouperont des plateaux riches et variés.",
            "GB",
        ),
        (
            "RM Sotheby's continue d'étoffer son catalogue en vue de la Monterey Car Week 2019, un "
            "évènement durant lequel la maison internationale organisera trois vacations.",
            "US",
        ),
        (
            "Elle fut même primée au Concours d'Élégance de Pebble Beach 2014 après avoir fait "
            "l'objet d'une restauration complète.",
            "US",
        ),
        # tuning half, orangesum-9336
        (
            "L'Hypercar est encore en phase de développement du côté du Mercedes-AMG HPP (High "
            "Performance Powertrains) de Brixworth, mais a désormais quitté le stade de "
            "« projet ».",
            "GB",
        ),
    ],
)
def test_a_car_maker_s_town_names_its_country(text: str, code: str) -> None:
    """Data lines under the country's places in ``countries_fr.tsv``."""
    assert code in countries(text)


def test_monterey_in_an_article_on_mexico_is_mexico_s() -> None:
    """``Monterey`` lies under the United States and Mexico, default US (``ambiguous.tsv``):
    Mexico's Monterrey written with one r (unlabelled orangesum-34408) gives no US."""
    text = (
        "Le Mexique a enregistré officiellement plus de 64.000 morts. Il a décidé en fin de "
        "semaine dernière de lancer cette campagne gratuite de tatouage à Monterey, en "
        '"cadeau à tous ceux qui ont perdu quelque chose" pendant l\'épidémie.'
    )
    found = countries(text)
    assert "MX" in found
    assert "US" not in found


# -- a thing named after a place or a country's adjective (``not_places.txt``)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # round 15, orangesum-31564
        (
            "Ensuite est venu Monsieur Bourgogne qui a installé une voiture, puis une tente "
            "canadienne à la verticale sur une façade d'immeuble.",
            "CA",
        ),
        # round 16, orangesum-22038 (Saint-Omer gives FR, not Italy)
        (
            "En province aussi, les sites proposés sont des plus divers: du Centre national du "
            "costume de scène de Moulins au Théâtre à l'italienne de Saint-Omer.",
            "IT",
        ),
        # unlabelled orangesum-6726 (draw 1918)
        (
            "« Nous élargissons la famille Cayenne avec un modèle au fort caractère », a commenté "
            "Oliver Blume, le Président du Conseil d'administration de Porsche AG.",
            "FR",
        ),
        # unlabelled orangesum-8150
        (
            "Les modèles les plus vendus du constructeur allemand restent le Macan (86 031 unités) "
            "et le Cayenne (71 458 véhicules livrés).",
            "FR",
        ),
    ],
)
def test_a_thing_named_after_a_place_is_no_country(text: str, code: str) -> None:
    assert code not in countries(text)


def test_cayenne_the_town_still_counts() -> None:
    """Unlabelled orangesum-2059: the prefecture of French Guiana."""
    text = "L'homme a été interpellé mardi, a indiqué mercredi soir à l'AFP le parquet de Cayenne."
    assert "FR" in countries(text)


def test_the_french_community_of_belgium_is_belgian() -> None:
    """Round 8, orangesum-16019: a Belgian institution (a seat of BE), not France."""
    text = (
        "Accusé d'avoir détourné 500.000 euros pendant dix ans à son employeur, la Communauté "
        "française de Wallonie-Bruxelles (CFWB), il s'est défendu."
    )
    found = countries(text)
    assert "FR" not in found
    assert "BE" in found


# -- a hyphenated name whose second word lost its capital


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # round 16, orangesum-22038
        (
            "En tête de peloton, l'Allemagne avec 8.000 événements, suivie des Pays-bas (6.000) et "
            "de l'Angleterre (5.500).",
            "NL",
        ),
        # unlabelled orangesum-16121
        (
            "Moins strict que ses voisins européens, le Royaume-uni a aussi demandé aux "
            "hébergements médicalisés de limiter les visites.",
            "GB",
        ),
    ],
)
def test_a_hyphenated_name_with_a_lower_case_tail(text: str, code: str) -> None:
    assert code in countries(text)


def test_hyphen_lower_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ``HYPHEN_LOWER`` the tail must keep its capital (the test above then fails)."""
    monkeypatch.setattr(gaz, "HYPHEN_LOWER", False)
    assert "NL" not in countries("suivie des Pays-bas (6.000) et de l'Angleterre (5.500).")
