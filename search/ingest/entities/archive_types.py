"""How the archive types a name: an archive-level vote on what the NER says in one article.

The model labels a name from the few words around it, so ``Paris Match`` or ``Roland
Garros`` is a person in one article and a publisher or a tournament in the next. Over an
archive of tens of thousands of articles the same string is seen many times: when the model
(and the context: a title or a role before the name) mostly says it is not a person, it is
not one in a given article either, unless that article's own context says person (a title, a
role, an enumeration of people).

``count`` tallies, for every name string in some articles, how often the model labelled it
PER, ORG, LOC or MISC and how often a title or a role came just before it; ``write`` keeps the
strings seen often enough as ``data/name_types.tsv`` (shipped with the package: nothing is
computed or downloaded at run time), and ``not_a_person`` answers for one name.

Two more tables come from the same articles' raw text (no model), with ``--lower-words``:
the words the archive writes in lower case (``lower_words``) and the surnames it writes with
a particle or an article (``particle_names``), evidence of a thing's name and of a particle
for ``persons`` (issue 16, session 13).

The shipped tables are counted on OrangeSum ``articles-part-00`` to ``-03`` and Wikinews,
every gold file and every article being annotated left out, so the vote never learns from an
annotated article (session 14; counting the whole archive was measured and made the vote
worse, ``docs/facets.md``). From a checkout beside ``../shared``::

    C=../shared/corpus
    EX="--exclude ../shared/gold/entities-dev.jsonl"
    for f in bench/gold/entities-*.jsonl bench/gold/countries-*.jsonl; do
        EX="$EX --exclude $f"; done
    python -m search.ingest.entities.archive_types $C/orangesum/articles-part-0[0-3].jsonl \
        $C/wikinews/wikinews_fr_keyphrase.jsonl $EX --exclude-ids IDS.txt \
        --ner-cache bench/.work/ner.sqlite        # data/name_types.tsv
    python -m search.ingest.entities.archive_types ...the same... \
        --lower-words search/ingest/entities/data/lower_words.txt   # and particle_names.txt
    python -m search.ingest.entities.archive_types ...the same... \
        --given-names search/ingest/entities/data/archive_given_names.tsv

(``IDS.txt``: the ids of articles drawn for annotation, one a line: in session 16, the 254
of rounds 9 to 13: round 13 and the persons of round 11's 44 Wikinews articles were being
annotated blind. The countries rounds are gold files too: before session 16 the glob missed
them and the tables counted round 11's Wikinews articles.) The model's spans are kept in the
``--ner-cache`` file, so a recount of other articles or thresholds costs no model run.

``--given-names`` writes, from the same spans, the words that begin the names of several
people the model calls persons and that no shipped lexicon holds (``ARCHIVE_GIVEN_NAMES``:
``Roch``, ``Nikos``, ``Imad``), evidence of a person for ``persons`` as the world's given
names are (issue 16, session 17).

The tables shipped since session 17 were recounted at each of its merges with no ``IDS.txt``:
rounds 14, 15 and 16, annotated blind that session, are gold files, which the glob leaves out.
The tables of sessions 14 to 16 had counted those rounds' articles before they were drawn
(nothing then said to leave them out); the first recount removed 30 names of
``name_types.tsv`` and one particle name (``le corre``, from a round 14 article), the second
(round 16 left out too) 21 more names and one more particle name. Session 18's recount
(rounds 17 and 18, drawn and annotated that session, left out as gold files) removed 32 more
names and changed the counts of 360, and its last (round 19 left out too) 11 more names, 10
lower-case words and one particle name. Session 19's (round 20, drawn and annotated that session,
left out as a gold file) removed 4 names and 8 lower-case words and changed the counts of 166
names, and its second (round 21 left out too) 16 more names and 12 lower-case words, 192 counts
changed; no gold file scores otherwise. Session 20's (round 22, drawn and annotated that session,
left out as a gold file) removed 12 names and 7 lower-case words (and added one) and changed the
counts of 198 names; no gold file scores otherwise. Its second recount (round 23 left out too;
orangesum-36308, taken out of round 22, counted again) removed 25 more names and 19 lower-case
words and changed the counts of 352 names and 3 given names; no tuning file scores otherwise.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from search.ingest.entities.countries import DATA, fold_chars, word_list

if TYPE_CHECKING:
    from search.ingest.entities.cache import NerCache

LABELS = ("PER", "ORG", "LOC", "MISC")
TABLE = DATA / "name_types.tsv"
# Below this many sightings in the archive, a name has no vote.
MIN_SEEN = 4
# A name is "not a person" for the archive when at most this share of its sightings are PER
# or titled.
MAX_PERSON_SHARE = 0.25

_LEADING = re.compile(
    r"^(?:(?:l|d|qu)['’]|(?:le|la|les|du|des|au|aux|de|un|une|en|a|et|par|pour|avec|sur)\s+)+"
)


def name_key(name: str) -> str:
    """Folded words of a name, leading articles and elisions dropped: ``du Figaro`` ->
    ``figaro``, ``Roland-Garros`` -> ``roland garros``."""
    folded = fold_chars(name).replace("’", "'")
    folded = _LEADING.sub("", folded)
    return " ".join(w for w in re.split(r"[\s\-'.]+", folded) if w)


# One name's sightings: (PER, ORG, LOC, MISC, titled).
Row = tuple[int, int, int, int, int]


def sightings(text: str, spans: Iterable[tuple[int, int, str]]) -> dict[str, Row]:
    """How the model labelled each name of one article, and how often after a title: what
    the article adds to its archive's table (``people.PersonTable``) and to ``count``."""
    from search.ingest.entities.persons import _title_before

    seen: dict[str, list[int]] = {}
    for s, e, label in spans:
        if label not in LABELS or "\n" in text[s:e] or not text[s:e][:1].isupper():
            continue
        key = name_key(text[s:e])
        if not key or len(key) > 80:
            continue
        row = seen.setdefault(key, [0, 0, 0, 0, 0])
        row[LABELS.index(label)] += 1
        if _title_before(text, s):
            row[4] += 1
    return {key: tuple(row) for key, row in seen.items()}  # type: ignore[misc]


