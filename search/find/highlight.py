"""The words a query looks for, to mark in snippets and articles."""

from __future__ import annotations

from whoosh import query as wq

from search.find.query import leaves_of
from search.find.spelling import RECALL_FIELDS
from search.index import postings_mmap


def _existing_terms(q, reader) -> set[tuple[str, str]]:
    """(field, text) of the query's words that the index holds, wildcards expanded.

    Whoosh 2.7's ``Query.existing_terms`` reuses its ``fieldname`` argument as a loop
    variable and so skips most leaves; this walks the leaves itself.
    """
    out: set[tuple[str, str]] = set()
    for leaf in leaves_of(q):
        if type(leaf) is wq.Term:  # what its ``expanded_terms`` gives, without a generator
            pairs = ((leaf.fieldname, leaf.text),) if leaf.fieldname else ()
        else:
            pairs = leaf.expanded_terms(reader, phrases=True)
        for fieldname, text in pairs:
            if fieldname not in RECALL_FIELDS or fieldname not in reader.schema:
                continue
            text = text.decode("utf-8") if isinstance(text, bytes) else text
            if postings_mmap.doc_frequency(reader, fieldname, text):
                out.add((fieldname, text))
    return out


def highlight_terms(q, reader) -> set[str]:
    """The recall-view words a query looks for, less those it excludes."""
    negative: set[tuple[str, str]] = set()

    def walk(node) -> None:
        if isinstance(node, wq.AndNot):
            walk(node.a)
            negative.update(_existing_terms(node.b, reader))
        elif isinstance(node, wq.Not):
            negative.update(_existing_terms(node.query, reader))
        elif not node.is_leaf():
            for child in node.children():
                walk(child)

    walk(q)
    return {text for _field, text in _existing_terms(q, reader) - negative}
