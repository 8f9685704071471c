"""The search API: ``SearchEngine(index_dir).search(SearchRequest) -> SearchPage``.

One engine serves any number of threads: each thread gets its own long-lived Whoosh searcher
(threading.local; a shared searcher corrupts reads, TECH-NOTES) and all threads share the
generation's :class:`~search.index_data.IndexData` arrays. ``refresh()`` swaps in a new
generation (or a new Whoosh commit) by opening new searchers; ``Searcher.refresh()`` is never used
(it returned stale and duplicated documents). Only frozen dataclasses from ``search.model`` and
``index.model`` leave this module.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import logging
import threading
import time
import weakref
from collections import Counter, OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from index import store
from index.model import Article
from index.schema import from_stored, split_wires
from search.evaluate import Evaluation, Evaluator
from search.facets import COLUMN, apply_facets
from search.groups import StoryGroups, story_groups
from search.index_data import IndexData
from search.model import Hit, QueryProblem, SearchPage, SearchRequest, SortOrder
from search.snippets import Highlight, highlight_text, snippets
from search.suggest import SUGGEST_BELOW, suggest
from search.syntax import (
    ALL_FIELD_NAMES,
    TEXT_FIELDS,
    Node,
    Or,
    Parsed,
    Term,
    analyze,
    parse_query,
    walk,
)

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 1000
PARSE_CACHE = 256
RESULT_CACHE = 4  # evaluated queries kept per thread (paging and facet clicks reuse them)
MLT_TERMS = 25


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words too common to tell articles apart (more_like_this skips them).
MLT_STOPWORDS = _words(
    "a about above after again against all also am an and any are as at be because been before "
    "being below between both but by can could did do does doing down during each few for from "
    "further had has have having he her here hers herself him himself his how i if in into is "
    "it its itself just me more most my myself no nor not now of off on once only or other our "
    "ours out over own same she should so some such than that the their theirs them then there "
    "these they this those through to too under until up very was we were what when where which "
    "while who whom why will with would you your yours said says say told according mr mrs ms "
    "one two three new year years reuter reuters ap afp last first week "
)


@dataclass
class _State:
    """One opened generation: its directory, Whoosh index and shared arrays."""

    key: tuple[str, int]  # (generation directory name, Whoosh TOC generation)
    generation: Path
    ix: Any
    data: IndexData


@dataclass
class _Local:
    """A thread's searcher and its cache of evaluated queries."""

    key: tuple[str, int] | None = None
    searcher: Any = None
    results: OrderedDict[tuple[Any, ...], Evaluation] = field(default_factory=OrderedDict)


