"""Entity pages against the faceted search they are built on, on one index.

usage: python bench/entity_pages.py INDEX_DIR [--top 20] [--repeat 3]

For the TOP most frequent persons and countries of the index, times (no response cache)
``entitypage.person`` / ``entitypage.country`` beside the faceted search a user gets by
clicking the same person or country facet (``/?personne=…``), and prints the medians and
the worst cases side by side.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search import entitypage  # noqa: E402
from search.find.searcher import SearchEngine, SearchRequest  # noqa: E402


def timed(fn, repeat: int) -> float:
    best = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best.append((time.perf_counter() - started) * 1000)
    return statistics.median(best)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    engine = SearchEngine(args.index, cache_size=0)
    stats = engine.stats(top=args.top)
    rows = []
    for kind, values in (("person", stats["persons"]), ("country", stats["countries"])):
        for v in values:
            value = v["value"]
            if kind == "person":
                page = timed(lambda value=value: entitypage.person(engine, value), args.repeat)
                req = SearchRequest(persons=[value])
            else:
                page = timed(lambda value=value: entitypage.country(engine, value), args.repeat)
                req = SearchRequest(countries=[value])
            search = timed(lambda req=req: engine.search(req), args.repeat)
            rows.append((kind, value, v["count"], page, search))
    print(f"index: {args.index} ({stats['articles']} articles), median of {args.repeat} runs")
    print(f"{'entity':32s} {'articles':>8s} {'page ms':>8s} {'search ms':>9s} {'ratio':>6s}")
    for kind, value, count, page, search in rows:
        ratio = page / search
        print(f"{kind[0]} {value[:30]:30s} {count:8d} {page:8.1f} {search:9.1f} {ratio:6.2f}")
    pages = [r[3] for r in rows]
    searches = [r[4] for r in rows]
    print(
        f"median: page {statistics.median(pages):.1f} ms, faceted search "
        f"{statistics.median(searches):.1f} ms; worst: page {max(pages):.1f} ms, "
        f"search {max(searches):.1f} ms"
    )


if __name__ == "__main__":
    main()
