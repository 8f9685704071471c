"""``copydesk-index search`` through ``search.cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.cli import main, parse_filters, plain


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_text_output(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "search", "north korea", "--index", str(index_dir), "--today", "2024-06-15"
    )
    assert code == 0, err
    assert out.startswith("3 results for 'north korea'")
    assert "  1. **North** **Korea** fires missiles into sea" in out
    assert "Daily Ledger · AP, Reuters · 2019-05-04 10:02 UTC" in out
    assert "id a01" in out
    assert "source: " in out and "Daily Ledger (1)" in out


def test_query_words_are_joined_and_color_is_optional(
    index_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(
        capsys, "search", "north", "korea", "--index", str(index_dir), "--color", "always"
    )
    assert code == 0
    assert "\x1b[1mNorth\x1b[0m" in out


def test_json_output(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(
        capsys,
        "search",
        "missile",
        "--index",
        str(index_dir),
        "--json",
        "--sort",
        "newest",
        "--limit",
        "2",
        "--filter",
        "source=Daily Ledger",
        "--filter",
        "source=Valley Times",
    )
    assert code == 0
    data = json.loads(out)
    assert data["total"] == 3  # a01, a31, a33
    assert [h["id"] for h in data["hits"]] == ["a31", "a33"]
    hit = data["hits"][0]
    assert set(hit) >= {"id", "title", "source", "wires", "date", "score", "snippets", "group"}
    assert hit["group"] == {"id": None, "size": 1, "outlets": 1}
    assert hit["date"] == "2021-12-01T10:00:00+00:00"
    sources = {v["key"]: v for v in data["facets"]["source"]["values"]}
    assert sources["Daily Ledger"]["selected"] and sources["Daily Ledger"]["count"] == 1
    assert data["facets"]["date"]["granularity"] in ("year", "month", "day")
    assert data["problem"] is None and data["suggestion"] is None


def test_json_paging_and_group(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "search",
        "korea",
        "--index",
        str(index_dir),
        "--json",
        "--limit",
        "1",
        "--page",
        "2",
        "--group",
    )
    assert code == 0
    data = json.loads(out)
    assert data["page"] == 2 and [h["id"] for h in data["hits"]] == ["a33"] and data["total"] == 3


def test_query_problem_exits_2_with_a_caret(
    index_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "search", "gold date:blurgh", "--index", str(index_dir))
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert "could not understand the date 'blurgh'" in lines[0]
    assert lines[1] == "  gold date:blurgh"
    assert lines[2] == "  " + " " * 10 + "^~~~~~"
    assert "did you mean: gold" in err


def test_mild_problem_runs_and_notes(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "search", '"north korea', "--index", str(index_dir))
    assert code == 0
    assert "note: closing quote missing" in err and 'searched for: "north korea"' in err
    assert out.startswith("3 results")


def test_suggestion_is_printed(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "recesion", "--index", str(index_dir))
    assert code == 0
    assert "did you mean: recession" in out


def test_bad_filter_is_a_usage_error(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(
        capsys, "search", "x", "--index", str(index_dir), "--filter", "colour=red"
    )
    assert code == 2 and "--filter" in err


def test_missing_index_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "search", "x", "--index", str(tmp_path / "nothing"))
    assert code == 1 and "no Copydesk index" in err


def test_index_commands_remain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("rebuild", "update", "stats", "export", "search"):
        assert command in out


def test_helpers() -> None:
    assert parse_filters(["wire=AP", "wire=", "lang=de"]) == {
        "wire": {"AP", ""},
        "language": {"de"},
    }
    assert plain("a <mark>b</mark> &amp; c", color=False) == "a **b** & c"
