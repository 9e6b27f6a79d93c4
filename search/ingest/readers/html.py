"""Saved HTML news pages (`.html`, `.htm`, gzipped) to Articles.

Two layers, because each is good at a different half of the job:

- the page's own metadata, read here with lxml: `og:title`, `article:published_time`,
  `article:section`, `article:tag`, the canonical link / `og:url`, JSON-LD `NewsArticle`
  and schema.org microdata. Where a page states a field, that statement wins: it is what the
  site published, whereas a library's guess (a `<title>` with the site name appended, a date
  found in the text) is only a guess.
- the main text, found by an extraction library that drops the page's chrome (menus,
  "lire aussi" boxes, related links, cookie banners, comments, share buttons, footers).
  trafilatura is the default (see the README's "HTML extraction" section for the figures
  against readability-lxml, the alternative `bench/html_pages.py` measures); its metadata
  (htmldate for the date) only fills what the page does not state.

On the extracted paragraphs a few general rules follow: the byline/dateline line
("AFP, publié le jeudi 2 juillet 2020 à 11h00") and "lire aussi" lines are dropped (the
dateline still gives the date when the metadata does not), sentences an extractor cut in two
are glued back, and the lead (chapô) becomes `summary`, so that title + summary + body is the
article once, as in the JSON Lines records.

The section is what the JSON Lines reader gives for the same article: `article:section` (the
label as shown on the site), else the URL's first path segment, capitalised when all
lower-case. A page with no article text (a video page, an index page, an empty page) is
reported as skipped with its reason, never indexed as an empty article.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import json
import logging
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import lxml.etree
import lxml.html

from search.french import MONTH_NUMBERS
from search.ingest.articles import Article, make_id, nfc, plausible_date
from search.ingest.readers.decode import Problem, Report, decode_text
from search.ingest.readers.jsonl import parse_published

# trafilatura, htmldate and readability log a warning for every page they give up on; the
# reader reports those pages itself, in French, as Problems.
for _name in ("trafilatura", "htmldate", "readability", "readability.readability"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False

HTML_SUFFIXES = (".html.gz", ".htm.gz", ".html", ".htm")
EXTRACTORS = ("trafilatura", "readability")

# --- decoding -------------------------------------------------------------------------------

# The HTML standard's prescan looks at 1024 bytes; saved pages often carry a long <head> of
# scripts before the declaration, so look further (it costs nothing).
_PRESCAN = 16384
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)""")
# As browsers do (WHATWG Encoding): these labels mean windows-1252, whose extra characters
# (’ “ ” œ € …) pages labelled "latin-1" nearly always use.
_WHATWG_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252"}


