"""Search state and dispatch: builds SearchRequests, runs them off the GUI thread, drops stale pages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from gui.backend import AppBackend
from gui.workers import SearchWorker, WorkerSignals, next_request_id
from search.model import SearchPage, SearchRequest


class SearchController(QObject):
    """Owns the current SearchRequest; at most one new search runs, the newest waits its turn.

    Typing fires a search per pause; running two at once on two shared cores only slows the
    one that matters, so a newer request replaces any waiting one and starts when the running
    one ends. Answers whose request id is not the newest are dropped.
    """

    started = Signal(object)  # SearchRequest
    pageReady = Signal(object)  # SearchPage: first page of the newest search (or its problem)
    moreReady = Signal(object)  # SearchPage: a further page of the newest search
    failed = Signal(str)
    moreFailed = Signal(str)
    busyChanged = Signal(bool)

    def __init__(
        self, backend: AppBackend | None, pool: QThreadPool, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self.pool = pool
        self.request = SearchRequest()
        self.page: SearchPage | None = None  # first page of the newest search that answered
        self._signals = WorkerSignals(self)
        self._signals.done.connect(self._on_done)
        self._signals.failed.connect(self._on_failed)
        self._latest = 0
        self._more_id = 0
        self._running = 0  # ids of new searches in flight (at most one)
        self._waiting: SearchRequest | None = None
        self._busy = False

    @property
    def busy(self) -> bool:
        """True while the newest search has not answered."""
        return self._busy

    def set_backend(self, backend: AppBackend | None) -> None:
        """Search another index (None: none)."""
        self.backend = backend
        self.page = None

    def update(self, **changes: Any) -> int:
        """Change the request (query, filters, sort, …), back to page 0, and search; returns its id."""
        self.request = replace(self.request, **changes, page=0, request_id=next_request_id())
        return self._submit(self.request)

    def rerun(self) -> int:
        """Search again with the same request (after an index change)."""
        return self.update()

    def fetch_more(self, page_no: int) -> int:
        """Fetch page ``page_no`` of the current search; returns its id (0 when not possible)."""
        if self.backend is None or self.page is None:
            return 0
        # The next page of the search on screen, even if a newer one is on its way.
        request = replace(self.page.request, page=page_no, request_id=next_request_id())
        self._more_id = request.request_id
        # Pages are appended in order: never skipped as stale.
        self.pool.start(
            SearchWorker(self.backend, request, self._signals, channel="page", latest_only=False)
        )
        return request.request_id

    def _submit(self, request: SearchRequest) -> int:
        self._latest = request.request_id
        self._more_id = 0
        if self.backend is None:
            self.failed.emit("No index is open.")
            return request.request_id
        self.started.emit(request)
        self._set_busy(True)
        if self._running:
            self._waiting = request
        else:
            self._start(request)
        return request.request_id

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busyChanged.emit(busy)

    def _start(self, request: SearchRequest) -> None:
        assert self.backend is not None
        self._running = request.request_id
        self.pool.start(SearchWorker(self.backend, request, self._signals))

    def _finished_running(self, rid: int) -> None:
        if rid != self._running:
            return
        self._running = 0
        waiting, self._waiting = self._waiting, None
        if waiting is not None and waiting.request_id == self._latest:
            self._start(waiting)

    def _on_done(self, rid: int, page: object) -> None:
        self._finished_running(rid)
        if not isinstance(page, SearchPage):
            return
        if rid == self._latest:
            self.page = page
            self._set_busy(False)
            self.pageReady.emit(page)
        elif rid == self._more_id and self.page is not None:
            self.moreReady.emit(page)

    def _on_failed(self, rid: int, message: str) -> None:
        self._finished_running(rid)
        if rid == self._latest:
            self._set_busy(False)
            self.failed.emit(message)
        elif rid == self._more_id:
            self.moreFailed.emit(message)
