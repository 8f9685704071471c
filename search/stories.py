"""Story data for the app and the CLI: a group's versions, who ran it first, and diffs.

Wraps the near-duplicate engine (``index.stories``) and the index's stored articles; everything
returned is a frozen dataclass from ``search.model``.
"""

from __future__ import annotations

import html
import threading
from datetime import UTC, datetime
from pathlib import Path

from index import store
from index.model import Article
from index.schema import from_stored
from index.stories import DEFAULT_THRESHOLD, StoryIndex, VersionDiff, diff_versions
from search.model import DiffRow, RepresentativeRule, Story, StoryDiff, StoryVersion

_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


class StoryService:
    """Stories of the live index at ``index_dir``; safe to call from several threads."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self.default_threshold = DEFAULT_THRESHOLD
        self._local = threading.local()

    # One SQLite connection and Whoosh index handle per thread and generation.
    def _handles(self) -> tuple[StoryIndex | None, object]:
        gen = store.current_generation(self.index_dir)
        cached = getattr(self._local, "handles", None)
        if cached is not None and cached[0] == gen:
            return cached[1], cached[2]
        if cached is not None and cached[1] is not None:
            cached[1].close()
        path = gen / store.STORIES_FILE
        stories = StoryIndex(path) if path.is_file() else None
        ix = store.open_generation(gen)
        self._local.handles = (gen, stories, ix)
        return stories, ix

    def _articles(self, ids: list[str]) -> dict[str, Article]:
        _stories, ix = self._handles()
        out: dict[str, Article] = {}
        with ix.searcher() as searcher:  # type: ignore[attr-defined]
            for article_id in ids:
                stored = searcher.document(id=article_id)
                if stored:
                    out[article_id] = from_stored(stored)
        return out

    def group_of(self, article_id: str, threshold: float | None = None) -> str | None:
        """The story id of an article, or None when it has no other version."""
        stories, _ix = self._handles()
        if stories is None:
            return None
        return stories.groups(self._threshold(threshold)).get(article_id)

    def groups(self, threshold: float | None = None) -> dict[str, list[str]]:
        """Every story of two or more versions: story id -> article ids."""
        stories, _ix = self._handles()
        if stories is None:
            return {}
        out: dict[str, list[str]] = {}
        for article_id, group in stories.groups(self._threshold(threshold)).items():
            out.setdefault(group, []).append(article_id)
        return {g: sorted(ids) for g, ids in sorted(out.items())}

    def _threshold(self, threshold: float | None) -> float:
        return self.default_threshold if threshold is None else float(threshold)

    def story(
        self,
        article_id: str,
        threshold: float | None = None,
        representative: RepresentativeRule = "earliest",
        preferred_outlet: str | None = None,
    ) -> Story | None:
        """The story an article belongs to, or None when it has no other version."""
        stories, _ix = self._handles()
        if stories is None:
            return None
        limit = self._threshold(threshold)
        group = stories.groups(limit).get(article_id)
        if group is None:
            return None
        articles = self._articles(stories.members(group, limit))
        if len(articles) < 2:
            return None
        members = sorted(articles.values(), key=_date_order)
        rep = choose_representative(members, representative, preferred_outlet)
        dated = [a for a in members if a.date.value is not None]
        first = dated[0] if dated else None
        credited = any(a.wires for a in members)
        versions = []
        for a in members:
            if a.id == rep.id:
                similarity, kept = 1.0, 1.0
            else:
                evidence = stories.explain(rep.id, a.id)
                kept = diff_versions(rep.body, a.body).kept_share
                similarity = evidence.score if evidence is not None else kept
            lag = None
            if first is not None and first.date.value is not None and a.date.value is not None:
                lag = (a.date.value - first.date.value).total_seconds()
            versions.append(
                StoryVersion(
                    id=a.id,
                    title=a.title,
                    source=a.source,
                    wires=a.wires,
                    date=a.date.value,
                    date_precision=a.date.precision,
                    word_count=a.word_count,
                    lag_seconds=lag,
                    similarity=round(float(similarity), 3),
                    kept_share=round(float(kept), 3),
                    uncredited=credited and not a.wires,
                    is_representative=a.id == rep.id,
                    is_first=first is not None and a.id == first.id,
                )
            )
        return Story(
            group=group,
            versions=tuple(versions),
            representative=rep.id,
            first=first.id if first else None,
            outlets=len({a.source for a in members if a.source}),
            threshold=limit,
        )

    def diff(self, left_id: str, right_id: str) -> StoryDiff:
        """Side-by-side diff of two articles, with the grouping evidence when the pair was scored."""
        articles = self._articles([left_id, right_id])
        missing = [i for i in (left_id, right_id) if i not in articles]
        if missing:
            raise KeyError(f"no article with id {', '.join(missing)} in {self.index_dir}")
        left, right = articles[left_id], articles[right_id]
        result = diff_versions(_full_text(left), _full_text(right))
        stories, _ix = self._handles()
        evidence = stories.explain(left_id, right_id) if stories is not None else None
        return StoryDiff(
            left_id=left_id,
            right_id=right_id,
            rows=diff_rows(result),
            kept_share=result.kept_share,
            score=evidence.score if evidence is not None else None,
            shared_passages=tuple(
                (p.a_text, p.b_text, p.similarity) for p in (evidence.passages if evidence else ())
            ),
        )

    def close(self) -> None:
        """Close this thread's handles."""
        cached = getattr(self._local, "handles", None)
        if cached is not None and cached[1] is not None:
            cached[1].close()
        self._local.handles = None


