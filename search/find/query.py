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
from typing import NamedTuple

from whoosh import qparser, query
from whoosh.qparser import MultifieldParser, OrGroup

from search.analysis import WORD, FastFrenchAnalyzer
from search.index.schema import FIELD_ALIASES, FIELD_BOOSTS, TEXT_FIELDS, TITLE_COVER_BOOST

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


def leaves_of(q: query.Query) -> list[query.Query]:
    """``list(q.leaves())``, the same leaves in the same order, by one loop: Whoosh's
    ``leaves`` is a generator per node, each leaf handed up through every level (a
    headline's tree has about a hundred nodes, walked several times per search). A node
    whose class keeps Whoosh's own ``is_leaf`` and ``children`` (a term; And, Or, Words...)
    is read directly, with no method call (``_kind_of``)."""
    out: list[query.Query] = []
    stack = [q]
    kinds = _KINDS
    while stack:
        node = stack.pop()
        kind = kinds.get(type(node))
        if kind is None:
            kind = _kind_of(type(node))
        if kind == _LEAF:
            out.append(node)
        elif kind == _SUBQUERIES:
            stack.extend(node.subqueries[::-1])
        elif node.is_leaf():
            out.append(node)
        else:
            stack.extend(reversed(list(node.children())))
    return out


_LEAF, _SUBQUERIES, _ASK = 0, 1, 2
_KINDS: dict[type, int] = {}


def _kind_of(cls: type) -> int:
    """How ``leaves_of`` reads a node of ``cls``: ``_LEAF`` when its ``is_leaf`` and
    ``children`` are ``Query``'s (always a leaf, no children), ``_SUBQUERIES`` when they are
    ``CompoundQuery``'s (its ``subqueries``, in order), else ``_ASK`` (its own methods)."""
    methods = (cls.is_leaf, cls.children)
    if methods == (query.Query.is_leaf, query.Query.children):
        kind = _LEAF
    elif methods == (query.CompoundQuery.is_leaf, query.CompoundQuery.children):
        kind = _SUBQUERIES
    else:
        kind = _ASK
    _KINDS[cls] = kind
    return kind


def terms_of(q: query.Query, phrases: bool = True) -> list[tuple[str, str]]:
    """``list(q.iter_all_terms(phrases))``: the same (field, text) pairs in the same order
    (a plain term's read from the node: what its ``terms`` generator yields)."""
    out: list[tuple[str, str]] = []
    for leaf in leaves_of(q):
        if type(leaf) is query.Term:
            if leaf.fieldname:
                out.append((leaf.fieldname, leaf.text))
        elif leaf.has_terms():
            out += leaf.terms(phrases=phrases)
    return out


_PARSERS = threading.local()


def make_parser(schema, any_word: bool = False, quotes_only: bool = False) -> MultifieldParser:
    """The parser for ``schema``, built once per thread (building one costs more than a
    parse): all words must match by default; ``any_word`` ranks documents matching any.
    ``quotes_only``: the same parser with only the plugins a text of words and double
    quotes can use (``_quotes_only``), the same tree in about 60 % of the time."""
    cache = getattr(_PARSERS, "cache", None)
    if cache is None:
        cache = _PARSERS.cache = {}
    key = (id(schema), any_word, quotes_only)
    found = cache.get(key)
    if found is None or found[0] is not schema:
        parser = _new_parser(schema, any_word)
        if quotes_only:
            for plugin in list(parser.plugins):
                if type(plugin) not in _QUOTE_PLUGINS:
                    parser.remove_plugin(plugin)
        found = cache[key] = (schema, parser)
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


# What Whoosh's parser needs for words and "phrases": the other plugins' taggers cannot
# match a text ``_quotes_only`` accepts, and their filters act only on what they tag.
_QUOTE_PLUGINS = (qparser.WhitespacePlugin, qparser.PhrasePlugin, qparser.MultifieldPlugin)
# Anything another plugin could tag: a field (``\w+:``, ``*:``), a range, a group, a boost,
# a prefix or wildcard, a comparison, a single-quoted phrase (an apostrophe that follows
# no letter), a required or excluded word (``+`` or ``-`` at a word's start).
_NOT_QUOTES_ONLY = re.compile(r"""[()\[\]{}^*~<>=\\/:+]|(?<!\w)'|(?<!\S)-""")
_OPERATOR_TOKENS = frozenset({"AND", "ET", "OR", "OU", "ANDNOT", "SAUF", "ANDMAYBE", "NOT",
                              "NON", "REQUIRE"})


