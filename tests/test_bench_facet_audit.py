"""``bench/facet_audit.py``: ``top`` writes the persons facet's values as the product serves
them, with sentences naming them; ``score`` computes the precision from a verdicts file and
never judges a value it has no verdict for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.find.searcher import SearchEngine
from search.index.people import name_key
from tests.conftest import bench_module


@pytest.fixture(scope="module")
def audit():
    return bench_module("facet_audit")


def test_top_is_the_facet_in_its_order_with_contexts_naming_each_value(
    audit, samples_index: Path, tmp_path: Path
) -> None:
    def top(out: Path) -> int:
        args = ["--index", str(samples_index), "--n", "12", "--contexts", "2", "--seed", "7"]
        return audit.main(["top", *args, "--out", str(out)])

    out = tmp_path / "top.json"
    assert top(out) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    values = document["values"]
    engine = SearchEngine(samples_index)
    served = engine.stats(top=12)["persons"]
    # the values and counts the product serves, in its order
    assert [(v["value"], v["count"]) for v in values] == [(p["label"], p["count"]) for p in served]
    assert [v["rank"] for v in values] == list(range(1, 13))
    assert values[0]["count"] > values[-1]["count"]
    literal = 0
    for v in values:
        assert 1 <= len(v["contexts"]) <= 2
        assert len({c["article"] for c in v["contexts"]}) == len(v["contexts"])
        if v["count"] >= 2:
            assert len(v["contexts"]) == 2
        for c in v["contexts"]:
            # the article is one of the value's (its persons, as the product shows them)
            labels = [
                p.get("label") or p.get("value") for p in engine.article(c["article"])["persons"]
            ]
            assert v["value"] in labels, (v["value"], c["article"], labels)
            # the sentence names the person, in the article's spelling of the value
            assert c["name"] in c["sentence"], c
            assert set(name_key(c["name"]).split()) <= set(name_key(v["value"]).split()), c
            literal += v["value"] in c["sentence"]
    assert literal >= len(values)  # most contexts write the value itself
    # seeded: the same call writes the same file
    again = tmp_path / "again.json"
    top(again)
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_score_counts_verdicts_and_lists_unjudged_values_to_judge(
    audit, tmp_path: Path, capsys
) -> None:
    top = tmp_path / "top.json"
    values = [
        {"rank": 1, "value": "Emmanuel Macron", "count": 60},
        {"rank": 2, "value": "François", "count": 30},
        {"rank": 3, "value": "Edouard Philippe", "count": 20},
        {"rank": 4, "value": "Lego Technic", "count": 10},
        {"rank": 5, "value": "Jean Castex", "count": 5},  # no verdict
    ]
    top.write_text(json.dumps({"values": values}), encoding="utf-8")
    verdicts = tmp_path / "verdicts.tsv"
    verdicts.write_text(
        "# judged in the test\n"
        "Emmanuel Macron\ta\t\n"
        "François\tb\tseveral people\n"
        "Edouard Philippe\ta\n"
        "Lego Technic\tc\ta toy\n"
        "Olivier Véran\ta\tnot in the top\n",
        encoding="utf-8",
    )
    result = audit.score(audit.read_values(top), audit.read_verdicts(verdicts), cuts=(2, 4))
    cuts = {r["top"]: r for r in result["cuts"]}
    assert sorted(cuts) == [2, 4, 5]
    assert (cuts[2]["right"], cuts[2]["judged"], cuts[2]["precision"]) == (1, 2, 0.5)
    assert (cuts[2]["right_articles"], cuts[2]["articles"]) == (60, 90)
    assert cuts[4]["precision"] == 0.5 and cuts[4]["weighted"] == 80 / 120
    # the unjudged value is neither right nor wrong: precision over the judged, with bounds
    assert (cuts[5]["judged"], cuts[5]["to_judge"], cuts[5]["precision"]) == (4, 1, 0.5)
    assert (cuts[5]["low"], cuts[5]["high"]) == (2 / 5, 3 / 5)
    assert cuts[5]["judged_articles"] == 120 and cuts[5]["articles"] == 125
    assert [(v["value"], v["verdict"]) for v in result["wrong"]] == [
        ("François", "b"),
        ("Lego Technic", "c"),
    ]
    assert [v["value"] for v in result["to_judge"]] == ["Jean Castex"]
    assert audit.main(["score", str(top), "--verdicts", str(verdicts), "--cuts", "2", "4"]) == 0
    printed = capsys.readouterr().out
    assert "to judge (no verdict): 1\n  5. Jean Castex [5]" in printed
    assert "| top 2 | 1/2 | 1/2 (0.500) | 60/90 (0.667) | 0 |" in printed
    verdicts.write_text("Jean Castex\tx\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not one of"):
        audit.read_verdicts(verdicts)


def test_the_shipped_verdicts_file_reads_and_holds_the_audit(audit) -> None:
    """Every line parses; the audit's (b)/(c) values are there with their classes."""
    verdicts = audit.read_verdicts(audit.VERDICTS)
    assert len(verdicts) == 401
    assert verdicts["Pierre"][0] == "c" and verdicts["François"][0] == "b"
    assert verdicts["Emmanuel Macron"][0] == "a"
    assert sum(v == "a" for v, _ in verdicts.values()) == 380
