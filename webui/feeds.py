"""Atom feeds of any search and the OpenSearch description.

A feed is the search of the same URL parameters, newest first, so a reader can follow a
query ("retraites", rubrique Politique…) and get each new article once it is indexed.
The OpenSearch description lets a browser add Loupe to its address bar. Both are built
with ElementTree, which escapes every text and attribute: a record's ``<script>`` can
only ever come out as text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app, redirect, request, url_for

from search.find.request import SearchRequest
from search.find.searcher import SearchEngine

from .views import NO_BOXES, describe

bp = Blueprint("feeds", __name__)

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
FEED_SIZE = 20  # entries per feed unless par_page says otherwise
ET.register_namespace("", ATOM)

# Characters XML 1.0 cannot carry at all, even escaped (a stray \x0b in a record would
# make the whole feed unreadable).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def engine() -> SearchEngine:
    return current_app.extensions["loupe"]


def _clean(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _clean(text)
    return element


_OFFSET = re.compile(r"T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$")


def _timestamp(day: str | None, published: str | None = None) -> str | None:
    """An article's RFC 3339 instant: the source's own timestamp when it has a UTC offset,
    else midnight UTC of its day."""
    if published and day and published.startswith(day) and _OFFSET.search(published):
        return published
    return f"{day}T00:00:00Z" if day else None


def _base() -> str:
    """The public address configured (``loupe serve --base-url``), or "" for links relative
    to the feed. Never the request's Host header: a forged one would end up in the links a
    feed reader or a browser keeps (issue 13)."""
    return (current_app.config.get("BASE_URL") or "").rstrip("/")


def _absolute(path: str, params: list[tuple[str, str]]) -> str:
    """The link to ``path``: absolute under the configured base URL, else relative (Atom
    resolves it against the feed's own address, RFC 4287 section 4.2.7)."""
    query = urlencode(params)
    return _base() + path + ("?" + query if query else "")


def _atom_id(link: str) -> str:
    """An Atom id must be an absolute IRI: the link itself under a base URL, else a URN
    naming the same path (stable as long as the path is)."""
    return link if _base() else "urn:loupe:" + quote(link, safe="/?=&%")


def _xml(root: ET.Element, mimetype: str, stylesheet: str | None = None) -> Response:
    """The document; with ``stylesheet``, a CSS ``xml-stylesheet`` instruction so that a
    feed opened in a browser reads as a page (CSS, not XSLT: browsers are dropping XSLT)."""
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    if stylesheet:
        head, _, rest = body.partition(b"?>\n")
        instruction = f'<?xml-stylesheet type="text/css" href="{stylesheet}"?>\n'
        body = head + b"?>\n" + instruction.encode("utf-8") + rest
    return Response(body, mimetype=mimetype, content_type=f"{mimetype}; charset=utf-8")


@bp.get("/feed")
def feed() -> Response:
    """Atom 1.0 (RFC 4287): the newest articles of the search in the URL."""
    asked = SearchRequest.from_params(request.args)
    per_page = asked.per_page if request.args.get("par_page") else FEED_SIZE
    req = dataclasses.replace(
        asked, sort="newest", page=1, per_page=per_page, person_filter="", value_filters={}
    )
    response = engine().search(req)
    params = req.to_params(tri="", page="", par_page="", **NO_BOXES)

    root = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "fr"})
    _sub(root, f"{{{ATOM}}}title", f"Loupe : {describe(req)}")
    _sub(
        root,
        f"{{{ATOM}}}subtitle",
        f"{response.total} articles correspondent à cette recherche. Pour la suivre, copiez "
        "l'adresse de cette page dans votre lecteur de flux (Atom).",
    )
    self_url = _absolute(url_for("feeds.feed"), params)
    _sub(root, f"{{{ATOM}}}id", _atom_id(self_url))
    _sub(root, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=self_url)
    _sub(
        root,
        f"{{{ATOM}}}link",
        rel="alternate",
        type="text/html",
        href=_absolute(url_for("views.index"), [*params, ("tri", "date")]),
    )
    stamps = [_timestamp(r["date"], r.get("published")) for r in response.results if r["date"]]
    # A feed with no dated entry says "now"; otherwise its newest article's instant, so
    # that the feed's date only moves when something new arrives.
    newest = max(stamps, key=lambda s: dt.datetime.fromisoformat(s), default=None)
    updated = newest or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    _sub(root, f"{{{ATOM}}}updated", updated)
    author = _sub(root, f"{{{ATOM}}}author")
    _sub(author, f"{{{ATOM}}}name", "Loupe")
    _sub(root, f"{{{ATOM}}}generator", "Loupe")

    for r in response.results:
        entry = _sub(root, f"{{{ATOM}}}entry")
        page = _absolute(url_for("views.article", article_id=r["id"]), [])
        _sub(entry, f"{{{ATOM}}}id", _atom_id(page))
        _sub(entry, f"{{{ATOM}}}title", r["title"] or "(sans titre)")
        _sub(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page)
        stamp = _timestamp(r["date"], r.get("published")) or updated
        _sub(entry, f"{{{ATOM}}}updated", stamp)
        if r["date"]:
            _sub(entry, f"{{{ATOM}}}published", stamp)
        if r["source"]:
            source_author = _sub(entry, f"{{{ATOM}}}author")
            _sub(source_author, f"{{{ATOM}}}name", r["source"])
        if r["section"]:
            _sub(entry, f"{{{ATOM}}}category", term=r["section"], label=r["section"])
        # The snippet is HTML (escaped text and <mark>): type="html" carries it escaped
        # once more, as Atom wants.
        _sub(entry, f"{{{ATOM}}}summary", r["snippet"], type="html")
    stylesheet = url_for("static", filename="feed.css")
    # A browser opening the feed (it asks for HTML first) shows application/atom+xml as
    # plain text (Chromium does): it gets the same document as application/xml, which it
    # renders with the stylesheet. Feed readers ask for Atom, or anything, and get Atom.
    browser = request.accept_mimetypes.best_match(["application/atom+xml", "text/html"])
    mimetype = "application/xml" if browser == "text/html" else "application/atom+xml"
    response = _xml(root, mimetype, stylesheet=stylesheet)
    response.vary.add("Accept")
    return response


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """The OpenSearch 1.1 description that browsers read to offer Loupe as a search engine."""
    base = _base()  # relative templates without one: see README, loupe serve --base-url
    root = ET.Element("OpenSearchDescription", {"xmlns": OPENSEARCH})
    _sub(root, "ShortName", "Loupe")
    _sub(root, "Description", "Recherche dans les archives d'articles de presse en français")
    _sub(root, "Tags", "presse actualité archives français")
    _sub(root, "Language", "fr")
    _sub(root, "InputEncoding", "UTF-8")
    _sub(root, "OutputEncoding", "UTF-8")
    _sub(
        root,
        "Image",
        base + url_for("static", filename="loupe.svg"),
        width="64",
        height="64",
        type="image/svg+xml",
    )
    templates = (
        ("text/html", url_for("views.index")),
        ("application/atom+xml", url_for("feeds.feed")),
        ("application/json", url_for("api.search")),
    )
    for mimetype, path in templates:
        _sub(root, "Url", type=mimetype, method="get", template=f"{base}{path}?q={{searchTerms}}")
    _sub(
        root,
        "Url",
        type="application/opensearchdescription+xml",
        rel="self",
        template=base + url_for("feeds.opensearch"),
    )
    return _xml(root, "application/opensearchdescription+xml")


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for it on pages that name no icon (a feed opened as a page)."""
    return redirect(url_for("static", filename="loupe.svg"), code=301)
