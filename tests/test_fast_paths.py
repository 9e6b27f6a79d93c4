"""The query-time shortcuts hold to Whoosh: plain-word queries built without the parser
hold the parser's terms (their ranking is BM25F, see test_fastsearch.py), snippets made
without Token objects equal Whoosh's highlighter."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from unidecode import unidecode
from whoosh import highlight
from whoosh.query import NullQuery, Or, Phrase

from search.analysis import analyze
from search.find.query import (
    Words,
    _phrases_where_positions,
    _plain_words,
    _relax,
    make_parser,
    parse,
)
from search.find.snippets import _ANALYZER, MarkFormatter, _context_highlight
from search.index.schema import build_schema
from tests.conftest import SAMPLES

SCHEMA = build_schema()
with open(SAMPLES / "orangesum" / "orangesum-sample.jsonl", encoding="utf-8") as _fh:
    RECORDS = [json.loads(line) for line in _fh]


def _whoosh_parse(text: str):
    return _phrases_where_positions(make_parser(SCHEMA).parse(text), SCHEMA)


def _query_texts() -> list[str]:
    out = []
    for r in RECORDS:
        out += [r["title"], r["title"].lower(), " ".join((r.get("summary") or "").split()[:5])]
    return out + ["le la les", "l'État", "Covid-19 : x", "x - y", "« Non »", "Macron, Philippe."]


def _chunk_terms(chunk: str) -> frozenset:
    """The (field, term) pairs Whoosh's parser makes of one word."""
    q = _whoosh_parse(chunk)
    return frozenset() if q is None else frozenset(q.iter_all_terms())


def _check_plain(text: str, fast) -> None:
    """Each word of the plain-word query holds exactly the terms the parser makes of one
    word of the text (both views, every field): the analysis is the parser's."""
    words = fast.a if hasattr(fast, "a") else fast
    if words is NullQuery:
        return
    assert isinstance(words, Words), text
    per_chunk = {_chunk_terms(c) for c in text.split()}
    for word in words.subqueries:
        assert frozenset(word.iter_all_terms()) in per_chunk, (text, word)
    assert 1 <= words.minmatch <= len(words.subqueries)


def test_plain_word_queries_hold_the_parsers_terms() -> None:
    taken = 0
    for text in _query_texts():
        text = " ".join(text.split())
        fast = _plain_words(text, SCHEMA) if text else None
        if fast is None:
            continue
        taken += 1
        _check_plain(text, fast)
    assert taken > 500  # most titles take the short way


@pytest.mark.parametrize(
    "text",
    ['"gilets jaunes"', "Macron OR Philippe", "retraites -grève", "+a b", "pays:RU x",
     "réform*", "NOT x", "a AND b", "date:2020", "(a b)", "x^2", "'quoted' x"],
)
def test_syntax_goes_to_the_parser(text: str) -> None:
    assert _plain_words(text, SCHEMA) is None
    # The parser's answer, its plain words then ranked as BM25F words (``_relax``).
    assert parse(text, SCHEMA) == _relax(_whoosh_parse(" ".join(text.split())), SCHEMA)


def test_a_colon_after_a_word_that_names_no_field_is_punctuation() -> None:
    assert parse("Paris: la mairie", SCHEMA) == parse("Paris la mairie", SCHEMA)
    assert parse("titre:retraites", SCHEMA) == _whoosh_parse("titre:retraites")


def test_a_sentence_with_a_quote_needs_most_words_like_plain_words() -> None:
    text = 'Le maire de Troyes assure qu\'il ne sera pas candidat si le chef "fait le job"'
    q = parse(text, SCHEMA)
    assert isinstance(q, Words) and q.minmatch < len(q.subqueries)
    assert any(isinstance(w, Or) and isinstance(w.subqueries[0], Phrase) for w in q.subqueries)


_WORDS = st.sampled_from(
    ["Macron", "l'État", "États-Unis", "les", "été", ":", "-", "«", "»", "x:y", "AND", "ou",
     "OU", "a", "2020", "Kassym-Jomart", "jusqu’à", "*", '"', "'", "(", "-x", "+y", "é"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS | st.text(min_size=1, max_size=5), min_size=1, max_size=6))
def test_plain_words_always_hold_the_parsers_terms(words: list[str]) -> None:
    text = " ".join(" ".join(words).split())
    fast = _plain_words(text, SCHEMA) if text else None
    if fast is not None:
        _check_plain(text, fast)


def test_snippets_equal_whoosh_highlight() -> None:
    rng = random.Random(3)
    for r in RECORDS[:150]:
        for text in (r["body"], r.get("summary") or ""):
            words = analyze(text)
            for k in (1, 2, 4):
                terms = frozenset(rng.sample(words, min(k, len(words)))) | {"absentterm"}
                for maxchars, top in ((220, 2), (80, 3)):
                    expected = highlight.highlight(
                        text,
                        terms,
                        _ANALYZER,
                        highlight.ContextFragmenter(maxchars=maxchars, surround=70),
                        MarkFormatter(),
                        top=top,
                    )
                    assert _context_highlight(text, terms, maxchars, 70, top) == expected


