"""Deleted documents, an empty index, a segment without dates, and a missing index."""

from __future__ import annotations

from pathlib import Path

import pytest
from search_fixtures import SPECS, TODAY, Spec, build_index

from index import store
from search.engine import SearchEngine
from search.model import SearchRequest


def test_deleted_documents_are_invisible(tmp_path: Path) -> None:
    root = build_index(tmp_path / "index", segments=2)
    ix = store.open_index(root)
    writer = ix.writer()
    writer.delete_by_term("id", "a24")  # oil prices, Daily Ledger, 2018
    writer.delete_by_term("id", "a06")  # undated
    writer.commit(merge=False)
    engine = SearchEngine(root, today=TODAY)
    try:
        assert [h.id for h in engine.search(SearchRequest(query="oil")).hits] == ["a25"]
        page = engine.search(SearchRequest(query="", page_size=100))
        assert page.total == len(SPECS) - 2
        assert {"a24", "a06"}.isdisjoint(h.id for h in page.hits)
        dates = {v.key: v.count for v in next(f for f in page.facets if f.name == "date").values}
        assert dates["none"] == 1 and dates["2018"] == 3
        assert engine.search(SearchRequest(query="-missile")).total == len(SPECS) - 2 - 6
        assert engine.search(SearchRequest(query="date:<2018-03-01")).total == 0
        assert engine.article("a24") is None
        newest = [h.id for h in engine.search(SearchRequest(sort="newest", page_size=100)).hits]
        assert newest[-1] == "a38"
    finally:
        engine.close()


def test_empty_index(tmp_path: Path) -> None:
    root = build_index(tmp_path / "index", ())
    engine = SearchEngine(root, today=TODAY)
    try:
        engine.warm()
        for query in ("", "missile", '"a b"', "comput*", "date:2019", "recesion", "-x"):
            page = engine.search(SearchRequest(query=query, group=True, sort="newest"))
            assert page.ok and page.total == 0 and page.hits == ()
            assert len(page.facets) == 4
        assert engine.complete("title", "a") == []
        assert engine.complete("source", "") == []
        assert engine.more_like_this("x") == ()
    finally:
        engine.close()


def test_segment_without_dates_or_wires(tmp_path: Path) -> None:
    bare = tuple(
        Spec(f"b{i}", f"Bare {i}", "No date, no wire, no source.", None, (), None, "none", None)
        for i in range(3)
    )
    root = build_index(tmp_path / "index", SPECS[:4] + bare, segments=2)
    engine = SearchEngine(root, today=TODAY)
    try:
        page = engine.search(SearchRequest(query="", sort="oldest", page_size=50))
        assert [h.id for h in page.hits][-3:] == ["b0", "b1", "b2"]
        assert engine.search(SearchRequest(query="bare date:2019")).total == 0
    finally:
        engine.close()


def test_missing_index_raises_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(store.IndexNotFoundError):
        SearchEngine(tmp_path / "nowhere")
