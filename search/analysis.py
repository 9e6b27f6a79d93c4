"""The French analyzer, defined once and used by both indexing and querying.

Two views of the same text:

* ``french_analyzer()`` is for recall: elision, lowercase, hyphenated compounds split into
  their parts, accent folding (unidecode), stop words (compared folded) and Snowball French
  stemming, so ``pêche``, ``péché`` and ``peche`` all meet at ``pech``.
* ``exact_analyzer()`` keeps accents and whole words (``états-unis``, ``kassym-jomart``),
  so a query typed with the right accents scores higher on the documents that have them.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import accumulate, chain, compress, repeat

from unidecode import unidecode
from whoosh.analysis import Filter, LowercaseFilter, StopFilter, Token, Tokenizer
from whoosh.lang import stemmer_for_language, stopwords_for_language

# The 13 French elided articles and conjunctions (l'État, qu'il, jusqu'à, lorsqu'on...).
ELISIONS = frozenset("l m t qu n s j d c jusqu quoiqu lorsqu puisqu".split())

# Snowball's French stop list, less "été" (summer is news), plus frequent function words.
STOP_WORDS = (frozenset(stopwords_for_language("fr")) - {"été"}) | frozenset(
    "les a ni si ils elles cette cet ces celle celui ceux dont lors ainsi aussi donc car "
    "très plus moins selon après avant".split()
)

# The recall view folds accents, so its stop list must too: "là où" is "la ou" typed without
# accents, and both must lose the same words or a phrase typed either way fails to match.
FOLDED_STOP_WORDS = frozenset(unidecode(w) for w in STOP_WORDS)

# A word keeps its inner hyphens and apostrophes so the filters can see them.
WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'"})


class FrenchTokenizer(Tokenizer):
    """Words with their inner hyphens and apostrophes, on NFC text.

    Stored text is already NFC (the readers normalise it), so character offsets
    stay valid for highlighting; query text typed in NFD is normalised here.
    """

    def __call__(  # noqa: PLR0913 - Whoosh's tokenizer protocol
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        if not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        for pos, match in enumerate(WORD.finditer(value), start_pos):
            t.text = match.group()
            t.boost = 1.0
            if keeporiginal:
                t.original = t.text
            t.stopped = False
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t


class ElisionFilter(Filter):
    """Drops an elided article: ``l'État`` → ``État``, ``jusqu’à`` → ``à``."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text.translate(_APOSTROPHES)
            head, sep, rest = text.partition("'")
            if sep and rest and head.lower() in ELISIONS:
                if t.chars:
                    t.startchar += len(head) + 1
                text = rest
            t.text = text
            yield t


class HyphenSplitFilter(Filter):
    """Splits ``états-unis`` into ``états`` and ``unis`` (StopFilter renumbers positions).

    Used by the recall view only: ``Etats-Unis``, ``etats unis`` and ``États-Unis``
    then find the same articles, and a phrase across a compound still matches.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if "-" not in t.text:
                yield t
                continue
            start = t.startchar if t.chars else 0
            offset = 0
            for part in t.text.split("-"):
                if part:
                    t.text = part
                    if t.chars:
                        t.startchar = start + offset
                        t.endchar = start + offset + len(part)
                    yield t
                offset += len(part) + 1


_stem = stemmer_for_language("fr")
_FOLD_STEM_CACHE: dict[str, str] = {}


def fold(text: str) -> str:
    """Accent folding for recall: ``é`` → ``e``, ``œ`` → ``oe``, ``Tokaïev`` → ``Tokaiev``."""
    return text if text.isascii() else unidecode(text)


def fold_stem(word: str) -> str:
    """Fold then stem a lowercase word, cached: the same few thousand words recur."""
    cached = _FOLD_STEM_CACHE.get(word)
    if cached is None:
        # Folding first makes the stem independent of whether the accents were typed.
        cached = _stem(fold(word))
        if len(_FOLD_STEM_CACHE) < 500_000:
            _FOLD_STEM_CACHE[word] = cached
    return cached


class FoldStemFilter(Filter):
    """Accent folding and Snowball French stemming in one cached lookup."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = fold_stem(t.text)
            if t.text:
                yield t


class FoldedStopFilter(Filter):
    """Folds accents, then drops (or marks, like ``StopFilter``) the folded stop words."""

    def __init__(self) -> None:
        self._stop = StopFilter(stoplist=FOLDED_STOP_WORDS, minsize=1)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        return self._stop(FoldFilter()(tokens))


