"""A page per person or country: what the archive says about one entity.

Built from one faceted search (``personne:"…"`` or ``pays:XX`` as the query, so every facet
is counted within the entity's articles: the co-mentioned persons and countries, the
sections, the years and months) and, for mentions and aliases, from the archive's person
table (``people.PersonTable``). It costs what a faceted search costs, plus a few indexed
look-ups of the sums that table keeps per person and per country (months, spellings, names),
whose cost does not grow with the entity's articles.
"""

from __future__ import annotations

from search.find.facets import facet_key
from search.find.request import MAX_FILTER_VALUES, SearchRequest
from search.find.searcher import SearchEngine
from search.index.people import PersonTable
from search.ingest.entities import country_label, resolve_country
from search.ingest.entities.countries import fold_chars
from search.ingest.entities.persons import first_names

LATEST = 10
TOP = 10
GIVEN_NAME_ONLY_NOTE = "Prénom seul : cette fiche peut réunir plusieurs personnes de ce prénom."


def _quoted(name: str) -> str:
    return '"' + name.replace('"', " ").strip() + '"'


def person_query(names: list[str]) -> str:
    """The query that finds the articles naming any spelling of the person."""
    return " OR ".join(f"personne:{_quoted(n)}" for n in names)


def both_query(a: str, b: str) -> str:
    """The search of two entities together (``personne:"A" pays:FR``): each link of a
    co-mention leads there."""
    if " OR " in a:
        a = f"({a})"  # several spellings: any of them, and the other entity
    return f"{a} {b}"


def given_name_only(name: str) -> bool:
    """Whether the name is a given name alone (``François``, ``Marie-Hélène``): one word
    found, folded as the extractor folds it, in ``first_names.txt``, or a hyphenated word each
    of whose parts is. Such a page may add up several people who share it; a full name, or a
    one-word surname or mononym that is no given name (``Coluche``, ``Macron``), is not one.
    Not the world's list (``given_names_world.txt``): it holds surnames too (``Erdogan``),
    and a page must not warn wrongly about a known person."""
    words = name.split()
    if len(words) != 1:
        return False
    known = first_names()
    folded = fold_chars(words[0])
    parts = folded.split("-")
    return folded in known or (len(parts) > 1 and all(p in known for p in parts))


def person(engine: SearchEngine, name: str, latest: int = LATEST) -> dict | None:
    """The person's page as a dict (the JSON API's document), or None when no article
    names anyone by that name."""
    name = " ".join(name.split())
    if not name:
        return None
    why = ""
    table = PersonTable.open_existing(engine.generation_path())
    try:
        if table is not None:
            canonical, why = table.canonical(name)
            name = canonical
            names = table.variants(name)[:MAX_FILTER_VALUES]
        else:
            names = [name]
        own = person_query(names)
        quotable = not any('"' in n for n in names)
        if quotable:
            request = SearchRequest(q=own, sort="date", per_page=latest)
        else:
            # A name with a quote in it cannot be written in the query language: the facet
            # filter finds its articles (the person facet then counts the whole archive, so
            # the co-mentions are not listed).
            request = SearchRequest(persons=names, sort="date", per_page=latest)
        response = engine.search(request)
        if response.total == 0:
            return None
        keys = {facet_key(n) for n in names}
        page = _page(response, own, skip_person=keys)
        if not quotable:
            page["persons"] = []
        page.update(
            type="person",
            name=name,
            resolved_from=why or None,
            given_name_only=given_name_only(name),
            aliases=table.aliases(name) if table else [],
            mentions=table.person_mentions(name) if table else None,
            months=table.person_months(name) if table else _articles_by_month(response),
        )
        return page
    finally:
        if table is not None:
            table.close()


def country(engine: SearchEngine, value: str, latest: int = LATEST) -> dict | None:
    """The country's page (``value``: an ISO code or a French name), or None when no
    article refers to it."""
    code = resolve_country(value)
    if not code.isalpha() or len(code) != 2:
        return None
    own = f"pays:{code}"
    response = engine.search(SearchRequest(q=own, sort="date", per_page=latest))
    if response.total == 0:
        return None
    table = PersonTable.open_existing(engine.generation_path())
    try:
        page = _page(response, own, skip_country=code)
        page.update(
            type="country",
            code=code,
            name=country_label(code),
            aliases=[],
            mentions=table.country_mentions(code) if table else None,
            months=table.country_months(code) if table else _articles_by_month(response),
        )
        return page
    finally:
        if table is not None:
            table.close()


def _page(response, own: str, skip_person: set[str] = frozenset(), skip_country: str = "") -> dict:
    facets = response.facets
    persons = [
        {
            "name": p["value"],
            "articles": p["count"],
            "q": both_query(own, f"personne:{_quoted(p['value'])}"),
        }
        for p in facets.get("person", [])
        if facet_key(p["value"]) not in skip_person and p["count"]
    ][:TOP]
    countries = [
        {
            "code": c["value"],
            "label": c["label"],
            "articles": c["count"],
            "q": both_query(own, f"pays:{c['value']}"),
        }
        for c in facets.get("country", [])
        if c["value"] != skip_country and c["count"]
    ][:TOP]
    sections = [
        {"name": s["value"], "articles": s["count"]}
        for s in facets.get("section", [])
        if s["count"]
    ][:TOP]
    latest = [
        {
            "id": r["id"],
            "title": r.get("title", ""),
            "date": r.get("date"),
            "section": r.get("section"),
        }
        for r in response.results
    ]
    return {
        "q": own,
        "articles": response.total,
        "years": [{"year": y["value"], "articles": y["count"]} for y in facets.get("year", [])],
        "persons": persons,
        "countries": countries,
        "sections": sections,
        "latest": latest,
        "took_ms": response.took_ms,
    }


def _articles_by_month(response) -> list[dict]:
    """Without a person table (an index written before it): articles per month only."""
    return [
        {"month": m["value"], "articles": m["count"], "mentions": None}
        for m in response.facets.get("month", [])
    ]
