"""``bench/entities.py --interval``: the per-article counts match ``score.py``'s totals and
the bootstrap interval says how far a score of a small gold file can be trusted."""

from pathlib import Path

import pytest

from tests.conftest import bench_module, write_jsonl

ROOT = Path(__file__).resolve().parent.parent
SCORE = ROOT.parent / "shared" / "gold" / "score.py"


@pytest.fixture(scope="module")
def bench():
    return bench_module("entities")


@pytest.mark.skipif(not SCORE.exists(), reason="needs ../shared/gold/score.py")
def test_counts_match_names_as_score_py_does(bench, tmp_path):
    gold = write_jsonl(
        tmp_path / "gold.jsonl",
        [
            {
                "id": "a",
                "gold": {
                    "persons": ["Élisabeth Borne", "Olivier Véran"],
                    "countries": ["FR", "DE"],
                },
            },
            {"id": "b", "gold": {"persons": None, "countries": ["IT"]}},
        ],
    )
    pred = write_jsonl(
        tmp_path / "pred.jsonl",
        [
            {
                "id": "a",
                "persons": [
                    {"name": "Elisabeth Borne", "mentions": 2},
                    {"name": "Véran", "mentions": 1},
                ],
                "countries": [{"code": "FR"}],
            },
            {"id": "b", "persons": [{"name": "Mario Draghi"}], "countries": ["IT", "ES"]},
        ],
    )
    # accents folded as score.py folds them; a surname alone is no strict match; a
    # countries-only article counts no persons
    assert bench.article_counts(gold, pred) == [(1, 2, 2, 1, 1, 2), (0, 0, 0, 1, 2, 1)]


def test_interval_holds_the_point_and_narrows_with_more_articles(bench):
    # 80 articles of 3 names each, one wrong name in every fourth: precision 0.9167
    small = [(2, 3, 3, 1, 1, 1) if i % 4 == 0 else (3, 3, 3, 1, 1, 1) for i in range(80)]
    big = small * 10
    p_small, low_small, high_small = bench.bootstrap(small)["persons P"]
    p_big, low_big, high_big = bench.bootstrap(big)["persons P"]
    assert p_small == p_big == pytest.approx(220 / 240)
    assert low_small < p_small < high_small
    assert high_big - low_big < (high_small - low_small) / 2
    # nothing varies between articles: no width at all
    assert bench.bootstrap([(1, 1, 1, 1, 1, 1)] * 50)["countries R"] == (1.0, 1.0, 1.0)
