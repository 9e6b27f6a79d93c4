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
