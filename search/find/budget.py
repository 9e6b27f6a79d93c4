"""What one search may cost: its work counted before it runs, and as it runs.

A query names posting lists (a word in each field it is searched in, the words a prefix
stands for, a date range); reading them and stepping through them is the work of a search.
``estimate`` adds up, before anything is read, the lists a query will open and the postings
they hold, so a query over the budget is refused at once with a French message instead of
running for seconds (issue 13: a range over the lexicon of every field took 5-29 s and
made ``/healthz`` wait). ``Meter`` counts what really happens, in the index readers
themselves: the posting lists opened and the lexicon entries walked, for the tests to check
that no request exceeds the budget, and a time limit that ends a search run long on a
loaded machine (``SearchTimeout``, a 503).
"""

from __future__ import annotations

import itertools
import os
import threading
import time
import weakref
from dataclasses import dataclass

from whoosh import query as wq

from search.find.query import QueryError, Words, leaves_of
from search.french import format_number as _n
from search.index import postings_mmap, w3

# Per request, in postings weighted by what each costs to go through (measured on all
# 33,922 OrangeSum articles, 2 cores shared with other jobs):
#   a word evaluated with numpy (fastsearch)                       1 per posting
#   a word Whoosh steps through (the any-word ranking, NOT inside AND) 2
#   a common word among rarer ones (in > LOUPE_COMMON_DOCS articles) 1 per candidate, at
#     most the rarer words' postings: it is looked up at what they select (issue 11)
#   a phrase: its rarest word's postings (positions read, compared) 10, + 1 per other word
#     (2 in a field whose positions the sidecars keep: compared in numpy)
#   a word a prefix stands for (a union of up to 100 lists per field) 20
#   a date range, or anything else stepped document by document     2 per article
# A cost of 1,000,000 is about a second there. "réforme des retraites" costs ~8,400,
# "France" ~38,000, "gouv*" ~370,000 (0.4 s), a 1,000-character paragraph pasted with its
# quotes ~1,700,000 (1.6 s). Over MAX_COST, a request is refused before it reads anything.
# At 1,000,000 articles (common words counted as above; 300 first-time known-item
# queries, a shared machine): 1,000,000 is 0.1-0.4 s of CPU (p10-p50), up to 2 s for
# quoted phrases; headlines cost 137,000 (p50) to 870,000 (p95); only a phrase of common
# words only is over the budget (docs/performance.md, "Common words at a million").
MAX_COST = 2_000_000
MAX_TERMS = 2_000  # posting lists one request may open, prefix expansions included
STEPPED, PHRASE, EXPANDED, PER_ARTICLE = 2, 10, 20, 2
# A phrase in a field whose positions the sidecars keep is checked and scored in numpy
# (``fastsearch._phrase_candidates``, ``_phrase_scores``): at a million articles
# '"dans les tout prochains mois"' (123,510 postings of its rarest word) took 86 ms of CPU
# the first time, about what a plain word's posting costs (docs/performance.md).
PHRASE_MAPPED = 2
DEFAULT_TIME_LIMIT = 5.0  # seconds of one search before it is ended (LOUPE_TIME_LIMIT)
# A word in more articles than this is *common* (Lucene's common terms, ``cutoff_frequency``):
# among rarer words it only scores the articles they select (``fastsearch._words``), looked
# up at those articles, so it costs what they select, not its list (LOUPE_COMMON_DOCS).
DEFAULT_COMMON_DOCS = 10_000


class TooCostly(QueryError):
    """A query over the work budget; the message (French) goes to the user with a 400."""


class SearchTimeout(Exception):
    """A search ended by the time limit (a loaded server); shown with a 503."""


@dataclass
class Work:
    """Work of a request: posting lists opened, postings they hold, lexicon entries read,
    and (for an estimate) the weighted ``cost`` the budget is about."""

    terms: int = 0
    postings: int = 0
    lexicon: int = 0
    cost: int = 0

    def add(self, other: Work) -> None:
        self.terms += other.terms
        self.postings += other.postings
        self.lexicon += other.lexicon
        self.cost += other.cost


# Nodes fastsearch evaluates with numpy when their children are plain words.
_NATIVE = (wq.And, wq.Or, wq.AndNot, wq.AndMaybe, wq.Require)


def _stepped(node, stepped: bool) -> bool:
    """Whether Whoosh will step through ``node``'s children one document at a time."""
    if stepped or type(node) not in _NATIVE:
        return True
    if isinstance(node, wq.Or):
        return bool(node.scale or node.minmatch)
    if type(node) is wq.And:
        return any(isinstance(c, wq.Not) for c in node.subqueries)
    return False


def common_cutoff() -> int:
    """Articles above which a word is common: ``LOUPE_COMMON_DOCS`` (default 10,000; a
    fixed count, so that the work of a query stays bounded as the archive grows)."""
    try:
        return max(1, int(os.environ.get("LOUPE_COMMON_DOCS", DEFAULT_COMMON_DOCS)))
    except ValueError:
        return DEFAULT_COMMON_DOCS


