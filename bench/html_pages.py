"""HTML reader against the reference records: title, date, section, body F1, speed.

Reads every page of `../shared/corpus/orangesum-html/` with each extractor (trafilatura, the
reader's default, and readability-lxml, the alternative) and compares the Article with the one
the JSON Lines reader gives for the record of the same id in `../shared/corpus/orangesum/`
(the reference: og:title, article:published_time, article:section else the URL segment, and a
careful extraction of the body).

The reader's rules were tuned on the first `--tune` pages (file-name order) only; the other
pages are reported apart as "never seen", the figure that says how the reader does on new
pages of the same site. Run with `make bench-html`.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lxml.html

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, this file's folder comes first on sys.path and "html.py" would shadow the
# standard library's html module (which trafilatura imports): put the project root there.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from search.ingest.articles import Article  # noqa: E402
from search.ingest.readers.decode import Problem  # noqa: E402
from search.ingest.readers.html import (  # noqa: E402
    EXTRACTORS,
    decode_html,
    html_id,
    label,
    one_line,
    paragraphs,
    read_html,
)
from search.ingest.readers.jsonl import parse_published, record_to_article  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> Counter:
    return Counter(_TOKEN.findall(text.casefold()))


def f1(found: str, expected: str) -> float:
    """Token-level F1 (bag of words, case-folded), as in extractive QA and extraction evals."""
    got, want = tokens(found), tokens(expected)
    overlap = sum((got & want).values())
    if not overlap:
        return 1.0 if not got and not want else 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def load_reference(folder: Path, ids: set[str]) -> dict[str, Article]:
    """The reference Articles, read by the JSON Lines reader itself (same section rule)."""
    out: dict[str, Article] = {}
    for path in sorted(folder.glob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                head = line[:40]
                if not any(f'"{i}"' in head for i in ids):  # cheap filter before json.loads
                    continue
                rec = json.loads(line)
                if rec.get("id") in ids:
                    art = record_to_article(
                        rec, relpath=path.name, line=number, where=str(path), report=print
                    )
                    if art is not None:
                        out[art.id] = art
    return out


FIELDS = ("title", "date", "published", "section", "source", "url", "summary")


@dataclass
class Score:
    """One page read one way, against its reference; None: that way gives no such field."""

    id: str
    exact: dict[str, bool | None] = field(default_factory=dict)
    body_f1: float = 0.0
    text_f1: float = 0.0
    body_exact: bool = False
    skipped: str = ""
    crashed: str = ""


@dataclass
class Run:
    name: str
    scores: dict[str, Score] = field(default_factory=dict)
    seconds: float = 0.0


# A way to read a page: path -> (fields found, skip reason). Fields it cannot give are absent.
Reader = Callable[[Path], tuple[dict[str, Any] | None, str]]


def loupe_reader(extractor: str) -> Reader:
    """The reader as `loupe reindex` runs it, with `extractor` for the main text."""

    def read(path: Path) -> tuple[dict[str, Any] | None, str]:
        problems: list[Problem] = []
        text = decode_html(path.read_bytes(), str(path), problems.append)
        art = read_html(
            text, relpath=path.name, where=str(path), report=problems.append, extractor=extractor
        )
        if art is None:
            return None, "; ".join(p.reason for p in problems if p.skipped)
        return {name: getattr(art, name) for name in (*FIELDS, "body")}, ""

    return read


def trafilatura_alone(path: Path) -> tuple[dict[str, Any] | None, str]:
    """trafilatura by itself on the raw bytes: its own decoding, metadata (htmldate) and text;
    no page-metadata layer, no lead/dateline rules (so the lead is part of its text)."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        path.read_bytes(), with_metadata=True, include_comments=False, include_tables=False
    )
    if doc is None:
        return None, "rien extrait"
    day, _ = parse_published(doc.date or "")
    return {
        "title": one_line(doc.title),
        "date": day,
        "section": label((doc.categories or [""])[0]),
        "source": one_line(doc.author),
        "url": doc.url or "",
        "body": doc.text or "",
    }, ""


def readability_alone(path: Path) -> tuple[dict[str, Any] | None, str]:
    """readability-lxml by itself: its title and main text (it has no date, section, author
    or URL); the HTML it returns is cut into paragraphs like the reader does."""
    from readability import Document

    doc = Document(path.read_bytes())
    html = doc.summary(html_partial=True)
    body = "\n\n".join(paragraphs(lxml.html.fragment_fromstring(html, create_parent="div")))
    return {"title": one_line(doc.short_title()), "body": body}, ""


def run(name: str, read: Reader, pages: list[Path], refs: dict[str, Article]) -> Run:
    result = Run(name)
    for path in pages:
        page_id = html_id(path.name)
        ref = refs[page_id]
        score = Score(page_id)
        start = time.perf_counter()
        try:
            got, score.skipped = read(path)
        except Exception as err:  # counted, never hidden: the target is zero
            got, score.crashed = None, f"{type(err).__name__}: {err}"
        result.seconds += time.perf_counter() - start
        for key in FIELDS:
            score.exact[key] = None if got is not None and key not in got else False
        if got is not None:
            for key in FIELDS:
                if key in got:
                    score.exact[key] = got[key] == getattr(ref, key)
            lead = got.get("summary", "")
            score.body_f1 = f1(got["body"], ref.body)
            score.body_exact = got["body"] == ref.body
            score.text_f1 = f1(f"{lead} {got['body']}", f"{ref.summary} {ref.body}")
        result.scores[page_id] = score
    return result


