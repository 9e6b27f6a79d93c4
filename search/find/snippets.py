"""Snippets: the best passages of a text with the matched words in ``<mark>``.

The stored text is re-analysed with the recall analyzer, so a query typed without
accents still marks the accented words of the original (``etat`` marks ``l'État``).
Everything else is HTML-escaped: ``<mark>`` is the only markup that survives.
"""

from __future__ import annotations

import html
import threading
import unicodedata
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable
from itertools import accumulate
from operator import itemgetter, sub

import numpy as np
from whoosh import highlight

from search.analysis import (
    _APOSTROPHES,
    FOLDED_STOP_WORDS,
    SURROUND,
    fold_stem,
    french_analyzer,
    recall_spans_near,
)
from search.index import layouts, postings_mmap

Spans = list[tuple[int, int, str]]

_ANALYZER = french_analyzer()
ELLIPSIS = "…"


def escape(text: str) -> str:
    return html.escape(text, quote=True)


class MarkFormatter(highlight.Formatter):
    """Escapes the text and wraps each match in ``<mark>``, with ellipses at cut edges."""

    between = " "  # each fragment carries its own ellipses

    def _text(self, text: str) -> str:
        return escape(text)

    def format_token(self, text, token, replace=False) -> str:
        return "<mark>" + escape(highlight.get_text(text, token, replace)) + "</mark>"

    def format_fragment(self, fragment, replace=False) -> str:
        out = super().format_fragment(fragment, replace)
        if fragment.startchar > 0:
            out = ELLIPSIS + out.lstrip()
        if fragment.endchar < len(fragment.text):
            out = out.rstrip() + ELLIPSIS
        return out


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit] + ELLIPSIS


def snippet(
    texts: Iterable[str],
    terms: set[str],
    maxchars: int = 220,
    top: int = 2,
    spans_of: Callable[[int], Spans | None] | None = None,
) -> str:
    """Highlighted passages from the first text that contains a query term.

    ``terms`` are recall-view terms (folded stems). Without a match, the start of
    the first non-empty text, escaped, so every result shows something. ``spans_of(i)``
    gives the tokens of ``texts[i]`` as the index keeps them (``located_spans``), or None
    when it does not: that text is then analysed here.
    """
    kept = [(i, t) for i, t in enumerate(texts) if t and t.strip()]
    if terms:
        termset = frozenset(terms)
        for i, text in kept:
            spans = spans_of(i) if spans_of is not None else None
            marked = _context_highlight(text, termset, maxchars, SURROUND, top, spans)
            if marked:
                # Two passages meet with one ellipsis between them, not "la… …Emmanuel".
                return " ".join(marked.split()).replace(f"{ELLIPSIS} {ELLIPSIS}", f" {ELLIPSIS} ")
    return escape(_shorten(kept[0][1], maxchars)) if kept else ""


def _context_highlight(  # noqa: PLR0913 - Whoosh's highlight arguments, and the tokens
    text: str, terms: frozenset, maxchars: int, surround: int, top: int,
    spans: Spans | Located | None = None,
):
    """``highlight.highlight(text, terms, french_analyzer(), ContextFragmenter(maxchars,
    surround), MarkFormatter(), top)``, the same string, in a fraction of the time.

    The fragments are Whoosh's ``ContextFragmenter.fragment_tokens`` (``_fragments``), the
    scoring (``BasicFragmentScorer``), choice (``top_fragments``: best ``top``, then in text
    order) and formatting (``MarkFormatter``) Whoosh's rules written over plain tuples, with
    no Fragment or Token object (``tests/test_fast_paths.py`` compares the strings).
    ``spans``: the text's tokens with the matched ones' terms, from the index (no
    analysis here).
    """
    if spans is None:  # the tokens near matches: the same fragments
        spans = recall_spans_near(text, terms, surround)
    if not spans:
        return ""
    if isinstance(spans, Located):  # ``located_spans`` knows them as lists
        starts, ends, names, matches = spans.starts, spans.ends, spans.names, spans.matches
        reach = spans.reach
    else:
        starts = [a for a, _b, _t in spans]
        ends = [b for _a, b, _t in spans]
        names = [t for _a, _b, t in spans]
        matches = [k for k, t in enumerate(names) if t in terms]
        reach = None
    fragments = _fragments(starts, ends, names, matches, maxchars, surround, reach)
    return _format(text, _best(fragments, top))