def cached_spans(texts: list[str], keys: list[str], cache: NerCache) -> dict:
    """The model's spans of ``texts`` (their ``text_key`` in ``keys``) by key: from ``cache``,
    the model run only on the texts it lacks, which it then keeps."""
    from search.ingest.entities.persons import ner

    found = cache.get_many(keys)
    todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
    if todo:
        new = dict(zip(todo, ner(list(todo.values())), strict=True))
        cache.put_many(new.items())
        found.update(new)
    return found


def count(
    articles: Iterable, batch: int = 64, cache: NerCache | None = None
) -> dict[str, Counter[str]]:
    """Label counts per name key over ``articles`` (runs the NER model; with ``cache``, only
    on the texts it does not hold yet, which it then keeps: a whole archive's pass, ~20 CPU
    ms an article, is paid once for every recount)."""
    from search.ingest.entities import article_text, text_key
    from search.ingest.entities.persons import ner

    tally: dict[str, Counter[str]] = {}
    texts: list[str] = []

    def spans_of(texts: list[str]) -> list:
        if cache is None:
            return ner(texts)
        keys = [text_key(t) for t in texts]
        found = cached_spans(texts, keys, cache)
        return [found[k] for k in keys]

    def flush() -> None:
        for text, spans in zip(texts, spans_of(texts), strict=True):
            for key, row in sightings(text, spans).items():
                seen = tally.setdefault(key, Counter())
                seen.update(dict(zip((*LABELS, "TITLED"), row, strict=True)))
        texts.clear()

    for article in articles:
        texts.append(article_text(article))
        if len(texts) >= batch:
            flush()
    if texts:
        flush()
    return tally


