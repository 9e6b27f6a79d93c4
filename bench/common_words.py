"""Place names that are also common French words, counted in the archive; writes
``search/ingest/entities/data/common_words.tsv``.

usage: python bench/common_words.py [--corpus DIR] [--check]

A one-word place of the gazetteer (``Assise``, ``Sienne``) whose lower-case form the archive
writes at least ``RATIO`` times as often as the capitalised name in mid-sentence, and at
least ``MIN_LOWER`` times, is a word before it is a place: at the start of a sentence, where
every word has a capital, it is no place (``Assise sur une mine de données``: seated). A
place whose spelling has an accent (``Tigré``) and whose spelling without it is such a word
(``tigre``, the animal, the Tigris, the army's helicopter) is no place when the text writes
no accent. Counted on OrangeSum's ``articles-part-00`` to ``-05`` (30,000 articles): the
statistics are the archive's, no word is chosen by hand. ``--check`` exits 1 when the file
is not what the corpus gives.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.ingest.entities.countries import DATA, gazetteer  # noqa: E402

MIN_LOWER = 30
RATIO = 5
_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_GAP = re.compile(r"[.!?:;«»\"“”\n(\[—–]")
HEADER = (
    "# Place names that are also common French words (bench/common_words.py, from the\n"
    "# archive's counts; do not edit by hand). start: no place at a sentence's start;\n"
    "# bare: no place when written without the accent (the word without it is common).\n"
)


def counts(corpus: Path) -> tuple[Counter, Counter]:
    """Lower-case words, and capitalised words in mid-sentence, over the corpus."""
    lower: Counter[str] = Counter()
    mid: Counter[str] = Counter()
    for path in sorted(corpus.glob("articles-part-0[0-5].jsonl")):
        for line in path.open(encoding="utf-8"):
            record = json.loads(line)
            text = "\n".join(str(record.get(k) or "") for k in ("title", "summary", "body"))
            end = 0
            for m in _WORD.finditer(text):
                word, gap, end = m.group(), text[end : m.start()], m.end()
                if word[0].islower():
                    lower[word] += 1
                elif m.start() and not _SENTENCE_GAP.search(gap):
                    mid[word] += 1
    return lower, mid


def _bare(word: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def common_words(corpus: Path) -> list[tuple[str, str]]:
    lower, mid = counts(corpus)
    rows: list[tuple[str, str]] = []
    for key, terms in gazetteer()._terms.items():
        if len(key) != 1:
            continue
        names = {
            t.words[0]
            for t in terms
            if t.kind not in ("none", "adjective")
            and t.words[0][:1].isupper()
            and not t.words[0].isupper()
        }
        for name in sorted(names):
            low = lower[name.lower()]
            if low >= MIN_LOWER and low >= RATIO * (mid[name] + 1):
                rows.append((name, "start"))
            bare = _bare(name)
            if bare != name:
                low = lower[bare.lower()]
                if low >= MIN_LOWER and low >= RATIO * (lower[name.lower()] + 1):
                    rows.append((name, "bare"))
    return sorted(set(rows))


def render(rows: list[tuple[str, str]]) -> str:
    return HEADER + "".join(f"{w}\t{k}\n" for w, k in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpus/orangesum")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = render(common_words(args.corpus))
    target = Path(str(DATA / "common_words.tsv"))
    if args.check:
        same = target.exists() and target.read_text(encoding="utf-8") == text
        print("common_words.tsv is up to date" if same else "common_words.tsv differs")
        sys.exit(0 if same else 1)
    target.write_text(text, encoding="utf-8")
    print(f"{len(text.splitlines()) - 3} rows written to {target}")


if __name__ == "__main__":
    main()
