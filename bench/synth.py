"""A seeded synthetic archive of any size, made of OrangeSum copied over and over.

Real archives run to a million articles; the shared corpus has 33,922 clean ones. Copy
``k`` (0, 1, 2, …) of the corpus is the OrangeSum records (flagged duplicates left out)
with, for ``k`` ≥ 1:

- the id suffixed (``orangesum-2`` → ``orangesum-2-c3``), so every copy is a new article;
- ``date`` and ``published`` moved ``5 * k`` years back (copy 30 lands in the 1870s: the
  readers refuse dates before 1800 and more than a year ahead, so copies go back in time);
- ``DROP`` words of the body dropped and ``MUTATE`` words of at least 6 letters respelled
  (two inner letters swapped: ``gouvernement`` → ``gouvrenement``), chosen by a
  ``random.Random(f"{seed}:{k}:{id}")``: no two copies are the same text, and each copy
  brings new words, so the vocabulary grows with the archive as a real one does (names,
  typos), instead of saturating at OrangeSum's.

The result is written as JSON Lines files of at most ``PER_FILE`` articles under
``copy-KK/``, as a feed would deliver them, so that an incremental run has files to skip.
Everything is a function of ``seed`` (default ``SEED``) and the number of articles: the
same arguments give the same bytes. ``bench/scale.py`` imports ``write_corpus``;
``python bench/synth.py OUT N`` writes one from the command line.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORANGESUM = ROOT.parent / "shared" / "corpus" / "orangesum"
SEED = 20261130
YEARS_PER_COPY = 5
DROP = 3
MUTATE = 2
PER_FILE = 5_000


def originals(corpus: Path = ORANGESUM) -> list[dict]:
    """The clean OrangeSum records, in file order (flagged duplicates left out)."""
    records = []
    for path in sorted(corpus.glob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                if "duplicate_of" in rec or rec.get("orangesum_duplicate") in (True, "true"):
                    continue
                records.append(rec)
    return records


def _shift(value: str | None, years: int) -> str | None:
    """An ISO date or date-time ``years`` earlier (29 February becomes the 28th)."""
    if not value or len(value) < 10:
        return value
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    try:
        moved = day.replace(year=day.year - years)
    except ValueError:
        moved = day.replace(year=day.year - years, day=28)
    return moved.isoformat() + value[10:]


def _respell(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def variant(rec: dict, copy: int, seed: int = SEED) -> dict:
    """Copy ``copy`` of one record (copy 0 is the record itself)."""
    if copy == 0:
        return rec
    rng = random.Random(f"{seed}:{copy}:{rec['id']}")
    out = dict(rec, id=f"{rec['id']}-c{copy}")
    years = YEARS_PER_COPY * copy
    out["date"] = _shift(rec.get("date"), years)
    out["published"] = _shift(rec.get("published"), years)
    words = (rec.get("body") or "").split(" ")
    if len(words) > 20:
        for _ in range(DROP):
            del words[rng.randrange(len(words))]
        long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
        for i in rng.sample(long, min(MUTATE, len(long))):
            words[i] = _respell(words[i], rng)
        out["body"] = " ".join(words)
    return out


def articles(n: int, seed: int = SEED, first_copy: int = 0) -> Iterator[tuple[int, dict]]:
    """The first ``n`` synthetic articles as (copy, record), copy ``first_copy`` onwards."""
    base = originals()
    copy, done = first_copy, 0
    while done < n:
        for rec in base[: n - done]:
            yield copy, variant(rec, copy, seed)
        done += min(len(base), n - done)
        copy += 1


def write_corpus(out: Path, n: int, seed: int = SEED, first_copy: int = 0) -> list[Path]:
    """Writes ``n`` articles under ``out`` (``copy-KK/part-PPP.jsonl``); returns the files."""
    out = Path(out)
    files: list[Path] = []
    fh = None
    current: tuple[int, int] | None = None
    counts: dict[int, int] = {}
    try:
        for copy, rec in articles(n, seed, first_copy):
            part = counts.get(copy, 0) // PER_FILE
            counts[copy] = counts.get(copy, 0) + 1
            if (copy, part) != current:
                if fh:
                    fh.close()
                path = out / f"copy-{copy:02d}" / f"part-{part:03d}.jsonl"
                path.parent.mkdir(parents=True, exist_ok=True)
                fh = open(path, "w", encoding="utf-8")
                files.append(path)
                current = (copy, part)
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    finally:
        if fh:
            fh.close()
    return files


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: python bench/synth.py OUT N [SEED]")
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else SEED
    written = write_corpus(Path(sys.argv[1]), int(sys.argv[2]), seed)
    print(f"{len(written)} files written under {sys.argv[1]}")