class SearchEngine:
    """Search a Copydesk index from any number of threads; every result is a frozen dataclass."""

    def __init__(self, index_dir: Path, *, today: date | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.today = today
        self.result_cache = RESULT_CACHE
        self._lock = threading.Lock()
        self._local = threading.local()
        # Weak: a searcher lives as long as its thread's local state; a finished thread's searcher
        # must be collectable, or every short-lived pool thread leaks one.
        self._searchers: weakref.WeakSet[Any] = weakref.WeakSet()
        self._parsed: OrderedDict[tuple[str, date], Parsed] = OrderedDict()
        self._closed = False
        self._state = self._open(store.current_generation(self.index_dir))

    # --- searchers -------------------------------------------------------------------------

    def _open(self, generation: Path) -> _State:
        ix = store.open_generation(generation)
        searcher = ix.searcher()
        state = _State(
            (generation.name, ix.latest_generation()), generation, ix, IndexData(searcher, ("", 0))
        )
        state.data.key = state.key
        self._adopt(state, searcher)
        return state

    def _adopt(self, state: _State, searcher: Any) -> None:
        loc = self._thread_local()
        old = loc.searcher
        loc.key, loc.searcher, loc.results = state.key, searcher, OrderedDict()
        with self._lock:
            self._searchers.add(searcher)
        if old is not None:
            self._close_searcher(old)

    def _thread_local(self) -> _Local:
        loc: _Local | None = getattr(self._local, "state", None)
        if loc is None:
            loc = self._local.state = _Local()
        return loc

    def _close_searcher(self, searcher: Any) -> None:
        with self._lock:
            self._searchers.discard(searcher)
        with contextlib.suppress(Exception):
            searcher.close()

    def _thread(self) -> tuple[_State, Any, _Local]:
        if self._closed:
            raise RuntimeError("the search engine is closed")
        state = self._state
        loc = self._thread_local()
        if loc.key != state.key or loc.searcher is None:
            self._adopt(state, state.ix.searcher())
        return state, loc.searcher, loc

    def refresh(self) -> bool:
        """Reopen when CURRENT names another generation or Whoosh committed; True when it did."""
        if self._closed:
            return False
        try:
            generation = store.current_generation(self.index_dir)
            state = self._state
            if generation.name == state.key[0] and state.ix.latest_generation() == state.key[1]:
                return False
            new = self._open(generation)
        except (store.CopydeskIndexError, OSError, ValueError) as exc:
            log.warning("refresh of %s failed: %s", self.index_dir, exc)
            return False
        self._state = new
        return True

    def warm(self, vocabulary: bool = True) -> None:
        """Load the per-generation arrays now (call from a worker thread after opening).

        Otherwise the first search pays for them: ~0.4 s at 100k articles, plus ~0.3 s for the
        vocabulary on the first wildcard, fuzzy word, suggestion or text completion.
        """
        state, s, _loc = self._thread()
        data = state.data
        for name in ("source_key", "wires", "language", "year", "month", "day"):
            data.facet(s, name)
        data.dates(s)
        for f in ("title", "body"):
            data.norms(s, f)
        story_groups(data, s, state.generation, None)
        if data.doc_count:
            s.stored_fields(0)  # loads the stored-fields offsets
        if vocabulary:
            data.vocabulary(s)

    def close(self) -> None:
        """Close every searcher (call when no search is running)."""
        self._closed = True
        with self._lock:
            searchers, self._searchers = list(self._searchers), weakref.WeakSet()
        for s in searchers:
            with contextlib.suppress(Exception):
                s.close()

    # --- search ----------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchPage:
        """Run one search. Never raises: problems come back in ``page.problem``."""
        t0 = time.perf_counter()
        try:
            return self._search(request, t0)
        except Exception as exc:  # a bug or a damaged index must not take the caller down
            log.exception("search failed for %r", request.query)
            return SearchPage(
                request,
                0,
                (),
                problem=QueryProblem(f"the search failed: {type(exc).__name__}: {exc}"),
                elapsed_ms=(time.perf_counter() - t0) * 1000,
            )

    def _today(self, request: SearchRequest) -> date:
        return request.today or self.today or date.today()

    def parse(self, query: str, today: date) -> Parsed:
        """The parsed query (cached)."""
        key = (query, today)
        with self._lock:
            got = self._parsed.get(key)
            if got is not None:
                self._parsed.move_to_end(key)
                return got
        parsed = parse_query(query, today)
        with self._lock:
            self._parsed[key] = parsed
            while len(self._parsed) > PARSE_CACHE:
                self._parsed.popitem(last=False)
        return parsed

    def _search(self, request: SearchRequest, t0: float) -> SearchPage:
        today = self._today(request)
        parsed = self.parse(request.query, today)
        problem = _problem(parsed)
        if parsed.node is None:
            return SearchPage(request, 0, (), problem=problem, elapsed_ms=_ms(t0))
        state, s, loc = self._thread()
        data = state.data
        text = parsed.corrected if parsed.corrected is not None else request.query
        scoring = request.sort in ("relevance", "republished")
        evaluation = self._evaluate(loc, state, s, parsed.node, (text, today, scoring))
        filtered = apply_facets(data, s, evaluation.docs, request)
        docs = filtered.docs
        scores = evaluation.score(docs) if scoring else {}
        groups = story_groups(data, s, state.generation, request.threshold)
        size = max(0, min(request.page_size, MAX_PAGE_SIZE))
        start = max(0, request.page) * size
        end = start + size
        if request.group:
            order, total = _grouped_order(data, s, docs, scores, request.sort, end, groups)
        else:
            order, total = _order(data, s, docs, scores, request.sort, end, groups), len(docs)
        hl = Highlight(frozenset(evaluation.words), tuple(sorted(evaluation.phrases)))
        hits = tuple(
            self._hit(s, d, scores.get(d, 0.0), start + i, hl, request, groups)
            for i, d in enumerate(order[start:end])
        )
        suggestion = None
        if len(docs) < SUGGEST_BELOW:
            suggestion = self._suggestion(s, data, text, parsed.node)
        return SearchPage(
            request=request,
            total=total,
            hits=hits,
            facets=filtered.facets,
            suggestion=suggestion,
            problem=problem,
            elapsed_ms=_ms(t0),
            timeline=filtered.timeline,
            total_articles=len(docs),
        )

    def _evaluate(
        self, loc: _Local, state: _State, s: Any, node: Node, key: tuple[Any, ...]
    ) -> Evaluation:
        got = loc.results.get(key)
        if got is not None:
            loc.results.move_to_end(key)
            return got
        evaluation = Evaluator(s, state.data).evaluate(node, scoring=key[-1])
        if self.result_cache > 0:
            loc.results[key] = evaluation
            while len(loc.results) > self.result_cache:
                loc.results.popitem(last=False)
        return evaluation

    def _hit(
        self,
        s: Any,
        docnum: int,
        score: float,
        rank: int,
        hl: Highlight,
        request: SearchRequest,
        groups: StoryGroups,
    ) -> Hit:
        stored = s.stored_fields(docnum)
        meta = _meta(stored)
        title = stored.get("title") or ""
        body = stored.get("body") or ""
        group, group_size, group_outlets = groups.info(docnum)
        return Hit(
            id=stored.get("id") or "",
            title=title,
            title_html=highlight_text(title, hl),
            snippets=snippets(body, hl, request.snippets, request.snippet_chars),
            source=stored.get("source_key") or None,
            wires=tuple(meta.get("wires") or split_wires(stored.get("wires"))),
            date=_parse_date(meta.get("date")),
            date_precision=stored.get("date_precision") or "none",
            byline=stored.get("byline") or None,
            url=stored.get("url") or None,
            path=stored.get("path") or "",
            language=stored.get("language") or None,
            score=float(score),
            rank=rank,
            group=group,
            group_size=group_size,
            group_outlets=group_outlets,
        )

    def _suggestion(self, s: Any, data: IndexData, text: str, node: Node) -> str | None:
        terms = [n for n, negated in walk(node) if isinstance(n, Term) and not negated]
        terms = [t for t in terms if set(t.fields) & {"title", "body", "lead"}]
        if not terms:
            return None
        vocab, freqs = data.vocabulary(s)
        ev = Evaluator(s, data)

        def df(word: str) -> int:
            return max(ev.doc_frequency("body", word), ev.doc_frequency("title", word))

        return suggest(text, terms, vocab, freqs, df)

    # --- articles --------------------------------------------------------------------------

    def article(self, article_id: str) -> Article | None:
        """The stored article with this id, or None."""
        _state, s, _loc = self._thread()
        docnum = s.document_number(id=article_id)
        if docnum is None:
            return None
        return from_stored(s.stored_fields(docnum))

    def more_like_this(self, article_id: str, limit: int = 10) -> tuple[Hit, ...]:
        """Articles sharing the article's most distinctive words (the article itself excluded)."""
        state, s, _loc = self._thread()
        docnum = s.document_number(id=article_id)
        if docnum is None or limit <= 0:
            return ()
        stored = s.stored_fields(docnum)
        counts: Counter[str] = Counter(analyze(stored.get("body") or ""))
        for w in analyze(stored.get("title") or ""):
            counts[w] += 2
        ev = Evaluator(s, state.data)
        weighted: list[tuple[float, str]] = []
        for w, tf in counts.items():
            if len(w) < 3 or w in MLT_STOPWORDS or not any(c.isalpha() for c in w):
                continue
            df = ev.doc_frequency("body", w)
            if df < 2:
                continue  # only in this article: matches nothing else
            weighted.append((tf * s.idf("body", w), w))
        top = heapq.nlargest(MLT_TERMS, weighted)
        if not top:
            return ()
        best = top[0][0]
        node = Or(tuple(Term(("title", "body"), w, True, round(wt / best, 3)) for wt, w in top))
        evaluation = ev.evaluate(node)
        evaluation.docs.discard(docnum)
        scores = evaluation.score(evaluation.docs)
        order = _top_by_score(scores.keys(), scores, limit)
        hl = Highlight(frozenset(w for _wt, w in top))
        groups = story_groups(state.data, s, state.generation, None)
        request = SearchRequest(snippets=1)
        return tuple(
            self._hit(s, d, scores[d], i, hl, request, groups) for i, d in enumerate(order)
        )

    def complete(self, field: str, prefix: str, limit: int = 10) -> list[str]:
        """Values of ``field`` starting with ``prefix`` (case-insensitive), most frequent first.

        Facet fields (source, wire, language, date) complete to their values; text fields (title,
        headline, body, lead, byline, author, text) to index words; "" or "field" to field names.
        """
        name = field.strip().lower().rstrip(":")
        low = prefix.lower()
        if limit <= 0:
            return []
        if name in ("", "field"):
            return [f"{f}:" for f in ALL_FIELD_NAMES if f.startswith(low)][:limit]
        state, s, _loc = self._thread()
        data = state.data
        if name in ("source", "wire", "language", "lang"):
            facet = "language" if name == "lang" else name
            col = data.facet(s, COLUMN[facet])
            counts: Counter[str] = Counter()
            for code, n in _code_counts(data, col.codes).items():
                values = split_wires(col.values[code]) if facet == "wire" else (col.values[code],)
                for v in values:
                    if v and v.lower().startswith(low):
                        counts[v] += n
            return [v for v, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))][
                :limit
            ]
        if name == "date":
            found: set[str] = set()
            for level in ("year", "month"):
                found.update(
                    v for v in data.facet(s, level).values if v.startswith(low) and v != "none"
                )
            return sorted(found, reverse=True)[:limit]
        fields = TEXT_FIELDS.get(name)
        if fields is None:
            return []
        if set(fields) & {"title", "body", "lead"}:
            vocab, freqs = data.vocabulary(s)
            import bisect

            lo = bisect.bisect_left(vocab, low)
            hi = bisect.bisect_left(vocab, low + "\U0010ffff")
            best = heapq.nlargest(limit, range(lo, hi), key=freqs.__getitem__)
            return [vocab[i] for i in best]
        words = list(islice(s.reader().expand_prefix(fields[0], low), 2000))
        texts = [w.decode("utf-8", "replace") if isinstance(w, bytes) else str(w) for w in words]
        return heapq.nlargest(limit, texts, key=lambda w: s.doc_frequency(fields[0], w))


