"""``copydesk-index``: build, update, inspect and export an index without a display.

A thin layer over ``index.build`` and ``index.catalog``; ``search.cli`` adds the search commands.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from index import store
from index.build import BuildOptions, rebuild, update
from index.catalog import index_stats, iter_articles, write_export
from index.extract import ExtractOptions
from index.model import Progress, Summary
from index.readers import FieldMapping

EXIT_OK = 0
EXIT_FATAL = 1
EXIT_USAGE = 2
EXIT_BUSY = 3
EXIT_CANCELLED = 130

Handler = Callable[[argparse.Namespace], int]


def add_index_arg(p: argparse.ArgumentParser) -> None:
    """The --index option shared by every command."""
    p.add_argument(
        "--index",
        type=Path,
        default=None,
        help=f"index directory (default: {store.default_index_dir()})",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with the indexing commands."""
    parser = argparse.ArgumentParser(
        prog="copydesk-index",
        description="Build, update, inspect, search and export a Copydesk news-archive index.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    for name, helptext in (
        ("rebuild", "build a fresh index from PATHs and swap it in atomically"),
        ("update", "read only new or changed files under PATHs; drop removed files"),
    ):
        p = sub.add_parser(name, help=helptext, description=helptext)
        p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to read")
        add_index_arg(p)
        p.add_argument("--source", help="outlet name for every article read (overrides detection)")
        p.add_argument(
            "--folder-source",
            action="append",
            default=[],
            metavar="FOLDER=NAME",
            help="articles under FOLDER come from outlet NAME (repeatable)",
        )
        p.add_argument("--include", action="append", default=[], metavar="GLOB")
        p.add_argument("--exclude", action="append", default=[], metavar="GLOB")
        p.add_argument(
            "--field",
            action="append",
            default=[],
            metavar="KEY=COLUMN",
            help="map a JSONL/CSV column to a field (id, title, body, source, date, url, byline, …)",
        )
        p.add_argument("--workers", type=int, default=None, help="worker processes (0: none)")
        p.add_argument(
            "--cache-dir",
            metavar="DIR",
            help="cache folder (the language model's decompressed copy; default: the user cache)",
        )
        p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
        p.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
        p.set_defaults(handler=_cmd_rebuild if name == "rebuild" else _cmd_update)

    p = sub.add_parser("stats", help="counts per source, wire and year; size on disk")
    add_index_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_stats)

    p = sub.add_parser("export", help="one record per article as JSON Lines or CSV")
    add_index_arg(p)
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    p.add_argument("--with-body", action="store_true", help="include the cleaned body")
    p.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    p.set_defaults(handler=_cmd_export)
    return parser


def resolve_index(args: argparse.Namespace) -> Path:
    """The index directory from --index or the per-user default."""
    return Path(args.index) if args.index else store.default_index_dir()


def _build_options(args: argparse.Namespace) -> BuildOptions:
    folder_sources: dict[str, str] = {}
    for spec in args.folder_source:
        folder, sep, name = spec.partition("=")
        if not sep or not folder or not name:
            raise ValueError(f"--folder-source wants FOLDER=NAME, got {spec!r}")
        folder_sources[str(Path(folder).resolve())] = name
    return BuildOptions(
        include=tuple(args.include),
        exclude=tuple(args.exclude),
        mapping=FieldMapping.from_specs(args.field),
        extract=ExtractOptions(
            source=args.source,
            folder_sources=folder_sources,
            cache_dir=str(Path(args.cache_dir).resolve()) if args.cache_dir else None,
        ),
        workers=args.workers,
    )


def _cmd_rebuild(args: argparse.Namespace) -> int:
    return _run_build(rebuild, args)


def _cmd_update(args: argparse.Namespace) -> int:
    return _run_build(update, args)


def _run_build(func: Callable[..., Iterator[Progress]], args: argparse.Namespace) -> int:
    options = _build_options(args)
    cancel = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.set())
    bar = ProgressBar(sys.stderr, enabled=not args.quiet)
    last: Progress | None = None
    try:
        for step in func(args.paths, resolve_index(args), options, cancel):
            last = step
            bar.show(step)
    finally:
        signal.signal(signal.SIGINT, previous)
        bar.close()
    if last is None or last.summary is None:
        print("cancelled; the index is unchanged", file=sys.stderr)
        return EXIT_CANCELLED
    print_summary(last.summary, sys.stdout if not args.json else sys.stderr)
    if args.json:
        print(json.dumps(summary_json(last.summary), indent=2))
    return EXIT_OK if last.stage == "done" else EXIT_CANCELLED


