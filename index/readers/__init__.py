"""Readers: find input files and turn each into RawDocuments (or ReadErrors), never raising.

``discover`` lists files; ``read_file`` picks a reader by extension and content sniffing:
plain text, saved HTML pages, JSON Lines/JSON, CSV/TSV, RSS/Atom feeds and Reuters-style SGML.
"""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from index.model import Kind, RawDocument, ReadError
from index.readers._common import (
    MAX_RECORD_BYTES,
    SNIFF_BYTES,
    FileInfo,
    Keep,
    bom_encoding,
    error,
    keep_all,
    os_error_reason,
)
from index.readers.discover import discover
from index.readers.feed import FEED_ROOTS, NOT_A_FEED, read_feed, xml_root
from index.readers.html import read_html
from index.readers.mapping import CANONICAL_KEYS, FieldMapping
from index.readers.records import read_csv, read_json, read_jsonl
from index.readers.sgml import read_sgml
from index.readers.text import read_text

__all__ = [
    "CANONICAL_KEYS",
    "DEFAULT_MAX_BYTES",
    "MAX_RECORD_BYTES",
    "SUFFIXES",
    "FieldMapping",
    "detect_kind",
    "discover",
    "is_binary",
    "read_file",
]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
"""Largest file read whole (text, HTML, feeds, JSON documents); streamed kinds have no limit."""

SUFFIXES: dict[str, Kind] = {
    ".txt": Kind.TEXT,
    ".text": Kind.TEXT,
    ".md": Kind.TEXT,
    ".markdown": Kind.TEXT,
    ".html": Kind.HTML,
    ".htm": Kind.HTML,
    ".xhtml": Kind.HTML,
    ".shtml": Kind.HTML,
    ".jsonl": Kind.JSONL,
    ".ndjson": Kind.JSONL,
    ".jsonlines": Kind.JSONL,
    ".json": Kind.JSONL,
    ".csv": Kind.CSV,
    ".tsv": Kind.CSV,
    ".tab": Kind.CSV,
    ".xml": Kind.FEED,
    ".rss": Kind.FEED,
    ".atom": Kind.FEED,
    ".feed": Kind.FEED,
    ".rdf": Kind.FEED,
    ".sgm": Kind.SGML,
    ".sgml": Kind.SGML,
}
"""File name suffixes with a dedicated reader; other files are sniffed and usually read as text."""

_BINARY_MAGIC: tuple[bytes, ...] = (
    b"%PDF-",
    b"PK\x03\x04",  # zip, docx, epub, odt
    b"PK\x05\x06",
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",  # JPEG
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"\xfd7zXZ\x00",
    b"(\xb5/\xfd",  # zstd
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE: .doc, .xls, .msg
    b"\x7fELF",
    b"II*\x00",  # TIFF
    b"MM\x00*",
    b"OggS",
    b"fLaC",
    b"ID3",  # MP3
    b"wOFF",
    b"wOF2",
    b"SQLite format 3\x00",
    b"\x00asm",
)


def is_binary(head: bytes) -> bool:
    """True for the first bytes of a non-text file: a known magic number or NUL bytes."""
    if bom_encoding(head)[0] not in (None, "utf-8"):
        return False  # UTF-16/32 text is full of NULs
    if head.startswith(_BINARY_MAGIC):
        return True
    if head[4:8] == b"ftyp" or (
        head.startswith(b"RIFF") and head[8:12] in (b"WAVE", b"WEBP", b"AVI ")
    ):
        return True
    if head.startswith(b"BZh") and head[4:10] == b"1AY&SY":
        return True
    return b"\x00" in head


def _sniff(head: bytes) -> Kind | None:
    """The kind a file's content announces, for files whose suffix says little."""
    encoding, skip = bom_encoding(head)
    start = head[skip:].decode(encoding or "latin-1", errors="replace").lstrip()[:512].lower()
    if start.startswith(("<!doctype html", "<html")):
        return Kind.HTML
    if start.startswith(("<?xml", "<rss", "<feed", "<rdf:rdf")):
        root = xml_root(head)
        if root in FEED_ROOTS:
            return Kind.FEED
        if root == "html":
            return Kind.HTML
        return None
    if "<reuters" in start and "</reuters>" in head.decode("latin-1").lower():
        return Kind.SGML
    return None


