"""Shared fixtures: where the shared corpora and the demo archive are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Qt must not look for a display, whichever test module imports it first.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
DEMO = REPO / "resources" / "demo"
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The shared corpora folder; tests using it skip in a user's clone, where it is absent."""
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora not present (a user's clone); CI always has it")
    return CORPORA


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The bundled demo archive."""
    return DEMO
