"""Story grouping as a parallel build feeds it: articles prepared apart (``prepare_story``, as the
indexing workers do), then added in batches (``add`` or ``put``/``flush``) with grouped commits.

Whatever the path, the pairs and groups must be the ones a plain ``add`` of the articles gives.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from index import stories
from index.stories import (
    PairEvidence,
    PreparedStory,
    StoryIndex,
    StoryInput,
    prepare_stories,
    prepare_story,
    sentences,
)

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "demo"
MANIFEST = REPO / "resources" / "demo-manifest.json"

DAY = datetime(2024, 3, 12, 8, 30, tzinfo=UTC)

# Fictional wire copy: one story in three outlets' versions, an unrelated one, a templated pair.
QUAKE = (
    "A strong earthquake struck the mountain province of Varden early on Sunday, toppling the "
    "bell tower of the old cathedral in Korsholm and cutting power to thousands of homes.\n\n"
    "The quake, of magnitude 6.4, hit at 4.12 a.m. at a depth of 11 km, the national seismic "
    "institute said. At least three people were injured by falling masonry, officials said.\n\n"
    "Mayor Lisbet Aranha said rescue teams were checking older buildings in the town centre. "
    '"We were lucky it happened at night, when the square was empty," she told reporters.\n\n'
    "Aftershocks continued through the morning. The region was last hit by a major quake in "
    "1987, when 14 people died.\n\n"
    "Rail services between Korsholm and the capital were suspended while engineers inspected "
    "two bridges on the line."
)
QUAKE_COPY = (
    "An earthquake toppled a cathedral bell tower in Korsholm on Sunday and left thousands of "
    "homes without electricity.\n\n"
    "The quake, of magnitude 6.4, hit at 4.12 a.m. at a depth of 11 km, the national seismic "
    "institute said. At least three people were injured by falling masonry, officials said.\n\n"
    "READ MORE: Storm season starts early\n\n"
    '"We were lucky it happened at night, when the square was empty," Mayor Lisbet Aranha '
    "told reporters.\n\n"
    "The region was last hit by a major quake in 1987, when 14 people died. Rail services "
    "between Korsholm and the capital were suspended while engineers inspected two bridges."
)
MARKET = (
    "Shares in Halden Brewing rose 8 percent on Monday after the company agreed to buy a "
    "smaller rival for 240 million crowns.\n\n"
    "Chief executive Mats Oriel said the deal would give Halden a quarter of the domestic "
    "market and save 30 million crowns a year by 2027.\n\n"
    "Analysts at Nordbank called the price fair. Competition authorities must approve the deal."
)
EARNINGS_A = "Shr 21 cts vs 18 cts\n    Net 3.1 mln vs 2.6 mln\n    Revs 28.4 mln vs 25.0 mln"
EARNINGS_B = "Shr 33 cts vs 30 cts\n    Net 5.9 mln vs 5.2 mln\n    Revs 61.0 mln vs 57.7 mln"


def _items() -> list[StoryInput]:
    return [
        StoryInput("q1", "Quake topples cathedral tower in Varden", QUAKE, DAY, "Wire One"),
        StoryInput(
            "q2", "Korsholm quake: bell tower falls", QUAKE_COPY, DAY + timedelta(hours=3), "Post"
        ),
        StoryInput("q3", "Varden earthquake injures three", QUAKE, None, "Herald"),
        StoryInput("m1", "Halden Brewing to buy rival", MARKET, DAY, "Markets Daily"),
        StoryInput("e1", "ASTER TOOL CO 1ST QTR NET", EARNINGS_A, DAY, "Wire One"),
        StoryInput("e2", "BRIGHTWELL PAPER 1ST QTR NET", EARNINGS_B, DAY, "Wire One"),
        StoryInput("empty", "A title only", "", DAY, None),
        StoryInput("title\nbroken", "Two-line\ntitle", MARKET, DAY + timedelta(days=9), None),
        StoryInput("q1", "Quake topples cathedral tower in Varden", QUAKE, DAY, "Wire One"),
    ]


def _state(index: StoryIndex) -> tuple[list[PairEvidence], dict[str, str], set[str]]:
    return index.pairs(0.0), index.groups(), index.ids()


def test_prepared_story_pickles_small_and_matches_batch_preparation() -> None:
    items = _items()
    one_by_one = [prepare_story(x) for x in items]
    assert prepare_stories(items) == one_by_one
    assert prepare_stories([]) == []
    for prepared in one_by_one:
        data = pickle.dumps(prepared, pickle.HIGHEST_PROTOCOL)
        assert pickle.loads(data) == prepared
        assert len(data) < 4000
    empty = prepare_story(StoryInput("x", "", "", None, None))
    assert empty.keys == b"" and empty.text_key is None and empty.day is None


@pytest.mark.parametrize("batch_size", [2, 256])
def test_prepared_plain_and_pushed_articles_give_the_same_pairs_and_groups(
    monkeypatch: pytest.MonkeyPatch, batch_size: int
) -> None:
    monkeypatch.setattr(stories, "BATCH_SIZE", batch_size)
    items = _items()
    plain = StoryIndex.memory()
    list(plain.add(items))
    prepared = StoryIndex.memory()
    list(prepared.add(prepare_stories(items)))
    pushed = StoryIndex.memory()
    for x in items:
        pushed.put([prepare_story(x) if x.id.startswith("q") else x])
    assert pushed.flush() == len(items)
    expected = _state(plain)
    assert expected[1]["q2"] == expected[1]["q1"] == "q1"
    assert "e1" not in expected[1] and "e2" not in expected[1]
    assert expected[1]["title\nbroken"] == "m1"  # an exact copy, whatever the dates
    assert _state(prepared) == expected
    assert _state(pushed) == expected
    assert len(plain) == len(prepared) == len(pushed) == len(items) - 1


def test_explain_and_remove_work_on_prepared_articles() -> None:
    index = StoryIndex.memory()
    list(index.add(prepare_stories(_items())))
    evidence = index.explain("q2", "q1")
    assert evidence is not None and evidence.score >= stories.DEFAULT_THRESHOLD
    shared = sentences(QUAKE_COPY)[1]
    assert any(p.a_text == shared and p.similarity == 1.0 for p in evidence.passages)
    # A pair that was never stored is computed on demand.
    unrelated = index.explain("m1", "q1")
    assert unrelated is not None and unrelated.score == 0.0
    index.remove(["q1"])
    assert {a: g for a, g in index.groups().items() if a.startswith("q")} == {
        "q2": "q2",
        "q3": "q2",
    }
    list(index.add([prepare_story(_items()[0])]))
    assert index.groups()["q2"] == "q1"


def _raising(items: list[StoryInput], after: int) -> Iterator[StoryInput]:
    for k, x in enumerate(items):
        if k == after:
            raise RuntimeError("reader failed")
        yield x


def _many() -> list[StoryInput]:
    base = _items()[:6]
    return [
        StoryInput(f"{x.id}-{k}", x.title, x.body, x.date and x.date + timedelta(days=k), x.source)
        for k in range(4)
        for x in base
    ]


def test_a_failure_keeps_the_last_commit_and_a_consistent_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stories, "BATCH_SIZE", 2)
    monkeypatch.setattr(stories, "COMMIT_ARTICLES", 6)
    monkeypatch.setattr(stories, "COMMIT_SECONDS", 1e9)
    items = _many()
    path = tmp_path / "stories.sqlite"
    with StoryIndex(path) as index, pytest.raises(RuntimeError):
        for _done in index.add(_raising(items, 15)):
            pass
    with StoryIndex(path) as index:
        # Batches of two, committed every three batches: 14 were added, 12 committed.
        assert len(index) == 12
        assert index.ids() == {x.id for x in items[:12]}
        list(index.add(items[12:]))
        resumed = _state(index)
    clean = StoryIndex.memory()
    list(clean.add(items))
    assert resumed == _state(clean)


def test_stopping_early_commits_what_was_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stories, "BATCH_SIZE", 2)
    monkeypatch.setattr(stories, "COMMIT_SECONDS", 1e9)
    path = tmp_path / "stories.sqlite"
    index = StoryIndex(path)
    progress = index.add(_many())
    assert next(progress) == 2
    assert next(progress) == 4
    progress.close()  # the caller stops listening: both batches are kept
    with StoryIndex(path) as other:
        assert len(other) == 4
    index.put(prepare_stories(_many()[4:7]))
    index.close()  # commits the batch put added; the queued article is dropped
    with StoryIndex(path) as other:
        assert len(other) == 6


def test_crash_before_commit_leaves_the_previous_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stories, "BATCH_SIZE", 2)
    monkeypatch.setattr(stories, "COMMIT_SECONDS", 1e9)
    path = tmp_path / "stories.sqlite"
    with StoryIndex(path) as index:
        list(index.add(_many()[:6]))
        before = _state(index)
    index = StoryIndex(path)
    assert index.put(_many()[6:]) == 18  # nine batches added, nothing committed yet
    # A second connection (as after a crash) sees the last commit only.
    with StoryIndex(path) as other:
        assert _state(other) == before
    index.flush()
    with StoryIndex(path) as other:
        assert len(other) == 24
    index.close()


def _demo_inputs(tmp_path: Path) -> tuple[list[StoryInput], dict[str, str]]:
    from index.build import BuildOptions, rebuild
    from index.catalog import iter_articles

    idx = tmp_path / "idx"
    for _ in rebuild([DEMO], idx, BuildOptions(workers=0)):
        pass
    items: list[StoryInput] = []
    keys: dict[str, str] = {}
    for a in iter_articles(idx):
        items.append(StoryInput(a.id, a.title, a.body, a.date.value, a.source, a.wires))
        rel = Path(a.provenance.path).resolve().relative_to(DEMO).as_posix()
        if rel.endswith(".jsonl"):
            keys[f"{rel}#{a.id}"] = a.id
        elif a.provenance.record is not None:
            keys[f"{rel}#{a.provenance.record}"] = a.id
        else:
            keys[rel] = a.id
    return items, keys


def test_demo_archive_groups_the_same_prepared_or_not(tmp_path: Path) -> None:
    items, keys = _demo_inputs(tmp_path)
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    expected = {frozenset(keys[m] for m in g["members"]) for g in manifest["groups"]}
    states = []
    for feed in (items, prepare_stories(items), [prepare_story(x) for x in reversed(items)]):
        index = StoryIndex.memory()
        list(index.add(feed))
        groups: dict[str, set[str]] = {}
        for article, group in index.groups().items():
            groups.setdefault(group, set()).add(article)
        assert {frozenset(g) for g in groups.values()} == expected
        states.append(_state(index))
    assert states[0] == states[1]
    # Arrival order may change which scores were computed with which rarities, not the groups.
    assert states[2][1] == states[0][1]


def test_prepared_stories_are_plain_data() -> None:
    prepared = prepare_story(_items()[0])
    assert isinstance(prepared, PreparedStory)
    assert prepared.day == DAY.date().toordinal()
    # int64 keys band by band, uint32 keyed units once
    assert len(prepared.keys) == 2 * stories.BANDS * len(prepared.units)