class FoldFilter(Filter):
    """Accent folding only, for keyword facets (``Société`` matches ``societe``)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = fold(t.text)
            yield t


def french_analyzer():
    """The recall view: folded, stemmed, compounds split (one fused, cached pass)."""
    return FastFrenchAnalyzer(exact=False)


def exact_analyzer():
    """The precision view: lowercase, accents and compounds kept, no stemming."""
    return FastFrenchAnalyzer(exact=True)


def french_chain():
    """The recall view as a chain of Whoosh filters: the reference the fused analyzer
    must equal token for token (and what indexes built before it was added pickled)."""
    return (
        FrenchTokenizer()
        | ElisionFilter()
        | LowercaseFilter()
        | HyphenSplitFilter()
        | FoldedStopFilter()
        | FoldStemFilter()
    )


def exact_chain():
    """The precision view as a chain of Whoosh filters (see ``french_chain``)."""
    return (
        FrenchTokenizer()
        | ElisionFilter()
        | LowercaseFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=1)
    )


# word as written -> ((term, stop word?, start, end), ...), offsets relative to the word
_Parts = tuple[tuple[str, bool, int, int], ...]
_RECALL_CACHE: dict[str, _Parts] = {}
_EXACT_CACHE: dict[str, _Parts] = {}
_CACHE_LIMIT = 500_000


def _parts_of(word: str, cache: dict[str, _Parts], split: Callable[[str], _Parts]) -> _Parts:
    """``split(word)``, remembered in ``cache`` while it has room (a query's words)."""
    parts = cache.get(word)
    if parts is None:
        parts = split(word)
        if len(cache) < _CACHE_LIMIT:
            cache[word] = parts
    return parts


def _elide(word: str) -> tuple[str, int]:
    """ElisionFilter then LowercaseFilter on one word: (text, characters dropped in front)."""
    text = word.translate(_APOSTROPHES)
    head, sep, rest = text.partition("'")
    if sep and rest and head.lower() in ELISIONS:
        return rest.lower(), len(head) + 1
    return text.lower(), 0


def _recall_parts(word: str) -> _Parts:
    """What the recall chain makes of one word; a non-stop word whose stem is empty keeps
    its place (the chain renumbers positions before stemming) with an empty term."""
    # A word that folds to nothing ("\x80") is a stop word, as StopFilter's minsize makes it.
    return tuple((fold_stem(p), _folded_stop(p), a, b) for p, a, b in _pieces(word))


def _pieces(word: str) -> list[tuple[str, int, int]]:
    """The elided, lower-cased word cut at its hyphens: (piece, start, end) in the word."""
    text, start = _elide(word)
    if "-" not in text:
        return [(text, start, len(word))]
    pieces, offset = [], 0
    for part in text.split("-"):
        if part:
            pieces.append((part, start + offset, start + offset + len(part)))
        offset += len(part) + 1
    return pieces


def _folded_stop(word: str) -> bool:
    folded = fold(word)
    return not folded or folded in FOLDED_STOP_WORDS


def _exact_parts(word: str) -> _Parts:
    text, start = _elide(word)
    return ((text, text in STOP_WORDS, start, len(word)),)


class FastFrenchAnalyzer(Tokenizer):
    """``french_chain()`` (or ``exact_chain()``) fused into one pass with a per-word cache.

    The filter chain spends most of its time in generator hand-offs and per-token string
    work for words it has seen thousands of times; here each distinct word is analysed
    once and then looked up. Tokens, positions, offsets and stop flags are identical to
    the chain's (``tests/test_analysis.py`` compares them on random and real text), so
    indexing, querying and highlighting are unchanged, only faster.
    """

    def __init__(self, exact: bool = False) -> None:
        self.exact = exact

    def __eq__(self, other) -> bool:
        return other.__class__ is self.__class__ and other.exact == self.exact

    def __hash__(self) -> int:
        return hash((self.__class__, self.exact))

    def terms(self, value: str) -> list[str]:
        """``[t.text for t in self(value)]``: the terms of ``value``, stop words left out,
        as a query's word is analysed (``query._terms_of``, "did you mean"), without the
        Token, the generator and Whoosh's ``process_text`` around it (~5 µs a word; a
        first-time query asks it for every word of both views)."""
        if not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
        cache = _EXACT_CACHE if self.exact else _RECALL_CACHE
        split = _exact_parts if self.exact else _recall_parts
        out: list[str] = []
        for word in WORD.findall(value):
            parts = _parts_of(word, cache, split)
            out += [text for text, stop, _a, _b in parts if text and not stop]
        return out

    def terms_at(self, value: str) -> list[tuple[str, int, int]]:
        """``[(t.text, t.startchar, t.endchar) for t in self(value, chars=True)]``, with no
        Token: each kept term of ``value`` and where its word's piece is ("did you mean"
        replaces a misspelt word in place)."""
        if not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
        cache = _EXACT_CACHE if self.exact else _RECALL_CACHE
        split = _exact_parts if self.exact else _recall_parts
        out: list[tuple[str, int, int]] = []
        for m in WORD.finditer(value):
            parts = _parts_of(m.group(), cache, split)
            at = m.start()
            out += [(text, at + a, at + b) for text, stop, a, b in parts if text and not stop]
        return out

    def __call__(  # noqa: PLR0913 - Whoosh's tokenizer protocol
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        if not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
        cache = _EXACT_CACHE if self.exact else _RECALL_CACHE
        split = _exact_parts if self.exact else _recall_parts
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.boost = 1.0
        if tokenize:
            words = ((m.group(), m.start()) for m in WORD.finditer(value))
        else:
            words = iter(((value, 0),))
            t.original = value
        pos = None  # StopFilter's renumbering: kept tokens get consecutive positions
        for wordpos, (word, wstart) in enumerate(words, start_pos):
            parts = cache.get(word)
            if parts is None:
                parts = split(word)
                if len(cache) < _CACHE_LIMIT:
                    cache[word] = parts
            current = wordpos  # the chain's shared token keeps the last position it was given
            for text, stop, a, b in parts:
                if stop:
                    if removestops:
                        continue
                    t.stopped = True
                    if positions:
                        t.pos = current
                else:
                    t.stopped = False
                    if positions:
                        pos = wordpos if pos is None else pos + 1
                        t.pos = current = pos
                if not text:
                    continue
                t.text = text
                if keeporiginal and tokenize:
                    t.original = word
                if chars:
                    t.startchar = start_char + wstart + a
                    t.endchar = start_char + wstart + b
                yield t


def recall_spans(value: str) -> list[tuple[int, int, str]]:
    """(start, end, term) of every recall-view token, stop words included: what
    ``french_analyzer()(value, chars=True, removestops=False)`` yields, as plain tuples
    for the snippet maker (no Token objects, no generator hand-offs)."""
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    cache = _RECALL_CACHE
    out: list[tuple[int, int, str]] = []
    append = out.append
    # ``_parts_of`` inlined: this runs for every word of a page, where a call a word counts.
    for m in WORD.finditer(value):
        word = m.group()
        parts = cache.get(word)
        if parts is None:
            parts = _recall_parts(word)
            if len(cache) < _CACHE_LIMIT:
                cache[word] = parts
        start = m.start()
        for text, _stop, a, b in parts:
            if text:
                append((start + a, start + b, text))
    return out


_WORD_SPLIT = re.compile(f"({WORD.pattern})")
# The snippet maker's context (Whoosh's ContextFragmenter ``surround``), in characters.
SURROUND = 70


def recall_spans_near(
    value: str, terms: frozenset, surround: int = SURROUND
) -> list[tuple[int, int, str]]:
    """``recall_spans(value)`` less the tokens that cannot change the snippet of ``terms``:
    [] when no token matches, else the tokens of the words around each match.

    The fragmenter only remembers, before a match, the tokens that start at most ``surround``
    characters before the previous token ends, and stops a fragment once the lengths of the
    tokens after its last match add up to 2 * ``surround``; between fragments it forgets what
    lies more than ``surround`` characters back. So a run of words farther than that from every
    match is dropped whole: the fragments, and the snippet, are the same
    (``tests/test_fast_paths.py`` compares with Whoosh's ``highlight`` on real articles).
    The words are found and looked up with C loops (``split``, set operations); only the
    words whose folded first letter starts a term are stemmed (a stem keeps the folded word's
    first letter), and only the words near a match are made tokens (those that cannot match
    keep an empty term). A text holding a word without any token is read whole.
    """
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    pieces = _WORD_SPLIT.split(value)  # text between words, a word, text between…
    words = pieces[1::2]
    present = set(words)
    for word in present.difference(_SHAPES):
        _shape(word)
    if len(_SHAPES) >= _NEAR_LIMIT and not present.issubset(_SHAPES):
        spans = recall_spans(value)  # more words than the cache keeps: the whole text
        return spans if any(term in terms for _s, _e, term in spans) else []
    candidates = present.intersection(_ODD_INITIAL)
    for initial in {t[:1] for t in terms}:
        candidates |= present.intersection(_BY_INITIAL.get(initial, ()))
    heads = _stem_heads(terms)
    candidates = {w for w in candidates if w in _TOKENS or _may_stem_to(w, heads)}
    hits = {w for w in candidates if any(t in terms for _a, _b, t in _tokens(w))}
    if not hits:
        return []
    if not present.isdisjoint(_NO_TOKEN):
        return recall_spans(value)
    starts = list(accumulate(map(len, pieces)))[:-1:2]  # where each word starts
    # token lengths of each word, added up: how far a fragment's countdown reaches
    reach = list(accumulate(map(_TOKEN_LENGTH.__getitem__, words)))
    n = len(words)
    windows: list[list[int]] = []
    for i in compress(range(n), map(hits.__contains__, words)):
        # before: every token starting at most ``surround`` before word i-1's start, a word more
        floor = starts[i - 1] - surround - 1 if i else 0
        lo = max(0, bisect_left(starts, floor) - 1)
        # after: until the lengths from word i on reach 2 * ``surround``, and a word more
        done = (reach[i - 1] if i else 0) + 2 * surround
        hi = min(n, bisect_left(reach, done) + 2)
        last = windows[-1][1] - 1 if windows else -1
        # a gap the fragmenter would forget, else one window (it still remembers)
        if windows and starts[lo] - starts[last] - len(words[last]) <= surround + 1:
            windows[-1][1] = max(windows[-1][1], hi)
        else:
            windows.append([lo, hi])
    out: list[tuple[int, int, str]] = []
    append = out.append
    for lo, hi in windows:
        for k in range(lo, hi):
            start = starts[k]
            word = words[k]
            for a, b, text in _tokens(word) if word in candidates else _SHAPES[word]:
                append((start + a, start + b, text))
    return out


# For ``recall_spans_near``, up to _NEAR_LIMIT words (a few hundred bytes each; past it a
# text with a word not seen yet is read whole, as before): each word's tokens without
# their terms (start, end, "") and their total length, the words by the folded first letter
# of a token (other first letters: always stemmed), those that make no token, and the
# tokens with their terms of the words stemmed so far.
_SHAPES: dict[str, tuple[tuple[int, int, str], ...]] = {}
_TOKEN_LENGTH: dict[str, int] = {}
_BY_INITIAL: dict[str, set[str]] = {}
_ODD_INITIAL: set[str] = set()
_NO_TOKEN: set[str] = set()
_TOKENS: dict[str, tuple[tuple[int, int, str], ...]] = {}
_FOLDED: dict[str, tuple[str, ...]] = {}  # each token's folded part, what its stem starts with
_NEAR_LIMIT = 100_000
_PLAIN_INITIALS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _shape(word: str) -> None:
    """What ``_recall_parts`` makes of a word, but the stemming: a part folding to nothing
    is no token, and a stem starts with its folded part's first letter (both checked on
    every word of 12,000 OrangeSum articles, and by the snippet tests)."""
    if len(_SHAPES) >= _NEAR_LIMIT:
        return
    shape = []
    folds = []
    for part, a, b in _pieces(word):
        folded = fold(part)
        if not folded:
            continue
        shape.append((a, b, ""))
        folds.append(folded.lower())
        initial = folded[0]
        if initial in _PLAIN_INITIALS:
            _BY_INITIAL.setdefault(initial, set()).add(word)
        else:
            _ODD_INITIAL.add(word)
    if not shape:
        _NO_TOKEN.add(word)
    _TOKEN_LENGTH[word] = sum(b - a for a, b, _t in shape)
    _SHAPES[word] = tuple(shape)
    _FOLDED[word] = tuple(folds)


# Snowball's French stemmer only cuts a suffix off the folded word, or swaps one for at most
# three letters ("chevaux" -> "cheval", "couramment" -> "courant"), and restores the letters
# it marked: a stem but its last three letters starts the word it came from (at most two
# were off on any of the 129,000 words of a 10,000-article index; ``tests/test_analysis.py``).
STEM_SWAP = 3


def _stem_heads(terms: frozenset) -> tuple[str, ...]:
    """What must start a folded word for it to stem to one of ``terms``."""
    return tuple({t[: max(1, len(t) - STEM_SWAP)] for t in terms if t})


def _may_stem_to(word: str, heads: tuple[str, ...]) -> bool:
    """Whether a part of ``word`` could stem to a term with one of ``heads``: the words that
    cannot are not stemmed at all (a first search stems each new word near it once)."""
    return any(folded.startswith(heads) for folded in _FOLDED[word])


def _tokens(word: str) -> tuple[tuple[int, int, str], ...]:
    """A word's tokens with their terms (``recall_spans``'), stemmed once."""
    found = _TOKENS.get(word)
    if found is None:
        parts = _RECALL_CACHE.get(word) or _recall_parts(word)
        found = tuple((a, b, text) for text, _stop, a, b in parts if text)
        if len(_TOKENS) < _NEAR_LIMIT:
            _TOKENS[word] = found
    return found


def analyze(text: str, exact: bool = False) -> list[str]:
    """The terms a text becomes in the index (for tests, `loupe` debugging and the docs)."""
    analyzer = exact_analyzer() if exact else french_analyzer()
    return [t.text for t in analyzer(text)]


# The last texts split into words: each text is indexed twice (recall and exact view), and
# a writer cuts its token layout (``index.layouts``) from the same split.
_SPLIT = re.compile(f"({WORD.pattern})")
_LAST_SPLITS: dict[int, tuple[str, list[str]]] = {}
_SPLITS_KEPT = 8  # the text fields of one document


def split_words(value: str) -> list[str]:
    """The NFC text cut at its words: text between words, a word, text between…
    (``pieces[1::2]`` are ``WORD.findall``'s words), remembered for the last few strings
    (by identity)."""
    found = _LAST_SPLITS.get(id(value))
    if found is not None and found[0] is value:
        return found[1]
    text = value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)
    pieces = _SPLIT.split(text)
    if len(_LAST_SPLITS) >= _SPLITS_KEPT:
        _LAST_SPLITS.clear()
    _LAST_SPLITS[id(value)] = (value, pieces)
    return pieces


def _words(value: str) -> list[str]:
    """``WORD.findall`` on NFC text (``split_words``'s words)."""
    return split_words(value)[1::2]


# word as written -> the terms of its non-stop parts, in order ('' for an empty stem)
_RECALL_TERMS: dict[str, tuple[str, ...]] = {}
# word as written -> its exact-view term, '' for a stop word
_EXACT_TERM: dict[str, str] = {}
_MISSING = (None,)


def _kept_terms(word: str, exact: bool) -> tuple[str, ...]:
    cache = _EXACT_CACHE if exact else _RECALL_CACHE
    parts = cache.get(word)
    if parts is None:
        parts = (_exact_parts if exact else _recall_parts)(word)
        if len(cache) < _CACHE_LIMIT:
            cache[word] = parts
    return tuple(text for text, stop, _a, _b in parts if not stop)


def _lookup_all(words: list[str], cache: dict, compute) -> list:
    """``cache[word]`` for each word, by one C-level lookup per word once all are cached;
    a word not seen yet is computed once and kept (up to the cache limit)."""
    found = list(map(cache.get, words, repeat(_MISSING)))
    if _MISSING in found:
        for i, word in enumerate(words):
            if found[i] is _MISSING:
                value = cache.get(word, _MISSING)
                if value is _MISSING:
                    value = compute(word)
                    if len(cache) < _CACHE_LIMIT:
                        cache[word] = value
                found[i] = value
    return found


def _recall_terms(words: list[str]) -> list[tuple[str, ...]]:
    """Each word's kept recall terms."""
    return _lookup_all(words, _RECALL_TERMS, lambda word: _kept_terms(word, False))


def _exact_term(word: str) -> str:
    kept = _kept_terms(word, True)
    return kept[0] if kept else ""


def recall_positions(value: str) -> dict[str, list[int]]:
    """term -> positions of the recall view, what Whoosh's ``Positions`` format gathers from
    ``french_analyzer()(value, positions=True)`` but without Token objects or generators.

    StopFilter's renumbering makes the kept tokens' positions consecutive from the
    position of the first word that keeps one, so position = that start + rank."""
    per_word = _recall_terms(_words(value))
    start = 0
    for terms in per_word:
        if terms:
            break
        start += 1
    out: dict[str, list[int]] = {}
    get = out.get
    for pos, text in enumerate(chain.from_iterable(per_word), start):
        found = get(text)
        if found is None:
            out[text] = [pos]
        else:
            found.append(pos)
    out.pop("", None)  # a stem left empty keeps its place but is no term
    return out


def exact_counts(value: str) -> dict[str, int]:
    """term -> frequency of the exact view, what Whoosh's ``Frequency`` format gathers from
    ``exact_analyzer()(value)``: every word is one term or a stop word."""
    counts = Counter(_lookup_all(_words(value), _EXACT_TERM, _exact_term))
    counts.pop("", None)
    return counts
