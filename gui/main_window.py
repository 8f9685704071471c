"""The main window: composes the views and wires them to the search, story and indexing work."""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QSlider,
    QSplitter,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui import theme
from gui.backend import (
    AppBackend,
    Backend,
    EngineFactory,
    StoryFactory,
    default_engine_factory,
    default_story_factory,
)
from gui.controllers import SearchController
from gui.engine_process import EngineProcess, ProcessBackend
from gui.export import format_for, hit_citation, write_story_report
from gui.facet_view import FacetSidebar
from gui.help_dialog import ShortcutsDialog
from gui.index_dialog import ArchiveDialog, IndexProgressDialog
from gui.indexing import IndexJob, IndexSpec, Mode
from gui.models import ResultsModel
from gui.query_bar import FACET_FIELDS, QueryBar
from gui.reader_view import ReaderView
from gui.results_view import ResultsView
from gui.settings import AppSettings
from gui.story_view import DiffView, StoryView
from gui.timeline_view import TimelineView
from gui.workers import ExportWorker, LatestCall, WorkerSignals, next_request_id
from search.model import Hit, SearchPage, Story, StoryDiff

if TYPE_CHECKING:
    from index.model import Article, Summary

SORTS = (
    ("relevance", "Relevance"),
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("republished", "Most republished"),
)
DEFAULT_THRESHOLD = 0.5
EngineMode = Literal["process", "thread"]
THRESHOLD_DEBOUNCE_MS = 250
SIMILAR_LIMIT = 10
TAB_ARTICLE, TAB_STORY, TAB_COMPARE = 0, 1, 2


