"""Who is a person: a learned decision over the rules' candidates, an experiment (issue 16).

Ten rounds of hand rules fixed what each round of gold showed and barely moved the articles
they were not written from. This experiment lets the rules propose and a logistic regression
decide:

* the candidates are the people ``find_persons`` keeps (the rules' verdict) and, for recall,
  those of its ``liberal`` run (before the drops that need evidence: the archive's vote,
  ``_evidence``, single words with no cue; plus the multi-word names the model called a
  place or a thing) whose mentions no kept person covers;
* each candidate is described by ``FEATURES``: the rules' verdict, how the model labelled its
  mentions, the context around them (a title, a role, a verb of speech, an age), its shape
  (words, given names, French words, places, particles, capitals), the lists and the
  archive's type vote, its mentions in the article;
* ``bench/gold/person-model.json`` holds the weights (and the features' means and scales),
  trained on the tuning gold by ``bench/person_model.py --write`` (``make train-persons``).

A candidate is kept when its probability is at least the file's ``threshold``.

Not in the product: scored blind on round 8 (``bench/gold/README.md``), the model did worse
than the rules (persons F1 0.938 against 0.944), so the extractor's persons are the rules'
alone and this module lives in ``bench/`` (``docs/facets.md``, *A learned decision*). It
reads the product's rules (``search/ingest/entities/persons.py``) and is read by nothing there.
"""

from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path

from search.ingest.entities import archive_types
from search.ingest.entities.countries import Gazetteer, fold_chars, gazetteer
from search.ingest.entities.given_names import world_given_names
from search.ingest.entities.persons import (
    PARTICLES,
    ROLES,
    TITLES,
    Person,
    Span,
    _age_after,
    _common_word,
    _cued_before,
    _evidence,
    _given,
    _not_person,
    _proper_only,
    _role_after,
    _said_after,
    _said_before,
    _title_before,
    find_persons,
    first_names,
)

WEIGHTS = Path(__file__).resolve().parent / "gold" / "person-model.json"

FEATURES = [
    "rules_kept",  # find_persons keeps it
    "words_1",
    "words_2",
    "words_3plus",
    "log_mentions",
    "per_share",  # share of its mentions the model labelled PER
    "any_per",
    "any_loc",
    "any_org",
    "any_misc",
    "no_span",  # a mention no NER span covers (a pair the rules added)
    "title_before",  # a title or a role just before a mention ("M.", "le chanteur")
    "cued_before",  # a plural role or a kinship noun before a mention
    "said",  # a verb of speech before or after a mention
    "role_after",  # a role in apposition after a mention
    "age_after",  # "Naïma, 16 ans"
    "first_given_fr",  # first word a French given name
    "first_given_world",  # first word a given name of the world
    "last_given",  # last word a given name (a given name alone, or a name ending in one)
    "first_common",  # first word a French common word
    "any_common",  # some word a French common word
    "proper_only",  # two or more words, none French, a particle or a place
    "any_place",  # some word a place, a country or a demonym in the gazetteer
    "particle",  # a particle inside ("de", "Le", "van")
    "all_caps_word",  # a word in capitals ("DSK", "MACRON")
    "hyphen",
    "listed_not_person",  # in data/not_persons.txt
    "archive_seen",  # the archive has a vote on it
    "archive_share",  # the archive's share of person sightings (0 when unseen)
    "archive_not_person",  # the archive's vote says no person
    "in_title",  # mentioned in the article's first line (its title)
    "part_of_other",  # its words are inside another candidate's name
    "contains_other",  # another candidate's words are inside its name
    "short_word",  # a word of at most two letters (not a particle)
    # The rules that split the liberal run from the kept people, each as its own verdict:
    "vote_drops",  # the archive's vote drops it (``_archive_vote``)
    "no_evidence",  # ``_evidence`` finds nothing that says person
    "single_uncued",  # one word, no given name, no cue, no full name it joins
    "single_cued",  # one word with a title, a role, a verb of speech or an age beside it
    # How the archive types the name and its words (``archive_types``; 0 when unseen):
    "archive_org",  # share of the name's sightings labelled ORG
    "archive_loc",
    "archive_misc",
    "archive_titled",  # share of its sightings after a title or a role
    "word_min_share",  # the least person-like word of the name, by its own sightings
    "word_seen",  # some word of a longer name has its own sightings
    "last_share",  # the last word's own person share (a surname the archive knows)
]


