"""Reading a whole index back: statistics and article export."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index import store
from index.model import Article
from index.schema import NO_DATE_KEY, from_stored, split_wires

UNKNOWN = "(unknown)"
NO_DATE = "(no date)"
NO_WIRE = "(no wire)"

EXPORT_FIELDS = (
    "id",
    "title",
    "source",
    "wires",
    "date",
    "date_precision",
    "byline",
    "url",
    "path",
)


@dataclass(frozen=True)
class IndexStats:
    """Counts per source, wire and year, and the size on disk."""

    index_dir: str
    generation: str
    articles: int
    sources: tuple[tuple[str, int], ...]
    wires: tuple[tuple[str, int], ...]
    years: tuple[tuple[str, int], ...]
    languages: tuple[tuple[str, int], ...]
    files: int
    bytes_on_disk: int
    schema_version: int
    created: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "index_dir": self.index_dir,
            "generation": self.generation,
            "articles": self.articles,
            "files": self.files,
            "bytes_on_disk": self.bytes_on_disk,
            "schema_version": self.schema_version,
            "created": self.created,
            "sources": dict(self.sources),
            "wires": dict(self.wires),
            "years": dict(self.years),
            "languages": dict(self.languages),
        }


def _column_values(reader: Any, name: str) -> Iterator[Any]:
    # Columns hold a value for deleted documents too; skip those.
    col = reader.column_reader(name)
    for docnum in reader.all_doc_ids():
        yield col[docnum]


def index_stats(root: Path) -> IndexStats:
    """Statistics of the live generation of the index at ``root``."""
    gen = store.current_generation(root)
    ix = store.open_generation(gen)
    meta = store.read_meta(gen)
    sources: Counter[str] = Counter()
    wires: Counter[str] = Counter()
    years: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    with ix.reader() as reader:
        count = reader.doc_count()
        for value in _column_values(reader, "source_key"):
            sources[value or UNKNOWN] += 1
        for value in _column_values(reader, "wires"):
            names = split_wires(value)
            if not names:
                wires[NO_WIRE] += 1
            for name in names:
                wires[name] += 1
        for value in _column_values(reader, "year"):
            years[NO_DATE if value in ("", NO_DATE_KEY) else value] += 1
        for value in _column_values(reader, "language"):
            languages[value or UNKNOWN] += 1
    manifest = store.Manifest(gen / store.MANIFEST_FILE)
    try:
        files = len(manifest.file_state())
    finally:
        manifest.close()
    return IndexStats(
        index_dir=str(root),
        generation=gen.name,
        articles=count,
        sources=tuple(sources.most_common()),
        wires=tuple(wires.most_common()),
        years=tuple(sorted(years.items())),
        languages=tuple(languages.most_common()),
        files=files,
        bytes_on_disk=store.dir_size(gen),
        schema_version=int(meta.get("schema_version") or 0),
        created=str(meta.get("created") or ""),
    )


def iter_articles(root: Path) -> Iterator[Article]:
    """Every article in the live generation, in index order."""
    ix = store.open_index(root)
    with ix.reader() as reader:
        for _docnum, stored in reader.iter_docs():
            yield from_stored(stored)


def export_record(article: Article, with_body: bool = False) -> dict[str, Any]:
    """The export form of an article (also used by search exports)."""
    record: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "source": article.source,
        "wires": list(article.wires),
        "date": article.date.value.isoformat() if article.date.value else None,
        "date_precision": article.date.precision,
        "byline": article.byline,
        "url": article.url,
        "path": article.provenance.label(),
    }
    if with_body:
        record["body"] = article.body
    return record


def write_export(
    articles: Iterator[Article], out: io.TextIOBase | Any, fmt: str, with_body: bool = False
) -> int:
    """Write articles as JSON Lines or CSV; returns the number written."""
    n = 0
    if fmt == "jsonl":
        for article in articles:
            out.write(json.dumps(export_record(article, with_body), ensure_ascii=False) + "\n")
            n += 1
        return n
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r} (use jsonl or csv)")
    names = [*EXPORT_FIELDS, "body"] if with_body else list(EXPORT_FIELDS)
    writer = csv.DictWriter(out, fieldnames=names)
    writer.writeheader()
    for article in articles:
        record = export_record(article, with_body)
        record["wires"] = "/".join(record["wires"])
        writer.writerow({k: "" if record[k] is None else record[k] for k in names})
        n += 1
    return n
