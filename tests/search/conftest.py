"""Fixtures: the hand-written archive (see search_fixtures.py) and an engine over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from search_fixtures import TODAY, build_index

from search.engine import SearchEngine


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture archive, two segments (the build pipeline writes one per worker)."""
    return build_index(tmp_path_factory.mktemp("archive") / "index", segments=2)


@pytest.fixture(scope="session")
def engine(index_dir: Path) -> Iterator[SearchEngine]:
    """An engine over the fixture archive, today pinned."""
    e = SearchEngine(index_dir, today=TODAY)
    yield e
    e.close()
