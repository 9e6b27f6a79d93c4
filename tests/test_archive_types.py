"""The archive's vote on a name's type (``archive_types``), on sentences of OrangeSum articles
outside every gold file and outside the articles the shipped table was counted on
(``articles-part-05`` and ``-06``; the table comes from ``-00`` to ``-03`` and Wikinews)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.ingest.articles import Article
from search.ingest.entities import archive_types, extract
from search.ingest.entities import persons as persons_module

GOLD = [
    Path(__file__).resolve().parent.parent / "bench" / "gold" / name
    for name in ("entities-tuning.jsonl", "entities-test.jsonl")
]


def persons(text: str) -> set[str]:
    [f] = extract([Article(id="t", title="Dépêche", body=text)])
    return {name for name, _n in f.persons}


MEDIA = (
    "Le patient se trouvait dans le service de cardiologie de l'hôpital de Rouen lorsque la "
    "fâcheuse découverte a eu lieu, selon une information de Paris Normandie et du site 76 "
    'actu. "C\'est inadmissible", a déclaré Guillaume Laurent à Paris Normandie.'
)
UNION = (
    "Cette mesure est absurde, explique le courrier diffusé en interne le 12 mars et rendu "
    "public par Force Ouvrière (FO). Un recul inacceptable, a par ailleurs dénoncé Force Ouvrière."
)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [(MEDIA, {"Guillaume Laurent"}, {"Paris Normandie"}), (UNION, set(), {"Force Ouvrière"})],
)
def test_what_the_archive_types_as_no_person_is_none(
    text: str, wanted: set[str], unwanted: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    found = persons(text)
    assert wanted <= found and not (unwanted & found)
    # The vote is what drops them: the model alone calls them persons here.
    monkeypatch.setattr(persons_module, "ARCHIVE_DROPS", False)
    assert unwanted <= persons(text)


def test_a_person_the_model_often_mistypes_stays_one_when_titles_say_person() -> None:
    # The model calls "Theresa May" a thing in most of the archive's articles, but "la
    # Première ministre Theresa May" is there often enough.
    assert archive_types.person_share("Theresa May") <= archive_types.MAX_PERSON_SHARE
    assert not archive_types.not_a_person("Theresa May")
    text = (
        "Critiqué jusque dans son propre camp, y compris par Theresa May, Boris Johnson a "
        "défendu son projet devant les députés."
    )
    assert {"Theresa May", "Boris Johnson"} <= persons(text)


def test_name_keys_ignore_articles_accents_and_hyphens() -> None:
    assert archive_types.name_key("du Figaro") == "figaro"
    assert archive_types.name_key("l'Élysée") == "elysee"
    assert archive_types.name_key("Roland-Garros") == archive_types.name_key("roland garros")


def test_counted_on_real_articles_and_written_as_a_table(tmp_path: Path) -> None:
    """``count`` runs the model over real articles (the tuning half's first 8: a table is
    never shipped from gold articles, this only checks the counting) and ``write`` keeps the
    names seen often enough."""
    gold = [json.loads(line) for line in GOLD[0].read_text(encoding="utf-8").splitlines()][:8]
    articles = [
        Article(id=r["id"], title=r["title"], summary=r.get("summary", ""), body=r["body"])
        for r in gold
    ]
    tally = archive_types.count(articles)
    annotated = [p for r in gold for p in r["gold"]["persons"] if len(p.split()) > 1]
    assert any(tally.get(archive_types.name_key(p), {}).get("PER", 0) > 0 for p in annotated)
    out = tmp_path / "types.tsv"
    kept = archive_types.write(tally, out, min_seen=2)
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()[1:]]
    assert len(rows) == kept > 0
    assert all(sum(int(n) for n in row[1:5]) >= 2 for row in rows)
    assert {row[0] for row in rows} == {
        k for k, c in tally.items() if sum(c[label] for label in archive_types.LABELS) >= 2
    }


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Harvey Weinstein est accusé de harcèlement par plus de 80 femmes, dont des stars "
            "comme Angelina Jolie, Gwyneth Paltrow ou encore Léa Seydoux.",
            "Léa Seydoux",
        ),
    ],
)
def test_a_name_made_of_proper_names_only_is_not_voted_out(
    text: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The model mistypes this name in every article of the archive that has them; no French
    # word, place or particle in them says thing, so the vote does not overrule their shape.
    assert archive_types.not_a_person(name)
    assert name in persons(text)
    monkeypatch.setattr(persons_module, "ARCHIVE_GUARD", False)
    assert name not in persons(text)
