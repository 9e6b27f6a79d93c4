"""The Whoosh schema: two views of each text field, stored fields for display, facet fields.

Facet values are indexed (for ``pays:RU``-style queries) and also written to columns,
so facet counting reads one compact array per index generation instead of every
stored document.
"""

from __future__ import annotations

from whoosh import columns
from whoosh.analysis import CommaSeparatedTokenizer, Filter, LowercaseFilter
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from search.analysis import FoldFilter, exact_analyzer, french_analyzer

# Query-time field boosts of queries with syntax (phrases, operators, filters), which Whoosh's
# sum of per-field BM25s ranks; plain words use query.RECALL_WEIGHTS / EXACT_WEIGHTS in
# fastsearch's BM25F instead (README "Ranking"). A title word counts more than a body word,
# and an exact (accent-preserving, unstemmed) match more than a folded, stemmed one.
# The title weighs
# 2 / 2.5, not 3 / 4: at 3 / 4 a near-duplicate whose title holds the words outranked the
# article whose lead holds them (rare-word known-item MRR@10 0.960 -> 0.970 at 10,000
# articles, 0.973 -> 0.975 at 5,000, titles unchanged; bench/compare.py).
#
# The body weighs 0.5 / 0.75: at 1 / 1.5 a short article whose lead and body held a
# title's words outranked the article with that title (folded-title MRR@10 0.989 -> 0.991
# and rare words 0.962 -> 0.963 at the full corpus on bench/compare.py's queries, chosen on
# two other samples of queries; see search/find/query.py's title bonus too).
FIELD_BOOSTS: dict[str, float] = {
    "title": 2.0,
    "title_exact": 2.5,
    "summary": 1.5,
    "summary_exact": 2.0,
    "body": 0.5,
    "body_exact": 0.75,
    "caption": 0.8,
}
# Added when the title holds every word of a plain query (``query._with_title_bonus``).
TITLE_COVER_BOOST = 3.0
TEXT_FIELDS = tuple(FIELD_BOOSTS)

SEPARATOR = "\x1f"  # between values in a facet column (names may contain commas)


def facet_analyzer():
    """Keyword facets match case- and accent-insensitively: ``rubrique:societe``."""
    return CommaSeparatedTokenizer() | LowercaseFilter() | FoldFilter()


class CountryCodeFilter(Filter):
    """Country names become ISO codes, so ``pays:Russie`` finds what ``pays:RU`` finds."""

    def __call__(self, tokens):
        from search.ingest.entities.countries import resolve_country

        for t in tokens:
            t.text = resolve_country(t.text)
            yield t


def country_analyzer():
    return CommaSeparatedTokenizer() | CountryCodeFilter() | LowercaseFilter() | FoldFilter()


def build_schema() -> Schema:
    """The exact views keep no positions (phrases are matched on the recall views, see
    ``query.parse``): a fifth smaller index and faster writing, with the same ranking."""
    fr = french_analyzer()
    exact = exact_analyzer()
    facet = facet_analyzer()
    return Schema(
        id=ID(unique=True, stored=True),
        title=TEXT(analyzer=fr, stored=True),
        title_exact=TEXT(analyzer=exact, phrase=False),
        summary=TEXT(analyzer=fr, stored=True),
        summary_exact=TEXT(analyzer=exact, phrase=False),
        body=TEXT(analyzer=fr, stored=True),
        body_exact=TEXT(analyzer=exact, phrase=False),
        caption=TEXT(analyzer=fr, stored=True),
        section=KEYWORD(analyzer=facet, stored=True, scorable=False),
        country=KEYWORD(analyzer=country_analyzer(), stored=True, scorable=False),
        person=KEYWORD(analyzer=facet, stored=True, scorable=False),
        tags=KEYWORD(analyzer=facet, stored=True, scorable=False),
        date=DATETIME(stored=True),
        date_source=STORED(),
        published=STORED(),  # the source's own timestamp with its UTC offset, when it gives one
        url=STORED(),
        # Indexed too, so that ``source:AFP`` and ``-source:AFP`` work as ``pays:`` does.
        source=KEYWORD(analyzer=facet, stored=True, scorable=False),
        path=ID(stored=True),
        content_hash=STORED(),
        # Columns for facet counting and date sorting (one value per document).
        col_country=COLUMN(columns.VarBytesColumn()),
        col_person=COLUMN(columns.VarBytesColumn()),
        col_section=COLUMN(columns.VarBytesColumn()),
        col_source=COLUMN(columns.VarBytesColumn()),  # the agency or site: a facet
        col_day=COLUMN(columns.NumericColumn("i", default=0)),
        # The source's publication instant (Unix seconds, 0 when unknown): orders the
        # articles of one day when sorting by date.
        col_instant=COLUMN(columns.NumericColumn("q", default=0)),
    )


# Query-language field names, in French, as users type them.
FIELD_ALIASES = {
    "country": ["pays"],
    "person": ["personne"],
    "section": ["rubrique"],
    "title": ["titre"],
    "tags": ["tag", "motcle"],
}
