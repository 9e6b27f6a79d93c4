"""Ranking for what people type (issue 12): pasted text is never refused, questions and
sentences are matched by their content words, and ``explain`` shows parts that add up."""

from __future__ import annotations

import json
import math
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.cli import main
from search.find.query import MAX_QUERY_LENGTH, Words, interpret, parse
from search.find.searcher import SearchEngine, SearchRequest
from search.index.schema import build_schema
from tests.conftest import SAMPLES
from webui import create_app

SCHEMA = build_schema()
with open(SAMPLES / "orangesum" / "orangesum-sample.jsonl", encoding="utf-8") as _fh:
    RECORDS = [json.loads(line) for line in _fh]


@pytest.fixture(scope="module")
def engine(samples_index: Path) -> SearchEngine:
    return SearchEngine(samples_index, cache_size=0)


@pytest.fixture(scope="module")
def client(samples_index: Path):
    return create_app({"INDEX_DIR": str(samples_index), "TESTING": True}).test_client()


# -- never refuse pasted text ------------------------------------------------------------

_SIGNS = list('()[]{}"\'«»:+-^~*?<>=\\/!,.;') + ["AND", "OR", "NOT", "OU", "ET", "SAUF", "TO"]
_PIECES = st.sampled_from(
    _SIGNS + ["date:", "titre:", "pays:", "rubrique:", "date:[2020", "(+4)", "x:y", "réform*",
              "retraites", "Macron", "l'État", "États-Unis", "été", "2020-03", "a*", "*"]
) | st.text(min_size=1, max_size=6)
_TEXT = st.lists(_PIECES, min_size=1, max_size=12).map(lambda parts: " ".join(parts)) | (
    st.lists(_PIECES, min_size=1, max_size=12).map("".join)
)


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_TEXT)
def test_no_pasted_text_is_refused(engine: SearchEngine, client, text: str) -> None:
    """Random text with brackets, quotes, signs, colons and operators: a response, never
    an exception or a 400."""
    text = text[:MAX_QUERY_LENGTH]
    response = engine.search(SearchRequest(q=text, explain=True), facets=False)
    assert response.total >= 0
    page = client.get("/api/search?" + urlencode({"q": text}))
    assert page.status_code == 200, (text, page.get_data(as_text=True)[:300])


def test_the_issue_s_pasted_lead_is_searched(engine: SearchEngine) -> None:
    text = "La cote du ministre est en hausse (+4) sur un mois"
    q, notice = interpret(text, SCHEMA)
    assert notice and "simples mots" in notice
    assert isinstance(q.a, Words)
    response = engine.search(SearchRequest(q=text))
    assert response.total > 0 and response.notice == notice


def test_well_formed_operators_still_count(engine: SearchEngine) -> None:
    assert interpret('"gilets jaunes" -police', SCHEMA).notice is None
    with_minus = engine.search(SearchRequest(q="retraites -grève")).total
    assert with_minus < engine.search(SearchRequest(q="retraites")).total


def test_cli_never_refuses_and_says_so(samples_index: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["query", "Le ministre en hausse (+4)", "--index", str(samples_index)]
    )
    assert result.exit_code == 0, result.output
    assert "simples mots" in result.output


# -- what a question is matched by -------------------------------------------------------


def _words(text: str, any_word: bool = False) -> list[set[str]]:
    q = parse(text, SCHEMA, any_word)
    q = q.a if hasattr(q, "a") else q
    return [{t for f, t in w.iter_all_terms() if f == "body_exact"} for w in q.subqueries]


def test_question_words_and_stop_words_of_either_view_are_not_matched() -> None:
    # "où" folds to the stop word "ou"; "quel" and "comment" are question scaffolding;
    # "été" after "a" is the auxiliary, not the summer.
    assert _words("où est né Victor Hugo ?") == [{"victor"}, {"hugo"}]
    assert _words("Quel président a été élu en 2017") == [{"président"}, {"élu"}, {"2017"}]
    assert _words("Comment marche le vote") == [{"marche"}, {"vote"}]
    assert _words("Jeux d'été") == [{"jeux"}, {"été"}]
    # A question made only of question words still searches them.
    assert _words("Quand ?") == [{"quand"}]