def write(tally: dict[str, Counter[str]], path: Path = TABLE, min_seen: int = MIN_SEEN) -> int:
    """Keep the names seen ``min_seen`` times or more; returns how many were written."""
    rows = []
    for key, seen in tally.items():
        total = sum(seen[label] for label in LABELS)
        if total >= min_seen:
            rows.append((key, *(seen[label] for label in LABELS), seen["TITLED"]))
    rows.sort()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("# name\tPER\tORG\tLOC\tMISC\ttitled  (archive_types.py; see its docstring)\n")
        for row in rows:
            fh.write("\t".join(str(x) for x in row) + "\n")
    return len(rows)


@functools.lru_cache(maxsize=1)
def table() -> dict[str, tuple[int, int, int, int, int]]:
    """The shipped vote table: name key -> (PER, ORG, LOC, MISC, titled)."""
    out: dict[str, tuple[int, int, int, int, int]] = {}
    if not TABLE.exists():  # pragma: no cover - shipped with the package
        return out
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        key, *nums = line.split("\t")
        per, org, loc, misc, titled = (int(n) for n in nums)
        out[key] = (per, org, loc, misc, titled)
    return out


class Archive(Protocol):
    """An archive's own counts (``people.PersonTable.name_type``), added to the shipped ones."""

    def name_type(self, key: str) -> Row | None: ...


def counts(name: str, archive: Archive | None = None) -> Row | None:
    """The shipped table's row for ``name`` plus the archive's own, when it has one: the
    shipped counts are a prior that speaks for a small archive; a large one outvotes it."""
    key = name_key(name)
    row = table().get(key)
    own = archive.name_type(key) if archive is not None else None
    if own is None:
        return row
    if row is None:
        return own
    return tuple(a + b for a, b in zip(row, own, strict=True))  # type: ignore[return-value]


def person_share(name: str, archive: Archive | None = None) -> float | None:
    """Share of the archive's sightings of ``name`` that say person (PER or after a title);
    None when the archive has seen it fewer than ``MIN_SEEN`` times."""
    row = counts(name, archive)
    if row is None:
        return None
    per, org, loc, misc, titled = row
    total = per + org + loc + misc
    if total < MIN_SEEN:
        return None
    return min(1.0, max(per, titled) / total)


def not_a_person(name: str, archive: Archive | None = None) -> bool:
    """The archive mostly types ``name`` as an organisation, a place or a work, and (almost)
    never saw it after a title or a role: ``Theresa May``, which the model often calls a
    thing, is after ``la Première ministre`` often enough to stay a person."""
    share = person_share(name, archive)
    if share is None or share > MAX_PERSON_SHARE:
        return False
    per, org, loc, misc, titled = counts(name, archive)  # type: ignore[misc]
    return titled * TITLED_RATIO <= per + org + loc + misc


# One sighting after a title in this many is enough to keep a name a person.
TITLED_RATIO = 25

# Words the archive writes in lower case inside a sentence (issue 16, session 13): words the
# shipped corpus writes in lower case at least LOWER_MIN times and at least LOWER_RATIO times
# as often as with a capital after a lower-case word or a comma. ``Ambulance``,
# ``Autoroutes``, ``Reports`` or ``Restaurants`` inside a name make it a thing's; ``Poivre``
# (``Poivre d'Arvor``), ``Kraft`` or ``Lièvre``, which the model's lemma index knows but the
# archive writes as names or almost never, do not; ``Visite`` or ``Propos``, which the lemma
# index lacks, do.
LOWER_WORDS = DATA / "lower_words.txt"
LOWER_MIN = 10
LOWER_RATIO = 2
_IN_SENTENCE = re.compile(r"(?<=[a-zà-ÿ,] )([^\W\d_]+)")


