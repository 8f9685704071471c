"""Indexing in a child process, so Whoosh's GIL-heavy work never freezes the window.

``IndexWorker`` runs in a ``multiprocessing`` *spawn* child and drives ``index.build.rebuild`` or
``update``, forwarding each Progress through a queue. ``IndexJob`` lives in the GUI: it starts the
child, polls the queue with a QTimer, and cancels by setting an Event first (the build stops at
the next unit and removes its build directory) and terminating after a grace period. Either way
the live generation is untouched until the atomic swap, so the previous index stays searchable.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import QObject, QTimer, Signal

from index.model import Progress, Summary

Mode = Literal["rebuild", "update"]
POLL_MS = 50
# Indexing is batch work: it yields the CPU to the window and to searches. bench/gui_bench.py:
# the longest block while a rebuild ran was 5–50 ms at nice 0, 4–17 ms at 10.
INDEX_NICE = 10
GRACE_MS = 3000
# Drain at most this many messages per tick so a burst never blocks the event loop.
MAX_PER_TICK = 200


@dataclass(frozen=True)
class IndexSpec:
    """What to index: rebuild or update, the input paths and the index directory."""

    mode: Mode
    paths: tuple[str, ...]
    index_dir: str


class IndexWorker:
    """The child-process side: runs the build and reports ('progress' | 'error' | 'end', payload)."""

    def __init__(self, spec: IndexSpec, messages: Any, cancel: Any) -> None:
        self.spec = spec
        self.messages = messages
        self.cancel = cancel

    def run(self) -> None:
        """Index, reporting every step; never raises."""
        try:
            from index import build, store
        except Exception as exc:  # a missing pipeline piece: say which
            self.messages.put(("error", f"indexing is not available: {exc}"))
            return
        run = build.rebuild if self.spec.mode == "rebuild" else build.update
        try:
            # A multiprocessing Event answers is_set() like the threading.Event build expects.
            for progress in run(
                list(self.spec.paths), Path(self.spec.index_dir), None, self.cancel
            ):
                self.messages.put(("progress", progress))
        except store.CopydeskIndexError as exc:  # busy, missing or old index: user-facing text
            self.messages.put(("error", str(exc)))
            return
        except Exception as exc:
            self.messages.put(("error", f"indexing failed: {type(exc).__name__}: {exc}"))
            return
        self.messages.put(("end", None))


def run_index_worker(spec: IndexSpec, messages: Any, cancel: Any) -> None:
    """Entry point of the spawn child."""
    # Batch work yields to the window and to searches (gui.engine_process.SEARCH_NICE); its own
    # worker processes inherit this. It only matters when the cores are contended.
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(INDEX_NICE)
    IndexWorker(spec, messages, cancel).run()


class IndexJob(QObject):
    """One rebuild or update in a child process, observed from the GUI thread."""

    progressed = Signal(object)  # Progress
    finished = Signal(object)  # Summary (or None when the build reported none)
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, spec: IndexSpec, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.last: Progress | None = None
        self.summary: Summary | None = None
        self.state: Literal["idle", "running", "done", "cancelled", "failed"] = "idle"
        self.grace_ms = GRACE_MS
        self._ctx = mp.get_context("spawn")
        self._messages: Any = None
        self._cancel: Any = None
        self._process: Any = None
        self._cancel_requested = False
        self._started_at = 0.0
        self._starter: threading.Thread | None = None
        self._child_started = threading.Event()
        self._start_error = ""
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_timer.timeout.connect(self._terminate)

    @property
    def running(self) -> bool:
        """True until the job has finished, failed or been cancelled."""
        return self.state == "running"

    @property
    def pid(self) -> int | None:
        """The child's process id."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the child process."""
        if self.state != "idle":
            raise RuntimeError("an IndexJob runs once")
        self._messages = self._ctx.Queue()
        self._cancel = self._ctx.Event()
        # Not a daemon: build.rebuild may start worker processes of its own, which daemons cannot.
        self._process = self._ctx.Process(
            target=run_index_worker,
            args=(self.spec, self._messages, self._cancel),
            name=f"copydesk-{self.spec.mode}",
        )
        self._started_at = time.monotonic()
        # Starting a spawn child writes its start-up data through a pipe and can take 20–100 ms
        # on a busy machine: do it off the GUI thread; poll() waits for it to finish.
        self._starter = threading.Thread(target=self._start_child, name="copydesk-index-start")
        self._starter.start()
        self.state = "running"
        self._timer.start()

    def _start_child(self) -> None:
        try:
            self._process.start()
        except Exception as exc:  # e.g. no more processes: reported by poll()
            self._start_error = f"could not start indexing: {exc}"
        self._child_started.set()

    def _wait_started(self) -> None:
        if self._starter is not None:
            self._starter.join()

    def cancel(self) -> None:
        """Ask the child to stop; terminate it if it has not after the grace period."""
        if self.state != "running" or self._cancel_requested:
            return
        self._cancel_requested = True
        self._cancel.set()
        if self.grace_ms <= 0:
            self._terminate()
        else:
            self._kill_timer.start(self.grace_ms)

    def poll(self) -> None:
        """Read the child's messages (called by the timer)."""
        if self.state != "running" or self._messages is None or not self._child_started.is_set():
            return
        if self._start_error:
            self._end("failed", self._start_error)
            return
        for _ in range(MAX_PER_TICK):
            try:
                kind, payload = self._messages.get_nowait()
            except queue.Empty:
                break
            except (OSError, ValueError, EOFError):
                break  # the queue's pipe went away with a terminated child
            if self._handle(kind, payload):
                return
        if self.state == "running" and not self._process.is_alive():
            # A dead child has flushed its queue (its feeder thread is joined at exit): drain it.
            try:
                while True:
                    kind, payload = self._messages.get_nowait()
                    if self._handle(kind, payload):
                        return
            except (queue.Empty, OSError, ValueError, EOFError):
                pass
            if self._cancel_requested:
                self._end("cancelled")
            else:
                code = self._process.exitcode
                self._end("failed", f"indexing stopped unexpectedly (exit code {code})")

    def _handle(self, kind: str, payload: Any) -> bool:
        """Process one message; True when the job ended."""
        if kind == "progress" and isinstance(payload, Progress):
            self.last = payload
            self.progressed.emit(payload)
            if payload.stage == "cancelled":
                self.summary = payload.summary
                self._end("cancelled")
                return True
            if payload.stage == "done":
                self.summary = payload.summary
            return False
        if kind == "end":
            if self._cancel_requested and (self.last is None or self.last.stage != "done"):
                self._end("cancelled")
            else:
                self._end("done")
            return True
        if kind == "error":
            self._end("failed", str(payload))
            return True
        return False

    def _terminate(self) -> None:
        self._wait_started()
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
        if self.state == "running":
            self._end("cancelled")

    def _end(self, state: Literal["done", "cancelled", "failed"], message: str = "") -> None:
        self.state = state
        self._timer.stop()
        self._kill_timer.stop()
        self._reap()
        if state == "done":
            self.finished.emit(self.summary)
        elif state == "cancelled":
            self.cancelled.emit()
        else:
            self.failed.emit(message)

    def _reap(self) -> None:
        # Never join with a timeout here: that would block the event loop. A finished child is
        # exiting on its own; a cancelled or failed one is terminated. Either way it is joined
        # once dead, from the reaper timer.
        proc = self._process
        if proc is None:
            return
        self._wait_started()
        if proc.is_alive() and self.state != "done":
            proc.terminate()
        self._reap_tick()

    def _reap_tick(self) -> None:
        proc = self._process
        if proc is None:
            return
        if proc.is_alive():
            QTimer.singleShot(100, self, self._reap_tick)
            return
        proc.join(0)
        if self._messages is not None:
            self._messages.cancel_join_thread()  # a terminated child must not block our exit
            self._messages.close()
            self._messages = None

    def shutdown(self) -> None:
        """Stop the child now (application exit, test teardown)."""
        self._wait_started()
        proc = self._process
        if proc is not None and proc.is_alive():
            if self._cancel is not None:
                self._cancel.set()
            proc.terminate()
        if proc is not None:
            proc.join(timeout=5)
        if self.state == "running":
            self.state = "cancelled"
        self._timer.stop()
        self._kill_timer.stop()
