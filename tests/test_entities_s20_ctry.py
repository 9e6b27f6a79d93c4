"""Countries, session 20 (issue 16): precision on articles no rule had seen. The classes come
from round 21's errors, the other tuning files' and the countries given by one weak mention on
300 unlabelled OrangeSum articles (``docs/facets.md``, "Session 20, ctry"); each case is a
sentence of the article it came from and fails with its switch off (or its data line removed)."""

from __future__ import annotations

import pytest

from search.ingest.entities import countries as C
from tests.test_entity_quality import countries

# PLACE_NAME_SPEAKERS: a place that is a French given name, bare, with a verb of speech or a role
# beside it (or opening a sentence before a verb), is a person, and so is every bare use of it.
SPEAKERS = [
    # round 19, orangesum-12638 (gold: FR only)
    '"Je ne veux pas payer les dettes de l\'assassin de ma fille", a lâché au quotidien '
    "régional, Virginie. Le 3 janvier dernier, son mari, Frank Marchal, 45 ans, avait tué leur "
    "fille de 8 ans.\n\nDepuis le drame, Virginie tente tant bien que mal de se reconstruire à "
    "l'Isle-sur-Sorgue, dans le Vaucluse. \"En France, on peut se marier post mortem, mais on ne "
    'divorce pas les morts", déplore Virginie qui a d\'ores et déjà fait "opposition à l\'acte '
    "d'huissier\".",
    # orangesum-35931
    '"On est tous différents", souligne à l\'AFP Virginie, 24.000 abonnés sur Instagram et '
    "280.000 sur TikTok.\n\nVirginie s'est inspirée de blogueuses comme Stéphanie Zwicky ou "
    "Gaëlle Prudencio, basées à Lyon et Paris.\n\nMais la toile peut aussi être violente. "
    "Virginie va porter plainte pour cyberharcèlement.",
]


@pytest.mark.parametrize("text", SPEAKERS)
def test_speaking_given_name_is_no_place(text: str) -> None:
    assert "US" not in countries(text)


@pytest.mark.parametrize("text", SPEAKERS)
def test_given_name_places_switch(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(C, "PLACE_NAME_SPEAKERS", False)
    assert "US" in countries(text)


def test_the_state_stays() -> None:
    # orangesum-369, orangesum-32958: a preposition or an article before the state
    assert "US" in countries(
        "La ville de Richmond, en Virginie, a démonté un premier monument en mémoire de l'armée "
        "confédérée."
    )
    assert "US" in countries(
        "La Virginie avait voté pour Hillary Clinton en 2016 face à Donald Trump."
    )


# data line: "Nouvelle-Angleterre" is a region of the United States, not England.
NEW_ENGLAND = [
    # round 21, orangesum-16339 (gold: FR and US)
    "L'action se déroulerait dans les années 1970, dans une petite ville de la "
    "Nouvelle-Angleterre.",
    # orangesum-7469
    "D'autres responsables épiscopaliens de Nouvelle-Angleterre (nord-est) ont dans un "
    "communiqué dénoncé l'usage de la Bible.",
]


@pytest.mark.parametrize("text", NEW_ENGLAND)
def test_new_england_is_the_united_states(text: str) -> None:
    found = countries(text)
    assert "US" in found
    assert "GB" not in found
