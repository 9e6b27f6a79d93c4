"""Where each recall-view token of a stored text lies, kept at index time for snippets.

A snippet needs the character span of every token of the text near its matches, stop words
included, and which tokens are the query's words. Working that out at query time means
splitting, folding and stemming the article's words, most of a first-time search (issue 11).
The posting sidecars (``postings_mmap``) keep instead, per document and field of
``LAYOUT_FIELDS``, every token's span and whether it is a stop word: the tokens
``analysis.recall_spans`` gives, in order. The view's positions number the tokens that are
not stop words consecutively from ``first``, so the positions the sidecar keeps of a term
name its tokens (``tokens_at``) with no analysis.

A token's span is stored as its gap from the previous token's end and its length (7 bits,
the eighth says "stop word"). The sidecar keeps the gap in one byte, a gap of 255 characters
or more apart (format 6): 2 bytes a token. A text that does not fit (a token of 128
characters or more, a gap of 65,536) is marked absent and highlighted the slow way.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import accumulate

import numpy as np

from search import analysis

LAYOUT_FIELDS = ("body", "summary")  # the stored texts a snippet is cut from first
NONE = 0xFFFFFFFF  # ``first`` of a text without a layout (the slow path highlights it)
_STOP = 0x80
_WORD_SPLIT = re.compile(f"({analysis.WORD.pattern})")
_WORDS_KEPT = 500_000
_SHAPES: dict[str, tuple[tuple[int, int, bool], ...]] = {}


def _shape(word: str) -> tuple[tuple[int, int, bool], ...]:
    """A word's tokens as ``analysis._recall_parts`` makes them, without stemming: (start,
    end, stop word) of each piece that folds to something (a piece folding to nothing makes
    no token, as ``analysis._shape`` relies on too)."""
    found = _SHAPES.get(word)
    if found is None:
        found = tuple(
            (a, b, analysis._folded_stop(p))
            for p, a, b in analysis._pieces(word)
            if analysis.fold(p)
        )
        if len(_SHAPES) < _WORDS_KEPT:
            _SHAPES[word] = found
    return found


def layout(value: str) -> tuple[int, np.ndarray, np.ndarray]:
    """(first, gaps, lengths) of a text, as stored: ``first`` is the position of its first
    token that is not a stop word (``NONE`` when the text cannot be stored this way)."""
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    pieces = _WORD_SPLIT.split(value)  # text between words, a word, text between…
    words = pieces[1::2]
    shapes = list(map(_SHAPES.get, words))
    if None in shapes:
        shapes = [shape or _shape(w) for w, shape in zip(words, shapes, strict=True)]
    first = next((k for k, shape in enumerate(shapes) if any(not t[2] for t in shape)), 0)
    starts = accumulate(map(len, pieces))  # where each word starts, then where it ends
    tokens = [
        (at + a, at + b, stop)
        for at, _end, shape in zip(starts, starts, shapes, strict=False)
        for a, b, stop in shape
    ]
    if not tokens:
        return first, np.zeros(0, np.uint16), np.zeros(0, np.uint8)
    table = np.asarray(tokens, dtype=np.int64)
    sizes = table[:, 1] - table[:, 0]
    gaps = table[:, 0] - np.concatenate(([0], table[:-1, 1]))
    if int(sizes.max()) >= _STOP or int(gaps.max()) > 0xFFFF:
        return NONE, np.zeros(0, np.uint16), np.zeros(0, np.uint8)
    return first, gaps.astype(np.uint16), (sizes | table[:, 2] * _STOP).astype(np.uint8)


def spans(gaps: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, ends, indices of the tokens that are not stop words) of a stored layout."""
    sizes = (lengths & (_STOP - 1)).astype(np.int64)
    starts = np.cumsum(gaps.astype(np.int64) + np.concatenate(([0], sizes[:-1])))
    return starts, starts + sizes, np.flatnonzero(lengths < _STOP)
