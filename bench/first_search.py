"""The first searches after a server process starts, with and without ``SearchEngine.warm``.

Each mode runs in a fresh process (nothing cached), opens the index as ``loupe serve`` does
(before: only the generation; now: ``warm(threads=1)``), then times five searches in one
worker thread, as a waitress thread would run them, the response cache off:

    .venv/bin/python bench/first_search.py INDEX_DIR
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

QUERIES = ["gouvernement", "élections municipales", "pays:FR santé", "retraites", "gouvernement"]


def run(index_dir: str, mode: str) -> str:
    from search.find.searcher import SearchEngine, SearchRequest

    engine = SearchEngine(index_dir, cache_size=0)
    started = time.perf_counter()
    if mode == "warm":
        engine.warm(threads=1)
    else:
        engine.generation  # noqa: B018 - what `loupe serve` did before: open the generation
    opened = (time.perf_counter() - started) * 1000
    times: list[float] = []

    def worker() -> None:
        for q in QUERIES:
            t = time.perf_counter()
            engine.search(SearchRequest(q=q))
            times.append((time.perf_counter() - t) * 1000)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    cells = " | ".join(f"{ms:.0f}" for ms in times)
    return f"| {mode} | {opened:.0f} | {cells} |"


def main() -> None:
    if len(sys.argv) == 3:
        print(run(sys.argv[1], sys.argv[2]))
        return
    index_dir = sys.argv[1]
    print("| start | before accepting (ms) | " + " | ".join(QUERIES) + " |")
    print("|---" * (len(QUERIES) + 2) + "|")
    for mode in ("cold", "warm", "cold", "warm"):
        out = subprocess.run(
            [sys.executable, __file__, index_dir, mode], capture_output=True, text=True, check=True
        )
        print(out.stdout.strip())


if __name__ == "__main__":
    main()
