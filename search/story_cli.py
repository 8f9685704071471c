"""``copydesk-index groups`` and ``copydesk-index diff``: stories from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from index.cli import EXIT_FATAL, EXIT_OK, add_index_arg, resolve_index
from search.model import StoryDiff
from search.stories import StoryService


def add_story_commands(sub: Any) -> None:
    """Register the story subcommands on an argparse subparsers action."""
    p = sub.add_parser(
        "groups",
        help="list stories: groups of two or more versions of the same text",
        description="One line per story of two or more versions.",
    )
    add_index_arg(p)
    p.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="similarity from 0 (loose) to 1 (strict); default: the index's",
    )
    p.add_argument("--format", choices=("jsonl", "text"), default="jsonl")
    p.set_defaults(handler=_cmd_groups)

    p = sub.add_parser(
        "diff",
        help="aligned diff of two articles (sentences, then words)",
        description="What changed between two versions: removed, added and changed sentences.",
    )
    p.add_argument("left", metavar="ID1")
    p.add_argument("right", metavar="ID2")
    add_index_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_diff)


def _cmd_groups(args: argparse.Namespace) -> int:
    service = StoryService(resolve_index(args))
    try:
        groups = service.groups(args.threshold)
        if args.format == "jsonl":
            for group, ids in groups.items():
                print(json.dumps({"group": group, "articles": ids}, ensure_ascii=False))
            return EXIT_OK
        for group in groups:
            story = service.story(groups[group][0], args.threshold)
            if story is None:
                continue
            print(f"story {group}: {len(story.versions)} versions from {story.outlets} outlets")
            for v in story.versions:
                when = v.date.strftime("%Y-%m-%d %H:%M") if v.date else "no date"
                wires = "/".join(v.wires) or "-"
                mark = "*" if v.is_first else " "
                print(
                    f"  {mark} {when:16}  {v.source or '(unknown)':22} {wires:14} {v.id}  {v.title}"
                )
        return EXIT_OK
    finally:
        service.close()


def _cmd_diff(args: argparse.Namespace) -> int:
    service = StoryService(resolve_index(args))
    try:
        try:
            diff = service.diff(args.left, args.right)
        except KeyError as exc:
            print(f"copydesk-index: {exc.args[0]}", file=sys.stderr)
            return EXIT_FATAL
        if args.json:
            print(json.dumps(diff_json(diff), indent=2, ensure_ascii=False))
        else:
            print_diff(diff)
        return EXIT_OK
    finally:
        service.close()


def diff_json(diff: StoryDiff) -> dict[str, Any]:
    """A JSON-ready form of a diff."""
    return {
        "left": diff.left_id,
        "right": diff.right_id,
        "kept_share": diff.kept_share,
        "score": diff.score,
        "shared_passages": [
            {"left": a, "right": b, "similarity": s} for a, b, s in diff.shared_passages
        ],
        "rows": [
            {
                "kind": r.kind,
                "left": r.left,
                "right": r.right,
                "left_html": r.left_html,
                "right_html": r.right_html,
            }
            for r in diff.rows
        ],
    }


def _words(html_text: str) -> str:
    # Terminal form of the word marks: [-deleted-] and {+inserted+}, like git's word diff.
    import html

    text = html_text.replace("<del>", "[-").replace("</del>", "-]")
    text = text.replace("<ins>", "{+").replace("</ins>", "+}")
    return html.unescape(text)


def print_diff(diff: StoryDiff) -> None:
    """Print a diff for a terminal: '=' same, '-' removed, '+' added, '~' changed (word marks)."""
    score = f"{diff.score:.2f}" if diff.score is not None else "not a scored pair"
    print(f"--- {diff.left_id}\n+++ {diff.right_id}")
    print(f"kept {diff.kept_share:.0%} of the left version's words; grouping score {score}")
    for row in diff.rows:
        if row.kind == "equal":
            print(f"  = {row.left}")
        elif row.kind == "removed":
            print(f"  - {row.left}")
        elif row.kind == "added":
            print(f"  + {row.right}")
        else:
            print(f"  ~ {_words(row.left_html)}")
            print(f"    {_words(row.right_html)}")
