"""Where an index lives on disk: generations, the atomic swap, the writer lock and the file manifest.

Layout of an index directory ``DIR``::

    DIR/CURRENT          name of the live generation, replaced atomically (os.replace)
    DIR/gen-000007/      a complete Whoosh index + manifest.sqlite + copydesk.json (+ stories.sqlite)
    DIR/build-*/         a rebuild in progress (deleted on success, failure or the next rebuild)
    DIR/write.lock       held (flock) by the one process allowed to write

A rebuild writes a new generation beside the live one and only then points CURRENT at it, so a
crash or a kill at any moment leaves the previous generation intact and searchable.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from whoosh import index as whoosh_index
from whoosh.index import LockError

from index.schema import SCHEMA_VERSION, build_schema

CURRENT_FILE = "CURRENT"
LOCK_FILE = "write.lock"
META_FILE = "copydesk.json"
MANIFEST_FILE = "manifest.sqlite"
STORIES_FILE = "stories.sqlite"
INDEX_NAME = "MAIN"


class CopydeskIndexError(Exception):
    """Base class of errors about an index as a whole (a user-facing message, not a bug)."""


class IndexBusyError(CopydeskIndexError):
    """Another process is writing to the index."""


class IndexNotFoundError(CopydeskIndexError):
    """There is no Copydesk index at the given place."""


class SchemaVersionError(CopydeskIndexError):
    """The index was written by another version of Copydesk's schema."""


def default_index_dir() -> Path:
    """The per-user default index location (platformdirs), used when no ``--index`` is given."""
    import platformdirs

    return Path(platformdirs.user_data_dir("copydesk", appauthor=False)) / "index"


def is_index_dir(root: Path) -> bool:
    """True when ``root`` holds a published Copydesk index."""
    return (root / CURRENT_FILE).is_file()


def has_current_schema(root: Path) -> bool:
    """True when the index at ``root`` exists and uses this Copydesk's schema version."""
    try:
        check_version(current_generation(root))
    except (IndexNotFoundError, SchemaVersionError):
        return False
    return True