def _fragments(  # noqa: PLR0913, PLR0912, PLR0915 - one state machine, Whoosh's
    starts: list[int], ends: list[int], names: list[str], matches: list[int],
    maxchars: int, surround: int, reach: list[int] | None = None,
) -> list[tuple[int, int, list[tuple[int, int, str]]]]:
    """Whoosh's ``ContextFragmenter.fragment_tokens`` over the tokens (their starts, ends,
    and the terms of the ``matches``, ascending): (first character, last character, the
    matched tokens) of each fragment holding a match, the same as its loop over every token.

    The loop steps only the matches and the tokens where something happens. Between
    fragments an unmatched token only enters the queue of the context before the next
    match; the queue then holds the tokens since the last fragment that start within
    ``surround`` characters of the end of the token before the match (ends never decrease):
    a binary search there. Inside a fragment the countdown and the length only fall by the
    tokens' lengths until the next match, so the token that ends it (the countdown run out,
    or ``maxchars`` passed) is a binary search over the lengths added up (``reach``: 0,
    then the tokens' lengths added up, when the caller has them)."""
    n = len(starts)
    charlimit = highlight.DEFAULT_CHARLIMIT
    # the first token past ``charlimit`` stops the loop (ends never decrease)
    cutoff = bisect_right(ends, charlimit) if charlimit else n
    if reach is None:
        reach = [0, *accumulate(map(sub, ends, starts))]  # token lengths added up
    fragments: list[tuple[int, int, list[tuple[int, int, str]]]] = []
    n_matches = len(matches)
    next_match = 0
    idle_from = 0  # the first token since the last fragment (the queue's)
    first = None
    countdown = -1
    tks: list[tuple[int, int, str]] = []
    endchar = None
    currentlen = 0
    k = 0
    while k < n:
        while next_match < n_matches and matches[next_match] < k:
            next_match += 1
        if countdown < 0:  # between fragments: to the next match
            if next_match == n_matches:
                break  # no match left: nothing more to show
            k = matches[next_match]
        startchar, endchar = starts[k], ends[k]
        if k >= cutoff:
            break
        tlength = endchar - startchar
        if currentlen + tlength > maxchars:
            countdown = 0
        elif next_match < n_matches and matches[next_match] == k:
            countdown = surround
            if first is None:
                j = bisect_left(starts, ends[k - 1] - surround, idle_from, k) if k else k
                if j < k:
                    first = starts[j]
                else:
                    first = startchar
                    countdown += surround
            tks.append((startchar, endchar, names[k]))
        # (countdown >= 0 here: a match set it, or ``maxchars``, or it was already)
        currentlen += tlength
        countdown -= tlength
        if countdown <= 0:
            if tks:  # a fragment without a match scores 0: never shown
                fragments.append((first, endchar, tks))
            tks = []
            idle_from = k + 1
            first = None
            currentlen = 0
            k += 1
            continue
        # inside the fragment up to the next match (or the end, or ``cutoff``): the first
        # unmatched token where the length passes ``maxchars`` or the countdown runs out
        later = matches[next_match + 1] if next_match + 1 < n_matches else n
        if next_match < n_matches and matches[next_match] > k:
            later = matches[next_match]
        limit = min(later, cutoff)
        base = reach[k + 1]
        by_length = bisect_right(reach, base + maxchars - currentlen, k + 2) - 1
        by_count = bisect_left(reach, base + countdown, k + 2) - 1
        j = min(by_length, by_count)
        if j >= limit:  # nothing ends it before ``limit``: straight there
            currentlen += reach[limit] - base
            countdown -= reach[limit] - base
            endchar = ends[limit - 1]
            k = limit
            continue
        endchar = ends[j]
        if j == by_length:  # ``maxchars`` passed: the countdown set to 0, then the token
            countdown = -(endchar - starts[j])
        else:  # may be exactly 0: the next token is then stepped as Whoosh does
            countdown -= reach[j + 1] - base
        if tks:
            fragments.append((first, endchar, tks))
        tks = []
        idle_from = j + 1
        first = None
        currentlen = 0
        k = j + 1
    if tks:
        fragments.append((first, endchar, tks))
    return fragments


