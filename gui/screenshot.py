"""Drives the window to a chosen view after the search (and story/diff) loads, then saves a picture."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from gui.main_window import TAB_ARTICLE, TAB_COMPARE, TAB_STORY, MainWindow
from search.model import SearchPage, Story

SETTLE_MS = 300


class ScreenshotDriver(QObject):
    """Waits on the window's signals (results, article, story, diff), grabs and quits."""

    def __init__(self, window: MainWindow, path: Path, view: str, timeout_ms: int) -> None:
        super().__init__(window)
        self.window = window
        self.path = path
        self.view = view
        self.status = 1
        self._done = False
        self._story_asked = False
        window.search.pageReady.connect(self._on_page)
        window.search.failed.connect(lambda m: self._fail(f"search failed: {m}"))
        window.indexingEnded.connect(self._on_indexing)
        window.articleShown.connect(self._on_article)
        window.storyShown.connect(self._on_story)
        window.diffShown.connect(self._on_diff)
        QTimer.singleShot(timeout_ms, self, lambda: self._fail("timed out"))

    def _on_indexing(self, state: str) -> None:
        if state != "done":
            self._fail(f"indexing {state}")

    def _on_page(self, page: SearchPage) -> None:
        if self._done or self._story_asked:
            return
        if not page.ok or not page.hits:
            reason = page.problem.message if page.problem else "no results"
            self._fail(f"the search gave {reason}")
            return
        if self.view == "results":
            return  # the first row is selected on open; wait for its article
        hit = next((h for h in page.hits if h.group_size > 1), page.hits[0])
        self._story_asked = True
        self.window.results_list.setCurrentIndex(
            self.window.results_model.index(page.hits.index(hit), 0)
        )
        self.window.open_story(hit.id)

    def _on_article(self, _article: object) -> None:
        if self.view == "results":
            self.window.tabs.setCurrentIndex(TAB_ARTICLE)
            self._grab_soon()

    def _on_story(self, story: object) -> None:
        if self.view == "story":
            self.window.tabs.setCurrentIndex(TAB_STORY)
            self._grab_soon()
        elif self.view == "diff" and not isinstance(story, Story):
            self._fail("the first hit has no story to compare")

    def _on_diff(self, _diff: object) -> None:
        if self.view == "diff":
            self.window.tabs.setCurrentIndex(TAB_COMPARE)
            self._grab_soon()

    def _grab_soon(self) -> None:
        if not self._done:
            self._done = True
            # Item views lay out lazily; give them a moment before the picture.
            QTimer.singleShot(SETTLE_MS, self, self._grab)

    def _grab(self, status: int = 0) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        ok = self.window.grab().save(str(self.path))
        self.status = status if ok else 1
        if ok:
            print(f"saved {self.path}", file=sys.stderr)
        QApplication.instance().exit(self.status)  # type: ignore[union-attr]

    def _fail(self, reason: str) -> None:
        if self._done:
            return
        self._done = True
        print(f"copydesk --screenshot: {reason}", file=sys.stderr)
        self._grab(status=1)
