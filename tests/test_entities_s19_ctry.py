"""Countries, session 19 (issue 16): precision on articles no rule had seen. The classes come
from the countries the extractor gave on 300 unlabelled OrangeSum articles from one weak
mention (``docs/facets.md``, "Session 19, ctry"); each case is a sentence of the article it came
from and fails with its switch off (or, for the data line, with 73a5cc7's gazetteer)."""

from __future__ import annotations

import pytest

from search.ingest.entities import countries as C
from tests.test_entity_quality import countries

# QUOTED_PLACES: a town, a capital or an adjective quoted alone names a work or a product.
QUOTED = [
    # a song (orangesum-6941)
    (
        'Le Parisien révèle ce jeudi 24 mai que l\'interprète de "Vancouver" et son fils '
        "Christopher Stills ainsi que le père de ce dernier, Stephen Stills, monteraient aussi "
        "sur scène avec elle.",
        "CA",
    ),
    # a film (orangesum-4998)
    (
        'Des séries bien-aimées du public comme "Friends" aux classiques du cinéma comme '
        '"Casablanca" et "Citizen Kane", en passant par la saga des "Batman", tous côtoieront '
        "les prestigieuses séries de HBO au sein du nouveau service.",
        "MA",
    ),
    # a car's livery (orangesum-2675)
    (
        "Des finitions intérieures en cuir « Oxford Tan », « Pure Black », « Cormorant » et "
        "« Ivoire » sont également disponibles, aux côtés des livrées extérieures « Xenon Grey "
        "», « Arizona » et « Ultramarine Black ».",
        "US",
    ),
    # a product (round 14, orangesum-25003: its gold has no country)
    (
        "La marque a fait savoir sur son site que cinq lots de la poêlée surgelée "
        '"La Parisienne" sont ainsi concernés.',
        "FR",
    ),
]

# TECTONIC_PLATES: an adjective naming a tectonic plate names no country.
PLATES = [
    (  # orangesum-15536 (and the same AFP paragraph in orangesum-33276, -33360)
        "L'Indonésie, un archipel de 17.000 îles et îlots qui s'est formé par la convergence "
        "de trois grandes plaques tectoniques (indo-pacifique, australienne, eurasienne) se "
        "trouve sur la ceinture de feu du Pacifique, une zone de forte activité sismique.",
        "AU",
    ),
    (  # orangesum-2280
        "Certains considèrent que la vitesse d'ouverture du rift est-africain est suffisamment "
        "importante pour justifier l'existence d'une plaque supplémentaire, dite somalienne, "
        "située à l'est du rift et qui s'éloigne progressivement du reste de la plaque africaine.",
        "SO",
    ),
]


@pytest.mark.parametrize(("text", "code"), QUOTED)
def test_place_quoted_alone_is_no_country(text: str, code: str) -> None:
    assert code not in countries(text)


@pytest.mark.parametrize(("text", "code"), QUOTED)
def test_quoted_places_switch(monkeypatch: pytest.MonkeyPatch, text: str, code: str) -> None:
    monkeypatch.setattr(C, "QUOTED_PLACES", False)
    assert code in countries(text)


def test_quoted_country_name_and_named_elsewhere_still_count() -> None:
    # a country's own name quoted is the country (orangesum-16813)
    text = 'Il s\'est apparemment embrouillé sur le nom de la "Namibie", le prononçant mal.'
    assert "NA" in countries(text)
    # a quoted place is weak evidence: named elsewhere, its country stays
    assert "CA" in countries('Elle a chanté "Vancouver" à Vancouver devant 2000 personnes.')


@pytest.mark.parametrize(("text", "code"), PLATES)
def test_tectonic_plate_is_no_country(text: str, code: str) -> None:
    assert code not in countries(text)


@pytest.mark.parametrize(("text", "code"), PLATES)
def test_tectonic_plates_switch(monkeypatch: pytest.MonkeyPatch, text: str, code: str) -> None:
    monkeypatch.setattr(C, "TECTONIC_PLATES", False)
    assert code in countries(text)


def test_licence_plate_keeps_its_country() -> None:
    # orangesum-1304: a licence plate's adjective is the country's
    text = (
        "L'appel à renseignement porte notamment sur deux véhicules qu'il aurait utilisés: "
        "un van Volkswagen T3 Westfalia blanc et jaune avec une plaque portugaise."
    )
    assert "PT" in countries(text)


def test_colombie_britannique_without_hyphen() -> None:
    # orangesum-15396 (and -15921, -1605): British Columbia, no Colombia nor United Kingdom
    text = (
        '"Aucun tsunami n\'a été observé" et "il n\'y a plus de danger pour la côte ouest des '
        "Etats-Unis, la Colombie britannique (ouest du Canada, ndlr) ou l'Alaska\", écrit "
        "l'agence météorologique américaine chargée du système d'alerte aux tsunamis."
    )
    found = countries(text)
    assert "CA" in found
    assert not {"CO", "GB"} & found
    assert countries("Il vit à White Rock (Colombie britannique).") == {"CA"}
