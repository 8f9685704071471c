"""search.service: the search process's loop, run in-process over a pipe (deterministic)."""

from __future__ import annotations

import multiprocessing as mp
import pickle
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from index.store import IndexNotFoundError
from search.model import SearchPage, SearchRequest
from search.service import QUIT, Call, Failure, Reply, serve


class _Engine:
    """Answers every search with an empty page naming the query."""

    opened: ClassVar[list[str]] = []

    def __init__(self, index_dir: Path, today: date | None) -> None:
        self.index_dir = index_dir
        self.today = today
        self.warmed: list[bool] = []
        _Engine.opened.append(str(index_dir))

    def warm(self, vocabulary: bool = True) -> None:
        self.warmed.append(vocabulary)

    def search(self, request: SearchRequest) -> SearchPage:
        return SearchPage(request, len(request.query), ())

    def article(self, article_id: str) -> None:
        raise KeyError(article_id)

    def refresh(self) -> bool:
        return True

    def close(self) -> None:
        pass


class _Stories:
    default_threshold = 0.42

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir


def _missing(index_dir: Path, today: date | None) -> Any:
    raise IndexNotFoundError(f"no index at {index_dir}")


def _run(calls: list[Call], engine_factory: Any = _Engine) -> dict[int, Reply]:
    """Queue ``calls`` and QUIT, run the loop to its end, return the replies by call id."""
    ours, theirs = mp.Pipe()
    for call in calls:
        ours.send(call)
    ours.send(QUIT)
    serve(theirs, engine_factory, _Stories, preload=False, idle_s=0)
    replies: dict[int, Reply] = {}
    assert ours.recv()[0] == "ready"
    while ours.poll(0):
        reply = ours.recv()
        replies[reply.call_id] = reply
    return replies


def _search(call_id: int, query: str, channel: str = "search", latest_only: bool = True) -> Call:
    return Call(
        call_id,
        1,
        "/idx",
        None,
        "search",
        (SearchRequest(query=query, request_id=call_id),),
        channel=channel,
        seq=call_id,
        latest_only=latest_only,
    )


def test_only_the_newest_waiting_search_of_a_channel_runs() -> None:
    replies = _run(
        [
            _search(1, "f"),
            _search(2, "fl"),
            _search(3, "flo", channel="page", latest_only=False),
            _search(4, "flood"),
            _search(5, "flood", channel="page", latest_only=False),
        ]
    )
    assert [replies[i].status for i in (1, 2, 4)] == ["stale", "stale", "ok"]
    assert replies[4].value.request.query == "flood"
    # Calls that are not latest_only always run, whatever waits behind them.
    assert replies[3].status == replies[5].status == "ok"


def test_an_older_call_arriving_late_still_runs() -> None:
    # Pool threads may send out of order: a lower seq behind a higher one is not superseded.
    replies = _run([_search(7, "new"), _search(6, "old")])
    assert replies[7].status == replies[6].status == "ok"


def test_sessions_open_once_and_close() -> None:
    _Engine.opened.clear()
    close = Call(9, 1, "/idx", None, "close")
    replies = _run(
        [
            _search(1, "a", latest_only=False),
            _search(2, "b", latest_only=False),
            Call(3, 1, "/idx", None, "default_threshold"),
            Call(4, 2, "/other", None, "refresh"),
            close,
            _search(10, "c", latest_only=False),
        ]
    )
    assert all(r.status == "ok" for r in replies.values())
    assert replies[3].value == 0.42
    assert replies[4].value is True  # no engine opened yet: nothing stale to keep
    # Session 1 opened its engine once, then again after "close"; session 2 never needed one.
    assert _Engine.opened == ["/idx", "/idx"]


def test_failures_are_described_not_raised() -> None:
    replies = _run(
        [
            Call(1, 1, "/idx", None, "article", ("nope",)),
            Call(2, 1, "/idx", None, "no_such_call"),
        ]
    )
    bug = replies[1].value
    assert replies[1].status == "error" and isinstance(bug, Failure)
    assert bug.kind == "bug" and bug.type_name == "KeyError" and "Traceback" in bug.traceback
    assert replies[2].status == "error" and "no_such_call" in replies[2].value.message

    missing = _run([_search(1, "x", latest_only=False)], engine_factory=_missing)[1]
    assert missing.status == "error"
    assert missing.value.kind == "index" and "no index at /idx" in missing.value.message


def test_the_loop_ends_when_the_app_goes_away() -> None:
    ours, theirs = mp.Pipe()
    ours.close()
    serve(theirs, _Engine, _Stories, preload=False)  # returns instead of raising


def test_requests_with_filters_pickle() -> None:
    request = SearchRequest(query="flood", filters={"source": {"A", "B"}}, request_id=3)
    again = pickle.loads(pickle.dumps(request))
    assert again == request
    assert dict(again.filters) == {"source": frozenset({"A", "B"})}