class AfterPaint(QObject):
    """Runs a callback from a posted event that comes after the window's pending repaint."""

    TYPE = QEvent.Type(QEvent.registerEventType())
    # Qt posts a window's repaint (UpdateRequest) at Qt.LowEventPriority; lower runs later.
    PRIORITY = int(Qt.EventPriority.LowEventPriority.value) - 1

    def __init__(self, callback: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.callback = callback

    def customEvent(self, event: QEvent) -> None:
        if event.type() == self.TYPE:
            self.callback()


class MainWindow(QMainWindow):
    """Copydesk's window. Call ``start()`` once shown: it opens the index or builds the demo one."""

    articleShown = Signal(object)  # Article
    similarShown = Signal(str, object)  # article id, tuple[Hit, ...]
    storyShown = Signal(object)  # Story
    diffShown = Signal(object)  # StoryDiff
    exportFinished = Signal(str, int)  # path, rows
    exportFailed = Signal(str)
    indexingEnded = Signal(str)  # "done", "cancelled" or "failed"
    indexOpened = Signal()
    engineRestarted = Signal(str)  # why: the search process died (and was started again)

    def __init__(
        self,
        index_dir: Path,
        *,
        settings: AppSettings | None = None,
        today: date | None = None,
        engine_factory: EngineFactory = default_engine_factory,
        story_factory: StoryFactory = default_story_factory,
        demo_dir: Path = theme.DEMO_DIR,
        engine_mode: EngineMode | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.index_dir = index_dir
        self.settings = settings or AppSettings()
        self.today = today
        self.engine_factory = engine_factory
        self.story_factory = story_factory
        self.demo_dir = demo_dir
        self.backend: AppBackend | None = None
        # "process": the engine and stories run in a child process, so searching never takes
        # the window's GIL (the default). "thread": in this process, on pool threads (engines
        # injected through the factories, e.g. tests' fakes, can only run here).
        if engine_mode is None:
            default = (engine_factory, story_factory) == (
                default_engine_factory,
                default_story_factory,
            )
            engine_mode = "process" if default else "thread"
        self.engine_mode: EngineMode = engine_mode
        self.engine_process: EngineProcess | None = None
        if engine_mode == "process":
            self.engine_process = EngineProcess(on_event=self._engine_event)
            self.engine_process.start()  # its ~1 s of imports now, not on the first keystroke
        self.job: IndexJob | None = None
        self.progress_dialog: IndexProgressDialog | None = None
        self._theme_key = ""
        self._select_first = False
        self._threshold_touched = False
        self._export: ExportWorker | None = None
        self._export_id = 0
        self._splitters_restored = False
        self._story_article: str | None = None  # the article the shown story was opened from
        self._sidebars_deferred = False
        self._similar_article: str | None = None
        self._after_paint = AfterPaint(self._paint_sidebars, self)

        self.setWindowTitle("Copydesk")
        self.setWindowIcon(theme.app_icon())
        self.setObjectName("mainWindow")

        # Search and loads run in pools; stories get a one-thread pool (their service is not
        # promised to be thread-safe, and its calls are rare and short).
        self.search_pool = QThreadPool(self)
        self.search_pool.setMaxThreadCount(2)
        self.task_pool = QThreadPool(self)
        self.task_pool.setMaxThreadCount(2)
        self.story_pool = QThreadPool(self)
        self.story_pool.setMaxThreadCount(1)

        self.search = SearchController(None, self.search_pool, self)
        self.article_call = LatestCall(self.task_pool, self, channel="article")
        self.complete_call = LatestCall(self.task_pool, self, channel="complete")
        self.similar_call = LatestCall(self.task_pool, self, channel="similar")
        self.refresh_call = LatestCall(self.task_pool, self)
        self.story_call = LatestCall(self.story_pool, self, channel="story")
        self.diff_call = LatestCall(self.story_pool, self, channel="diff")
        self.threshold_call = LatestCall(self.story_pool, self)
        self.export_signals = WorkerSignals(self)

        self._build_views()
        self._build_actions()
        self._wire()
        self._restore_state()
        self.apply_theme()

    # Construction ---------------------------------------------------------------------------
    def _build_views(self) -> None:
        self.query_bar = QueryBar(self)
        self.query_bar.set_history(self.settings.recent_queries())

        self.sort_combo = QComboBox(self)
        for key, text in SORTS:
            self.sort_combo.addItem(text, key)
        self.sort_combo.setToolTip("Sort order")
        self.group_button = QToolButton(self)
        self.group_button.setCheckable(True)
        theme.set_icon(self.group_button, "group")
        self.group_button.setText("Group stories")
        self.group_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.group_button.setToolTip(
            "One row per story: versions of the same text together (Ctrl+G)"
        )
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.threshold_slider.setRange(20, 95)
        self.threshold_slider.setValue(round(DEFAULT_THRESHOLD * 100))
        self.threshold_slider.setFixedWidth(100)
        self.threshold_slider.setToolTip("How similar two articles must be to count as one story")
        self.threshold_label = QLabel("", self)
        self.threshold_label.setObjectName("thresholdLabel")
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("countLabel")
        self.range_label = QLabel("", self)
        self.range_label.setObjectName("mutedLabel")
        self.range_clear = QToolButton(self)
        theme.set_icon(self.range_clear, "clear")
        self.range_clear.setToolTip("Clear the date range")
        self.range_label.hide()
        self.range_clear.hide()
        # Labels whose text changes with every search get a fixed size: a fixed-size widget's
        # new text does not invalidate the window's layout, which cost a 25 ms relayout of the
        # whole window per search (bench/gui_bench.py).
        fm = self.count_label.fontMetrics()
        line = fm.height() + 4
        self.count_label.setFixedSize(
            fm.horizontalAdvance("8,888 stories (88,888 articles) · 888 ms"), line
        )
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.threshold_label.setFixedSize(fm.horizontalAdvance("≥ 0.00 (default)") + 6, line)
        self.range_label.setFixedSize(fm.horizontalAdvance("8888-88-88 – 8888-88-88") + 6, line)

        options = QHBoxLayout()
        options.setContentsMargins(0, 0, 0, 0)
        options.addWidget(self.sort_combo)
        options.addSpacing(8)
        options.addWidget(self.group_button)
        options.addWidget(self.threshold_slider)
        options.addWidget(self.threshold_label)
        options.addStretch(1)
        options.addWidget(self.range_label)
        options.addWidget(self.range_clear)
        options.addSpacing(8)
        options.addWidget(self.count_label)

        self.timeline = TimelineView(self)
        self.results_model = ResultsModel(self)
        self.results = ResultsView(self.results_model, self)
        self.results_list = self.results.list

        center = QWidget(self)
        cl = QVBoxLayout(center)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(4)
        cl.addLayout(options)
        cl.addWidget(self.timeline)
        cl.addWidget(self.results, 1)

        self.facets = FacetSidebar(self)
        self.reader = ReaderView(self)
        self.story_view = StoryView(self)
        self.diff_view = DiffView(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("sidePane")
        self.tabs.addTab(self.reader, theme.icon("file"), "Article")
        self.tabs.addTab(self.story_view, theme.icon("story"), "Story")
        self.tabs.addTab(self.diff_view, theme.icon("diff"), "Compare")
        self.tabs.setDocumentMode(True)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.facets)
        self.splitter.addWidget(center)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setSizes([220, 640, 620])
        self.splitter.setChildrenCollapsible(False)

        root = QWidget(self)
        rl = QVBoxLayout(root)
        rl.setContentsMargins(8, 6, 8, 4)
        rl.setSpacing(6)
        rl.addWidget(self.query_bar)
        rl.addWidget(self.splitter, 1)
        self.setCentralWidget(root)

        self.status_label = QLabel("", self)
        self.status_label.setObjectName("statusLabel")
        self.statusBar().addPermanentWidget(self.status_label)
        self.statusBar().setSizeGripEnabled(True)
        self._update_threshold_label()
        self.results.show_message("Type to search the archive.")

    def _build_actions(self) -> None:
        def action(name: str, text: str, icon: str | None, keys: list[str], slot: Any) -> QAction:
            act = QAction(text, self)
            if icon:
                theme.set_icon(act, icon)
            act.setObjectName(name)
            if keys:
                act.setShortcuts([QKeySequence(k) for k in keys])
                act.setToolTip(f"{text} ({keys[0]})")
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.archive_action = action(
            "archiveAction", "Archive…", "folder-add", ["Ctrl+O"], self.show_archive_dialog
        )
        self.update_action = action(
            "updateAction", "Update index", "update", ["Ctrl+U"], lambda: self.index_paths("update")
        )
        self.rebuild_action = action(
            "rebuildAction", "Rebuild index", "rebuild", [], lambda: self.index_paths("rebuild")
        )
        self.export_action = action(
            "exportAction", "Export results…", "export", ["Ctrl+E"], lambda: self.export_results()
        )
        self.cite_action = action(
            "citeAction", "Copy citation", "copy", ["Ctrl+Shift+C"], self.copy_citation
        )
        self.help_action = action("helpAction", "Help", "help", ["F1"], self.show_help)
        self.quit_action = action("quitAction", "Quit", None, ["Ctrl+Q"], self.close)

        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for act in (
            self.archive_action,
            self.update_action,
            self.rebuild_action,
            self.export_action,
            self.cite_action,
        ):
            toolbar.addAction(act)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.help_action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)

        menu = self.menuBar().addMenu("&File")
        for act in (self.archive_action, self.update_action, self.rebuild_action):
            menu.addAction(act)
        menu.addSeparator()
        menu.addAction(self.export_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        menu = self.menuBar().addMenu("&Help")
        menu.addAction(self.help_action)

        def shortcut(keys: str, slot: Any) -> QShortcut:
            sc = QShortcut(QKeySequence(keys), self)
            sc.activated.connect(slot)
            return sc

        self.shortcuts = {
            "focus": shortcut("Ctrl+L", self.query_bar.focus),
            "slash": shortcut("/", self.query_bar.focus),
            "group": shortcut("Ctrl+G", self.group_button.toggle),
            "escape": shortcut("Esc", self.clear_search),
            "next": shortcut("F3", self.reader.next_match),
            "prev": shortcut("Shift+F3", self.reader.previous_match),
            "n": shortcut("N", self.reader.next_match),
            "N": shortcut("Shift+N", self.reader.previous_match),
            "story": shortcut("S", self.open_selected_story),
        }

    def _wire(self) -> None:
        qb = self.query_bar
        qb.queryChanged.connect(lambda text: self.run_query(text, submitted=False))
        qb.querySubmitted.connect(lambda text: self.run_query(text, submitted=True))
        qb.completionWanted.connect(self._on_completion_wanted)
        qb.moveToResults.connect(self.focus_results)
        self.complete_call.ready.connect(self._on_completions)

        self.sort_combo.currentIndexChanged.connect(
            lambda _i: self.search.update(sort=self.sort_combo.currentData())
        )
        self.group_button.toggled.connect(self._on_group_toggled)
        self._threshold_timer = QTimer(self)
        self._threshold_timer.setSingleShot(True)
        self._threshold_timer.setInterval(THRESHOLD_DEBOUNCE_MS)
        self._threshold_timer.timeout.connect(self._apply_threshold)
        self.threshold_slider.valueChanged.connect(self._on_threshold_moved)
        self.threshold_call.ready.connect(self._on_default_threshold)

        self.facets.filtersChanged.connect(lambda filters: self.search.update(filters=filters))
        self.timeline.rangeSelected.connect(self.set_date_range)
        self.timeline.clearRequested.connect(lambda: self.set_date_range(None, None))
        self.range_clear.clicked.connect(lambda: self.set_date_range(None, None))

        self.search.pageReady.connect(self._on_page)
        self.search.moreReady.connect(self._on_more)
        self.search.failed.connect(self._on_search_failed)
        self.search.moreFailed.connect(lambda _m: self.results_model.fetch_failed())
        self.search.busyChanged.connect(self._on_busy)
        self.results_model.moreRequested.connect(self.search.fetch_more)

        self.results_list.selectionModel().currentChanged.connect(self._on_current_changed)
        self.results_list.openRequested.connect(self.open_row)
        self.results_list.storyRequested.connect(self._open_story_of_row)
        self.results_list.backToQuery.connect(self.query_bar.focus)
        self.results.empty.linkActivated.connect(self._on_empty_link)

        self.article_call.ready.connect(self._on_article)
        self.article_call.error.connect(lambda m: self.reader.show_message(f"Could not load: {m}"))
        self.reader.storyRequested.connect(self.open_story)
        self.reader.similarRequested.connect(self.find_similar)
        self.reader.articleRequested.connect(self.show_article)
        self.similar_call.ready.connect(self._on_similar)
        self.similar_call.error.connect(self._on_similar_failed)
        self.reader.citationRequested.connect(self._copy_text)

        self.story_call.ready.connect(self._on_story)
        self.story_call.error.connect(self._on_story_error)
        self.diff_call.ready.connect(self._on_diff)
        self.diff_call.error.connect(
            lambda m: self.diff_view.show_message(f"Could not compare: {m}")
        )
        self.story_view.compareRequested.connect(self.compare)
        self.story_view.articleRequested.connect(self.show_article)
        self.story_view.exportRequested.connect(lambda: self.export_story())
        self.story_view.representativeChanged.connect(self._on_rule_changed)
        self.diff_view.diffRequested.connect(self.compare)

        self.refresh_call.ready.connect(lambda _changed: self._after_index_change())
        self.engineRestarted.connect(self._on_engine_restarted)
        self.refresh_call.error.connect(self._on_search_failed)
        self.export_signals.done.connect(self._on_export_done)
        self.export_signals.failed.connect(self._on_export_failed)
        self.export_signals.progress.connect(self._on_export_progress)

    def _restore_state(self) -> None:
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1480, 920)
        sort = self.settings.get("search/sort", "relevance")
        i = self.sort_combo.findData(sort)
        self.sort_combo.blockSignals(True)
        self.sort_combo.setCurrentIndex(max(0, i))
        self.sort_combo.blockSignals(False)
        group = self.settings.get_bool("search/group", False)
        self.group_button.blockSignals(True)
        self.group_button.setChecked(group)
        self.group_button.blockSignals(False)
        self.threshold_slider.setEnabled(group)
        self.search.request = replace(
            self.search.request,
            sort=self.sort_combo.currentData(),
            group=group,
            today=self.today,
        )

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._splitters_restored:
            # Restored once the window has its real size: a splitter restored while still
            # unsized would spread the difference over its panes.
            self._splitters_restored = True
            self.reader.splitter.setSizes([640, 300])
            self.story_view.splitter.setSizes([300, 200])
            for name, splitter in self._splitters().items():
                state = self.settings.splitter(name)
                if state is not None:
                    splitter.restoreState(state)

    def _splitters(self) -> dict[str, QSplitter]:
        return {
            "main": self.splitter,
            "reader": self.reader.splitter,
            "story": self.story_view.splitter,
        }

    def save_state(self) -> None:
        """Remember geometry, splitters and search options."""
        self.settings.set_geometry(self.saveGeometry())
        for name, splitter in self._splitters().items():
            self.settings.set_splitter(name, splitter.saveState())
        self.settings.set("search/sort", self.sort_combo.currentData())
        self.settings.set("search/group", self.group_button.isChecked())
        self.settings.sync()

    # Theme ----------------------------------------------------------------------------------
    def apply_theme(self) -> None:
        """Derive the stylesheet, icons and painting colours from the current palette."""
        pal = QGuiApplication.palette()
        key = f"{pal.window().color().name()}/{pal.text().color().name()}/{pal.highlight().color().name()}"
        if key == self._theme_key:
            return
        self._theme_key = key
        # The sheet goes on the small widgets it styles, never on the window: a window-level
        # sheet makes every descendant paint through QStyleSheetStyle, and the result and facet
        # lists then took about twice as long to paint (bench/gui_bench.py).
        sheet = theme.stylesheet(pal)
        for widget in self._styled_widgets():
            widget.setStyleSheet(sheet)
        self.facets.apply_palette()
        theme.refresh_icons()
        self.reader.refresh_theme()
        self.diff_view.refresh_theme()
        for i, name in enumerate(("file", "story", "diff")):
            self.tabs.setTabIcon(i, theme.icon(name))
        self.results_list.delegate.reset_cache()
        self.results_list.viewport().update()
        self.timeline.update()

    def _styled_widgets(self) -> list[QWidget]:
        widgets: list[QWidget] = [
            self.query_bar,
            self.count_label,
            self.threshold_label,
            self.range_label,
            self.results.empty,
            self.reader.meta,
            self.reader.match_label,
            self.story_view.header,
            self.diff_view.why,
            self.status_label,
        ]
        for section in self.facets.sections.values():
            widgets += [section.title, section.clear_button, section.empty]
        return widgets

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            # Deferred: restyling inside the palette event would recurse into it.
            QTimer.singleShot(0, self, self.apply_theme)
        super().changeEvent(event)

    # Starting and the index -----------------------------------------------------------------
    def start(self, query: str | None = None) -> None:
        """Open the index, or on first start (no index there) index the bundled demo archive."""
        if query is not None:
            self.query_bar.set_text(query)
        from index import store

        if store.is_index_dir(self.index_dir):
            if not store.has_current_schema(self.index_dir) and self.settings.archive_paths():
                # Built by another Copydesk version: searching it would only show an error.
                self.results.show_message(
                    "The index was built by another version of Copydesk: rebuilding it from "
                    "your archive…"
                )
                self.index_paths("rebuild")
                return
            self.open_index()
            return
        if self.demo_dir.is_dir():
            if not self.settings.archive_paths():
                self.settings.set_archive_paths([str(self.demo_dir)])
            self.results.show_message(
                "First start: indexing the demo archive bundled with Copydesk…"
            )
            self.index_paths("rebuild", [str(self.demo_dir)])
            return
        self.results.show_message(
            f"No index at {html.escape(str(self.index_dir))}.<br>"
            '<a href="archive">Add folders or files</a> to build one.'
        )

    def start_demo(self, query: str | None = None) -> None:
        """Index the bundled demo archive into ``index_dir`` (update when it exists), then open."""
        if query is not None:
            self.query_bar.set_text(query)
        if not self.demo_dir.is_dir():
            self.results.show_message(
                f"The demo archive is missing: {html.escape(str(self.demo_dir))}"
            )
            return
        self.results.show_message("Indexing the demo archive…")
        self.index_paths("update", [str(self.demo_dir)])

    def open_index(self) -> None:
        """Search the index at ``index_dir`` (engine opened lazily off the GUI thread)."""
        self._close_backend()
        if self.engine_process is not None:
            self.backend = ProcessBackend(self.engine_process, self.index_dir, today=self.today)
        else:
            self.backend = Backend(
                self.index_dir,
                today=self.today,
                engine_factory=self.engine_factory,
                story_factory=self.story_factory,
            )
        self.search.set_backend(self.backend)
        self.status_label.setText(f"Index: {self.index_dir}")
        backend = self.backend
        self.threshold_call.submit(backend.default_threshold)
        self.indexOpened.emit()
        self.run_query(self.query_bar.text(), submitted=True, remember=False)

    def _close_backend(self) -> None:
        """Forget the open index; close it off the GUI thread (closing may wait for a search)."""
        old, self.backend = self.backend, None
        if old is not None:
            self.task_pool.start(lambda: old.close())

    def _engine_event(self, message: str) -> None:
        # Called on the search process's reader thread: hand over to the GUI thread.
        with contextlib.suppress(RuntimeError):  # the window is already gone
            self.engineRestarted.emit(message)

    def _on_engine_restarted(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)

    def _after_index_change(self) -> None:
        self.story_view.show_message("The index changed; open a story again.")
        self.search.rerun()

    # Searching ------------------------------------------------------------------------------
    def run_query(self, text: str, *, submitted: bool = False, remember: bool = True) -> int:
        """Search for ``text`` (submitted: Enter or a pick; remembered and first hit shown)."""
        if submitted and remember and text.strip():
            self.query_bar.set_history(self.settings.add_recent_query(text))
        self._select_first = submitted
        return self.search.update(query=text, today=self.today)

    def set_date_range(self, date_from: date | None, date_to: date | None) -> None:
        """Restrict to a date range (inclusive); None, None clears it."""
        self.timeline.set_selection(date_from, date_to)
        if date_from is None and date_to is None:
            self.range_label.hide()
            self.range_clear.hide()
        else:
            start = date_from.isoformat() if date_from else "…"
            end = date_to.isoformat() if date_to else "…"
            self.range_label.setText(f"{start} – {end}")
            self.range_label.show()
            self.range_clear.show()
        self.search.update(date_from=date_from, date_to=date_to)

    def clear_search(self) -> None:
        """Esc: clear the query; when it is already empty, clear filters and the date range."""
        if self.query_bar.popup_visible():
            self.query_bar.hide_popup()
            return
        if self.query_bar.text():
            self.query_bar.set_text("")
            self.query_bar.show_problem(None)
            self.run_query("", submitted=False)
        else:
            had_dates = self.search.request.date_from or self.search.request.date_to
            self.facets.set_filters({})
            self.timeline.set_selection(None, None)
            self.range_label.hide()
            self.range_clear.hide()
            if had_dates or self.search.request.filters:
                self.search.update(filters={}, date_from=None, date_to=None)
        self.query_bar.focus()

    def set_grouping(self, on: bool, *, search: bool = True) -> None:
        """Group results by story (search again unless ``search`` is False)."""
        if not search:
            self.group_button.blockSignals(True)
            self.group_button.setChecked(on)
            self.group_button.blockSignals(False)
            self.threshold_slider.setEnabled(on)
            self._update_threshold_label()
            self.search.request = replace(self.search.request, group=on)
        else:
            self.group_button.setChecked(on)

    def _on_group_toggled(self, on: bool) -> None:
        self.threshold_slider.setEnabled(on)
        self._update_threshold_label()
        self.search.update(group=on)

    def _on_threshold_moved(self, _value: int) -> None:
        self._threshold_touched = True
        self._update_threshold_label()
        self._threshold_timer.start()

    def _apply_threshold(self) -> None:
        self.search.update(threshold=self.threshold())

    def threshold(self) -> float | None:
        """The similarity threshold for grouping (None: the index default, untouched slider)."""
        return self.threshold_slider.value() / 100 if self._threshold_touched else None

    def _on_default_threshold(self, value: object) -> None:
        if isinstance(value, float | int) and not self._threshold_touched:
            self.threshold_slider.blockSignals(True)
            self.threshold_slider.setValue(round(float(value) * 100))
            self.threshold_slider.blockSignals(False)
            self._update_threshold_label()

    def _update_threshold_label(self) -> None:
        value = self.threshold_slider.value() / 100
        suffix = "" if self._threshold_touched else " (default)"
        self.threshold_label.setText(f"≥ {value:.2f}{suffix}")
        self.threshold_label.setToolTip(f"Similarity threshold for grouping: {value:.2f}{suffix}")
        self.threshold_label.setEnabled(self.group_button.isChecked())

    def _on_busy(self, busy: bool) -> None:
        if busy:
            self.count_label.setText("searching…")

    def _on_page(self, page: SearchPage) -> None:
        if not page.ok:
            self.query_bar.show_problem(page.problem)
            self.results_model.clear()
            assert page.problem is not None
            self.results.show_message(
                f"The query could not be run: {html.escape(page.problem.message)}"
            )
            self.count_label.setText("")
            return
        self.query_bar.show_problem(page.problem, page.suggestion)
        self.results_model.set_page(page)
        self._paint_sidebars_later()
        self.facets.set_page(page)
        for facet in page.facets:
            if facet.name in FACET_FIELDS.values():
                self.query_bar.set_facet_values(facet.name, [v.key for v in facet.values])
        self.timeline.set_data(page.timeline)
        self._set_count(self._count_text(page))
        if page.hits:
            self.results.show_list()
            if self._select_first:
                self.results_list.setCurrentIndex(self.results_model.index(0, 0))
        else:
            self.results.show_message(self._no_results_text(page))
        self._select_first = False

    def _paint_sidebars_later(self) -> None:
        """Let the results paint first and the facets and timeline in the next event-loop pass.

        Their models change now (callers see the new counts at once), only painting waits. One
        repaint of everything took ~15 ms of CPU per page at 100k articles, and longer on a
        busy machine; two of ~7 ms keep the window able to react in between (and the results
        appear sooner). Measured by bench/gui_bench.py.
        """
        if self._sidebars_deferred:
            return
        self._sidebars_deferred = True
        for widget in self._sidebars():
            widget.setUpdatesEnabled(False)
        # The list marks itself dirty only when its delayed layout runs (a timer); marking it
        # now posts the window's repaint before the event below. That event is posted below the
        # repaint's priority, so it runs after it (a zero timer often ran first, and then
        # everything painted in one go again).
        self.results_list.viewport().update()
        QCoreApplication.postEvent(self._after_paint, QEvent(AfterPaint.TYPE), AfterPaint.PRIORITY)

    def _paint_sidebars(self) -> None:
        self._sidebars_deferred = False
        for widget in self._sidebars():
            widget.setUpdatesEnabled(True)  # schedules their repaint

    def _sidebars(self) -> tuple[QWidget, ...]:
        return (self.facets, self.timeline)

    def _set_count(self, text: str) -> None:
        # The label has a fixed width (see _build_views): elide, and keep the whole in a tooltip.
        fm = self.count_label.fontMetrics()
        self.count_label.setText(
            fm.elidedText(text, Qt.TextElideMode.ElideMiddle, self.count_label.width())
        )
        self.count_label.setToolTip(text)

    @staticmethod
    def _count_text(page: SearchPage) -> str:
        if page.request.group:
            count = f"{page.total:,} {'story' if page.total == 1 else 'stories'}"
            if page.total_articles:
                count += f" ({page.total_articles:,} articles)"
        else:
            count = f"{page.total:,} {'result' if page.total == 1 else 'results'}"
        return f"{count} · {page.elapsed_ms:,.0f} ms"

    def _no_results_text(self, page: SearchPage) -> str:
        text = "No results."
        req = page.request
        if req.filters or req.date_from or req.date_to:
            text += " Try clearing the facets or the date range (Esc twice)."
        if page.suggestion:
            text += f"<br>Did you mean <b>{html.escape(page.suggestion)}</b>?"
        return text

    def _on_more(self, page: SearchPage) -> None:
        self.results_model.append_page(page)

    def _on_search_failed(self, message: str) -> None:
        self.results_model.clear()
        self.count_label.setText("")
        self.results.show_message(f"Search failed: {html.escape(message)}")

    def _on_empty_link(self, link: str) -> None:
        if link == "archive":
            self.show_archive_dialog()

    def _on_completion_wanted(self, field: str, prefix: str) -> None:
        backend = self.backend
        if backend is None:
            return
        self.complete_call.submit(
            lambda: (field, prefix, backend.engine().complete(field, prefix, 20))
        )

    def _on_completions(self, result: object) -> None:
        if isinstance(result, tuple) and len(result) == 3:
            field, prefix, values = result
            self.query_bar.add_completions(field, prefix, values)

    # Results and the reader -----------------------------------------------------------------
    def focus_results(self) -> None:
        """Move the focus to the results (selecting the first if none is)."""
        self.results_list.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.results_list.currentIndex().isValid() and self.results_model.rowCount():
            self.results_list.setCurrentIndex(self.results_model.index(0, 0))

    def selected_hit(self) -> Hit | None:
        """The result row selected."""
        return self.results_model.hit(self.results_list.currentIndex().row())

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        hit = self.results_model.hit(current.row())
        if hit is not None:
            self._load_article(hit.id, hit)

    def open_row(self, row: int) -> None:
        """Enter on a row: show its article in the reader tab."""
        hit = self.results_model.hit(row)
        if hit is None:
            return
        if self.search.request.query.strip():
            self.query_bar.set_history(self.settings.add_recent_query(self.search.request.query))
        self.tabs.setCurrentIndex(TAB_ARTICLE)
        self._load_article(hit.id, hit)

    def show_article(self, article_id: str) -> None:
        """Show any article by id (from the story view)."""
        row = self.results_model.row_of(article_id)
        self.tabs.setCurrentIndex(TAB_ARTICLE)
        self._load_article(article_id, self.results_model.hit(row))

    def _load_article(self, article_id: str, hit: Hit | None) -> None:
        backend = self.backend
        if backend is None:
            return
        query = self.search.request.query
        self.article_call.submit(lambda: (backend.engine().article(article_id), hit, query))

    def _on_article(self, result: tuple[Article | None, Hit | None, str]) -> None:
        article, hit, query = result
        if article is None:
            self.reader.show_message("This article is no longer in the index.")
            return
        self.reader.set_article(article, hit, query)
        self.articleShown.emit(article)

    def find_similar(self, article_id: str | None = None) -> None:
        """List articles similar to one (default: the one in the reader) under its metadata."""
        backend = self.backend
        if article_id is None and self.reader.article is not None:
            article_id = self.reader.article.id
        if backend is None or not article_id:
            return
        self._similar_article = article_id
        self.reader.show_similar_message(article_id, "Looking for similar articles…")
        self.similar_call.submit(
            lambda: (article_id, backend.engine().more_like_this(article_id, SIMILAR_LIMIT))
        )

    def _on_similar(self, result: tuple[str, tuple[Hit, ...]]) -> None:
        article_id, hits = result
        self.reader.set_similar(article_id, hits)
        self.similarShown.emit(article_id, hits)

    def _on_similar_failed(self, message: str) -> None:
        if self._similar_article:
            self.reader.show_similar_message(
                self._similar_article, f"Could not find similar articles: {message}"
            )

    # Stories --------------------------------------------------------------------------------
    def open_selected_story(self) -> None:
        """S: open the selected result's story."""
        hit = self.selected_hit()
        if hit is not None:
            self.open_story(hit.id)

    def _open_story_of_row(self, row: int) -> None:
        hit = self.results_model.hit(row)
        if hit is not None:
            self.open_story(hit.id)

    def open_story(self, article_id: str) -> None:
        """Load the story an article belongs to into the Story tab."""
        backend = self.backend
        if backend is None:
            return
        self.tabs.setCurrentIndex(TAB_STORY)
        self.story_view.header.setText("Loading the story…")
        threshold = self.threshold() if self.group_button.isChecked() else None
        rule = self.story_view.representative_rule()
        # "Preferred outlet" means the outlet of the article the story was opened from.
        opened = self.results_model.hit(self.results_model.row_of(article_id))
        outlet = opened.source if opened is not None else None
        self._story_article = article_id
        self.story_call.submit(
            lambda: backend.stories().story(
                article_id, threshold=threshold, representative=rule, preferred_outlet=outlet
            )
        )

    def _on_rule_changed(self, _rule: str) -> None:
        article_id = self._story_article
        if article_id:
            self.open_story(article_id)

    def _on_story(self, story: object) -> None:
        if not isinstance(story, Story):
            self.story_view.show_message(
                "This article stands alone: no other version of it is in the archive."
            )
            self.diff_view.set_story(None)
            self.diff_view.show_message("Nothing to compare: the article has no other version.")
            self.storyShown.emit(None)
            return
        self.story_view.set_story(story)
        self.diff_view.set_story(story)
        chosen = self.story_view.selected_versions()
        if len(chosen) == 2:
            self.compare(chosen[0].id, chosen[1].id, switch=False)
        self.storyShown.emit(story)

    def _on_story_error(self, message: str) -> None:
        self.story_view.show_message(f"Stories are not available: {message}")
        self.storyShown.emit(None)

    def compare(self, left_id: str, right_id: str, switch: bool = True) -> None:
        """Diff two versions (in the Compare tab)."""
        backend = self.backend
        if backend is None:
            return
        if switch:
            self.tabs.setCurrentIndex(TAB_COMPARE)
        self.diff_view.set_pair(left_id, right_id)
        self.diff_call.submit(lambda: backend.stories().diff(left_id, right_id))

    def _on_diff(self, diff: object) -> None:
        if isinstance(diff, StoryDiff):
            self.diff_view.set_diff(diff)
            self.diffShown.emit(diff)

    # Export and citations -------------------------------------------------------------------
    def export_results(self, path: Path | None = None) -> bool:
        """Write every result of the current search (all pages, off the GUI thread)."""
        if self.backend is None or self.search.page is None:
            self.statusBar().showMessage("Nothing to export yet.", 4000)
            return False
        if path is None:
            name, chosen = QFileDialog.getSaveFileName(
                self,
                "Export results",
                str(Path.home() / "copydesk-results.csv"),
                "CSV (*.csv);;JSON Lines (*.jsonl)",
            )
            if not name:
                return False
            path = Path(name)
            if "jsonl" in chosen and path.suffix.lower() not in {".jsonl", ".ndjson"}:
                path = path.with_suffix(".jsonl")
        if self._export is not None:
            self._export.cancelled = True
        self._export_id = next_request_id()
        self._export = ExportWorker(
            self.backend,
            self.search.request,
            path,
            format_for(path),
            self.export_signals,
            self._export_id,
        )
        self.statusBar().showMessage(f"Exporting to {path}…")
        self.task_pool.start(self._export)
        return True

    def _on_export_progress(self, rid: int, rows: int) -> None:
        if rid == self._export_id:
            self.statusBar().showMessage(f"Exporting… {rows:,} rows")

    def _on_export_done(self, rid: int, rows: object) -> None:
        if rid != self._export_id or self._export is None:
            return
        path = str(self._export.path)
        self._export = None
        self.statusBar().showMessage(f"Exported {rows:,} rows to {path}", 8000)
        self.exportFinished.emit(path, int(rows))  # type: ignore[call-overload]

    def _on_export_failed(self, rid: int, message: str) -> None:
        if rid != self._export_id:
            return
        self._export = None
        self.statusBar().showMessage(f"Export failed: {message}", 8000)
        self.exportFailed.emit(message)

    def export_story(self, path: Path | None = None) -> bool:
        """Save the shown story's group report (JSON or CSV)."""
        story = self.story_view.story
        if story is None:
            return False
        if path is None:
            name, _chosen = QFileDialog.getSaveFileName(
                self,
                "Save the story report",
                str(Path.home() / f"story-{story.group}.json"),
                "JSON report (*.json);;CSV, one row per version (*.csv)",
            )
            if not name:
                return False
            path = Path(name)
        rows = write_story_report(story, path, self.diff_view.diff)
        self.statusBar().showMessage(f"Saved {rows} versions to {path}", 8000)
        return True

    def copy_citation(self) -> str:
        """Copy the shown article's (or the selected result's) citation to the clipboard."""
        text = self.reader.citation()
        if not text:
            hit = self.selected_hit()
            text = hit_citation(hit) if hit is not None else ""
        if text:
            self._copy_text(text)
        return text

    def _copy_text(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage("Citation copied: " + text, 6000)

    # Archive and indexing -------------------------------------------------------------------
    def show_archive_dialog(self) -> ArchiveDialog:
        """Folders, files and index location; Update or Rebuild from there."""
        from index import store

        dialog = ArchiveDialog(
            self.settings.archive_paths(), self.index_dir, store.default_index_dir(), self
        )
        dialog.accepted.connect(lambda: self._on_archive_accepted(dialog))
        dialog.open()
        return dialog

    def _on_archive_accepted(self, dialog: ArchiveDialog) -> None:
        self.settings.set_archive_paths(dialog.paths())
        new_dir = dialog.index_dir()
        if new_dir != self.index_dir:
            self.index_dir = new_dir
            self.settings.set_index_dir(new_dir)
            self._close_backend()
            self.search.set_backend(None)
        if dialog.action in ("update", "rebuild"):
            self.index_paths(dialog.action)  # type: ignore[arg-type]
        elif self.backend is None:
            self.start()

    def index_paths(self, mode: Mode, paths: list[str] | None = None) -> IndexJob | None:
        """Rebuild or update the index from ``paths`` (default: the archive) in a child process."""
        if self.job is not None and self.job.running:
            self.statusBar().showMessage("Indexing is already running.", 4000)
            return None
        paths = paths if paths is not None else self.settings.archive_paths()
        if not paths:
            self.show_archive_dialog()
            return None
        from index import store

        if mode == "update" and not store.has_current_schema(self.index_dir):
            mode = "rebuild"  # nothing to update yet, or an index of another schema version
        job = IndexJob(IndexSpec(mode, tuple(paths), str(self.index_dir)), self)
        self.job = job
        self.progress_dialog = IndexProgressDialog(job, self)
        job.progressed.connect(self._on_index_progress)
        job.finished.connect(self._on_index_finished)
        job.cancelled.connect(lambda: self._on_index_ended("cancelled"))
        job.failed.connect(self._on_index_failed)
        self.update_action.setEnabled(False)
        self.rebuild_action.setEnabled(False)
        job.start()
        self.progress_dialog.show()
        return job

    def _on_index_progress(self, progress: object) -> None:
        frac = getattr(progress, "fraction", None)
        text = "Indexing…" if frac is None else f"Indexing… {frac:.0%}"
        self.statusBar().showMessage(text)

    def _on_index_finished(self, summary: Summary | None) -> None:
        self.statusBar().showMessage(
            f"Index ready: {summary.total_articles:,} articles" if summary else "Index ready", 8000
        )
        if (
            self.progress_dialog is not None
            and summary is not None
            and not summary.skipped
            and not summary.duplicates
        ):
            # Nothing to report beyond the status line; a list of skipped files keeps it open.
            self.progress_dialog.accept()
        if self.backend is None:
            self.open_index()
        else:
            backend = self.backend
            self.refresh_call.submit(backend.refresh)
        self._on_index_ended("done")

    def _on_index_failed(self, message: str) -> None:
        self.statusBar().showMessage(f"Indexing failed: {message}", 10000)
        if self.backend is None:
            self.results.show_message(
                f"Indexing failed: {html.escape(message)}<br>"
                '<a href="archive">Check the archive and index settings</a>'
            )
        self._on_index_ended("failed")

    def _on_index_ended(self, state: str) -> None:
        self.update_action.setEnabled(True)
        self.rebuild_action.setEnabled(True)
        if state == "cancelled":
            self.statusBar().showMessage(
                "Indexing cancelled; the previous index is unchanged.", 8000
            )
            if self.backend is None and not self.results_model.rowCount():
                self.results.show_message(
                    'Indexing was cancelled. <a href="archive">Archive and index settings</a>'
                )
        self.indexingEnded.emit(state)

    # Help and closing -----------------------------------------------------------------------
    def show_help(self) -> ShortcutsDialog:
        """The shortcuts and query syntax."""
        dialog = ShortcutsDialog(self)
        dialog.open()
        return dialog

    def shutdown(self) -> None:
        """Stop background work and close the index (idempotent)."""
        if self.job is not None:
            self.job.shutdown()
        if self._export is not None:
            self._export.cancelled = True
        if self.engine_process is not None:
            # First: calls waiting on the child fail at once, so the pools can finish.
            self.engine_process.close()
        for pool in (self.search_pool, self.task_pool, self.story_pool):
            pool.waitForDone()
        if self.backend is not None:
            self.backend.close()
            self.backend = None

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.job is not None and self.job.running:
            answer = QMessageBox.question(
                self,
                "Indexing is running",
                "Stop indexing and quit? The previous index stays as it was.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.save_state()
        self.shutdown()
        super().closeEvent(event)
