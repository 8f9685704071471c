"""search/ stays Qt-free, and only frozen dataclasses leave the engine."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from search_fixtures import TODAY

from search.engine import SearchEngine
from search.model import SearchRequest

SEARCH = Path(__file__).resolve().parents[2] / "search"


def test_no_qt_in_search() -> None:
    for path in SEARCH.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("PySide6", "PyQt", "shiboken")), (
                    f"{path.name} imports {name}"
                )


def test_results_are_frozen_plain_data(engine: SearchEngine) -> None:
    page = engine.search(SearchRequest(query="missile", today=TODAY))
    seen: list[object] = [
        page,
        *page.hits,
        *page.facets,
        *(v for f in page.facets for v in f.values),
    ]
    for obj in seen:
        assert dataclasses.is_dataclass(obj)
        params = type(obj).__dataclass_params__
        assert params.frozen, type(obj)
        assert type(obj).__module__ == "search.model"
