"""Ranking quality of Loupe next to SQLite FTS5, tantivy and Lucene, in one run (issue 12).

    python bench/relevance.py [--quick] [--engines loupe,fts5,tantivy,lucene-fields,lucene-one]
                              [--sets piaf,orangesum,known,accent] [--seed 12] [--json FILE]
                              [--param NAME=VALUE ...] [--fresh]

Every engine indexes the same documents and answers the same queries; each set is split
(fixed seed) into a **tuning** half and a **held-out** half, both reported. Sets:

* ``piaf``: 2,839 questions people wrote on 761 French Wikipedia paragraphs
  (``../shared/relevance``); the relevant document is the paragraph the question was
  written on.
* ``orangesum``: journalists' summaries as queries. A sample of clean OrangeSum articles
  (10,000; ``--quick`` 3,000) is indexed *without* its summary; each of 600 (``--quick``
  200) of them is the one relevant document for its own summary.
* ``title``, ``title_folded``, ``rare_words``: bench/compare.py's three known-item sets
  (its own ``build_query_sets``) over the first 10,000 (3,000) clean articles, summaries
  included.
* ``accent``: accent-exact precision. Pairs of words found in Loupe's own exact-view
  lexicon of that collection whose accented form and its unaccented spelling both occur
  (``marché``/``marche``); the accented form is the query, and the score is the share of
  the top 10 that holds that exact form.

Metrics over the top 10 with binary relevance (one relevant document per query): MRR@10,
recall@10, nDCG@10; then Loupe / best peer (MRR@10) per half. Peers:

* ``fts5``: bench/compare.py's SQLite database (unicode61, diacritics removed), the words
  joined by OR, ``bm25(title 2, summary 1, body 1)``;
* ``tantivy``: bench/compare.py's index (lowercase, ASCII folding, French Snowball), words
  joined by OR, title boosted 2;
* ``lucene-fields`` / ``lucene-one``: Lucene's ``FrenchAnalyzer`` (elision, stop words,
  light French stemmer) and its default BM25, title and summary+body as two fields (title
  boosted 2, every word OR'ed in both), or everything as one field. The jar is Anserini's
  fat jar from the ``pyserini`` sdist (``--lucene-jar``), driven through ``pyjnius`` with a
  JDK 21+ (``--java-home``); without them these rows say why and the others still run.

Loupe's indexes and the peers' rankings are kept under bench/.work/relevance and reused
while the documents and queries are unchanged (``--fresh`` rebuilds); Loupe's ranking is
always recomputed. ``--param fastsearch.NAME=VALUE`` (or ``query.NAME=VALUE``) overrides a
ranking constant for this run, the way the weights were tuned on the tuning halves.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import compare  # noqa: E402  (bench/compare.py: corpus, query sets and peers, reused)

ROOT = compare.ROOT
SHARED = ROOT.parent / "shared"
PIAF = SHARED / "relevance"
WORK = ROOT / "bench" / ".work" / "relevance"
JAR = ROOT / "bench" / ".work" / "anserini-1.7.1-fatjar.jar"
JAVA_HOME = "/usr/lib/jvm/temurin-25-jdk-amd64"
PEERS = ("fts5", "tantivy", "lucene-fields", "lucene-one")
ENGINES = ("loupe",) + PEERS
SETS = ("piaf", "orangesum", "title", "title_folded", "rare_words", "accent")
NATURAL = ("piaf", "orangesum")
TOKEN = re.compile(r"\w+")


# -- documents and queries ---------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def halves(items: list, seed: int) -> tuple[list, list]:
    """(tuning, held-out): a fixed shuffle cut in two."""
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    cut = len(order) // 2
    return [items[i] for i in sorted(order[:cut])], [items[i] for i in sorted(order[cut:])]


def collections(quick: bool, seed: int) -> dict[str, dict]:
    """{collection: {"docs": [...], "sets": {set: [[query, relevant id], ...]}}}."""
    out: dict[str, dict] = {}
    questions = read_jsonl(PIAF / "piaf-questions.jsonl")
    if quick:
        questions = random.Random(seed).sample(questions, 800)
    out["piaf"] = {
        "docs": read_jsonl(PIAF / "piaf-corpus.jsonl"),
        "sets": {"piaf": [[q["query"], q["relevant"]] for q in questions]},
    }
    n_docs, n_queries = (3000, 200) if quick else (10_000, 600)
    records = compare.clean_records(None)
    rng = random.Random(seed)
    sample = rng.sample(records, n_docs)
    asked = rng.sample([r for r in sample if (r.get("summary") or "").strip()], n_queries)
    out["orangesum"] = {
        "docs": [{k: v for k, v in r.items() if k != "summary"} for r in sample],
        "sets": {"orangesum": [[" ".join(r["summary"].split()), r["id"]] for r in asked]},
    }
    first = records[:n_docs]
    known = compare.build_query_sets(first, 150 if quick else 400)
    out["known"] = {"docs": first, "sets": dict(known)}
    return out


def write_corpus(docs: list[dict], folder: Path) -> tuple[Path, str]:
    """The documents as one JSON Lines file, and a stamp of its content."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "articles.jsonl"
    text = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)
    stamp = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path, stamp


