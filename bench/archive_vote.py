"""The archive's tables compared: the extractor's output with one set of tables against another.

usage: python bench/archive_vote.py --ner-cache CACHE --tables NAME=DIR[@K=V,...] [--tables ...]
           FILE.jsonl ... [--ids IDS.txt] [--out DIR] [--context] [--totals-only]

Each ``--tables`` names a folder holding some of ``name_types.tsv``, ``lower_words.txt`` and
``particle_names.txt`` (``archive_types``; a file it lacks is the shipped one; ``shipped`` as
DIR: the package's own), and after ``@`` the vote's settings to use with them
(``full=DIR@MIN_SEEN=8,MAX_PERSON_SHARE=0.2``). Every FILE is extracted with each set of
tables, in a process of its own (the tables are read once per process), from the NER spans of
``--ner-cache`` (the model runs only on texts the cache lacks, and they are kept). Predictions
go to ``OUT/NAME/<file>.pred.jsonl`` (default ``bench/out/archive-vote``). Then:

- a FILE with a ``gold`` annotation is scored (``../shared/gold/score.py``'s counts: strict
  persons and countries, P / R, tp / pred / gold) under every set of tables, then its
  changed articles as below, unless ``--totals-only`` (a held-out file: totals, nothing listed);
- a FILE without one (unlabelled articles, ``--ids`` to keep some of them) prints, for every
  other set of tables against the first, the articles whose persons or countries change, and
  what is added and removed; ``--context`` prints each changed name's first mention in its
  sentence, to read whether the change is right.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.ingest.entities import (  # noqa: E402
    NerCache,
    analyse,
    archive_types,
    article_text,
    text_key,
)
from search.ingest.readers import read_paths  # noqa: E402

SHARED = ROOT.parent / "shared"
FILES = {
    "name_types.tsv": "TABLE",
    "lower_words.txt": "LOWER_WORDS",
    "particle_names.txt": "PARTICLE_NAMES",
}


def use_tables(folder: Path) -> None:
    """Point ``archive_types`` at ``folder``'s tables (before any is read in this process)."""
    for name, attr in FILES.items():
        if (folder / name).exists():
            setattr(archive_types, attr, folder / name)
    archive_types.table.cache_clear()
    archive_types.lower_words.cache_clear()
    archive_types.particle_names.cache_clear()


def extract_file(path: Path, out: Path, cache: NerCache, ids: set[str] | None) -> None:
    articles = [a for a in read_paths([path], [].append) if ids is None or a.id in ids]
    texts = [article_text(a) for a in articles]
    keys = [text_key(t) for t in texts]
    found = archive_types.cached_spans(texts, keys, cache)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        for article, text, key in zip(articles, texts, keys, strict=True):
            facets = analyse(article, text, found[key])
            fh.write(json.dumps({"id": article.id, **facets.to_dict()}, ensure_ascii=False) + "\n")


