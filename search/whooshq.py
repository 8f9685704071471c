"""Convert a query tree to Whoosh query objects: the baseline in benchmarks and an oracle in tests."""

from __future__ import annotations

from datetime import datetime, time

from whoosh import query as wq

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


def to_whoosh(node: Node) -> wq.Query:
    """The Whoosh query equivalent to ``node`` (variants as an Or of the candidate words)."""
    if isinstance(node, Term):
        forms = (node.text,) if node.exact else candidates(node.text)
        return _or([wq.Term(f, w, boost=node.boost) for f in node.fields for w in forms])
    if isinstance(node, Phrase):
        # Whoosh's slop counts positions (1 = adjacent); ours counts words in between.
        return _or(
            [
                wq.Phrase(f, list(node.words), slop=node.slop + 1, boost=node.boost)
                for f in node.fields
            ]
        )
    if isinstance(node, Pattern):
        if node.kind == "wildcard":
            return _or([wq.Wildcard(f, node.text, boost=node.boost) for f in node.fields])
        return _or(
            [
                wq.FuzzyTerm(f, node.text, boost=node.boost, maxdist=node.maxdist, prefixlength=1)
                for f in node.fields
            ]
        )
    if isinstance(node, Keyword):
        return wq.Term(node.field, node.value)
    if isinstance(node, UrlMatch):
        return wq.Wildcard("url", f"*{node.text}*")
    if isinstance(node, DateMatch):
        span = node.span
        if span.key is not None:
            level = {4: "year", 7: "month", 10: "day"}[len(span.key)]
            return wq.Term(level, span.key)
        start = datetime.combine(span.first, time.min) if span.first else None
        end = datetime.combine(span.last, time.max) if span.last else None
        return wq.DateRange("date", start, end)
    if isinstance(node, Everything):
        return wq.Every()
    if isinstance(node, And):
        return wq.And([to_whoosh(c) for c in node.children], boost=node.boost)
    if isinstance(node, Or):
        return wq.Or([to_whoosh(c) for c in node.children], boost=node.boost)
    if isinstance(node, Not):
        return wq.Not(to_whoosh(node.child))
    raise TypeError(f"unknown query node {node!r}")  # pragma: no cover


def _or(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)