def _quotes_only(text: str) -> bool:
    """Whether ``text`` holds nothing of the query language but double quotes (a pasted
    headline with a quotation, the most common text the parser gets): Whoosh's parser
    with only ``_QUOTE_PLUGINS`` makes its tree (``tests/test_fast_paths.py`` compares
    them over the corpus's headlines)."""
    return ('"' in text and not _NOT_QUOTES_ONLY.search(text)
            and _OPERATOR_TOKENS.isdisjoint(text.split()))


class Parsed(NamedTuple):
    """A query and, when the text could not be read as written, the one line saying how
    it was searched instead (shown by the page, the API and the CLI)."""

    query: query.Query | None
    notice: str | None = None


LITERAL_NOTICE = (
    "Syntaxe non reconnue (guillemets, parenthèses, filtres ou opérateurs) : "
    "la requête a été cherchée comme de simples mots."
)


def parse(text: str, schema, any_word: bool = False) -> query.Query | None:
    """The Whoosh query for ``text``; None for an empty query (browse everything).

    ``query.NullQuery`` means the text held nothing searchable (only stop words or
    punctuation): it matches nothing. Text the query language cannot read is searched
    as plain words (``interpret`` also says when).
    """
    return interpret(text, schema, any_word).query


def interpret(text: str, schema, any_word: bool = False) -> Parsed:
    """``parse`` with its notice. Nothing pasted is refused (as Elasticsearch's
    ``simple_query_string``): operators count where they are well formed, and a text
    the parser rejects, or that holds an unreadable date, is searched as its words.
    Only a text over ``MAX_QUERY_LENGTH`` is refused (a request costs bounded work)."""
    text = " ".join((text or "").split())
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"La requête est trop longue ({len(text)} caractères, {MAX_QUERY_LENGTH} au plus)."
        )
    text = " ".join(_LONE_WILDCARD.sub(" ", _STRAY_COMPARISON.sub(" ", text)).split())
    text = french_ranges(text)
    if not text:
        return Parsed(None)
    if ":" in text:
        text = _FIELD_COLON.sub(lambda m: _field_or_word(m, schema), text)
    plain = _plain_words(text, schema, any_word)
    if plain is not None:
        return Parsed(_with_title_bonus(plain, schema))
    parser = make_parser(schema, any_word, quotes_only=_quotes_only(text))
    try:
        q = parser.parse(text)
        if q is query.NullQuery and _LEADING_MINUS.search(text):
            # Only exclusions ("-grève"): Whoosh drops them all; NOT keeps them.
            q = parser.parse(_LEADING_MINUS.sub("NOT ", text))
    except Exception as exc:  # Whoosh raises many kinds on odd syntax
        notice = DATE_NOTICE if "date" in str(exc) else LITERAL_NOTICE
        return literal(text, schema, any_word, notice)
    if _has_error(q) or _unreadable_date(q, schema):
        return literal(text, schema, any_word, DATE_NOTICE)
    q = _phrases_where_positions(_bounded(q, schema), schema)
    if any_word:
        return Parsed(_any_relaxed(text, schema) or q)
    return Parsed(_relax(q, schema, text))


def _any_relaxed(text: str, schema) -> query.Query | None:
    """The any-word query of a text with syntax (what a search falls back to when no
    article holds enough of its words) as plain words are ranked: the all-words parse
    relaxed (``_relax``) to need one of its words and phrases; None when it has none."""
    try:
        parser = make_parser(schema, quotes_only=_quotes_only(text))
        q = _phrases_where_positions(_bounded(parser.parse(text), schema), schema)
    except Exception:  # noqa: BLE001 - the any-word parse already succeeded: use it
        return None
    relaxed = _relax(q, schema, text)
    if relaxed is q:
        return None
    return loosened(relaxed) or relaxed


def _field_or_word(match: re.Match, schema) -> str:
    name = match.group(1)
    known = name in schema.names() or any(name in a for a in FIELD_ALIASES.values())
    return match.group(0) if known else name + " "