def _scorer():
    spec = importlib.util.spec_from_file_location("score", SHARED / "gold" / "score.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _load(path: Path, ids: set[str] | None = None) -> dict[str, dict]:
    out = {}
    with open(path, encoding="utf-8") as fh:  # one record a line ("\u2028" is no line end)
        for line in fh:
            if line.strip():
                record = json.loads(line)
                if ids is None or record["id"] in ids:
                    out[record["id"]] = record
    return out


def score(gold: dict[str, dict], pred: dict[str, dict]) -> dict[str, tuple[int, int, int]]:
    """(tp, predicted, gold) for strict persons and countries, as ``score.py`` counts them."""
    sc = _scorer()
    totals = {"persons": [0, 0, 0], "countries": [0, 0, 0]}
    for aid, record in gold.items():
        g = record["gold"]
        p = pred.get(aid, {})
        gc = {sc.code(c) for c in g.get("countries", [])}
        pc = {sc.code(c) for c in p.get("countries", [])}
        gp = list(dict.fromkeys(g.get("persons", [])))
        pp = list(dict.fromkeys(_names(p)))
        for key, (tp, npred, ngold) in (
            ("persons", (sc.match_count(gp, pp, False), len(pp), len(gp))),
            ("countries", (len(gc & pc), len(pc), len(gc))),
        ):
            totals[key][0] += tp
            totals[key][1] += npred
            totals[key][2] += ngold
    return {k: tuple(v) for k, v in totals.items()}  # type: ignore[misc]


def _names(pred: dict) -> list[str]:
    return [x["name"] for x in pred.get("persons", [])]


def _codes(pred: dict) -> set[str]:
    return {x["code"] for x in pred.get("countries", [])}


def _mention(text: str, name: str) -> str:
    """The sentence of ``name``'s first mention, shortened around it."""
    i = text.find(name)
    if i < 0:
        i = text.find(name.split()[-1])
    if i < 0:
        return ""
    start = max(0, i - 90)
    end = min(len(text), i + len(name) + 70)
    return re.sub(r"\s+", " ", text[start:end])


def diff(path: Path, base: dict[str, dict], other: dict[str, dict], context: bool) -> None:
    texts = {}
    if context:
        texts = {a.id: article_text(a) for a in read_paths([path], [].append) if a.id in other}
    changed = removed_n = added_n = ctry = 0
    for aid in other:
        a, b = set(_names(base[aid])), set(_names(other[aid]))
        ca, cb = _codes(base[aid]), _codes(other[aid])
        if a == b and ca == cb:
            continue
        changed += 1
        removed_n += len(a - b)
        added_n += len(b - a)
        ctry += len(ca ^ cb)
        line = f"  {aid}: -{sorted(a - b)} +{sorted(b - a)}"
        if ca != cb:
            line += f" countries -{sorted(ca - cb)} +{sorted(cb - ca)}"
        print(line)
        if context:
            for name in sorted(a ^ b):
                print(f"      {name}: …{_mention(texts[aid], name)}…")
    print(
        f"  {changed} of {len(other)} articles changed: {removed_n} persons removed, "
        f"{added_n} added, {ctry} countries changed"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--tables", action="append", default=[], help="NAME=DIR")
    parser.add_argument("--ner-cache", type=Path, required=True)
    parser.add_argument("--ids", type=Path, help="only these article ids (one a line)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "archive-vote")
    parser.add_argument("--context", action="store_true")
    parser.add_argument(
        "--totals-only",
        action="store_true",
        help="for a gold file, the scores alone (no changed article listed): a held-out half",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    ids = set(args.ids.read_text(encoding="utf-8").split()) if args.ids else None

    if args.worker:  # one set of tables, in its own process
        name, folder = args.worker.split("=", 1)
        folder, _at, settings = folder.partition("@")
        if folder != "shipped":
            use_tables(Path(folder))
        for setting in filter(None, settings.split(",")):  # "MIN_SEEN=8,MAX_PERSON_SHARE=0.2"
            key, value = setting.split("=")
            setattr(archive_types, key, type(getattr(archive_types, key))(value))
        cache = NerCache(args.ner_cache)
        for path in args.files:
            extract_file(path, args.out / name / f"{path.stem}.pred.jsonl", cache, ids)
        cache.close()
        return

    names = []
    for spec in args.tables:
        name, _folder = spec.split("=", 1)
        names.append(name)
        command = [sys.executable, __file__, "--worker", spec, "--ner-cache", str(args.ner_cache)]
        command += ["--out", str(args.out)] + (["--ids", str(args.ids)] if args.ids else [])
        subprocess.run(command + [str(p) for p in args.files], check=True)

    for path in args.files:
        records = _load(path, ids)
        preds = {n: _load(args.out / n / f"{path.stem}.pred.jsonl") for n in names}
        print(f"== {path.name}")
        if records and all("gold" in r for r in records.values()):
            for n in names:
                cells = []
                for facet, (tp, npred, ngold) in score(records, preds[n]).items():
                    p = tp / npred if npred else 1.0
                    r = tp / ngold if ngold else 1.0
                    cells.append(f"{facet} {p:.3f} / {r:.3f} ({tp}/{npred}/{ngold})")
                print(f"  {n:12} " + "   ".join(cells))
            if args.totals_only:
                continue  # a held-out file: its articles and errors are not listed
        for n in names[1:]:
            print(f"  -- {names[0]} -> {n}")
            diff(path, preds[names[0]], preds[n], args.context)


if __name__ == "__main__":
    main()
