"""RSS and Atom feeds saved to disk: one RawDocument per entry."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any

from index.model import Kind, RawDocument, ReadError
from index.readers._common import (
    FileInfo,
    bom_encoding,
    clean_value,
    error,
    fragment_to_text,
    provenance,
    too_large,
)

FEED_ROOTS = frozenset({"rss", "feed", "rdf"})
NOT_A_FEED = "XML file is not an RSS/Atom feed"
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
_ROOT_TAG = re.compile(r"<([A-Za-z_][\w:.-]*)")


def xml_root(head: bytes) -> str | None:
    """Local name of the first element in ``head`` (lower case), skipping prolog and DOCTYPE."""
    encoding, skip = bom_encoding(head)
    text = head[skip:].decode(encoding or "latin-1", errors="replace")
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if text.startswith("<?", pos):
            end = text.find("?>", pos)
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos)
        elif text.startswith("<!", pos):
            # A DOCTYPE may carry an internal subset: <!DOCTYPE x [ ... ]>.
            close = text.find(">", pos)
            bracket = text.find("[", pos)
            end = text.find("]>", bracket) + 1 if -1 < bracket < close else close
        else:
            break
        if end < 0:
            return None
        pos = end + 1
        while pos < len(text) and text[pos] in "?->":
            pos += 1
    match = _ROOT_TAG.match(text, pos)
    if match is None:
        return None
    return match.group(1).rsplit(":", 1)[-1].lower()


def _text(value: Any, detail: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        return ""
    kind = (detail or {}).get("type", "") if isinstance(detail, dict) else ""
    if kind in _HTML_TYPES or ("<" in value and ">" in value):
        return fragment_to_text(value)
    return value.strip()


def read_feed(info: FileInfo, max_bytes: int) -> Iterator[RawDocument | ReadError]:
    """Each entry of an RSS/Atom file, with channel title as source and raw date strings."""
    big = too_large(info, max_bytes)
    if big is not None:
        yield big
        return
    import feedparser  # deferred: ~0.1 s import, feeds are rare

    data = info.path.read_bytes()
    if xml_root(data[:8192]) not in FEED_ROOTS:
        yield error(info.path, NOT_A_FEED)
        return
    # A BytesIO, never a str: feedparser treats strings as URLs or file names.
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    if not parsed.get("version") and not parsed.entries:
        yield error(info.path, NOT_A_FEED)
        return
    if not parsed.entries:
        yield error(info.path, "feed has no entries")
        return
    channel = parsed.get("feed", {})
    channel_title = clean_value(_text(channel.get("title"), channel.get("title_detail")))
    language = clean_value(channel.get("language") or "")
    for number, entry in enumerate(parsed.entries, 1):
        title = clean_value(_text(entry.get("title"), entry.get("title_detail")))
        contents = entry.get("content") or []
        body = ""
        if contents:
            body = _text(contents[0].get("value"), contents[0])
        if not body:
            body = _text(entry.get("summary"), entry.get("summary_detail"))
        fields: dict[str, str] = {}
        # Aggregator feeds name each item's real outlet in <source>; prefer it to the channel.
        entry_source = entry.get("source") or {}
        source = clean_value(entry_source.get("title") or "") or channel_title
        values = {
            "id": entry.get("id"),
            "title": title,
            "url": entry.get("link"),
            "date": entry.get("published") or entry.get("updated"),
            "byline": entry.get("author"),
            "source": source,
            "language": language,
        }
        for key, value in values.items():
            if isinstance(value, str) and clean_value(value):
                fields[key] = clean_value(value)
        text = body or title
        if not text:
            yield error(info.path, "record has no text", number)
            continue
        raw = json.dumps(
            [fields.get("id"), fields.get("url"), title, body], ensure_ascii=False
        ).encode("utf-8")
        yield RawDocument(provenance(info.path, Kind.FEED, raw, info.mtime, number), text, fields)