def current_generation(root: Path) -> Path:
    """The live generation's directory, or IndexNotFoundError."""
    try:
        name = (root / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexNotFoundError(
            f"no Copydesk index at {root} (build one with: copydesk-index rebuild PATH --index {root})"
        ) from None
    gen = root / name
    if not name or "/" in name or not gen.is_dir():
        raise IndexNotFoundError(f"the index at {root} is damaged: CURRENT points to {name!r}")
    return gen


def read_meta(gen: Path) -> dict[str, Any]:
    """The generation's copydesk.json (schema version, build time, options)."""
    try:
        data: dict[str, Any] = json.loads((gen / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data


def check_version(gen: Path) -> None:
    """Raise SchemaVersionError unless the generation uses this Copydesk's schema."""
    version = read_meta(gen).get("schema_version")
    if version != SCHEMA_VERSION:
        raise SchemaVersionError(
            f"the index at {gen.parent} uses schema version {version!r}, this Copydesk needs "
            f"version {SCHEMA_VERSION}; rebuild it with: copydesk-index rebuild PATH --index {gen.parent}"
        )


def open_generation(gen: Path) -> whoosh_index.Index:
    """Open a generation's Whoosh index after checking its schema version."""
    check_version(gen)
    return whoosh_index.open_dir(str(gen), indexname=INDEX_NAME)


def open_index(root: Path) -> whoosh_index.Index:
    """Open the live generation of the index at ``root`` for reading."""
    return open_generation(current_generation(root))


@dataclass
class WriteLock:
    """An exclusive, non-blocking advisory lock on an index directory; the kernel drops it on kill."""

    root: Path
    _handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise IndexBusyError naming the holder."""
        self.root.mkdir(parents=True, exist_ok=True)
        handle = open(self.root / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 (held until release)
        try:
            _lock_file(handle)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise IndexBusyError(
                f"index is busy: {holder} is writing to {self.root}; try again when it has finished"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Release the lock (idempotent)."""
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.seek(0)
                self._handle.truncate()
                _unlock_file(self._handle)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> WriteLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _lock_file(handle: IO[str]) -> None:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock_file(handle: IO[str]) -> None:
    if os.name == "nt":  # pragma: no cover
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def whoosh_writer_busy(error: LockError, root: Path) -> IndexBusyError:
    """Map Whoosh's own lock error (a writer outside Copydesk's lock) to ours."""
    return IndexBusyError(f"index is busy: another writer holds {root}'s Whoosh lock ({error})")


def new_build_dir(root: Path) -> Path:
    """Create an empty directory for a rebuild, after clearing leftovers of killed rebuilds."""
    root.mkdir(parents=True, exist_ok=True)
    for stale in root.glob("build-*"):
        shutil.rmtree(stale, ignore_errors=True)
    build = root / f"build-{os.getpid()}-{int(time.time() * 1000)}"
    build.mkdir()
    return build


def create_generation(build: Path, options: dict[str, Any]) -> whoosh_index.Index:
    """Create an empty Whoosh index and its metadata in a build directory."""
    meta = {
        "schema_version": SCHEMA_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "options": options,
    }
    (build / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return whoosh_index.create_in(str(build), build_schema(), indexname=INDEX_NAME)


def publish(root: Path, build: Path) -> Path:
    """Make a finished build the live generation atomically; keep one previous generation."""
    gens = sorted(p.name for p in root.glob("gen-*") if p.is_dir())
    number = int(gens[-1].split("-")[1]) + 1 if gens else 1
    gen = root / f"gen-{number:06d}"
    _fsync_tree(build)
    os.rename(build, gen)
    tmp = root / f"{CURRENT_FILE}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(gen.name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, root / CURRENT_FILE)
    _fsync_dir(root)
    # Readers that opened the previous generation keep working; older ones go.
    for old in gens[:-1]:
        shutil.rmtree(root / old, ignore_errors=True)
    return gen


def _fsync_tree(path: Path) -> None:
    # Whoosh never fsyncs; the swap must not publish files still in the page cache only.
    for child in path.iterdir():
        if child.is_file():
            with contextlib.suppress(OSError):
                fd = os.open(child, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
    _fsync_dir(path)


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":  # pragma: no cover
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def dir_size(path: Path) -> int:
    """Bytes used by the files below ``path``."""
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(dirpath, name)).st_size
    return total


class Manifest:
    """Which files were read into a generation and which article ids each provided (SQLite)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(str(path))
        self.db.executescript(
            """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS files (
                path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, kind TEXT,
                articles INTEGER, skipped INTEGER
            );
            CREATE TABLE IF NOT EXISTS articles (
                id TEXT, path TEXT, record INTEGER, indexed INTEGER,
                PRIMARY KEY (path, record, id)
            );
            CREATE INDEX IF NOT EXISTS articles_id ON articles(id);
            """
        )

    def file_state(self) -> dict[str, tuple[int, int]]:
        """path -> (size, mtime_ns) for every file read."""
        rows = self.db.execute("SELECT path, size, mtime_ns FROM files")
        return {p: (s, m) for p, s, m in rows}

    def ids_of(self, paths: list[str]) -> set[str]:
        """Article ids provided by any of the paths."""
        out: set[str] = set()
        for chunk in _chunks(paths, 500):
            marks = ",".join("?" * len(chunk))
            out.update(
                r[0]
                for r in self.db.execute(f"SELECT id FROM articles WHERE path IN ({marks})", chunk)
            )
        return out

    def indexed_ids(self) -> set[str]:
        """Ids whose document is in the index."""
        return {r[0] for r in self.db.execute("SELECT DISTINCT id FROM articles WHERE indexed=1")}

    def paths_providing(self, ids: set[str]) -> set[str]:
        """Files that provide any of the ids."""
        out: set[str] = set()
        id_list = sorted(ids)
        for chunk in _chunks(id_list, 500):
            marks = ",".join("?" * len(chunk))
            out.update(
                r[0]
                for r in self.db.execute(f"SELECT path FROM articles WHERE id IN ({marks})", chunk)
            )
        return out

    def forget(self, paths: list[str]) -> None:
        """Drop files and their article rows."""
        for chunk in _chunks(paths, 500):
            marks = ",".join("?" * len(chunk))
            self.db.execute(f"DELETE FROM files WHERE path IN ({marks})", chunk)
            self.db.execute(f"DELETE FROM articles WHERE path IN ({marks})", chunk)

    def record_file(
        self,
        path: str,
        size: int,
        mtime_ns: int,
        kind: str,
        articles: list[tuple[str, int | None, bool]],
        skipped: int,
    ) -> None:
        """Store one file's state and the (id, record, indexed) rows it provided."""
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?)",
            (path, size, mtime_ns, kind, len(articles), skipped),
        )
        self.db.executemany(
            "INSERT OR REPLACE INTO articles VALUES (?,?,?,?)",
            [(i, path, r if r is not None else -1, int(x)) for i, r, x in articles],
        )

    def commit(self) -> None:
        """Commit pending changes."""
        self.db.commit()

    def close(self) -> None:
        """Close the database."""
        self.db.close()


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
