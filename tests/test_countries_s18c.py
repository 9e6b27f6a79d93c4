"""Countries, session 18's third cycle (issue 16): the decisions of rounds 17 and 18's
annotators (``bench/gold/README.md``) the gazetteer did not follow yet, on the sentences of the
tuning rounds they came from. Each case fails with the data files of bfae4f8."""

from __future__ import annotations

import pytest

from tests.test_entity_quality import countries


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # A firm named after the country gives it: `Air France` alone -> FR (round 18,
        # orangesum-29001; every tuning article naming Air France has FR in its gold).
        (
            "Libération s'est procuré un document interne à la compagnie Air France qui va faire "
            "jaser alors que vont commencer des négociations salariales.",
            "FR",
        ),
        (
            "Ces salaires élevés pourraient bien servir au nouveau directeur général d'Air "
            "France-KLM.",
            "FR",
        ),
        # A film festival named by its town is that town (round 18, orangesum-34352).
        (
            "Plus de 100 d'entre eux, dont la Mostra, Cannes, Toronto ou Locarno ont signé la "
            'charte d\'engagement "50/50" pour la parité et la diversité.',
            "CH",
        ),
        # `macanais` gives CN, as `hongkongais` (round 18's decision; its article).
        (
            'Connu comme le "parrain" des casinos macanais, le magnat avait vu sa fortune '
            "décoller.",
            "CN",
        ),
    ],
)
def test_annotators_decisions(text: str, code: str) -> None:
    assert code in countries(text)


def test_air_france_klm_gives_no_netherlands() -> None:
    # round 18's decision: `Air France-KLM` gives no NL.
    found = countries("Le groupe Air France-KLM a publié ses résultats.")
    assert "NL" not in found
    assert "FR" in found


# A French party or union named three times or more is French public life
# (countries.PARTY_REPEATS); once or twice it gives no country.
RN_ARTICLE = (  # round 9, orangesum-17538 (title and two sentences of its body)
    "Le Rassemblement national accuse SOS Racisme... de racisme\n\n"
    "Un tacle du président de SOS Racisme à l'encontre d'un cadre du Rassemblement national "
    "sur Twitter n'a pas du tout plu au parti de Marine Le Pen. Mais elle est pourtant prise "
    "très au sérieux dans les rangs du Rassemblement national."
)


def test_party_named_three_times_gives_france() -> None:
    assert "FR" in countries(RN_ARTICLE)


def test_party_repeats_switch() -> None:
    from search.ingest.entities import countries as gaz

    saved = gaz.PARTY_REPEATS
    try:
        gaz.PARTY_REPEATS = 0
        assert "FR" not in countries(RN_ARTICLE)
    finally:
        gaz.PARTY_REPEATS = saved


@pytest.mark.parametrize(
    "text",
    [
        # round 5, orangesum-22335; countries round 10, orangesum-28776 (gold: no country)
        "Christophe Cambadélis, l'ex-premier secrétaire du Parti socialiste. Voici ce qu'ils "
        "proposent.",
        "Des cadres de Force ouvrière fichés dans un document interne. Pas moins de 126 "
        "responsables de Force ouvrière (FO) ont été fichés dans un document interne.",
    ],
)
def test_party_named_once_or_twice_gives_nothing(text: str) -> None:
    assert "FR" not in countries(text)


def test_polling_firm_csa_gives_nothing() -> None:
    # round 17, orangesum-11728: "sondage CSA" is the polling firm, not the regulator (its
    # annotators' decision); the regulator stays FR.
    assert "FR" not in countries(
        "Pendant le déconfinement, seuls 37% de leurs utilisateurs sont sûrs de les reprendre, "
        "selon un sondage CSA publié jeudi."
    )
    assert "FR" in countries("TF1 et M6 fermement mis en garde par le CSA.")
