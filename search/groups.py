"""Story grouping hook: near-duplicate groups from ``index.stories`` mapped onto docnums.

``index/stories.py`` (``StoryIndex(path).groups(threshold) -> {article id: group id}``, stored at
``<generation>/stories.sqlite``) decides what a story is; search only reads it. Without the module
or the file every article is its own story. Groups are cached per (generation, threshold).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search.index_data import IndexData

log = logging.getLogger(__name__)
STORIES_FILE = "stories.sqlite"
FALLBACK_THRESHOLD = 0.3


def default_threshold() -> float:
    """``index.stories.DEFAULT_THRESHOLD`` when that module is importable."""
    try:
        from index import stories
    except Exception:  # the grouping engine is optional for search
        return FALLBACK_THRESHOLD
    return float(getattr(stories, "DEFAULT_THRESHOLD", FALLBACK_THRESHOLD))


def load_story_groups(generation: Path, threshold: float) -> dict[str, str] | None:
    """Article id → group id (groups of 2+), or None when there is no story data."""
    path = generation / STORIES_FILE
    if not path.is_file():
        return None
    try:
        from index.stories import StoryIndex
    except Exception:
        return None
    try:
        index = StoryIndex(path)
    except Exception as exc:  # a damaged or foreign file must not break search
        log.warning("could not open %s: %s", path, exc)
        return None
    try:
        return dict(index.groups(threshold))
    except Exception as exc:
        log.warning("could not read story groups from %s: %s", path, exc)
        return None
    finally:
        with contextlib.suppress(Exception):
            index.close()


@dataclass
class StoryGroups:
    """Per docnum: a story key (equal for versions of one story), and per group its size/outlets."""

    key: list[int]  # group code for grouped docs, doc_count + docnum for singletons
    group_ids: list[str]  # group code → story id
    sizes: list[int]  # group code → live versions
    outlets: list[int]  # group code → distinct outlets among them
    doc_count: int

    @property
    def any(self) -> bool:
        """True when at least one story has several versions."""
        return any(n >= 2 for n in self.sizes)

    def info(self, docnum: int) -> tuple[str | None, int, int]:
        """(story id or None, versions, outlets) of a docnum."""
        k = self.key[docnum]
        if k >= self.doc_count:
            return None, 1, 1
        return self.group_ids[k], self.sizes[k], self.outlets[k]

    def size(self, docnum: int) -> int:
        """Versions of the docnum's story."""
        k = self.key[docnum]
        return 1 if k >= self.doc_count else self.sizes[k]


def story_groups(
    data: IndexData, searcher: Any, generation: Path, threshold: float | None
) -> StoryGroups:
    """The generation's groups at ``threshold`` (None: the default), cached in ``data``."""
    if threshold is None:
        # Importing index.stories costs ~0.3 s: only when there is story data to read.
        threshold = (
            default_threshold() if (generation / STORIES_FILE).is_file() else FALLBACK_THRESHOLD
        )
    cache_key = ("stories", round(threshold, 6))
    cached = data.extra.get(cache_key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    n = data.doc_count
    key = [n + d for d in range(n)]
    group_ids: list[str] = []
    sizes: list[int] = []
    outlets: list[int] = []
    mapping = load_story_groups(generation, threshold)
    if mapping:
        codes: dict[str, int] = {}
        members: dict[int, list[int]] = {}
        for article_id, group_id in mapping.items():
            d = data.docnum_of(searcher, article_id)
            if d is None:
                continue
            code = codes.setdefault(group_id, len(codes))
            members.setdefault(code, []).append(d)
        sources = data.facet(searcher, "source_key")
        group_ids = [""] * len(codes)
        for gid, code in codes.items():
            group_ids[code] = gid
        sizes = [0] * len(codes)
        outlets = [0] * len(codes)
        for code, docs in members.items():
            if len(docs) < 2:
                continue  # the other versions are gone from this generation
            for d in docs:
                key[d] = code
            sizes[code] = len(docs)
            outlets[code] = len({sources.codes[d] for d in docs})
    groups = StoryGroups(key, group_ids, sizes, outlets, n)
    data.extra[cache_key] = groups
    return groups
