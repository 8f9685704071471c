"""Layering rule: gui -> search -> index. Only index/ and search/ import whoosh; they never import Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _imports(package: str) -> list[tuple[Path, str]]:
    found = []
    for path in sorted((REPO / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.extend((path, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.module))
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("index", ("PySide6", "shiboken6", "search", "gui")),
        ("search", ("PySide6", "shiboken6", "gui")),
        ("gui", ("whoosh",)),
    ],
)
def test_package_does_not_import(package: str, forbidden: tuple[str, ...]) -> None:
    bad = [
        f"{path.relative_to(REPO)} imports {name}"
        for path, name in _imports(package)
        if name.split(".")[0] in forbidden
    ]
    assert not bad, "\n".join(bad)


def test_importing_index_and_search_never_loads_qt() -> None:
    modules = [
        p.relative_to(REPO).with_suffix("").as_posix().replace("/", ".")
        for pkg in ("index", "search")
        for p in sorted((REPO / pkg).rglob("*.py"))
        if p.name != "__main__.py"
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