_SCORE_START = itemgetter(0, 1)
_START = itemgetter(0)


def _best(fragments: list, top: int) -> list:
    """Whoosh's ``top_fragments(fragments, top, BasicFragmentScorer(), FIRST)``: each
    fragment scores its matches times 100 times its distinct terms; the ``top`` best (on
    equal scores the later one, as ``nlargest`` compares Fragments by start), then in text
    order."""
    scored = [
        (float(len(tks)) * (len({t for _a, _b, t in tks}) * 100 or 1), first, k)
        for k, (first, _end, tks) in enumerate(fragments)
    ]
    # ``nlargest`` is documented as ``sorted(..., reverse=True)[:top]``: the same, ties
    # included, without the heap and a Python key per fragment
    chosen = sorted(scored, key=_SCORE_START, reverse=True)[:top]
    return sorted((fragments[k] for score, _first, k in chosen if score >= 1), key=_START)


def _format(text: str, fragments: list) -> str:
    """``MarkFormatter()(text, fragments)``: each fragment escaped, its matches in
    ``<mark>`` (the first of overlapping ones, the longer at one start), an ellipsis at
    a cut edge; fragments joined by a space."""
    out = []
    size = len(text)
    for first, last, tks in fragments:
        start = max(0, first)
        end = min(size, last)
        parts = []
        index = start
        for a, b, _term in sorted(tks, key=lambda t: (t[0], t[0] - t[1])):
            if a < index:
                continue
            if a > index:
                parts.append(escape(text[index:a]))
            parts.append("<mark>" + escape(text[a:b]) + "</mark>")
            index = b
        parts.append(escape(text[index:end]))
        one = "".join(parts)
        if start > 0:
            one = ELLIPSIS + one.lstrip()
        if end < size:
            one = one.rstrip() + ELLIPSIS
        out.append(one)
    return " ".join(out)


# The terms a stop word's token carries: a query term among them would also mark stop words,
# which the index keeps no positions of (``located_spans`` leaves such queries to analysis).
_STOP_TERMS = frozenset(fold_stem(w) for w in FOLDED_STOP_WORDS)