def _full_text(article: Article) -> str:
    # Headlines are rewritten as often as intros: diff them as the first line.
    return f"{article.title}\n\n{article.body}" if article.title else article.body


def _date_order(a: Article) -> tuple[datetime, str]:
    return (a.date.value or _FAR_FUTURE, a.id)


def choose_representative(
    members: list[Article], rule: RepresentativeRule, preferred_outlet: str | None = None
) -> Article:
    """The version that stands for a story under the user's rule."""
    by_date = sorted(members, key=_date_order)
    if rule == "longest":
        return max(by_date, key=lambda a: (a.word_count, -by_date.index(a)))
    if rule == "wire":
        # The agency's own copy: its source is one of its credited wires.
        originals = [a for a in by_date if a.source and a.source in a.wires]
        credited = [a for a in by_date if a.wires]
        return (originals or credited or by_date)[0]
    if rule == "outlet" and preferred_outlet:
        preferred = [a for a in by_date if (a.source or "").lower() == preferred_outlet.lower()]
        if preferred:
            return preferred[0]
    return by_date[0]


def diff_rows(result: VersionDiff) -> tuple[DiffRow, ...]:
    """Sentence operations as aligned rows with word-level <del>/<ins> marks."""
    rows = []
    for op in result.ops:
        if op.tag == "changed":
            left_parts, right_parts = [], []
            for w in op.words:
                a, b = html.escape(w.a), html.escape(w.b)
                if w.tag == "equal":
                    left_parts.append(a)
                    right_parts.append(b)
                    continue
                if a:
                    left_parts.append(f"<del>{a}</del>")
                if b:
                    right_parts.append(f"<ins>{b}</ins>")
            rows.append(DiffRow("changed", op.a, op.b, " ".join(left_parts), " ".join(right_parts)))
        elif op.tag == "removed":
            rows.append(DiffRow("removed", op.a, "", f"<del>{html.escape(op.a)}</del>", ""))
        elif op.tag == "added":
            rows.append(DiffRow("added", "", op.b, "", f"<ins>{html.escape(op.b)}</ins>"))
        else:
            rows.append(DiffRow("equal", op.a, op.b, html.escape(op.a), html.escape(op.b)))
    return tuple(rows)
