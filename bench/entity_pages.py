"""Entity pages against the faceted search they are built on, on one index.

usage: python bench/entity_pages.py INDEX_DIR [--top 20] [--repeat 3] [--http]

For the TOP most frequent persons and countries of the index, times (no response cache)
``entitypage.person`` / ``entitypage.country`` beside the faceted search a user gets by
clicking the same person or country facet (``/?personne=…``), and prints the medians and
the worst cases side by side. With ``--http``, the same through the web app (Flask's test
client, in this process: routing, templates, JSON and compression included):
``/personne/<nom>``, ``/api/entities/person/<nom>`` and ``/pays/<code>`` against the
faceted search page ``/?personne=…`` / ``/?pays=…`` of the same server, and the p50 of each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.find import entitypage  # noqa: E402
from search.find.searcher import SearchEngine, SearchRequest  # noqa: E402


def timed(fn, repeat: int) -> float:
    best = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best.append((time.perf_counter() - started) * 1000)
    return statistics.median(best)


def http(index: Path, top: int, repeat: int) -> None:
    """The entity routes against the faceted-search page of the same app."""
    from urllib.parse import quote, urlencode

    from webui import create_app

    app = create_app({"INDEX_DIR": str(index)})
    engine = app.extensions["loupe"] = SearchEngine(index, cache_size=0)
    client = app.test_client()
    stats = engine.stats(top=top)

    def get(url: str) -> float:
        def fetch() -> None:
            response = client.get(url, headers={"Accept-Encoding": "gzip"})
            assert response.status_code == 200, (url, response.status_code)

        return timed(fetch, repeat)

    routes: dict[str, list[float]] = {}
    client.get("/?q=France")  # first-request costs (templates, maps) are not the pages'
    print(f"index: {index} ({stats['articles']} articles), median of {repeat} runs, ms")
    for v in stats["persons"]:
        name = v["value"]
        row = {
            "/personne/": get("/personne/" + quote(name)),
            "/api/entities/person/": get("/api/entities/person/" + quote(name)),
            "/?personne=": get("/?" + urlencode({"personne": name})),
        }
        times = " ".join(f"{k} {t:7.1f}" for k, t in row.items())
        print(f"p {name[:30]:30s} {v['count']:6d} {times}")
        for k, t in row.items():
            routes.setdefault(k, []).append(t)
    for v in stats["countries"]:
        code = v["value"]
        row = {"/pays/": get("/pays/" + code), "/?pays=": get("/?" + urlencode({"pays": code}))}
        times = " ".join(f"{k} {t:7.1f}" for k, t in row.items())
        print(f"c {code:30s} {v['count']:6d} {times}")
        for k, t in row.items():
            routes.setdefault(k, []).append(t)
    for k, times in routes.items():
        print(f"{k:24s} p50 {statistics.median(times):7.1f} ms, worst {max(times):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--http", action="store_true", help="time the web routes")
    args = parser.parse_args()
    if args.http:
        http(args.index, args.top, args.repeat)
        return
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
