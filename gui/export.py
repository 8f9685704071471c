"""Writing results and story reports to CSV / JSON Lines, and formatting citations. Qt-free."""

from __future__ import annotations

import csv
import html
import json
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

from search.model import Hit, Story, StoryDiff

ExportFormat = Literal["csv", "jsonl"]

HIT_FIELDS = (
    "rank",
    "id",
    "title",
    "source",
    "wires",
    "date",
    "date_precision",
    "byline",
    "url",
    "path",
    "language",
    "score",
    "group",
    "group_size",
    "group_outlets",
    "snippet",
)

VERSION_FIELDS = (
    "id",
    "title",
    "source",
    "wires",
    "date",
    "date_precision",
    "lag_seconds",
    "similarity",
    "kept_share",
    "word_count",
    "uncredited",
    "is_representative",
    "is_first",
)

_TAG = re.compile(r"<[^>]+>")


def plain(fragment_html: str) -> str:
    """Text of an HTML fragment with <mark>/<ins>/<del> tags removed."""
    return html.unescape(_TAG.sub("", fragment_html))


def format_for(path: Path) -> ExportFormat:
    """The export format a file name asks for (JSON Lines for .jsonl/.ndjson/.json, else CSV)."""
    return "jsonl" if path.suffix.lower() in {".jsonl", ".ndjson", ".json"} else "csv"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def hit_record(hit: Hit) -> dict[str, Any]:
    """One result as a flat, JSON-ready record."""
    return {
        "rank": hit.rank + 1,
        "id": hit.id,
        "title": hit.title,
        "source": hit.source,
        "wires": list(hit.wires),
        "date": _iso(hit.date),
        "date_precision": hit.date_precision,
        "byline": hit.byline,
        "url": hit.url,
        "path": hit.path,
        "language": hit.language,
        "score": round(hit.score, 4),
        "group": hit.group,
        "group_size": hit.group_size,
        "group_outlets": hit.group_outlets,
        "snippet": " … ".join(plain(s) for s in hit.snippets),
    }


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


class HitWriter:
    """Streams hits to a CSV or JSON Lines file (a context manager)."""

    def __init__(self, path: Path, fmt: ExportFormat) -> None:
        self.path = path
        self.fmt = fmt
        self.rows = 0
        self._file: IO[str] | None = None
        self._csv: Any = None

    def __enter__(self) -> HitWriter:
        # utf-8-sig so spreadsheet programs detect the encoding of a CSV.
        encoding = "utf-8-sig" if self.fmt == "csv" else "utf-8"
        self._file = open(self.path, "w", encoding=encoding, newline="")  # closed in __exit__
        if self.fmt == "csv":
            self._csv = csv.DictWriter(self._file, fieldnames=HIT_FIELDS)
            self._csv.writeheader()
        return self

    def write(self, hit: Hit) -> None:
        """Append one hit."""
        assert self._file is not None
        record = hit_record(hit)
        if self.fmt == "csv":
            self._csv.writerow({k: _csv_value(v) for k, v in record.items()})
        else:
            self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.rows += 1

    def write_all(self, hits: Iterable[Hit]) -> None:
        """Append several hits."""
        for hit in hits:
            self.write(hit)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def write_hits(hits: Iterable[Hit], path: Path, fmt: ExportFormat | None = None) -> int:
    """Write hits to a file; returns the number of rows."""
    with HitWriter(path, fmt or format_for(path)) as writer:
        writer.write_all(hits)
        return writer.rows


def version_record(story: Story, index: int) -> dict[str, Any]:
    """One version of a story as a flat record."""
    v = story.versions[index]
    return {
        "id": v.id,
        "title": v.title,
        "source": v.source,
        "wires": list(v.wires),
        "date": _iso(v.date),
        "date_precision": v.date_precision,
        "lag_seconds": v.lag_seconds,
        "similarity": round(v.similarity, 4),
        "kept_share": round(v.kept_share, 4),
        "word_count": v.word_count,
        "uncredited": v.uncredited,
        "is_representative": v.is_representative,
        "is_first": v.is_first,
    }


def story_report(story: Story, diff: StoryDiff | None = None) -> dict[str, Any]:
    """A story's group report: the versions, who was first, and (optionally) the compared pair."""
    report: dict[str, Any] = {
        "group": story.group,
        "representative": story.representative,
        "first": story.first,
        "outlets": story.outlets,
        "threshold": story.threshold,
        "versions": [version_record(story, i) for i in range(len(story.versions))],
    }
    if diff is not None:
        report["comparison"] = {
            "left": diff.left_id,
            "right": diff.right_id,
            "score": diff.score,
            "kept_share": diff.kept_share,
            "shared_passages": [
                {"left": a, "right": b, "similarity": s} for a, b, s in diff.shared_passages
            ],
            "rows": [{"kind": r.kind, "left": r.left, "right": r.right} for r in diff.rows],
        }
    return report


def write_story_report(
    story: Story, path: Path, diff: StoryDiff | None = None, fmt: str | None = None
) -> int:
    """Write a story's versions as JSON (a whole report) or CSV (one row per version)."""
    kind = fmt or ("json" if path.suffix.lower() in {".json", ".jsonl"} else "csv")
    if kind == "json":
        path.write_text(
            json.dumps(story_report(story, diff), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
    else:
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=("group", *VERSION_FIELDS))
            writer.writeheader()
            for i in range(len(story.versions)):
                record = version_record(story, i)
                writer.writerow(
                    {"group": story.group, **{k: _csv_value(v) for k, v in record.items()}}
                )
    return len(story.versions)


def format_date(value: datetime | None, precision: str) -> str:
    """A date as precise as it is known: '4 May 2019 14:05 UTC', 'May 2019', '2019', 'no date'."""
    if value is None or precision == "none":
        return "no date"
    if precision == "year":
        return f"{value.year}"
    if precision == "month":
        return value.strftime("%B %Y")
    day = f"{value.day} {value.strftime('%b %Y')}"
    if precision == "minute":
        return f"{day} {value.strftime('%H:%M')} UTC"
    return day


def citation(
    title: str, source: str | None, when: datetime | None, precision: str, url: str | None
) -> str:
    """A one-line citation: “Title”, Outlet, 4 May 2019. URL"""
    parts = [f"“{title.strip() or 'Untitled'}”", source or "unknown outlet"]
    if when is not None and precision != "none":
        parts.append(format_date(when, "day" if precision == "minute" else precision))
    text = ", ".join(parts) + "."
    if url:
        text += f" {url}"
    return text


def hit_citation(hit: Hit) -> str:
    """The citation of a result row."""
    return citation(hit.title, hit.source, hit.date, hit.date_precision, hit.url)