def literal(text: str, schema, any_word: bool = False, notice: str = LITERAL_NOTICE) -> Parsed:
    """``text`` searched as its plain words, every sign of the query language ignored
    (upper-case operator words become words too)."""
    chunks = [w.lower() if w in _OPERATOR_WORDS else w for w in WORD.findall(text)]
    q = _plain_words(" ".join(chunks), schema, any_word) if chunks else None
    if q is None:
        return Parsed(query.NullQuery, notice)
    return Parsed(_with_title_bonus(q, schema), notice)


# -- ranges and boosts: what one query may cost -------------------------------------------

RANGE_FIELDS = frozenset({"date"})  # the one field whose ranges are read as ranges
MAX_BOOST = 100.0  # what "mot^N" may weigh at most, nested boosts multiplied together


def _bounded(q: query.Query, schema) -> query.Query:
    """``q`` with ranges only on dates and boosts capped (issue 13).

    A range on a text or keyword field (``body:[0 TO]``, ``[a TO z]``) walked the whole
    lexicon of every field it named, seconds per request: it is searched as the words
    it holds instead, as pasted text is; an open range on any field (``body:>""``) means
    every article. A boost (``retraites^999…``) is capped at
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
        if isinstance(node, query.Every) and node.fieldname not in (None, "*"):
            # ``body:>""`` or ``date:[ TO ]``: Whoosh's Every(field) reads every posting
            # list of the field (8,872 for the samples' bodies); every article instead.
            node, changed = query.Every(boost=node.boost), True
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
_SYNTAX = re.compile(r"""["()\[\]{}^*~<>=\\/]|\w:|^[-+]|(?<!\w)'""")
# "Paris: la mairie" is not a field filter: a colon counts after a field's name only.
_FIELD_COLON = re.compile(r"(\w+):")
# What ``interpret`` could read as anything but a plain word, or rewrite, in one word: its
# syntax, a colon, a wildcard or comparison, a space.
_NOT_PLAIN_WORD = re.compile(_SYNTAX.pattern + r"|[:<>*?\s]")
_OPERATOR_WORDS = frozenset("AND OR NOT ANDNOT ANDMAYBE ET OU SAUF NON TO".split())


