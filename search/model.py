"""The search API's data: requests in, pages of results out. Frozen, plain, Qt-free, Whoosh-free.

The desktop app and the CLI both speak only these types; no live Whoosh object leaves ``search/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from types import MappingProxyType
from typing import Literal

SortOrder = Literal["relevance", "newest", "oldest", "republished"]
FacetName = Literal["source", "wire", "date", "language"]

# Facet keys for the explicit empty buckets.
UNKNOWN_SOURCE = ""  # articles whose outlet is unknown
NO_WIRE = ""  # articles with no wire credit
NO_DATE = "none"  # articles with no publication date
UNKNOWN_LANGUAGE = ""


def _freeze(
    filters: Mapping[str, frozenset[str] | set[str] | tuple[str, ...] | list[str]] | None,
) -> Mapping[str, frozenset[str]]:
    return MappingProxyType({k: frozenset(v) for k, v in (filters or {}).items() if v})


@dataclass(frozen=True)
class SearchRequest:
    """One search: query text, facet selections, sort, page, grouping and snippet settings.

    ``filters`` maps a facet name to the selected keys: within a facet they are OR-ed, across
    facets AND-ed. Date keys are bucket keys as returned in facets ("2019", "2019-05",
    "2019-05-04", or NO_DATE). ``date_from``/``date_to`` (inclusive) restrict to a range, as the
    timeline sets it. ``today`` pins relative dates in the query ("date:yesterday").
    """

    query: str = ""
    filters: Mapping[str, frozenset[str]] = field(default_factory=lambda: _freeze(None))
    date_from: date | None = None
    date_to: date | None = None
    sort: SortOrder = "relevance"
    page: int = 0
    page_size: int = 20
    group: bool = False  # one row per story
    threshold: float | None = None  # story similarity threshold; None: the index default
    snippets: int = 3  # fragments per hit (0: none)
    snippet_chars: int = 220  # about this many characters per fragment
    today: date | None = None
    request_id: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.filters, MappingProxyType):
            object.__setattr__(self, "filters", _freeze(self.filters))

    def __reduce__(self) -> tuple[object, ...]:
        # MappingProxyType does not pickle, and requests travel to the app's search process:
        # rebuild from a plain dict (__post_init__ freezes it again).
        values = tuple(
            dict(self.filters) if f.name == "filters" else getattr(self, f.name)
            for f in fields(self)
        )
        return (SearchRequest, values)


@dataclass(frozen=True)
class QueryProblem:
    """Why a query could not be run as typed: a message, where, and a corrected query if any."""

    message: str
    position: int | None = None  # character offset in the query, when known
    length: int = 0
    corrected: str | None = None
    # True for mild problems (an unclosed quote, a dangling operator …): the corrected query was
    # run and the page holds its results; False when nothing ran.
    applied: bool = False


@dataclass(frozen=True)
class Hit:
    """One result row (an article, or a story's representative when grouping is on)."""

    id: str
    title: str
    title_html: str  # HTML-escaped, matches wrapped in <mark>…</mark>
    snippets: tuple[str, ...]  # HTML-escaped fragments with <mark>…</mark>
    source: str | None
    wires: tuple[str, ...]
    date: datetime | None  # UTC
    date_precision: str
    byline: str | None
    url: str | None
    path: str
    language: str | None
    score: float
    rank: int  # 0-based position in the full result list
    group: str | None = None  # story id when the article belongs to a story of 2+ versions
    group_size: int = 1  # versions in the story
    group_outlets: int = 1  # distinct outlets in the story


@dataclass(frozen=True)
class FacetValue:
    """One bucket of a facet."""

    key: str  # the filter key ("" or "none" for the empty buckets)
    label: str  # what to show ("(unknown source)", "May 2019", …)
    count: int
    selected: bool = False


@dataclass(frozen=True)
class Facet:
    """A facet's buckets for the current query (counts ignore this facet's own selection)."""

    name: str  # "source", "wire", "date", "language"
    values: tuple[FacetValue, ...]
    granularity: str = ""  # for "date": "year", "month" or "day"


@dataclass(frozen=True)
class SearchPage:
    """One page of results with everything the app shows around them."""

    request: SearchRequest
    total: int  # exact number of matching articles (or stories when grouped)
    hits: tuple[Hit, ...]
    facets: tuple[Facet, ...] = ()
    suggestion: str | None = None  # "did you mean" query
    problem: QueryProblem | None = None  # set when the query could not be run as typed
    elapsed_ms: float = 0.0
    timeline: tuple[tuple[date, int], ...] = ()  # hits per day, for the app's histogram
    total_articles: int = 0  # matching articles (differs from total when grouped)

    @property
    def ok(self) -> bool:
        """True when the query ran (as typed, or corrected when ``problem.applied``)."""
        return self.problem is None or self.problem.applied

    @property
    def has_more(self) -> bool:
        """True when pages after this one exist."""
        return (self.request.page + 1) * self.request.page_size < self.total


RepresentativeRule = Literal["earliest", "longest", "wire", "outlet"]


@dataclass(frozen=True)
class StoryVersion:
    """One article in a story (near-duplicate group)."""

    id: str
    title: str
    source: str | None
    wires: tuple[str, ...]
    date: datetime | None  # UTC
    date_precision: str
    word_count: int
    lag_seconds: float | None  # time after the first dated version; None without a date
    similarity: float  # score against the representative (1.0 for the representative)
    kept_share: float  # share of the representative's words this version kept
    uncredited: bool  # copies a wire-credited text but carries no wire credit itself
    is_representative: bool = False
    is_first: bool = False  # earliest dated version


@dataclass(frozen=True)
class Story:
    """A group of versions of the same underlying text, ordered by date (undated last)."""

    group: str
    versions: tuple[StoryVersion, ...]
    representative: str  # article id chosen by the representative rule
    first: str | None  # article id of the earliest dated version
    outlets: int  # distinct sources
    threshold: float


@dataclass(frozen=True)
class DiffRow:
    """One aligned row of a side-by-side diff: a sentence on either side or both."""

    kind: Literal["equal", "changed", "added", "removed"]
    left: str  # plain text ("" for added)
    right: str  # plain text ("" for removed)
    left_html: str  # HTML-escaped, deleted words in <del>…</del>
    right_html: str  # HTML-escaped, inserted words in <ins>…</ins>


@dataclass(frozen=True)
class StoryDiff:
    """What changed between two versions, and why they were grouped."""

    left_id: str
    right_id: str
    rows: tuple[DiffRow, ...]
    kept_share: float  # share of the left version's words kept in the right one
    score: float | None  # grouping score of the pair (None when not a stored pair)
    shared_passages: tuple[tuple[str, str, float], ...] = ()  # (left, right, similarity)
