"""The French analyzer, defined once and used by both indexing and querying.

Two views of the same text:

* ``french_analyzer()`` is for recall: elision, lowercase, stop words, hyphenated
  compounds split into their parts, accent folding (unidecode) and Snowball French
  stemming, so ``pêche``, ``péché`` and ``peche`` all meet at ``pech``.
* ``exact_analyzer()`` keeps accents and whole words (``états-unis``, ``kassym-jomart``),
  so a query typed with the right accents scores higher on the documents that have them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

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


class FoldFilter(Filter):
    """Accent folding only, for keyword facets (``Société`` matches ``societe``)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = fold(t.text)
            yield t


def french_analyzer():
    """The recall view: folded, stemmed, compounds split."""
    return (
        FrenchTokenizer()
        | ElisionFilter()
        | LowercaseFilter()
        | HyphenSplitFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=1)
        | FoldStemFilter()
    )


def exact_analyzer():
    """The precision view: lowercase, accents and compounds kept, no stemming."""
    return (
        FrenchTokenizer()
        | ElisionFilter()
        | LowercaseFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=1)
    )


def analyze(text: str, exact: bool = False) -> list[str]:
    """The terms a text becomes in the index (for tests, `loupe` debugging and the docs)."""
    analyzer = exact_analyzer() if exact else french_analyzer()
    return [t.text for t in analyzer(text)]