class PagePositions:
    """The positions of a page's query terms in its documents, read once per segment,
    field and term for every document of the page (one dictionary lookup and one
    search of the posting list each, not one per document): ``located_spans``' input."""

    def __init__(self, reader, docnums: list[int], terms: frozenset,
                 order: tuple[str, ...] = ()) -> None:
        self.reader = reader
        self.docs = np.unique(np.asarray(docnums, dtype=np.int64))
        self.terms = terms
        # the fields a snippet tries in turn: a document asks for one only when the ones
        # before it had no match
        self.order = order
        self._members = frozenset(self.docs.tolist())
        self._fields: dict[str, dict[int, dict[int, str] | None]] = {}
        self._located: dict[str, dict[int, Spans | None]] = {}

    def located(self, fieldname: str, docnum: int):
        """``located_spans`` of a page's document (``_located_page``), made at the first
        ask for every document of the page that may ask for that field: all of them for
        the first field of ``order``, for a later one those whose fields before it have
        no match (a page's summaries are asked for by about one article). A document
        left out that asks all the same is located then; ``_ELSEWHERE`` for a document
        not of the page."""
        found = self._located.setdefault(fieldname, {})
        if docnum not in found:
            if docnum not in self._members:
                return _ELSEWHERE
            askers = self._askers(fieldname, found, docnum)
            part = self if askers is None else PagePositions(self.reader, askers, self.terms)
            found.update(_located_page(part, fieldname))
        return found.get(docnum, _ELSEWHERE)

    def _askers(self, fieldname: str, found: dict, docnum: int) -> list[int] | None:
        """The documents to locate in ``fieldname`` now (None: the whole page): those not
        located yet whose every field before it in ``order`` has no match, ``docnum``
        included; unknown as yet counts as may ask."""
        if not found and fieldname not in self.order[1:]:
            return None
        before = [self._located.get(f, {}) for f in self.order[: self.order.index(fieldname)]
                  ] if fieldname in self.order else []
        return [d for d in self._members
                if d not in found and (d == docnum or not any(b.get(d, 0) for b in before))]

    def hits(self, fieldname: str, docnum: int) -> dict[int, str] | None:
        """{position: term} of the document's matches in ``fieldname``; None when its
        sidecar keeps no positions for a term of the field."""
        found = self._fields.get(fieldname)
        if found is None:
            found = self._fields[fieldname] = self._read(fieldname)
        return found.get(docnum, {})

    def _read(self, fieldname: str) -> dict[int, dict[int, str] | None]:
        out: dict[int, dict[int, str] | None] = {}
        field = self.reader.schema[fieldname]
        btexts = [(term, field.to_bytes(term)) for term in self.terms]
        for leaf, offset in self.reader.leaf_readers():
            count = leaf.doc_count_all()
            local = self.docs[(self.docs >= offset) & (self.docs < offset + count)] - offset
            sidecar = postings_mmap.sidecar_of(leaf)
            if not local.size or sidecar is None:
                continue
            hits: dict[int, dict[int, str]] = {}
            for term, btext in btexts:  # the terms' order: a later one wins a position
                held = sidecar.positions(fieldname, btext, local)
                if held is None:
                    hits = None
                    break
                for d, places in held.items():
                    mine = hits.setdefault(d, {})
                    for pos in places:
                        mine[pos] = term
            for d in local.tolist():
                out[d + offset] = None if hits is None else hits.get(d, {})
        return out


def located_spans(  # noqa: PLR0911, PLR0912 - each way a layout cannot serve
    reader, docnum: int, fieldname: str, terms: frozenset, page: PagePositions | None = None,
    text: str | None = None,
) -> Spans | None:
    """A document's tokens in ``fieldname`` (start, end, and the term of those matching
    ``terms``, else ""), what ``analysis.recall_spans`` and a term test would give, from the
    token layout and the terms' positions its segment's sidecar keeps: no splitting,
    folding or stemming. [] when no token matches; None when the sidecar keeps no layout
    for it (an older sidecar, a field without one, a text too odd to store). ``page``: the
    positions read for the whole page at once (the same terms).

    A query term that is also a stop word's (``ete``, ``leur``) marks the stop words too,
    whose positions the index does not keep: their terms are then read from ``text`` (the
    stored text the layout was made of) at the stop tokens' spans, as the analyser makes
    them (folded and stemmed, lower-cased, apostrophes unified); without ``text``, or in a
    text where lower-casing a piece alone could differ from the whole word's (a dotted
    capital I, a capital sigma), None (analysed instead)."""
    if not terms:
        return None
    stops = terms & _STOP_TERMS
    if stops:
        if text is None or not _plain_text(text):
            return None
        page = None  # the stop tokens' terms come from each document's own text
    if page is not None and page.terms == terms:
        found = page.located(fieldname, docnum)
        if found is not _ELSEWHERE:
            return found
        page = None
    for leaf, offset in reader.leaf_readers():
        count = leaf.doc_count_all()
        if offset <= docnum < offset + count:
            break
    else:
        return None
    sidecar = postings_mmap.sidecar_of(leaf)
    found = sidecar.layout(fieldname, docnum - offset) if sidecar is not None else None
    if found is None:
        return None
    first, gaps, lengths = found
    if page is not None and page.terms == terms:
        at_positions = page.hits(fieldname, docnum)
        if at_positions is None:
            return None
        hits = {pos - first: term for pos, term in at_positions.items()}
    else:
        local = np.asarray([docnum - offset])
        field = reader.schema[fieldname]
        hits = {}
        for term in terms:
            held = sidecar.positions(fieldname, field.to_bytes(term), local)
            if held is None:
                return None
            for pos in held.get(docnum - offset, ()):
                hits[pos - first] = term
    stopped = _stop_hits(text, gaps, lengths, stops) if stops else {}
    if not hits and not stopped:
        return []
    starts, ends, kept = layouts.spans(gaps, lengths)
    if hits and (min(hits) < 0 or max(hits) >= kept.size):
        return None  # positions and layout disagree: analyse the text instead
    matched = np.concatenate((kept[np.fromiter(hits, dtype=np.int64, count=len(hits))],
                              np.fromiter(stopped, dtype=np.int64, count=len(stopped))))
    near = _near(matched, starts, ends, SURROUND)
    # each near token's term ("" but for the matches, which ``near`` holds), then the
    # tuples zipped in C: a few hundred tokens per text, no dictionary probe per token
    names = [""] * near.size
    at = near.searchsorted(matched).tolist()
    for k, term in zip(at, [*hits.values(), *stopped.values()], strict=True):
        names[k] = term
    return Located(starts[near].tolist(), ends[near].tolist(), names, sorted(at))