@functools.lru_cache(maxsize=1)
def weights() -> dict:
    """The trained model of ``bench/gold/person-model.json``, checked against ``FEATURES``
    (a file trained on other features would weigh the wrong columns)."""
    model = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    if model.get("features") != FEATURES:
        raise ValueError(f"{WEIGHTS} was trained on other features: rerun make train-persons")
    return model


def _labels_at(spans: list[Span], s: int, e: int) -> set[str]:
    return {label for a, b, label in spans if a < e and s < b}


_WORD_SPLIT = re.compile(r"[\s\-'’]+")


def features(
    text: str,
    spans: list[Span],
    person: Person,
    rules_kept: bool,
    others: list[Person],
    gaz: Gazetteer,
    archive: archive_types.Archive | None = None,
) -> list[float]:
    """The values of ``FEATURES`` for one candidate of one article (``others``: the other
    candidates of the article)."""
    words = person.name.split()
    folded = [fold_chars(w) for w in words]
    n = len(words)
    mentions = person.spans or [(0, 0)]
    labels = [_labels_at(spans, s, e) for s, e in mentions]
    per = sum(1 for x in labels if "PER" in x)
    share = archive_types.person_share(person.name, archive)
    parts = [p for p in _WORD_SPLIT.split(fold_chars(person.name)) if p]
    other_parts = [
        {p for p in _WORD_SPLIT.split(fold_chars(o.name)) if p} for o in others if o is not person
    ]
    mine = set(parts)
    title_end = text.find("\n")
    title_end = len(text) if title_end < 0 else title_end
    worldly = world_given_names()
    titled = any(_title_before(text, s) or _cued_before(text, s) for s, _e in mentions)
    cued = titled or any(
        _said_before(text, s) or _said_after(text, e) or _role_after(text, e) or _age_after(text, e)
        for s, e in mentions
    )
    joins = n == 1 and any(folded[0] in o for o in other_parts)
    row = archive_types.counts(person.name, archive)
    total = sum(row[:4]) if row else 0
    shares = [x / total for x in row] if row and total else [0.0] * 5
    word_shares = [archive_types.person_share(w, archive) for w in words] if n > 1 else []
    known = [x for x in word_shares if x is not None]
    last = word_shares[-1] if word_shares else None
    return [
        float(rules_kept),
        float(n == 1),
        float(n == 2),
        float(n >= 3),
        math.log(1 + person.mentions),
        per / len(labels),
        float(per > 0),
        float(any("LOC" in x for x in labels)),
        float(any("ORG" in x for x in labels)),
        float(any("MISC" in x for x in labels)),
        float(any(not x for x in labels)),
        float(any(_title_before(text, s) for s, _e in mentions)),
        float(any(_cued_before(text, s) for s, _e in mentions)),
        float(any(_said_before(text, s) or _said_after(text, e) for s, e in mentions)),
        float(any(_role_after(text, e) for _s, e in mentions)),
        float(any(_age_after(text, e) for _s, e in mentions)),
        float(_given(folded[0])),
        float(folded[0] in worldly or folded[0].split("-")[0] in worldly),
        float(folded[-1] in first_names()),
        float(_common_word(words[0]) and not _given(folded[0])),
        float(any(_common_word(w) and not _given(f) for w, f in zip(words, folded, strict=True))),
        float(_proper_only(words)),
        float(any(t.kind != "none" for w in words for t in gaz.terms(w))),
        float(any(f in PARTICLES for f in folded[1:])),
        float(any(len(w) > 1 and w.isupper() for w in words)),
        float("-" in person.name),
        float(_not_person(folded)),
        float(share is not None),
        share or 0.0,
        float(archive_types.not_a_person(person.name, archive)),
        float(any(s < title_end for s, _e in mentions)),
        float(any(mine < o for o in other_parts)),
        float(any(o < mine for o in other_parts)),
        float(any(len(p) <= 2 and p not in PARTICLES and p not in TITLES | ROLES for p in parts)),
        float(
            archive_types.not_a_person(person.name, archive)
            and not titled
            and not (n == 1 and _given(folded[0]))
            and not _proper_only(words)
        ),
        float(not _evidence(text, person, set(), gaz, archive)),
        float(n == 1 and not (_given(folded[0]) or cued or joins)),
        float(n == 1 and cued),
        shares[1],
        shares[2],
        shares[3],
        min(1.0, shares[4]),
        min(known) if known else 0.0,
        float(bool(known)),
        last or 0.0,
    ]


