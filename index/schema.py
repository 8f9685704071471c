"""The Whoosh schema of a Copydesk index, and conversion between Articles and index documents.

Schema (version ``SCHEMA_VERSION``; documented in the README):

==============  ===============================  ==================================================
field           type                             use
==============  ===============================  ==================================================
id              ID, unique, stored               the article id (the input's ``id`` when it has one)
title           TEXT, positions, stored          searchable headline, weighted above the body
body            TEXT, positions, stored          cleaned article text (snippets are cut from it)
lead_len        COLUMN (not indexed)             words in the body's first paragraph: ``lead:`` is
                                                 the body's postings before that position
byline          TEXT, stored                     author line
source          TEXT                             outlet, tokenised: ``source:abc`` finds "ABC News"
source_key      ID, column, stored               exact outlet for facets and filters ("" = unknown)
wire            KEYWORD (comma list)             canonical agencies, lower-cased, for ``wire:ap``
wires           ID, column, stored               "AP|Reuters" (sorted), for facets and display
date            DATETIME, column                 UTC publication date; absent when unknown
year/month/day  ID, column                       "2019" / "2019-05" / "2019-05-04"; "none" if unknown
date_precision  STORED                           minute | day | month | year | none
language        ID, column, stored               ISO 639-1 code or "" when unknown
url             ID, stored                       as given
path            ID, stored                       file the article came from (for ``update``)
word_count      COLUMN (not indexed)             words in the cleaned body
meta            STORED                           JSON: date details, provenance, removed lines …
==============  ===============================  ==================================================

All text fields share one lean analyzer (Unicode word tokens, lower-cased, no stemming): it indexes
faster than Whoosh's StemmingAnalyzer, keeps spelling suggestions real words, and search expands terms
to their variants at query time instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from whoosh import columns, fields, formats
from whoosh.analysis import Analyzer, LowercaseFilter, RegexTokenizer
from whoosh.system import pack_uint
from whoosh.util.numeric import to_sortable

from index.model import Article, DateInfo, Kind, Provenance

# 2: no ``lead`` postings (a sixth of all postings); lead-only search reads the body's postings up
#    to ``lead_len``.
SCHEMA_VERSION = 2

# Words, with inner apostrophes and dots kept together ("don't", "u.s", "9.00").
TOKEN_PATTERN = r"\w+(?:[.'’]\w+)*"

TITLE_BOOST = 3.0
NO_DATE_KEY = "none"


_TOKEN_RE = re.compile(TOKEN_PATTERN)


def lean_analyzer() -> Analyzer:
    """The analyzer used by every text field (index and query side)."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter()


def _positions(value: str) -> dict[str, list[int]]:
    # Exactly the lean analyzer's tokens and positions, without building a Token per word.
    if value.isascii():
        # Lower-casing ASCII first cannot change where tokens start or end (non-ASCII can:
        # "İ" lowers to two characters), and it is one call instead of one per word.
        words = _TOKEN_RE.findall(value.lower())
    else:
        words = [word.lower() for word in _TOKEN_RE.findall(value)]
    poses: dict[str, list[int]] = {}
    get = poses.get
    for pos, w in enumerate(words):
        found = get(w)
        if found is None:
            poses[w] = [pos]
        else:
            found.append(pos)
    return poses


class FastPositions(formats.Positions):  # type: ignore[misc]
    """Whoosh's Positions format with an indexing path ~3x faster for the lean analyzer.

    The postings it writes are byte-for-byte those of ``Positions`` with ``lean_analyzer()``; only
    indexing is overridden, so queries, highlighting and phrase matching are Whoosh's own.
    """

    def word_values(
        self, value: str, analyzer: Any, **kwargs: Any
    ) -> Iterator[tuple[str, int, float, bytes]]:
        """(word, frequency, weight, encoded positions) for each distinct word."""
        fb = self.field_boost
        for w, poslist in _positions(value).items():
            yield (w, len(poslist), len(poslist) * fb, self.encode(poslist))


class FastFrequency(formats.Frequency):  # type: ignore[misc]
    """Whoosh's Frequency format with the same fast indexing path (no positions)."""

    def word_values(
        self, value: str, analyzer: Any, **kwargs: Any
    ) -> Iterator[tuple[str, int, float, bytes]]:
        """(word, frequency, weight, encoded frequency) for each distinct word."""
        fb = self.field_boost
        for w, poslist in _positions(value).items():
            n = len(poslist)
            yield (w, n, n * fb, pack_uint(n))


