"""SQLite persistence for story grouping: documents, LSH band buckets and scored pair evidence.

This layer knows nothing about text or scoring: it stores what ``index.stories`` computes, so a
threshold change is a read of the ``pairs`` table plus a union-find, never a recomputation.
Everything that grows with the archive lives in SQLite, not in Python objects.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

SCHEMA_VERSION = 4  # bump when keys, scores or the document blob change meaning

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(
    doc INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    day INTEGER,
    source TEXT,
    title TEXT NOT NULL,
    blob BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS keys(
    key INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    day INTEGER,
    PRIMARY KEY(key, doc)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pairs(
    a INTEGER NOT NULL,
    b INTEGER NOT NULL,
    score REAL NOT NULL,
    cont_a REAL NOT NULL,
    cont_b REAL NOT NULL,
    passages TEXT NOT NULL,
    PRIMARY KEY(a, b)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pairs_b ON pairs(b);
CREATE TABLE IF NOT EXISTS vocab(tok INTEGER PRIMARY KEY, df INTEGER NOT NULL);
"""
_DROP = """
DROP TABLE IF EXISTS docs; DROP TABLE IF EXISTS keys; DROP TABLE IF EXISTS pairs;
DROP TABLE IF EXISTS vocab; DELETE FROM meta;
"""


@dataclass(frozen=True)
class StoredDoc:
    """A document row: internal number, article id, day number, source, title and blob."""

    doc: int
    id: str
    day: int | None
    source: str | None
    title: str
    blob: bytes  # sentences and comparison features, as ``index.stories`` packed them


@dataclass(frozen=True)
class StoredPair:
    """A scored pair row; ``a < b`` are internal document numbers."""

    a: int
    b: int
    score: float
    cont_a: float
    cont_b: float
    passages: str  # compact JSON: [[i, j, similarity], ...]


DocRow = tuple[int, str, int | None, str | None, str, bytes]  # doc, id, day, source, title, blob
KeyRow = tuple[int, int, int | None]  # key, doc, day


