"""The documents a search keeps, as sorted document numbers: work in proportion to the
matches, not to the archive (issue 11).

At a million articles a dense mask costs a pass over a million entries each time it is
combined, copied, counted or turned back into document numbers (0.1-1.3 ms each, several
a query); a known-item search matches a few thousand. ``Matches`` holds the matched
documents ascending; filters (facet selections, the live set) are applied by looking the
matches up in their masks; the dense mask is made only for a consumer that asks for it.
``union`` adds up a query's per-word lists by merging them (numpy's stable sort merges
ascending runs) rather than by counting over every document.
"""

from __future__ import annotations

import numpy as np

# ``union`` merges lists whose postings together are below this share of the archive; a
# count over every document is cheaper only beyond it (measured at 1M: merging 300,000
# postings of 10 lists takes 7 ms, the dense count 12 ms).
DENSE_SHARE = 0.5
# A filter keeps a dense set's matches by an AND of masks once the set holds more than
# 1/DENSE_LOOKUPS of the archive (a look-up per match costs about what the AND costs per
# DENSE_LOOKUPS documents).
DENSE_LOOKUPS = 8


class Matches:
    """A set of one generation's document numbers, ascending and distinct."""

    __slots__ = ("docs", "n", "_mask")

    def __init__(self, docs: np.ndarray, n: int) -> None:
        self.docs = docs
        self.n = int(n)
        self._mask: np.ndarray | None = None

    @classmethod
    def of_mask(cls, mask: np.ndarray) -> Matches:
        found = cls(np.flatnonzero(mask), mask.size)
        found._mask = mask
        return found

    @property
    def size(self) -> int:
        return int(self.docs.size)

    def any(self) -> bool:
        return bool(self.docs.size)

    @property
    def mask(self) -> np.ndarray:
        """The dense form (a bool per document), made once when a consumer needs it."""
        if self._mask is None:
            self._mask = mask_of(self.docs, self.n)
        return self._mask

    def keep(self, mask: np.ndarray) -> Matches:
        """Those of the matches ``mask`` holds (a filter, the live set): a look-up each, or
        an AND of the masks when the set is dense already and a large share of the archive
        (a browse without words)."""
        if self._mask is not None and self.docs.size * DENSE_LOOKUPS > self.n:
            return Matches.of_mask(self._mask & mask)
        return Matches(self.docs[mask[self.docs]], self.n)

    def holds(self, docs: np.ndarray) -> np.ndarray:
        """Which of ``docs`` (ascending) are in the set: a binary search each, or the mask
        when it is made already."""
        if self._mask is not None:
            return self._mask[docs]
        return member(self.docs, docs)


def mask_of(docs: np.ndarray, n: int) -> np.ndarray:
    """A bool per document of the generation, true at ``docs``."""
    mask = np.zeros(n, dtype=bool)
    mask[docs] = True
    return mask


def member(held: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Which of ``docs`` are in ``held`` (ascending)."""
    if not held.size or not docs.size:
        return np.zeros(docs.size, dtype=bool)
    at = np.minimum(np.searchsorted(held, docs), held.size - 1)
    return held[at] == docs


def merge(docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(docs, return_inverse=True)`` for a concatenation of a few ascending runs
    (a term's lists in several fields): a stable sort finds and merges the runs (timsort)
    where ``np.unique`` sorts from scratch, about 4 times faster on lists of 100,000s."""
    if not docs.size:
        return docs, np.zeros(0, dtype=np.intp)
    order = np.argsort(docs, kind="stable")
    ranked = docs[order]
    first = np.empty(ranked.size, dtype=bool)
    first[0] = True
    np.not_equal(ranked[1:], ranked[:-1], out=first[1:])
    inverse = np.empty(docs.size, dtype=np.intp)
    inverse[order] = np.cumsum(first) - 1
    return ranked[first], inverse


def summed(idx: np.ndarray, weights: np.ndarray, minlength: int) -> np.ndarray:
    """``np.bincount(idx, weights, minlength)`` always as float64: numpy gives an int64
    array when ``idx`` is empty, and a score added to it then fails (``'0(+00-0'``, whose
    pieces match nothing, was an internal error)."""
    return np.bincount(idx, weights=weights, minlength=minlength).astype(np.float64, copy=False)


def union(docs: np.ndarray, weights: np.ndarray | None, n: int):
    """(documents ascending, how many times each is in ``docs``, the sum of its
    ``weights``), ``docs`` being a concatenation of ascending lists: the same counts and
    the same sums to the bit as ``np.bincount`` over the archive (each document's weights
    added in the order they come), by merging the lists when they are short, by counting
    over every document when they hold a large share of it."""
    if docs.size >= DENSE_SHARE * n:
        count = np.bincount(docs, minlength=n)
        held = np.flatnonzero(count)
        sums = None if weights is None else summed(docs, weights, n)
        return held, count[held], None if sums is None else sums[held]
    held, inverse = merge(docs)
    count = np.bincount(inverse, minlength=held.size)
    sums = None if weights is None else summed(inverse, weights, held.size)
    return held, count, sums