# Plain words are ranked by fastsearch's BM25F: within each view, a word's frequencies in
# the fields are weighted and summed before one saturation, with one idf per word.
# Chosen on the tuning halves of bench/relevance.py (README "Ranking"): title 3 over 2
# and 1.5 (PIAF 0.786 -> 0.789, OrangeSum summaries 0.875 either way).
# The lead weighs 2 over 1 (rare-word known items 0.938 -> 0.976; 3 is no better).
RECALL_WEIGHTS: dict[str, float] = {"title": 3.0, "summary": 2.0, "body": 1.0, "caption": 0.5}
EXACT_WEIGHTS: dict[str, float] = {"title_exact": 3.0, "summary_exact": 2.0, "body_exact": 1.0}
# The exact (accented, unstemmed) view's BM25F is added at this weight: evidence for the
# spelling typed, never enough alone to overturn the recall view's ranking (accent-exact
# precision 1.00 at 0.5 and 1.0, 0.97 at 0.25; PIAF 0.786 at 0.5, 0.781 at 0.75).
EXACT_BOOST = 0.5
# Minimum should match: a document needs MSM_SHARE of the words (at least one, all of
# them up to MSM_ALL words), and BM25F ranks those holding the rare ones first. Requiring
# all of 2-3 words and 60% of longer queries lost the article lacking one common word
# (tuning halves, MRR@10: PIAF 0.772 -> 0.786, OrangeSum summaries 0.810 -> 0.875 at 20%;
# MSM_ALL = 2, all of two words, gives PIAF 0.773 and OrangeSum 0.880). Kept at 2: an
# archive's users read totals and facet counts, and "Macron retraites" counting every
# article about either would make them meaningless (the lead's call, against 0.013 of PIAF).
MSM_ALL = 2
MSM_SHARE = 0.2
# A pasted text of this many words or more: the words of its quotes count as words too
# (the phrase still adds its own evidence): a summary quotes its article, but not always
# word for word. Tuning halves, MRR@10: summaries 0.8032 -> 0.8058 (held-out 0.7898 ->
# 0.7923), PIAF unchanged (2, any query with a quote: PIAF 0.7957, but then
# '"réforme des retraites" Macron' would match without the phrase; 0 turns it off).
QUOTED_WORDS = 8
# Question scaffolding, ignored for matching and scoring when the query has other words.
QUESTION_WORDS = frozenset(
    "quel quelle quels quelles quand comment combien pourquoi qui où ou que quoi lequel "
    "laquelle lesquels lesquelles est-ce".split()
)
IGNORE_QUESTION_WORDS = True
# Answer-type words of a question ("quel est le *nom*", "en quelle *année*", "quel *rôle*"):
# they say what kind of answer is asked for, which the answering text gives (a name, a
# year) without the word itself; in a PIAF question, `exposition` or `période` matched the
# title of an "Exposition universelle" or a "Période 8" article. In a question
# (``_asking``) they weigh ANSWER_TYPE_WEIGHT (0: left out when the query has other words).
# Tuning halves, MRR@10 PIAF (summaries 0.8066 at every weight: they ask nothing), the list
# and the word after "quel" together: 1 (neither) 0.7953, 0 0.7979, 0.15 0.8006, 0.3 0.8028,
# 0.5 0.8033, 0.65 0.8020, 0.8 0.8008; the list alone at 0.3 0.7984. Adding location verbs
# (situé, trouve, composé) or answer-type nouns (pays, ville, personne, siècle, événement)
# to the list: 0.7985 and 0.7983 (against 0.7984), not kept.
ANSWER_TYPE_WORDS = frozenset(
    "nom noms appelle appellent appelait appelé appelée appelés appelées surnom date dates "
    "année années type types sorte genre moment lieu endroit raison raisons rôle fonction "
    "profession métier nombre caractéristique caractéristiques particularité exemple "
    "signification objectif but".split()
)
ANSWER_TYPE_WEIGHT = 0.5
# ... and so does the word a question's "quel" asks about ("quelle *langue*", "quel est le
# *titre*": the next word kept once stop words are left out), with ANSWER_AFTER_QUEL.
ANSWER_AFTER_QUEL = True
_QUEL = frozenset("quel quelle quels quelles".split())
# "a été", "ont été": the auxiliary's past participle, not the summer.
AUXILIARIES = frozenset(
    "a ont avait avaient aura auront aurait auraient ai as avons avez ayant avoir eût "
    "n'a n'ont n'avait n'aurait".split()
)


_AUX = "|".join(sorted((re.escape(a) for a in AUXILIARIES), key=len, reverse=True))
_AUX_ETE = re.compile(rf"(?<![\w'’])(?:{_AUX})\s+été(?!\w)", re.IGNORECASE)
_LONE_ETE = re.compile(r"(?<![\w'’])été(?!\w)", re.IGNORECASE)


class Words(query.CompoundQuery):
    """Plain words, one child per word (the Or of its terms in every field of both views),
    matched when at least ``minmatch`` of them are and ranked with BM25F by
    ``fastsearch.evaluate``. Whoosh's own matcher (used by no Loupe path) is the And of
    the words when all are required, else their Or."""

    JOINT = " WORDS "

    def __init__(self, subqueries, boost: float = 1.0, minmatch: int = 0) -> None:
        super().__init__(subqueries, boost=boost)
        self.minmatch = minmatch or len(subqueries)

    def __eq__(self, other) -> bool:
        return super().__eq__(other) and self.minmatch == other.minmatch

    def __hash__(self) -> int:
        return super().__hash__() ^ hash(self.minmatch)

    def __repr__(self) -> str:
        return f"Words({self.subqueries!r}, minmatch={self.minmatch})"

    def apply(self, fn):
        return Words([fn(q) for q in self.subqueries], boost=self.boost, minmatch=self.minmatch)

    def normalize(self):
        return self if self.subqueries else query.NullQuery

    def _matcher(self, subs, searcher, context):
        joined = query.And(subs) if self.minmatch >= len(subs) else query.Or(subs)
        return joined.matcher(searcher, context)


