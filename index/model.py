"""Plain data passed between Copydesk's readers, extraction, indexing and search.

Everything here is a frozen dataclass of plain Python values: it crosses process boundaries
(pickled to and from worker processes) and layer boundaries (the GUI never sees Whoosh objects).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

DatePrecision = Literal["minute", "day", "month", "year", "none"]
DateOrigin = Literal["metadata", "text", "filename", "relative", "none"]
SourceOrigin = Literal["input", "metadata", "header", "folder", "option", "url", "none"]


class Kind(StrEnum):
    """The raw form an article arrived in."""

    TEXT = "text"
    HTML = "html"
    JSONL = "jsonl"
    CSV = "csv"
    FEED = "feed"
    SGML = "sgml"


@dataclass(frozen=True)
class Provenance:
    """Where an article came from: file, record within it, and a hash of the raw record."""

    path: str
    kind: Kind
    record: int | None = (
        None  # 1-based record number in multi-record files (JSONL, CSV, feeds, SGML)
    )
    content_hash: str = ""  # blake2b-128 hex of the record's raw bytes (or text)
    file_mtime: float | None = None  # seconds since the epoch; anchors relative dates

    def label(self) -> str:
        """A human-readable locator: ``path`` or ``path#record``."""
        return self.path if self.record is None else f"{self.path}#{self.record}"


def _frozen(mapping: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class RawDocument:
    """One record as a reader found it, before cleaning and metadata extraction.

    ``text`` is the article's text as plain text (HTML readers put the extracted main text here).
    ``fields`` holds metadata the input states explicitly, under canonical keys:
    ``id, title, body, source, wires, date, byline, url, language`` (all optional).
    """

    provenance: Provenance
    text: str
    fields: Mapping[str, str] = field(default_factory=lambda: _frozen(None))

    def __post_init__(self) -> None:
        if not isinstance(self.fields, MappingProxyType):
            object.__setattr__(self, "fields", _frozen(self.fields))

    def __reduce__(self) -> tuple[object, ...]:
        # MappingProxyType does not pickle; rebuild from a plain dict in worker processes.
        return (RawDocument, (self.provenance, self.text, dict(self.fields)))


@dataclass(frozen=True)
class ReadError:
    """A file or record that could not be read, with the reason, for the import summary."""

    path: str
    reason: str
    record: int | None = None

    def label(self) -> str:
        """``path`` or ``path#record``."""
        return self.path if self.record is None else f"{self.path}#{self.record}"


@dataclass(frozen=True)
class DateInfo:
    """A publication date with its precision, original timezone and where it was found."""

    value: datetime | None = None  # timezone-aware UTC, or None when no date is known
    precision: DatePrecision = "none"
    tz: str | None = None  # the original UTC offset, e.g. "+10:00"; None when the input had none
    raw: str | None = None  # the text the date was parsed from
    origin: DateOrigin = "none"

    @property
    def known(self) -> bool:
        """True when a date was found."""
        return self.value is not None


NO_DATE = DateInfo()


@dataclass(frozen=True)
class Article:
    """A cleaned article with its metadata, ready to index."""

    id: str
    title: str
    body: str
    provenance: Provenance
    lead: str = ""  # first paragraph of the body
    source: str | None = None  # outlet; None means explicitly unknown
    source_origin: SourceOrigin = "none"
    wires: tuple[str, ...] = ()  # canonical agency names, e.g. ("Reuters", "AP")
    date: DateInfo = NO_DATE
    byline: str | None = None
    url: str | None = None
    language: str | None = None  # ISO 639-1, e.g. "en"
    word_count: int = 0
    removed: tuple[str, ...] = ()  # lines that cleaning took out (chrome, credits, READ MORE …)
    id_from_input: bool = False


@dataclass(frozen=True)
class Skip:
    """Something not indexed and why, for summaries and the GUI's skipped-files list."""

    label: str  # path or path#record
    reason: str


@dataclass(frozen=True)
class Progress:
    """One step of a long operation, yielded by ``rebuild``/``update`` generators."""

    stage: Literal["scan", "index", "commit", "stories", "swap", "done", "cancelled"]
    files_done: int = 0  # in the "stories" stage: articles grouped so far
    files_total: int = 0  # in the "stories" stage: articles to group
    articles: int = 0  # articles read so far
    indexed: int = 0
    skipped: int = 0
    elapsed: float = 0.0
    message: str = ""
    summary: Summary | None = None  # set on the final "done"/"cancelled" step

    @property
    def rate(self) -> float:
        """Articles per second so far."""
        return self.articles / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def fraction(self) -> float | None:
        """Share of files done, or None before the file count is known."""
        if self.files_total <= 0:
            return None
        return min(1.0, self.files_done / self.files_total)

    @property
    def eta(self) -> float | None:
        """Seconds left, estimated from the file fraction, or None when unknown."""
        frac = self.fraction
        if frac is None or frac <= 0 or self.elapsed <= 0:
            return None
        return self.elapsed * (1 - frac) / frac


@dataclass(frozen=True)
class Summary:
    """What a rebuild or update did, for the CLI's closing lines and the GUI's report."""

    index_dir: str
    files: int = 0  # files (or file shards) read
    articles: int = 0  # articles read
    indexed: int = 0  # articles added to the index
    skipped: tuple[Skip, ...] = ()  # unreadable files and records, with reasons
    duplicates: tuple[Skip, ...] = ()  # exact-duplicate content (same article id) not indexed again
    removed_files: int = 0  # files gone since the last run (update only)
    unchanged_files: int = 0  # files not read again (update only)
    total_articles: int = 0  # articles in the index afterwards
    index_bytes: int = 0
    elapsed: float = 0.0
    cancelled: bool = False

    @property
    def rate(self) -> float:
        """Articles read per second."""
        return self.articles / self.elapsed if self.elapsed > 0 else 0.0
