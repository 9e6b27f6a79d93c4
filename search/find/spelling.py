"""Spelling: "did you mean" and the respelled query, from the index's own words.

``respell`` replaces each unknown (or rare) word of a query by its closest frequent
neighbour among the exact views' words of the generation (``Lexicon``).
"""

from __future__ import annotations

import heapq
import os
import re
import sys
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter

from rapidfuzz import process as fuzzy
from rapidfuzz.distance import OSA

from search.analysis import exact_analyzer, french_analyzer
from search.find.query import QUESTION_WORDS
from search.index import postings_mmap

RECALL_FIELDS = ("title", "summary", "body", "caption")
# Unstemmed, accent-preserving views: spelling suggestions are real words ("retraites").
EXACT_FIELDS = ("title_exact", "summary_exact", "body_exact")
# The plain words of a query: field filters (pays:RU, date:[2019 to 2020]) are skipped
# whole, phrases are looked into word by word, operators and wildcards are left alone.
_QUERY_PART = re.compile(r'[\w-]+:(?:"[^"]*"?|\[[^\]]*\]?|\([^)]*\)?|[^\s()]*)|[^\s"()]+')
_OPERATOR_WORDS = {"AND", "ET", "OR", "OU", "NOT", "NON", "ANDNOT", "SAUF", "ANDMAYBE"}
_EXACT = exact_analyzer()
_RECALL = french_analyzer()
RARE = 2  # a known word found in so few articles may be a typo too ("gouvernment")


def _doc_frequency(reader, fields: tuple[str, ...], text: str) -> int:
    return sum(postings_mmap.doc_frequency(reader, f, text) for f in fields)


def _recall_frequency(reader, word: str) -> int | None:
    """Articles the recall view finds for a word (``reforme`` through ``réforme``), at most:
    the rarest part of a compound counts. None for a word the recall view drops whole (a
    stop word: ``comment``, ``a-t-elle``), which the search ignores, so it is not unknown."""
    stems = _RECALL.terms(word)
    if not stems:
        return None
    return min(_doc_frequency(reader, RECALL_FIELDS, t) for t in stems)


def _exact_words(reader) -> Iterator[str]:
    """Every term of the exact views, field after field (a word may come more than once)."""
    for fieldname in EXACT_FIELDS:
        if fieldname in reader.schema:
            for term in reader.lexicon(fieldname):
                yield term.decode("utf-8") if isinstance(term, bytes) else term


def lexicon_budget() -> int:
    """The lexicon's budget per searching process, in bytes: ``LOUPE_LEXICON_MB`` (default
    ``DEFAULT_LEXICON_MB``; 0: no cap)."""
    value = os.environ.get("LOUPE_LEXICON_MB", "").strip()
    try:
        mb = float(value) if value else DEFAULT_LEXICON_MB
    except ValueError:
        mb = DEFAULT_LEXICON_MB
    return int(max(mb, 0) * 1024 * 1024)


# 4 serving processes in 8 GB at a million articles: 2 GB each, of which the posting cache
# takes 256 MB (``LOUPE_POSTINGS_MB``) and the lexicon at most this: about a million words
# of 10 letters (the whole lexicon was 6 MB at 10,000 articles).
DEFAULT_LEXICON_MB = 64


def _word_bytes(word: str) -> int:
    """What a kept word costs: the string and its pointer in its letter's sorted list."""
    return sys.getsizeof(word) + 8


def _word_frequencies(reader) -> Iterator[tuple[str, int]]:
    """Every exact-view word once, in order, with the articles of all three views that
    hold it (added up: a word in the title and the body of one article counts twice, an
    order of frequency is all it is used for)."""
    streams = [
        ((term, info.doc_frequency()) for term, info in reader.iter_field(f))
        for f in EXACT_FIELDS
        if f in reader.schema
    ]
    for term, group in groupby(heapq.merge(*streams), key=itemgetter(0)):
        word = term.decode("utf-8") if isinstance(term, bytes) else term
        yield word, sum(freq for _t, freq in group)