def _plain_words(text: str, schema, any_word: bool = False) -> query.Query | None:
    """The query for the common text made of plain words only (``réforme des retraites``,
    a title, a question, a pasted sentence), built directly as ``Words``; None when the
    text holds anything else (the parser's job).

    Stop words are decided once for both views: a word either view drops (``où`` is the
    stop word ``ou`` once folded) is dropped from both, so no word is left that only one
    view can match. Question words and ``été`` after an auxiliary are dropped too."""
    chunks = text.split()
    if any(chunk in _OPERATOR_WORDS or _SYNTAX.search(chunk) for chunk in chunks):
        return None
    recall_fields = [f for f in RECALL_WEIGHTS if f in schema]
    exact_fields = [f for f in EXACT_WEIGHTS if f in schema]
    if not recall_fields:
        return None
    kept = _content_words(chunks, schema, recall_fields, exact_fields)
    asking = _asking(chunks)
    kept_all = kept
    if IGNORE_QUESTION_WORDS:
        content = [k for k in kept if k[1][0] not in QUESTION_WORDS]
        if content:
            kept = content
    if asking and ANSWER_TYPE_WEIGHT == 0:
        content = [k for k in kept if k[1][0] not in ANSWER_TYPE_WORDS]
        if content:
            kept = content
    if not kept:
        return query.NullQuery
    typed = _answer_types(kept_all, asking)
    views = list(dict.fromkeys((tuple(r), tuple(e)) for r, e in kept))
    words = [
        _answer_type(_bm25f_word(list(r), list(e), recall_fields, exact_fields), e, typed)
        for r, e in views
    ]
    q = Words(words, minmatch=1 if any_word else _needed(len(words)))
    q.by_views = dict(zip(views, words, strict=True))  # for ``word_alone``
    return q


def word_alone(word: str, schema, within: query.Query | None) -> query.Query | None:
    """``parse(word, schema)`` as far as the documents it matches go (the words a result
    lacks), taken from ``within`` (the search's query) when that is plain words holding a
    word of the same terms in both views (what decides which documents a word matches;
    its weight does not): nothing built again; a stop word of either view is
    ``NullQuery``, as parsed. Any other word is parsed."""
    if type(within) is query.AndMaybe:  # the title bonus: the words are the required part
        within = within.a
    views = getattr(within, "by_views", None) if type(within) is Words else None
    if views and not _NOT_PLAIN_WORD.search(word) and word not in _OPERATOR_WORDS:
        recall_fields = [f for f in RECALL_WEIGHTS if f in schema]
        exact_fields = [f for f in EXACT_WEIGHTS if f in schema]
        if recall_fields and exact_fields:  # else not read as plain words
            recall = _terms_of(schema, recall_fields[0], word)
            exact = _terms_of(schema, exact_fields[0], word)
            if not recall or not exact:
                return query.NullQuery
            found = views.get((tuple(recall), tuple(exact)))
            if found is not None:
                return Words([found], minmatch=1)
    return parse(word, schema)


def _content_words(chunks: list[str], schema, recall_fields: list[str],
                   exact_fields: list[str]) -> list[tuple[list[str], list[str]]]:
    """(recall terms, exact terms) of each chunk that is a word of both views, but ``été``
    after an auxiliary."""
    kept: list[tuple[list[str], list[str]]] = []
    previous = ""
    for chunk in chunks:
        lowered = chunk.lower().replace("’", "'")
        after = previous
        previous = lowered
        recall = _terms_of(schema, recall_fields[0], chunk)
        exact = _terms_of(schema, exact_fields[0], chunk) if exact_fields else [""]
        if not recall or not exact:
            continue  # a stop word in either view
        if exact[0] == "été" and after in AUXILIARIES:
            continue
        kept.append((recall, exact))
    return kept


_TERMS_KEPT = 4096  # words' analyses remembered by the process
# (schema, {(field, word): its terms}): shared by the server's threads (a served query's
# words were most often analysed already by another thread's search); a dict's get and
# set are atomic, and a race only analyses a word twice.
_TERMS: tuple[object, dict[tuple[str, str], tuple[str, ...]]] = (None, {})


def _terms_of(schema, fieldname: str, chunk: str) -> list[str]:
    """``schema[fieldname].process_text(chunk, mode="query")``, remembered for the last
    few thousand words of the process: a search analyses its words again (the respelled
    query, the words each result lacks), the next page or facet asks for the same, and
    the next queries share most of their common words."""
    global _TERMS
    memo = _TERMS
    if memo[0] is not schema:
        memo = _TERMS = (schema, {})
    key = (fieldname, chunk)
    kept = memo[1]
    found = kept.get(key)
    if found is None:
        field = schema[fieldname]
        if type(field.analyzer) is FastFrenchAnalyzer and field.format:  # Loupe's own
            found = tuple(field.analyzer.terms(chunk))
        else:  # an index whose schema pickled Whoosh's chain
            found = tuple(field.process_text(chunk, mode="query"))
        if len(kept) >= _TERMS_KEPT:
            kept.clear()
        kept[key] = found
    return list(found)


