"""Draw more tuning articles for the entity gold (run once; the draw is fixed by SEED).

usage: python bench/gold/sample_more.py [ROUND] > articles.jsonl

Round 1: 48 clean OrangeSum articles and 12 Wikinews articles (the ratio of ``sample.py``'s
draw), none of them in the dev gold, in ``samples/`` or in either half of ``sample.py``'s gold,
drawn with random.Random(1616). Round 2: 32 + 8 more with random.Random(1618), none of them
in round 1 either. Round 3 (issue 16, sixth round): 20 OrangeSum articles with
random.Random(1620), none of them in rounds 1 and 2 (no Wikinews: the helper had read the
extractor's output on most of what is left of it). Round 4 (issue 16, session 9): 24 OrangeSum
articles with random.Random(1624), none of them in rounds 1 to 3, kept as a validation round
(scored before any rule, then only at the end). Round 5 (issue 16, session 10): 40 OrangeSum
articles with random.Random(1630), none of them in rounds 1 to 4 (no Wikinews, read in earlier
rounds' unlabelled checks), annotated into ``entities-round5.jsonl`` and scored once before
any rule was written from it, then used for tuning. Round 6 (issue 16, session 10, ninth
round): 30 OrangeSum articles with random.Random(1640), none of them in rounds 1 to 5,
annotated into ``entities-round6.jsonl``, scored once blind, then used for tuning. Round 7
(issue 16, session 11, tenth round): 40 OrangeSum articles with random.Random(1650), none of
them in rounds 1 to 6, annotated into ``entities-round7.jsonl``, scored once blind. Round 8
(issue 16, session 12): 50 OrangeSum articles with random.Random(1660), none of them in rounds
1 to 7, annotated into ``entities-round8.jsonl`` as a held-out validation round (printed with
``split: validation`` and ``round: 8``). Round 9 (issue 16, session 14): 50 OrangeSum articles
with random.Random(1670), none of them in rounds 1 to 8, a held-out validation round
(``entities-round9.jsonl``), drawn when round 8 became tuning material. Round 10 (issue 16,
session 14): 60 OrangeSum articles with random.Random(1680), none of them in rounds 1 to 9,
annotated for countries only into ``countries-round10.jsonl`` (``persons: null``), scored
once blind, then used for tuning.
Round 11 (session 14) is not drawn by this script: it is every Wikinews record left outside
the gold files (44), annotated for countries only into ``countries-round11.jsonl`` (its
persons added in place in session 16, the file's name and ids unchanged). Round 12
(issue 16, session 15): 50 OrangeSum articles with random.Random(1690), none of them in rounds
1 to 11 (the countries-only rounds 10 and 11 excluded too), a held-out validation round
(``entities-round12.jsonl``, printed with ``split: validation`` and ``round: 12``), drawn
when round 9 became tuning material. Round 13 (issue 16, session 16): 50 OrangeSum articles
with random.Random(1700), none of them in rounds 1 to 12 (round 12's file excluded too), a
held-out validation round (``entities-round13.jsonl``, printed with ``split: validation`` and
``round: 13``), drawn when round 12 became tuning material. Round 14 (issue 16, session 17):
50 OrangeSum articles with random.Random(1720), none of them in rounds 1 to 13, a held-out
validation round (``entities-round14.jsonl``, printed with ``split: validation`` and ``round:
14``), drawn when round 13 became tuning material (seeds 1710 to 1713 were used in session 16
for unlabelled checks, so this round skips them). Round 15 (issue 16, session 17): 50 OrangeSum
articles with random.Random(1730), none of them in rounds 1 to 14, a second held-out round of
the session (``entities-round15.jsonl``), drawn when round 14 became tuning material, annotated
blind while the session's rules were written from round 14, and scored once at the end, before
and after them. Round 16 (session 17, its second cycle): 50 OrangeSum articles with
random.Random(1750), none of them in rounds 1 to 15, drawn when round 15 became tuning material
and held out the same way. Round 17 (session 18): 50 OrangeSum articles with
random.Random(1790), none of them in rounds 1 to 16, drawn when round 16 became tuning material;
two of them (orangesum-11274 and orangesum-12788) were left out before annotation because a
session 17 helper had read the extractor's output on them in an unlabelled check, so the round
holds 48. Round 18 (session 18, its second cycle): 50 OrangeSum articles with
random.Random(1995), none of them in rounds 1 to 17, drawn when round 17 became tuning material;
orangesum-27399 and orangesum-36269 were left out the same way (read by a session 17 helper), so
it holds 48. Round 19 (session 18, its third cycle): 50 OrangeSum articles with
random.Random(2200), none of them in rounds 1 to 18, drawn when round 18 became tuning material;
five were left out (four read by session 17's helpers, one by session 18's), so it holds 45.
Round 20 (session 19): 50 OrangeSum articles with random.Random(2500), none of them in rounds 1
to 19, drawn when round 19 became tuning material; orangesum-8150 was left out (a session 18
helper had read the extractor's output on it, as a test's comment says), so it holds 49.
Round 21 (session 19, its second cycle): 50 OrangeSum articles with random.Random(2700), none of
them in rounds 1 to 20, drawn when round 20 became tuning material; orangesum-4811 was left out
(read by one of the session's first-cycle helpers), so it holds 49.
Round 22 (session 20): 50 OrangeSum articles with random.Random(2900), none of them in rounds 1
to 21, drawn when round 21 became tuning material; four were left out (session 19's helpers had
read the extractor's output on them), and orangesum-36308 was taken out after its annotation
(a session 18 test quotes it: ``tests/test_gold_held_out.py`` found it), so it holds 45.
Round 23 (session 20): 100 OrangeSum articles with random.Random(3000), none of them in rounds 1
to 22, drawn with round 22 to grow the articles no rule was ever written from; nine were left
out (sessions 19 and 20's helpers had read the extractor's output on them), so it holds 91.
Each round was annotated by hand, following ``../shared/gold/GUIDE.md``, into ``entities-tuning-
more.jsonl`` (rounds 4 to 23 into their own files) before the extractor was run on it. Rounds 1
to 21 are tuning articles (15 and 16 were held out to the ends of session 17's two cycles, 17
and 18 to the ends of session 18's cycles, 19 to 21 to session 19's cycles and the start of
session 20); rounds 22 and 23 are held out for good, beside the test half as ``sample.py`` cut
it (``README.md``, "Which files are tuning, which are held out"). From round 24 on, the draw
also leaves out every id of ``read-ids.txt`` (``READ_IDS``), instead of a ``LEFT_OUT`` set written
by hand after the draw.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from sample import clean_orangesum  # the same pool as the first draw

# round: (seed, OrangeSum articles, Wikinews articles)
ROUNDS = {
    1: (1616, 48, 12),
    2: (1618, 32, 8),
    3: (1620, 20, 0),
    4: (1624, 24, 0),
    5: (1630, 40, 0),
    6: (1640, 30, 0),
    7: (1650, 40, 0),
    8: (1660, 50, 0),
    9: (1670, 50, 0),
    10: (1680, 60, 0),
    12: (1690, 50, 0),
    13: (1700, 50, 0),
    14: (1720, 50, 0),
    15: (1730, 50, 0),
    16: (1750, 50, 0),
    17: (1790, 50, 0),
    18: (1995, 50, 0),
    19: (2200, 50, 0),
    20: (2500, 50, 0),
    21: (2700, 50, 0),
    22: (2900, 50, 0),
    23: (3000, 100, 0),
}
# rounds drawn as held-out validation rounds
VALIDATION = {8, 9, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}
# Rounds 4 on have a file each, left out of every later draw (round 11, every Wikinews record
# left then, was not drawn by this script; rounds 10 and 11 are countries-only).
OWN_FILES = {
    n: f"countries-round{n}.jsonl" if n in (10, 11) else f"entities-round{n}.jsonl"
    for n in range(4, 23)
}
# Articles drawn but left out before annotation: a helper had read the extractor's output on them.
LEFT_OUT = {
    17: {"orangesum-11274", "orangesum-12788"},
    18: {"orangesum-27399", "orangesum-36269"},
    19: {
        "orangesum-13890",
        "orangesum-33723",
        "orangesum-3358",
        "orangesum-4967",
        "orangesum-9300",
    },
    20: {"orangesum-8150"},
    21: {"orangesum-4811"},
    22: {
        "orangesum-13520",
        "orangesum-21456",
        "orangesum-3125",
        "orangesum-36308",
        "orangesum-36928",
    },
    23: {
        "orangesum-16572",
        "orangesum-29404",
        "orangesum-30550",
        "orangesum-31995",
        "orangesum-3470",
        "orangesum-36177",
        "orangesum-5102",
        "orangesum-5396",
        "orangesum-8564",
    },
}
# Articles taken out of a round's file after its annotation (a test quoted it): later draws were
# made with it in the file, so they still count it as taken, and replay as they were drawn.
TAKEN_OUT = {22: {"orangesum-36308"}}
ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
# Articles a helper read the extractor's output on (kept in git since session 20, so that a lost
# machine no longer loses the list): left out of every draw from this round on.
READ_IDS = ROOT / "bench" / "gold" / "read-ids.txt"
READ_IDS_FROM = 24
GOLD = [
    SHARED / "gold" / "entities-dev.jsonl",
    ROOT / "bench" / "gold" / "entities-tuning.jsonl",
    ROOT / "bench" / "gold" / "entities-test.jsonl",
]


def main() -> None:
    round_ = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    seed, n_orange, n_wiki = ROUNDS[round_]
    rng = random.Random(seed)
    taken = {json.loads(line)["id"] for path in GOLD for line in open(path, encoding="utf-8")}
    if round_ > 1:  # the earlier rounds' articles, as sample_more.py drew them
        more = ROOT / "bench" / "gold" / "entities-tuning-more.jsonl"
        earlier = [json.loads(line) for line in open(more, encoding="utf-8")]
        taken |= {rec["id"] for rec in earlier if rec.get("round", 1) < round_}
    for number, name in OWN_FILES.items():  # the rounds kept in files of their own
        if round_ > number:
            path = ROOT / "bench" / "gold" / name
            taken |= {json.loads(line)["id"] for line in open(path, encoding="utf-8")}
            taken |= TAKEN_OUT.get(number, set())
    if round_ >= READ_IDS_FROM:
        lines = READ_IDS.read_text(encoding="utf-8").splitlines()
        taken |= {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    for path in (ROOT / "samples" / "orangesum").glob("*.jsonl"):
        taken |= {json.loads(line)["id"] for line in open(path, encoding="utf-8")}
    orange = clean_orangesum(taken)
    wiki_path = SHARED / "corpus" / "wikinews" / "wikinews_fr_keyphrase.jsonl"
    wiki = [json.loads(line) for line in open(wiki_path, encoding="utf-8")]
    wiki = [rec for rec in wiki if rec["id"] not in taken]
    for pool, n in ((orange, n_orange), (wiki, n_wiki)):
        for rec in rng.sample(pool, n):
            if rec["id"] in LEFT_OUT.get(round_, ()):
                continue
            keys = ("id", "title", "summary", "body", "date", "section")
            out = {k: rec[k] for k in keys if rec.get(k)}
            if round_ in VALIDATION:
                out["split"], out["round"] = "validation", round_
            else:
                out["split"] = "tuning"
            print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