def declared_encoding(data: bytes) -> str | None:
    """The encoding a page declares (XML declaration, meta charset or http-equiv), if any."""
    head = data[:_PRESCAN]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def decode_html(data: bytes, path: str, report: Report) -> str:
    """Decode a page with the encoding it declares; without a usable declaration, or when the
    bytes contradict it, fall back like the text readers (UTF-8, else cp1252 with a warning).

    A BOM wins over any declaration, as in browsers. One more guard: a page declared in a
    single-byte encoding whose bytes are valid UTF-8 with accents was re-saved as UTF-8 with
    its old <meta> (a common accident); reading it as declared would index "Ã©" for "é"."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_text(data, path, report)
    label = declared_encoding(data)
    if label is None:
        return decode_text(data, path, report)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        report(Problem(path, f"encodage déclaré inconnu {label!r} : ignoré", skipped=False))
        return decode_text(data, path, report)
    name = _WHATWG_ALIASES.get(name, name)
    if name.startswith("utf-16"):  # a declaration read as ASCII cannot be UTF-16: a lie
        name = "utf-8"
    if name in ("utf-8", "utf-8-sig"):
        return decode_text(data, path, report)  # it warns itself when the bytes are not UTF-8
    if not data.isascii():
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            report(
                Problem(path, f"déclaré {label} mais écrit en UTF-8 : lu en UTF-8", skipped=False)
            )
            return nfc(text)
    errors = "loupe-latin1" if name == "cp1252" else "strict"  # see decode.py
    try:
        return nfc(data.decode(name, errors=errors))
    except UnicodeDecodeError:
        report(Problem(path, f"le texte ne suit pas l'encodage déclaré ({label})", skipped=False))
        return decode_text(data, path, report)


_PARSER = lxml.html.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False
)


def parse_html(text: str) -> lxml.html.HtmlElement | None:
    """The lxml tree of a decoded page (given as UTF-8 bytes, so that a <meta charset> in the
    text cannot make libxml2 decode it a second time)."""
    data = text.encode("utf-8", errors="surrogatepass")
    try:
        tree = lxml.html.document_fromstring(data, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None
    return tree if tree is not None and len(tree) else None


# --- the page's own metadata ----------------------------------------------------------------

_SPACES = re.compile(r"\s+")  # \s covers NBSP and the other Unicode spaces
_ARTICLE_TYPES = frozenset(
    t.casefold()
    for t in (
        "NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle",
        "OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "BlogPosting",
        "LiveBlogPosting", "Report", "ScholarlyArticle", "TechArticle", "SatiricalArticle",
    )
)  # fmt: skip
_VIDEO_TYPES = frozenset({"videoobject"})
# Declared list pages. Not og:type "website": small sites give it to their articles too.
_INDEX_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage"})


def one_line(text: str | None) -> str:
    """Titles, sections, bylines: one line, single spaces (NBSP included), NFC."""
    return nfc(_SPACES.sub(" ", text or "").strip())


@dataclass
class PageMeta:
    """What the page itself states about its article (empty string: not stated)."""

    title: str = ""
    published: str = ""  # as written on the page, e.g. "2020-07-02T11:00:00+02:00"
    section: str = ""
    url: str = ""
    source: str = ""
    tags: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)  # og:type and JSON-LD @type, case-folded


def _metas(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """All <meta property|name|itemprop=... content=...> values by lower-cased key."""
    out: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if content is None or not content.strip():
            continue
        for attr in ("property", "name", "itemprop"):
            key = meta.get(attr)
            if key:
                out.setdefault(key.strip().lower(), []).append(content.strip())
    return out


def _first(metas: dict[str, list[str]], *keys: str) -> str:
    for key in keys:
        for value in metas.get(key, ()):
            if value.strip():
                return value.strip()
    return ""


def _jsonld_objects(tree: lxml.html.HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object of the page, @graph members included; broken blocks are ignored
    (a page's metadata is a hint, never a reason to skip the page)."""
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
                yield item


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.casefold() for k in kinds if isinstance(k, str)}