def accent_pairs(index_dir: Path, docs: list[dict], count: int) -> list[list[str]]:
    """Accented words of the exact view whose unaccented spelling is also a word there,
    both in at least 5 documents: [[accented word, unaccented word], ...], commonest
    pairs first (read from Loupe's own lexicon, so every engine gets the same list)."""
    from whoosh import index as windex

    from search.analysis import STOP_WORDS, fold
    from search.index import storage

    ix = windex.open_dir(str(storage.current_generation(index_dir)))
    with ix.searcher() as s:
        r = s.reader()
        df: dict[str, int] = {}
        for fieldname in ("title_exact", "summary_exact", "body_exact"):
            if fieldname not in ix.schema:
                continue
            for btext, info in r.iter_field(fieldname):
                word = btext.decode("utf-8") if isinstance(btext, bytes) else btext
                df[word] = max(df.get(word, 0), info.doc_frequency())
    pairs = []
    for word, n in df.items():
        plain = fold(word)
        if plain == word or not word.isalpha() or len(word) < 4 or word in STOP_WORDS:
            continue
        if df.get(plain, 0) >= 5 and n >= 5:
            pairs.append((min(n, df[plain]), word, plain))
    pairs.sort(key=lambda p: (-p[0], p[1]))
    return [[w, p] for _n, w, p in pairs[:count]]


# -- engines: each returns search(query) -> ranked ids (top 10) --------------------------


def loupe_index(corpus: Path, folder: Path, stamp: str) -> Path:
    from search.index.indexer import MANIFEST_VERSION, reindex

    index = folder / "loupe-index"
    stamp_file = folder / "loupe-index.stamp"
    want = f"{stamp} {MANIFEST_VERSION}"
    if not (stamp_file.exists() and stamp_file.read_text() == want and index.exists()):
        shutil.rmtree(index, ignore_errors=True)
        reindex([corpus], index, full=True, entities=False)
        stamp_file.write_text(want)
    return index


def make_loupe(corpus: Path, folder: Path, stamp: str) -> Callable[[str], list[str]]:
    os.environ["LOUPE_CACHE"] = "0"
    # Ranking quality, not speed: on a loaded machine the 5 s limit of one search ended a
    # long summary's query and with it the whole set (LOUPE_TIME_LIMIT still overrides).
    os.environ.setdefault("LOUPE_TIME_LIMIT", "60")
    from search.find.searcher import SearchEngine, SearchRequest

    engine = SearchEngine(loupe_index(corpus, folder, stamp))

    def search(q: str) -> list[str]:
        try:
            response = engine.search(SearchRequest(q=q), facets=False)
        except ValueError as exc:  # QueryError / RequestError: a refused query
            REFUSED.append((q, str(exc)))
            return []
        return [r["id"] for r in response.results]

    return search


