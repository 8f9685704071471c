"""Several threads searching at once, refresh after a new generation, and close."""

from __future__ import annotations

import threading
from pathlib import Path

from search_fixtures import SPECS, TODAY, Spec, build_index

from search.engine import SearchEngine
from search.model import SearchRequest

QUERIES = {
    "missile": ["a01", "a02", "a31", "a32", "a33", "a34"],
    "gold": ["a26", "a27"],
    '"prime minister"': ["a01", "a03", "a33", "a34"],
    "date:2019-05": ["a01", "a02", "a03", "a04", "a33", "a34"],
    "wire:ap election": ["a20", "a21"],
}


def test_threads_search_concurrently(engine: SearchEngine) -> None:
    errors: list[str] = []
    start = threading.Barrier(4)

    def worker(n: int) -> None:
        start.wait()
        items = list(QUERIES.items())
        for i in range(40):
            query, expected = items[(i + n) % len(items)]
            page = engine.search(SearchRequest(query=query, page_size=50, today=TODAY))
            got = sorted(h.id for h in page.hits)
            if got != expected or page.total != len(expected) or len(page.facets) != 4:
                errors.append(f"thread {n}: {query!r} gave {got} ({page.problem})")
            for h in page.hits:
                if not h.title or h.date is None:
                    errors.append(f"thread {n}: bad hit {h.id}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:5]


def test_refresh_picks_up_a_new_generation(tmp_path: Path) -> None:
    root = build_index(tmp_path / "index", SPECS[:10])
    engine = SearchEngine(root, today=TODAY)
    try:
        assert engine.search(SearchRequest(query="gold")).total == 0
        assert engine.refresh() is False
        extra = (Spec("z01", "Gold found", "Gold was found in the hills."),)
        build_index(root, SPECS + extra)
        # Until refresh the engine keeps answering from the generation it opened.
        assert engine.search(SearchRequest(query="gold")).total == 0
        assert engine.refresh() is True
        assert engine.search(SearchRequest(query="gold")).total == 3
        assert engine.article("z01") is not None

        # A thread that searched before the refresh gets a new searcher on its next call.
        seen: list[int] = []
        t = threading.Thread(
            target=lambda: seen.append(engine.search(SearchRequest(query="gold")).total)
        )
        t.start()
        t.join()
        assert seen == [3]
    finally:
        engine.close()


def test_refresh_after_a_commit_to_the_same_generation(tmp_path: Path) -> None:
    from search_fixtures import article

    from index import store
    from index.schema import to_document

    root = build_index(tmp_path / "index", SPECS[:5])
    engine = SearchEngine(root, today=TODAY)
    try:
        ix = store.open_index(root)
        writer = ix.writer()
        writer.add_document(
            **to_document(article(Spec("z02", "Silver lining", "Silver prices rose.")))
        )
        writer.commit()
        assert engine.search(SearchRequest(query="silver")).total == 0
        assert engine.refresh() is True
        assert engine.search(SearchRequest(query="silver")).total == 1
        assert engine.refresh() is False
    finally:
        engine.close()


def test_closed_engine_reports_a_problem(tmp_path: Path) -> None:
    engine = SearchEngine(build_index(tmp_path / "index", SPECS[:3]), today=TODAY)
    engine.close()
    page = engine.search(SearchRequest(query="missile"))
    assert page.problem is not None and not page.ok
    assert engine.refresh() is False