def word_frequency(word, reader) -> int:
    """A word of ``Words``: the most articles any of its terms is in (the sidecars' counts)."""
    found = 0
    for leaf in leaves_of(word):
        if type(leaf) is wq.Term and leaf.fieldname in reader.schema:
            try:
                found = max(found, postings_mmap.doc_frequency(reader, leaf.fieldname, leaf.text))
            except ValueError:
                continue
    return found


_asked = threading.local()  # this thread's last few ``common_words`` answers


def common_words(q: Words, reader) -> list[int]:
    """The positions of ``q``'s common words (in more than ``common_cutoff()`` articles).
    The same query is asked by ``estimate`` and then by ``fastsearch._words``: its last
    answers are remembered per thread (by the query and reader objects themselves)."""
    cutoff = common_cutoff()
    memo = getattr(_asked, "memo", None)
    if memo is None:
        memo = _asked.memo = []
    for words, known, at, found in memo:
        if words is q and known() is reader and at == cutoff:
            return list(found)
    if reader.doc_count_all() <= cutoff:  # no word is in more articles than there are
        found = []
    else:
        found = [i for i, w in enumerate(q.subqueries) if word_frequency(w, reader) > cutoff]
    memo.insert(0, (q, weakref.ref(reader), cutoff, found))  # an old generation's reader
    # is not kept open by it
    del memo[4:]
    return list(found)


def term_pairs(q) -> list[tuple[str, str]]:
    """(field, text) of every plain term of ``q``, from ``query.leaves_of``'s one walk of
    the tree (Whoosh's ``leaves`` is a generator per node)."""
    return [(leaf.fieldname, leaf.text) for leaf in leaves_of(q) if type(leaf) is wq.Term]


def estimate(q, reader, n_docs: int, expansions: int) -> Work:
    """The work ``q`` will do at most: every leaf's posting lists, their lengths, and their
    weighted cost. A prefix is walked to ``expansions`` + 1 words at most (more is refused
    elsewhere)."""
    work = Work()
    # every term's document frequency in one pass per segment, for the walk below and the
    # searches that follow (the matching, "did you mean", the words to mark)
    postings_mmap.doc_frequencies(reader, term_pairs(q))

    # ``doc_frequencies``' memo (it holds only fields of the schema): a term found there
    # costs one dict look-up, not the schema's and ``doc_frequency``'s
    counted = getattr(reader, "_loupe_frequencies", None)
    if counted is None:
        counted = {}

    def frequency(fieldname: str, text) -> int:
        found = counted.get((fieldname, text))  # only fields of the schema are there
        if found is not None:
            return found
        if fieldname not in reader.schema:
            return 0
        try:
            return postings_mmap.doc_frequency(reader, fieldname, text)
        except ValueError:  # a text the field cannot hold: nothing to read
            return 0

    def walk(node, stepped: bool) -> None:
        if type(node) is wq.Term:  # most nodes: the last branch below, without the tests
            if node.fieldname:
                found = frequency(node.fieldname, node.text)
                work.terms += 1
                work.postings += found
                work.cost += (STEPPED if stepped else 1) * found
            return
        if node is wq.NullQuery:
            return
        if type(node) is Words and not stepped and node.minmatch >= 1:
            common = common_words(node, reader)
            if common:
                words(node, common)
                return
        if (type(node) is wq.AndMaybe and type(node.a) is Words and type(node.b) is wq.And
                and node.b.subqueries and all(type(c) is wq.Term for c in node.b.subqueries)):
            bonus(node)
            return
        if not node.is_leaf():
            inner = _stepped(node, stepped)
            for child in node.children():
                walk(child, inner)
            return
        if isinstance(node, wq.NumericRange):
            btexts: list = []
            for leaf in w3.compiled(node, reader).leaves():
                if isinstance(leaf, wq.MultiTerm):
                    btexts += w3.expansions(leaf, reader)
                elif isinstance(leaf, wq.Term):
                    btexts.append(leaf.text)
            work.lexicon += len(btexts)
            work.terms += len(btexts)
            found = sum(frequency(node.fieldname, b) for b in btexts)
            work.postings += found
            work.cost += PER_ARTICLE * min(found, n_docs)
        elif isinstance(node, wq.MultiTerm):
            for btext in itertools.islice(w3.expansions(node, reader), expansions + 1):
                found = frequency(node.fieldname, btext)
                work.lexicon += 1
                work.terms += 1
                work.postings += found
                work.cost += EXPANDED * found
        elif isinstance(node, wq.Phrase):
            # the rarest word's list, the others looked up at its documents
            found = min((frequency(f, t) for f, t in node.terms(phrases=True)), default=0)
            work.terms += len(node.words)
            work.postings += found * len(node.words)
            weight = PHRASE_MAPPED if node.fieldname in postings_mmap.POSITION_FIELDS else PHRASE
            work.cost += (weight + len(node.words) - 1) * found
        elif isinstance(node, wq.Term):
            weight = STEPPED if stepped else 1
            pairs = (((node.fieldname, node.text),) if node.fieldname else ()
                     ) if type(node) is wq.Term else node.terms(phrases=True)
            for fieldname, text in pairs:
                found = frequency(fieldname, text)
                work.terms += 1
                work.postings += found
                work.cost += weight * found
        else:  # Every and the like: every document, one step each
            work.terms += 1
            work.cost += PER_ARTICLE * n_docs

    def bonus(node: wq.AndMaybe) -> None:
        """A headline's title words (an AND of terms) scored at the documents its words
        match: each costs its list or a lookup per match, the fewer (``fastsearch._terms_at``)."""
        before = work.postings
        walk(node.a, False)
        selected = work.postings - before
        for leaf in node.b.subqueries:
            found = frequency(leaf.fieldname, leaf.text)
            work.terms += 1
            work.postings += min(found, selected)
            work.cost += min(found, selected)

    def words(node: Words, common: list[int]) -> None:
        """Common words cost a lookup per candidate (at most what the rarer words select),
        not their lists (``fastsearch._words``)."""
        kids = node.subqueries
        rare = [i for i in range(len(kids)) if i not in common]
        if not rare:  # the rarest selects
            rare = [min(common, key=lambda i: word_frequency(kids[i], reader))]
        before = work.postings
        for i in rare:
            walk(kids[i], False)
        selected = work.postings - before
        for i in common:
            if i in rare:
                continue
            for leaf in leaves_of(kids[i]):
                if type(leaf) is wq.Term:
                    found = frequency(leaf.fieldname, leaf.text)
                    work.terms += 1
                    work.postings += min(found, selected)
                    work.cost += min(found, selected)

    walk(q, False)
    return work