def test_snippets_of_sparse_matches_equal_whoosh_highlight() -> None:
    """Snippets read only the words near each match (``analysis.recall_spans_near``): with
    rare words far apart in long articles (long runs dropped between matches), several
    surrounds, and runs of punctuation and one-letter words that make a fragment's reach
    long in characters, the snippet is still exactly Whoosh's."""
    rng = random.Random(11)
    odd = " , , , a b c — « x » ; ! " * 12  # one-letter tokens far apart in characters
    texts = [r["body"] for r in RECORDS[150:]] + [odd + r["body"] + odd for r in RECORDS[:40]]
    checked = 0
    for text in texts:
        counts = Counter(analyze(text))
        rare = [w for w, c in counts.items() if c == 1] or list(counts)
        common = [w for w, _c in counts.most_common(3)]
        for terms in (
            frozenset(rng.sample(rare, min(2, len(rare)))),
            frozenset(rng.sample(rare, min(5, len(rare)))),
            frozenset(common[:1]) | {"a", "x"},
        ):
            for maxchars, surround, top in ((220, 70, 2), (120, 20, 3), (300, 150, 1)):
                expected = highlight.highlight(
                    text,
                    terms,
                    _ANALYZER,
                    highlight.ContextFragmenter(maxchars=maxchars, surround=surround),
                    MarkFormatter(),
                    top=top,
                )
                got = _context_highlight(text, terms, maxchars, surround, top)
                assert got == expected, (sorted(terms), maxchars, surround)
                checked += bool(expected)
    assert checked > 1000


def test_fragments_of_every_token_equal_whoosh_with_short_contexts() -> None:
    """``_fragments`` jumps over the tokens between events; with every token of the text
    given (``recall_spans``) and short contexts (a countdown that runs out exactly at a
    token's end, a length past ``maxchars`` mid-fragment, fragments a token apart), the
    snippets are Whoosh's own. Stepping the token after a countdown of exactly 0 as a
    jump fails it."""
    from search.analysis import recall_spans

    rng = random.Random(7)
    checked = 0
    for r in RECORDS[:120]:
        text = r["body"][:600]
        words = analyze(text)
        if not words:
            continue
        spans = recall_spans(text)
        for _ in range(6):
            terms = frozenset(rng.sample(words, min(3, len(words))))
            for maxchars, surround in ((60, 4), (40, 5), (50, 6), (80, 3), (30, 7)):
                expected = highlight.highlight(
                    text, terms, _ANALYZER,
                    highlight.ContextFragmenter(maxchars=maxchars, surround=surround),
                    MarkFormatter(), top=3,
                )
                got = _context_highlight(text, terms, maxchars, surround, 3, spans)
                assert got == expected, (sorted(terms), maxchars, surround)
                checked += bool(expected)
    assert checked > 2000


def _quoted_texts() -> list[str]:
    """Headlines, leads and sentences with double quotes: the shared corpus's when it is
    there (thousands), else the samples'; as typed, lower-cased and unfolded, with a quote
    left open, quotes around stop words, and a few made-up ones."""
    shared = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "orangesum"
    records = RECORDS
    if shared.is_dir():
        records = [json.loads(line) for path in sorted(shared.glob("*.jsonl"))
                   for line in path.read_text(encoding="utf-8").split("\n")[::20] if line]
    texts = []
    for r in records:
        for text in (r.get("title") or "", " ".join((r.get("summary") or "").split()[:30])):
            if '"' in text:
                texts += [text, unidecode(text).lower(), text[: text.rindex('"')]]
    return texts + ['"de la" est', 'x "" y', '"" "', '"le" "la"', 'a"b c', '"a b"c d"',
                    '"Un" "deux" trois', '"États-Unis" et "Royaume-Uni"', 'l\'"État" x',
                    *QUOTES_AND_SYNTAX]


# Quotes beside other syntax: the full parser's (most of these trees differ without its
# plugins: an operator, a field, a boost, a prefix, a range, ``+``)
QUOTES_AND_SYNTAX = [
    'a "b" (c d)', 'a "b" OR c', 'a "b" titre:c', "'a b' \"c\"", 'a "b" -c d', 'a "b" +c d',
    'a "b" c*', 'a "b"^2 c', 'a "b" date:[2019 TO 2020]', 'a "b" NOT c', 'a "b" REQUIRE c',
]


def test_quoted_texts_parse_to_the_full_parsers_tree() -> None:
    """A text with double quotes and no other syntax (``_quotes_only``) is parsed by the
    parser with only the plugins it needs; the tree is the full parser's, node for node
    (any-word parser too), and so is what ``interpret`` makes of it."""
    from search.find.query import _quotes_only, interpret

    texts = _quoted_texts()
    rng = random.Random(3)
    compared = 0
    for text in texts:
        if not _quotes_only(text):
            continue
        for any_word in (False, True):
            full = make_parser(SCHEMA, any_word).parse(text)
            assert make_parser(SCHEMA, any_word, quotes_only=True).parse(text) == full, text
        compared += 1
    assert compared > (800 if len(texts) > 2000 else 30)
    assert len(make_parser(SCHEMA, quotes_only=True).plugins) == 3
    for text in rng.sample(texts, min(200, len(texts))):  # and the search's own query
        ours = interpret(text, SCHEMA)
        assert ours == interpret_full(text), text


def interpret_full(text: str):
    """``interpret`` with the full parser whatever the text (the reference)."""
    from search.find import query as query_module

    kept = query_module._quotes_only
    query_module._quotes_only = lambda _text: False
    try:
        return query_module.interpret(text, SCHEMA)
    finally:
        query_module._quotes_only = kept


@pytest.mark.parametrize("text", QUOTES_AND_SYNTAX)
def test_quotes_beside_other_syntax_take_the_full_parser(text: str) -> None:
    from search.find.query import _quotes_only

    assert not _quotes_only(text)