def detect_kind(path: Path, head: bytes) -> Kind | ReadError:
    """Which reader a file needs, from its suffix and its first bytes."""
    suffix = path.suffix.lower()
    kind = SUFFIXES.get(suffix)
    if kind is Kind.FEED:
        root = xml_root(head)
        if root in FEED_ROOTS:
            return Kind.FEED
        if root == "html":
            return Kind.HTML
        return error(path, NOT_A_FEED)
    if kind is not None and suffix not in {".txt", ".text"}:
        return kind
    # .txt, no suffix and unknown suffixes: a saved page or feed still announces itself.
    return _sniff(head) or Kind.TEXT


def _guarded(
    path: Path, reader: Callable[[], Iterator[RawDocument | ReadError]]
) -> Iterator[RawDocument | ReadError]:
    # The never-raise promise: whatever a reader hits becomes a ReadError for the file.
    try:
        yield from reader()
    except OSError as exc:
        yield error(path, os_error_reason(exc))
    except Exception as exc:
        yield error(path, f"could not read: {type(exc).__name__}: {exc}")


def read_file(
    path: Path | str,
    mapping: FieldMapping = FieldMapping(),  # noqa: B008 - frozen, so sharing is safe
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    shard: tuple[int, int] | None = None,
) -> Iterator[RawDocument | ReadError]:
    """Yield the articles in one file as RawDocuments, and a ReadError per unreadable part.

    ``shard=(i, n)`` yields only records numbered r with ``(r - 1) % n == i`` (numbers stay those
    of the whole file) plus, for ``i == 0``, whatever has no record number: single-article files
    and file-level errors. The n shards together yield exactly what an unsharded read does.
    """
    if shard is None or shard[1] <= 1:
        yield from _read(Path(path), mapping, max_bytes, keep_all)
        return
    index, count = shard
    if not 0 <= index < count:
        raise ValueError(f"shard index {index} outside 0..{count - 1}")

    def keep(record: int) -> bool:
        return (record - 1) % count == index

    for item in _read(Path(path), mapping, max_bytes, keep):
        record = item.provenance.record if isinstance(item, RawDocument) else item.record
        if (index == 0) if record is None else keep(record):
            yield item


def _read(
    path: Path, mapping: FieldMapping, max_bytes: int, keep: Keep
) -> Iterator[RawDocument | ReadError]:
    try:
        st = path.stat()
    except FileNotFoundError:
        reason = "broken symbolic link" if path.is_symlink() else "no such file or directory"
        yield error(path, reason)
        return
    except OSError as exc:
        yield error(path, os_error_reason(exc))
        return
    if stat.S_ISDIR(st.st_mode):
        yield error(path, "is a directory")
        return
    if not stat.S_ISREG(st.st_mode):
        yield error(path, "not a regular file")  # FIFOs and devices would block or never end
        return
    if st.st_size == 0:
        yield error(path, "empty file")
        return
    try:
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
    except OSError as exc:
        yield error(path, os_error_reason(exc))
        return
    if not head:
        yield error(path, "empty file")
        return
    if is_binary(head):
        yield error(path, "binary file, not text")
        return
    kind = detect_kind(path, head)
    if isinstance(kind, ReadError):
        yield kind
        return
    info = FileInfo(path=path, size=st.st_size, mtime=st.st_mtime, head=head)
    readers: dict[Kind, Callable[[], Iterator[RawDocument | ReadError]]] = {
        Kind.TEXT: lambda: read_text(info, max_bytes),
        Kind.HTML: lambda: read_html(info, max_bytes),
        Kind.JSONL: lambda: (
            read_json(info, mapping, max_bytes, keep)
            if path.suffix.lower() == ".json"
            else read_jsonl(info, mapping, max_bytes, keep)
        ),
        Kind.CSV: lambda: read_csv(info, mapping, keep),
        Kind.FEED: lambda: read_feed(info, max_bytes),
        Kind.SGML: lambda: read_sgml(info, keep),
    }
    yield from _guarded(path, readers[kind])
