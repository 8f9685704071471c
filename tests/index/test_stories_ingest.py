"""Story grouping as a parallel build feeds it: articles prepared apart (``prepare_story``, as the
indexing workers do), then added in batches (``add`` or ``put``/``flush``) with grouped commits.

Whatever the path, the pairs and groups must be the ones a plain ``add`` of the articles gives.
"""

from __future__ import annotations

import json
import pickle
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# -- the in-memory bucket table, the vectorised screen and the fast tokeniser must change nothing


def _feed(items: list[StoryInput], path: Path | str = ":memory:") -> StoryIndex:
    index = StoryIndex(path)
    for x in items:
        index.put([prepare_story(x)])
    index.flush()
    return index


@pytest.mark.parametrize("memory", [25, 1_000_000])
@pytest.mark.parametrize("resend", [False, True])
def test_buckets_in_memory_or_in_sql_give_the_same_pairs(
    monkeypatch: pytest.MonkeyPatch, memory: int, resend: bool
) -> None:
    monkeypatch.setattr(stories, "BATCH_SIZE", 2)
    # Re-sent ids are replacements, which send the index back to SQL mid-stream.
    items = _many() + (_items() + _many()[:3] if resend else [])
    monkeypatch.setattr(stories, "BUCKET_MEMORY", 0)
    expected = _state(_feed(items))
    monkeypatch.setattr(stories, "BUCKET_MEMORY", memory)  # 25: dropped once full
    index = _feed(items)
    assert _state(index) == expected
    assert (index._buckets is not None) == (memory > 25 and not resend)


def test_another_writer_sends_the_index_back_to_sql(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stories, "BATCH_SIZE", 2)
    items = _many()
    path = tmp_path / "stories.sqlite"
    first = StoryIndex(path)
    first.put(prepare_stories(items[:8]))
    first.flush()
    assert first._buckets is not None  # a blank store filling
    with StoryIndex(path) as second:
        list(second.add(items[8:16]))
    first.put(prepare_stories(items[16:]))
    first.flush()
    assert first._buckets is None  # it saw the other writer's commit
    clean = StoryIndex.memory()
    for chunk in (items[:8], items[8:16], items[16:]):
        list(clean.add(chunk))
    assert _state(first) == _state(clean)
    first.close()


def test_a_rolled_back_batch_leaves_no_rows_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stories, "BATCH_SIZE", 2)
    monkeypatch.setattr(stories, "COMMIT_ARTICLES", 4)
    items = _many()
    index = StoryIndex.memory()
    with pytest.raises(RuntimeError):
        list(index.add(_raising(items, 7)))
    assert len(index) == 4 and index._buckets is None
    list(index.add(items[4:]))
    clean = StoryIndex.memory()
    list(clean.add(items[:4]))
    list(clean.add(items[4:]))
    assert _state(index) == _state(clean)


def test_screen_agrees_with_may_store() -> None:
    import numpy as np

    prepared = prepare_stories(_items()[:6] + _many())
    docs = [stories._Doc(k, p.id, p.day, p.title, p.blob) for k, p in enumerate(prepared)]
    words = np.unique(np.concatenate([d.vocab for d in docs]))
    for n_docs, spread in ((10, 3), (2000, 40), (100_000, 5)):
        df = (words % spread).astype(np.int64)  # some rare words, some common ones
        rarity = stories._Rarity.of(words, df, n_docs)
        stories._set_rare(docs, rarity)
        left, right = np.triu_indices(len(docs), 1)
        screened = stories._screen(docs, left, right, rarity).tolist()
        exact = [stories._may_store(docs[a], docs[b]) for a, b in zip(left, right, strict=True)]
        assert screened == exact
        assert not all(exact) and any(exact)


# The tokeniser as it was first written: Unicode patterns, run unit by unit.
_REF_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.){2,}")
_REF_TOKEN = re.compile(r"\d+(?:[.,:/-]\d+)*|[^\W\d_]+")


def _reference_text(text: str) -> str:
    s = text if text.isascii() else unicodedata.normalize("NFKC", text)
    return _REF_ACRONYM.sub(lambda m: m.group(0).replace(".", ""), s)


def _reference_tokens(text: str) -> list[str]:
    s = re.sub(r"['’]s\b", "", _reference_text(text).lower())
    return [stories._NORMAL[t] for t in _REF_TOKEN.findall(s)]


def _reference_name_flags(text: str) -> list[bool]:
    s = re.sub(r"['’][sS]\b", "", _reference_text(text))
    found = _REF_TOKEN.findall(s)
    if not any(c.islower() for c in s):
        return [not t[0].isdigit() for t in found]
    return [k > 0 and t[0].isupper() for k, t in enumerate(found)]


_ASCII = "aAbBsSuUxX1909 .,:/-'\n_"
_PIECES = [
    "U.S.",
    "u.s.a",
    "a.b.c",
    "'S.A.",
    "'s",
    "’s",
    "1-2",
    "3,000",
    "9:00",
    "6-3/8",
    "x.",
    "Co.",
    "(",
    "é",
    "İ",
    "ﬁ",
    "²",
    "٣",
]
_TRICKY = (
    st.text(alphabet=st.sampled_from(list(_ASCII)), max_size=30)
    | st.lists(st.sampled_from([*_PIECES, " ", "\n", "a", "S", "1"]), max_size=12).map("".join)
    | st.text(alphabet=st.sampled_from(list(_ASCII + "’éÉİßﬁ²٣")) | st.characters(), max_size=30)
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_TRICKY, min_size=1, max_size=4))
def test_tokeniser_matches_its_reference(units: list[str]) -> None:
    norm, words = stories._normalise(units)
    expected = [_reference_tokens(u) for u in units]
    assert norm == [" ".join(t) for t in expected]
    assert words == [t for unit in expected for t in (*unit, "\n")]
    for u in units:
        assert stories.tokens(u) == _reference_tokens(u)
        assert stories._name_flags(u) == _reference_name_flags(u)


def test_a_document_of_more_than_65535_distinct_words_round_trips() -> None:
    letters = "abcdefghijklmnopqrstuvwxyz"
    many = [a + b + c + d for a in letters[:10] for b in letters for c in letters for d in "xyz"]
    body = "The list follows. " + " ".join(many[:70_000]) + ". The end."
    items = [_items()[0], StoryInput("big", "Many words", body, DAY, None), _items()[3]]
    prepared = prepare_stories(items)
    assert prepared == [prepare_story(x) for x in items]
    for item, p in zip(items, prepared, strict=True):
        doc = stories._Doc(1, p.id, p.day, p.title, p.blob).decode()
        norm, words = stories._normalise([item.title, *sentences(item.body)])
        assert doc.norm == norm
        assert doc.sents == tuple(sentences(item.body))
        flat = [w for w in words if w != "\n"]
        assert doc.ids.tolist() == [stories._INFO[w] >> 2 for w in flat]
