"""Engines for the search process in tests: importable by the spawn child (module level)."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

from search.model import SearchPage, SearchRequest

WAIT_LIMIT_S = 30.0


class GateEngine:
    """Searches answer at once, except ``wait:FILE`` (held until FILE exists) and ``die``."""

    def __init__(self, index_dir: Path, today: date | None) -> None:
        self.index_dir = index_dir

    def search(self, request: SearchRequest) -> SearchPage:
        query = request.query
        if query == "die":
            os._exit(7)  # a crash in the middle of a call
        if query.startswith("wait:"):
            gate = Path(query[5:])
            end = time.monotonic() + WAIT_LIMIT_S
            while not gate.exists() and time.monotonic() < end:
                time.sleep(0.01)  # the fake engine's "work": holds the child busy
        return SearchPage(request, len(query), ())

    def close(self) -> None:
        pass


def gate_engine_factory(index_dir: Path, today: date | None) -> GateEngine:
    """A GateEngine (the search process calls this with the session's index)."""
    return GateEngine(index_dir, today)