def count_case(texts: Iterable[str]) -> tuple[Counter[str], Counter[str]]:
    """Folded words inside sentences, written in lower case and with a capital (a word in
    capitals only is neither: a title or an acronym)."""
    low: Counter[str] = Counter()
    cap: Counter[str] = Counter()
    for text in texts:
        for m in _IN_SENTENCE.finditer(text):
            word = m.group(1)
            if word[0].isupper():
                if not word.isupper() or len(word) == 1:
                    cap[fold_chars(word)] += 1
            else:
                low[fold_chars(word)] += 1
    return low, cap


def write_lower_words(low: Counter[str], cap: Counter[str], path: Path = LOWER_WORDS) -> int:
    """Keep the words the archive writes in lower case."""
    rows = sorted(
        w
        for w, n in low.items()
        if n >= LOWER_MIN
        and n >= LOWER_RATIO * cap[w]
    )
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("# Words the archive writes in lower case (archive_types.py, LOWER_WORDS)\n")
        fh.write("\n".join(rows) + "\n")
    return len(rows)


# Surnames with a particle (issue 16, session 13): words the shipped corpus writes after a
# given name or a civility title and "de" (``Charles de Gaulle``, ``M. de Villepin``), or
# with an article (``Marine Le Pen``, kept as ``le pen``), at least PARTICLE_MIN times and
# in at least PARTICLE_SHARE of the sightings of its (last) word with a capital inside a
# sentence (not ``Paris`` of ``Anne de Paris`` nor ``Trump``).
PARTICLE_NAMES = DATA / "particle_names.txt"
PARTICLE_MIN = 2
PARTICLE_SHARE = 0.05
_PARTICLE_NAME = re.compile(
    r"(?<![\w.])([A-ZÀ-Ý][\w-]*\.?)\s+(de|Le|La|Les)\s+([A-ZÀ-Ý][\w-]+)"
)
_CIVILITY = frozenset("m mme mgr mlle me dr".split())


def count_particles(texts: Iterable[str], given: frozenset[str]) -> Counter[str]:
    """Folded words written "de" after a given name of ``given`` or a civility title, and
    names written "Le X", "La X" there (as ``le x``)."""
    found: Counter[str] = Counter()
    for text in texts:
        for m in _PARTICLE_NAME.finditer(text):
            before = fold_chars(m.group(1)).rstrip(".")
            if before in given or before.split("-")[0] in given or before in _CIVILITY:
                # "de Gaulle" counts as "gaulle", "Le Pen" as "le pen"
                particle = "" if m.group(2) == "de" else fold_chars(m.group(2)) + " "
                found[particle + fold_chars(m.group(3))] += 1
    return found


def write_particle_names(
    particles: Counter[str], cap: Counter[str], path: Path = PARTICLE_NAMES
) -> int:
    rows = sorted(
        w
        for w, n in particles.items()
        if n >= PARTICLE_MIN and n >= PARTICLE_SHARE * max(cap[w.split()[-1]], 1)
    )
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("# Surnames written with a particle (archive_types.py, PARTICLE_NAMES)\n")
        fh.write("\n".join(rows) + "\n")
    return len(rows)


@functools.lru_cache(maxsize=1)
def particle_names() -> frozenset[str]:
    """The shipped list of ``write_particle_names`` (folded words)."""
    return word_list(PARTICLE_NAMES)


@functools.lru_cache(maxsize=1)
def lower_words() -> frozenset[str]:
    """The shipped list of ``write_lower_words`` (folded words)."""
    return word_list(LOWER_WORDS)


