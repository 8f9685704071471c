"""Plain-text articles: one file, one article, in whatever encoding it was saved."""

from __future__ import annotations

from collections.abc import Iterator

from index.model import Kind, RawDocument, ReadError
from index.readers._common import (
    FileInfo,
    decode_bytes,
    error,
    normalise_newlines,
    provenance,
    too_large,
)


def read_text(info: FileInfo, max_bytes: int) -> Iterator[RawDocument | ReadError]:
    """The whole file as one RawDocument; the extractor derives title and metadata."""
    big = too_large(info, max_bytes)
    if big is not None:
        yield big
        return
    data = info.path.read_bytes()
    text = normalise_newlines(decode_bytes(data)).strip()
    if not text:
        yield error(info.path, "empty file")
        return
    yield RawDocument(provenance(info.path, Kind.TEXT, data, info.mtime), text, {})
