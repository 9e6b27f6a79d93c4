"""Countries, session 19's second cycle (issue 16): precision on articles no rule had seen.
The classes come from round 20's errors, the other tuning files' and the countries given by one
weak mention on 300 unlabelled OrangeSum articles (``docs/facets.md``, "Session 19, second
cycle, ctry"); each case is a sentence of the article it came from and fails with its switch
off."""

from __future__ import annotations

import pytest

from search.ingest.entities import countries as C
from tests.test_entity_quality import countries

# EU_WILL_NOUNS: "de Bruxelles" after a noun of will, blame or sanction is the Union.
WILL = [
    # round 16, orangesum-31580 (gold: RO only)
    "Après avoir dominé la scène politique depuis la chute du communisme fin 1989, le PSD a vu "
    "sa cote de confiance s'effriter à la suite d'une réforme controversée de la justice qu'il "
    "avait lancée en 2017, malgré les mises en garde de Bruxelles.",
    # orangesum-22801
    "\"La politique d'Emmanuel Macron n'est en réalité que la servile application des "
    'injonctions de Bruxelles, au service d\'intérêts qui ne sont pas ceux des Français."',
    # orangesum-36966
    "Neuf autres pays de l'Union européenne sont dans le viseur de Bruxelles, qui a lancé la "
    "semaine dernière une procédure d'infraction.",
]

# EU_SUBJECT_PAST: "Bruxelles a lancé", "Bruxelles a déjà réservé" in an article naming the EU.
SUBJECT = [
    # orangesum-222 (title and first sentence)
    "Voyages annulés: l'UE monte au front pour le remboursement des voyages\n\nBruxelles a "
    "lancé jeudi une procédure d'infraction à l'encontre de dix pays de l'UE.",
    # orangesum-33159
    "C'est le quatrième accord trouvé dans le cadre de l'achat de vaccins par la Commission "
    "européenne. Bruxelles a déjà réservé 300 millions du vaccin en préparation du Français "
    "Sanofi.",
]

# PARTIES_ALONE: two different parties, none named three times, give no country.
PARTIES = [
    # round 19, orangesum-23355 (gold: no country)
    "Christophe Billan a annoncé au Figaro qu'il démissionnait de la présidence de "
    "l'émanation politique de la Manif pour tous, affiliée au parti Les Républicains. "
    '"Jamais, à titre personnel ou comme président de Sens commun, je n\'ai tendu la main au '
    'Front national, qui constitue à mes yeux une impasse", a-t-il répondu.',
    # round 20, orangesum-20109 (gold: no country)
    "Les Républicains : Marion Maréchal plus populaire que Laurent Wauquiez auprès des "
    "sympathisants\n\nMarion Maréchal recueille plus d'opinions favorables que Laurent "
    "Wauquiez auprès des sympathisants Les Républicains, révèle mercredi 24 octobre un sondage "
    "Ipsos pour Le Point. Marion Maréchal semble rassemblement assez largement à droite, "
    "puisque elle se positionne également bien dans l'électorat du Rassemblement national.",
]


@pytest.mark.parametrize("text", WILL)
def test_will_noun_before_bruxelles_is_the_union(text: str) -> None:
    assert "BE" not in countries(text)


@pytest.mark.parametrize("text", WILL)
def test_eu_will_nouns_switch(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(C, "EU_WILL_NOUNS", False)
    assert "BE" in countries(text)


@pytest.mark.parametrize("text", SUBJECT)
def test_bruxelles_subject_of_a_past_is_the_union(text: str) -> None:
    assert "BE" not in countries(text)


@pytest.mark.parametrize("text", SUBJECT)
def test_eu_subject_past_switch(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(C, "EU_SUBJECT_PAST", False)
    assert "BE" in countries(text)


def test_bruxelles_the_city_stays() -> None:
    # round 8, orangesum-16019: a court of the city, then "a" and a participle
    text = "Le tribunal correctionnel de Bruxelles a néanmoins condamné Claude M."
    assert "BE" in countries(text)
    # orangesum-19750: a place's noun before "de Bruxelles"
    assert "BE" in countries(
        "Un photographe de Reuters a eu accès au terminal de l'aéroport de Bruxelles où ont eu "
        "lieu les explosions."
    )
    # the subject of a past in an article that does not name the Union (a constructed sentence)
    assert "BE" in countries("Bruxelles a accueilli le sommet de l'Otan.")


@pytest.mark.parametrize("text", PARTIES)
def test_two_parties_alone_give_no_country(text: str) -> None:
    assert "FR" not in countries(text)


@pytest.mark.parametrize("text", PARTIES)
def test_parties_alone_switch(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(C, "PARTIES_ALONE", False)
    assert "FR" in countries(text)


def test_party_repeated_or_beside_a_state_cue_still_french() -> None:
    # PARTY_REPEATS (round 18): one party three times is French public life
    text = "La liste LREM a réagi. Pour la liste LREM, rien ne change. La liste LREM attend."
    assert "FR" in countries(text)
    # a state cue beside a party keeps FR as before
    assert "FR" in countries("Le préfet a reçu les élus du Rassemblement national.")


# HOLLANDE_FOLLOWERS: "hollandais" in lower case beside François Hollande is a supporter of his.
FOLLOWERS = [
    # orangesum-22769
    'Le socialiste, qui a récusé l\'étiquette de "hollandais historique", a également déclaré '
    "que l'ancien chef de l'État François Hollande, à qui il n'a pas demandé son \"feu vert\", "
    'ne le "décourage pas".',
    # orangesum-28394 (title and sentence)
    "Dîners secrets de François Hollande : il remet le couvert\n\nC'est en train de devenir un "
    'rituel de cette fin de quinquennat : un ministre "hollandais" invite les parlementaires '
    "de sa région à dîner dans son ministère, un mardi ou mercredi soir.",
]


@pytest.mark.parametrize("text", FOLLOWERS)
def test_hollande_supporter_is_no_dutch(text: str) -> None:
    assert "NL" not in countries(text)


@pytest.mark.parametrize("text", FOLLOWERS)
def test_hollande_followers_switch(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(C, "HOLLANDE_FOLLOWERS", False)
    assert "NL" in countries(text)


def test_dutch_stays_dutch() -> None:
    # orangesum-11523: no François Hollande in the article
    text = (
        "Il avait pris à partie un groupe de touristes hollandais. "
        '"C\'était plutôt un pauvre bougre."'
    )
    assert "NL" in countries(text)
