"""An in-memory engine and story service that honour the search contracts, for GUI tests.

They implement what the GUI relies on (facet rule, grouping, paging, problems, diffs) over a
handful of Articles, so the GUI's wiring is tested whether or not ``search.engine`` has landed.
"""

from __future__ import annotations

import difflib
import html
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from index.model import Article, DateInfo, Kind, Provenance
from search.model import (
    NO_DATE,
    DiffRow,
    Facet,
    FacetValue,
    Hit,
    QueryProblem,
    SearchPage,
    SearchRequest,
    Story,
    StoryDiff,
    StoryVersion,
)

FIELDS = {"title", "body", "source", "wire", "language", "byline", "lead", "date", "url", "path"}


def article(
    aid: str,
    title: str,
    body: str,
    *,
    source: str | None,
    wires: tuple[str, ...] = (),
    when: datetime | None = None,
    precision: str = "minute",
    language: str | None = "en",
    byline: str | None = None,
    url: str | None = None,
    removed: tuple[str, ...] = (),
) -> Article:
    """A test Article with provenance and a date."""
    return Article(
        id=aid,
        title=title,
        body=body,
        lead=body.split("\n\n", 1)[0],
        provenance=Provenance(path=f"/archive/{aid}.txt", kind=Kind.TEXT),
        source=source,
        source_origin="input" if source else "none",
        wires=wires,
        date=DateInfo(
            when,
            precision if when else "none",
            "+00:00" if when else None,
            None,
            "metadata" if when else "none",
        ),
        byline=byline,
        url=url,
        language=language,
        word_count=len(body.split()),
        removed=removed,
    )


def _keys(a: Article, facet: str) -> set[str]:
    if facet == "source":
        return {a.source or ""}
    if facet == "wire":
        return set(a.wires) or {""}
    if facet == "language":
        return {a.language or ""}
    if a.date.value is None:
        return {NO_DATE}
    return {a.date.value.strftime("%Y-%m")}


def _label(facet: str, key: str) -> str:
    if facet == "source":
        return key or "(unknown source)"
    if facet == "wire":
        return key or "(no wire)"
    if facet == "language":
        return key or "(unknown language)"
    if key == NO_DATE:
        return "(no date)"
    return datetime.strptime(key, "%Y-%m").strftime("%B %Y")


def _mark(text: str, terms: Iterable[str]) -> str:
    out = html.escape(text)
    for t in terms:
        out = re.sub(rf"\b({re.escape(html.escape(t))})\b", r"<mark>\1</mark>", out, flags=re.I)
    return out


