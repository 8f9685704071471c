"""Stories over the demo archive: the hand-labelled groups, first publisher, diffs, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.build import BuildOptions, rebuild
from index.catalog import iter_articles
from search.cli import main
from search.stories import StoryService

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "demo"
MANIFEST = json.loads((REPO / "resources" / "demo-manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    idx = tmp_path_factory.mktemp("demo") / "idx"
    for _ in rebuild([DEMO], idx, BuildOptions(workers=0)):
        pass
    return idx


@pytest.fixture(scope="module")
def ids(demo_index: Path) -> dict[str, str]:
    """Manifest key (path, path#jsonl-id, feed#item) -> article id."""
    out = {}
    for a in iter_articles(demo_index):
        rel = Path(a.provenance.path).resolve().relative_to(DEMO).as_posix()
        if rel.endswith(".jsonl"):
            out[f"{rel}#{a.id}"] = a.id
        elif a.provenance.record is not None:
            out[f"{rel}#{a.provenance.record}"] = a.id
        else:
            out[rel] = a.id
    assert len(out) == len(MANIFEST["articles"])
    return out


def _groups_as_sets(groups: dict[str, list[str]]) -> set[frozenset[str]]:
    return {frozenset(v) for v in groups.values()}


def test_demo_groups_match_the_hand_labels(demo_index: Path, ids: dict[str, str]) -> None:
    expected = {frozenset(ids[m] for m in g["members"]) for g in MANIFEST["groups"]}
    found = _groups_as_sets(StoryService(demo_index).groups())
    assert found == expected


def test_hard_negatives_stay_apart(demo_index: Path, ids: dict[str, str]) -> None:
    service = StoryService(demo_index)
    group_members = {g["story"]: {ids[m] for m in g["members"]} for g in MANIFEST["groups"]}
    for negative in MANIFEST["negatives"]:
        members = [ids[m] for m in negative["members"]]
        groups = {service.group_of(m) for m in members}
        if negative["kind"] == "templated-earnings":
            assert groups == {None}, negative["kind"]
        if negative.get("not_with"):
            other = group_members[negative["not_with"]]
            for m in members:
                g = service.group_of(m)
                assert g is None or not ({a for a in other if service.group_of(a) == g}), m


def test_story_versions_first_lag_and_uncredited(demo_index: Path, ids: dict[str, str]) -> None:
    service = StoryService(demo_index)
    quake = next(g for g in MANIFEST["groups"] if g["story"] == "peru-quake-ap")
    story = service.story(ids[quake["members"][0]])
    assert story is not None
    assert {v.id for v in story.versions} == {ids[m] for m in quake["members"]}
    dated = [v for v in story.versions if v.date is not None]
    assert dated == sorted(dated, key=lambda v: v.date)  # type: ignore[arg-type, return-value]
    first = next(v for v in story.versions if v.is_first)
    assert first.id == story.first and first.lag_seconds == 0
    assert all(v.lag_seconds is None or v.lag_seconds >= 0 for v in story.versions)
    copy = next(v for v in story.versions if v.id == ids["text/metro-wire-online/peru-quake.txt"])
    assert copy.uncredited and not copy.wires
    assert sum(v.is_representative for v in story.versions) == 1
    assert story.outlets >= 4
    longest = service.story(first.id, representative="longest")
    assert longest is not None
    rep = next(v for v in longest.versions if v.is_representative)
    assert rep.word_count == max(v.word_count for v in longest.versions)


def test_threshold_regroups_without_reindexing(demo_index: Path) -> None:
    service = StoryService(demo_index)
    default = service.groups()
    strict = service.groups(threshold=0.99)
    loose = service.groups(threshold=0.0)
    assert sum(map(len, strict.values())) <= sum(map(len, default.values()))
    assert sum(map(len, loose.values())) >= sum(map(len, default.values()))


def test_diff_shows_removed_added_and_changed(demo_index: Path, ids: dict[str, str]) -> None:
    service = StoryService(demo_index)
    left = ids["html/pacific-post_peru-earthquake.html"]
    right = ids["text/valley-times/peru-quake-church-tower.txt"]
    diff = service.diff(left, right)
    kinds = {r.kind for r in diff.rows}
    assert {"equal", "changed"} <= kinds or {"removed", "added"} <= kinds
    assert 0 < diff.kept_share < 1
    assert all("READ MORE" not in r.right for r in diff.rows)
    for r in diff.rows:
        if r.kind == "changed":
            assert "<del>" in r.left_html or "<ins>" in r.right_html


def test_cli_groups_and_diff(
    demo_index: Path, ids: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["groups", "--index", str(demo_index)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == len(MANIFEST["groups"])
    assert all(set(line) == {"group", "articles"} and len(line["articles"]) >= 2 for line in lines)
    assert "exp-001" in {a for line in lines for a in line["articles"]}  # input ids as ids

    assert main(["groups", "--index", str(demo_index), "--format", "text"]) == 0
    assert "versions from" in capsys.readouterr().out

    left = ids["html/pacific-post_peru-earthquake.html"]
    assert main(["diff", left, "exp-001", "--index", str(demo_index)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"--- {left}\n+++ exp-001")
    assert "kept" in out

    assert main(["diff", left, "nope", "--index", str(demo_index)]) == 1
    assert "no article with id nope" in capsys.readouterr().err
