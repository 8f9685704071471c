"""The search process: searches run in a child, stale ones are skipped, a dead child is restarted
and the window stops it on the way out."""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from process_fakes import gate_engine_factory
from PySide6.QtCore import Qt, QThreadPool

from gui.backend import CURRENT_CALL, CallTag, StaleCallError
from gui.engine_process import EngineProcess, EngineProcessError, ProcessBackend, unwrap
from gui.workers import LatestCall
from search.model import SearchRequest

WAIT = 30_000


@pytest.fixture
def window(real_window: Any) -> Any:
    """A window on the fixture index with the default engine mode (the search process)."""
    return real_window


def type_query(window: Any, qtbot: Any, text: str) -> Any:
    window.query_bar.set_text("")
    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT) as blocker:
        qtbot.keyClicks(window.query_bar.edit, text)
    return blocker.args[0]


def test_searches_and_reads_run_in_the_search_process(window: Any, qtbot: Any) -> None:
    assert window.engine_mode == "process"
    assert isinstance(window.backend, ProcessBackend)
    pid = window.engine_process.pid
    assert pid is not None and pid != os.getpid()

    page = type_query(window, qtbot, "flood")
    assert page.total == 5
    with qtbot.waitSignal(window.articleShown, timeout=WAIT) as blocker:
        window.results_list.setCurrentIndex(window.results_model.index(0, 0))
    assert blocker.args[0].id == page.hits[0].id
    assert window.engine_process.pid == pid  # one child served it all


def test_similar_articles_in_the_reader(window: Any, qtbot: Any) -> None:
    type_query(window, qtbot, "river")
    row = window.results_model.row_of("flood-abc")
    with qtbot.waitSignal(window.articleShown, timeout=WAIT):
        window.results_list.setCurrentIndex(window.results_model.index(row, 0))
    reader = window.reader
    assert reader.similar_button.isEnabled() and not reader.similar_label.isVisible()

    with qtbot.waitSignal(window.similarShown, timeout=WAIT) as blocker:
        qtbot.mouseClick(reader.similar_button, Qt.MouseButton.LeftButton)
    article_id, hits = blocker.args
    assert article_id == "flood-abc"
    assert hits and hits[0].id == "flood-courier"  # the other version of the story
    assert "flood-abc" not in reader.similar_ids
    assert reader.similar_ids == [h.id for h in hits]
    assert reader.similar_label.isVisible()
    assert "Flood warning for river towns" in reader.similar_label.text()

    # A link opens that article; the list stays while reading down it.
    with qtbot.waitSignal(window.articleShown, timeout=WAIT) as shown:
        reader.similar_label.linkActivated.emit("article:flood-courier")
    assert shown.args[0].id == "flood-courier"
    assert reader.similar_label.isVisible()
    # An article outside the list drops it.
    reader.set_article(replace(shown.args[0], id="elsewhere"))
    assert not reader.similar_label.isVisible() and reader.similar_ids == []


def test_a_newer_waiting_search_makes_older_ones_stale(tmp_path: Path) -> None:
    process = EngineProcess(serve_args=(gate_engine_factory,))
    gate = tmp_path / "gate"

    def send(seq: int, query: str) -> Any:
        request = SearchRequest(query=query, request_id=seq)
        tag = CallTag("search", seq, latest_only=True)
        return process.submit(1, tmp_path, None, "search", (request,), tag=tag)

    try:
        # The first holds the child until the gate opens; the other two wait behind it.
        first = send(1, f"wait:{gate}")
        second = send(2, "fl")
        third = send(3, "flood")
        gate.touch()
        assert unwrap(third.result(timeout=30)).request.query == "flood"
        assert second.result(timeout=30).status == "stale"
        with pytest.raises(StaleCallError):
            unwrap(second.result())
        assert first.result(timeout=30).status in ("ok", "stale")
    finally:
        process.close()


def test_a_call_in_flight_fails_when_the_child_dies_and_the_next_one_works(
    tmp_path: Path,
) -> None:
    process = EngineProcess(serve_args=(gate_engine_factory,))
    try:
        with pytest.raises(EngineProcessError, match=r"stopped unexpectedly.*restarted"):
            process.call(1, tmp_path, None, "search", (SearchRequest(query="die"),))
        page = process.call(1, tmp_path, None, "search", (SearchRequest(query="ok"),))
        assert page.total == 2
        assert process.starts == 2
    finally:
        process.close()


def test_killing_the_child_reports_and_restarts(window: Any, qtbot: Any) -> None:
    old = window.engine_process.pid
    with qtbot.waitSignal(window.engineRestarted, timeout=WAIT) as blocker:
        os.kill(old, signal.SIGKILL)
    assert "stopped unexpectedly" in blocker.args[0]
    assert "restarted" in window.statusBar().currentMessage()
    new = window.engine_process.pid
    assert new is not None and new != old
    # The index opens again in the new child on the next search.
    page = type_query(window, qtbot, "drought")
    assert [h.id for h in page.hits] == ["drought"]


def test_the_window_stops_its_search_process(window: Any) -> None:
    process = window.engine_process._child.process
    assert process.is_alive()
    window.shutdown()
    assert not process.is_alive() and process.exitcode is not None
    with pytest.raises(EngineProcessError, match="closed"):
        window.engine_process.call(1, Path("x"), None, "ping")


def test_thread_mode_searches_in_process(qtbot: Any, fixture_index: Path, tmp_path: Path) -> None:
    from gui.main_window import MainWindow
    from gui.settings import AppSettings

    win = MainWindow(
        fixture_index, settings=AppSettings(), demo_dir=tmp_path / "no-demo", engine_mode="thread"
    )
    qtbot.addWidget(win)
    try:
        assert win.engine_process is None
        with qtbot.waitSignal(win.search.pageReady, timeout=WAIT):
            win.start("flood")
        assert win.results_model.total == 5
    finally:
        win.shutdown()


def test_latest_call_skips_superseded_calls_and_tags_them(qtbot: Any) -> None:
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    call = LatestCall(pool, channel="article")
    started, gate = threading.Event(), threading.Event()
    ran: list[tuple[str, CallTag | None]] = []

    def work(name: str) -> str:
        if name == "first":
            started.set()
            gate.wait(10)  # holds the pool's only thread
        ran.append((name, CURRENT_CALL.get()))
        return name

    try:
        call.submit(work, "first")
        assert started.wait(10)
        call.submit(work, "second")  # superseded before a thread is free: never runs
        with qtbot.waitSignal(call.ready, timeout=WAIT) as blocker:
            last = call.submit(work, "third")
            gate.set()
    finally:
        gate.set()
        pool.waitForDone()
    assert blocker.args == ["third"]
    assert [name for name, _tag in ran] == ["first", "third"]
    # The search process sees the channel and the request id (to skip it if a newer one waits).
    assert ran[1][1] == CallTag("article", last, latest_only=True)
