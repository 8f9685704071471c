"""The search process: serves SearchEngine and StoryService calls arriving through a pipe.

The desktop app runs its searches in a child process started with :func:`serve`, because the
evaluator is pure Python: in a thread of the app it held the GIL the window needs and made typing
stutter. Everything here is plain domain code (no Qt); the app's side is ``gui.engine_process``.

Protocol (every message is picklable):

* parent → child: :class:`Call`, or :data:`QUIT`.
* child → parent: ``("ready", pid)`` once, then one :class:`Reply` per Call, in order of running.

A *session* is one opened index (an engine and a story service, opened on first use); every Call
names its session and index, so a restarted child simply opens them again. A Call with
``latest_only`` is answered ``"stale"`` without running when a newer Call of the same channel is
already waiting: typing queues searches faster than they run, and only the newest one matters.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)

QUIT = "quit"
# With nothing to do for this long, load what the first completion or fuzzy word would wait for.
IDLE_WARM_S = 2.0

Status = Literal["ok", "stale", "error"]
FailureKind = Literal["index", "unavailable", "bug"]
EngineFactory = Callable[[Path, "date | None"], Any]
StoryFactory = Callable[[Path], Any]


@dataclass(frozen=True)
class Call:
    """One request to the search process."""

    call_id: int
    session: int
    index_dir: str
    today: date | None
    method: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    channel: str = ""
    seq: int = 0  # order of asking within the channel (the app's request id)
    latest_only: bool = False


@dataclass(frozen=True)
class Failure:
    """Why a call failed: ``index`` and ``unavailable`` are messages for the user, ``bug`` a bug."""

    kind: FailureKind
    type_name: str
    message: str
    traceback: str = ""


@dataclass(frozen=True)
class Reply:
    """The answer to one Call: its return value, ``stale`` (not run) or a Failure."""

    call_id: int
    status: Status
    value: Any = None


def default_engine_factory(index_dir: Path, today: date | None) -> Any:
    """Open ``search.engine.SearchEngine``."""
    from search.engine import SearchEngine

    return SearchEngine(index_dir, today=today)


def default_story_factory(index_dir: Path) -> Any:
    """Open ``search.stories.StoryService``."""
    from search.stories import StoryService

    return StoryService(index_dir)


class Session:
    """One index's engine and story service, opened on first use."""

    def __init__(
        self,
        index_dir: Path,
        today: date | None,
        engine_factory: EngineFactory,
        story_factory: StoryFactory,
    ) -> None:
        self.index_dir = index_dir
        self.today = today
        self._engine_factory = engine_factory
        self._story_factory = story_factory
        self._engine: Any = None
        self._stories: Any = None
        self.vocabulary_warm = False

    def engine(self) -> Any:
        """The engine, opened (and its arrays loaded) on first use."""
        if self._engine is None:
            engine = self._engine_factory(self.index_dir, self.today)
            warm = getattr(engine, "warm", None)
            if callable(warm):
                # The arrays every search needs; the vocabulary waits for an idle moment.
                warm(vocabulary=False)
            self._engine = engine
        return self._engine

    def stories(self) -> Any:
        """The story service, opened on first use."""
        if self._stories is None:
            self._stories = self._story_factory(self.index_dir)
        return self._stories

    def default_threshold(self) -> float:
        """The story service's default threshold, else the grouping default."""
        try:
            return float(self.stories().default_threshold)
        except Exception:  # no story service: the engine's grouping default still applies
            from search.groups import default_threshold

            return float(default_threshold())

    def refresh(self) -> bool:
        """See a newly published generation; the story service is reopened on next use."""
        self._close_stories()
        if self._engine is None:
            return True
        changed = bool(self._engine.refresh())
        if changed:
            self.vocabulary_warm = False
            warm = getattr(self._engine, "warm", None)
            if callable(warm):  # the new generation's arrays, before the next search needs them
                warm(vocabulary=False)
        return changed

    def warm_vocabulary(self) -> None:
        """Load the word list completions and fuzzy words use (once, when idle)."""
        self.vocabulary_warm = True
        warm = getattr(self._engine, "warm", None)
        if callable(warm):
            warm(vocabulary=True)

    def _close_stories(self) -> None:
        stories, self._stories = self._stories, None
        close = getattr(stories, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()

    def close(self) -> None:
        """Close the engine and story service."""
        self._close_stories()
        engine, self._engine = self._engine, None
        if engine is not None:
            with contextlib.suppress(Exception):
                engine.close()


ENGINE_METHODS = frozenset({"search", "article", "more_like_this", "complete", "warm"})
STORY_METHODS = frozenset({"story", "diff", "group_of", "groups"})


class Server:
    """Runs Calls against sessions; one thread, one call at a time."""

    def __init__(
        self,
        engine_factory: EngineFactory | None = None,
        story_factory: StoryFactory | None = None,
    ) -> None:
        self.engine_factory = engine_factory or default_engine_factory
        self.story_factory = story_factory or default_story_factory
        self.sessions: dict[int, Session] = {}

    def session(self, call: Call) -> Session:
        """The call's session, created on first use."""
        found = self.sessions.get(call.session)
        if found is None:
            found = Session(
                Path(call.index_dir), call.today, self.engine_factory, self.story_factory
            )
            self.sessions[call.session] = found
        return found

    def run(self, call: Call) -> Any:
        """Execute one call; raises what the engine or story service raised."""
        method = call.method
        if method == "ping":
            return os.getpid()
        if method == "close":
            session = self.sessions.pop(call.session, None)
            if session is not None:
                session.close()
            return None
        session = self.session(call)
        if method in ENGINE_METHODS:
            return getattr(session.engine(), method)(*call.args, **call.kwargs)
        if method in STORY_METHODS:
            return getattr(session.stories(), method)(*call.args, **call.kwargs)
        if method == "default_threshold":
            return session.default_threshold()
        if method == "refresh":
            return session.refresh()
        raise ValueError(f"the search process has no call {method!r}")

    def answer(self, call: Call, waiting: deque[Any]) -> Reply:
        """Run ``call`` unless a newer call of its channel is waiting; never raises."""
        if call.latest_only and _superseded(call, waiting):
            return Reply(call.call_id, "stale")
        try:
            return Reply(call.call_id, "ok", self.run(call))
        except Exception as exc:
            return Reply(call.call_id, "error", failure(exc))

    def idle(self) -> bool:
        """Do one piece of idle work; False when there is none left."""
        for session in self.sessions.values():
            if session._engine is not None and not session.vocabulary_warm:
                with contextlib.suppress(Exception):
                    session.warm_vocabulary()
                return True
        return False

    def close(self) -> None:
        """Close every session."""
        for session in self.sessions.values():
            session.close()
        self.sessions.clear()


def _superseded(call: Call, waiting: deque[Any]) -> bool:
    return any(
        isinstance(other, Call) and other.channel == call.channel and other.seq > call.seq
        for other in waiting
    )


def failure(exc: BaseException) -> Failure:
    """Describe an exception for the parent (index states and missing pieces are not bugs)."""
    from index.store import CopydeskIndexError

    if isinstance(exc, CopydeskIndexError):
        kind: FailureKind = "index"
    elif isinstance(exc, ImportError):
        kind = "unavailable"
    else:
        kind = "bug"
    tb = "".join(traceback.format_exception(exc)) if kind == "bug" else ""
    return Failure(kind, type(exc).__name__, str(exc), tb)


def _preload() -> None:
    # The imports a first search needs (~1 s): done before the first call arrives, not on it.
    with contextlib.suppress(Exception):
        import search.engine
        import search.stories  # noqa: F401


def serve(
    conn: Any,
    engine_factory: EngineFactory | None = None,
    story_factory: StoryFactory | None = None,
    *,
    preload: bool = True,
    idle_s: float = IDLE_WARM_S,
    nice: int = 0,
) -> None:
    """Answer Calls from ``conn`` until :data:`QUIT` or the other end closes (the child's main).

    ``nice`` lowers this process's CPU priority by that much (where the OS has ``os.nice``).
    """
    # Ctrl+C in a terminal reaches the whole process group: the app decides when we stop.
    with contextlib.suppress(ValueError):  # not the main thread (tests call serve in-process)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if nice > 0 and hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(nice)
    server = Server(engine_factory, story_factory)
    waiting: deque[Any] = deque()
    try:
        conn.send(("ready", os.getpid()))
        if preload:
            _preload()
        idle_work = True
        while True:
            if not waiting:
                if idle_work and not conn.poll(idle_s):
                    idle_work = server.idle()
                    continue
                waiting.append(conn.recv())
            # Everything that arrived meanwhile: a newer search makes the waiting ones stale.
            while conn.poll(0):
                waiting.append(conn.recv())
            message = waiting.popleft()
            if message == QUIT:
                return
            if not isinstance(message, Call):
                continue
            t0 = time.perf_counter()
            reply = server.answer(message, waiting)
            if reply.status == "ok" and message.method in ("search", "refresh"):
                idle_work = True
            try:
                conn.send(reply)
            except (OSError, EOFError):
                raise
            except Exception as exc:  # the value did not pickle: say so instead
                conn.send(Reply(message.call_id, "error", failure(exc)))
            log.debug("%s took %.1f ms", message.method, (time.perf_counter() - t0) * 1000)
    except (EOFError, OSError):
        pass  # the app went away: nothing left to answer
    finally:
        server.close()
