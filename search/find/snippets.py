"""Snippets: the best passages of a text with the matched words in ``<mark>``.

The stored text is re-analysed with the recall analyzer, so a query typed without
accents still marks the accented words of the original (``etat`` marks ``l'État``).
Everything else is HTML-escaped: ``<mark>`` is the only markup that survives.
"""

from __future__ import annotations

import html
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable

from whoosh import highlight

from search.analysis import french_analyzer, recall_spans_near

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


def snippet(texts: Iterable[str], terms: set[str], maxchars: int = 220, top: int = 2) -> str:
    """Highlighted passages from the first text that contains a query term.

    ``terms`` are recall-view terms (folded stems). Without a match, the start of
    the first non-empty text, escaped, so every result shows something.
    """
    texts = [t for t in texts if t and t.strip()]
    if terms:
        termset = frozenset(terms)
        for text in texts:
            marked = _context_highlight(text, termset, maxchars, 70, top)
            if marked:
                # Two passages meet with one ellipsis between them, not "la… …Emmanuel".
                return " ".join(marked.split()).replace(f"{ELLIPSIS} {ELLIPSIS}", f" {ELLIPSIS} ")
    return escape(_shorten(texts[0], maxchars)) if texts else ""


class _Match:
    """The attributes of a matched token that Whoosh's fragments and formatters read."""

    __slots__ = ("startchar", "endchar", "text", "boost", "matched")

    def __init__(self, startchar: int, endchar: int, text: str) -> None:
        self.startchar = startchar
        self.endchar = endchar
        self.text = text
        self.boost = 1.0
        self.matched = True


def _context_highlight(text: str, terms: frozenset, maxchars: int, surround: int, top: int):
    """``highlight.highlight(text, terms, french_analyzer(), ContextFragmenter(maxchars,
    surround), MarkFormatter(), top)``, the same string, in a third of the time.

    The fragmenter's loop is Whoosh's ``ContextFragmenter.fragment_tokens`` line for line,
    run over plain (start, end, term) tuples instead of copied Token objects; scoring,
    ordering and formatting are Whoosh's own (``tests/test_snippets_fast.py``).
    """
    spans = recall_spans_near(text, terms, surround)  # the tokens near matches: same fragments
    if not spans:
        return ""
    charlimit = highlight.DEFAULT_CHARLIMIT
    fragments = []
    first = None
    firsts: deque[int] = deque()
    countdown = -1
    tks: list[_Match] = []
    endchar = None
    currentlen = 0
    for startchar, endchar, term in spans:
        tlength = endchar - startchar
        if charlimit and endchar > charlimit:
            break
        matched = term in terms
        if countdown < 0 and not matched:
            firsts.append(startchar)
            while firsts and endchar - firsts[0] > surround:
                firsts.popleft()
        elif currentlen + tlength > maxchars:
            countdown = 0
        elif matched:
            countdown = surround
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = startchar
                    countdown += surround
            tks.append(_Match(startchar, endchar, term))
        if countdown >= 0:
            currentlen += tlength
            countdown -= tlength
            if countdown <= 0:
                fragments.append(highlight.mkfrag(text, tks, startchar=first, endchar=endchar))
                tks = []
                firsts = deque()
                first = None
                currentlen = 0
    if tks:
        fragments.append(highlight.mkfrag(text, tks, startchar=first, endchar=endchar))
    best = highlight.top_fragments(
        fragments, top, highlight.BasicFragmentScorer(), highlight.FIRST, 1
    )
    return MarkFormatter()(text, best)


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
