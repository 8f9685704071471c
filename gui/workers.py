"""Work off the GUI thread: QRunnables for searches, exports and other calls, with request ids.

Every runnable reports through a signals QObject that lives in the GUI thread, so results arrive
as queued signals; the receiver compares the request id with the newest one it asked for and
drops stale answers.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from gui.backend import (
    CURRENT_CALL,
    AppBackend,
    BackendUnavailableError,
    CallTag,
    RemoteError,
    StaleCallError,
)
from gui.export import ExportFormat, HitWriter
from index.store import CopydeskIndexError
from search.model import SearchRequest

log = logging.getLogger(__name__)
_ids = itertools.count(1)


def next_request_id() -> int:
    """A process-wide increasing request id."""
    return next(_ids)


def describe(exc: BaseException) -> str:
    """A one-line message for an error raised in a worker (logged with its traceback if a bug)."""
    # Missing pieces, index states (no index, old schema, busy) and skipped stale calls are
    # messages, not bugs.
    expected = isinstance(exc, BackendUnavailableError | CopydeskIndexError | StaleCallError)
    remote = isinstance(exc, RemoteError)  # logged with the search process's traceback already
    if not expected and not remote:
        log.error("background task failed", exc_info=exc)
    text = str(exc) or type(exc).__name__
    if expected or remote or type(exc).__name__ in text:
        return text
    return f"{text} ({type(exc).__name__})"


def _emit(signal: Any, *args: Any) -> None:
    # The receiver may have been deleted while we worked (window closed): nothing to tell then.
    with contextlib.suppress(RuntimeError):
        signal.emit(*args)


class WorkerSignals(QObject):
    """Signals a runnable emits; create in the GUI thread so deliveries are queued there."""

    done = Signal(int, object)  # request id, result
    failed = Signal(int, str)  # request id, message
    progress = Signal(int, int)  # request id, items so far


class SearchWorker(QRunnable):
    """Runs one ``engine.search`` and reports the page under the request's id.

    ``latest_only``: the search process may skip it when a newer search of the same channel
    waits (the answer is then a failure the controller ignores as stale).
    """

    def __init__(
        self,
        backend: AppBackend,
        request: SearchRequest,
        signals: WorkerSignals,
        channel: str = "search",
        latest_only: bool = True,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.request = request
        self.signals = signals
        self.tag = CallTag(channel, request.request_id, latest_only)

    def run(self) -> None:
        """Search (in a pool thread)."""
        rid = self.request.request_id
        token = CURRENT_CALL.set(self.tag)
        try:
            page = self.backend.engine().search(self.request)
        except Exception as exc:  # report, never kill the pool thread
            _emit(self.signals.failed, rid, describe(exc))
            return
        finally:
            CURRENT_CALL.reset(token)
        _emit(self.signals.done, rid, page)


class CallWorker(QRunnable):
    """Runs any callable and reports its return value under a request id.

    ``wanted`` (when given) is asked first: a call nobody waits for any more is skipped, which
    keeps a burst of calls (arrow keys over the results) from queueing behind each other.
    """

    def __init__(
        self,
        request_id: int,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        signals: WorkerSignals,
        tag: CallTag | None = None,
        wanted: Callable[[int], bool] | None = None,
    ) -> None:
        super().__init__()
        self.request_id = request_id
        self.fn = fn
        self.args = args
        self.signals = signals
        self.tag = tag or CallTag("call", request_id)
        self.wanted = wanted

    def run(self) -> None:
        """Call (in a pool thread)."""
        if self.wanted is not None and not self.wanted(self.request_id):
            return  # superseded before it started: its answer would be dropped
        token = CURRENT_CALL.set(self.tag)
        try:
            result = self.fn(*self.args)
        except Exception as exc:
            _emit(self.signals.failed, self.request_id, describe(exc))
            return
        finally:
            CURRENT_CALL.reset(token)
        _emit(self.signals.done, self.request_id, result)


class ExportWorker(QRunnable):
    """Re-runs a search page by page and writes every hit to a CSV or JSON Lines file."""

    PAGE_SIZE = 200

    def __init__(
        self,
        backend: AppBackend,
        request: SearchRequest,
        path: Path,
        fmt: ExportFormat,
        signals: WorkerSignals,
        request_id: int,
    ) -> None:
        super().__init__()
        self.backend = backend
        # Snippets are what a reader skims; one per row keeps exports readable.
        self.request = replace(request, page=0, page_size=self.PAGE_SIZE, snippets=1)
        self.path = path
        self.fmt = fmt
        self.signals = signals
        self.request_id = request_id
        self.cancelled = False

    def run(self) -> None:
        """Export (in a pool thread); the result is the number of rows written."""
        token = CURRENT_CALL.set(CallTag("export", self.request_id))  # every page is needed
        try:
            rows = self._export()
        except Exception as exc:
            _emit(self.signals.failed, self.request_id, describe(exc))
            return
        finally:
            CURRENT_CALL.reset(token)
        _emit(self.signals.done, self.request_id, rows)

    def _export(self) -> int:
        engine = self.backend.engine()
        tmp = self.path.with_name(self.path.name + ".part")
        with HitWriter(tmp, self.fmt) as writer:
            page_no = 0
            while not self.cancelled:
                page = engine.search(replace(self.request, page=page_no))
                if not page.ok:  # a mild, corrected problem still exports its results
                    raise ValueError(page.problem.message if page.problem else "search failed")
                writer.write_all(page.hits)
                _emit(self.signals.progress, self.request_id, writer.rows)
                if not page.has_more or not page.hits:
                    break
                page_no += 1
        if self.cancelled:
            tmp.unlink(missing_ok=True)
            return 0
        # Write beside the target and rename, so a failed export never leaves half a file.
        tmp.replace(self.path)
        return writer.rows


class _Newest:
    """The newest request id of a LatestCall, readable from pool threads (a plain object)."""

    def __init__(self) -> None:
        self.rid = 0

    def wanted(self, rid: int) -> bool:
        return rid == self.rid


class LatestCall(QObject):
    """Runs calls of one kind in a pool and emits only the newest one's result.

    With a ``channel`` name, older calls still queued are skipped, here and in the search
    process; without one, every call runs (its answer is still dropped unless newest).
    """

    ready = Signal(object)
    error = Signal(str)

    def __init__(
        self, pool: QThreadPool, parent: QObject | None = None, channel: str | None = None
    ) -> None:
        super().__init__(parent)
        self.pool = pool
        self.channel = channel
        self.signals = WorkerSignals(self)
        self.signals.done.connect(self._on_done)
        self.signals.failed.connect(self._on_failed)
        self._newest = _Newest()
        self.pending = False

    @property
    def latest(self) -> int:
        """The id of the newest call."""
        return self._newest.rid

    @latest.setter
    def latest(self, rid: int) -> None:
        self._newest.rid = rid

    def submit(self, fn: Callable[..., Any], *args: Any) -> int:
        """Start ``fn(*args)`` off the GUI thread; earlier calls' answers will be dropped."""
        rid = next_request_id()
        self.latest = rid
        self.pending = True
        if self.channel is None:
            worker = CallWorker(rid, fn, args, self.signals)
        else:
            tag = CallTag(self.channel, rid, latest_only=True)
            worker = CallWorker(rid, fn, args, self.signals, tag, self._newest.wanted)
        self.pool.start(worker)
        return rid

    def forget(self) -> None:
        """Drop the answer of the call in flight."""
        self.latest = next_request_id()
        self.pending = False

    def _on_done(self, rid: int, result: object) -> None:
        if rid != self.latest:
            return
        self.pending = False
        self.ready.emit(result)

    def _on_failed(self, rid: int, message: str) -> None:
        if rid != self.latest:
            return
        self.pending = False
        self.error.emit(message)