def _plain_text(text: str) -> bool:
    """Whether a piece of ``text`` lower-cased alone is the same as lower-cased within its
    word (no dotted capital I, which lower-cases to two characters, nor capital sigma,
    whose small form depends on what follows), and the text is NFC, as the layout's."""
    return "\u0130" not in text and "\u03a3" not in text and unicodedata.is_normalized(
        "NFC", text)


def _stop_hits(text: str, gaps: np.ndarray, lengths: np.ndarray,
               stops: frozenset) -> dict[int, str]:
    """{token: term} of the stop words of a layout whose term is among ``stops``: the
    analyser's term of each (``fold_stem`` of its lower-cased piece, apostrophes unified)."""
    starts, ends, _kept = layouts.spans(gaps, lengths)
    stopped = np.flatnonzero(lengths >= layouts._STOP)
    out: dict[int, str] = {}
    for k, a, b in zip(stopped.tolist(), starts[stopped].tolist(), ends[stopped].tolist(),
                       strict=True):
        term = fold_stem(text[a:b].translate(_APOSTROPHES).lower())
        if term in stops:
            out[k] = term
    return out


_ELSEWHERE = object()  # ``PagePositions.located``: a document the page does not hold


def _located_page(page: PagePositions, fieldname: str) -> dict[int, Spans | None]:
    """``located_spans`` (without ``page``) of every document of the page, the same lists,
    in one vectorised pass: each segment's layouts read together (``layouts_of``), then
    the tokens' spans and ``_near``'s windows computed over all the page's tokens at once;
    ~25 numpy calls for the page instead of ~35 per document.

    The page's tokens are laid end to end (their starts and lengths added up over the
    whole page, never decreasing), so that one binary search finds each match's window;
    a window is then cut at its document's first and last token, which gives the same
    window as a search within the document alone (a token of another document is never
    between a match and its document's own tokens). A document's own offsets are made
    only for the tokens kept near its matches."""
    out: dict[int, Spans | None] = {}
    firsts: list[int] = []
    counts: list[int] = []
    gaps: list[np.ndarray] = []
    lengths: list[np.ndarray] = []
    laid: list[int] = []  # the page's documents with a layout, in that order
    docs = page.docs
    for leaf, offset in page.reader.leaf_readers():
        count = leaf.doc_count_all()
        a, b = docs.searchsorted((offset, offset + count)).tolist()  # ``docs`` ascend
        if a == b:
            continue
        local = docs[a:b] - offset
        sidecar = postings_mmap.sidecar_of(leaf)
        found = sidecar.layouts_of(fieldname, local) if sidecar is not None else None
        if found is None:
            out.update((d + offset, None) for d in local.tolist())
            continue
        firsts += found[0]
        gaps.append(found[1])
        lengths.append(found[2])
        counts += found[3]
        laid += [d + offset for d in local.tolist()]
    if not laid:
        return out
    gaps_all = np.concatenate(gaps) if len(gaps) > 1 else gaps[0]
    lengths_all = np.concatenate(lengths) if len(lengths) > 1 else lengths[0]
    doc_ends = list(accumulate(counts))
    doc_starts = [e - c for e, c in zip(doc_ends, counts, strict=True)]
    # each document's kept tokens (not stop words): where they start among the page's
    kept = np.flatnonzero(lengths_all < layouts._STOP)
    kept_at = kept.searchsorted(doc_starts + doc_ends).tolist()
    ndocs = len(laid)
    # the matches, as indices among the page's tokens (``located_spans``' checks, per doc)
    matched: list[int] = []
    matched_doc: list[int] = []
    held: list[tuple[int, list[int], list[str]]] = []  # (document, its tokens, their terms)
    for k, docnum in enumerate(laid):
        first = firsts[k]
        if first == layouts.NONE:
            out[docnum] = None
            continue
        at_positions = page.hits(fieldname, docnum)
        if at_positions is None:
            out[docnum] = None
            continue
        if not at_positions:
            out[docnum] = []
            continue
        lo = kept_at[k]
        rel = [pos - first for pos in at_positions]
        if min(rel) < 0 or max(rel) >= kept_at[ndocs + k] - lo:
            out[docnum] = None  # positions and layout disagree: analyse the text instead
            continue
        mine = [lo + r for r in rel]
        held.append((k, mine, list(at_positions.values())))
        matched += mine
        matched_doc += [k] * len(mine)
    if not held:
        return out
    n = int(lengths_all.size)
    size = lengths_all & (layouts._STOP - 1)
    reach = np.cumsum(size, dtype=np.int64)  # the page's token lengths added up
    begin = np.cumsum(gaps_all, dtype=np.int64)
    begin += reach
    begin -= size  # each token's start, the page's texts end to end
    tokens = kept[np.asarray(matched, dtype=np.int64)]
    k_of = np.asarray(matched_doc, dtype=np.int64)
    own_start = np.asarray(doc_starts, dtype=np.int64)[k_of]
    own_end = np.asarray(doc_ends, dtype=np.int64)[k_of]
    inner = tokens > own_start  # not the document's first token
    before = np.where(inner, tokens - 1, own_start)
    # before a match: from the last token starting more than SURROUND characters before
    # the previous token (at the document's first token for its first)
    lo = np.maximum(np.searchsorted(begin, begin[before] - (SURROUND + 1), side="left") - 1,
                    own_start)
    # after it: until the lengths from the document's start (or the previous token's end)
    # add up to 2 * SURROUND, and two more
    done = np.where(inner, reach[before], reach[before] - size[before]) + 2 * SURROUND
    hi = np.minimum(np.searchsorted(reach, done, side="left") + 2, own_end)
    edges = np.bincount(lo, minlength=n + 1) - np.bincount(
        np.maximum(hi, tokens + 1), minlength=n + 1)
    near = np.flatnonzero(np.cumsum(edges[:n]) > 0)
    cuts = near.searchsorted(doc_starts + [n]).tolist()
    # a document's offsets from its own start: less its first token's start and gap
    probe = np.minimum(np.asarray(doc_starts, dtype=np.int64), n - 1)
    base = begin[probe] - gaps_all[probe]
    first_at = begin[near] - np.repeat(base, np.diff(cuts))
    first_chars = first_at.tolist()
    near_size = size[near]
    last_chars = (first_at + near_size).tolist()
    # each document's near tokens' lengths added up (``_fragments``' reach), all at once
    added = np.cumsum(near_size, dtype=np.int64)
    reached = (added - np.repeat(np.concatenate(([0], added))[cuts[:-1]], np.diff(cuts))).tolist()
    at_all = near.searchsorted(tokens).tolist()
    done_hits = 0
    for k, mine, terms in held:
        a, b = cuts[k], cuts[k + 1]
        names = [""] * (b - a)
        at = at_all[done_hits : done_hits + len(mine)]
        done_hits += len(mine)
        for j, term in zip(at, terms, strict=True):
            names[j - a] = term
        out[laid[k]] = Located(first_chars[a:b], last_chars[a:b], names,
                               sorted([j - a for j in at]), [0, *reached[a:b]])
    return out