def _ld_text(value: Any) -> str:
    """A JSON-LD value as text: a string, a {"name": ...} / {"@id": ...} object, or a list
    (names joined with commas: several authors)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return _ld_text(value.get("name") or value.get("@id") or "")
    if isinstance(value, list):
        return ", ".join(t for t in (_ld_text(v) for v in value) if t)
    return ""


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://", "//", "/"))


def page_metadata(tree: lxml.html.HtmlElement) -> PageMeta:
    """Open Graph / article:* metas, the canonical link, JSON-LD (News)Article, microdata."""
    metas = _metas(tree)
    meta = PageMeta()
    og_type = _first(metas, "og:type")
    if og_type:
        meta.kinds.add(og_type.casefold())

    ld: dict[str, Any] = {}
    for obj in _jsonld_objects(tree):
        kinds = _types(obj)
        meta.kinds |= kinds
        if not ld and kinds & _ARTICLE_TYPES:
            ld = obj

    meta.title = one_line(
        _first(metas, "og:title") or _ld_text(ld.get("headline")) or _first(metas, "twitter:title")
    )
    meta.published = (
        _first(metas, "article:published_time")
        or _ld_text(ld.get("datePublished"))
        or _first(metas, "datepublished", "date", "dc.date.issued", "dc.date", "pubdate")
    )
    meta.section = one_line(
        _first(metas, "article:section") or _ld_text(ld.get("articleSection")).split(",")[0]
    )
    # og:url first: Open Graph defines it as the object's canonical URL and it is what the
    # page gives to be shared; <link rel="canonical"> is at times a search-engine variant
    # (another section's copy of the same dispatch).
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    candidates = [
        _first(metas, "og:url"),
        canonical[0] if canonical else "",
        _ld_text(ld.get("url")),
        _ld_text(ld.get("mainEntityOfPage")),
    ]
    meta.url = next((u.strip() for u in candidates if u.strip().startswith("http")), "")

    microdata_author = [
        one_line(el.get("content") if el.tag == "meta" else el.text_content())
        for el in tree.xpath(
            '//*[@itemprop="author"]//*[@itemprop="name"]'
            '|//*[@itemprop="author"][not(.//*[@itemprop="name"])]'
        )
    ]
    authors = [
        _ld_text(ld.get("author")),
        next((a for a in microdata_author if a), ""),
        _first(metas, "author", "article:author", "dc.creator"),
    ]
    meta.source = one_line(next((a for a in authors if a and not _is_url(a)), ""))

    tags = list(metas.get("article:tag", ()))
    keywords = ld.get("keywords")
    if isinstance(keywords, str):
        tags += keywords.split(",")
    elif isinstance(keywords, list):
        tags += [k for k in keywords if isinstance(k, str)]
    seen: dict[str, None] = {}
    for tag in tags:
        if one_line(tag):
            seen.setdefault(one_line(tag), None)
    meta.tags = list(seen)
    return meta


_LANG_SEGMENT = re.compile(r"[a-z]{2}(?:[-_][a-z]{2})?", re.IGNORECASE)
_SEGMENT = re.compile(r"[^\W\d_][\w-]*")


def section_from_url(url: str) -> str:
    """The URL's first folder ("https://actu.orange.fr/societe/x.html" -> "societe"), skipping
    a language code; "" when the article sits at the root or the folder is a date or id."""
    segments = [unquote(s) for s in urlsplit(url).path.split("/") if s]
    folders = segments[:-1]
    if folders and _LANG_SEGMENT.fullmatch(folders[0]):
        folders = folders[1:]
    if folders and _SEGMENT.fullmatch(folders[0]):
        return folders[0]
    return ""


def label(section: str) -> str:
    """A section as a facet label: an all-lower-case value (a URL segment such as "societe")
    is capitalised, as the JSON Lines reader does; "Fait-divers", "High-tech" stay as written."""
    section = one_line(section)
    return section[:1].upper() + section[1:] if section.islower() else section


# --- main text: paragraphs out of the extractor's tree --------------------------------------


# Tags after which a new paragraph starts (trafilatura's XML and plain HTML alike).
_BLOCKS = frozenset(
    "p div head list item quote h1 h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote pre table row"
    " tr cell td th section article main header footer aside figure details summary".split()
)
_BREAKS = frozenset({"lb", "br"})
_DROP = frozenset(
    "script style noscript template iframe object embed svg button form input select"
    " textarea nav figcaption graphic img video audio".split()
)


def paragraphs(root: lxml.etree._Element) -> list[str]:
    """Paragraphs of an extracted tree: a block element or a line break (`<br>`, `<lb/>`)
    ends one, as on the page (the reference splits at `<p>` and `<br><br>` alike)."""
    out: list[str] = []
    parts: list[str] = []

    def flush() -> None:
        text = one_line("".join(parts))
        if text:
            out.append(text)
        parts.clear()

    def walk(el: lxml.etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _DROP or not tag:
            return
        block = tag in _BLOCKS
        if block or tag in _BREAKS:
            flush()
        if el.text and tag not in _BREAKS:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            flush()

    walk(root)
    flush()
    return out


def _trafilatura_tree(tree: lxml.html.HtmlElement) -> lxml.etree._Element | None:
    import trafilatura

    doc = trafilatura.bare_extraction(
        tree,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_formatting=False,
        with_metadata=False,
    )
    return None if doc is None else doc.body


def _readability_tree(tree: lxml.html.HtmlElement) -> lxml.etree._Element | None:
    from readability import Document

    html = Document(lxml.html.tostring(tree, encoding="unicode")).summary(html_partial=True)
    return lxml.html.fragment_fromstring(html, create_parent="div") if html.strip() else None


# name -> function(page tree) -> the tree of the main text (or None: nothing found)
_EXTRACT: dict[str, Callable[[lxml.html.HtmlElement], lxml.etree._Element | None]] = {
    "trafilatura": _trafilatura_tree,
    "readability": _readability_tree,
}


def library_metadata(tree: lxml.html.HtmlElement, url: str = "") -> dict[str, str]:
    """trafilatura's own metadata (htmldate for the date): title, date, url, source, section.
    Used only for what the page does not state itself (and by the bench, for comparison)."""
    from trafilatura.metadata import extract_metadata

    doc = extract_metadata(tree, default_url=url or None)
    return {
        "title": one_line(doc.title),
        "date": doc.date or "",
        "url": doc.url or "",
        "source": one_line(doc.author),
        "section": one_line((doc.categories or [""])[0]),
    }


# --- rules on the paragraphs ----------------------------------------------------------------

# French month names (``french.MONTH_NUMBERS``, with and without accents) and English ones.
_MONTH_NUMBER = {
    **MONTH_NUMBERS,
    **{name: n for n, name in enumerate(
        "january february march april may june july august september october november "
        "december".split(), 1)},
}  # fmt: skip
_MONTHS = "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))
_DATE_WORDS = re.compile(
    rf"\b\d{{1,2}}(?:er)?\s+(?:{_MONTHS})\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}\s?[h:]\s?\d{2}\b",
    re.IGNORECASE,
)
_DATELINE_CUE = re.compile(
    r"\b(?:publi[ée]e?s?|mise?s? à jour|modifi[ée]e?s?|actualis[ée]e?s?|updated|published"
    r"|posted)\b",
    re.IGNORECASE,
)
DATELINE_MAX_WORDS = 30
_SEE_ALSO = re.compile(
    r"^\W*(?:[àa]\s+)?(?:lire|relire|voir|revoir|regarder|écouter|ecouter|read|see)\s+"
    r"(?:aussi|également|egalement|encore|more|also)\b",
    re.IGNORECASE,
)
LEAD_MIN_WORDS = 8
LEAD_MAX_WORDS = 150
# Class names that mark a chapô: "chapo", "article__chapo", "lead", "article-intro"...
_LEAD_CLASS = re.compile(
    r"(?:^|[\s_-])(?:chap[oô]|chapeau|lead|lede|intro|standfirst|accroche)(?:$|[\s_-])",
    re.IGNORECASE,
)
_END_OF_SENTENCE = re.compile(r"[.!?…:;»)\]]\W*$|[^\s]\"$")
_OPENS = re.compile(r"(?:[«(\[]|(?:^|\s)\")\s*$")


def _words(text: str) -> int:
    return len(text.split())


def is_dateline(text: str, source: str = "") -> bool:
    """ "Orange avec AFP, publié le jeudi 02 juillet 2020 à 11h00", "Mis à jour le 3/07 à
    9:12": a short line with a publishing verb and a date or time. A line that is only the
    byline (the author the page names) counts too."""
    if _words(text) > DATELINE_MAX_WORDS:
        return False
    if source and one_line(text).casefold().strip(" ,.-–|") == source.casefold():
        return True
    return bool(_DATELINE_CUE.search(text) and _DATE_WORDS.search(text))


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def marked_lead(tree: lxml.html.HtmlElement) -> str:
    """The text of the first element the page marks as its chapô (a lead-like class, or
    itemprop="description"), looked for inside the article (<article>, <main>) when the page
    has one, so that a teaser's "intro" in a side column is not taken for it."""
    scope = "//article//*|//main//*|//*[@role='main']//*"
    if not tree.xpath("//article|//main|//*[@role='main']"):
        scope = "//body//*"
    for el in tree.xpath(f"({scope})[@class or @itemprop]"):
        if el.tag in ("meta", "script", "style", "img", "a", "link"):
            continue
        if el.get("itemprop") == "description" or _LEAD_CLASS.search(el.get("class") or ""):
            text = one_line(el.text_content())
            if LEAD_MIN_WORDS <= _words(text) <= LEAD_MAX_WORDS:
                return text
    return ""


