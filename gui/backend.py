"""The app's view of the search engine and story service: protocols, lazy factories, one holder.

The GUI never imports ``search.engine`` or ``search.stories`` at module level: they load on first
use (in a worker thread), so a missing or broken piece shows as a message, not a crash at start.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from search.model import Hit, RepresentativeRule, SearchPage, SearchRequest, Story, StoryDiff

if TYPE_CHECKING:
    from index.model import Article


class SearchBackend(Protocol):
    """What the GUI needs from ``search.engine.SearchEngine``."""

    def search(self, request: SearchRequest) -> SearchPage:
        """Run one search; bad queries come back as ``page.problem``."""
        ...

    def article(self, article_id: str) -> Article | None:
        """The stored article, or None."""
        ...

    def more_like_this(self, article_id: str, limit: int = 10) -> tuple[Hit, ...]:
        """Articles similar to one."""
        ...

    def complete(self, field: str, prefix: str, limit: int = 10) -> list[str]:
        """Indexed values of ``field`` starting with ``prefix``."""
        ...

    def refresh(self) -> bool:
        """Pick up a newly published generation; True when it changed."""
        ...

    def close(self) -> None:
        """Release searchers."""
        ...


class StoryBackend(Protocol):
    """What the GUI needs from ``search.stories.StoryService``."""

    default_threshold: float

    def story(
        self,
        article_id: str,
        threshold: float | None = None,
        representative: RepresentativeRule = "earliest",
        preferred_outlet: str | None = None,
    ) -> Story | None:
        """The story an article belongs to, or None when it stands alone."""
        ...

    def diff(self, left_id: str, right_id: str) -> StoryDiff:
        """Side-by-side differences between two versions."""
        ...


EngineFactory = Callable[[Path, "date | None"], SearchBackend]
StoryFactory = Callable[[Path], StoryBackend]


class BackendUnavailableError(RuntimeError):
    """A piece the GUI needs is not installed or failed to import."""


class StaleCallError(RuntimeError):
    """The call was not run: a newer call of the same kind had been asked for meanwhile."""


class RemoteError(RuntimeError):
    """A call failed with an unexpected error in the search process (logged with its traceback)."""


@dataclass(frozen=True)
class CallTag:
    """On whose behalf a worker calls the backend: the kind of call and its request id.

    With ``latest_only``, the search process may skip the call when a newer one of the same
    channel is already waiting (its answer would be dropped anyway).
    """

    channel: str
    seq: int
    latest_only: bool = False


# Set by the workers around each call (see gui.workers); read by backends that care (the
# search-process backend). A ContextVar because the tag belongs to the pool thread's current call.
CURRENT_CALL: ContextVar[CallTag | None] = ContextVar("copydesk_current_call", default=None)


class AppBackend(Protocol):
    """What the window and its workers use: one index's engine and story service."""

    index_dir: Path
    today: date | None

    def engine(self) -> SearchBackend:
        """The search engine (call from a worker thread)."""
        ...

    def stories(self) -> StoryBackend:
        """The story service (call from a worker thread)."""
        ...

    def default_threshold(self) -> float | None:
        """The index's default story threshold."""
        ...

    def refresh(self) -> bool:
        """After a rebuild or update: see the new generation."""
        ...

    def close(self) -> None:
        """Close whatever was opened."""
        ...


def _load(module: str, name: str) -> type:
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise BackendUnavailableError(f"{module} is not available ({exc})") from exc
    try:
        cls: type = getattr(mod, name)
    except AttributeError as exc:
        raise BackendUnavailableError(f"{module} has no {name}") from exc
    return cls


def default_engine_factory(index_dir: Path, today: date | None) -> SearchBackend:
    """Open ``search.engine.SearchEngine`` on an index."""
    engine: SearchBackend = _load("search.engine", "SearchEngine")(index_dir, today=today)
    return engine


def default_story_factory(index_dir: Path) -> StoryBackend:
    """Open ``search.stories.StoryService`` on an index."""
    stories: StoryBackend = _load("search.stories", "StoryService")(index_dir)
    return stories


def missing_piece(module: str) -> str | None:
    """Why ``module`` cannot be imported, or None when it can."""
    try:
        importlib.import_module(module)
    except Exception as exc:  # any import-time failure means the feature is unavailable
        return f"{module} is not available ({type(exc).__name__}: {exc})"
    return None


class Backend:
    """The engine and story service for one index, in this process (threads), opened lazily."""

    def __init__(
        self,
        index_dir: Path,
        *,
        today: date | None = None,
        engine_factory: EngineFactory = default_engine_factory,
        story_factory: StoryFactory = default_story_factory,
    ) -> None:
        self.index_dir = index_dir
        self.today = today
        self._engine_factory = engine_factory
        self._story_factory = story_factory
        self._lock = threading.Lock()
        self._engine: SearchBackend | None = None
        self._stories: StoryBackend | None = None

    def engine(self) -> SearchBackend:
        """The search engine, opened on first use (call from a worker thread: it may be slow)."""
        with self._lock:
            if self._engine is None:
                self._engine = self._engine_factory(self.index_dir, self.today)
            return self._engine

    def stories(self) -> StoryBackend:
        """The story service, opened on first use."""
        with self._lock:
            if self._stories is None:
                self._stories = self._story_factory(self.index_dir)
            return self._stories

    def default_threshold(self) -> float | None:
        """The index's default story threshold (from the story service, else the engine's)."""
        try:
            return float(self.stories().default_threshold)
        except Exception:  # no story service yet: the engine's grouping default still applies
            try:
                from search.groups import default_threshold
            except ImportError:
                return None
            return float(default_threshold())

    def refresh(self) -> bool:
        """After a rebuild or update: let the engine see the new generation; reopen stories."""
        with self._lock:
            engine = self._engine
            # Story tables live in the generation, so a fresh service is the simple, safe choice.
            self._stories = None
        if engine is None:
            return True
        return engine.refresh()

    def close(self) -> None:
        """Close whatever was opened."""
        with self._lock:
            engine, self._engine = self._engine, None
            stories, self._stories = self._stories, None
        if engine is not None:
            engine.close()
        close_stories = getattr(stories, "close", None)
        if callable(close_stories):
            close_stories()
