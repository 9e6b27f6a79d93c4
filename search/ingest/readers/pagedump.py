"""Raw page-text dumps (a browser's "save as text" or a scraper's innerText) to Articles.

Such a dump looks like this (see tests/data/readers/seed/):

    Rechercher                      <- navigation words
    Dernières Infos - Conflit       <- section line: the section is the part after the dash
    <title>
    <title>                         <- the headline is printed twice (page <title> + <h1>)
    <caption> ... Photo d'archives AFP
     <lead>                         <- the lead starts with a (non-breaking) space
    <body paragraphs>
    <lead again>                    <- a "related/next" block repeating the lead
    <first body paragraph cut...>   <- and a teaser ending in "..." or "…"

Indexing it as is would put navigation words and the lead three times in the body, which skews
ranking and snippets. The rules below are general cues, not tied to one site's text; anything
they do not recognise stays in the body rather than being lost.
"""

from __future__ import annotations

import re

from search.ingest.articles import Article, nfc

# Short interface words that are never article text on a line of their own.
NAV_WORDS = frozenset(
    w.casefold()
    for w in (
        "Rechercher", "Recherche", "Menu", "Accueil", "Se connecter", "Connexion",
        "Se déconnecter", "S'inscrire", "S'abonner", "Abonnez-vous", "Mon compte",
        "Partager", "Partager sur Facebook", "Partager sur Twitter", "Tweeter", "Imprimer",
        "Fermer", "Retour", "Haut de page", "Retour en haut", "Newsletter", "Publicité",
        "Commenter", "Réagir", "Envoyer", "Envoyer par e-mail", "Suivez-nous", "Facebook",
        "Twitter", "LinkedIn", "WhatsApp", "E-mail", "Email", "Copier le lien", "Voir plus",
        "Lire la suite", "Passer au contenu", "Aller au contenu", "Skip to content",
    )
)  # fmt: skip

# "Dernières Infos - Conflit", "Actualités – Monde", "Rubrique : Politique", "Accueil > Monde".
SECTION_LINE = re.compile(
    r"^(?:derni[èe]res?\s+infos?|derni[èe]re\s+minute|actualit[ée]s?|actus?|infos?"
    r"|rubrique|accueil|home)\s*[-–—:>»›|/]\s*(?P<section>[^>»›|/]+?)(?:\s*[>»›|/].*)?$",
    re.IGNORECASE,
)
SECTION_MAX_WORDS = 4

# Cues that a line is a photo caption/credit rather than text.
_CAPTION_CUE = re.compile(
    r"\b(?:photos?|photographie|illustration|cr[ée]dits?|archives)\b|©", re.IGNORECASE
)
_AGENCY_CREDIT = re.compile(
    r"\b(?:AFP|Reuters|AP|Maxppp|MAXPPP|Sipa|SIPA|Getty(?: Images)?|EPA|ABACA|Abaca|Belga|DPA"
    r"|ANP|Xinhua|Anadolu|Hans Lucas|Leemage|Bestimage)\b[^.!?]{0,50}[.)\]]?$"
)
CAPTION_MAX_CHARS = 400
_ELLIPSIS = ("...", "…")
# A teaser shorter than this could match many paragraphs by chance.
TEASER_MIN_CHARS = 20
# The duplicated headline is looked for among the first lines only.
HEADER_SCAN = 12


def norm(text: str) -> str:
    """Whitespace-insensitive form for comparing lines (NBSP and runs of spaces included)."""
    return " ".join(text.split())


def is_nav(line: str) -> bool:
    return norm(line).rstrip(" :").casefold() in NAV_WORDS


def section_of(line: str) -> str | None:
    """The section named by a section/breadcrumb line, or None when it is not one."""
    match = SECTION_LINE.match(norm(line))
    if not match:
        return None
    section = match.group("section").strip()
    if not section or len(section.split()) > SECTION_MAX_WORDS:
        return None
    return section


def is_caption(line: str) -> bool:
    """A photo caption: a cue at either end of the line, not a lead (which starts indented)."""
    text = norm(line)
    if not text or line[:1].isspace() or len(text) > CAPTION_MAX_CHARS:
        return False
    if text.endswith(_ELLIPSIS):
        return False
    ends = (text[:30], text[-80:])
    return any(_CAPTION_CUE.search(part) for part in ends) or bool(_AGENCY_CREDIT.search(text))


def _repeats_earlier(line: str, earlier: list[str]) -> bool:
    """Same text as an earlier paragraph, or a "..."-truncated start of one."""
    text = norm(line)
    if any(text == norm(e) for e in earlier):
        return True
    if text.endswith(_ELLIPSIS):
        stem = text.rstrip(".…").rstrip()
        if len(stem) >= TEASER_MIN_CHARS:
            return any(norm(e).startswith(stem) and norm(e) != text for e in earlier)
    return False


def _content_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip() and not is_nav(line)]


def _repeated_title_index(lines: list[str]) -> int | None:
    for i in range(min(len(lines) - 1, HEADER_SCAN)):
        if norm(lines[i]) == norm(lines[i + 1]) and section_of(lines[i]) is None:
            return i
    return None


def looks_like_pagedump(text: str) -> bool:
    """Cues near the top: a navigation word, a section line, or a headline printed twice."""
    top = [line for line in text.split("\n") if line.strip()][:HEADER_SCAN]
    if any(is_nav(line) or section_of(line) is not None for line in top):
        return True
    return any(norm(a) == norm(b) for a, b in zip(top, top[1:], strict=False))


def parse_pagedump(text: str, *, art_id: str, relpath: str) -> Article | None:
    """Split a dump into title/section/caption/summary/body; None when no text is left."""
    lines = _content_lines(text)
    if not lines:
        return None

    t = _repeated_title_index(lines)
    if t is None:  # no doubled headline: the first line that is not a section line
        t = 0
        while t < len(lines) - 1 and section_of(lines[t]) is not None:
            t += 1
    header, title = lines[:t], norm(lines[t])
    rest = lines[t + 1 :]
    while rest and norm(rest[0]) == title:
        rest = rest[1:]

    section, extra = "", []
    for line in header:
        found = section_of(line)
        if found is None:
            extra.append(line)  # unknown header text (a dateline?) is kept, not lost
        elif not section:
            section = found

    caption = ""
    if len(rest) > 1 and is_caption(rest[0]):
        caption, rest = norm(rest[0]), rest[1:]

    # Trailing block: repeats of earlier paragraphs and "..." teasers, read from the end.
    k = len(rest)
    while k > 1 and _repeats_earlier(rest[k - 1], [title, *rest[: k - 1]]):
        k -= 1
    rest, trailing = rest[:k], rest[k:]

    summary = ""
    if len(rest) > 1:
        lead = rest[0]
        if lead[:1].isspace() or any(norm(lead) == norm(x) for x in trailing):
            summary, rest = lead.strip(), rest[1:]

    body = "\n\n".join(p.strip() for p in [*extra, *rest])
    return Article(
        id=art_id,
        title=nfc(title),
        body=nfc(body),
        summary=nfc(summary),
        caption=nfc(caption),
        section=nfc(section),
        path=relpath,
    )