def loosened(q: query.Query) -> query.Query | None:
    """``q`` with its plain words needing only one of them (what fills a page the strict
    matches leave short), everything else (filters, exclusions, the title bonus) as it
    was; None when ``q`` has no plain words needing more than one."""
    if type(q) is Words:
        return Words(q.subqueries, boost=q.boost, minmatch=1) if q.minmatch > 1 else None
    if type(q) is query.AndMaybe:
        a = loosened(q.a)
        return None if a is None else query.AndMaybe(a, q.b)
    if type(q) is query.And and q.subqueries and type(q.subqueries[-1]) is Words:
        last = loosened(q.subqueries[-1])
        return None if last is None else query.And(q.subqueries[:-1] + [last], boost=q.boost)
    return None


def _needed(n: int) -> int:
    """How many of ``n`` words a document must hold (minimum should match)."""
    return n if n <= MSM_ALL else max(MSM_ALL, math.ceil(MSM_SHARE * n))


def _asking(chunks: list[str]) -> bool:
    """Whether a query is a question: a question mark, or a question word among its first
    three words ("Quel est…", "En quelle année…", "À qui…"); a pasted text's "qui" or "que"
    in the middle of a sentence is not one."""
    if chunks and chunks[-1].endswith("?"):
        return True
    return any(c.lower().strip("?,.") in QUESTION_WORDS for c in chunks[:3])


def _answer_types(kept: list, asking: bool) -> frozenset[str]:
    """The exact forms of a question's answer-type words: those of ``ANSWER_TYPE_WORDS``
    and the word after a "quel" (``kept`` holds the question words still)."""
    if not asking:
        return frozenset()
    found = set(ANSWER_TYPE_WORDS)
    if ANSWER_AFTER_QUEL:
        found.update(kept[i + 1][1][0] for i in range(len(kept) - 1)
                     if kept[i][1][0] in _QUEL and kept[i + 1][1][0] not in QUESTION_WORDS)
    return frozenset(found)


def _answer_type(word: query.Query, exact, typed: frozenset[str]) -> query.Query:
    """``word`` weighed ``ANSWER_TYPE_WEIGHT`` when it is a question's answer-type word."""
    if exact and exact[0] in typed and ANSWER_TYPE_WEIGHT != 1.0:
        word = copy.copy(word)
        word.boost = ANSWER_TYPE_WEIGHT
    return word


def _bm25f_word(
    recall: list[str], exact: list[str], recall_fields: list[str], exact_fields: list[str]
) -> query.Query:
    """One word as ``Words`` holds it: per view, each of its terms over the view's fields
    (a BM25F unit), a compound's terms all required; either view matches."""
    pieces = [
        query.Or([query.Term(f, t, boost=RECALL_WEIGHTS[f]) for f in recall_fields])
        for t in recall
    ]
    views: list[query.Query] = [pieces[0] if len(pieces) == 1 else query.And(pieces)]
    if exact_fields and exact and exact[0]:
        # Or-over-fields per term, boosted on each term's unit (BM25F saturates each).
        units = [
            query.Or(
                [query.Term(f, t, boost=EXACT_WEIGHTS[f]) for f in exact_fields],
                boost=EXACT_BOOST,
            )
            for t in exact
        ]
        views.append(units[0] if len(units) == 1 else query.And(units))
    return query.Or(views)


