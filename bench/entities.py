"""Entity extraction measured: scores on the dev gold, throughput on OrangeSum.

usage: python bench/entities.py [--gold FILE ...] [--corpus DIR] [--n 2000] [--skip-throughput]
                                [--interval]

1. Runs the extractor (what ``loupe extract --json`` prints) over each gold file (by default
   the dev gold and the tuning half of ``bench/gold``; the test half and the held-out round,
   ``bench/gold/entities-round15.jsonl``, only when named), writes
   the predictions to ``bench/out/<gold name>.pred.jsonl`` and prints the table of
   ``../shared/gold/score.py`` for each; a countries-only gold file (``gold.persons`` null, as
   ``bench/gold/countries-round10.jsonl``) gets its countries line alone, computed here the
   way ``score.py`` computes it.
   With ``--interval``, each file's scores and the files' pooled scores are printed with a 95 %
   bootstrap interval over the articles: a test half of 80 articles measures a precision to
   about two points, and the interval says whether a target just above or below is met.
2. Extracts the first N clean OrangeSum articles (no ``orangesum_duplicate``, no
   ``duplicate_of``) with 1 and 2 worker processes, no cache, and prints articles/s.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.ingest.entities import (  # noqa: E402
    Extractor,
    NerCache,
    archive_types,
    article_text,
    load_model,
    text_key,
)
from search.ingest.readers import read_paths  # noqa: E402

SHARED = ROOT.parent / "shared"


class ArchiveCounts:
    """The name counts an index of ``corpus`` would hold (``people.PersonTable.name_type``),
    from the NER spans its build cached: the type vote as an archive of that corpus makes it.
    Articles whose text is not in the cache, and the gold articles, are left out."""

    def __init__(self, corpus: Path, ner_cache: Path, exclude: set[str]) -> None:
        self.rows: dict[str, list[int]] = {}
        self.articles = 0
        cache = NerCache(ner_cache)
        batch: list = []

        def flush() -> None:
            texts = [article_text(a) for a in batch]
            found = cache.get_many([text_key(t) for t in texts])
            for text in texts:
                spans = found.get(text_key(text))
                if spans is None:
                    continue
                self.articles += 1
                for key, row in archive_types.sightings(text, spans).items():
                    total = self.rows.setdefault(key, [0] * 5)
                    for i, n in enumerate(row):
                        total[i] += n
            batch.clear()

        for article in read_paths([corpus], [].append):
            if article.id not in exclude:
                batch.append(article)
            if len(batch) >= 500:
                flush()
        flush()
        cache.close()

    def name_type(self, key: str):
        row = self.rows.get(key)
        return tuple(row) if row else None


def predictions(gold: Path, out: Path, archive: ArchiveCounts | None = None) -> None:
    problems: list = []
    articles = list(read_paths([gold], problems.append))
    with Extractor(archive=archive) as extractor:
        facets = extractor.extract(articles)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        for article, f in zip(articles, facets, strict=True):
            record = {"id": article.id, **f.to_dict()}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def countries_only(gold: Path) -> bool:
    """A gold file annotated for countries only (``persons`` null): ``score.py`` cannot read
    it, and scoring its persons as empty would count every predicted person wrong."""
    with open(gold, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    return any(rec["gold"].get("persons", []) is None for rec in records)


def score_countries(gold: Path, out: Path) -> tuple[int, int, int]:
    """Countries scored as ``score.py`` scores them (sets of codes per article, micro-averaged);
    prints its line and returns (tp, predicted, gold)."""
    preds = {}
    with open(out, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            preds[rec["id"]] = {c["code"] if isinstance(c, dict) else c for c in rec["countries"]}
    tp = npred = ngold = 0
    with open(gold, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            want, got = set(rec["gold"]["countries"]), preds.get(rec["id"], set())
            tp, npred, ngold = tp + len(want & got), npred + len(got), ngold + len(want)
    p = tp / npred if npred else 1.0
    r = tp / ngold if ngold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(f"documents: {len(preds)} (countries only)")
    print(
        f"{'countries':16s} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  "
        f"(tp {tp}, predicted {npred}, gold {ngold})"
    )
    return tp, npred, ngold


def _score_module():
    """``../shared/gold/score.py``, whose matching (folded names, one gold name per hit) the
    intervals reuse so that their point is the table's."""
    spec = importlib.util.spec_from_file_location("gold_score", SHARED / "gold" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def article_counts(gold: Path, out: Path) -> list[tuple[int, int, int, int, int, int]]:
    """Per article of ``gold``: persons (tp, predicted, gold) then countries (tp, predicted,
    gold), as ``score.py`` counts them; a countries-only file's persons count (0, 0, 0)."""
    score = _score_module()
    preds = score.load(out)
    rows = []
    for doc_id, want in score.load(gold).items():
        got = preds.get(doc_id, {})
        people = (0, 0, 0)
        if want.get("persons") is not None:
            gp = list(dict.fromkeys(want["persons"]))
            pp = list(
                dict.fromkeys(
                    x["name"] if isinstance(x, dict) else x for x in got.get("persons", [])
                )
            )
            people = (score.match_count(gp, pp, False), len(pp), len(gp))
        gc = {score.code(c) for c in want.get("countries", [])}
        pc = {score.code(c) for c in got.get("countries", [])}
        rows.append((*people, len(gc & pc), len(pc), len(gc)))
    return rows


def bootstrap(
    rows: list[tuple[int, ...]], draws: int = 2000, seed: int = 0
) -> dict[str, tuple[float, float, float]]:
    """Micro-averaged precision and recall of persons and countries, each with the 2.5 and
    97.5 percentiles over ``draws`` resamples of the articles (with replacement)."""
    names = ("persons P", "persons R", "countries P", "countries R")

    def ratios(sample: list[tuple[int, ...]]) -> tuple[float, ...]:
        t = [sum(col) for col in zip(*sample, strict=True)] if sample else [0] * 6
        return tuple(
            a / b if b else 1.0 for a, b in ((t[0], t[1]), (t[0], t[2]), (t[3], t[4]), (t[3], t[5]))
        )

    rng = random.Random(seed)
    points = ratios(rows)
    drawn = [ratios(rng.choices(rows, k=len(rows))) for _ in range(draws)]
    out = {}
    for i, name in enumerate(names):
        values = sorted(d[i] for d in drawn)
        low = values[int(0.025 * (draws - 1))]
        high = values[int(0.975 * (draws - 1))]
        out[name] = (points[i], low, high)
    return out


def print_intervals(label: str, rows: list[tuple[int, ...]]) -> None:
    parts = [
        f"{name} {point:.3f} [{low:.3f}, {high:.3f}]"
        for name, (point, low, high) in bootstrap(rows).items()
    ]
    print(f"95% interval, {label} ({len(rows)} articles): " + "; ".join(parts))


def clean_orangesum(corpus: Path, n: int) -> list:
    problems: list = []
    articles = []
    for article in read_paths(sorted(corpus.glob("articles-part-*.jsonl")), problems.append):
        articles.append(article)
        if len(articles) >= n:
            break
    return articles


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the NER workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def throughput(articles: list, workers: int) -> tuple[float, float]:
    """Articles per second of wall time, and CPU milliseconds per article (all processes):
    the second does not depend on what else the machine is running."""
    load_model()  # loading is a one-off per process, not part of the rate
    started, cpu = time.perf_counter(), _cpu_seconds()
    with Extractor(workers=workers) as extractor:
        extractor.extract(articles)
    wall = time.perf_counter() - started
    return len(articles) / wall, 1000 * (_cpu_seconds() - cpu) / len(articles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--gold",
        type=Path,
        action="append",
        help="gold file (repeatable); default: the dev gold and bench/gold/entities-tuning.jsonl",
    )
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "orangesum")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument(
        "--interval",
        action="store_true",
        help="print a 95%% bootstrap interval over the articles for each file and pooled",
    )
    parser.add_argument(
        "--archive-cache",
        type=Path,
        help="NER cache (INDEX/cache/ner.sqlite) of an index of --corpus: vote with its counts",
    )
    args = parser.parse_args()

    golds = args.gold or [
        SHARED / "gold" / "entities-dev.jsonl",
        ROOT / "bench" / "gold" / "entities-tuning.jsonl",
    ]
    scorer = SHARED / "gold" / "score.py"
    archive = None
    if args.archive_cache:
        gold_ids = {json.loads(line)["id"] for g in golds for line in open(g, encoding="utf-8")}
        archive = ArchiveCounts(args.corpus, args.archive_cache, gold_ids)
        print(f"archive: name counts of {archive.articles} articles of {args.corpus}")
    pooled: list = []
    for gold in golds:
        out = ROOT / "bench" / "out" / f"{gold.stem}.pred.jsonl"
        predictions(gold, out, archive)
        print(f"== {gold.name}")
        sys.stdout.flush()
        if countries_only(gold):
            score_countries(gold, out)
        else:
            subprocess.run([sys.executable, str(scorer), str(gold), str(out)], check=True)
        if args.interval:
            rows = article_counts(gold, out)
            pooled += rows
            print_intervals(gold.name, rows)
    if args.interval and len(golds) > 1:
        print_intervals("all files pooled", pooled)

    if args.skip_throughput:
        return
    articles = clean_orangesum(args.corpus, args.n)
    for workers in (1, 2):
        rate, cpu_ms = throughput(articles, workers)
        print(
            f"extraction, {workers} worker process{'es' if workers > 1 else ''}: "
            f"{rate:.1f} articles/s, {cpu_ms:.1f} CPU ms/article "
            f"({len(articles)} OrangeSum articles, no cache)"
        )


if __name__ == "__main__":
    main()