# Given names the archive knows (issue 16, session 17): the first word of names of two or
# more words the model calls a person, with GIVEN_SURNAMES different last words or more
# (``roch voisine``, ``roch olivier maistre``, ``roch marc christian kabore``), the names it
# heads typed PER in GIVEN_PER_SHARE of their sightings or more, and the word alone not
# mostly a thing (MIN_SEEN sightings, under half of them a person's). Not kept: words of
# either shipped lexicon, titles, particles and the persons module's word lists, words the
# archive writes in lower case, French words (the model's lemma index: ``Bleu`` of ``France
# Bleu Mayenne``), other languages' words (``foreign_words``, every language), places, and
# makes: a word one of whose names has a digit after it (``alpina b3``, ``pininfarina
# pf0``; the model types car makes and models PER as often as people). A last word counts
# when it is alphabetic and no other language's word, no organisation's word (``Bloomberg
# News``) and no regnal number (``Facel II``), and a French word only when the archive saw
# that name as a person more than once (``roch voisine`` 3 times; not ``cullinan
# personnel`` nor ``cullinan black badge``, a Rolls-Royce); last words one letter apart are
# one surname misspelled, one person (``fadi fawaz``, ``fadi fawad``, ``fadi rawaz``).
# Chinese and Korean surnames, written first, come in too (``zhang``, ``choi``): what the
# table says is that the word begins people's names.
ARCHIVE_GIVEN_NAMES = DATA / "archive_given_names.tsv"
GIVEN_SURNAMES = 3
GIVEN_PER_SHARE = 0.8
_REGNAL = re.compile(r"^(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3})$")


def given_name_rows(tally: dict[str, Counter[str]]) -> list[tuple[str, int, int, int]]:
    """(word, surnames, PER sightings, sightings) of the words that head the
    archive's person names and that no shipped lexicon knows (``ARCHIVE_GIVEN_NAMES``)."""
    from search.ingest.entities.countries import gazetteer
    from search.ingest.entities.foreign_words import foreign_words
    from search.ingest.entities.given_names import world_given_names
    from search.ingest.entities.persons import (
        BOILERPLATE,
        ORG_WORDS,
        PARTICLES,
        THING_CUES,
        TITLES,
        first_names,
        vocabulary,
    )

    listed = TITLES | PARTICLES | BOILERPLATE | ORG_WORDS | THING_CUES
    foreign = foreign_words(("en", "es", "de", "it", "pt", "nl"))
    known = first_names() | world_given_names()
    low, vocab, gaz = lower_words(), vocabulary(), gazetteer()
    heads: dict[str, list] = {}
    makes: set[str] = set()
    for key, seen in tally.items():
        words = key.split()
        if len(words) < 2:
            continue
        per, total = seen["PER"], sum(seen[label] for label in LABELS)
        row = heads.setdefault(words[0], [set(), 0, 0])
        row[1] += per
        row[2] += total
        if any(ch.isdigit() for w in words[1:] for ch in w):
            makes.add(words[0])  # "alpina b3", "pininfarina pf0": a make, then a model
        last = words[-1]
        if (
            2 * per > total
            and last != words[0]
            and last.isalpha()
            and not _REGNAL.match(last)
            and last not in foreign
            and last not in listed
            and (per > 1 or not (last in low or last in vocab))
        ):
            row[0].add(last)
    rows = []
    for head, (lasts, per, total) in heads.items():
        if per < GIVEN_PER_SHARE * total or head in makes:
            continue
        people = _spellings(lasts)
        if people < GIVEN_SURNAMES:
            continue
        if len(head) < 3 or not head.isalpha() or head in known or head in listed:
            continue
        if head in low or head in foreign or any(w in vocab for w in (head, head.rstrip("s"))):
            continue
        if any(t.kind != "none" for t in gaz.terms(head)):
            continue
        alone = tally.get(head)
        if alone is not None:
            seen_alone = sum(alone[label] for label in LABELS)
            if seen_alone >= MIN_SEEN and 2 * max(alone["PER"], alone["TITLED"]) < seen_alone:
                continue
        rows.append((head, people, per, total))
    return sorted(rows)