def check(work: Work) -> None:
    """Refuses (``TooCostly``) a request whose estimated work is over the budget."""
    if work.terms > MAX_TERMS or work.cost > MAX_COST:
        raise TooCostly(
            "Requête trop coûteuse : elle lirait trop de listes d'occurrences "
            f"({_n(work.terms)} listes, coût {_n(work.cost)} ; au plus {_n(MAX_TERMS)} "
            f"listes, coût {_n(MAX_COST)}). Retirez des mots, des préfixes (mot*) ou des "
            "groupes OU."
        )


def time_limit() -> float:
    try:
        return max(0.0, float(os.environ.get("LOUPE_TIME_LIMIT", DEFAULT_TIME_LIMIT)))
    except ValueError:
        return DEFAULT_TIME_LIMIT


_current = threading.local()


class Meter:
    """Counts the work of the searches this thread runs (``with Meter() as m: …``), and
    ends one that runs past ``deadline`` seconds. Needs readers ``watch``-ed once."""

    def __init__(self, seconds: float | None = None) -> None:
        self.work = Work()
        self.seconds = time_limit() if seconds is None else seconds
        self._deadline = 0.0

    def __enter__(self) -> Meter:
        self._outer = getattr(_current, "meter", None)
        self._deadline = time.monotonic() + self.seconds if self.seconds else 0.0
        _current.meter = self
        return self

    def __exit__(self, *exc) -> None:
        _current.meter = self._outer
        if self._outer is not None:
            self._outer.work.add(self.work)

    def _tick(self) -> None:
        if self._deadline and time.monotonic() > self._deadline:
            raise SearchTimeout(
                f"La recherche a dépassé {self.seconds:g} s et a été interrompue : le serveur "
                "est très chargé, réessayez dans un instant."
            )


def opened(postings: int, lists: int = 1) -> None:
    """Counts ``lists`` posting lists (of ``postings`` in all) read outside Whoosh's
    ``postings`` (the numpy path reads sidecars and raw blocks directly) and ends the
    search past the time limit."""
    meter = getattr(_current, "meter", None)
    if meter is not None:
        meter.work.terms += lists
        meter.work.postings += postings
        meter._tick()


def watch(reader) -> None:
    """Makes each segment reader of ``reader`` report to the thread's ``Meter``: every
    posting list opened (with its length) and every lexicon entry walked."""
    for leaf, _offset in reader.leaf_readers():
        if getattr(leaf, "_loupe_watched", False):
            continue
        leaf._loupe_watched = True
        postings, terms_from = leaf.postings, leaf.terms_from

        def counted_postings(fieldname, text, *args, _postings=postings, _leaf=leaf, **kw):
            meter = getattr(_current, "meter", None)
            if meter is not None:
                meter.work.terms += 1
                meter.work.postings += _leaf.doc_frequency(fieldname, text)
                meter._tick()
            return _postings(fieldname, text, *args, **kw)

        def counted_terms_from(fieldname, prefix, _terms_from=terms_from):
            for item in _terms_from(fieldname, prefix):
                meter = getattr(_current, "meter", None)
                if meter is not None:
                    meter.work.lexicon += 1
                    if not meter.work.lexicon % 256:
                        meter._tick()
                yield item

        leaf.postings = counted_postings
        leaf.terms_from = counted_terms_from