def summary(r: Run, ids: list[str], worst: int) -> dict:
    scores = [r.scores[i] for i in ids]
    n = len(scores) or 1
    out: dict[str, Any] = {"pages": len(scores)}
    for key in FIELDS:
        values = [s.exact[key] for s in scores]
        out[key] = None if all(v is None for v in values) else sum(bool(v) for v in values) / n
    # a skipped or crashed page counts as F1 0
    out["body_f1"] = statistics.fmean(s.body_f1 for s in scores) if scores else 0.0
    out["text_f1"] = statistics.fmean(s.text_f1 for s in scores) if scores else 0.0
    out["body_exact"] = sum(s.body_exact for s in scores) / n
    out["skipped"] = sum(bool(s.skipped) for s in scores)
    out["crashed"] = sum(bool(s.crashed) for s in scores)
    ranked = sorted(scores, key=lambda s: s.body_f1)[:worst]
    out["worst"] = [(s.id, s.body_f1) for s in ranked]
    return out


ROWS = [
    ("title", "title exact"),
    ("date", "date exact"),
    ("published", "date + time + UTC offset exact"),
    ("section", "section exact"),
    ("source", "source exact"),
    ("url", "canonical URL exact"),
    ("summary", "lead (summary) exact"),
    ("body_f1", "body token F1, mean"),
    ("text_f1", "lead + body token F1, mean"),
    ("body_exact", "body exact, paragraph breaks included"),
    ("skipped", "pages skipped"),
    ("crashed", "pages crashed"),
]


def print_table(title: str, results: dict[str, dict]) -> None:
    names = list(results)
    print(f"\n## {title} ({next(iter(results.values()))['pages']} pages)\n")
    print("| | " + " | ".join(names) + " |")
    print("| --- | " + " | ".join("---:" for _ in names) + " |")
    for key, text in ROWS:
        cells = []
        for name in names:
            value = results[name][key]
            cells.append(
                "n/a"
                if value is None
                else f"{value:.3f}"
                if isinstance(value, float)
                else str(value)
            )
        print(f"| {text} | " + " | ".join(cells) + " |")
    print()
    for name in names:
        worst = ", ".join(f"{i} {v:.3f}" for i, v in results[name]["worst"])
        print(f"- worst body F1, {name}: {worst}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=CORPUS / "orangesum-html")
    parser.add_argument("--reference", type=Path, default=CORPUS / "orangesum")
    parser.add_argument("--tune", type=int, default=50, help="pages the rules were tuned on")
    parser.add_argument("--worst", type=int, default=5)
    parser.add_argument(
        "--extractors", type=lambda v: v.split(","), default=list(EXTRACTORS), help="a,b"
    )
    parser.add_argument(
        "--no-alone", dest="alone", action="store_false", help="skip the libraries alone"
    )
    parser.add_argument("--json", type=Path, help="also write the per-page scores here")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")

    pages = sorted(args.pages.glob("*.html"), key=lambda p: p.name)
    if not pages:
        print(f"aucune page dans {args.pages}", file=sys.stderr)
        return 2
    refs = load_reference(args.reference, {html_id(p.name) for p in pages})
    missing = [p.name for p in pages if html_id(p.name) not in refs]
    if missing:
        print(f"{len(missing)} pages sans référence, ignorées : {missing[:5]}", file=sys.stderr)
        pages = [p for p in pages if html_id(p.name) in refs]
    ids = [html_id(p.name) for p in pages]
    subsets = {
        f"tuning set: first {args.tune} pages": ids[: args.tune],
        "never seen: the other pages": ids[args.tune :],
        "all pages": ids,
    }

    readers: dict[str, Reader] = {f"loupe + {x}": loupe_reader(x) for x in args.extractors}
    if args.alone:
        readers["trafilatura alone"] = trafilatura_alone
        readers["readability alone"] = readability_alone
    runs = [run(name, read, pages, refs) for name, read in readers.items()]
    print(f"# HTML reader on {len(pages)} OrangeSum pages (reference: JSON Lines records)")
    print(
        "\n`loupe + X`: the reader (page metadata first, X for the main text, lead and"
        " dateline rules). `X alone`: the library by itself, no page-metadata layer, no rules."
    )
    for title, subset in subsets.items():
        if subset:
            print_table(title, {r.name: summary(r, subset, args.worst) for r in runs})

    print("\n## speed (decode, parse, metadata, extraction, rules: one core)\n")
    for r in runs:
        print(f"- {r.name}: {len(pages) / r.seconds:.1f} pages/s ({r.seconds:.1f} s)")

    if args.json:
        doc = {r.name: {i: vars(s) for i, s in r.scores.items()} for r in runs}
        args.json.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