# --- helpers ---------------------------------------------------------------------------------


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def _problem(parsed: Parsed) -> QueryProblem | None:
    if not parsed.issues:
        return None
    fatal = [i for i in parsed.issues if i.fatal]
    first = fatal[0] if fatal else parsed.issues[0]
    return QueryProblem(
        first.message, first.start, first.length, parsed.corrected, applied=parsed.node is not None
    )


def _meta(stored: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(stored.get("meta") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _parse_date(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _code_counts(data: IndexData, codes: list[int]) -> Counter[int]:
    counts = Counter(codes)
    for d in data.deleted:
        counts[codes[d]] -= 1
    return counts


def _top_by_score(docs: Collection[int], scores: dict[int, float], k: int) -> list[int]:
    """The ``k`` best docnums by score, equal scores in docnum order."""
    if k <= 0 or not docs:
        return []
    if len(docs) <= k:
        return sorted(docs, key=lambda d: (-scores[d], d))
    if len(scores) == len(docs):
        values: Iterable[float] = scores.values()
        items: Iterable[tuple[int, float]] = scores.items()
    else:
        values = (scores[d] for d in docs)
        items = ((d, scores[d]) for d in docs)
    cut = heapq.nlargest(k, values)[-1]
    above: list[int] = []
    ties: list[int] = []
    for d, v in items:
        if v > cut:
            above.append(d)
        elif v == cut:
            ties.append(d)
    above.sort(key=lambda d: (-scores[d], d))
    # Equal scores across the cut: the lowest docnums.
    return above + heapq.nsmallest(k - len(above), ties)


def _order(
    data: IndexData,
    s: Any,
    docs: set[int],
    scores: dict[int, float],
    sort: SortOrder,
    k: int,
    groups: StoryGroups,
) -> list[int]:
    """The first ``k`` docnums in the requested order (undated last for newest/oldest)."""
    if k <= 0 or not docs:
        return []
    if sort in ("newest", "oldest"):
        dates = data.dates(s)
        if len(docs) * 20 > data.doc_count:
            full = dates.newest if sort == "newest" else dates.oldest
            return list(islice(filter(docs.__contains__, full), k))
        rank = dates.rank_newest if sort == "newest" else dates.rank_oldest
        return heapq.nsmallest(k, docs, key=rank.__getitem__)
    if sort == "republished" and groups.any:
        return heapq.nsmallest(k, docs, key=lambda d: (-groups.size(d), -scores.get(d, 0.0), d))
    return _top_by_score(docs, scores, k)


def _grouped_order(
    data: IndexData,
    s: Any,
    docs: set[int],
    scores: dict[int, float],
    sort: SortOrder,
    k: int,
    groups: StoryGroups,
) -> tuple[list[int], int]:
    """The first ``k`` stories' best-ranked members, and the number of stories."""
    total = len(set(map(groups.key.__getitem__, docs))) if groups.any else len(docs)
    if not groups.any:
        return _order(data, s, docs, scores, sort, k, groups), total
    fetch = min(len(docs), max(k * 4, 100))
    while True:
        ordered = _order(data, s, docs, scores, sort, fetch, groups)
        reps = _first_per_group(ordered, groups, k)
        if len(reps) >= k or fetch >= len(docs):
            return reps, total
        fetch = min(len(docs), fetch * 4)


def _first_per_group(ordered: Iterable[int], groups: StoryGroups, k: int) -> list[int]:
    seen: set[int] = set()
    out: list[int] = []
    for d in ordered:
        g = groups.key[d]
        if g not in seen:
            seen.add(g)
            out.append(d)
            if len(out) >= k:
                break
    return out
