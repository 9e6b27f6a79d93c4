"""A day named in the query is evidence for the articles published that day (``datecue``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from search.find import datecue
from search.find.searcher import SearchEngine, SearchRequest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "orangesum" / "orangesum-sample.jsonl"


def _published() -> dict[str, dt.date]:
    out = {}
    for line in SAMPLES.read_text(encoding="utf-8").splitlines():
        article = json.loads(line)
        if article.get("date"):
            out[article["id"]] = dt.date.fromisoformat(article["date"][:10])
    return out


def test_query_days_reads_french_days() -> None:
    assert datecue.query_days("Grève : ce vendredi 27 décembre, puis le 1er mars 2020") == [
        (27, 12, None), (1, 3, 2020)]
    assert datecue.query_days("5 MARS et 5 mars, 12/03, 45 juin, 2020 morts") == [(5, 3, None)]


@pytest.mark.parametrize(("query", "article"), [
    ("pandémie 23 juin", "orangesum-2526"),
    ("Savoie 14 octobre", "orangesum-3439"),
])
def test_article_of_the_day_named_ranks_first(samples_index, query, article) -> None:
    """Among the sample articles holding the word, the one published on the day the query
    names comes first (without the date cue it is 9th and 3rd: the day's words alone are
    in many articles)."""
    engine = SearchEngine(samples_index)
    ids = [r["id"] for r in engine.search(SearchRequest(q=query), facets=False).results]
    assert ids[0] == article
    day, month = datecue.query_days(query)[0][:2]
    published = _published()
    on_day = [i for i in ids if (published[i].day, published[i].month) == (day, month)]
    assert ids[: len(on_day)] == on_day  # every match of that day before the others


def test_no_day_no_change(samples_index) -> None:
    engine = SearchEngine(samples_index)
    request = SearchRequest(q="pandémie juin")
    with_cue = engine.search(request, facets=False).results
    weight, datecue.DATE_WEIGHT = datecue.DATE_WEIGHT, 0.0
    try:
        without = SearchEngine(samples_index).search(request, facets=False).results
    finally:
        datecue.DATE_WEIGHT = weight
    assert [(r["id"], r["score"]) for r in with_cue] == [(r["id"], r["score"]) for r in without]


def test_explain_shows_the_date_part(samples_index) -> None:
    engine = SearchEngine(samples_index)
    request = SearchRequest(q="pandémie 23 juin", explain=True)
    result = engine.search(request, facets=False).results[0]
    assert result["id"] == "orangesum-2526"
    assert any(p["term"] == "(date)" and p["score"] > 0 for p in result["explain"])


def test_query_weekdays() -> None:
    assert datecue.query_weekdays("Ce Mardi soir, puis dimanche et mardi") == [1, 6]
    assert datecue.query_weekdays("les mardis gras, lundis") == []  # whole words only
    days = np.array([dt.date(2020, 3, d).toordinal() for d in (2, 3, 4, 5)] + [0])
    # Monday 2 March 2020: named "lundi", it is that day or the next (Tuesday)
    assert datecue.published_on_weekday(days, [0]).tolist() == [True, True, False, False, False]


def test_a_weekday_named_is_evidence_for_the_articles_of_that_day_or_the_next(
    samples_index,
) -> None:
    """A lead says "ce mardi", "lundi matin": the matched articles published on that day
    of the week or the next gain the cue, the others nothing (a day and month named
    instead gives the date cue, not this)."""
    published = _published()
    request = SearchRequest(q="gouvernement mardi", per_page=100)
    with_cue = {r["id"]: r["score"] for r in SearchEngine(samples_index).search(
        request, facets=False).results}
    weight, datecue.WEEKDAY_WEIGHT = datecue.WEEKDAY_WEIGHT, 0.0
    try:
        without = {r["id"]: r["score"] for r in SearchEngine(samples_index).search(
            request, facets=False).results}
    finally:
        datecue.WEEKDAY_WEIGHT = weight
    both = [i for i in with_cue if i in without and i in published]
    assert len(both) > 10
    gained = {i for i in both if with_cue[i] > without[i] + 1e-6}
    assert gained == {i for i in both if published[i].weekday() in (1, 2)}
    assert gained and len(gained) < len(both)


def test_ahead_days_are_the_days_a_query_says_are_to_come() -> None:
    assert datecue.ahead_days("Les festivités, prévues samedi 29 février, sont annulées") == [
        (29, 2, None)]
    assert datecue.ahead_days("La fusée devrait décoller le 1er septembre") == [(1, 9, None)]
    assert datecue.ahead_days("Rendez-vous le 5 mars 2021 prochain") == [(5, 3, 2021)]
    assert datecue.ahead_days("Grève : ce vendredi 27 décembre, les trains") == []
    days = np.array([dt.date(2020, 2, d).toordinal() for d in (20, 22, 29)] + [0])
    assert datecue.published_on(days, [(29, 2, None)]).tolist() == [False, False, True, False]
    assert datecue.published_on(days, [(29, 2, None)], 7).tolist() == [False, True, True, False]


def test_a_day_said_to_be_ahead_is_evidence_for_the_articles_of_the_days_before(
    samples_index, monkeypatch,
) -> None:
    """"prévue le 26 juin": the matched articles published in the days before it gain the
    cue (an announcement comes out before the day it announces); with ``AHEAD_DAYS`` 0
    they do not."""
    published = _published()

    def scores(text: str) -> dict[str, float]:
        request = SearchRequest(q=text, per_page=100)
        found = SearchEngine(samples_index, cache_size=0).search(request, facets=False)
        return {r["id"]: r["score"] for r in found.results}

    ahead, days = scores("pandémie prévue le 26 juin"), datecue.AHEAD_DAYS
    monkeypatch.setattr(datecue, "AHEAD_DAYS", 0)
    without = scores("pandémie prévue le 26 juin")
    assert ahead.keys() == without.keys()
    before = {i for i in ahead if i in published and published[i].month == 6
              and 26 - days <= published[i].day <= 25}
    assert "orangesum-2526" in before  # published 23 June
    assert {i for i in ahead if ahead[i] > without[i] + 1e-6} == before
