"""Saved web pages: main text via trafilatura, metadata read from the markup with lxml."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from index.model import Kind, RawDocument, ReadError
from index.readers._common import (
    CHROME_TAGS,
    FileInfo,
    bom_encoding,
    clean_value,
    decode_bytes,
    element_text,
    error,
    provenance,
    too_large,
)

ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
    }
)
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " // ")
_DATE_META = (
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "dc.date",
    "dc.date.issued",
    "dc.date.created",
    "dcterms.date",
    "dcterms.issued",
    "dcterms.created",
    "datepublished",
    "sailthru.date",
    "parsely-pub-date",
    "og:published_time",
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)

# trafilatura logs a warning for every page it gives up on; the fallback below handles those.
logging.getLogger("trafilatura").setLevel(logging.ERROR)


def decode_html(data: bytes) -> str:
    """Decode page bytes: BOM, UTF-8, the page's declared charset, then detection."""
    encoding, skip = bom_encoding(data)
    if encoding is not None:
        return data[skip:].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(data[:4096])
    if declared is not None:
        name = declared.group(1).decode("ascii", "replace").lower()
        # Browsers read "latin-1"/"iso-8859-1" pages as cp1252 (WHATWG); so do we.
        if name in {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"}:
            name = "cp1252"
        if name not in {"utf-8", "utf8"}:
            try:
                return data.decode(name, errors="replace")
            except LookupError:
                pass
    return decode_bytes(data)


def parse_html(markup: str) -> lxml_html.HtmlElement | None:
    """An lxml tree for a page, recovering from broken markup; None when there is nothing."""
    markup = _XML_DECL.sub("", markup, count=1)
    if not markup.strip():
        return None
    parser = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, recover=True)
    try:
        tree: lxml_html.HtmlElement = lxml_html.document_fromstring(markup, parser=parser)
    except (etree.ParserError, ValueError, etree.XMLSyntaxError):
        return None
    return tree


# ---- main text ----------------------------------------------------------------------------------


def _trafilatura_text(tree: lxml_html.HtmlElement) -> str:
    import trafilatura  # deferred: ~0.3 s import, only needed for HTML
    from trafilatura.xml import xmltotxt

    # bare_extraction rather than extract(): its "txt" output joins paragraphs and <br> lines
    # alike with one newline, and we need blank lines between paragraphs. It copies the tree.
    doc = trafilatura.bare_extraction(
        tree,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        with_metadata=False,
    )
    body = getattr(doc, "body", None)
    if body is None:
        return ""
    blocks = (xmltotxt(child, False).strip() for child in body)
    return "\n\n".join(b for b in blocks if b)


def _fallback_text(tree: lxml_html.HtmlElement) -> str:
    for xpath in ("//article", "//main", "//*[@role='main']", "//body"):
        found = tree.xpath(xpath)
        if found:
            text = element_text(found[0], drop=CHROME_TAGS)
            if text:
                return text
    return element_text(tree, drop=CHROME_TAGS | {"head"})


def main_text(tree: lxml_html.HtmlElement) -> str:
    """The article text of a page, paragraphs separated by blank lines."""
    try:
        text = _trafilatura_text(tree)
    except Exception:  # trafilatura has raised on odd trees; the lxml fallback still works
        text = ""
    return text or _fallback_text(tree)


# ---- metadata -----------------------------------------------------------------------------------


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1] for v in values if v}


def _jsonld_nodes(tree: lxml_html.HtmlElement) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []

    def collect(value: object, depth: int = 0) -> None:
        if depth > 6:
            return
        if isinstance(value, list):
            for item in value:
                collect(item, depth + 1)
        elif isinstance(value, dict):
            nodes.append(value)
            for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
                if isinstance(value.get(key), list | dict):
                    collect(value[key], depth + 1)

    for script in tree.xpath("//script[@type]"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        raw = (script.text or "").strip()
        raw = raw.removeprefix("<!--").removesuffix("-->").strip()
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            # Hand-written JSON-LD often has trailing commas.
            try:
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)
            except ValueError:
                continue
        collect(data)
    return nodes


