"""The query language: words (all must match), "phrases", -exclusions, OR / OU,
and French field filters (``pays:RU``, ``personne:"Anthony Blinken"``,
``rubrique:monde``, ``date:2020-03``, ``titre:retraites``).
"""

from __future__ import annotations

import copy
import itertools
import math
import re
import threading

from whoosh import qparser, query
from whoosh.qparser import MultifieldParser, OrGroup

from .schema import FIELD_ALIASES, FIELD_BOOSTS, TEXT_FIELDS, TITLE_COVER_BOOST

MAX_QUERY_LENGTH = 1000

# French operators beside the English ones; upper case only, since "et" and "ou" are words.
_OPERATORS = dict(
    And=r"(?<=\s)(AND|ET)(?=\s)",
    Or=r"(?<=\s)(OR|OU)(?=\s)",
    AndNot=r"(?<=\s)(ANDNOT|SAUF)(?=\s)",
    AndMaybe=r"(?<=\s)ANDMAYBE(?=\s)",
    Not=r"(^|(?<=(\s|[()])))(NOT|NON)(?=\s)",
)


_LEADING_MINUS = re.compile(r"(?<![^\s(])-(?=\S)")
# "<" and ">" compare only after a field ("date:>2020"); elsewhere ("<script>") they are
# punctuation, which Whoosh's comparison plugin would otherwise choke on.
_STRAY_COMPARISON = re.compile(r"(?<![:<>])[<>]")
# A lone "*" would expand to every word of every field (slow, and highlights everything);
# it means "everything", which is what an empty query already does.
_LONE_WILDCARD = re.compile(r"(?<![^\s(])[-+]?[*?]+(?![^\s)])")


# French date ranges: "date:[2019 à 2020-06]", "date:[2019 au 2020-06]" and "du 2019 au
# 2020-06" become Whoosh's "date:[2019 to 2020-06]".
_ISO_DATE = r"\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?"
_RANGE_WORD = re.compile(r"(date:\[[^\]\s]*)\s+(?:à|a|au|jusqu'au)\s+(?=[^\]]*\])", re.I)
_DU_AU = re.compile(rf"(?<![\w:])du\s+({_ISO_DATE})\s+au\s+({_ISO_DATE})(?![\w-])", re.I)


def french_ranges(text: str) -> str:
    """The French ways of writing a date range, in the syntax Whoosh reads."""
    text = _DU_AU.sub(r"date:[\1 to \2]", text)
    return _RANGE_WORD.sub(r"\1 to ", text)


MIN_PREFIX = 2  # "r*" would expand to thousands of terms in every field
MAX_EXPANSIONS = 200  # terms a prefix may stand for, most of the recall it brings


class LimitedPrefix(query.Prefix):
    """``réform*``: a prefix query that expands to at most ``MAX_EXPANSIONS`` terms, so one
    short prefix cannot make a search take seconds."""

    def _btexts(self, ixreader):
        return itertools.islice(ixreader.expand_prefix(self.fieldname, self.text), MAX_EXPANSIONS)

    def matcher(self, searcher, context=None):
        if len(self.text) < MIN_PREFIX:
            return query.NullQuery.matcher(searcher, context)
        return super().matcher(searcher, context)


class QueryError(ValueError):
    """A query that cannot be understood; the message is shown to the user as is."""


_PARSERS = threading.local()


def make_parser(schema, any_word: bool = False) -> MultifieldParser:
    """The parser for ``schema``, built once per thread (building one costs more than a
    parse): all words must match by default; ``any_word`` ranks documents matching any."""
    cache = getattr(_PARSERS, "cache", None)
    if cache is None:
        cache = _PARSERS.cache = {}
    key = (id(schema), any_word)
    found = cache.get(key)
    if found is None or found[0] is not schema:
        found = cache[key] = (schema, _new_parser(schema, any_word))
        if len(cache) > 8:  # schemas of generations long gone
            cache.clear()
            cache[key] = found
    return found[1]