class FakeEngine:
    """Implements SearchEngine's contract over a list of articles (story groups given)."""

    def __init__(
        self,
        articles: list[Article],
        groups: dict[str, str] | None = None,
        before: Callable[[SearchRequest], None] | None = None,
    ) -> None:
        self.articles = {a.id: a for a in articles}
        self.groups = groups or {}
        self.before = before  # called in the worker thread before each search (to hold it)
        self.calls: list[SearchRequest] = []
        self.closed = False
        self._lock = threading.Lock()

    # Query parsing --------------------------------------------------------------------------
    def _problem(self, query: str) -> QueryProblem | None:
        if query.count('"') % 2:
            # Mild, like the real engine: the corrected query runs and the page has results.
            pos = query.rfind('"')
            return QueryProblem("Unclosed quote", pos, len(query) - pos, query + '"', applied=True)
        m = re.search(r"date:(\S+)", query)
        if m and not re.fullmatch(r"\d{4}(-\d{2}){0,2}", m.group(1)):
            return QueryProblem(f"Cannot read the date “{m.group(1)}”", m.start(1), len(m.group(1)))
        depth = 0
        for i, ch in enumerate(query):
            depth += ch == "("
            depth -= ch == ")"
            if depth < 0:
                return QueryProblem("Unmatched “)”", i, 1, query[:i] + query[i + 1 :])
        if depth:
            return QueryProblem("Missing “)”", query.rfind("("), 1, query + ")")
        for m in re.finditer(r"(\w+):", query):
            if m.group(1).lower() not in FIELDS:
                fixed = query[: m.start()] + query[m.end() :]
                return QueryProblem(
                    f"Unknown field “{m.group(1)}”", m.start(), len(m.group(0)), fixed.strip()
                )
        return None

    def _matches(self, a: Article, query: str) -> tuple[bool, list[str]]:
        terms: list[str] = []
        for m in re.finditer(r'(?:(\w+):)?("([^"]*)"|[^\s()"]+)', query):
            field = (m.group(1) or "").lower()
            value = m.group(3) if m.group(3) is not None else m.group(2)
            if value.upper() in ("AND", "OR", "NOT") or field == "date":
                continue
            if field == "source":
                if value.lower() not in (a.source or "").lower():
                    return False, []
            elif field == "wire":
                if value.lower() not in {w.lower() for w in a.wires}:
                    return False, []
            elif field == "language":
                if value.lower() != (a.language or ""):
                    return False, []
            else:
                text = f"{a.title}\n{a.body}".lower()
                if not re.search(rf"\b{re.escape(value.lower())}", text):
                    return False, []
                terms.append(value)
        return True, terms

    def _filtered(self, request: SearchRequest, skip: str | None) -> list[Article]:
        out = []
        for a in self.articles.values():
            ok, _terms = self._matches(a, request.query)
            if not ok:
                continue
            if any(
                name != skip and not (_keys(a, name) & set(keys))
                for name, keys in request.filters.items()
            ):
                continue
            d = a.date.value.date() if a.date.value else None
            if request.date_from and (d is None or d < request.date_from):
                continue
            if request.date_to and (d is None or d > request.date_to):
                continue
            out.append(a)
        return out

    # Contract -------------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchPage:
        """A page of results with facets and timeline."""
        with self._lock:
            self.calls.append(request)
        if self.before is not None:
            self.before(request)
        original = request
        started = time.perf_counter()
        problem = self._problem(request.query)
        if problem is not None and not problem.applied:
            return SearchPage(request=request, total=0, hits=(), problem=problem)
        if problem is not None and problem.corrected:
            request = replace(request, query=problem.corrected)
        matched = self._filtered(request, None)
        key = {
            "newest": lambda a: -(a.date.value.timestamp() if a.date.value else -1e12),
            "oldest": lambda a: a.date.value.timestamp() if a.date.value else 1e12,
        }.get(request.sort, lambda a: a.id)
        matched.sort(key=key)
        rows: list[tuple[Article, int, int]] = []
        if request.group:
            seen: dict[str, list[Article]] = {}
            for a in matched:
                seen.setdefault(self.groups.get(a.id, a.id), []).append(a)
            for members in seen.values():
                outlets = len({m.source for m in members})
                rows.append((members[0], len(members), outlets))
        else:
            for a in matched:
                g = self.groups.get(a.id)
                members = [b for b in self.articles.values() if g and self.groups.get(b.id) == g]
                rows.append((a, max(1, len(members)), max(1, len({m.source for m in members}))))
        start = request.page * request.page_size
        hits = []
        for rank, (a, size, outlets) in enumerate(
            rows[start : start + request.page_size], start=start
        ):
            _ok, terms = self._matches(a, request.query)
            hits.append(
                Hit(
                    id=a.id,
                    title=a.title,
                    title_html=_mark(a.title, terms),
                    snippets=(_mark(a.body[: request.snippet_chars], terms),)
                    if request.snippets
                    else (),
                    source=a.source,
                    wires=a.wires,
                    date=a.date.value,
                    date_precision=a.date.precision,
                    byline=a.byline,
                    url=a.url,
                    path=a.provenance.path,
                    language=a.language,
                    score=1.0 / (rank + 1),
                    rank=rank,
                    group=self.groups.get(a.id),
                    group_size=size,
                    group_outlets=outlets,
                )
            )
        facets = []
        for name in ("source", "wire", "date", "language"):
            counts: Counter[str] = Counter()
            for a in self._filtered(request, name):
                counts.update(_keys(a, name))
            chosen = request.filters.get(name, frozenset())
            facets.append(
                Facet(
                    name,
                    tuple(
                        FacetValue(k, _label(name, k), n, k in chosen)
                        for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
                    ),
                    "month" if name == "date" else "",
                )
            )
        days: Counter[date] = Counter(a.date.value.date() for a in matched if a.date.value)
        return SearchPage(
            request=original,
            total=len(rows),
            problem=problem,
            hits=tuple(hits),
            facets=tuple(facets),
            elapsed_ms=(time.perf_counter() - started) * 1000,
            timeline=tuple(sorted(days.items())),
            total_articles=len(matched),
        )

    def article(self, article_id: str) -> Article | None:
        """A stored article."""
        return self.articles.get(article_id)

    def more_like_this(self, article_id: str, limit: int = 10) -> tuple[Hit, ...]:
        """Not needed by the GUI tests."""
        return ()

    def complete(self, field: str, prefix: str, limit: int = 10) -> list[str]:
        """Values of a field starting with a prefix."""
        values: set[str] = set()
        for a in self.articles.values():
            if field == "source" and a.source:
                values.add(a.source)
            elif field == "wire":
                values.update(a.wires)
        return sorted(v for v in values if v.lower().startswith(prefix.lower()))[:limit]

    def refresh(self) -> bool:
        """Nothing to reload."""
        return False

    def close(self) -> None:
        """Mark closed."""
        self.closed = True


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def _word_diff(left: str, right: str) -> tuple[str, str]:
    a, b = left.split(), right.split()
    lh: list[str] = []
    rh: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b).get_opcodes():
        lw, rw = html.escape(" ".join(a[i1:i2])), html.escape(" ".join(b[j1:j2]))
        if op == "equal":
            lh.append(lw)
            rh.append(rw)
        else:
            if lw:
                lh.append(f"<del>{lw}</del>")
            if rw:
                rh.append(f"<ins>{rw}</ins>")
    return " ".join(lh), " ".join(rh)


