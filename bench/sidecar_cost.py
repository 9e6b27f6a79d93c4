"""What a segment's posting sidecar costs, written each way: CPU ms per article (issue 11).

Writes ``--segments`` segments of ``--docs`` synthetic articles (the first articles of
``bench/synth.py``'s archive, else the OrangeSum samples) with the fast writer, first
without its sidecars (``fastwrite.SIDECARS = False``), then with them (each flushed
segment's sidecar written from the writer's memory, ``sidecar_build``), timing both (CPU
of this process); then writes the first build's sidecars the former way
(``postings_mmap.write_sidecar``: Whoosh's blocks decoded, the stored texts split again).
Then merges each build's segments as ``merge_fresh`` does (one forked process, its CPU
counted): the second build's merge builds the merged sidecar from its sources' sidecars,
the first one's gets it the former way afterwards. One line each::

    python bench/sidecar_cost.py [--docs 5000] [--segments 4]

The sidecars are compared byte for byte too (``tests/test_sidecar_build.py`` does it on
the samples and OrangeSum).
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
from whoosh.filedb.filestore import FileStorage  # noqa: E402
from whoosh.reading import SegmentReader  # noqa: E402

from search.index import fastwrite, merging, postings_mmap  # noqa: E402
from search.index.indexer import document  # noqa: E402
from search.index.schema import build_schema  # noqa: E402
from search.ingest.readers import read_file  # noqa: E402

SAMPLES = ROOT / "samples"


def _articles(n: int) -> list:
    """The first ``n`` articles of a synthetic archive under bench/out (else the samples)."""
    found = sorted((BENCH / "out").glob("synth-*/archive"))
    root = found[0] if found else SAMPLES
    files = sorted(root.rglob("*.jsonl"))
    articles = (a for path in files for a in read_file(path, root, lambda problem: None))
    return list(islice(articles, n))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _build(folder: Path, articles: list, docs: int, sidecars: bool) -> float:
    """The segments written (``docs`` articles each); CPU seconds of the writing."""
    fastwrite.SIDECARS = sidecars
    ix = whoosh_index.create_in(str(folder), build_schema())
    started = time.process_time()
    writer = fastwrite.FastSegmentWriter(ix)
    for i, article in enumerate(articles):
        if i and i % docs == 0:
            writer._roll()
        writer.add_document(**document(article, f"h{i}"))
    writer.commit(merge=False)
    fastwrite.SIDECARS = True
    return time.process_time() - started


def _old_path(folder: Path, segments: list) -> float:
    """CPU seconds of ``write_sidecar`` for ``segments``."""
    storage = FileStorage(str(folder), supports_mmap=False)
    schema = storage.open_index().schema
    started = time.process_time()
    for segment in segments:
        leaf = SegmentReader(storage, schema, segment)
        postings_mmap.write_sidecar(folder, leaf)
        leaf.close()
    return time.process_time() - started


def _merge(folder: Path, segments: list) -> tuple[object, float]:
    before = _children_cpu()
    (merged,) = merging._run_groups(str(folder), [segments], 1)  # forked, as a build
    return merged, _children_cpu() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=5000, help="articles a segment")
    parser.add_argument("--segments", type=int, default=4)
    opts = parser.parse_args()
    articles = _articles(opts.docs * opts.segments)
    n = len(articles)
    root = Path(tempfile.mkdtemp(prefix="loupe-sidecars-"))
    try:
        old, new = root / "old", root / "new"
        for folder in (old, new, root / "warm"):
            folder.mkdir()
        _build(root / "warm", articles, opts.docs, sidecars=True)  # the analysers' caches
        write_plain = _build(old, articles, opts.docs, sidecars=False)
        write_with = _build(new, articles, opts.docs, sidecars=True)
        old_segments = whoosh_index.open_dir(str(old))._segments()
        new_segments = whoosh_index.open_dir(str(new))._segments()
        old_cpu = _old_path(old, old_segments)
        merged_old, merge_old = _merge(old, old_segments)
        after_old = _old_path(old, [merged_old])
        merged_new, merge_new = _merge(new, new_segments)
        same = all(
            (old / name).read_bytes() == (new / name).read_bytes()
            for name in (s.make_filename(postings_mmap.SUFFIX) for s in old_segments)
            if (new / name).exists()
        ) and len(list(new.glob("*.lpm"))) == len(new_segments) + 1
        merged_same = (
            (old / merged_old.make_filename(postings_mmap.SUFFIX)).read_bytes()
            == (new / merged_new.make_filename(postings_mmap.SUFFIX)).read_bytes()
        )
        ms = 1000 / n
        print(f"{len(old_segments)} segments x {opts.docs:,} articles; CPU ms an article")
        print("| step | former path (write_sidecar) | sidecars from the writers and merges |")
        print("|---|---|---|")
        print(f"| writing the segments | {write_plain * ms:.3f} | {write_with * ms:.3f} |")
        print(f"| their sidecars | {old_cpu * ms:.3f} | (in the line above) |")
        print(f"| writing + sidecars | {(write_plain + old_cpu) * ms:.3f} | "
              f"{write_with * ms:.3f} |")
        print(f"| merging them (forked) | {merge_old * ms:.3f} | {merge_new * ms:.3f} |")
        print(f"| the merged sidecar | {after_old * ms:.3f} | (in the line above) |")
        print(f"| merge + sidecar | {(merge_old + after_old) * ms:.3f} | {merge_new * ms:.3f} |")
        print(f"sidecars byte for byte the same: flushed {same}, merged {merged_same}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
