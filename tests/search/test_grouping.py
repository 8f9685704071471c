"""Story grouping: one row per story, group info on every hit, "republished" sort, caching."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from search_fixtures import SPECS, TODAY, article, build_index

from index import store
from search import groups as groups_mod
from search.engine import SearchEngine
from search.model import SearchPage, SearchRequest

# a01, a33, a34 are one story in three outlets; a13 and a14 a second (two outlets).
GROUPS = {"a01": "a01", "a33": "a01", "a34": "a01", "a13": "a13", "a14": "a13"}


@pytest.fixture()
def grouped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[SearchEngine, list[float]]]:
    calls: list[float] = []

    def fake(generation: Path, threshold: float) -> dict[str, str]:
        calls.append(threshold)
        return dict(GROUPS)

    monkeypatch.setattr(groups_mod, "load_story_groups", fake)
    engine = SearchEngine(build_index(tmp_path / "index"), today=TODAY)
    yield engine, calls
    engine.close()


def search(engine: SearchEngine, query: str = "", **kw: object) -> SearchPage:
    page = engine.search(SearchRequest(query=query, page_size=100, today=TODAY, **kw))  # type: ignore[arg-type]
    assert page.ok, page.problem
    return page


def test_ungrouped_hits_carry_story_info(grouped: tuple[SearchEngine, list[float]]) -> None:
    engine, _calls = grouped
    page = search(engine, "north korea")
    assert page.total == 3
    for hit in page.hits:
        assert (hit.group, hit.group_size, hit.group_outlets) == ("a01", 3, 3)
    alone = search(engine, "id:a02").hits[0]
    assert (alone.group, alone.group_size, alone.group_outlets) == (None, 1, 1)


def test_grouped_search_has_one_row_per_story(grouped: tuple[SearchEngine, list[float]]) -> None:
    engine, _calls = grouped
    page = search(engine, "north korea OR bank OR missile", group=True)
    ids = [h.id for h in page.hits]
    # Stories: {a01,a33,a34}, {a13,a14}, a15 (bank), a02, a31, a32 (missile)
    assert page.total_articles == 9
    assert page.total == 6 == len(ids)
    assert len({h.group or h.id for h in page.hits}) == len(ids)
    assert not {"a33", "a34"} & set(ids)  # the best-ranked version (a01, index order) stands in
    assert "a01" in ids
    # Facet counts stay per article.
    assert sum(v.count for v in next(f for f in page.facets if f.name == "language").values) == 9


def test_grouped_paging(grouped: tuple[SearchEngine, list[float]]) -> None:
    engine, _calls = grouped
    full = [h.id for h in search(engine, "", group=True, sort="newest").hits]
    assert len(full) == len(SPECS) - 3
    pages = [
        h.id
        for p in range(12)
        for h in engine.search(SearchRequest(group=True, sort="newest", page=p, page_size=4)).hits
    ]
    assert pages == full


def test_republished_sort_puts_big_stories_first(grouped: tuple[SearchEngine, list[float]]) -> None:
    engine, _calls = grouped
    ranked = [h.id for h in search(engine, "", sort="republished").hits]
    assert ranked[:5] == ["a01", "a33", "a34", "a13", "a14"]
    stories = [h.id for h in search(engine, "", sort="republished", group=True).hits]
    assert stories[:3] == ["a01", "a13", "a02"]


def test_groups_are_cached_per_threshold(grouped: tuple[SearchEngine, list[float]]) -> None:
    engine, calls = grouped
    search(engine, "korea")
    search(engine, "bank", group=True)
    assert len(calls) == 1
    search(engine, "bank", group=True, threshold=0.8)
    search(engine, "korea", threshold=0.8)
    assert calls[1:] == [0.8]


def test_no_story_data_means_every_article_alone(engine: SearchEngine) -> None:
    page = search(engine, "north korea", group=True)
    assert page.total == page.total_articles == 3
    assert all(h.group is None and h.group_size == 1 for h in page.hits)


def test_real_story_index(tmp_path: Path) -> None:
    stories = pytest.importorskip("index.stories")
    if not hasattr(stories, "StoryIndex") or not hasattr(stories, "StoryInput"):
        pytest.skip("index.stories has no StoryIndex yet")
    root = build_index(tmp_path / "index")
    gen = store.current_generation(root)
    index = stories.StoryIndex(gen / groups_mod.STORIES_FILE)
    items = []
    for s in SPECS:
        a = article(s)
        items.append(stories.StoryInput(a.id, a.title, a.body, a.date.value, a.source, a.wires))
    for _ in index.add(items):
        pass
    index.close()
    engine = SearchEngine(root, today=TODAY)
    try:
        page = search(engine, "north korea", group=True)
        assert page.total == 1 and page.total_articles == 3
        assert page.hits[0].group_size == 3 and page.hits[0].group_outlets == 3
    finally:
        engine.close()
