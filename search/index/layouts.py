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


# a word's tokens packed for ``layout``: start and end in the word (uint32), stop word (uint8)
_TOKEN = np.dtype([("a", "<u4"), ("b", "<u4"), ("stop", "u1")])
_PACKED: dict[str, bytes] = {}


def _packed(word: str) -> bytes:
    """``_shape(word)`` as ``_TOKEN`` records."""
    found = _PACKED.get(word)
    if found is None:
        found = np.array(list(_shape(word)), dtype=_TOKEN).tobytes()
        if len(_PACKED) < _WORDS_KEPT:
            _PACKED[word] = found
    return found


def layout(value: str) -> tuple[int, np.ndarray, np.ndarray]:
    """(first, gaps, lengths) of a text, as stored: ``first`` is the position of its first
    token that is not a stop word (``NONE`` when the text cannot be stored this way).

    Each word's tokens come packed from a per-word cache, joined in one piece and read by
    numpy: no Python object per token (a third of the cost of a sidecar's layouts)."""
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    pieces = _WORD_SPLIT.split(value)  # text between words, a word, text between…
    words = pieces[1::2]
    packed = list(map(_PACKED.get, words))
    if None in packed:
        packed = [p if p is not None else _packed(w) for w, p in zip(words, packed, strict=True)]
    tokens = np.frombuffer(b"".join(packed), dtype=_TOKEN)
    if not tokens.size:
        return 0, np.zeros(0, np.uint16), np.zeros(0, np.uint8)
    counts = np.fromiter(map(len, packed), np.int64, len(packed)) // _TOKEN.itemsize
    owner = np.repeat(np.arange(len(words)), counts)  # the word of each token
    stop = tokens["stop"].astype(bool)
    kept = np.flatnonzero(~stop)
    first = int(owner[kept[0]]) if kept.size else 0
    ends = np.cumsum(np.fromiter(map(len, pieces), np.int64, len(pieces)))
    at = ends[2 * owner]  # where each token's word starts (pieces before it)
    starts = at + tokens["a"]
    stops = at + tokens["b"]
    sizes = stops - starts
    gaps = starts - np.concatenate(([0], stops[:-1]))
    if int(sizes.max()) >= _STOP or int(gaps.max()) > 0xFFFF:
        return NONE, np.zeros(0, np.uint16), np.zeros(0, np.uint8)
    return first, gaps.astype(np.uint16), (sizes | stop * _STOP).astype(np.uint8)


def spans(gaps: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, ends, indices of the tokens that are not stop words) of a stored layout."""
    sizes = (lengths & (_STOP - 1)).astype(np.int64)
    starts = np.cumsum(gaps.astype(np.int64) + np.concatenate(([0], sizes[:-1])))
    return starts, starts + sizes, np.flatnonzero(lengths < _STOP)
