"""The main window on the in-memory engine: searching, facets, grouping, stories, export, keys."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from gui.main_window import TAB_ARTICLE, TAB_COMPARE, TAB_STORY, MainWindow

WAIT = 10_000


def open_window(
    make_window: Callable[..., Any], qtbot: Any, **kwargs: Any
) -> tuple[MainWindow, Any]:
    window, engine = make_window(**kwargs)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT):
        window.open_index()
    return window, engine


def type_query(window: MainWindow, qtbot: Any, text: str) -> Any:
    """Type into the query bar like a user; returns the page that answered."""
    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT) as blocker:
        qtbot.keyClicks(window.query_bar.edit, text)
    return blocker.args[0]


def counts(window: MainWindow, facet: str) -> dict[str, int]:
    return {v.key: v.count for v in window.facets.models[facet].values()}


def test_typing_shows_results_and_facet_counts(make_window: Any, qtbot: Any) -> None:
    window, _engine = open_window(make_window, qtbot)
    assert window.results_model.rowCount() == 6  # empty query: everything

    page = type_query(window, qtbot, "flood")
    assert page.request.query == "flood"
    ids = {h.id for h in window.results_model.hits()}
    assert ids == {"flood-abc", "flood-courier", "insurance", "budget", "election"}
    assert window.results.showing_list()
    assert counts(window, "source") == {"ABC News": 1, "The Courier": 2, "Reuters": 1, "": 1}
    assert counts(window, "wire") == {"AP": 2, "Reuters": 1, "": 2}
    # Empty buckets are listed like any other: no date, unknown source, unknown language.
    assert counts(window, "date")["none"] == 1
    assert "5 results" in window.count_label.toolTip() and "ms" in window.count_label.text()
    assert window.timeline.buckets()  # the histogram got the dated hits


def test_facets_filter_with_or_within_and_across(make_window: Any, qtbot: Any) -> None:
    window, _engine = open_window(make_window, qtbot)
    type_query(window, qtbot, "flood")
    source_counts = counts(window, "source")

    # Tick a facet value by clicking its row, as a user does.
    section = window.facets.sections["source"]
    row = window.facets.models["source"].row_of("The Courier")
    rect = section.view.visualRect(section.view.model().index(row, 0))
    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT):
        qtbot.mouseClick(section.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert {h.id for h in window.results_model.hits()} == {"flood-courier", "budget"}
    assert window.search.request.filters == {"source": frozenset({"The Courier"})}
    assert counts(window, "source") == source_counts  # its own counts ignore its selection
    assert counts(window, "wire") == {"AP": 1, "": 1}  # the other facets follow

    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT):
        window.facets.models["source"].set_checked("ABC News", True)  # OR within a facet
    assert {h.id for h in window.results_model.hits()} == {"flood-courier", "budget", "flood-abc"}

    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT):
        window.facets.models["wire"].set_checked("AP", True)  # AND across facets
    assert {h.id for h in window.results_model.hits()} == {"flood-courier", "flood-abc"}
    assert counts(window, "source") == {"ABC News": 1, "The Courier": 1}
    assert window.facets.sections["wire"].clear_button.isEnabled()

    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT):
        window.facets.sections["wire"].clear_button.click()  # clear one facet
    assert window.search.request.filters == {"source": frozenset({"The Courier", "ABC News"})}


def test_empty_bucket_filter(make_window: Any, qtbot: Any) -> None:
    window, _engine = open_window(make_window, qtbot)
    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT):
        window.facets.models["date"].set_checked("none", True)
    assert [h.id for h in window.results_model.hits()] == ["election"]


def test_grouping_turns_versions_into_one_row(make_window: Any, qtbot: Any) -> None:
    window, _engine = open_window(make_window, qtbot)
    type_query(window, qtbot, "warning")
    assert window.results_model.rowCount() == 2
    assert all(h.group_size == 2 for h in window.results_model.hits())

    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT) as blocker:
        qtbot.keyClick(window.results_list, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args[0].request.group
    assert window.group_button.isChecked()
    assert window.results_model.rowCount() == 1
    hit = window.results_model.hit(0)
    assert (hit.group_size, hit.group_outlets) == (2, 2)
    assert "1 story" in window.count_label.text()
    assert window.threshold_slider.isEnabled()

    # Moving the similarity slider searches again with that threshold.
    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT) as blocker:
        window.threshold_slider.setValue(80)
    assert blocker.args[0].request.threshold == pytest.approx(0.8)
    assert "0.80" in window.threshold_label.text()
    assert "Similarity threshold" in window.threshold_label.toolTip()


def test_story_view_lists_versions_and_diff_shows_changes(make_window: Any, qtbot: Any) -> None:
    window, _engine = open_window(make_window, qtbot)
    type_query(window, qtbot, "warning")
    window.results_list.setCurrentIndex(window.results_model.index(0, 0))
    with (
        qtbot.waitSignal(window.storyShown, timeout=WAIT),
        qtbot.waitSignal(window.diffShown, timeout=WAIT),
    ):
        qtbot.keyClick(window.results_list, Qt.Key.Key_S)
    assert window.tabs.currentIndex() == TAB_STORY
    model = window.story_view.model
    assert model.rowCount() == 2
    outlets = {model.data(model.index(r, 0)).rstrip(" ★") for r in range(2)}
    assert outlets == {"ABC News", "The Courier"}
    assert model.data(model.index(1, 3)) == "+3 h"  # lag from the first version
    assert "2 versions" in window.story_view.header.text()
    assert "first: ABC News" in window.story_view.header.text()
    assert window.story_view.first_view.height() > 30

    diff_text = window.diff_view.browser.toPlainText()
    assert "The mayor said the town had prepared for weeks." in diff_text  # removed
    assert "Schools will stay closed on Monday." in diff_text  # added
    html = window.diff_view.browser.toHtml()
    assert "line-through" in html  # deletions are struck through
    why = window.diff_view.why.text()
    assert "Why grouped" in why and "0.85" in why and "Shared passages" in why

    with qtbot.waitSignal(window.diffShown, timeout=WAIT):
        window.story_view.compare_button.click()
    assert window.tabs.currentIndex() == TAB_COMPARE


def test_bad_query_shows_message_where_it_is(make_window: Any, qtbot: Any) -> None:
    window, _engine = open_window(make_window, qtbot)
    page = type_query(window, qtbot, "flood date:someday")
    assert page.problem is not None and not page.ok
    bar = window.query_bar
    assert bar.showing_message()
    assert "Cannot read the date “someday”" in bar.problem_text()
    assert bar.problem_span() == (11, 7)  # underlines "someday"
    assert bar.edit.property("problem") is True
    assert "could not be run" in window.results.message()
    assert window.results_model.rowCount() == 0


def test_mild_problem_runs_the_corrected_query(make_window: Any, qtbot: Any) -> None:
    window, _engine = open_window(make_window, qtbot)
    page = type_query(window, qtbot, 'flood "warning')
    assert page.problem is not None and page.problem.applied and page.ok
    bar = window.query_bar
    assert "Unclosed quote" in bar.problem_text()
    assert 'showing results for flood "warning"' in bar.problem_text()
    assert bar.problem_span() == (6, 8)
    assert bar.edit.property("problem") is False  # the corrected query ran: no red border
    assert window.results_model.rowCount() == 2  # the corrected query's results are shown

    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT) as blocker:
        bar.problem_label.linkActivated.emit("fix")  # "Use corrected query"
    assert blocker.args[0].problem is None
    assert bar.text() == 'flood "warning"'
    assert not bar.showing_message()


def test_unknown_field_underlines_the_field(make_window: Any, qtbot: Any) -> None:
    window, _engine = open_window(make_window, qtbot)
    type_query(window, qtbot, "flood autor:smith")
    assert window.query_bar.problem_span() == (6, 6)
    assert "Unknown field" in window.query_bar.problem_text()


def test_export_writes_every_result(make_window: Any, qtbot: Any, tmp_path: Path) -> None:
    window, _engine = open_window(make_window, qtbot)
    # Small pages, so the export must walk several of them.
    window.search.request = replace(window.search.request, page_size=2)
    type_query(window, qtbot, "flood")
    assert window.results_model.rowCount() == 2 and window.results_model.total == 5

    out = tmp_path / "results.csv"
    with qtbot.waitSignal(window.exportFinished, timeout=WAIT) as blocker:
        assert window.export_results(out)
    assert blocker.args == [str(out), 5]
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["id"] for r in rows} == {
        "flood-abc",
        "flood-courier",
        "insurance",
        "budget",
        "election",
    }
    assert rows[0]["rank"] == "1" and rows[0]["title"]

    out = tmp_path / "results.jsonl"
    with qtbot.waitSignal(window.exportFinished, timeout=WAIT):
        window.export_results(out)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 5 and records[0]["wires"] is not None
    assert not list(tmp_path.glob("*.part"))


def test_fetch_more_appends_the_next_page(make_window: Any, qtbot: Any) -> None:
    window, _engine = open_window(make_window, qtbot)
    window.search.request = replace(window.search.request, page_size=2)
    type_query(window, qtbot, "flood")
    from PySide6.QtCore import QModelIndex

    for expected in (4, 5):
        with qtbot.waitSignal(window.search.moreReady, timeout=WAIT):
            window.results_model.fetchMore(QModelIndex())
        assert window.results_model.rowCount() == expected
    assert not window.results_model.canFetchMore(QModelIndex())


def test_reader_highlights_matches_and_shows_metadata(make_window: Any, qtbot: Any) -> None:
    window, _engine = open_window(make_window, qtbot)
    type_query(window, qtbot, "river")
    row = window.results_model.row_of("flood-abc")
    with qtbot.waitSignal(window.articleShown, timeout=WAIT):
        window.results_list.setCurrentIndex(window.results_model.index(row, 0))
    reader = window.reader
    assert reader.match_count() == 3  # title, and twice in the body
    assert reader.current_match() == 0
    reader.next_match()
    assert reader.current_match() == 1 and reader.current_match_text().lower() == "river"
    reader.previous_match()
    reader.previous_match()
    assert reader.current_match() == 2  # wraps
    assert "match 3 of 3" in reader.match_label.text()
    assert "ABC News" in reader.meta_text("source")
    assert "AP" in reader.meta_text("wires")
    assert "Jane Doe" in reader.meta_text("byline")
    assert "precision: minute" in reader.meta_text("date")
    assert "/archive/flood-abc.txt" in reader.meta_text("file")
    assert "READ MORE: Storm season" in reader.meta_text("removed")
    assert "https://abc.example/flood" in reader.meta_text("url")


def test_keyboard(make_window: Any, qtbot: Any) -> None:
    window, _engine = open_window(make_window, qtbot)
    type_query(window, qtbot, "flood")
    lst = window.results_list

    lst.setFocus()
    lst.setCurrentIndex(window.results_model.index(0, 0))
    qtbot.keyClick(lst, Qt.Key.Key_J)
    assert lst.currentIndex().row() == 1
    qtbot.keyClick(lst, Qt.Key.Key_J)
    qtbot.keyClick(lst, Qt.Key.Key_J)
    assert lst.currentIndex().row() == 3
    qtbot.keyClick(lst, Qt.Key.Key_K)
    assert lst.currentIndex().row() == 2
    qtbot.keyClick(lst, Qt.Key.Key_K)
    assert lst.currentIndex().row() == 1
    qtbot.keyClick(lst, Qt.Key.Key_Down)
    assert lst.currentIndex().row() == 2

    window.tabs.setCurrentIndex(TAB_STORY)
    with qtbot.waitSignal(window.articleShown, timeout=WAIT) as blocker:
        qtbot.keyClick(lst, Qt.Key.Key_Return)
    assert window.tabs.currentIndex() == TAB_ARTICLE
    assert blocker.args[0].id == window.results_model.hit(2).id

    qtbot.keyClick(lst, Qt.Key.Key_Slash)
    assert window.query_bar.edit.hasFocus()
    lst.setFocus()
    qtbot.keyClick(lst, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.query_bar.edit.hasFocus()

    # Esc clears the query, then (query empty) the filters.
    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT):
        window.facets.models["source"].set_checked("Reuters", True)
    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT):
        qtbot.keyClick(window.query_bar.edit, Qt.Key.Key_Escape)
    assert window.query_bar.text() == ""
    assert window.search.request.filters
    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT):
        qtbot.keyClick(window.query_bar.edit, Qt.Key.Key_Escape)
    assert not window.search.request.filters
    assert window.results_model.rowCount() == 6


def test_help_lists_the_shortcuts(make_window: Any, qtbot: Any) -> None:
    from gui.help_dialog import SHORTCUTS

    window, _engine = open_window(make_window, qtbot)
    dialog = window.show_help()
    assert dialog.table.rowCount() == len(SHORTCUTS)
    keys = {dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())}
    assert "Ctrl+G" in keys and "Esc" in keys and "Ctrl+L  or  /" in keys
    dialog.close()


def test_timeline_click_sets_the_date_filter(make_window: Any, qtbot: Any) -> None:
    window, _engine = open_window(make_window, qtbot)
    timeline = window.timeline
    buckets = timeline.buckets()
    assert timeline.granularity == "day"  # 4 May to 1 July 2019: under two months
    assert sum(b.count for b in buckets) == 5  # undated articles are not on the axis

    # Dragging across bars selects their whole span.
    j = len(buckets) - 1
    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT) as blocker:
        qtbot.mousePress(
            timeline, Qt.MouseButton.LeftButton, pos=timeline.bar_rect(0).center().toPoint()
        )
        qtbot.mouseMove(timeline, pos=timeline.bar_rect(j).center().toPoint())
        qtbot.mouseRelease(
            timeline, Qt.MouseButton.LeftButton, pos=timeline.bar_rect(j).center().toPoint()
        )
    request = blocker.args[0].request
    assert (request.date_from, request.date_to) == (buckets[0].start, buckets[j].end)
    assert window.results_model.total == 5

    # A click selects one bar (the histogram then shows the range it filtered to).
    i = next(i for i, b in enumerate(buckets) if b.count == 2)  # 4 May
    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT) as blocker:
        qtbot.mouseClick(
            timeline, Qt.MouseButton.LeftButton, pos=timeline.bar_rect(i).center().toPoint()
        )
    request = blocker.args[0].request
    assert request.date_from == buckets[i].start and request.date_to == buckets[i].end
    assert {h.id for h in window.results_model.hits()} == {"flood-abc", "flood-courier"}
    assert window.range_label.isVisible()

    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT) as blocker:
        window.range_clear.click()
    assert blocker.args[0].request.date_from is None
    assert not window.range_label.isVisible()


def test_citation_goes_to_the_clipboard(make_window: Any, qtbot: Any) -> None:
    window, _engine = open_window(make_window, qtbot)
    row = window.results_model.row_of("flood-abc")
    with qtbot.waitSignal(window.articleShown, timeout=WAIT):
        window.results_list.setCurrentIndex(window.results_model.index(row, 0))
    text = window.copy_citation()
    assert (
        text
        == "“Flood warning issued for river towns”, ABC News, 4 May 2019. https://abc.example/flood"
    )
    assert QApplication.clipboard().text() == text


def test_story_report_export(make_window: Any, qtbot: Any, tmp_path: Path) -> None:
    window, _engine = open_window(make_window, qtbot)
    with qtbot.waitSignal(window.diffShown, timeout=WAIT):
        window.open_story("flood-courier")
    assert window.export_story(tmp_path / "story.json")
    report = json.loads((tmp_path / "story.json").read_text(encoding="utf-8"))
    assert [v["id"] for v in report["versions"]] == ["flood-abc", "flood-courier"]
    assert report["first"] == "flood-abc" and report["comparison"]["score"] == 0.85
    assert window.export_story(tmp_path / "story.csv")
    with open(tmp_path / "story.csv", encoding="utf-8-sig", newline="") as f:
        assert [r["source"] for r in csv.DictReader(f)] == ["ABC News", "The Courier"]


def test_lone_article_has_no_story(make_window: Any, qtbot: Any) -> None:
    window, _engine = open_window(make_window, qtbot)
    with qtbot.waitSignal(window.storyShown, timeout=WAIT) as blocker:
        window.open_story("drought")
    assert blocker.args[0] is None
    assert "stands alone" in window.story_view.header.text()


def test_completion_offers_fields_and_facet_values(make_window: Any, qtbot: Any) -> None:
    window, _engine = open_window(make_window, qtbot)
    bar = window.query_bar
    qtbot.keyClicks(bar.edit, "sou")
    assert bar.candidates() == ["source:"]
    bar.insert_completion("source:")
    assert bar.text() == "source:"
    qtbot.keyClicks(bar.edit, "th")
    assert bar.candidates() == ['source:"The Courier"']
    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT):
        bar.insert_completion('source:"The Courier"')
    assert bar.text() == 'source:"The Courier" '


def test_history_is_remembered(make_window: Any, qtbot: Any) -> None:
    window, _engine = open_window(make_window, qtbot)
    for q in ("drought", "flood"):
        bar = window.query_bar
        bar.set_text(q)
        with qtbot.waitSignal(window.search.pageReady, timeout=WAIT):
            qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert window.settings.recent_queries()[:2] == ["flood", "drought"]
    window.splitter.setSizes([260, 600, 500])
    sizes = window.splitter.sizes()
    window.save_state()

    assert window.settings.geometry() is not None
    # The offscreen screen is smaller than the window, so a restored geometry would be clamped
    # to it; without one the new window gets the same default size and the exact splitter sizes.
    window.settings.qsettings.remove("window/geometry")

    again, _engine = open_window(make_window, qtbot)
    assert again.query_bar.history()[:2] == ["flood", "drought"]
    assert again.splitter.sizes() == sizes
    # Up in the empty query bar recalls the latest query.
    with qtbot.waitSignal(again.search.pageReady, timeout=WAIT):
        qtbot.keyClick(again.query_bar.edit, Qt.Key.Key_Up)
    assert again.query_bar.text() == "flood"


def test_stale_answers_are_dropped(make_window: Any, qtbot: Any) -> None:
    import threading

    release = threading.Event()

    def hold(request: Any) -> None:
        if request.query == "drought":
            release.wait(5)

    window, _engine = open_window(make_window, qtbot, before=hold)
    pages: list[Any] = []
    window.search.pageReady.connect(pages.append)
    window.search.update(query="drought")  # held in its worker until released
    with qtbot.waitSignal(window.search.pageReady, timeout=WAIT):
        window.search.update(query="flood")
        release.set()
    assert [p.request.query for p in pages] == ["flood"]
    assert window.results_model.total == 5


def test_first_start_without_index_or_demo_explains(make_window: Any, qtbot: Any) -> None:
    window, _engine = make_window()
    window.start()
    assert "No index at" in window.results.message()
    assert window.backend is None


def test_dark_palette_restyles(make_window: Any, qtbot: Any) -> None:
    from PySide6.QtGui import QColor, QPalette

    from gui import theme

    window, _engine = open_window(make_window, qtbot)
    app = QApplication.instance()
    light = app.palette()
    dark = QPalette(light)
    for role, color in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.Base, "#181818"),
        (QPalette.ColorRole.Text, "#e8e8e8"),
        (QPalette.ColorRole.WindowText, "#e8e8e8"),
    ):
        dark.setColor(role, QColor(color))
    try:
        app.setPalette(dark)
        window.apply_theme()
        assert theme.is_dark(app.palette())
        c = theme.colors(app.palette())
        assert c.mark_bg.lightness() < 128  # marks darken with the background
        assert "#181818" in window.query_bar.styleSheet()  # the query box on the dark base
    finally:
        app.setPalette(light)
        window.apply_theme()


def test_delegate_paints_rows(make_window: Any, qtbot: Any) -> None:
    window, _engine = open_window(make_window, qtbot)
    type_query(window, qtbot, "flood")
    window.results_list.setCurrentIndex(window.results_model.index(0, 0))
    image = window.results_list.viewport().grab().toImage()
    assert not image.isNull()
    hint = window.results_list.sizeHintForRow(0)
    assert hint > 40  # title, badges and a snippet
    assert window.results_list.visualRect(window.results_model.index(1, 0)).top() >= hint - 1
    assert image.pixelColor(QPoint(1, 2)).isValid()


def test_archive_dialog_sets_paths_and_index_location(
    make_window: Any, qtbot: Any, tmp_path: Path
) -> None:
    window, _engine = open_window(make_window, qtbot)
    dialog = window.show_archive_dialog()
    dialog.add_paths([str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "a")])
    assert dialog.paths() == [str(tmp_path / "a"), str(tmp_path / "b")]
    assert dialog.update_button.isEnabled() and dialog.rebuild_button.isEnabled()
    dialog.index_edit.setText(str(tmp_path / "elsewhere"))
    dialog.accept()  # Close with changes: remembered, nothing indexed
    assert window.settings.archive_paths() == [str(tmp_path / "a"), str(tmp_path / "b")]
    assert window.settings.index_dir() == tmp_path / "elsewhere"
    assert window.index_dir == tmp_path / "elsewhere"
    assert "No index at" in window.results.message()