class Lexicon:
    """The exact views' words of one index generation by first letter: all of them read in
    one pass over the term files when a server warms the generation (``load``), else each
    letter read the first time a word with that letter is respelled; then kept.

    ``load`` keeps at most ``budget`` bytes of words (``LOUPE_LEXICON_MB``): beyond it the
    most frequent words, which are the ones respelling suggests (the closest word, then the
    most frequent); a word too rare to be kept is not suggested."""

    def __init__(self, budget: int | None = None) -> None:
        self._by_letter: dict[str, list[str]] = {}
        self._complete = False
        self.budget = lexicon_budget() if budget is None else budget
        self.words = 0  # words held once loaded
        self.nbytes = 0  # their bytes (``_word_bytes``)
        self.capped = False  # whether the budget left words out

    def load(self, reader) -> None:
        """Every letter at once: one sequential read of each exact field's terms (0.7 s and
        6 MB at 10,000 articles) instead of a prefix walk of Whoosh's files per letter
        during a user's first searches. Over the budget, the least frequent words are let
        go as the read goes (a heap by frequency), so the load itself stays near it."""
        words = self._all_within(reader)
        if words is None:  # over the budget: the frequencies decide
            words = self._most_frequent(reader)
        found: dict[str, list[str]] = {}
        for word in sorted(words):
            found.setdefault(word[:1], []).append(word)
        self._by_letter = found
        self.words = len(words)
        self.nbytes = sum(map(_word_bytes, words))
        self._complete = True

    def _all_within(self, reader) -> set[str] | None:
        """Every word, if they fit in the budget (no term info decoded), else None as soon
        as they outgrow it."""
        words: set[str] = set()
        used = 0
        for word in _exact_words(reader):
            if word not in words:
                words.add(word)
                used += _word_bytes(word)
                if self.budget and used > self.budget:
                    return None
        self.capped = False
        return words

    def _most_frequent(self, reader) -> set[str]:
        """The most frequent words that fit in the budget."""
        heap: list[tuple[int, str]] = []  # (frequency, word), least frequent first
        used = 0
        self.capped = False
        for word, frequency in _word_frequencies(reader):
            heapq.heappush(heap, (frequency, word))
            used += _word_bytes(word)
            while used > self.budget:
                _f, dropped = heapq.heappop(heap)
                used -= _word_bytes(dropped)
                self.capped = True
        return {word for _f, word in heap}

    @staticmethod
    def measure(reader) -> tuple[int, int]:
        """(words, bytes) of the whole lexicon, with no budget."""
        found = set(_exact_words(reader))
        # sorted lists by first letter: a pointer per word plus the strings themselves
        return len(found), sum(map(_word_bytes, found))

    def starting_with(self, reader, letter: str) -> list[str]:
        words = self._by_letter.get(letter)
        if words is None and self._complete:
            return []  # loaded whole: no word starts with this letter
        if words is None:
            found: set[str] = set()
            for fieldname in EXACT_FIELDS:
                if fieldname in reader.schema:
                    for term in reader.expand_prefix(fieldname, letter):
                        found.add(term.decode("utf-8") if isinstance(term, bytes) else term)
            words = self._by_letter[letter] = sorted(found)  # a race only repeats the work
        return words


def suggest_word(
    reader, word: str, better_than: int = 0, lexicon: Lexicon | None = None
) -> str | None:
    """The closest exact-view word to ``word`` (a lower-case token), then the most frequent.

    Short words are left alone: too many real words lie one letter away. Whoosh's own
    ``ReaderCorrector`` ranks only by frequency within the whole distance; this keeps
    the edit distance first, as a person would. The first letter is rarely the mistake:
    the candidates are the words that share it, compared in C by rapidfuzz (optimal string
    alignment: a swap of two letters is one edit), not one by one in Python as Whoosh's
    ``terms_within`` does (0.1-0.5 s for a rare word at 5,000 articles).
    """
    if len(word) < 4 or any(c.isdigit() for c in word):
        return None
    longest = 1 if len(word) < 7 else 2
    words = (lexicon or Lexicon()).starting_with(reader, word[0])
    near = fuzzy.extract(word, words, scorer=OSA.distance, score_cutoff=longest, limit=None)
    for distance in range(1, longest + 1):
        found: dict[str, int] = {}
        for candidate, d, _index in near:
            if d == distance and candidate != word:
                frequency = _doc_frequency(reader, EXACT_FIELDS, candidate)
                if frequency > better_than:
                    found[candidate] = frequency
        if found:
            return min(found, key=lambda w: (-found[w], w))
    return None


def respell(
    text: str, reader, rare_too: bool = False, lexicon: Lexicon | None = None
) -> tuple[str, bool] | None:
    """``text`` with each unknown word (and, if ``rare_too``, each rare word) replaced by
    its closest frequent neighbour in the index, and whether an unknown word was among
    them; None when nothing changes."""
    pieces: list[str] = []
    last = 0
    changed = had_unknown = False
    parts = list(_QUERY_PART.finditer(text))
    for part in parts:
        token = part.group()
        offset = part.start()
        if ":" in token or token in _OPERATOR_WORDS or "*" in token or "?" in token:
            continue
        for term, startchar, endchar in _EXACT.terms_at(token):
            if len(parts) > 1 and term in QUESTION_WORDS:
                continue  # ignored by the search of several words (``query._plain_words``)
            frequency = _recall_frequency(reader, term)
            if frequency is None:
                continue  # stop words only ("a-t-elle"): the search ignores it, never unknown
            if frequency:
                frequency = max(frequency, _doc_frequency(reader, EXACT_FIELDS, term))
                if not rare_too or frequency > RARE:
                    continue
                suggestion = suggest_word(
                    reader, term, better_than=max(4, 5 * frequency), lexicon=lexicon
                )
            else:
                suggestion = suggest_word(reader, term, lexicon=lexicon)
                had_unknown = had_unknown or suggestion is not None
            if not suggestion:
                continue
            start, end = offset + startchar, offset + endchar
            pieces += [text[last:start], _same_case(text[start:end], suggestion)]
            last = end
            changed = True
    if not changed:
        return None
    return "".join(pieces) + text[last:], had_unknown


def _same_case(original: str, word: str) -> str:
    """``Gouvernment`` → ``Gouvernement``, ``GOUVERNMENT`` → ``GOUVERNEMENT``."""
    if original.isupper() and len(original) > 1:
        return word.upper()
    if original[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def plain_words(text: str) -> Iterator[str]:
    """The plain words of a query as typed, each once: no field filter, operator or
    exclusion (``-mot``)."""
    seen: set[str] = set()
    for part in _QUERY_PART.finditer(text):
        word = part.group()
        if ":" in word or word in _OPERATOR_WORDS or word.startswith("-") or word in seen:
            continue
        seen.add(word)
        yield word
