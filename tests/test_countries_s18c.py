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