class CoarseDatetime(fields.DATETIME):  # type: ignore[misc]
    """DATETIME indexed with 4 range tiers instead of 8: half the postings, ranges stay exact."""

    def __init__(self, stored: bool = False, unique: bool = False, sortable: bool = False) -> None:
        super().__init__(stored=stored, unique=unique, sortable=sortable)
        self.shift_step = 16

    def tier_terms(self, value: datetime) -> list[bytes]:
        """The terms ``index(value)`` yields, converting the date once instead of once per tier."""
        x = to_sortable(self.numtype, self.bits, self.signed, self.to_column_value(value))
        return [self.sortable_to_bytes(x, shift) for shift in range(0, self.bits, self.shift_step)]


class FastExistence(formats.Existence):  # type: ignore[misc]
    """Existence format for ID fields, indexing the whole value without Token objects."""

    def word_values(
        self, value: str, analyzer: Any, **kwargs: Any
    ) -> list[tuple[str, int, float, bytes]]:
        """The value itself as the one term (what IDAnalyzer produces)."""
        return [(value, 1, self.field_boost, b"")]


class FastKeywords(formats.Frequency):  # type: ignore[misc]
    """Frequency format for comma-separated, lower-cased keyword lists, without Token objects."""

    def word_values(
        self, value: str, analyzer: Any, **kwargs: Any
    ) -> Iterator[tuple[str, int, float, bytes]]:
        """Each distinct stripped, lower-cased comma-separated item."""
        counts: dict[str, int] = {}
        for part in value.split(","):
            word = part.strip().lower()
            if word:
                counts[word] = counts.get(word, 0) + 1
        fb = self.field_boost
        for word, n in counts.items():
            yield (word, n, n * fb, pack_uint(n))


def _id(*, stored: bool = False, unique: bool = False, sortable: bool = False) -> fields.ID:
    field = fields.ID(stored=stored, unique=unique, sortable=sortable)
    field.format = FastExistence()
    return field


def _keywords() -> fields.KEYWORD:
    field = fields.KEYWORD(commas=True, lowercase=True, scorable=False)
    field.format = FastKeywords()
    return field


def _text(*, stored: bool = False, phrase: bool = True, field_boost: float = 1.0) -> fields.TEXT:
    field = fields.TEXT(
        analyzer=lean_analyzer(), stored=stored, phrase=phrase, field_boost=field_boost
    )
    fmt = FastPositions if phrase else FastFrequency
    field.format = fmt(field_boost=field_boost)
    return field


def build_schema() -> fields.Schema:
    """A fresh schema object (Whoosh schemas are mutable, so never share one)."""
    return fields.Schema(
        id=_id(stored=True, unique=True),
        title=_text(stored=True, field_boost=TITLE_BOOST),
        body=_text(stored=True),
        byline=_text(stored=True),
        source=_text(),
        source_key=_id(stored=True, sortable=True),
        wire=_keywords(),
        wires=_id(stored=True, sortable=True),
        date=CoarseDatetime(sortable=True),
        year=_id(sortable=True),
        month=_id(sortable=True),
        day=_id(sortable=True),
        date_precision=fields.STORED(),
        language=_id(stored=True, sortable=True),
        url=_id(stored=True),
        path=_id(stored=True),
        word_count=fields.COLUMN(columns.NumericColumn("I")),
        lead_len=fields.COLUMN(columns.NumericColumn("H")),
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


LEAD_LEN_MAX = 2**16 - 1


def lead_length(body: str) -> int:
    """Index words in the body's first paragraph (the lead), as the lean analyzer counts them.

    A token cannot span the blank line that ends a paragraph, so the lead's words are exactly the
    body's first ``lead_length`` positions.
    """
    lead = body.split("\n\n", 1)[0]
    return min(len(_TOKEN_RE.findall(lead)), LEAD_LEN_MAX)


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
        "lead_len": lead_length(article.body),
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
        "word_count": article.word_count,
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
        word_count=int(meta.get("word_count") or 0),
        removed=tuple(meta.get("removed") or ()),
        id_from_input=bool(meta.get("id_from_input")),
    )
