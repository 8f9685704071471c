"""The Whoosh schema of a Copydesk index, and conversion between Articles and index documents.

Schema (version ``SCHEMA_VERSION``; documented in the README):

==============  ===============================  ==================================================
field           type                             use
==============  ===============================  ==================================================
id              ID, unique, stored               the article id (the input's ``id`` when it has one)
title           TEXT, positions, stored          searchable headline, weighted above the body
body            TEXT, positions, stored          cleaned article text (snippets are cut from it)
lead            TEXT, positions                  first paragraph, for lead-only search
byline          TEXT, stored                     author line
source          TEXT                             outlet, tokenised: ``source:abc`` finds "ABC News"
source_key      ID, column, stored               exact outlet for facets and filters ("" = unknown)
wire            KEYWORD (comma list)             canonical agencies, lower-cased, for ``wire:ap``
wires           ID, column, stored               "AP|Reuters" (sorted), for facets and display
date            DATETIME, column                 UTC publication date; absent when unknown
year/month/day  ID, column                       "2019" / "2019-05" / "2019-05-04"; "none" if unknown
date_precision  ID, stored                       minute | day | month | year | none
language        ID, column, stored               ISO 639-1 code or "" when unknown
url             ID, stored                       as given
path            ID, stored                       file the article came from (for ``update``)
word_count      NUMERIC, column, stored          words in the cleaned body
meta            STORED                           JSON: date details, provenance, removed lines …
==============  ===============================  ==================================================

All text fields share one lean analyzer (Unicode word tokens, lower-cased, no stemming): it indexes
faster than Whoosh's StemmingAnalyzer, keeps spelling suggestions real words, and search expands terms
to their variants at query time instead.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from whoosh import fields
from whoosh.analysis import Analyzer, LowercaseFilter, RegexTokenizer

from index.model import Article, DateInfo, Kind, Provenance

SCHEMA_VERSION = 1

# Words, with inner apostrophes and dots kept together ("don't", "u.s", "9.00").
TOKEN_PATTERN = r"\w+(?:[.'’]\w+)*"

TITLE_BOOST = 3.0
NO_DATE_KEY = "none"


def lean_analyzer() -> Analyzer:
    """The analyzer used by every text field (index and query side)."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter()


def build_schema() -> fields.Schema:
    """A fresh schema object (Whoosh schemas are mutable, so never share one)."""
    lean = lean_analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=lean, stored=True, phrase=True, field_boost=TITLE_BOOST),
        body=fields.TEXT(analyzer=lean, stored=True, phrase=True),
        lead=fields.TEXT(analyzer=lean, phrase=True),
        byline=fields.TEXT(analyzer=lean, stored=True, phrase=True),
        source=fields.TEXT(analyzer=lean, phrase=True),
        source_key=fields.ID(stored=True, sortable=True),
        wire=fields.KEYWORD(commas=True, lowercase=True, scorable=False),
        wires=fields.ID(stored=True, sortable=True),
        date=fields.DATETIME(sortable=True),
        year=fields.ID(sortable=True),
        month=fields.ID(sortable=True),
        day=fields.ID(sortable=True),
        date_precision=fields.ID(stored=True),
        language=fields.ID(stored=True, sortable=True),
        url=fields.ID(stored=True),
        path=fields.ID(stored=True),
        word_count=fields.NUMERIC(stored=True, sortable=True),
        meta=fields.STORED(),
    )


def date_keys(date: DateInfo) -> tuple[str, str, str]:
    """Year, month and day facet keys; a coarser precision repeats its own key downwards."""
    if date.value is None:
        return NO_DATE_KEY, NO_DATE_KEY, NO_DATE_KEY
    v = date.value.astimezone(UTC)
    year = f"{v.year:04d}"
    if date.precision == "year":
        return year, NO_DATE_KEY, NO_DATE_KEY
    month = f"{year}-{v.month:02d}"
    if date.precision == "month":
        return year, month, NO_DATE_KEY
    return year, month, f"{month}-{v.day:02d}"


def join_wires(wires: tuple[str, ...]) -> str:
    """The stored/column form of a wire list: sorted, '|'-joined."""
    return "|".join(sorted(set(wires)))


def split_wires(value: str | None) -> tuple[str, ...]:
    """Inverse of :func:`join_wires`."""
    return tuple(w for w in (value or "").split("|") if w)


def to_document(article: Article) -> dict[str, Any]:
    """The Whoosh document for an article."""
    year, month, day = date_keys(article.date)
    doc: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "lead": article.lead,
        "byline": article.byline or "",
        "source": article.source or "",
        "source_key": article.source or "",
        "wire": ",".join(w.lower() for w in article.wires),
        "wires": join_wires(article.wires),
        "year": year,
        "month": month,
        "day": day,
        "date_precision": article.date.precision,
        "language": article.language or "",
        "url": article.url or "",
        "path": article.provenance.path,
        "word_count": article.word_count,
        "meta": json.dumps(_meta(article), ensure_ascii=False),
    }
    if article.date.value is not None:
        # Whoosh drops tzinfo without converting (TECH-NOTES): store naive UTC.
        doc["date"] = article.date.value.astimezone(UTC).replace(tzinfo=None)
    return doc


def _meta(article: Article) -> dict[str, Any]:
    p = article.provenance
    d = article.date
    return {
        "wires": list(article.wires),
        "date": d.value.astimezone(UTC).isoformat() if d.value else None,
        "date_tz": d.tz,
        "date_raw": d.raw,
        "date_origin": d.origin,
        "source_origin": article.source_origin,
        "id_from_input": article.id_from_input,
        "removed": list(article.removed),
        "kind": p.kind.value,
        "record": p.record,
        "content_hash": p.content_hash,
        "file_mtime": p.file_mtime,
    }


def from_stored(stored: dict[str, Any]) -> Article:
    """Rebuild an Article from a document's stored fields (the inverse of :func:`to_document`)."""
    meta = json.loads(stored.get("meta") or "{}")
    date_iso = meta.get("date")
    date = DateInfo(
        value=datetime.fromisoformat(date_iso) if date_iso else None,
        precision=stored.get("date_precision") or "none",
        tz=meta.get("date_tz"),
        raw=meta.get("date_raw"),
        origin=meta.get("date_origin") or "none",
    )
    body = stored.get("body") or ""
    return Article(
        id=stored["id"],
        title=stored.get("title") or "",
        body=body,
        lead=body.split("\n\n", 1)[0],
        provenance=Provenance(
            path=stored.get("path") or "",
            kind=Kind(meta.get("kind") or "text"),
            record=meta.get("record"),
            content_hash=meta.get("content_hash") or "",
            file_mtime=meta.get("file_mtime"),
        ),
        source=stored.get("source_key") or None,
        source_origin=meta.get("source_origin") or "none",
        wires=tuple(meta.get("wires") or split_wires(stored.get("wires"))),
        date=date,
        byline=stored.get("byline") or None,
        url=stored.get("url") or None,
        language=stored.get("language") or None,
        word_count=int(stored.get("word_count") or 0),
        removed=tuple(meta.get("removed") or ()),
        id_from_input=bool(meta.get("id_from_input")),
    )