_TOKEN = re.compile(r"[^\W\d_]+|\d+|[«»\"“”(),.:;!?]")


def context(text: str, person: Person) -> set[str]:
    """The words around the candidate's mentions, as tokens ``L1:word`` (just before),
    ``L2:word`` (the one before it) and ``R1:word`` (just after), folded: ``L1:chanteuse``,
    ``L2:la``, ``R1:a``; digits are ``#``. The model learns a weight for each one seen often
    enough in training (``vocab`` in the weights file)."""
    out: set[str] = set()
    for s, e in person.spans:
        left = _TOKEN.findall(text[max(0, s - 40) : s])
        right = _TOKEN.findall(text[e : e + 20])
        if left:
            out.add("L1:" + _token(left[-1]))
        if len(left) > 1:
            out.add("L2:" + _token(left[-2]))
        if right:
            out.add("R1:" + _token(right[0]))
    return out


def _token(word: str) -> str:
    return "#" if word.isdigit() else fold_chars(word)


def candidates(
    text: str,
    spans: list[Span],
    gaz: Gazetteer | None = None,
    archive: archive_types.Archive | None = None,
) -> list[tuple[Person, bool]]:
    """The people the rules keep (True) and the liberal run's others whose mentions no kept
    person covers (False), in order of first mention."""
    gaz = gaz or gazetteer()
    kept = find_persons(text, spans, gaz, archive)
    covered = [(s, e) for p in kept for s, e in p.spans]
    out = [(p, True) for p in kept]
    for p in find_persons(text, spans, gaz, archive, liberal=True):
        if any(a < e and s < b for s, e in p.spans for a, b in covered):
            continue
        if any(p.name == q.name for q, _k in out):
            continue
        out.append((p, False))
    out.sort(key=lambda pk: min((s for s, _e in pk[0].spans), default=0))
    return out


def probability(model: dict, values: list[float], words: set[str] = frozenset()) -> float:
    """The logistic model's probability that the candidate is a person."""
    z = model["bias"] + sum(model.get("vocab", {}).get(w, 0.0) for w in words)
    for v, mean, scale, w in zip(
        values, model["mean"], model["scale"], model["weights"], strict=True
    ):
        z += w * (v - mean) / scale
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def decide(
    text: str,
    spans: list[Span],
    model: dict | None = None,
    gaz: Gazetteer | None = None,
    archive: archive_types.Archive | None = None,
) -> list[Person]:
    """The people of one article as the model decides over every candidate (``model``: the
    weights file's when None), in order of first mention."""
    gaz = gaz or gazetteer()
    model = model or weights()
    found = candidates(text, spans, gaz, archive)
    people = [p for p, _k in found]
    return [
        p
        for p, kept in found
        if probability(
            model, features(text, spans, p, kept, people, gaz, archive), context(text, p)
        )
        >= model["threshold"]
    ]