def _one_edit(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one letter changed, added or dropped."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _spellings(words: set[str]) -> int:
    """How many different words ``words`` holds, a word one letter from another counted
    with it: ``fawad``, ``fawaz`` and ``rawaz`` are one surname misspelled (one person),
    ``aliagas`` and ``alliagas`` too."""
    groups: list[list[str]] = []
    for word in sorted(words):
        near = [g for g in groups if any(_one_edit(word, w) for w in g)]
        merged = [word] + [w for g in near for w in g]
        groups = [g for g in groups if g not in near] + [merged]
    return len(groups)


def write_given_names(tally: dict[str, Counter[str]], path: Path = ARCHIVE_GIVEN_NAMES) -> int:
    rows = given_name_rows(tally)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(
            "# word\tsurnames\tPER\tsightings: given names the archive knows "
            "(archive_types.py, ARCHIVE_GIVEN_NAMES; see its docstring)\n"
        )
        for row in rows:
            fh.write("\t".join(str(x) for x in row) + "\n")
    return len(rows)


@functools.lru_cache(maxsize=1)
def archive_given_names() -> frozenset[str]:
    """The words of the shipped ``write_given_names`` table (folded)."""
    return frozenset(line.split("\t")[0] for line in word_list(ARCHIVE_GIVEN_NAMES))


def main(argv: list[str] | None = None) -> None:
    from search.ingest.readers import read_paths

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument(
        "--exclude",
        type=Path,
        action="append",
        default=[],
        help="JSONL whose article ids are left out (the gold files)",
    )
    parser.add_argument(
        "--exclude-ids",
        type=Path,
        action="append",
        default=[],
        help="text file of article ids (one a line) left out too: articles being annotated",
    )
    parser.add_argument(
        "--ner-cache",
        type=Path,
        help="NER cache (SQLite, as INDEX/cache/ner.sqlite): spans read from it, new ones kept",
    )
    parser.add_argument("--raw", type=Path, help="also write every count as JSON here")
    parser.add_argument("--min-seen", type=int, default=MIN_SEEN)
    parser.add_argument("--out", type=Path, default=TABLE)
    parser.add_argument(
        "--lower-words",
        type=Path,
        help="write the words the articles write in lower case here instead (LOWER_WORDS), "
        "and the surnames they write with a particle beside it (PARTICLE_NAMES)",
    )
    parser.add_argument(
        "--given-names",
        type=Path,
        help="write the given names the archive knows here instead (ARCHIVE_GIVEN_NAMES)",
    )
    parser.add_argument(
        "--merge",
        type=Path,
        action="append",
        default=[],
        help="raw counts (from --raw) to add instead of reading articles",
    )
    args = parser.parse_args(argv)
    excluded = set()
    for path in args.exclude:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                excluded.add(json.loads(line)["id"])
    for path in args.exclude_ids:
        excluded.update(w for w in path.read_text(encoding="utf-8").split() if w)
    problems: list = []
    articles = (a for a in read_paths(args.paths, problems.append) if a.id not in excluded)
    if args.lower_words:
        from search.ingest.entities import article_text
        from search.ingest.entities.given_names import world_given_names
        from search.ingest.entities.persons import first_names

        texts = [article_text(a) for a in articles]
        low, cap = count_case(texts)
        n = write_lower_words(low, cap, args.lower_words)
        print(f"{n} words written to {args.lower_words}", file=sys.stderr)
        particles = count_particles(texts, first_names() | world_given_names())
        out = args.lower_words.with_name(PARTICLE_NAMES.name)
        n = write_particle_names(particles, cap, out)
        print(f"{n} words written to {out}", file=sys.stderr)
        return
    cache = None
    if args.ner_cache:
        from search.ingest.entities.cache import NerCache

        cache = NerCache(args.ner_cache)
    tally = count(articles, cache=cache) if args.paths else {}
    for path in args.merge:
        for key, seen in json.loads(path.read_text(encoding="utf-8")).items():
            tally.setdefault(key, Counter()).update(seen)
    if args.raw:
        args.raw.write_text(json.dumps(tally, ensure_ascii=False), encoding="utf-8")
    if args.given_names:
        n = write_given_names(tally, args.given_names)
        print(f"{n} given names written to {args.given_names}", file=sys.stderr)
        return
    n = write(tally, args.out, min_seen=args.min_seen)
    print(f"{len(tally)} names seen, {n} written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
