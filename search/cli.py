"""``copydesk-index search``: the search engine from a terminal, as text or JSON.

Adds a ``search`` command to ``index.cli``'s parser (the lead points the ``copydesk-index`` console
script at :func:`main`). Exit status: 0 when the query ran (also after a mild automatic
correction, reported on stderr), 2 when it could not run (the message and a caret under the
position go to stderr), 1 for index errors.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from index.cli import add_index_arg, resolve_index, run
from index.cli import build_parser as index_parser
from search.model import FacetValue, Hit, QueryProblem, SearchPage, SearchRequest
from search.story_cli import add_story_commands

EXIT_OK = 0
EXIT_FATAL = 1
EXIT_PROBLEM = 2
FILTER_FIELDS = ("source", "wire", "date", "language")
SORTS = ("relevance", "newest", "oldest", "republished")
BOLD, RESET = "\x1b[1m", "\x1b[0m"
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def add_search_command(sub: Any, add_index_arg: Any) -> argparse.ArgumentParser:
    """Add the ``search`` subcommand to a subparsers action."""
    p: argparse.ArgumentParser = sub.add_parser(
        "search",
        help="search the index (query language: docs/query-language.md)",
        description="Search the index. Examples: 'north korea missile', '\"prime minister\" "
        "date:2019', 'wire:ap -sport', 'title:(election OR vote) date:\"last month\"'.",
    )
    p.add_argument("query", nargs="+", metavar="QUERY", help="the query (several words are joined)")
    add_index_arg(p)
    p.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="facet filter: source, wire, date (2019, 2019-05, 2019-05-04, none) or language; "
        "repeat for OR within a field, AND across fields; an empty VALUE is the unknown bucket",
    )
    p.add_argument("--from", dest="date_from", type=date.fromisoformat, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=date.fromisoformat, metavar="YYYY-MM-DD")
    p.add_argument("--sort", choices=SORTS, default="relevance")
    p.add_argument("--limit", type=int, default=10, help="results per page (default 10)")
    p.add_argument("--page", type=int, default=1, help="page number, from 1")
    p.add_argument("--group", action="store_true", help="one row per story (near-duplicates)")
    p.add_argument("--threshold", type=float, default=None, help="story similarity threshold")
    p.add_argument("--json", action="store_true", help="print the page as JSON")
    p.add_argument(
        "--today", type=date.fromisoformat, metavar="YYYY-MM-DD", help="pin relative dates"
    )
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    p.set_defaults(handler=_cmd_search)
    return p


def build_parser() -> argparse.ArgumentParser:
    """index.cli's parser with the search and story commands added."""
    parser = index_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    add_search_command(sub, add_index_arg)
    add_story_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``copydesk-index``."""
    return int(run(build_parser(), argv))


def _resolve_index(args: argparse.Namespace) -> Path:
    return resolve_index(args)


def parse_filters(specs: Sequence[str]) -> dict[str, frozenset[str]]:
    """``["source=AP", "wire=ap"]`` → ``{"source": {"AP"}, "wire": {"ap"}}``; ValueError if bad."""
    out: dict[str, set[str]] = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        name = name.strip().lower()
        if name == "lang":
            name = "language"
        if not sep or name not in FILTER_FIELDS:
            raise ValueError(
                f"--filter wants FIELD=VALUE with FIELD one of {', '.join(FILTER_FIELDS)}: {spec!r}"
            )
        out.setdefault(name, set()).add(value.strip())
    return {k: frozenset(v) for k, v in out.items()}


def _cmd_search(args: argparse.Namespace) -> int:
    from search.engine import SearchEngine

    try:
        filters = parse_filters(args.filter)
    except ValueError as exc:
        print(f"copydesk-index: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    query = " ".join(args.query)
    request = SearchRequest(
        query=query,
        filters=filters,
        date_from=args.date_from,
        date_to=args.date_to,
        sort=args.sort,
        page=max(0, args.page - 1),
        page_size=max(0, args.limit),
        group=args.group,
        threshold=args.threshold,
        today=args.today,
    )
    engine = SearchEngine(_resolve_index(args), today=args.today)
    try:
        page = engine.search(request)
    finally:
        engine.close()
    if page.problem is not None:
        print_problem(query, page.problem, sys.stderr)
        if not page.ok:
            if args.json:
                print(json.dumps(page_json(page), ensure_ascii=False, indent=2))
            return EXIT_PROBLEM
    if args.json:
        print(json.dumps(page_json(page), ensure_ascii=False, indent=2))
    else:
        color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
        print_page(page, sys.stdout, color)
    return EXIT_OK


def print_problem(query: str, problem: QueryProblem, out: TextIO) -> None:
    """The message, the query with a caret under the position, and the correction."""
    kind = "note" if problem.applied else "error"
    print(f"copydesk-index: {kind}: {problem.message}", file=out)
    if problem.position is not None:
        pos = max(0, min(problem.position, len(query)))
        print(f"  {query}", file=out)
        print("  " + " " * pos + "^" + "~" * max(0, problem.length - 1), file=out)
    if problem.corrected is not None:
        verb = "searched for" if problem.applied else "did you mean"
        print(f"  {verb}: {problem.corrected}", file=out)


def plain(fragment: str, color: bool) -> str:
    """An HTML fragment with <mark> as ANSI bold (``color``) or **…**, entities unescaped."""
    open_, close = (BOLD, RESET) if color else ("**", "**")
    return html.unescape(_MARK.sub(lambda m: f"{open_}{m.group(1)}{close}", fragment))


def _hit_line(hit: Hit) -> str:
    parts = [hit.source or "(unknown source)"]
    if hit.wires:
        parts.append(", ".join(hit.wires))
    parts.append(_date_text(hit))
    if hit.group_size > 1:
        parts.append(f"{hit.group_size} versions · {hit.group_outlets} outlets")
    return " · ".join(parts)


def _date_text(hit: Hit) -> str:
    if hit.date is None:
        return "(no date)"
    precision = hit.date_precision
    if precision == "year":
        return f"{hit.date:%Y}"
    if precision == "month":
        return f"{hit.date:%Y-%m}"
    if precision == "day":
        return f"{hit.date:%Y-%m-%d}"
    return f"{hit.date:%Y-%m-%d %H:%M} UTC"


def print_page(page: SearchPage, out: TextIO, color: bool = False) -> None:
    """A page of results for a terminal."""
    req = page.request
    if req.group:
        count = f"{page.total} stories ({page.total_articles} articles)"
    else:
        count = f"{page.total} result{'s' if page.total != 1 else ''}"
    print(f"{count} for {req.query!r} ({page.elapsed_ms:.0f} ms)", file=out)
    if page.suggestion:
        print(f"did you mean: {page.suggestion}", file=out)
    for hit in page.hits:
        print("", file=out)
        print(f"{hit.rank + 1:3}. {plain(hit.title_html, color) or '(untitled)'}", file=out)
        print(f"     {_hit_line(hit)}", file=out)
        for fragment in hit.snippets:
            print(f"     {plain(fragment, color)}", file=out)
        print(f"     id {hit.id}" + (f"  {hit.url}" if hit.url else ""), file=out)
    if page.has_more:
        print(f"\n… more: --page {req.page + 2}", file=out)
    if page.facets:
        print("", file=out)
        for facet in page.facets:
            shown = ", ".join(_facet_value(v) for v in facet.values[:8])
            more = f", … {len(facet.values) - 8} more" if len(facet.values) > 8 else ""
            unit = f" by {facet.granularity}" if facet.granularity else ""
            print(f"{facet.name}{unit}: {shown}{more}", file=out)


def _facet_value(v: FacetValue) -> str:
    return f"{'*' if v.selected else ''}{v.label} ({v.count})"


def page_json(page: SearchPage) -> dict[str, Any]:
    """The page as a JSON-ready dict."""
    p = page.problem
    return {
        "query": page.request.query,
        "total": page.total,
        "total_articles": page.total_articles,
        "page": page.request.page + 1,
        "elapsed_ms": round(page.elapsed_ms, 1),
        "suggestion": page.suggestion,
        "problem": None
        if p is None
        else {
            "message": p.message,
            "position": p.position,
            "length": p.length,
            "corrected": p.corrected,
            "applied": p.applied,
        },
        "hits": [
            {
                "id": h.id,
                "rank": h.rank + 1,
                "title": h.title,
                "title_html": h.title_html,
                "source": h.source,
                "wires": list(h.wires),
                "date": h.date.isoformat() if h.date else None,
                "date_precision": h.date_precision,
                "byline": h.byline,
                "url": h.url,
                "path": h.path,
                "language": h.language,
                "score": round(h.score, 4),
                "snippets": list(h.snippets),
                "group": {"id": h.group, "size": h.group_size, "outlets": h.group_outlets},
            }
            for h in page.hits
        ],
        "facets": {
            f.name: {
                "granularity": f.granularity or None,
                "values": [
                    {"key": v.key, "label": v.label, "count": v.count, "selected": v.selected}
                    for v in f.values
                ],
            }
            for f in page.facets
        },
        "timeline": [[d.isoformat(), n] for d, n in page.timeline],
    }


if __name__ == "__main__":
    sys.exit(main())
