"""The archive's vote on a name's type (``archive_types``), on sentences of OrangeSum articles
outside every gold file and outside the articles the shipped table was counted on
(``articles-part-05`` and ``-06``; the table comes from ``-00`` to ``-03`` and Wikinews)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.index import storage
from search.index.indexer import reindex
from search.index.people import PersonTable
from search.ingest.articles import Article
from search.ingest.entities import NerCache, archive_types, article_text, extract, text_key
from search.ingest.entities import persons as persons_module
from tests.conftest import write_jsonl

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
    # The vote is what drops them: the model alone calls them persons here (the evidence
    # rule, which also drops "Force Ouvrière", is left out to show it).
    monkeypatch.setattr(persons_module, "ARCHIVE_DROPS", False)
    monkeypatch.setattr(persons_module, "NEEDS_EVIDENCE", False)
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


def _tuning_articles(n: int) -> list[Article]:
    gold = [json.loads(line) for line in GOLD[0].read_text(encoding="utf-8").splitlines()][:n]
    return [
        Article(id=r["id"], title=r["title"], summary=r.get("summary", ""), body=r["body"])
        for r in gold
    ]


def test_counted_from_a_ner_cache(tmp_path: Path) -> None:
    """The builder's ``--ner-cache`` (issue 16, session 14): the model runs once over a whole
    archive, and every recount (another article set, another threshold) reads its spans."""
    articles = _tuning_articles(4)
    cache = NerCache(tmp_path / "ner.sqlite")
    plain = archive_types.count(articles)
    assert archive_types.count(articles, cache=cache) == plain and plain
    assert len(cache) == 4  # the model's spans of each text, kept
    # A recount reads the cache, not the model: with every text's spans emptied there, it
    # finds no name at all.
    cache.put_many((text_key(article_text(a)), []) for a in articles)
    assert archive_types.count(articles, cache=cache) == {}


def test_the_builder_leaves_out_the_ids_it_is_given(tmp_path: Path) -> None:
    """``--exclude-ids``: articles being annotated blind are never counted (nor run through
    the model), like the gold files of ``--exclude``."""
    articles = _tuning_articles(3)
    corpus = write_jsonl(
        tmp_path / "corpus.jsonl",
        [{"id": a.id, "title": a.title, "summary": a.summary, "body": a.body} for a in articles],
    )
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(a.id for a in articles) + "\n", encoding="utf-8")
    out, cache = tmp_path / "types.tsv", tmp_path / "ner.sqlite"
    common = [str(corpus), "--ner-cache", str(cache), "--min-seen", "1", "--out", str(out)]
    archive_types.main([*common, "--exclude-ids", str(ids)])
    assert out.read_text(encoding="utf-8").count("\n") == 1  # the header alone
    assert len(NerCache(cache)) == 0  # the model never saw them
    archive_types.main(common)
    assert out.read_text(encoding="utf-8").count("\n") > 1


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


# -- the archive's own table (persons.sqlite), kept by ``loupe reindex`` ------------------

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "orangesum"
# Fifteen OrangeSum articles of September 2020 (articles-part-06, outside every gold file and
# the shipped table) on a television production company, « Premières Lignes »: the model
# calls it an organisation, a place or a work in fourteen of them and a person in the last.
PRODUCER = [
    "orangesum-31388", "orangesum-31473", "orangesum-31511", "orangesum-31516",
    "orangesum-31517", "orangesum-31611", "orangesum-31612", "orangesum-31667",
    "orangesum-31670", "orangesum-31673", "orangesum-31691", "orangesum-31696",
    "orangesum-31697", "orangesum-31848",
]  # fmt: skip
TYPED_PERSON = "orangesum-31692"


def _records(ids: set[str]) -> dict[str, dict]:
    path = CORPUS / "articles-part-06.jsonl"
    if not path.exists():
        pytest.skip("the shared OrangeSum corpus is not here")
    out = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if any(f'"{i}"' in line[:40] for i in ids):
                record = json.loads(line)
                if record["id"] in ids:
                    out[record["id"]] = record
    return out


def _persons_in_index(index: Path, article_id: str) -> set[str]:
    with PersonTable.open_existing(storage.current_generation(index)) as table:
        rows = table.db.execute("SELECT name FROM mention WHERE article = ?", (article_id,))
        return {name for (name,) in rows}


def _types_in_index(index: Path) -> dict[str, tuple[int, ...]]:
    with PersonTable.open_existing(storage.current_generation(index)) as table:
        return table.name_types()


def test_the_archive_counts_its_own_names_and_votes_with_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The evidence rule drops "Premières Lignes" too (a common word first, no cue): it is
    # left out here so that what is tested is the archive's own vote.
    monkeypatch.setattr(persons_module, "NEEDS_EVIDENCE", False)
    records = _records({*PRODUCER, TYPED_PERSON})
    assert len(records) == len(PRODUCER) + 1
    target = records[TYPED_PERSON]
    # The shipped table alone (``loupe extract`` without an index) never saw the name: the
    # model's PER stands, as it does for the people of the article.
    [alone] = extract([Article(id="t", title=target["title"], body=target["body"])])
    assert "Premières Lignes" in {name for name, _n in alone.persons}
    assert archive_types.counts("Premières Lignes") is None

    folder, index = tmp_path / "archive", tmp_path / "index"
    write_jsonl(folder / "a.jsonl", [records[i] for i in PRODUCER])
    reindex([folder], index, workers=1)
    counted = _types_in_index(index)["premieres lignes"]
    assert counted[0] == 0 and sum(counted[1:4]) >= 14  # never PER in these fourteen
    write_jsonl(folder / "b.jsonl", [target])
    reindex([folder], index, workers=1)
    found = _persons_in_index(index, TYPED_PERSON)
    assert "Premières Lignes" not in found
    assert "Jean Castex" in found  # the article's people stay

    # Incremental: removing articles takes their counts away; the table is then the one a
    # full rebuild of the same articles counts.
    write_jsonl(folder / "a.jsonl", [records[i] for i in PRODUCER[:9]])
    reindex([folder], index, workers=1)
    rebuilt = tmp_path / "rebuilt"
    reindex([folder], rebuilt, workers=1, full=True)
    incremental = _types_in_index(index)
    assert incremental == _types_in_index(rebuilt)
    assert incremental["premieres lignes"] != counted


def _tally(rows: dict[str, tuple[int, int, int, int]]) -> dict:
    from collections import Counter

    return {
        key: Counter(dict(zip(archive_types.LABELS, row, strict=True)))
        for key, row in rows.items()
    }


def test_given_names_the_archive_knows_are_the_heads_of_several_people_s_names(
    tmp_path: Path,
) -> None:
    """Issue 16, session 17: ``write_given_names`` keeps a word no shipped lexicon knows that
    begins the names of three people or more the model calls persons; not a make followed by
    a model number, not one surname misspelled three ways, not a French word's names seen
    once, not a word the lexicons already hold."""
    tally = _tally(
        {
            "roch voisine": (3, 0, 0, 0),  # a French word as a surname, seen 3 times
            "roch olivier maistre": (1, 0, 0, 0),
            "roch marc christian kabore": (2, 0, 0, 0),
            "alpina green": (3, 0, 0, 0),
            "alpina touring": (4, 0, 0, 0),
            "alpina switch tronic": (2, 0, 0, 0),
            "alpina b3": (4, 0, 0, 0),  # a model number: a make
            "fadi fawaz": (3, 0, 0, 0),
            "fadi fawad": (1, 0, 0, 0),
            "fadi rawaz": (2, 0, 0, 0),
            "cullinan personnel": (1, 0, 0, 0),  # French words, each name seen once
            "cullinan black badge": (1, 0, 0, 0),
            "cullinan ghost": (2, 0, 0, 0),
            "nikos aliagas": (5, 0, 0, 0),
            "nikos kotzias": (1, 0, 0, 0),
            "nikos anastasiades": (1, 0, 1, 0),  # half PER: not a person's name here
            "jean dupont": (5, 0, 0, 0),  # "jean" is in first_names.txt
            "jean martin": (5, 0, 0, 0),
            "jean durand": (5, 0, 0, 0),
        }
    )
    assert [row[0] for row in archive_types.given_name_rows(tally)] == ["roch"]
    assert archive_types.given_name_rows(tally)[0] == ("roch", 3, 6, 6)
    out = tmp_path / "given.tsv"
    assert archive_types.write_given_names(tally, out) == 1
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# word\tsurnames\tPER\tsightings")
    assert lines[1:] == ["roch\t3\t6\t6"]


def test_the_shipped_given_names_table_holds_words_no_lexicon_knows() -> None:
    """The shipped ``data/archive_given_names.tsv``: its header, four columns, and words that
    neither shipped lexicon holds, each the head of three people's names or more."""
    from search.ingest.entities.given_names import world_given_names
    from search.ingest.entities.persons import first_names

    lines = archive_types.ARCHIVE_GIVEN_NAMES.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# word\tsurnames\tPER\tsightings")
    assert "archive_types.py" in lines[0]
    rows = [line.split("\t") for line in lines[1:]]
    assert rows and all(len(row) == 4 for row in rows)
    words = archive_types.archive_given_names()
    assert words == {row[0] for row in rows} and "roch" in words
    assert not words & (first_names() | world_given_names())
    assert all(int(n) >= archive_types.GIVEN_SURNAMES for _w, n, _p, _s in rows)
    assert all(int(p) >= archive_types.GIVEN_PER_SHARE * int(s) for _w, _n, p, s in rows)