REFUSED: list[tuple[str, str]] = []


def make_fts5(corpus: Path, folder: Path, stamp: str) -> Callable[[str], list[str]]:
    db = folder / "articles.db"
    compare.build_sqlite(corpus, db)
    conn = sqlite3.connect(db)
    sql = (
        "SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
        "WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, 2.0, 1.0, 1.0) LIMIT 10"
    )

    def search(q: str) -> list[str]:
        match = compare.fts_match(q, any_word=True)
        return [row[0] for row in conn.execute(sql, (match,))] if match else []

    return search


def make_tantivy(corpus: Path, folder: Path, stamp: str) -> Callable[[str], list[str]]:
    index, _schema, _n = compare.tantivy_index(corpus, folder / "tantivy", threads=1)
    index.reload()
    searcher = index.searcher()

    def search(q: str) -> list[str]:
        query = compare.tantivy_query(index, q, conjunction=False)
        if query is None:
            return []
        return [searcher.doc(a)["id"][0] for _s, a in searcher.search(query, 10).hits]

    return search


_JVM: dict = {}


def _java(jar: Path, java_home: str):
    """pyjnius' autoclass on a JVM with Anserini's fat jar (started once per process)."""
    if "autoclass" not in _JVM:
        if not jar.exists():
            raise RuntimeError(f"no Lucene jar at {jar} (see --lucene-jar)")
        os.environ.setdefault("JAVA_HOME", java_home)
        import jnius_config

        jnius_config.add_options("-Xmx1g")
        jnius_config.set_classpath(str(jar))
        from jnius import autoclass

        _JVM["autoclass"] = autoclass
    return _JVM["autoclass"]


def make_lucene(one_field: bool, jar: Path, java_home: str):
    def make(corpus: Path, folder: Path, stamp: str) -> Callable[[str], list[str]]:
        J = _java(jar, java_home)
        analyzer = J("org.apache.lucene.analysis.fr.FrenchAnalyzer")()
        directory = J("org.apache.lucene.store.ByteBuffersDirectory")()
        writer = J("org.apache.lucene.index.IndexWriter")(
            directory, J("org.apache.lucene.index.IndexWriterConfig")(analyzer)
        )
        Document = J("org.apache.lucene.document.Document")
        TextField = J("org.apache.lucene.document.TextField")
        StringField = J("org.apache.lucene.document.StringField")
        store = J("org.apache.lucene.document.Field$Store")
        yes, no = store.YES, store.NO
        for rec in read_jsonl(corpus):
            doc = Document()
            doc.add(StringField("id", rec["id"], yes))
            rest = ((rec.get("summary") or "") + "\n\n" + (rec.get("body") or "")).strip()
            if one_field:
                doc.add(TextField("text", rec["title"] + "\n\n" + rest, no))
            else:
                doc.add(TextField("title", rec["title"], no))
                doc.add(TextField("body", rest, no))
            writer.addDocument(doc)
        writer.close()
        reader = J("org.apache.lucene.index.DirectoryReader").open(directory)
        searcher = J("org.apache.lucene.search.IndexSearcher")(reader.getContext())
        stored = reader.storedFields()
        QueryParser = J("org.apache.lucene.queryparser.classic.QueryParser")
        if one_field:
            parser = QueryParser("text", analyzer)
        else:
            HashMap = J("java.util.HashMap")
            Float = J("java.lang.Float")
            boosts = HashMap()
            boosts.put("title", Float(2.0))
            boosts.put("body", Float(1.0))
            parser = J("org.apache.lucene.queryparser.classic.MultiFieldQueryParser")(
                ["title", "body"], analyzer, boosts
            )
        parser.setDefaultOperator(J("org.apache.lucene.queryparser.classic.QueryParser$Operator").OR)

        def search(q: str) -> list[str]:
            text = " ".join(compare.words(q))
            if not text:
                return []
            query = parser.parse(QueryParser.escape(text))
            hits = searcher.search(query, 10).scoreDocs
            return [stored.document(h.doc).get("id") for h in hits]

        return search

    return make