class FakeStories:
    """Implements StoryService's contract over the FakeEngine's groups."""

    default_threshold = 0.6

    def __init__(self, engine: FakeEngine) -> None:
        self.engine = engine

    def story(
        self,
        article_id: str,
        threshold: float | None = None,
        representative: str = "earliest",
        preferred_outlet: str | None = None,
    ) -> Story | None:
        """The story of an article (None when it stands alone)."""
        group = self.engine.groups.get(article_id)
        if group is None:
            return None
        members = [
            a for a in self.engine.articles.values() if self.engine.groups.get(a.id) == group
        ]
        members.sort(key=lambda a: a.date.value or datetime.max.replace(tzinfo=UTC))
        first = members[0]
        t0 = first.date.value
        versions = tuple(
            StoryVersion(
                id=a.id,
                title=a.title,
                source=a.source,
                wires=a.wires,
                date=a.date.value,
                date_precision=a.date.precision,
                word_count=a.word_count,
                lag_seconds=(a.date.value - t0).total_seconds() if a.date.value and t0 else None,
                similarity=1.0
                if a is first
                else difflib.SequenceMatcher(a=first.body, b=a.body).ratio(),
                kept_share=1.0 if a is first else 0.8,
                uncredited=False,
                is_representative=a is first,
                is_first=a is first,
            )
            for a in members
        )
        return Story(
            group=group,
            versions=versions,
            representative=first.id,
            first=first.id,
            outlets=len({a.source for a in members}),
            threshold=threshold or self.default_threshold,
        )

    def diff(self, left_id: str, right_id: str) -> StoryDiff:
        """Sentence-aligned diff with word marks."""
        left = self.engine.articles[left_id].body
        right = self.engine.articles[right_id].body
        ls, rs = _sentences(left), _sentences(right)
        rows: list[DiffRow] = []
        matcher = difflib.SequenceMatcher(a=ls, b=rs)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                rows += [DiffRow("equal", s, s, html.escape(s), html.escape(s)) for s in ls[i1:i2]]
            elif op == "delete":
                rows += [
                    DiffRow("removed", s, "", f"<del>{html.escape(s)}</del>", "") for s in ls[i1:i2]
                ]
            elif op == "insert":
                rows += [
                    DiffRow("added", "", s, "", f"<ins>{html.escape(s)}</ins>") for s in rs[j1:j2]
                ]
            else:
                for k in range(max(i2 - i1, j2 - j1)):
                    a = ls[i1 + k] if i1 + k < i2 else ""
                    b = rs[j1 + k] if j1 + k < j2 else ""
                    lh, rh = _word_diff(a, b)
                    rows.append(DiffRow("changed", a, b, lh, rh))
        return StoryDiff(
            left_id=left_id,
            right_id=right_id,
            rows=tuple(rows),
            kept_share=0.8,
            score=0.85,
            shared_passages=((ls[0], rs[0], 1.0),) if ls and rs else (),
        )


def fake_factories(
    articles: list[Article],
    groups: dict[str, str],
    before: Callable[[SearchRequest], None] | None = None,
) -> tuple[FakeEngine, Callable[[Path, date | None], FakeEngine], Callable[[Path], FakeStories]]:
    """An engine plus factories that hand it (and its story service) to the GUI."""
    engine = FakeEngine(articles, groups, before)
    return engine, (lambda _dir, _today: engine), (lambda _dir: FakeStories(engine))
