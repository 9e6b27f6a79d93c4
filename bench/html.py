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
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, this file's folder comes first on sys.path and "html.py" would shadow the
# standard library's html module (which trafilatura imports): put the project root there.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from search.articles import Article  # noqa: E402
from search.readers.decode import Problem  # noqa: E402
from search.readers.html import (  # noqa: E402
    EXTRACTORS,
    decode_html,
    html_id,
    label,
    library_metadata,
    parse_html,
    read_html,
)
from search.readers.jsonl import record_to_article  # noqa: E402

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


@dataclass
class Score:
    """One page read by one extractor, against its reference."""

    id: str
    title: bool = False
    date: bool = False
    published: bool = False
    section: bool = False
    source: bool = False
    url: bool = False
    lead: bool = False
    body_f1: float = 0.0
    text_f1: float = 0.0
    skipped: str = ""
    crashed: str = ""


@dataclass
class Run:
    extractor: str
    scores: dict[str, Score] = field(default_factory=dict)
    seconds: float = 0.0


def read_one(path: Path, extractor: str) -> tuple[Article | None, list[Problem]]:
    problems: list[Problem] = []
    text = decode_html(path.read_bytes(), str(path), problems.append)
    article = read_html(
        text, relpath=path.name, where=str(path), report=problems.append, extractor=extractor
    )
    return article, problems


def run(pages: list[Path], refs: dict[str, Article], extractor: str) -> Run:
    result = Run(extractor)
    for path in pages:
        page_id = html_id(path.name)
        ref = refs[page_id]
        score = Score(page_id)
        start = time.perf_counter()
        try:
            art, problems = read_one(path, extractor)
        except Exception as err:  # counted, never hidden: the target is zero
            art, problems = None, []
            score.crashed = f"{type(err).__name__}: {err}"
        result.seconds += time.perf_counter() - start
        if art is None:
            score.skipped = "; ".join(p.reason for p in problems if p.skipped)
        else:
            score.title = art.title == ref.title
            score.date = art.date == ref.date
            score.published = art.published == ref.published
            score.section = art.section == ref.section
            score.source = art.source == ref.source
            score.url = art.url == ref.url
            score.lead = art.summary == ref.summary
            score.body_f1 = f1(art.body, ref.body)
            score.text_f1 = f1(f"{art.summary} {art.body}", f"{ref.summary} {ref.body}")
        result.scores[page_id] = score
    return result


def library_alone(pages: list[Path], refs: dict[str, Article]) -> dict[str, dict[str, float]]:
    """What each library gives by itself, without the page-metadata layer: the reason the
    page's own statements take precedence."""
    from readability import Document

    hits: dict[str, Counter] = {"trafilatura": Counter(), "readability": Counter()}
    for path in pages:
        ref = refs[html_id(path.name)]
        text = decode_html(path.read_bytes(), str(path), lambda _p: None)
        tree = parse_html(text)
        meta = library_metadata(tree)
        hits["trafilatura"]["title"] += meta["title"] == ref.title
        hits["trafilatura"]["date"] += meta["date"] == (ref.date.isoformat() if ref.date else "")
        hits["trafilatura"]["section"] += label(meta["section"]) == ref.section
        hits["readability"]["title"] += " ".join(Document(text).short_title().split()) == (
            ref.title
        )
    n = len(pages) or 1
    return {lib: {k: v / n for k, v in c.items()} for lib, c in hits.items()}


def summary(r: Run, ids: list[str], worst: int) -> dict:
    scores = [r.scores[i] for i in ids]
    read = [s for s in scores if not s.skipped and not s.crashed]
    n = len(scores) or 1

    def rate(attr: str) -> float:
        return sum(getattr(s, attr) for s in scores) / n

    f1s = [s.body_f1 for s in scores]  # a skipped page counts as F1 0
    return {
        "pages": len(scores),
        "read": len(read),
        "skipped": len(scores) - len(read),
        "crashed": sum(bool(s.crashed) for s in scores),
        "title": rate("title"),
        "date": rate("date"),
        "published": rate("published"),
        "section": rate("section"),
        "source": rate("source"),
        "url": rate("url"),
        "lead": rate("lead"),
        "body_f1": statistics.fmean(f1s) if f1s else 0.0,
        "text_f1": statistics.fmean(s.text_f1 for s in scores) if scores else 0.0,
        "worst": [(s.id, round(s.body_f1, 3)) for s in sorted(scores, key=lambda s: s.body_f1)][
            :worst
        ],
    }


ROWS = [
    ("title", "title exact"),
    ("date", "date exact"),
    ("published", "date+time+offset exact"),
    ("section", "section exact"),
    ("source", "source exact"),
    ("url", "canonical URL exact"),
    ("lead", "lead (summary) exact"),
    ("body_f1", "body token F1, mean"),
    ("text_f1", "lead + body token F1, mean"),
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
            cells.append(f"{value:.3f}" if isinstance(value, float) else str(value))
        print(f"| {text} | " + " | ".join(cells) + " |")
    for name in names:
        worst = ", ".join(f"{i} {v:.3f}" for i, v in results[name]["worst"])
        print(f"\nworst body F1, {name}: {worst}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=CORPUS / "orangesum-html")
    parser.add_argument("--reference", type=Path, default=CORPUS / "orangesum")
    parser.add_argument("--tune", type=int, default=50, help="pages the rules were tuned on")
    parser.add_argument("--worst", type=int, default=5)
    parser.add_argument("--extractors", default=",".join(EXTRACTORS))
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

    runs = [run(pages, refs, name) for name in args.extractors.split(",")]
    print(f"# HTML reader on {len(pages)} OrangeSum pages (reference: JSON Lines records)")
    for title, subset in subsets.items():
        if subset:
            print_table(title, {r.extractor: summary(r, subset, args.worst) for r in runs})

    print("\n## speed (whole reader: decode, parse, metadata, extraction, rules)\n")
    for r in runs:
        print(f"- {r.extractor}: {len(pages) / r.seconds:.1f} pages/s ({r.seconds:.1f} s)")

    alone = library_alone(pages, refs)
    print("\n## the libraries' own metadata, without the page-metadata layer (all pages)\n")
    for lib, rates in alone.items():
        print(f"- {lib}: " + ", ".join(f"{k} exact {v:.3f}" for k, v in rates.items()))

    if args.json:
        doc = {r.extractor: {i: vars(s) for i, s in r.scores.items()} for r in runs}
        args.json.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
