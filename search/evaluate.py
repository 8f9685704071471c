"""Evaluate a query tree over Whoosh's postings, computing the full match set and BM25F scores.

Whoosh's matchers cost several Python calls per posting and cannot give an exact total, facet
counts and the top hits in one pass. This evaluator reads posting blocks whole
(:meth:`IndexData.read_postings`), works on sets of global docnums (C-speed unions and
intersections), intersects AND clauses rarest-first (later clauses read only the blocks that can
hold a candidate) and checks phrase positions only for documents that contain every word.

Scoring is a second step over the final documents only (after facet filters): BM25F with
Whoosh's parameters (B=0.75, K1=1.2, Whoosh's idf; title weights ×3 from the schema's field boost,
applied at index time), summed over every positive query word, variant and field the article
contains, times the boosts above the word; a phrase scores its idf sum with its occurrence count.

The lead (``lead:``) has no postings of its own: it is the body's first ``lead_len`` positions, so
a lead word is a body posting with a position before that, weighted by its count there, and scored
with the lengths and idf a lead field would have (``IndexData.read_postings``).
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Collection, Iterable, KeysView, Sequence
from dataclasses import dataclass, field
from typing import Any

from search.index_data import K1, LEAD, IndexData, leaves, position_decoder, read_values
from search.syntax import (
    And,
    DateMatch,
    Everything,
    Keyword,
    Node,
    Not,
    Or,
    Pattern,
    Phrase,
    Term,
    UrlMatch,
)
from search.variants import candidates

Scores = dict[int, float]
DocSet = set[int] | KeysView[int]

SCORED_FIELDS = frozenset({"title", "body", "lead", "byline", "source"})
HIGHLIGHT_FIELDS = frozenset({"title", "body", "lead"})
MAX_EXPANSIONS = 200  # words a wildcard or fuzzy term expands to (the most frequent ones)
MAX_URL_TERMS = 5000
# Below this many candidates, later AND clauses skip posting blocks holding none of them.
RESTRICT_MAX = 50_000


@dataclass
class _Scored:
    """A positive query word (or phrase) in one field, with what its BM25F score needs."""

    fieldname: str
    idf: float
    boost: float
    parts: list[tuple[int, Sequence[int], Sequence[float]]]  # (docnum offset, ids, weights)


@dataclass
class Evaluation:
    """The docnums a tree matches, what to highlight, and the words to score them with."""

    docs: set[int]
    data: IndexData
    searcher: Any
    scored: list[_Scored] = field(default_factory=list)
    words: set[str] = field(default_factory=set)  # matched index words (variants, expansions)
    phrases: set[tuple[str, ...]] = field(default_factory=set)
    unknown: list[Term] = field(default_factory=list)  # plain words absent from the index

    def score(self, docs: Iterable[int]) -> Scores:
        """BM25F scores of ``docs``: the sum over the positive query words each one contains.

        Scoring after matching and filtering touches only the final documents, not every
        posting of every word (an AND of common words scores a few hundred articles).
        """
        wanted = docs if isinstance(docs, set) else set(docs)
        acc: Scores = dict.fromkeys(wanted, 0.0)
        if not wanted:
            return acc
        for rec in self.scored:
            c = rec.boost * rec.idf * (K1 + 1)
            norm = self.data.norms(self.searcher, rec.fieldname)
            for off, ids, weights in rec.parts:
                if len(wanted) * 16 < len(ids):
                    # Few documents, long postings: look each one up (the ids are sorted).
                    n = len(ids)
                    for d in wanted:
                        j = bisect.bisect_left(ids, d - off)
                        if j < n and ids[j] == d - off:
                            w = weights[j]
                            acc[d] += c * w / (w + norm[d])
                    continue
                if len(ids) <= 4 * len(wanted):
                    # One pass over the postings (cheaper than building a lookup table).
                    for i, w in zip(ids, weights, strict=False):
                        d = i + off
                        if d in wanted:
                            acc[d] += c * w / (w + norm[d])
                    continue
                table = dict(zip(map(off.__add__, ids) if off else ids, weights, strict=False))
                for d in wanted & table.keys():
                    w = table[d]
                    acc[d] += c * w / (w + norm[d])
        return acc


class Evaluator:
    """Evaluates trees against one thread's searcher and the generation's shared IndexData."""

    def __init__(self, searcher: Any, data: IndexData) -> None:
        self.s = searcher
        self.data = data
        self.leaves: list[tuple[Any, int, int]] = [
            (leaf, off, leaf.doc_count_all()) for leaf, off in leaves(searcher.reader())
        ]
        self._expansions: dict[Node, list[tuple[str, str]]] = {}
        self._df: dict[tuple[str, str], int] = {}
        self._costs: dict[int, int] = {}
        self._restricts: dict[tuple[int, int], tuple[DocSet, list[list[int] | None]]] = {}
        self._scored: list[_Scored] = []
        self._scoring = True
        self.words: set[str] = set()
        self.phrases: set[tuple[str, ...]] = set()
        self.unknown: list[Term] = []

    # --- entry point -----------------------------------------------------------------------

    def evaluate(self, node: Node, scoring: bool = True) -> Evaluation:
        """All live matching docnums; with ``scoring``, what ``Evaluation.score`` needs."""
        self._scoring = scoring
        docs = self.eval(node, None, False, 1.0)
        if self.data.deleted and docs:
            docs -= self.data.deleted
        return Evaluation(
            docs, self.data, self.s, self._scored, self.words, self.phrases, self.unknown
        )

    def eval(self, node: Node, restrict: DocSet | None, negated: bool, boost: float) -> set[int]:
        """Docnums matching ``node`` (a superset outside ``restrict`` is allowed)."""
        if isinstance(node, And):
            return self._and(node, restrict, negated, boost * node.boost)
        if isinstance(node, Or):
            out: set[int] = set()
            for child in node.children:
                out |= self.eval(child, restrict, negated, boost * node.boost)
            return out
        if isinstance(node, Not):
            base = restrict if restrict is not None else self.data.live
            inner = self.eval(node.child, restrict, not negated, boost)
            return set(base) - inner
        if isinstance(node, Term | Pattern):
            return self._words(node, self.expand(node), boost * node.boost, restrict, negated)
        if isinstance(node, Phrase):
            return self._phrase(node, restrict, negated, boost * node.boost)
        if isinstance(node, Keyword):
            return self._ids(node.field, node.value, restrict, None)
        if isinstance(node, DateMatch):
            return set(self._date_docs(node))
        if isinstance(node, UrlMatch):
            return self._url(node)
        if isinstance(node, Everything):
            return set(self.data.live)
        raise TypeError(f"unknown query node {node!r}")  # pragma: no cover

    # --- boolean ---------------------------------------------------------------------------

    def _and(self, node: And, restrict: DocSet | None, negated: bool, boost: float) -> set[int]:
        positive = [c for c in node.children if not isinstance(c, Not)]
        negative = [c.child for c in node.children if isinstance(c, Not)]
        if positive:
            positive.sort(key=self.cost)
            acc = self.eval(positive[0], restrict, negated, boost)
            for child in positive[1:]:
                if not acc:
                    return acc
                hint = acc if len(acc) <= RESTRICT_MAX else restrict
                acc &= self.eval(child, hint, negated, boost)
        else:
            acc = set(restrict if restrict is not None else self.data.live)
        for excluded in negative:
            if not acc:
                break
            hint = acc if len(acc) <= RESTRICT_MAX else None
            acc -= self.eval(excluded, hint, not negated, boost)
        return acc

    # --- words -----------------------------------------------------------------------------

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Documents containing the word in the field (deleted ones included, as Whoosh counts)."""
        key = (fieldname, text)
        df = self._df.get(key)
        if df is None:
            df = 0
            tbytes = text.encode("utf-8")
            for li, (leaf, _off, _n) in enumerate(self.leaves):
                if fieldname == LEAD:
                    got = self.data.read_postings(li, leaf, LEAD, tbytes)
                    df += len(got[0]) if got is not None else 0
                    continue
                try:
                    df += leaf._terms.term_info(fieldname, tbytes).doc_frequency()
                except Exception:  # TermNotFound (or a field the segment lacks)
                    continue
            self._df[key] = df
        return df

    def idf(self, fieldname: str, text: str) -> float:
        """Whoosh's idf of a word in a field (the lead's from its derived postings)."""
        if fieldname != LEAD:
            return float(self.s.idf(fieldname, text))
        # BM25F's idf, as Searcher.idf computes it for a field that has postings.
        return math.log(self.data.doc_count / (self.doc_frequency(LEAD, text) + 1)) + 1

    def expand(self, node: Term | Pattern) -> list[tuple[str, str]]:
        """The (field, word) pairs present in the index that a word or pattern stands for."""
        got = self._expansions.get(node)
        if got is not None:
            return got
        out: list[tuple[str, str]] = []
        if isinstance(node, Term):
            forms = (node.text,) if node.exact else candidates(node.text)
            for f in node.fields:
                out.extend((f, w) for w in forms if self.doc_frequency(f, w))
        else:
            words = self._pattern_words(node)
            for f in node.fields:
                out.extend((f, w) for w in words if self.doc_frequency(f, w))
        self._expansions[node] = out
        return out

    def _pattern_words(self, node: Pattern) -> list[str]:
        vocab, freqs = self.data.vocabulary(self.s)
        if node.kind == "wildcard":
            prefix = re.split(r"[*?]", node.text, maxsplit=1)[0]
            rx = re.compile(_wildcard_regex(node.text))
            lo = bisect.bisect_left(vocab, prefix) if prefix else 0
            hi = bisect.bisect_left(vocab, prefix + "\U0010ffff") if prefix else len(vocab)
            found = [i for i in range(lo, hi) if rx.fullmatch(vocab[i])]
        else:
            from rapidfuzz.distance import DamerauLevenshtein
            from rapidfuzz.process import extract

            first = node.text[:1]
            lo = bisect.bisect_left(vocab, first)
            hi = bisect.bisect_left(vocab, first + "\U0010ffff")
            matches = extract(
                node.text,
                vocab[lo:hi],
                scorer=DamerauLevenshtein.distance,
                score_cutoff=node.maxdist,
                limit=None,
            )
            found = [lo + i for _w, _dist, i in matches]
        if len(found) > MAX_EXPANSIONS:
            found = sorted(found, key=lambda i: -freqs[i])[:MAX_EXPANSIONS]
        return [vocab[i] for i in found]

    def _words(
        self,
        node: Term | Pattern,
        pairs: list[tuple[str, str]],
        boost: float,
        restrict: DocSet | None,
        negated: bool,
    ) -> set[int]:
        if not pairs:
            if isinstance(node, Term) and not negated:
                self.unknown.append(node)
            return set()
        if not negated:
            self.words.update(w for f, w in pairs if f in HIGHLIGHT_FIELDS)
        out: set[int] = set()
        for f, w in pairs:
            record = None
            if self._scoring and not negated and f in SCORED_FIELDS:
                record = _Scored(f, self.idf(f, w), boost, [])
                self._scored.append(record)
            out |= self._ids(f, w, restrict, record)
        return out

    def _local_restrict(
        self, restrict: DocSet | None, fieldname: str, text: str
    ) -> list[list[int] | None] | None:
        """Per segment, the sorted local candidates, when skipping blocks can pay for the word."""
        if restrict is None or len(restrict) > RESTRICT_MAX:
            return None
        if len(restrict) * 8 >= self.doc_frequency(fieldname, text):
            return None  # candidates in nearly every block: read it all (and cache it)
        # Keyed by identity and size: AND narrows its candidate set in place.
        key = (id(restrict), len(restrict))
        cached = self._restricts.get(key)
        if cached is not None and cached[0] is restrict:
            return cached[1]
        ordered = sorted(restrict)
        out: list[list[int] | None] = []
        for _leaf, off, n in self.leaves:
            lo, hi = bisect.bisect_left(ordered, off), bisect.bisect_left(ordered, off + n)
            out.append([d - off for d in ordered[lo:hi]])
        self._restricts[key] = (restrict, out)
        return out

    def _ids(
        self, fieldname: str, text: str, restrict: DocSet | None, record: _Scored | None
    ) -> set[int]:
        tbytes = text.encode("utf-8")
        local = self._local_restrict(restrict, fieldname, text)
        out: set[int] = set()
        for li, (leaf, off, _n) in enumerate(self.leaves):
            lr = local[li] if local is not None else None
            if lr is not None and not lr:
                continue
            got = self.data.read_postings(li, leaf, fieldname, tbytes, lr)
            if got is None:
                continue
            ids, weights = got
            out.update(map(off.__add__, ids) if off else ids)
            if record is not None:
                record.parts.append((off, ids, weights))
        return out

    # --- phrases ---------------------------------------------------------------------------

    def _phrase(
        self, node: Phrase, restrict: DocSet | None, negated: bool, boost: float
    ) -> set[int]:
        out: set[int] = set()
        for f in node.fields:
            tf = self._phrase_field(node, f, restrict)
            if not tf:
                continue
            out.update(tf)
            if self._scoring and not negated and f in SCORED_FIELDS:
                idf = sum(self.idf(f, w) for w in node.words)
                ids = sorted(tf)  # sorted: scoring may bisect
                self._scored.append(_Scored(f, idf, boost, [(0, ids, [float(tf[d]) for d in ids])]))
        if out and not negated and set(node.fields) & HIGHLIGHT_FIELDS:
            if node.slop:
                self.words.update(node.words)
            else:
                self.phrases.add(node.words)
        return out

    def _phrase_field(
        self, node: Phrase, fieldname: str, restrict: DocSet | None
    ) -> dict[int, int]:
        """Docnum → occurrences of the phrase in one field."""
        words = node.words
        if not all(self.doc_frequency(fieldname, w) for w in words):
            return {}
        lead = fieldname == LEAD
        if lead:
            # The lead is the body's first positions: a body phrase that ends inside the lead.
            fieldname = "body"
        # One pass per word (rarest first) reads ids and encoded positions together; later words
        # skip blocks without candidates when that pays.
        order = sorted(set(words), key=lambda w: self.doc_frequency(fieldname, w))
        tables: dict[str, list[dict[int, Any]]] = {}
        cand: set[int] | None = None
        for w in order:
            hint = cand if cand is not None and len(cand) <= RESTRICT_MAX else restrict
            local = self._local_restrict(hint, fieldname, w)
            per_leaf: list[dict[int, Any]] = []
            found: set[int] = set()
            for li, (leaf, off, _n) in enumerate(self.leaves):
                lr = local[li] if local is not None else None
                postings = (
                    read_values(leaf, fieldname, w.encode("utf-8"), lr)
                    if lr is None or lr
                    else None
                )
                if postings is None:
                    per_leaf.append({})
                    continue
                ids, values = postings
                per_leaf.append(dict(zip(ids, values, strict=False)))
                found.update(map(off.__add__, ids) if off else ids)
            tables[w] = per_leaf
            cand = found if cand is None else cand & found
            if not cand:
                return {}
        assert cand is not None
        tf: dict[int, int] = {}
        for li, (leaf, off, n) in enumerate(self.leaves):
            decode = position_decoder(leaf.schema[fieldname].format)
            columns = [tables[w][li] for w in words]
            limits = self.data.lead_lengths(li, leaf) if lead else None
            for d in cand:
                local_d = d - off
                if not 0 <= local_d < n:
                    continue
                lists = [decode(col[local_d]) for col in columns]
                if limits is not None:
                    limit = limits[local_d]
                    lists = [p[: bisect.bisect_left(p, limit)] for p in lists]
                    if not all(lists):
                        continue
                count = _phrase_count(lists, node.slop)
                if count:
                    tf[d] = count
        return tf

    # --- dates and URLs --------------------------------------------------------------------

    def _date_docs(self, node: DateMatch) -> Collection[int]:
        span = node.span
        if span.is_empty():
            return ()
        if span.key is not None:
            level = {4: "year", 7: "month", 10: "day"}[len(span.key)]
            return self.data.facet(self.s, level).docs_for((span.key,))
        dates = self.data.dates(self.s)
        first = span.first.toordinal() if span.first is not None else None
        last = span.last.toordinal() if span.last is not None else None
        return dates.between(first, last)

    def _url(self, node: UrlMatch) -> set[int]:
        table = self.data.extra.get("urls")
        if table is None:
            from search.index_data import _field_items

            table = [
                [
                    (t.decode("utf-8", "replace").lower(), t)
                    for t, _info in _field_items(leaf, "url")
                ]
                for leaf, _off, _n in self.leaves
            ]
            self.data.extra["urls"] = table
        out: set[int] = set()
        needle = node.text
        for li, (leaf, off, _n) in enumerate(self.leaves):
            hits = [t for low, t in table[li] if needle in low][:MAX_URL_TERMS]
            for t in hits:
                got = self.data.read_postings(li, leaf, "url", t)
                if got is not None:
                    out.update(i + off for i in got[0])
        return out

    # --- cost ------------------------------------------------------------------------------

    def cost(self, node: Node) -> int:
        """Estimated matches, to evaluate AND clauses rarest first."""
        key = id(node)
        got = self._costs.get(key)
        if got is not None:
            return got
        value: int
        if isinstance(node, Term | Pattern):
            value = sum(self.doc_frequency(f, w) for f, w in self.expand(node))
        elif isinstance(node, Phrase):
            value = sum(min(self.doc_frequency(f, w) for w in node.words) for f in node.fields)
        elif isinstance(node, Keyword):
            value = self.doc_frequency(node.field, node.value)
        elif isinstance(node, DateMatch):
            value = len(self._date_docs(node))
        elif isinstance(node, And):
            positive = [self.cost(c) for c in node.children if not isinstance(c, Not)]
            value = min(positive) if positive else self.data.doc_count
        elif isinstance(node, Or):
            value = sum(self.cost(c) for c in node.children)
        else:
            value = self.data.doc_count
        self._costs[key] = value
        return value


def _phrase_count(lists: list[list[int]], slop: int) -> int:
    """Occurrences of the words in order, at most ``slop`` other words between neighbours."""
    first, rest = lists[0], lists[1:]
    if slop == 0:
        sets = [set(p) for p in rest]
        return sum(1 for p in first if all(p + i + 1 in s for i, s in enumerate(sets)))
    count = 0
    for p in first:
        cur = p
        for positions in rest:
            j = bisect.bisect_right(positions, cur)
            if j == len(positions) or positions[j] > cur + slop + 1:
                break
            cur = positions[j]
        else:
            count += 1
    return count


def _wildcard_regex(pattern: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