def test_a_question_with_quotes_or_a_colon_is_matched_the_same_way() -> None:
    """A quote sends a question through the parser; its words are left out as the plain
    path leaves them (question words, ``été`` after an auxiliary), the
    phrase kept whole, and its any-word fallback ranked as plain words (BM25F ``Words``
    needing one part), not by the per-field sum of the parser's OR."""
    got = _words('Quel président a été élu "grand renouveau" ?')
    assert got[:2] == [{"président"}, {"élu"}]
    assert len(got) == 3 and not got[2]  # the phrase (recall view only)
    assert _words('Quel "Jeux d\'été" ?') == [set()]  # inside quotes: the phrase, as typed
    loose = parse('De quel registre relève le terme "sciences PO" ?', SCHEMA, any_word=True)
    assert isinstance(loose, Words) and loose.minmatch == 1
    assert _words('De quel registre relève le terme "sciences PO" ?', any_word=True)[:3] == [
        {"registre"}, {"relève"}, {"terme"}]


def test_the_quoted_words_of_a_pasted_text_count_as_words() -> None:
    """A summary quotes its article, not always word for word: in a pasted text the words
    of a quote are words of the query too, the phrase one more part; a short query keeps
    its phrase whole (``"réforme des retraites" Macron`` needs the phrase)."""
    pasted = ('Le ministre a répondu lundi à la présidente, estimant qu\'elle n\'était '
              '"pas sérieuse" et prônait "la politique du pire".')
    got = _words(pasted)
    assert {"sérieuse"} in got and {"politique"} in got and {"pire"} in got
    assert sum(1 for w in got if not w) == 1  # "la politique du pire", still a phrase
    assert _words('"réforme des retraites" Macron') == [{"macron"}, set()]


def test_a_long_query_needs_most_words_not_all(engine: SearchEngine) -> None:
    """A sentence finds the article that lacks one of its words."""
    rec = next(r for r in RECORDS if len((r.get("summary") or "").split()) > 12)
    words = parse(rec["summary"], SCHEMA).a
    assert words.minmatch < len(words.subqueries)
    sentence = rec["summary"] + " zygomorphe"  # a word no article holds
    ids = [r["id"] for r in engine.search(SearchRequest(q=sentence)).results]
    assert ids and ids[0] == rec["id"]


def test_a_page_the_strict_matches_do_not_fill_is_completed(engine: SearchEngine, client) -> None:
    """One article holds both words: it comes first, and the rest of the page is made of
    articles holding one of them (each naming the word it lacks), while the total and the
    facets still count the one strict match; the next page goes on without repeats."""
    first = engine.search(SearchRequest(q="président Tokaïev"))
    assert first.total == 1
    assert sum(f["count"] for f in first.facets["section"]) == 1
    ids = [r["id"] for r in first.results]
    assert len(ids) == 10 and len(set(ids)) == 10
    assert first.results[0]["missing"] == []
    assert all(r["missing"] == ["Tokaïev"] for r in first.results[1:])
    for r in first.results[1:]:
        a = engine.article(r["id"])
        text = " ".join([a["title"], a["summary"], a["body"], a["caption"]]).lower()
        assert "président" in text and "tokaïev" not in text
    assert first.dropped == ["Tokaïev"]
    html = client.get("/?q=président+Tokaïev").get_data(as_text=True)
    assert "Certains résultats ne contiennent pas tous les mots." in html
    assert "Aucun article ne contient tous les mots" not in html
    assert html.count('<p class="missing">Sans : <s>Tokaïev</s></p>') == 9
    second = engine.search(SearchRequest(q="président Tokaïev", page=2))
    more = [r["id"] for r in second.results]
    assert len(more) == 10 and not set(more) & set(ids)
    # A question's scaffolding is not searched, so no result is said to lack it.
    asked = engine.search(SearchRequest(q="Quel est le régime politique du Kazakhstan ?"))
    assert len(asked.results) == 10 and asked.dropped
    assert all("Quel" not in r["missing"] for r in asked.results)