def split_lead(paras: list[str], marked: str = "") -> tuple[str, list[str]]:
    """(lead, the other paragraphs). The lead (chapô) is the element the page marks as one
    (kept even when the extractor left it out), else the first paragraph when it is a
    sentence (not a one-line kicker) and text follows: the news lede, bold on some sites and
    plain on others (AFP dispatches)."""
    if not paras:
        return marked, paras
    first = paras[0]
    if marked and _norm(first) == _norm(marked):
        return first, paras[1:]
    if marked and _norm(marked) not in _norm(" ".join(paras)):
        return marked, paras
    if len(paras) > 1 and LEAD_MIN_WORDS <= _words(first) <= LEAD_MAX_WORDS:
        return first, paras[1:]
    return "", paras


def join_fragments(paras: list[str]) -> list[str]:
    """Glue back a sentence that the extractor cut in two (loose text around an inline link
    or embed: "...avait décidé que" / "les écoles..."): a piece that does not end a sentence,
    followed by one starting in lower case or with punctuation, or ending on an opening
    quote."""
    out: list[str] = []
    for para in paras:
        if out:
            prev, nxt = out[-1], para[:1]
            opens = bool(_OPENS.search(prev))
            if opens or (not _END_OF_SENTENCE.search(prev) and (nxt.islower() or nxt in ",;:.)»")):
                out[-1] = prev + ("" if opens or nxt in ",;:.)" else " ") + para
                continue
        out.append(para)
    return out