class ProgressBar:
    """A one-line progress bar with rate and ETA on a terminal; periodic lines elsewhere."""

    def __init__(self, out: TextIO, enabled: bool = True, width: int = 28) -> None:
        self.out = out
        self.enabled = enabled
        self.width = width
        self.tty = out.isatty()
        self.last_line = 0.0
        self.last_stage = ""
        self.drawn = False

    def show(self, p: Progress) -> None:
        """Draw one step."""
        if not self.enabled:
            return
        frac = p.fraction
        bar = (
            "#" * int(self.width * frac) + "." * (self.width - int(self.width * frac))
            if frac is not None
            else "?" * self.width
        )
        pct = f"{100 * frac:5.1f}%" if frac is not None else "   ?%"
        eta = _clock(p.eta) if p.eta is not None else "--:--"
        unit = "articles grouped" if p.stage == "stories" else "files"
        line = (
            f"{p.stage:<7} [{bar}] {pct} {p.files_done}/{p.files_total} {unit}  "
            f"{p.articles} articles  {p.rate:,.0f}/s  ETA {eta}  skipped {p.skipped}"
        )
        if self.tty:
            self.out.write("\r" + line[:200].ljust(120))
            self.drawn = True
        else:
            now = time.monotonic()
            if p.stage == self.last_stage and now - self.last_line < 5:
                return
            self.last_line = now
            self.last_stage = p.stage
            self.out.write(line + "\n")
        self.out.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self.drawn:
            self.out.write("\n")
            self.out.flush()


def _clock(seconds: float) -> str:
    s = int(seconds)
    return (
        f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


def summary_json(s: Summary) -> dict[str, Any]:
    """The summary as a JSON-ready dict."""
    return {
        "index_dir": s.index_dir,
        "files": s.files,
        "articles_read": s.articles,
        "indexed": s.indexed,
        "skipped": [{"path": k.label, "reason": k.reason} for k in s.skipped],
        "duplicates": [{"path": k.label, "reason": k.reason} for k in s.duplicates],
        "removed_files": s.removed_files,
        "unchanged_files": s.unchanged_files,
        "total_articles": s.total_articles,
        "index_bytes": s.index_bytes,
        "elapsed_s": round(s.elapsed, 3),
        "articles_per_s": round(s.rate, 1),
    }


def print_summary(s: Summary, out: TextIO, max_listed: int = 20) -> None:
    """Human-readable closing lines: counts, then skipped files grouped by reason."""
    print(
        f"read {s.articles} articles from {s.files} files in {s.elapsed:.1f}s "
        f"({s.rate:,.0f} articles/s); indexed {s.indexed}; "
        f"exact duplicates {len(s.duplicates)}; skipped {len(s.skipped)}",
        file=out,
    )
    if s.removed_files or s.unchanged_files:
        print(f"unchanged files {s.unchanged_files}; removed files {s.removed_files}", file=out)
    print(
        f"index {s.index_dir}: {s.total_articles} articles, {s.index_bytes / 1e6:.1f} MB", file=out
    )
    if s.skipped:
        reasons = Counter(_reason_kind(k.reason) for k in s.skipped)
        print("skipped by reason: " + "; ".join(f"{r}: {n}" for r, n in reasons.items()), file=out)
        for k in s.skipped[:max_listed]:
            print(f"  skipped {k.label}: {k.reason}", file=out)
        if len(s.skipped) > max_listed:
            print(f"  … and {len(s.skipped) - max_listed} more (use --json for all)", file=out)


def _reason_kind(reason: str) -> str:
    return reason.split(":", 1)[0].split("(", 1)[0].strip()


def _cmd_stats(args: argparse.Namespace) -> int:
    stats = index_stats(resolve_index(args))
    if args.json:
        print(json.dumps(stats.to_json(), indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"index {stats.index_dir} ({stats.generation}, schema {stats.schema_version})")
    print(
        f"articles {stats.articles}  files {stats.files}  size {stats.bytes_on_disk / 1e6:.1f} MB"
    )
    for title, rows in (
        ("sources", stats.sources),
        ("wires", stats.wires),
        ("years", stats.years),
        ("languages", stats.languages),
    ):
        print(f"\n{title}:")
        for name, n in rows[:40]:
            print(f"  {n:>8}  {name}")
        if len(rows) > 40:
            print(f"  … {len(rows) - 40} more (use --json)")
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    articles = iter_articles(resolve_index(args))
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as f:
            n = write_export(articles, f, args.format, args.with_body)
        print(f"exported {n} articles to {args.output}", file=sys.stderr)
    else:
        write_export(articles, sys.stdout, args.format, args.with_body)
    return EXIT_OK


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    """Parse and dispatch, turning expected errors into messages and exit codes."""
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    handler: Handler = args.handler
    try:
        return handler(args)
    except store.IndexBusyError as exc:
        print(f"copydesk-index: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except (store.CopydeskIndexError, ValueError, OSError) as exc:
        print(f"copydesk-index: {exc}", file=sys.stderr)
        return EXIT_FATAL
    except BrokenPipeError:  # pragma: no cover - `| head`
        return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the indexing commands."""
    return run(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