def test_fewer_strict_matches_than_a_page_are_ranked_among_the_looser_ones(
    engine: SearchEngine,
) -> None:
    """Two articles hold both words; an article holding only the rarer one, with a higher
    BM25F, ranks above the weaker of them (a question's article lacking one common word),
    while the total still counts the two; the page is in score order and page 2 goes on."""
    first = engine.search(SearchRequest(q="Mercedes première"))
    assert first.total == 2
    missing = [r["missing"] for r in first.results]
    assert len(first.results) == 10 and missing.count([]) == 2
    assert missing[0] == [] and missing.index(["première"]) < missing.index([], 1)
    scores = [r["score"] for r in first.results]
    assert scores == sorted(scores, reverse=True)
    for r in first.results:
        a = engine.article(r["id"])
        text = " ".join([a["title"], a["summary"], a["body"], a["caption"]]).lower()
        assert "mercedes" in text or "première" in text
        assert ("première" in text and "mercedes" in text) == (r["missing"] == [])
    second = engine.search(SearchRequest(q="Mercedes première", page=2))
    assert second.results and not {r["id"] for r in second.results} & {
        r["id"] for r in first.results}
    assert max(r["score"] for r in second.results) <= min(scores)


# -- explain ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["réforme des retraites", "Macron", "Quel est le rôle du Premier ministre ?",
     "gouvernement OR ministre", '"gilets jaunes" police', "États-Unis", "marché",
     "président Tokaïev", "pandémie 23 juin"],
)
def test_explained_parts_add_up_to_the_score(engine: SearchEngine, text: str) -> None:
    response = engine.search(SearchRequest(q=text, explain=True, per_page=10))
    assert response.results, text
    for result in response.results:
        parts = result["explain"]
        assert parts and all(p["score"] > 0 for p in parts)
        assert math.isclose(sum(p["score"] for p in parts), result["score"], abs_tol=1e-3)
        fields = {p["field"] for p in parts}
        assert fields - {None} <= set(SCHEMA.names())


def test_explain_names_fields_terms_tf_and_idf(engine: SearchEngine, client) -> None:
    response = engine.search(SearchRequest(q="retraites", explain=True))
    part = response.results[0]["explain"][0]
    assert set(part) == {"field", "term", "tf", "idf", "boost", "score"}
    assert part["term"] in ("retrait", "retraites") and part["tf"] >= 1 and part["idf"] > 0
    data = client.get("/api/search?q=retraites&explain=1").get_json()
    assert data["results"][0]["explain"] == response.results[0]["explain"]
    assert "explain" not in client.get("/api/search?q=retraites").get_json()["results"][0]


def test_cli_explain(samples_index: Path) -> None:
    result = CliRunner().invoke(
        main, ["query", "retraites", "--explain", "--index", str(samples_index)]
    )
    assert result.exit_code == 0, result.output
    assert "body:retrait" in result.output and "idf=" in result.output


def test_proximity_ranks_words_side_by_side_first(tmp_path: Path, monkeypatch) -> None:
    """Two articles with the same words as often and as long: the one where the query's
    words stand together ranks first; without the proximity re-ranking they tie."""
    from search.find import fastsearch
    from search.index.indexer import reindex
    from tests.conftest import write_jsonl

    filler = "Le conseil municipal a siégé mardi soir dans la salle des fêtes du village"
    far = {"id": "far", "title": "Compte rendu",
           "body": f"La réforme du stationnement. {filler}. Les retraites des élus."}
    near = {"id": "near", "title": "Compte rendu",
            "body": f"La réforme des retraites. {filler}. Le stationnement des élus."}
    write_jsonl(tmp_path / "corpus" / "a.jsonl", [far, near])
    reindex([tmp_path / "corpus"], tmp_path / "index", ner=False)
    engine = SearchEngine(tmp_path / "index", cache_size=0)
    request = SearchRequest(q="réforme retraites", explain=True)
    ranked = engine.search(request).results
    assert [r["id"] for r in ranked] == ["near", "far"]
    assert any(p["term"] == "(proximité)" for p in ranked[0]["explain"])
    monkeypatch.setattr(fastsearch, "PROXIMITY", 0.0)
    tied = engine.search(request).results
    assert tied[0]["score"] == tied[1]["score"]