# -- scoring -----------------------------------------------------------------------------


def ranking_metrics(pairs: list[list], ranked: list[list[str]]) -> dict[str, float]:
    """Binary relevance; a query's relevant ids are one id or a list of them."""
    rr = found = gain = 0.0
    for (_q, target), ids in zip(pairs, ranked, strict=True):
        relevant = {target} if isinstance(target, str) else set(target)
        ids = ids[:10]
        ranks = [i + 1 for i, d in enumerate(ids) if d in relevant]
        if ranks:
            rr += 1 / ranks[0]
        found += len(ranks) / len(relevant)
        ideal = sum(1 / math.log2(r + 1) for r in range(1, min(10, len(relevant)) + 1))
        gain += sum(1 / math.log2(r + 1) for r in ranks) / ideal
    n = max(1, len(pairs))
    return {"mrr": rr / n, "recall": found / n, "ndcg": gain / n, "n": len(pairs)}


def accent_metrics(
    pairs: list[list[str]], ranked: list[list[str]], texts: dict[str, set[str]]
) -> dict[str, float]:
    """Mean share of the top 10 (of what was returned) holding the accented form."""
    shares = []
    for (word, _plain), ids in zip(pairs, ranked, strict=True):
        ids = ids[:10]
        shares.append(sum(word in texts.get(i, ()) for i in ids) / len(ids) if ids else 0.0)
    return {"precision": sum(shares) / max(1, len(shares)), "n": len(pairs)}


def set_param(spec: str) -> None:
    """``query.EXACT_BOOST=0.25`` or ``query.RECALL_WEIGHTS.title=1.5``: a ranking constant
    of ``search.<module>`` set for this process (how the weights were tuned)."""
    import importlib

    name, _, value = spec.partition("=")
    module_name, attr, *key = name.split(".")
    for package in ("search.find", "search.index", "search"):  # the layers of the tree
        try:
            module = importlib.import_module(f"{package}.{module_name}")
            break
        except ModuleNotFoundError:
            continue
    else:
        raise SystemExit(f"--param {spec}: no module search.*.{module_name}")
    current = getattr(module, attr)
    if key:
        current[key[0]] = float(value)
    elif isinstance(current, bool):
        setattr(module, attr, value.lower() in ("1", "true", "yes"))
    else:
        setattr(module, attr, type(current)(value))


