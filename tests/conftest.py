"""Shared fixtures: where the shared corpora and the demo archive are."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Qt must not look for a display, whichever test module imports it first.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Caches (the language model's decompressed copy) go to a folder of the test run, never the
# user's; worker processes inherit it. One folder per run, shared by its tests.
_OWN_CACHE: str | None = None
if "COPYDESK_CACHE_DIR" not in os.environ:
    _OWN_CACHE = os.environ["COPYDESK_CACHE_DIR"] = tempfile.mkdtemp(prefix="copydesk-test-cache-")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove the run's cache folder (68 MB once the language model is cached)."""
    if _OWN_CACHE is not None:
        shutil.rmtree(_OWN_CACHE, ignore_errors=True)


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
