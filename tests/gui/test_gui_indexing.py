"""Indexing in a spawn child process: progress to 100%, cancel keeps the old index, busy index."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gui.index_dialog import IndexProgressDialog
from gui.indexing import IndexJob, IndexSpec
from index import store

WAIT = 120_000  # a spawn child imports the whole pipeline first; slow on a busy 2-core box

_missing = [m for m in ("index.readers", "index.extract") if importlib.util.find_spec(m) is None]
pytestmark = pytest.mark.skipif(
    bool(_missing), reason=f"indexing needs {', '.join(_missing)} (not written yet)"
)

TEXTS = {
    "ferry.txt": (
        "Ferry services cancelled as storm nears\n\n4 May 2019\n\n"
        "All ferry services across the strait were cancelled on Saturday as a storm approached "
        "the coast. Operators said sailings would resume once the swell eased.\n"
    ),
    "budget.txt": (
        "Council passes budget\n\n20 May 2019\n\n"
        "The council passed its budget on Monday, with new money for flood defences and roads. "
        "Rates will rise by three per cent.\n"
    ),
    "farmers.txt": (
        "Drought hits farmers\n\n1 July 2019\n\n"
        "Farmers face a second dry year as the drought deepens across the region, with feed "
        "prices at a record high.\n"
    ),
}


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Three small text articles."""
    folder = tmp_path / "archive"
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def jobs() -> Iterator[list[IndexJob]]:
    """Collects jobs and makes sure no child outlives its test."""
    started: list[IndexJob] = []
    yield started
    for job in started:
        job.shutdown()


def doc_count(root: Path) -> int:
    with store.open_index(root).reader() as reader:
        return int(reader.doc_count())


def test_rebuild_progress_reaches_100_percent(
    qtbot: Any, archive: Path, tmp_path: Path, jobs: list[IndexJob]
) -> None:
    index_dir = tmp_path / "index"
    job = IndexJob(IndexSpec("rebuild", (str(archive),), str(index_dir)))
    jobs.append(job)
    dialog = IndexProgressDialog(job)
    qtbot.addWidget(dialog)
    steps: list[Any] = []
    job.progressed.connect(steps.append)
    with qtbot.waitSignal(job.finished, timeout=WAIT) as blocker:
        job.start()
    summary = blocker.args[0]
    assert summary is not None and summary.indexed == 3 and summary.total_articles == 3
    assert dialog.percent() == 100
    assert "3 articles indexed" in dialog.stage_label.text()
    assert steps and steps[-1].stage == "done" and steps[-1].fraction == 1.0
    assert store.is_index_dir(index_dir) and doc_count(index_dir) == 3
    assert not dialog.cancel_button.isVisible() or dialog.close_button.isVisibleTo(dialog)


@pytest.mark.parametrize("grace_ms", [60_000, 0], ids=["cancel-event", "terminate"])
def test_cancel_leaves_the_old_index(
    qtbot: Any, archive: Path, fixture_index: Path, jobs: list[IndexJob], grace_ms: int
) -> None:
    before = store.current_generation(fixture_index)
    assert doc_count(fixture_index) == 6
    job = IndexJob(IndexSpec("rebuild", (str(archive),), str(fixture_index)))
    job.grace_ms = grace_ms
    jobs.append(job)
    dialog = IndexProgressDialog(job)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(job.cancelled, timeout=WAIT):
        job.start()
        dialog.cancel_button.click()  # sets the Event at once; terminates after the grace
    assert job.state == "cancelled"
    assert "previous index is unchanged" in dialog.stage_label.text()
    assert store.current_generation(fixture_index) == before
    assert doc_count(fixture_index) == 6


def test_busy_index_reports_why(
    qtbot: Any, archive: Path, fixture_index: Path, jobs: list[IndexJob]
) -> None:
    lock = store.WriteLock(fixture_index)
    lock.acquire()
    try:
        job = IndexJob(IndexSpec("update", (str(archive),), str(fixture_index)))
        jobs.append(job)
        dialog = IndexProgressDialog(job)
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(job.failed, timeout=WAIT) as blocker:
            job.start()
    finally:
        lock.release()
    assert "busy" in blocker.args[0]
    assert "busy" in dialog.details.text()


def test_first_start_indexes_the_demo_archive(
    qtbot: Any, make_window: Any, archive: Path, tmp_path: Path
) -> None:
    index_dir = tmp_path / "first-start-index"
    window, _engine = make_window(index_dir=index_dir, demo_dir=archive)
    window.show()
    with (
        qtbot.waitSignal(window.indexingEnded, timeout=WAIT) as ended,
        qtbot.waitSignal(window.search.pageReady, timeout=WAIT),
    ):
        window.start()
    assert ended.args == ["done"]
    assert store.is_index_dir(index_dir) and doc_count(index_dir) == 3
    assert window.settings.archive_paths() == [str(archive)]
    assert window.backend is not None
    dialog = window.progress_dialog
    assert dialog is not None and dialog.percent() == 100
    dialog.close()


def test_demo_mode_updates_an_existing_demo_index(
    qtbot: Any, make_window: Any, archive: Path, tmp_path: Path
) -> None:
    index_dir = tmp_path / "demo-index"
    for _attempt in range(2):  # first a rebuild (no index yet), then an update
        window, _engine = make_window(index_dir=index_dir, demo_dir=archive)
        with (
            qtbot.waitSignal(window.indexingEnded, timeout=WAIT) as ended,
            qtbot.waitSignal(window.search.pageReady, timeout=WAIT),
        ):
            window.start_demo("ferry")
        assert ended.args == ["done"]
        assert window.job is not None
        assert window.job.spec.mode == ("rebuild" if _attempt == 0 else "update")
        assert window.settings.archive_paths() == []  # the demo never becomes the user's archive
        window.shutdown()
    assert doc_count(index_dir) == 3


def _age_schema(index_dir: Path) -> None:
    """Make the live generation look as if an older Copydesk had built it."""
    import json

    meta_file = store.current_generation(index_dir) / store.META_FILE
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["schema_version"] = store.SCHEMA_VERSION - 1
    meta_file.write_text(json.dumps(meta), encoding="utf-8")
    assert not store.has_current_schema(index_dir)


@pytest.mark.parametrize("how", ["start", "demo"])
def test_index_of_another_schema_version_is_rebuilt(
    qtbot: Any, make_window: Any, archive: Path, tmp_path: Path, how: str
) -> None:
    index_dir = tmp_path / "old-index"
    for attempt in range(2):  # build it, age it, then start again
        window, _engine = make_window(index_dir=index_dir, demo_dir=archive)
        with (
            qtbot.waitSignal(window.indexingEnded, timeout=WAIT) as ended,
            qtbot.waitSignal(window.search.pageReady, timeout=WAIT),
        ):
            window.start() if how == "start" else window.start_demo("ferry")
        assert ended.args == ["done"]
        assert window.job is not None and window.job.spec.mode == "rebuild"
        window.shutdown()
        if attempt == 0:
            _age_schema(index_dir)
    assert store.has_current_schema(index_dir) and doc_count(index_dir) == 3
