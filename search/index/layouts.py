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
from array import array

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


class Batch:
    """The layouts of many texts, as ``layout`` gives each, computed together: per text
    only the word split (``analysis.split_words``, shared with the analysis that just
    indexed the same string) and a cache look-up a word; the arithmetic runs in numpy
    once for the batch. ``layout``'s dozen numpy calls a text (~10 µs of per-call
    overhead on texts of a few hundred tokens) and its second split were most of the cost
    of a writer's layouts."""

    def __init__(self) -> None:
        self._tokens = bytearray()  # every word's packed tokens, end to end
        self._word_bytes = array("I")  # bytes of packed tokens of each word
        self._piece_lens = array("I")  # characters of each piece (between, word, …)
        self._words = array("I")  # words of each text

    def __len__(self) -> int:
        return len(self._words)

    def nbytes(self) -> int:
        return len(self._tokens) + 4 * (len(self._word_bytes) + len(self._piece_lens))

    def add(self, value: str) -> None:
        """One text (``""`` for none)."""
        pieces = analysis.split_words(value) if value else [""]
        words = pieces[1::2]
        packed = list(map(_PACKED.get, words))
        if None in packed:
            packed = [p if p is not None else _packed(w)
                      for w, p in zip(words, packed, strict=True)]
        self._tokens += b"".join(packed)
        self._word_bytes.extend(map(len, packed))
        self._piece_lens.extend(map(len, pieces))
        self._words.append(len(words))

    def compute(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(first of each text, tokens of each text, gaps, lengths), the gaps and lengths of
        all the texts end to end: ``layout`` of each (a text it marks ``NONE`` keeps no
        token here either). The batch is emptied."""
        n = len(self._words)
        tokens = np.frombuffer(bytes(self._tokens), dtype=_TOKEN)
        per_word = np.frombuffer(self._word_bytes, np.uint32).astype(np.int64) // _TOKEN.itemsize
        piece_lens = np.frombuffer(self._piece_lens, np.uint32).astype(np.int64)
        words = np.frombuffer(self._words, np.uint32).astype(np.int64)
        self.__init__()
        word_base = np.cumsum(words) - words  # first word of each text
        piece_base = word_base * 2 + np.arange(n)  # first piece of each text (2w + 1 each)
        word_ends = np.concatenate(([0], np.cumsum(per_word)))
        per_text = word_ends[word_base + words] - word_ends[word_base]  # tokens of each text
        firsts = np.zeros(n, np.uint32)
        if not tokens.size:
            return firsts, np.zeros(n, np.int64), np.zeros(0, np.uint16), np.zeros(0, np.uint8)
        text_of_word = np.repeat(np.arange(n), words)
        owner = np.repeat(np.arange(per_word.size), per_word)  # the word of each token
        text_of = text_of_word[owner]
        before = np.cumsum(piece_lens) - piece_lens  # characters before each piece
        local_word = owner - word_base[text_of]
        # where each token's word starts in its text: the pieces before the word's
        at = before[piece_base[text_of] + 2 * local_word + 1] - before[piece_base[text_of]]
        starts = at + tokens["a"]
        stops = at + tokens["b"]
        sizes = stops - starts
        tok_base = np.cumsum(per_text) - per_text  # first token of each text
        previous = np.concatenate(([0], stops[:-1]))
        has = per_text > 0
        previous[tok_base[has]] = 0  # a text's first token: its gap from the text's start
        gaps = starts - previous
        stop = tokens["stop"].astype(bool)
        # a text with a token too long or a gap too wide has no layout (``NONE``)
        bad = np.zeros(n, bool)
        bad[has] = (np.maximum.reduceat(sizes, tok_base[has]) >= _STOP) | (
            np.maximum.reduceat(gaps, tok_base[has]) > 0xFFFF
        )
        kept = np.flatnonzero(~stop)  # tokens that are not stop words, in order
        at_kept = np.searchsorted(kept, tok_base)
        found = has & (at_kept < kept.size)
        found[found] = kept[at_kept[found]] < (tok_base + per_text)[found]
        firsts[found] = local_word[kept[at_kept[found]]]
        firsts[bad] = NONE
        keep = ~bad[text_of]
        counts = np.where(bad, 0, per_text)
        return (firsts, counts, gaps[keep].astype(np.uint16),
                (sizes | stop * _STOP)[keep].astype(np.uint8))


def spans(gaps: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, ends, indices of the tokens that are not stop words) of a stored layout."""
    sizes = (lengths & (_STOP - 1)).astype(np.int64)
    starts = np.cumsum(gaps.astype(np.int64) + np.concatenate(([0], sizes[:-1])))
    return starts, starts + sizes, np.flatnonzero(lengths < _STOP)
