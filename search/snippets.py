"""Snippets: the best passages of a text with the matched words in ``<mark>``.

The stored text is re-analysed with the recall analyzer, so a query typed without
accents still marks the accented words of the original (``etat`` marks ``l'État``).
Everything else is HTML-escaped: ``<mark>`` is the only markup that survives.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from whoosh import highlight

from .analysis import french_analyzer

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
        fragmenter = highlight.ContextFragmenter(maxchars=maxchars, surround=70)
        for text in texts:
            marked = highlight.highlight(
                text, frozenset(terms), _ANALYZER, fragmenter, MarkFormatter(), top=top
            )
            if marked:
                return " ".join(marked.split())
    return escape(_shorten(texts[0], maxchars)) if texts else ""


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