class Store:
    """One SQLite database; all methods are serialised by a lock so threads may share it."""

    def __init__(self, path: Path | str) -> None:
        self._lock = threading.RLock()
        memory = str(path) == ":memory:"
        self.conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        if not memory:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA cache_size=-65536")  # 64 MB page cache
        self.conn.execute("PRAGMA temp_store=MEMORY")
        self.conn.executescript(_SCHEMA)
        version = self.get_meta("schema_version")
        if version is not None and version != str(SCHEMA_VERSION):
            # Derived data written by another version (other keys or scores): start afresh;
            # the next update re-adds every article (index.build reconciles by id).
            self.conn.executescript(_DROP)
            self.conn.executescript(_SCHEMA)
            version = None
        if version is None:
            self.set_meta("schema_version", str(SCHEMA_VERSION))

    # -- transactions and meta

    def begin(self) -> None:
        """Start a write transaction (the caller holds ``lock``)."""
        self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        """Commit the current transaction."""
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        """Abandon the current transaction, if any."""
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    @property
    def lock(self) -> threading.RLock:
        """The lock that serialises access to the connection."""
        return self._lock

    def get_meta(self, key: str) -> str | None:
        """A value from the meta table."""
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Store a value in the meta table."""
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", (key, value))

    def data_version(self) -> int:
        """SQLite's data_version: it changes when another connection commits a change."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def is_blank(self) -> bool:
        """True when no bucket rows and no document frequencies are stored."""
        keys = self.conn.execute("SELECT 1 FROM keys LIMIT 1").fetchone()
        return keys is None and self.conn.execute("SELECT 1 FROM vocab LIMIT 1").fetchone() is None

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self.conn.close()

    # -- documents

    def next_doc(self) -> int:
        """The internal number the next inserted document gets (one more than the largest)."""
        return int(self.conn.execute("SELECT COALESCE(MAX(doc), 0) + 1 FROM docs").fetchone()[0])

    def insert_docs(self, rows: Iterable[DocRow]) -> None:
        """Add document rows whose internal numbers the caller chose (``next_doc`` onwards)."""
        self.conn.executemany(
            "INSERT INTO docs(doc, id, day, source, title, blob) VALUES(?, ?, ?, ?, ?, ?)", rows
        )

    def doc_numbers(self, ids: Iterable[str]) -> dict[str, int]:
        """Internal numbers of the given article ids that are stored."""
        out: dict[str, int] = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for doc, id_ in self.conn.execute(
                f"SELECT doc, id FROM docs WHERE id IN ({marks})", chunk
            ):
                out[str(id_)] = int(doc)
        return out

    def load_docs(self, docs: Iterable[int]) -> dict[int, StoredDoc]:
        """Document rows by internal number."""
        out: dict[int, StoredDoc] = {}
        for chunk in _chunks(list(docs), 500):
            marks = ",".join("?" * len(chunk))
            for doc, id_, day, source, title, blob in self.conn.execute(
                f"SELECT doc, id, day, source, title, blob FROM docs WHERE doc IN ({marks})",
                chunk,
            ):
                out[int(doc)] = StoredDoc(int(doc), str(id_), day, source, str(title), blob)
        return out

    def ids_of(self, docs: Iterable[int]) -> dict[int, str]:
        """Article ids by internal number."""
        out: dict[int, str] = {}
        for chunk in _chunks(list(docs), 500):
            marks = ",".join("?" * len(chunk))
            for doc, id_ in self.conn.execute(
                f"SELECT doc, id FROM docs WHERE doc IN ({marks})", chunk
            ):
                out[int(doc)] = str(id_)
        return out

    def days_of(self, docs: Iterable[int]) -> dict[int, int | None]:
        """Day numbers by internal number (None when the date is unknown)."""
        out: dict[int, int | None] = {}
        for chunk in _chunks(list(docs), 500):
            marks = ",".join("?" * len(chunk))
            for doc, day in self.conn.execute(
                f"SELECT doc, day FROM docs WHERE doc IN ({marks})", chunk
            ):
                out[int(doc)] = day
        return out

    def delete_doc(self, doc: int, keys: Iterable[int]) -> None:
        """Remove a document, its band keys (recomputed by the caller) and all its pairs."""
        self.conn.executemany("DELETE FROM keys WHERE key=? AND doc=?", ((k, doc) for k in keys))
        self.conn.execute("DELETE FROM pairs WHERE a=?", (doc,))
        self.conn.execute("DELETE FROM pairs WHERE b=?", (doc,))
        self.conn.execute("DELETE FROM docs WHERE doc=?", (doc,))

    def count_docs(self) -> int:
        """Number of stored documents."""
        return int(self.conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0])

    # -- word document frequencies

    def add_df(self, delta: dict[int, int]) -> None:
        """Change document frequencies of words by the given amounts."""
        self.conn.executemany(
            "INSERT INTO vocab(tok, df) VALUES(?, ?) ON CONFLICT(tok) DO UPDATE SET df = df + ?",
            ((t, max(d, 0), d) for t, d in delta.items() if d),
        )

    def add_df_counts(self, toks: Sequence[int], counts: Sequence[int]) -> None:
        """Raise document frequencies of words (``toks``) by positive ``counts``."""
        values: list[int | None] = [0] * (2 * len(toks))
        values[0::2] = toks
        values[1::2] = counts
        self._insert_values(
            "INSERT INTO vocab(tok, df) VALUES ",
            "(?,?)",
            values,
            " ON CONFLICT(tok) DO UPDATE SET df = df + excluded.df",
        )

    def get_df(self, toks: Iterable[int]) -> dict[int, int]:
        """Document frequencies of the given words (absent words are left out)."""
        # One statement for any number of words: a JSON array bound as a single parameter.
        return {
            int(t): int(df)
            for t, df in self.conn.execute(
                "SELECT tok, df FROM vocab WHERE tok IN (SELECT value FROM json_each(?))",
                (_json_ints(toks),),
            )
        }

    # -- band buckets

    def insert_keys(self, rows: Iterable[KeyRow]) -> None:
        """Put documents into band buckets: (key, doc, day) rows, duplicates ignored."""
        self.conn.executemany("INSERT OR IGNORE INTO keys(key, doc, day) VALUES(?, ?, ?)", rows)

    def insert_key_values(self, values: list[int | None]) -> None:
        """``insert_keys`` of rows given flat: key, doc, day, key, doc, day, ... (faster)."""
        self._insert_values("INSERT OR IGNORE INTO keys(key, doc, day) VALUES ", "(?,?,?)", values)

    def _insert_values(self, head: str, row: str, values: list[int | None], tail: str = "") -> None:
        """Run ``head`` + many ``row`` placeholders + ``tail`` over flat ``values``.

        Hundreds of rows per statement cost a third less than executemany's one per step.
        """
        width = row.count("?")
        per = max(1, min(300, self.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width))
        step = per * width
        full = len(values) - len(values) % step
        if full:
            statement = head + ",".join([row] * per) + tail
            for at in range(0, full, step):
                self.conn.execute(statement, values[at : at + step])
        if full < len(values):
            rest = (len(values) - full) // width
            self.conn.execute(head + ",".join([row] * rest) + tail, values[full:])

    def buckets(
        self, keys: Iterable[int], limit: int
    ) -> dict[int, list[tuple[int, int | None]] | None]:
        """The (doc, day) rows of many band buckets in one statement: None for a bucket of more
        than ``limit`` rows, no entry for an empty one."""
        out: dict[int, list[tuple[int, int | None]] | None] = {}
        # Per key, only rows up to its (limit + 1)-th document are read, so a boilerplate
        # bucket of thousands costs no more than one just over the limit.
        for key, doc, day in self.conn.execute(
            "SELECT j.value, k.doc, k.day FROM json_each(?1) AS j JOIN keys AS k"
            " ON k.key = j.value AND k.doc <= COALESCE("
            "(SELECT doc FROM keys WHERE key = j.value LIMIT 1 OFFSET ?2), 9223372036854775807)",
            (_json_ints(dict.fromkeys(keys)), limit),  # distinct: one row set per key
        ):
            rows = out.get(key)
            if rows is None:
                if key in out:
                    continue
                rows = out[key] = []
            rows.append((doc, day))
            if len(rows) > limit:
                out[key] = None
        return out

    # -- pairs

    def insert_pairs(self, pairs: Iterable[StoredPair]) -> None:
        """Store scored pairs (replacing earlier evidence for the same pair)."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO pairs(a, b, score, cont_a, cont_b, passages) "
            "VALUES(?, ?, ?, ?, ?, ?)",
            ((p.a, p.b, p.score, p.cont_a, p.cont_b, p.passages) for p in pairs),
        )

    def get_pair(self, a: int, b: int) -> StoredPair | None:
        """The stored pair of two documents (in either order), if any."""
        lo, hi = min(a, b), max(a, b)
        row = self.conn.execute(
            "SELECT a, b, score, cont_a, cont_b, passages FROM pairs WHERE a=? AND b=?", (lo, hi)
        ).fetchone()
        return None if row is None else StoredPair(*row)

    def iter_pairs(self, min_score: float) -> Iterator[StoredPair]:
        """All pairs scoring at least ``min_score``."""
        for row in self.conn.execute(
            "SELECT a, b, score, cont_a, cont_b, passages FROM pairs WHERE score >= ?",
            (min_score,),
        ):
            yield StoredPair(*row)

    def pair_edges(self, min_score: float) -> list[tuple[int, int, float]]:
        """(a, b, score) of all pairs scoring at least ``min_score``: what grouping needs."""
        return [
            (int(a), int(b), float(s))
            for a, b, s in self.conn.execute(
                "SELECT a, b, score FROM pairs WHERE score >= ?", (min_score,)
            )
        ]


def _json_ints(values: Iterable[int]) -> str:
    """A JSON array of integers (for ``json_each``)."""
    return json.dumps(values if isinstance(values, list) else list(values))


def _chunks(items: list[object], size: int) -> Iterator[list[object]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