def clean(paras: list[str], meta: PageMeta) -> tuple[list[str], list[str]]:
    """(paragraphs, datelines dropped). Drops what extraction leaves of the chrome: the
    headline repeated, the dateline and byline at either end, "lire aussi" lines; glues cut
    sentences back."""
    title = _norm(meta.title)
    out = join_fragments([p for p in paras if not _SEE_ALSO.match(p)])
    datelines: list[str] = []
    while out and ((title and _norm(out[0]) == title) or is_dateline(out[0], meta.source)):
        datelines.append(out.pop(0))
    while out and is_dateline(out[-1], meta.source):
        datelines.append(out.pop())
    return out, datelines


_DATELINE_DATE = re.compile(
    rf"\b(?P<d>\d{{1,2}})(?:er)?\s+(?P<month>{_MONTHS})\s+(?P<y>\d{{4}})"
    r"|\b(?P<d2>\d{1,2})/(?P<m2>\d{1,2})/(?P<y2>\d{4})\b",
    re.IGNORECASE,
)
_DATELINE_TIME = re.compile(r"\s*(?:à|a|at|,)?\s*(\d{1,2})\s*[h:]\s*(\d{2})\b", re.IGNORECASE)


def dateline_date(datelines: list[str]) -> tuple[dt.date | None, str]:
    """(date, ISO time without offset or "") from a dateline such as "publié le jeudi 02
    juillet 2020 à 11h00": the page's visible statement when its metadata is missing. The
    date after "publié" is preferred to a "mis à jour" one."""
    texts = [t for t in datelines if _DATELINE_CUE.search(t)]
    texts.sort(key=lambda t: not re.search(r"publi", t, re.IGNORECASE))
    for text in texts:
        start = re.search(r"publi\w*", text, re.IGNORECASE)
        match = _DATELINE_DATE.search(text, start.end() if start else 0)
        if not match:
            continue
        try:
            if match.group("month"):
                month = _MONTH_NUMBER[match.group("month").lower()]
                day = dt.date(int(match.group("y")), month, int(match.group("d")))
            else:
                day = dt.date(
                    int(match.group("y2")), int(match.group("m2")), int(match.group("d2"))
                )
        except ValueError:
            continue
        if not plausible_date(day):
            continue
        clock = _DATELINE_TIME.match(text, match.end())
        if clock and int(clock.group(1)) < 24 and int(clock.group(2)) < 60:
            stamp = dt.datetime.combine(day, dt.time(int(clock.group(1)), int(clock.group(2))))
            return day, stamp.isoformat()
        return day, ""
    return None, ""


def page_date(value: str) -> tuple[dt.date | None, str]:
    """A metadata date: ISO 8601 (what `article:published_time` holds), or the RFC 2822 form
    some CMS put in `pubdate`/`date` metas ("Thu, 02 Jul 2020 11:00:00 +0200")."""
    day, published = parse_published(value)
    if day is None and value:
        try:
            stamp = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None, ""
        if not plausible_date(stamp.date()):
            return None, ""
        return stamp.date(), stamp.isoformat()
    return day, published


# --- the reader -----------------------------------------------------------------------------


def html_id(relpath: str) -> str:
    """A page is one article: its id is its relative path without the suffix, like `.txt`
    files ("orangesum-10277.html" -> "orangesum-10277", the JSON Lines id of that page)."""
    low = relpath.lower()
    for suffix in HTML_SUFFIXES:
        if low.endswith(suffix):
            return make_id(relpath[: -len(suffix)])
    return make_id(relpath)