def _names(value: object, by_id: dict[str, dict[str, Any]]) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [name for item in value for name in _names(item, by_id)]
    if isinstance(value, dict):
        if "name" not in value and isinstance(value.get("@id"), str):
            value = by_id.get(value["@id"], value)
        name = value.get("name")
        if isinstance(name, str):
            return [name]
        if isinstance(name, list):
            return [n for n in name if isinstance(n, str)]
    return []


def _strip_site_suffix(title: str, site: str | None) -> str:
    if not site:
        return title
    lowered, site_l = title.lower(), site.lower()
    for sep in _TITLE_SEPARATORS:
        if lowered.endswith(sep + site_l):
            return title[: -len(sep + site)].strip()
    return title


def html_metadata(tree: lxml_html.HtmlElement) -> dict[str, str]:
    """Metadata a page states explicitly, under canonical field keys (raw strings)."""
    meta: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        content = el.get("content")
        if key and content and content.strip():
            meta.setdefault(key.strip().lower(), clean_value(content))

    nodes = _jsonld_nodes(tree)
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    article: dict[str, Any] = next((n for n in nodes if _types(n) & ARTICLE_TYPES), {})

    def ld_str(key: str) -> str | None:
        value = article.get(key)
        if isinstance(value, list) and value:
            value = value[0]
        return clean_value(value) if isinstance(value, str) and value.strip() else None

    def first(*values: str | None) -> str | None:
        return next((v for v in values if v), None)

    def xpath_str(expr: str) -> str | None:
        for found in tree.xpath(expr):
            text = found if isinstance(found, str) else found.text_content()
            if text and text.strip():
                return clean_value(str(text))
        return None

    fields: dict[str, str] = {}
    site = first(
        meta.get("og:site_name"),
        clean_value(", ".join(_names(article.get("publisher"), by_id))) or None,
    )
    if site:
        fields["source"] = site
    title = first(
        meta.get("og:title"),
        meta.get("twitter:title"),
        ld_str("headline"),
        xpath_str("//head/title | //title"),
    )
    if title:
        fields["title"] = _strip_site_suffix(title, site)
    date = first(
        meta.get("article:published_time"),
        ld_str("datePublished"),
        ld_str("dateCreated"),
        *(meta.get(name) for name in _DATE_META),
        xpath_str(
            "//article//time/@datetime | //time[@pubdate]/@datetime"
            " | //*[@itemprop='datePublished']/@datetime | //time/@datetime"
        ),
    )
    if date:
        fields["date"] = date

    def person(value: str | None) -> str | None:
        # Pages often put a profile URL or the outlet's own name where a byline belongs.
        if not value or value.startswith(("http://", "https://")) or value == site:
            return None
        return value

    byline = first(
        person(meta.get("author")),
        person(clean_value(", ".join(_names(article.get("author"), by_id)))),
        person(meta.get("article:author")),
        person(meta.get("dc.creator")),
        person(xpath_str("//a[@rel='author'] | //*[@rel='author']")),
    )
    if byline:
        fields["byline"] = byline
    url = first(
        meta.get("og:url"),
        xpath_str("//link[@rel='canonical']/@href"),
        ld_str("url"),
    )
    if url:
        fields["url"] = url
    language = first(
        clean_value(tree.get("lang") or tree.get("xml:lang") or "") or None,
        meta.get("content-language"),
        ld_str("inLanguage"),
    )
    if language:
        fields["language"] = language
    return fields


def read_html(info: FileInfo, max_bytes: int) -> Iterator[RawDocument | ReadError]:
    """One saved page as one RawDocument: main text plus the metadata the page declares."""
    big = too_large(info, max_bytes)
    if big is not None:
        yield big
        return
    data = info.path.read_bytes()
    tree = parse_html(decode_html(data))
    if tree is None:
        yield error(info.path, "no text in HTML page")
        return
    fields = html_metadata(tree)
    text = main_text(tree)
    if not text:
        yield error(info.path, "no text in HTML page")
        return
    yield RawDocument(provenance(info.path, Kind.HTML, data, info.mtime), text, fields)