def test_a_short_query_s_proximity_does_not_depend_on_its_word_order(
    engine: SearchEngine, monkeypatch
) -> None:
    """A question puts its words in another order than the text answering it: a query of
    up to ``PROXIMITY_ALL_PAIRS`` words rewards every pair of its words standing close, so
    the same words in any order give the same pages on the samples' real articles (only
    neighbouring words of the query counted before, and the order changed the scores)."""
    from search.find import fastsearch

    assert fastsearch.PROXIMITY_ALL_PAIRS >= 3
    orders = ["réforme gouvernement retraites", "réforme retraites gouvernement",
              "retraites gouvernement réforme"]

    def page(text: str) -> list[tuple[str, float]]:
        results = engine.search(SearchRequest(q=text), facets=False).results
        return [(r["id"], r["score"]) for r in results]

    pages = [page(text) for text in orders]
    assert len(pages[0]) == 10
    for other in pages[1:]:
        assert [i for i, _s in other] == [i for i, _s in pages[0]]
        assert [s for _i, s in other] == pytest.approx([s for _i, s in pages[0]], abs=1e-3)
    # the pairs "réforme … retraites" stand together in these articles: the proximity
    # evidence counts in every order, where neighbours alone lost it in one order
    explained = engine.search(SearchRequest(q=orders[0], explain=True), facets=False)
    assert any(p["term"] == "(proximité)" for p in explained.results[0]["explain"])


def test_a_question_s_answer_type_words_weigh_less() -> None:
    """"Quel est le *nom*…", "en quelle *année*…": in a question, the word naming the kind
    of answer weighs ``ANSWER_TYPE_WEIGHT``; in a query that is no question it weighs 1."""
    from search.find import query as q_module

    def boosts(text: str) -> dict[str, float]:
        q = parse(text, SCHEMA)
        q = q.a if hasattr(q, "a") else q
        return {next((t for f, t in w.iter_all_terms() if f == "body_exact"), "(phrase)"): w.boost
                for w in q.subqueries}

    assert q_module.ANSWER_TYPE_WEIGHT < 1
    got = boosts("Quel est le nom du maire de Lyon ?")
    assert got == {"nom": q_module.ANSWER_TYPE_WEIGHT, "maire": 1.0, "lyon": 1.0}
    assert boosts("En quelle année Lyon a changé de maire")["année"] < 1
    # The word a "quel" asks about is one too, stop words between them left out.
    assert boosts("Quelle est l'exposition du volcan ?") == {
        "exposition": q_module.ANSWER_TYPE_WEIGHT, "volcan": 1.0}
    assert boosts("Dans quelle langue est écrite la Vulgate ?")["langue"] < 1
    assert boosts("Dans quelle langue est écrite la Vulgate ?")["vulgate"] == 1.0
    # A question with a quote is weighed the same way.
    assert boosts('Quel est le nom du "grand renouveau" ?')["nom"] < 1
    # No question: a headline or a pasted sentence keeps every word whole.
    assert set(boosts("Le nom du maire de Lyon").values()) == {1.0}
    assert set(boosts("Le conseil municipal, qui a changé le nom de la rue").values()) == {1.0}


def test_a_question_finds_the_answer_not_the_answer_type_word(tmp_path: Path,
                                                              monkeypatch) -> None:
    """"Quel est le nom du maire de Lyon ?": the article naming the mayor ranks above one
    about a name change in Lyon, which it did not without the answer-type weight."""
    from search.find import query as q_module
    from search.index.indexer import reindex
    from tests.conftest import write_jsonl

    named = {"id": "named", "title": "Budget municipal",
             "body": "Grégory Doucet, le maire de Lyon, a présenté son budget mardi."}
    renamed = {"id": "renamed", "title": "Le stade change de nom",
               "body": "Le stade de Lyon change de nom."}
    others = [{"id": f"o{i}", "title": f"Brève {i}", "body": f"Le conseil de Brest, jour {i}."}
              for i in range(6)]
    write_jsonl(tmp_path / "corpus" / "a.jsonl", [named, renamed, *others])
    reindex([tmp_path / "corpus"], tmp_path / "index", ner=False)
    engine = SearchEngine(tmp_path / "index", cache_size=0)
    request = SearchRequest(q="Quel est le nom du maire de Lyon ?")
    assert engine.search(request).results[0]["id"] == "named"
    monkeypatch.setattr(q_module, "ANSWER_TYPE_WEIGHT", 1.0)
    assert engine.search(request).results[0]["id"] == "renamed"