class Located:
    """``located_spans``' tokens as the lists ``_fragments`` reads (their starts, ends and
    terms, "" but for the matches; which of them match, ascending), no tuple made per
    token; iterated or indexed, they are (start, end, term) tuples. ``reach``: 0, then
    their lengths added up, when the page's pass made them (else ``_fragments`` does)."""

    __slots__ = ("starts", "ends", "names", "matches", "reach")

    def __init__(self, starts: list[int], ends: list[int], names: list[str],
                 matches: list[int], reach: list[int] | None = None) -> None:
        self.starts, self.ends, self.names, self.matches = starts, ends, names, matches
        self.reach = reach

    def __len__(self) -> int:
        return len(self.starts)

    def __iter__(self):
        return zip(self.starts, self.ends, self.names, strict=True)

    def __getitem__(self, k: int) -> tuple[int, int, str]:
        return self.starts[k], self.ends[k], self.names[k]

    def __eq__(self, other) -> bool:
        return isinstance(other, Located | list) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Located({list(self)!r})"


def _near(matched: np.ndarray, starts: np.ndarray, ends: np.ndarray, surround: int) -> np.ndarray:
    """The tokens that can change the fragments around the ``matched`` ones, as
    ``analysis.recall_spans_near`` keeps words: before a match, those starting at most
    ``surround`` characters before the previous token does, and one more (the fragmenter
    has forgotten any earlier one when it reaches the match); after it, until their
    lengths add up to 2 * ``surround`` (its countdown has run out), and two more. A token
    farther from every match only enters the forgotten context or a fragment without a
    match, which scores 0 and is never shown."""
    n = starts.size
    begin = starts
    reach = np.cumsum(ends - starts)  # token lengths added up
    before = np.maximum(matched - 1, 0)
    floor = np.where(matched > 0, begin[before] - surround - 1, 0)
    lo = np.maximum(np.searchsorted(begin, floor, side="left") - 1, 0)
    done = np.where(matched > 0, reach[before], 0) + 2 * surround
    hi = np.minimum(np.searchsorted(reach, done, side="left") + 2, n)
    # +1 where a window opens, -1 where one closes (bincount: ``np.add.at`` is slow)
    edges = np.bincount(lo, minlength=n + 1) - np.bincount(
        np.maximum(hi, matched + 1), minlength=n + 1)
    return np.flatnonzero(np.cumsum(edges[:n]) > 0)


def mark_all(text: str, terms: set[str]) -> str:
    """The whole text escaped, every match marked (the article page)."""
    if not text:
        return ""
    if not terms:
        return escape(text)
    fragmenter = highlight.WholeFragmenter(charlimit=None)
    marked = highlight.highlight(
        text, frozenset(terms), _ANALYZER, fragmenter, MarkFormatter(), top=1
    )
    return marked or escape(text)


class SnippetCache:
    """The last ``size`` snippets of one generation by (article, query words): the same
    article found again by the same words (the next page, a facet toggled, the query with
    or without accents: the recall view's words are the same) is not highlighted again."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._kept: OrderedDict[tuple, str] = OrderedDict()
        self._lock = threading.Lock()

    def holds(self, docnum: int, terms: set[str]) -> bool:
        """Whether the snippet of ``docnum`` for ``terms`` is kept (its page's positions
        and tokens need not be read for it)."""
        return (docnum, frozenset(terms)) in self._kept

    def get(self, docnum: int, terms: set[str], make: Callable[[], str]) -> str:
        if not self.size:
            return make()
        key = (docnum, frozenset(terms))
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        found = make()
        with self._lock:
            self._kept[key] = found
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return found