def _relax(q: query.Query, schema, text: str = "") -> query.Query:
    """The parser's all-words query (a pasted sentence with a quote or a colon) ranked as
    plain words are: its plain words become BM25F words and, with its phrases, need only
    ``_needed`` of them; filters, exclusions and required words stay required. The words
    the plain path leaves out are left out here too (``_plain_words``): question words,
    ``été`` after an auxiliary (in ``text`` as typed, outside quotes), a repeated word."""
    if type(q) is not query.And:
        return q
    recall_fields = [f for f in RECALL_WEIGHTS if f in schema]
    exact_fields = [f for f in EXACT_WEIGHTS if f in schema]
    unquoted = text.replace("’", "'").split('"')[::2]
    summer = not any(_AUX_ETE.search(part) for part in unquoted) or any(
        _LONE_ETE.search(_AUX_ETE.sub(" ", part)) for part in unquoted)
    plain: dict[tuple[tuple[str, ...], tuple[str, ...]], None] = {}
    phrases: list[query.Query] = []
    required: list[query.Query] = []
    for child in q.subqueries:
        word = _parsed_word(child)
        if word is not None:
            recall, exact = word
            if recall and exact:  # a stop word of either view is dropped from both
                if exact[0] != "été" or summer:
                    plain[(tuple(recall), tuple(exact))] = None
        elif isinstance(child, query.Or) and all(
            isinstance(c, query.Phrase) for c in child.subqueries
        ):
            phrases.append(child)
        else:
            required.append(child)
    if phrases and QUOTED_WORDS and len(text.split()) >= QUOTED_WORDS:
        quoted = [c for part in text.split('"')[1::2] for c in WORD.findall(part)]
        for recall, exact in _content_words(quoted, schema, recall_fields, exact_fields):
            plain[(tuple(recall), tuple(exact))] = None
    typed = _answer_types(list(plain), _asking(text.split()))
    if IGNORE_QUESTION_WORDS:
        content = [k for k in plain if k[1][0] not in QUESTION_WORDS]
        if content or phrases:
            plain = dict.fromkeys(content)
    optional = [
        _answer_type(_bm25f_word(list(r), list(e), recall_fields, exact_fields), e, typed)
        for r, e in plain
    ]
    optional += phrases
    if not optional:
        return q
    words = Words(optional, minmatch=_needed(len(optional)))
    return query.And(required + [words]) if required else words


def _parsed_word(node: query.Query) -> tuple[list[str], list[str]] | None:
    """(recall terms, exact terms) of one word as the parser makes it (an Or over the text
    fields of terms, or of a compound's And of terms); None for anything else."""
    if not isinstance(node, query.Or) or type(node) is not query.Or:
        return None
    recall: list[str] = []
    exact: list[str] = []
    for child in node.subqueries:
        terms = child.subqueries if type(child) is query.And else [child]
        if not all(type(t) is query.Term and t.fieldname in TEXT_FIELDS for t in terms):
            return None
        if terms[0].fieldname == "title":
            recall = [t.text for t in terms]
        elif terms[0].fieldname == "title_exact":
            exact = [t.text for t in terms]
    return recall, exact


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
    terms = list(dict.fromkeys(term for field, term in terms_of(q) if field == "title"))
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

    if q is query.NullQuery or not any(isinstance(n, query.Phrase) for n in leaves_of(q)):
        return q
    return q.accept(fix).normalize()


DATE_HELP = (
    "Date incomprise dans la requête : écrivez date:2020, date:2020-03, date:2020-03-15, "
    "date:[2019 à 2020-06], du 2019 au 2020-06 ou date:>2020-01-01."
)
DATE_NOTICE = DATE_HELP[:-1] + " ; la requête a été cherchée comme de simples mots."


def _has_error(q: query.Query) -> bool:
    """Whoosh turns a value it cannot read (``date:demain``) into a query that silently
    matches nothing, marked with an ``error``; the user should be told instead."""
    if getattr(q, "error", None):
        return True
    return not q.is_leaf() and any(_has_error(child) for child in q.children())


def _unreadable_date(q: query.Query, schema) -> bool:
    """A quoted value on a date field (``date:""``) reaches the query as a plain term
    that the date field cannot turn into its bytes: an unreadable date too."""
    for leaf in leaves_of(q):
        if isinstance(leaf, query.Term) and leaf.fieldname in RANGE_FIELDS:
            try:
                schema[leaf.fieldname].to_bytes(leaf.text)
            except Exception:  # Whoosh raises its base Exception for an unparseable date
                return True
    return False


def word_count(q: query.Query | None) -> int:
    """How many distinct words a query holds (the any-word fallback needs two or more)."""
    if q is None:
        return 0
    return len({text for _field, text in terms_of(q) if _field in TEXT_FIELDS})
