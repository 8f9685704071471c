"""The engine does not keep searchers of finished threads, and indexes are plain-file segments."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

from index import store
from index.build import BuildOptions, rebuild
from search.engine import SearchEngine
from search.model import SearchRequest

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"


def test_finished_threads_release_their_searchers(tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    for _ in rebuild([DEMO], idx, BuildOptions(workers=0)):
        pass
    # Compound segments would be copied into memory by every searcher that opens them.
    assert not list(store.current_generation(idx).glob("*.seg"))
    engine = SearchEngine(idx)
    for _ in range(6):
        t = threading.Thread(target=lambda: engine.search(SearchRequest(query="storm")))
        t.start()
        t.join()
    gc.collect()
    assert len(engine._searchers) <= 2  # the opener's and at most one not yet collected
    engine.close()
