"""Draw the articles of the grown entity gold (run once; the draw is fixed by SEED).

usage: python bench/gold/sample.py > articles.jsonl

Its output (the articles, each with its ``split``) was then annotated by hand, following
``../shared/gold/GUIDE.md``, into ``entities-tuning.jsonl`` and ``entities-test.jsonl``.

124 clean OrangeSum articles (no duplicate flag, not in the dev gold nor in samples/) and
36 Wikinews articles, drawn with random.Random(SEED); each source is then shuffled again
with the same generator and cut in two: the first half is the tuning half, the second the
test half. The split is written in the record (``split``) before any annotation or tuning.
"""

from __future__ import annotations

import glob
import json
import random
from pathlib import Path

SEED = 16  # the issue number
ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def clean_orangesum(taken: set[str]) -> list[dict]:
    """OrangeSum's articles, in file order, less its flagged duplicates and ``taken``."""
    orange = []
    for path in sorted(glob.glob(str(SHARED / "corpus" / "orangesum" / "articles-part-*.jsonl"))):
        for line in open(path, encoding="utf-8"):
            rec = json.loads(line)
            if rec.get("orangesum_duplicate") or rec.get("duplicate_of") or rec["id"] in taken:
                continue
            orange.append(rec)
    return orange


def main() -> None:
    rng = random.Random(SEED)
    taken = {json.loads(line)["id"] for line in open(SHARED / "gold" / "entities-dev.jsonl")}
    for path in (ROOT / "samples" / "orangesum").glob("*.jsonl"):
        taken |= {json.loads(line)["id"] for line in open(path)}
    orange = clean_orangesum(taken)
    wiki_path = SHARED / "corpus" / "wikinews" / "wikinews_fr_keyphrase.jsonl"
    wiki = [json.loads(line) for line in open(wiki_path, encoding="utf-8")]
    for pool, n in ((orange, 124), (wiki, 36)):
        drawn = rng.sample(pool, n)
        rng.shuffle(drawn)
        for i, rec in enumerate(drawn):
            keys = ("id", "title", "summary", "body", "date", "section")
            out = {k: rec[k] for k in keys if rec.get(k)}
            out["split"] = "tuning" if i < n // 2 else "test"
            print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
