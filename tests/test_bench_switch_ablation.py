"""``bench/switch_ablation.py``: a rule switched off shows as the names it found lost and the
wrong names it kept out let in, on the articles it changes and nowhere else."""

from pathlib import Path

import pytest

from tests.conftest import bench_module, write_jsonl
from tests.test_gold_held_out import HELD_OUT

ROOT = Path(__file__).resolve().parent.parent
SCORE = ROOT.parent / "shared" / "gold" / "score.py"
pytestmark = pytest.mark.skipif(not SCORE.exists(), reason="needs ../shared/gold/score.py")

# Real sentences of tuning files, each pinned by its rule's own test (test_persons_pers2.py,
# test_entity_countries.py).
HITLER = (
    "C'est là qu'un membre du groupe \"aurait salué Hitler\", rapporte le département de "
    "Malines du parquet d'Anvers."
)
COLOMBO = (
    "Des explosions ont visé l'église Saint-Antoine à Colombo, l'église Saint-Sébastien à "
    "Negombo, localité située au nord de la capitale du Sri Lanka."
)
MACRON = "Emmanuel Macron a reçu Angela Merkel à l'Élysée, a annoncé la présidence française."


@pytest.fixture(scope="module")
def bench():
    return bench_module("switch_ablation")


def _gold(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "gold.jsonl",
        [
            {
                "id": "hitler",
                "title": "",
                "body": HITLER,
                "gold": {"persons": ["Hitler"], "countries": ["BE"]},
            },
            {
                "id": "colombo",
                "title": "",
                "body": COLOMBO,
                "gold": {"persons": [], "countries": ["LK"]},
            },
            {
                "id": "macron",
                "title": "",
                "body": MACRON,
                "gold": {"persons": ["Emmanuel Macron", "Angela Merkel"], "countries": ["FR"]},
            },
        ],
    )


def test_a_persons_rule_off_loses_the_name_it_found(bench, tmp_path):
    rows = bench.ablate([_gold(tmp_path)], "persons", ["KNOWN_MONONYMS", "COLOURS"], workers=2)
    base, mononyms, colours = rows
    assert base["switch"] is None and base["gold"] == 3
    assert base["tp"] == 3  # Hitler, Emmanuel Macron, Angela Merkel
    assert mononyms["switch"] == "KNOWN_MONONYMS"
    assert (mononyms["dTP"], mononyms["dFP"], mononyms["articles"]) == (-1, 0, 1)
    assert (colours["dTP"], colours["dFP"], colours["articles"]) == (0, 0, 0)


def test_a_countries_rule_off_lets_the_wrong_country_in(bench, tmp_path):
    rows = bench.ablate([_gold(tmp_path)], "countries", ["CHURCH_SAINTS"], workers=1)
    base, saints = rows
    assert saints["dFP"] == 1 and saints["dTP"] == 0 and saints["articles"] == 1  # ES
    assert base["predicted"] - base["tp"] == saints["predicted"] - saints["tp"] - 1


def test_held_out_files_are_refused_and_left_out(bench):
    assert tuple(HELD_OUT) == bench.HELD_OUT
    assert not {p.name for p in bench.tuning_files()} & set(HELD_OUT)
    with pytest.raises(SystemExit, match="held out"):
        bench.ablate([ROOT / "bench" / "gold" / HELD_OUT[0]], "persons", [])


def test_unknown_switch_is_refused(bench, tmp_path):
    with pytest.raises(SystemExit, match="NO_SUCH_RULE"):
        bench.ablate([_gold(tmp_path)], "persons", ["NO_SUCH_RULE"])
    assert "KNOWN_MONONYMS" in bench.switches("persons")
    assert "CHURCH_SAINTS" in bench.switches("countries")