# Prose: sentences that end. Menus, teaser lists and credits run on without a full stop.
_SENTENCE_END = re.compile(r"\w[\"»)]?[.!?…][\"»)]?(?:\s|$)")
PROSE_MIN_WORDS = 20
SENTENCE_MAX_WORDS = 80
VIDEO_MIN_WORDS = 60


def prose_words(paras: list[str]) -> int:
    """Words in paragraphs that read as prose: they end a sentence, and their sentences are
    not impossibly long (a menu flattened into one "paragraph" has hundreds of words and no
    full stop)."""
    total = 0
    for para in paras:
        words, ends = _words(para), len(_SENTENCE_END.findall(para))
        if ends and words / ends <= SENTENCE_MAX_WORDS:
            total += words
    return total


def no_article_reason(meta: PageMeta, paras: list[str]) -> str | None:
    """Why a page is not an article (video, index page, no text), or None when it is one."""
    prose = prose_words(paras)
    if _is_video(meta) and prose < VIDEO_MIN_WORDS:
        return f"page vidéo ({prose} mots de texte) : pas un article"
    if meta.kinds & _INDEX_TYPES and not meta.kinds & _ARTICLE_TYPES and not meta.published:
        return "page d'index (CollectionPage/ItemList, sans date) : pas un article"
    if prose < PROSE_MIN_WORDS:
        found = sum(_words(p) for p in paras)
        words = f"{found} mot{'s' if found > 1 else ''}"
        what = f"{words} hors phrases (menus, liens ?)" if found else "aucun texte"
        return f"pas d'article dans la page : {what}"
    return None


def _is_video(meta: PageMeta) -> bool:
    kinds = meta.kinds
    return bool(
        (any(k.startswith("video") for k in kinds) or kinds & _VIDEO_TYPES)
        and not kinds & _ARTICLE_TYPES
        and "article" not in kinds
    )


def read_html(
    text: str, *, relpath: str, where: str, report: Report, extractor: str = "trafilatura"
) -> Article | None:
    """One Article from a decoded page, or None after reporting why it is not one."""
    tree = parse_html(text)
    if tree is None:
        report(Problem(where, "HTML illisible : aucun élément"))
        return None
    meta = page_metadata(tree)
    marked = marked_lead(tree)
    found = _EXTRACT[extractor](tree)
    paras = paragraphs(found) if found is not None else []
    paras, datelines = clean(paras, meta)
    reason = no_article_reason(meta, paras)
    if reason:
        report(Problem(where, reason))
        return None
    lead, paras = split_lead(paras, marked)
    body = "\n\n".join(paras)

    day, published = page_date(meta.published)
    date_source = "metadata" if day else ""
    if meta.published and day is None:
        report(
            Problem(
                where,
                f"date de la page illisible ou invraisemblable : {meta.published!r}",
                skipped=False,
            )
        )
    if day is None:
        day, published = dateline_date(datelines)
        date_source = "dateline" if day else ""
    title, url, source, section = meta.title, meta.url, meta.source, meta.section
    if not (title and day and url):
        guess = library_metadata(tree, url)
        title = title or guess["title"]
        url = url or guess["url"]
        source = source or guess["source"]
        if day is None and guess["date"]:
            day, published = parse_published(guess["date"])
            date_source = "htmldate" if day else ""
    if not section and url:
        section = section_from_url(url)
    if not title:
        title = (lead or body).split("\n", 1)[0][:120]
        report(Problem(where, "pas de titre dans la page : début du texte pris", skipped=False))
    return Article(
        id=html_id(relpath),
        title=title,
        body=nfc(body),
        summary=nfc(lead),
        section=label(section),
        date=day,
        date_source=date_source,
        published=published,
        url=url,
        source=source,
        path=relpath,
        tags=meta.tags,
    )


def parse_html_page(
    text: str, *, relpath: str, where: str, report: Report, extractor: str = "trafilatura"
) -> Iterable[Article]:
    """`read_html` as the dispatcher wants it: an iterable of zero or one article."""
    with warnings.catch_warnings():  # libraries' own warnings are not the user's concern
        warnings.simplefilter("ignore")
        article = read_html(text, relpath=relpath, where=where, report=report, extractor=extractor)
    return [article] if article is not None else []