def run(args) -> dict:
    for spec in args.param or []:
        set_param(spec)
    lucene_reason = None
    makers: dict[str, Callable] = {
        "loupe": make_loupe,
        "fts5": make_fts5,
        "tantivy": make_tantivy,
        "lucene-fields": make_lucene(False, Path(args.lucene_jar), args.java_home),
        "lucene-one": make_lucene(True, Path(args.lucene_jar), args.java_home),
    }
    engines = [e for e in args.engines.split(",") if e]
    wanted = set(args.sets.split(","))
    results: dict = {"sets": {}, "errors": {}, "seed": args.seed, "quick": args.quick}
    work = WORK / ("quick" if args.quick else "full")
    for cname, coll in collections(args.quick, args.seed).items():
        names = [s for s in coll["sets"] if s in wanted]
        want_accent = cname == "known" and "accent" in wanted
        if not names and not want_accent:
            continue
        folder = work / cname
        if args.fresh:
            shutil.rmtree(folder, ignore_errors=True)
        corpus, stamp = write_corpus(coll["docs"], folder / "corpus")
        sets = {s: coll["sets"][s] for s in names}
        if want_accent:
            pairs = accent_pairs(loupe_index(corpus, folder, stamp), coll["docs"], 60)
            sets["accent"] = [[w, p] for w, p in pairs]
            texts = {
                d["id"]: set(TOKEN.findall(
                    " ".join(d.get(k) or "" for k in ("title", "summary", "body")).lower()
                ))
                for d in coll["docs"]
            }
        split = {s: halves(qs, args.seed) for s, qs in sets.items()}
        qhash = hashlib.sha1(json.dumps(split, ensure_ascii=False).encode()).hexdigest()[:12]
        for engine in engines:
            cache = folder / f"ranked-{engine}.json"
            ranked: dict | None = None
            if engine != "loupe" and cache.exists():
                saved = json.loads(cache.read_text(encoding="utf-8"))
                if saved.get("key") == f"{stamp} {qhash}":
                    ranked = saved["ranked"]
            t0 = time.perf_counter()
            if ranked is None:
                try:
                    search = makers[engine](corpus, folder, stamp)
                    ranked = {
                        s: [[search(q) for q, _ in half] for half in split[s]] for s in split
                    }
                except Exception as exc:  # one engine failing must not lose the others
                    results["errors"][engine] = f"{type(exc).__name__}: {exc}"
                    print(f"  {engine} on {cname}: {results['errors'][engine]}", file=sys.stderr)
                    if engine.startswith("lucene"):
                        lucene_reason = results["errors"][engine]
                    continue
                if engine != "loupe":
                    cache.write_text(
                        json.dumps({"key": f"{stamp} {qhash}", "ranked": ranked}),
                        encoding="utf-8",
                    )
            print(f"  {engine} on {cname}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            for s in split:
                row = results["sets"].setdefault(s, {}).setdefault(engine, {})
                for label, half, got in zip(("tune", "held"), split[s], ranked[s], strict=True):
                    if s == "accent":
                        row[label] = accent_metrics(half, got, texts)
                    else:
                        row[label] = ranking_metrics(half, got)
    results["refused"] = REFUSED[:20]
    results["refused_count"] = len(REFUSED)
    if lucene_reason:
        results["lucene"] = lucene_reason
    return results


def print_table(results: dict) -> None:
    size = "quick" if results["quick"] else "full"
    print(f"\nRelevance (top 10; seed {results['seed']}, {size})")
    header = f"{'set':<13} {'engine':<14}"
    for half in ("tune", "held"):
        header += f" | {half + ' MRR':>9} {'R@10':>6} {'nDCG':>6}"
    print(header)
    for s in SETS:
        rows = results["sets"].get(s)
        if not rows:
            continue
        for engine in ENGINES:
            if engine not in rows:
                continue
            line = f"{s:<13} {engine:<14}"
            for half in ("tune", "held"):
                m = rows[engine][half]
                if s == "accent":
                    line += f" | {m['precision']:>9.3f} {'':>6} {'':>6}"
                else:
                    line += f" | {m['mrr']:>9.3f} {m['recall']:>6.3f} {m['ndcg']:>6.3f}"
            print(line)
        peers = [e for e in PEERS if e in rows]
        if "loupe" in rows and peers:
            key = "precision" if s == "accent" else "mrr"
            line = f"{s:<13} {'loupe/best':<14}"
            for half in ("tune", "held"):
                best = max(rows[e][half][key] for e in peers)
                ratio = rows["loupe"][half][key] / best if best else float("nan")
                line += f" | {ratio:>9.3f} {'':>6} {'':>6}"
            print(line)
        n = rows[next(iter(rows))]
        print(f"{'':<13} {'(queries)':<14} | {n['tune']['n']:>9} {'':>13} | {n['held']['n']:>9}")
    if results.get("refused_count"):
        print(f"\nLoupe refused {results['refused_count']} queries, e.g. {results['refused'][:3]}")
    for engine, error in results.get("errors", {}).items():
        print(f"{engine}: {error}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sets, for tuning")
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--json", help="also write the numbers to this file")
    ap.add_argument("--param", action="append", help="fastsearch.NAME=VALUE (tuning)")
    ap.add_argument("--fresh", action="store_true", help="rebuild every index")
    ap.add_argument("--lucene-jar", default=str(JAR))
    ap.add_argument("--java-home", default=os.environ.get("JAVA_HOME") or JAVA_HOME)
    args = ap.parse_args()
    results = run(args)
    print_table(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