def _new_parser(schema, any_word: bool) -> MultifieldParser:
    group = OrGroup.factory(0.9) if any_word else qparser.AndGroup
    parser = MultifieldParser(list(TEXT_FIELDS), schema, fieldboosts=FIELD_BOOSTS, group=group)
    # Prefixes only ("réform*"): leading or inner wildcards scan the whole lexicon.
    parser.remove_plugin_class(qparser.WildcardPlugin)
    prefix = qparser.PrefixPlugin()
    prefix.nodetype = type(
        "PrefixNode", (qparser.PrefixPlugin.PrefixNode,), {"qclass": LimitedPrefix}
    )
    parser.add_plugin(prefix)
    parser.remove_plugin_class(qparser.OperatorsPlugin)
    parser.add_plugin(qparser.OperatorsPlugin(**_OPERATORS))
    # "-mot" excludes and "+mot" requires, but only at the start of a word: États-Unis,
    # date:2020-03 and Kassym-Jomart keep their hyphens.
    parser.add_plugin(
        qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=\S)", minusexpr=r"(?<![^\s(])-(?=\S)")
    )
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    parser.add_plugin(qparser.GtLtPlugin())
    return parser


def parse(text: str, schema, any_word: bool = False) -> query.Query | None:
    """The Whoosh query for ``text``; None for an empty query (browse everything).

    ``query.NullQuery`` means the text held nothing searchable (only stop words or
    punctuation): it matches nothing.
    """
    text = " ".join((text or "").split())
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"La requête est trop longue ({len(text)} caractères, {MAX_QUERY_LENGTH} au plus)."
        )
    text = " ".join(_LONE_WILDCARD.sub(" ", _STRAY_COMPARISON.sub(" ", text)).split())
    text = french_ranges(text)
    if not text:
        return None
    if not any_word:
        plain = _plain_words(text, schema)
        if plain is not None:
            return _with_title_bonus(plain, schema)
    parser = make_parser(schema, any_word)
    try:
        q = parser.parse(text)
        if q is query.NullQuery and _LEADING_MINUS.search(text):
            # Only exclusions ("-grève"): Whoosh drops them all; NOT keeps them.
            q = parser.parse(_LEADING_MINUS.sub("NOT ", text))
    except Exception as exc:  # Whoosh raises many kinds on odd syntax
        if "date" in str(exc):
            raise QueryError(DATE_HELP) from None
        raise QueryError(
            "Requête incomprise : vérifiez les guillemets, les parenthèses et les filtres "
            "(pays:, personne:, rubrique:, titre:, date:)."
        ) from None
    if _has_error(q):
        raise QueryError(DATE_HELP)
    return _phrases_where_positions(_bounded(q, schema), schema)


# -- ranges and boosts: what one query may cost -------------------------------------------

RANGE_FIELDS = frozenset({"date"})  # the one field whose ranges are read as ranges
MAX_BOOST = 100.0  # what "mot^N" may weigh at most, nested boosts multiplied together


def _bounded(q: query.Query, schema) -> query.Query:
    """``q`` with ranges only on dates and boosts capped (issue 13).

    A range on a text or keyword field (``body:[0 TO]``, ``[a TO z]``) walked the whole
    lexicon of every field it named, seconds per request: it is searched as the words
    it holds instead, as pasted text is. A boost (``retraites^999…``) is capped at
    ``MAX_BOOST`` along each path of the tree (times the field's own weight at a leaf),
    so a score is always a finite number.
    """

    changed = False

    def fix(node: query.Query, above: float) -> query.Query:
        nonlocal changed
        if node is query.NullQuery:
            return node
        if isinstance(node, query.TermRange) and node.fieldname not in RANGE_FIELDS:
            node, changed = _range_words(node, schema), True
            if node is query.NullQuery:
                return node
        boost = getattr(node, "boost", 1.0)
        if not math.isfinite(boost) or boost < 0:
            boost = MAX_BOOST if boost > 0 else 0.0
        # A leaf also carries its field's weight (title 2.5, body 0.5): kept as it is.
        limit = MAX_BOOST
        if node.is_leaf():
            limit *= max(1.0, FIELD_BOOSTS.get(getattr(node, "fieldname", None), 1.0))
        if above * boost > limit:
            boost = limit / above
        if boost != getattr(node, "boost", 1.0):
            node = copy.copy(node)
            node.boost = boost
            changed = True
        if node.is_leaf():
            return node
        total = above * boost if boost > 0 else above
        return node.apply(lambda child: fix(child, total))

    fixed = fix(q, 1.0)
    return fixed.normalize() if changed else q


