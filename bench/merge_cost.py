"""What merging segments costs beside writing them: CPU ms per document (issue 11).

A fresh build flushes a segment at its memory budget, then merges every ``FACTOR`` of a
tier into one (``merging.merge_fresh``). For the merge to be worth it, merging a document
must cost far less than analysing and writing it. This writes ``--segments`` segments of
``--docs`` synthetic articles each (``bench/synth.py``'s archive, the first articles of
it; or the OrangeSum samples when it is absent), timing the write (CPU of this process),
then merges them the way ``merge_fresh`` does (``merging._run_groups``: one forked process,
its CPU time counted) with each ``--path`` and prints one line each::

    python bench/merge_cost.py [--docs 5000] [--segments 4] [--path blocks,decode]

``blocks`` copies each term's posting blocks (only the first document number of a block
and the block's last one change), ``decode`` is the former path (every block decoded,
renumbered and encoded again). ``tests/test_merging.py`` checks both give the same postings.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from whoosh import index as whoosh_index  # noqa: E402

from search.index import fastwrite, merging  # noqa: E402
from search.index.indexer import document  # noqa: E402
from search.index.schema import build_schema  # noqa: E402
from search.ingest.readers import read_file  # noqa: E402

SYNTH = BENCH / "out" / "synth-1000000-20261130" / "archive"
SAMPLES = ROOT / "samples"


def _articles(n: int):
    """The first ``n`` articles of the synthetic archive (else of the samples)."""
    root = SYNTH if SYNTH.exists() else SAMPLES
    files = sorted(p for p in root.rglob("*.jsonl"))
    found = (a for path in files for a in read_file(path, root, lambda problem: None))
    return list(islice(found, n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=5000, help="articles a segment")
    parser.add_argument("--segments", type=int, default=4)
    parser.add_argument("--path", default="blocks,decode")
    opts = parser.parse_args()
    articles = _articles(opts.docs * opts.segments)
    folder = Path(tempfile.mkdtemp(prefix="loupe-merge-"))
    try:
        ix = whoosh_index.create_in(str(folder), build_schema())
        started = time.process_time()
        writer = fastwrite.FastSegmentWriter(ix)
        for i, article in enumerate(articles):
            if i and i % opts.docs == 0:
                writer._roll()
            writer.add_document(**document(article, f"h{i}"))
        writer.commit(merge=False)
        write_cpu = time.process_time() - started
        segments = whoosh_index.open_dir(str(folder))._segments()
        n = sum(s.doc_count_all() for s in segments)
        print(
            "| path | segments x docs | CPU ms a merged document | write CPU ms a document "
            "| merge / write |"
        )
        print("|---|---|---|---|---|")
        sizes = {}
        for path in opts.path.split(","):
            fastwrite.BLOCK_COPY = path == "blocks"
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            (merged,) = merging._run_groups(str(folder), [segments], 1)  # forked, as a build
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            sizes[path] = sum(
                (folder / name).stat().st_size for name in merged.list_files(ix.storage)
            )
            print(
                f"| {path} | {len(segments)} x {opts.docs:,} | {1000 * cpu / n:.3f} | "
                f"{1000 * write_cpu / n:.3f} | {cpu / write_cpu:.2f} |",
                flush=True,
            )
        fastwrite.BLOCK_COPY = True
        print("merged segment bytes:", sizes)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
