"""Searching in a child process, so the pure-Python evaluator never holds the window's GIL.

In a pool thread of the app, a 26 ms search took ~230 ms and blocked the event loop for up to
half a second at 100k articles: the evaluator and the GUI thread fought over one GIL
(bench/gui_bench.py). Here the engine and the story service live in a ``multiprocessing`` *spawn*
child running ``search.service.serve``; the app keeps its workers, whose calls go through
:class:`ProcessBackend` and block on a future (the GIL is free while they wait).

:class:`EngineProcess` owns the child: one connection, a reader thread that hands each reply to
the call waiting for it, restarts when the child dies (the calls in flight fail with a message;
none hangs), and ``close()`` that stops it. It is plain Python (no Qt), safe from any thread;
only ``close()`` is meant for the GUI thread, at exit.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing as mp
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gui.backend import (
    CURRENT_CALL,
    BackendUnavailableError,
    CallTag,
    RemoteError,
    SearchBackend,
    StaleCallError,
    StoryBackend,
)
from index.store import CopydeskIndexError
from search.model import Hit, RepresentativeRule, SearchPage, SearchRequest, Story, StoryDiff
from search.service import QUIT, Call, Failure, Reply, serve

if TYPE_CHECKING:
    from index.model import Article

log = logging.getLogger(__name__)

QUIT_GRACE_S = 0.5  # a clean exit is nicer, but a long search must not hold up closing the app
KILL_WAIT_S = 3.0
# The search process yields the CPU to the window (and indexing yields to both, see
# gui.indexing.INDEX_NICE): with both cores busy, painting a page of results waited behind
# searches. bench/gui_bench.py at 100k, three alternating runs each: the longest block while
# typing 23–51 ms at nice 0, 15–22 ms at 5; search latency no worse.
SEARCH_NICE = 5


class EngineProcessError(BackendUnavailableError):
    """The search process is not there: it stopped, could not start, or the app is closing."""


class _Child:
    """One started child process and the calls waiting for its answers."""

    def __init__(self, process: Any, conn: Any) -> None:
        self.process = process
        self.conn = conn
        self.pending: dict[int, Future[Reply]] = {}
        self.alive = True
        self.ready = threading.Event()
        self.send_lock = threading.Lock()
        self.reader: threading.Thread | None = None


class EngineProcess:
    """The search child process shared by a window's backends; restarted when it dies.

    ``on_event(message)`` is called from a background thread when the child died (and was
    restarted); ``serve_args`` go to ``search.service.serve`` after the connection (picklable
    engine and story factories, for tests).
    """

    def __init__(
        self,
        on_event: Callable[[str], None] | None = None,
        serve_args: tuple[Any, ...] = (),
        nice: int = SEARCH_NICE,
    ) -> None:
        self.on_event = on_event
        self.serve_args = serve_args
        self.nice = nice
        self.starts = 0  # children started so far
        self._ctx = mp.get_context("spawn")
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._child: _Child | None = None
        self._closed = False

    # --- life cycle ------------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        """The running child's process id."""
        child = self._child
        return child.process.pid if child is not None and child.alive else None

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called."""
        return self._closed

    def start(self) -> None:
        """Start the child now, in the background (its imports take about a second)."""
        threading.Thread(target=self._start_quietly, name="copydesk-search-start").start()

    def _start_quietly(self) -> None:
        try:
            with self._lock:
                if not self._closed:
                    self._running_child()
        except EngineProcessError as exc:  # reported again by the first call
            log.warning("%s", exc)

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until the child answered it is up (for benchmarks and tests, not the GUI)."""
        child = self._child
        return child is not None and child.ready.wait(timeout)

    def _running_child(self) -> _Child:
        # Called with self._lock held: starting takes 20–100 ms, and only pool threads wait.
        if self._closed:
            raise EngineProcessError("the search process is closed")
        child = self._child
        if child is not None and child.alive:
            return child
        ours, theirs = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=serve,
            args=(theirs, *self.serve_args),
            kwargs={"nice": self.nice},
            name="copydesk-search",
            # A daemon is terminated by multiprocessing at exit even if close() never ran.
            daemon=True,
        )
        try:
            process.start()
        except Exception as exc:
            ours.close()
            theirs.close()
            raise EngineProcessError(f"could not start the search process: {exc}") from exc
        theirs.close()  # only the child holds its end now: its death reads as EOF here
        child = _Child(process, ours)
        child.reader = threading.Thread(
            target=self._read, args=(child,), name="copydesk-search-reader", daemon=True
        )
        self._child = child
        self.starts += 1
        child.reader.start()
        return child

    def close(self) -> None:
        """Stop the child (idempotent): calls in flight fail at once, later ones are refused."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            child = self._child
        if child is None:
            return
        process = child.process
        # Ask nicely first; never wait on a pool thread that is mid-send.
        if child.send_lock.acquire(timeout=0.1):
            try:
                with contextlib.suppress(OSError, ValueError):
                    child.conn.send(QUIT)
            finally:
                child.send_lock.release()
        process.join(QUIT_GRACE_S)
        if process.is_alive():
            process.terminate()
            process.join(KILL_WAIT_S)
        if process.is_alive():
            process.kill()
            process.join(KILL_WAIT_S)
        if child.reader is not None:
            child.reader.join(KILL_WAIT_S)

    # --- calls -----------------------------------------------------------------------------

    def call(
        self,
        session: int,
        index_dir: Path,
        today: date | None,
        method: str,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        *,
        start: bool = True,
    ) -> Any:
        """Run ``method`` in the child and return its value (blocks: call from a worker thread).

        Raises StaleCallError when the child skipped it for a newer call of its channel, and
        EngineProcessError when the child died or is closed. ``start=False``: do not start a
        child just for this call (returns None when none runs).
        """
        future = self.submit(session, index_dir, today, method, args, kwargs, start=start)
        if future is None:
            return None
        return unwrap(future.result())  # waits on a lock: the GIL is free meanwhile

    def submit(
        self,
        session: int,
        index_dir: Path,
        today: date | None,
        method: str,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        *,
        tag: CallTag | None = None,
        start: bool = True,
    ) -> Future[Reply] | None:
        """Send a call and return the future of its Reply (``tag``: default the worker's)."""
        tag = tag or CURRENT_CALL.get()
        future: Future[Reply] = Future()
        with self._lock:
            if not start and (self._child is None or not self._child.alive or self._closed):
                return None
            child = self._running_child()
            call_id = next(self._ids)
            child.pending[call_id] = future
        call = Call(
            call_id,
            session,
            str(index_dir),
            today,
            method,
            args,
            kwargs or {},
            tag.channel if tag else "",
            tag.seq if tag else 0,
            tag.latest_only if tag else False,
        )
        try:
            with child.send_lock:
                child.conn.send(call)
        except Exception as exc:
            with self._lock:
                child.pending.pop(call_id, None)
            if isinstance(exc, OSError | ValueError):  # the pipe broke: the child is gone
                raise EngineProcessError(f"the search process is not running ({exc})") from exc
            raise  # the arguments did not pickle: a bug here
        return future

    def _read(self, child: _Child) -> None:
        """The reader thread: hand each reply to its caller until the child's end closes."""
        try:
            while True:
                message = child.conn.recv()
                if isinstance(message, Reply):
                    with self._lock:
                        future = child.pending.pop(message.call_id, None)
                    if future is not None:
                        future.set_result(message)
                elif isinstance(message, tuple) and message[:1] == ("ready",):
                    child.ready.set()
        except (EOFError, OSError):
            pass
        except Exception:  # an answer that would not unpickle: nobody can be told which
            log.exception("unreadable answer from the search process; restarting it")
            with contextlib.suppress(Exception):
                child.process.terminate()
        self._ended(child)

    def _ended(self, child: _Child) -> None:
        with self._lock:
            child.alive = False
            pending, child.pending = child.pending, {}
            closing = self._closed
        child.process.join(KILL_WAIT_S)  # its end is closed: it is exiting
        with contextlib.suppress(OSError):
            child.conn.close()
        if closing:
            error = EngineProcessError("the search process was closed")
            for future in pending.values():
                future.set_exception(error)
            return
        code = child.process.exitcode
        message = f"The search process stopped unexpectedly (exit code {code})"
        # A child that never came up would fail again at once: restart only one that worked;
        # otherwise the next call tries again.
        restart = child.ready.is_set()
        if restart:
            try:
                with self._lock:
                    self._running_child()
                message += " and was restarted."
            except EngineProcessError as exc:
                message += f"; restarting it failed: {exc}"
        else:
            message += " while starting."
        log.warning("%s", message)
        error = EngineProcessError(message)
        for future in pending.values():
            future.set_exception(error)
        if self.on_event is not None:
            self.on_event(message)


def unwrap(reply: Reply) -> Any:
    """A Reply's value, or the exception it stands for."""
    if reply.status == "ok":
        return reply.value
    if reply.status == "stale":
        raise StaleCallError("skipped: a newer request was waiting")
    failure = reply.value
    if not isinstance(failure, Failure):
        raise RemoteError(f"the search process answered {reply.status!r}")
    if failure.kind == "index":
        raise CopydeskIndexError(failure.message)
    if failure.kind == "unavailable":
        raise BackendUnavailableError(failure.message)
    log.error("search process call failed:\n%s", failure.traceback)
    text = failure.message or failure.type_name
    if failure.type_name not in text:
        text += f" ({failure.type_name})"
    raise RemoteError(text)


class ProcessBackend:
    """One index searched in the search process (an AppBackend: the window's workers use it)."""

    _sessions = itertools.count(1)

    def __init__(self, process: EngineProcess, index_dir: Path, *, today: date | None = None):
        self.process = process
        self.index_dir = index_dir
        self.today = today
        self.session = next(ProcessBackend._sessions)
        self._engine = RemoteEngine(self)
        self._stories = RemoteStories(self)

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Run ``method`` on this index in the search process (from a worker thread)."""
        return self.process.call(self.session, self.index_dir, self.today, method, args, kwargs)

    def engine(self) -> SearchBackend:
        """The engine's stand-in."""
        return self._engine

    def stories(self) -> StoryBackend:
        """The story service's stand-in."""
        return self._stories

    def default_threshold(self) -> float | None:
        """The index's default story threshold."""
        value = self.call("default_threshold")
        return float(value) if value is not None else None

    def refresh(self) -> bool:
        """See a new generation after a rebuild or update; stories reopen on next use."""
        return bool(self.call("refresh"))

    def close(self) -> None:
        """Close this index in the search process (nothing to do when it is not running)."""
        with contextlib.suppress(EngineProcessError, StaleCallError):
            self.process.call(self.session, self.index_dir, self.today, "close", start=False)


class RemoteEngine:
    """``SearchBackend`` whose calls run in the search process."""

    def __init__(self, backend: ProcessBackend) -> None:
        self._backend = backend

    def search(self, request: SearchRequest) -> SearchPage:
        """Run one search."""
        page: SearchPage = self._backend.call("search", request)
        return page

    def article(self, article_id: str) -> Article | None:
        """The stored article, or None."""
        found: Article | None = self._backend.call("article", article_id)
        return found

    def more_like_this(self, article_id: str, limit: int = 10) -> tuple[Hit, ...]:
        """Articles similar to one."""
        hits: tuple[Hit, ...] = self._backend.call("more_like_this", article_id, limit)
        return hits

    def complete(self, field: str, prefix: str, limit: int = 10) -> list[str]:
        """Indexed values of ``field`` starting with ``prefix``."""
        values: list[str] = self._backend.call("complete", field, prefix, limit)
        return values

    def refresh(self) -> bool:
        """Pick up a newly published generation."""
        return self._backend.refresh()

    def close(self) -> None:
        """Close this index in the search process."""
        self._backend.close()


class RemoteStories:
    """``StoryBackend`` whose calls run in the search process."""

    def __init__(self, backend: ProcessBackend) -> None:
        self._backend = backend

    @property
    def default_threshold(self) -> float:
        """The index's default threshold (a call: read it from a worker thread)."""
        return float(self._backend.call("default_threshold"))

    def story(
        self,
        article_id: str,
        threshold: float | None = None,
        representative: RepresentativeRule = "earliest",
        preferred_outlet: str | None = None,
    ) -> Story | None:
        """The story an article belongs to, or None."""
        found: Story | None = self._backend.call(
            "story",
            article_id,
            threshold=threshold,
            representative=representative,
            preferred_outlet=preferred_outlet,
        )
        return found

    def diff(self, left_id: str, right_id: str) -> StoryDiff:
        """Side-by-side differences between two versions."""
        result: StoryDiff = self._backend.call("diff", left_id, right_id)
        return result