def _range_words(node: query.TermRange, schema) -> query.Query:
    """The words of a range's bounds in its field (``body:[paix TO guerre]`` -> paix guerre)."""
    field = schema[node.fieldname] if node.fieldname in schema else None
    terms: list[query.Query] = []
    for bound in (node.start, node.end):
        if not bound:
            continue
        # The parser analysed the bound already (stem, folded); only a stop word, which the
        # index never holds, is left out rather than making the AND match nothing.
        if field is not None and not list(field.process_text(bound, mode="query")):
            continue
        terms.append(query.Term(node.fieldname, bound, boost=node.boost))
    if not terms:
        return query.NullQuery
    return query.And(terms) if len(terms) > 1 else terms[0]


# Anything the query language could read as syntax: quotes, groups, fields, ranges, boosts,
# wildcards, +/- at the start of a word, a quote opening a word.
_SYNTAX = re.compile(r"""["()\[\]{}^*?~<>=\\/]|\w:|^[-+]|(?<!\w)'""")
_OPERATOR_WORDS = frozenset("AND OR NOT ANDNOT ANDMAYBE ET OU SAUF NON TO".split())


def _plain_words(text: str, schema) -> query.Query | None:
    """The parser's answer for the common query made of plain words only (``réforme des
    retraites``, a title), built directly: Whoosh's parser spends a millisecond and more
    on plugins for it. None when the text holds anything else; a word that becomes
    several terms (``États-Unis``) is an AND of them in that field, as the parser makes it.
    ``tests/test_query_fast.py`` checks it equals ``parser.parse`` on real titles."""
    chunks = text.split()
    if any(chunk in _OPERATOR_WORDS or _SYNTAX.search(chunk) for chunk in chunks):
        return None
    words: list[query.Query] = []
    for chunk in chunks:
        terms: list[query.Query] = []
        for fieldname in TEXT_FIELDS:
            if fieldname not in schema:
                continue
            texts = list(schema[fieldname].process_text(chunk, mode="query"))
            boost = FIELD_BOOSTS[fieldname]
            if len(texts) > 1:
                terms.append(query.And([query.Term(fieldname, t, boost=boost) for t in texts]))
            elif texts:
                terms.append(query.Term(fieldname, texts[0], boost=boost))
        if terms:
            words.append(query.Or(terms))
    if not words:
        return query.NullQuery
    return query.And(words).normalize()


def _with_title_bonus(q: query.Query, schema) -> query.Query:
    """Plain words of which the title holds every one: ``q`` ranks that article higher.

    BM25F adds up each field's score, so an article with a short lead and body that hold
    the words here and there outranked the one whose headline is the query, the usual
    way to look an article up (known-item MRR@10 on folded titles 0.989 -> 0.991 at the
    full corpus, tuned on other query samples than bench/compare.py's; see the README).
    """
    if q is query.NullQuery or "title" not in schema:
        return q
    # The plain-word query already holds each word's title terms, analysed once.
    terms = list(dict.fromkeys(term for field, term in q.iter_all_terms() if field == "title"))
    if len(terms) < 2:
        return q
    every = query.And([query.Term("title", t) for t in terms], boost=TITLE_COVER_BOOST)
    return query.AndMaybe(q, every)


def _phrases_where_positions(q: query.Query, schema) -> query.Query:
    """Phrases only on fields that keep word positions (the recall views): the exact
    views have none, and Whoosh would refuse a phrase on them."""

    def fix(node: query.Query) -> query.Query:
        if isinstance(node, query.Phrase) and node.fieldname in schema:
            if not schema[node.fieldname].format.supports("positions"):
                return query.NullQuery
        return node

    if q is query.NullQuery or not any(isinstance(n, query.Phrase) for n in q.leaves()):
        return q
    return q.accept(fix).normalize()


DATE_HELP = (
    "Date incomprise dans la requête : écrivez date:2020, date:2020-03, date:2020-03-15, "
    "date:[2019 à 2020-06], du 2019 au 2020-06 ou date:>2020-01-01."
)


def _has_error(q: query.Query) -> bool:
    """Whoosh turns a value it cannot read (``date:demain``) into a query that silently
    matches nothing, marked with an ``error``; the user should be told instead."""
    if getattr(q, "error", None):
        return True
    return not q.is_leaf() and any(_has_error(child) for child in q.children())


def word_count(q: query.Query | None) -> int:
    """How many distinct words a query holds (the any-word fallback needs two or more)."""
    if q is None:
        return 0
    return len({text for _field, text in q.all_terms() if _field in TEXT_FIELDS})
