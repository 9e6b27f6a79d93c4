"""The NER fine-tuning of session 19 (``bench/ner_train.py``, issue 16): the gold persons'
spans it projects on the text the model reads, the base model's spans it rehearses, and a
training run that gives the same weights twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import bench_module

ROOT = Path(__file__).resolve().parent.parent
ROUND4 = ROOT / "bench" / "gold" / "entities-round4.jsonl"


@pytest.fixture(scope="module")
def bench():
    return bench_module("ner_train")


def spans(bench, text: str, names: list[str]) -> list[str]:
    return [text[s:e] for s, e, _n in bench.find_mentions(text, names)[0]]


def test_a_gold_article_gets_its_persons_spans(bench) -> None:
    """orangesum-17954 (round 4): "Emmanuel Macron" in full, "Brigitte" alone (a given name no
    other gold person has), "Macron" after "M."; "Macron" inside "Emmanuel Macron" counts once."""
    [art] = [a for a in bench.load_articles([ROUND4]) if a.id == "orangesum-17954"]
    assert art.persons == ["Emmanuel Macron", "Brigitte"]
    found = spans(bench, art.read, art.persons)
    assert "Brigitte" in found
    assert found.count("Emmanuel Macron") >= 2
    assert "son épouse Brigitte, très impliquée" in art.read  # the read keeps the sentence


def test_surnames_with_particles_titles_and_elisions(bench) -> None:
    text = (
        "M. Le Pen a répondu à Mme de Gaulle. Selon Van der Bellen, l'idée d'Emmanuel Macron "
        "plaît à Marine. La rue Jean-Marie Le Pen n'existe pas ; Pen seul non plus."
    )
    names = ["Jean-Marie Le Pen", "Geneviève de Gaulle", "Alexander Van der Bellen"]
    names += ["Emmanuel Macron", "Marine Tondelier"]
    assert spans(bench, text, names) == [
        "Le Pen",
        "de Gaulle",
        "Van der Bellen",
        "Emmanuel Macron",
        "Marine",
        "Jean-Marie Le Pen",
    ]
    # Two gold persons named Marine: the given name alone is no one's.
    assert "Marine" not in spans(bench, text, [*names, "Marine Le Pen"])


def test_the_reference_rehearses_the_base_model(bench) -> None:
    """A base PER span that is no gold person becomes O, a LOC keeps its label, a gold
    person's span is PER with the gold bounds."""
    nlp = bench.base_pipeline()
    text = "Le ministre Gérald Darmanin a parlé à Lyon avec Stéphane Plaza mardi."
    art = bench.Article("t", "t", text, text, ["Gérald Darmanin"])
    [example] = bench.examples(nlp, [art])
    base = {e.text: e.label_ for e in nlp(text).ents}
    assert base.get("Stéphane Plaza") == "PER"  # what the model says before
    ref = {e.text: e.label_ for e in example.reference.ents}
    assert ref == {"Gérald Darmanin": "PER", "Lyon": "LOC"}


def test_training_is_deterministic(bench, tmp_path) -> None:
    arts = bench.load_articles([ROUND4])[:3]
    digests = []
    for run in range(2):
        nlp = bench.base_pipeline()
        bench.train(nlp, bench.examples(nlp, arts), epochs=1, drop=0.2)
        out = tmp_path / f"run{run}"
        nlp.get_pipe("ner").to_disk(out)
        digests.append(bench.weights_digest(out))
    assert digests[0] == digests[1]
    base = tmp_path / "base"
    bench.base_pipeline().get_pipe("ner").to_disk(base)
    assert bench.weights_digest(base) != digests[0]  # and it did learn something
