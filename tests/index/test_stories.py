"""Near-duplicate story grouping: the engine in index/stories.py, on hand-written stories.

All texts here are written for these tests (fictional events); the shared corpora are only read
from ../shared/corpora, never copied.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from index import stories
from index.stories import (
    DEFAULT_THRESHOLD,
    StoryIndex,
    StoryInput,
    diff_versions,
    sentences,
)

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "seeds"

DAY = datetime(2024, 3, 12, 8, 30, tzinfo=UTC)

# An agency story of fifteen sentences.
ORIGINAL_TITLE = "Tanker runs aground in Kessel Strait, halting traffic"
ORIGINAL = """\
A fully laden oil tanker ran aground in the narrow Kessel Strait early on Tuesday, forcing the port authority to suspend all shipping through one of the region's busiest waterways.

The 240-metre Marisol Dawn, carrying about 95,000 tonnes of crude oil, struck a sandbank shortly after 4 a.m. while steering to avoid a fishing boat, harbour master Ilse Brandauer told reporters. No oil had leaked and none of the 23 crew members was hurt, she said.

Four tugboats were sent from Port Varen to try to refloat the ship at high tide on Tuesday evening. "We are treating this with the utmost seriousness, but the hull appears intact," Brandauer said.

About 60 vessels a day pass through the strait, which links the Gulf of Ostra with the open sea. At least 14 ships were waiting at anchor on either side by midday, according to tracking data. Insurers said a prolonged closure could cost shippers several million dollars a day.

The Marisol Dawn is operated by Halvern Maritime, a company based in Lisbon, which said it was cooperating fully with the authorities.

Environmental groups urged the government to ban large tankers from the strait at night. "This accident was waiting to happen," said Tomas Reiko of the Coastal Watch Alliance.

The strait was last closed in 2019, when a container ship lost power and drifted onto rocks for two days. That incident prompted new rules requiring pilots on all vessels over 200 metres long.

Officials did not say whether a pilot was aboard the Marisol Dawn on Tuesday. An investigation into the cause of the grounding has been opened by the national maritime safety board.
"""

# Another outlet's version, edited the way the seeds are: new title and intro, a READ MORE
# line and a photo credit, some sentences reworded, five kept nearly verbatim.
REWRITE_TITLE = "Oil tanker stuck in Kessel Strait as dozens of ships queue"
REWRITE = """\
Shipping through the Kessel Strait was halted on Tuesday after a crude tanker became stuck on a sandbank, leaving dozens of vessels stranded.

Port officials said the Marisol Dawn hit the bank before dawn as it manoeuvred around a small fishing vessel. No oil had leaked and none of the 23 crew members was hurt, the harbour master said.

READ MORE: Storm warnings issued for the northern coast

Tugboats will attempt to pull the vessel free when the tide rises later in the day.

About 60 vessels a day pass through the strait, which links the Gulf of Ostra with the open sea.

Photo: Coastguard handout.

Insurers said a prolonged closure could cost shipping companies several million dollars each day. Environmental campaigners have called for a night-time ban on big tankers in the waterway.

"This accident was waiting to happen," said Tomas Reiko of the Coastal Watch Alliance.

The strait was last closed in 2019, when a container ship lost power and drifted onto rocks for two days.

The Marisol Dawn's operator, Halvern Maritime, said it was working with investigators. Officials did not say whether a pilot was on board at the time.
"""

# The same event reported independently: same names and numbers, no shared sentence.
OTHER_AGENCY_TITLE = "Kessel Strait closed after tanker grounding"
OTHER_AGENCY = """\
Authorities closed the Kessel Strait to all traffic on Tuesday when the crude carrier Marisol Dawn grounded on a sandbank near Port Varen.

Harbour master Ilse Brandauer said the 240-metre ship, loaded with some 95,000 tonnes of oil, had swerved to miss a fishing boat. She said the hull did not appear to be breached and that the 23 sailors on board were safe.

Salvage crews hoped to free the tanker on the evening high tide with the help of four tugs. Ship-tracking services showed at least 14 vessels anchored near the entrance of the waterway.

Halvern Maritime, the Lisbon-based operator, issued a brief statement promising full cooperation. Campaigners from the Coastal Watch Alliance renewed calls for a night-time tanker ban.

The national maritime safety board has begun an inquiry.
"""

# The next day's story: new facts, plus the original's background paragraph about 2019.
FOLLOW_UP_TITLE = "Tanker refloated as Kessel Strait reopens"
FOLLOW_UP = """\
Salvage teams refloated the tanker Marisol Dawn early on Wednesday, allowing the Kessel Strait to reopen to shipping after a closure of more than 24 hours.

The ship was towed to an anchorage off Port Varen where divers will inspect its hull, the port authority said. Ships that had queued on either side of the strait began moving through at 9 a.m., with priority for vessels carrying perishable cargo.

"Traffic should be back to normal by Thursday," port spokesman Daniel Okafor said.

The strait was last closed in 2019, when a container ship lost power and drifted onto rocks for two days. That incident prompted new rules requiring pilots on all vessels over 200 metres long.

Investigators from the national maritime safety board boarded the tanker on Wednesday to interview the captain and review navigation records. Halvern Maritime said the vessel would continue to its destination once cleared by inspectors.

Fishermen in the area said they had seen no sign of pollution. The government is expected to review the rules for night-time navigation next month.
"""

# A different story, for roundups.
BANK_TITLE = "Ostravian central bank holds rates, signals cut in summer"
BANK = """\
The Ostravian central bank kept its main interest rate at 4.25 percent on Tuesday but signalled that borrowing costs could fall as early as July if inflation keeps easing.

Governor Petra Lindqvist told a news conference that price growth had slowed to 3.1 percent in February, the lowest level in two years. "We are not there yet, but the direction is encouraging," she said.

Six of the nine members of the monetary council voted to hold rates, while three favoured an immediate cut of a quarter point.

The decision was expected by most economists polled last week. The krona weakened slightly against the euro after the announcement.

Exporters have lobbied for lower rates, arguing that the strong currency has hurt sales abroad. Retail lending grew by only 1.2 percent last year, the slowest pace since the bank began keeping records.

The next rate meeting is scheduled for May 7.
"""

EARNINGS = {
    "nordvik": (
        "NORDVIK TIMBER CORP 1ST QTR NET",
        "Shr 12 cts vs 10 cts\n    Net 4.5 mln vs 3.9 mln\n    Revs 40.2 mln vs 35.1 mln\n"
        "    Avg shrs 37.5 mln vs 37.1 mln\n"
        "    NOTE: Results include a gain of 300,000 dlrs from the sale of equipment.",
    ),
    "bellamy": (
        "BELLAMY FOODS INC 1ST QTR NET",
        "Shr 15 cts vs 11 cts\n    Net 6.1 mln vs 4.4 mln\n    Revs 52.7 mln vs 48.0 mln\n"
        "    Avg shrs 40.3 mln vs 40.1 mln\n"
        "    NOTE: Results include a gain of 500,000 dlrs from the sale of equipment.",
    ),
    "castellan": (
        "CASTELLAN MINING LTD 1ST QTR NET",
        "Shr 12 cts vs 10 cts\n    Net 2.2 mln vs 1.8 mln\n    Revs 19.9 mln vs 17.3 mln\n"
        "    Avg shrs 18.4 mln vs 18.4 mln",
    ),
}


def item(
    id: str, title: str, body: str, date: datetime | None = DAY, source: str | None = None
) -> StoryInput:
    return StoryInput(id=id, title=title, body=body, date=date, source=source)


def corpus() -> list[StoryInput]:
    return [
        item("a-original", ORIGINAL_TITLE, ORIGINAL, source="Wire One"),
        item("b-rewrite", REWRITE_TITLE, REWRITE, DAY + timedelta(hours=5), "Harbour Times"),
        item("c-other-agency", OTHER_AGENCY_TITLE, OTHER_AGENCY, DAY, "Wire Two"),
        item("d-follow-up", FOLLOW_UP_TITLE, FOLLOW_UP, DAY + timedelta(days=1), "Wire One"),
        *(item(f"e-{k}", t, b, DAY, "Wire One") for k, (t, b) in EARNINGS.items()),
        item("f-bank", BANK_TITLE, BANK, DAY, "Wire Three"),
    ]


@pytest.fixture
def index() -> StoryIndex:
    idx = StoryIndex.memory()
    list(idx.add(corpus()))
    return idx


# --------------------------------------------------------------------------- sentences


def test_sentences_keep_abbreviations_decimals_and_quotes() -> None:
    text = (
        'Mr. Smith of the U.S. Treasury said rates rose to 9.00 percent. "We will act," he said. '
        "Acme Corp. shares fell 2.5 pct. The company said it expects a loss.\n\n"
        "READ MORE: Markets slide\nJ. R. Ewing left at 9 a.m. on Monday."
    )
    assert sentences(text) == [
        "Mr. Smith of the U.S. Treasury said rates rose to 9.00 percent.",
        '"We will act," he said.',
        "Acme Corp. shares fell 2.5 pct.",
        "The company said it expects a loss.",
        "READ MORE: Markets slide",
        "J. R. Ewing left at 9 a.m. on Monday.",
    ]


def test_sentences_join_hard_wrapped_wire_paragraphs() -> None:
    text = (
        "Shares of the company rose sharply\nin early trading, dealers said.\n"
        "    Volume was heavy. The index\nclosed higher.\n"
    )
    assert sentences(text) == [
        "Shares of the company rose sharply in early trading, dealers said.",
        "Volume was heavy.",
        "The index closed higher.",
    ]


# --------------------------------------------------------------------------- grouping


def test_rewrite_with_five_shared_sentences_groups(index: StoryIndex) -> None:
    groups = index.groups()
    assert groups["a-original"] == groups["b-rewrite"] == "a-original"


def test_same_event_by_another_agency_stays_apart(index: StoryIndex) -> None:
    groups = index.groups()
    assert "c-other-agency" not in groups
    evidence = index.explain("a-original", "c-other-agency")
    assert evidence is not None
    assert evidence.score < DEFAULT_THRESHOLD


def test_next_day_follow_up_sharing_background_stays_apart(index: StoryIndex) -> None:
    groups = index.groups()
    assert "d-follow-up" not in groups
    evidence = index.explain("a-original", "d-follow-up")
    assert evidence is not None
    # The copied background paragraph is found, but it is not enough.
    assert any("last closed in 2019" in p.a_text for p in evidence.passages)
    assert evidence.score < DEFAULT_THRESHOLD


def test_templated_earnings_of_different_companies_stay_apart(index: StoryIndex) -> None:
    groups = index.groups()
    assert not any(k.startswith("e-") for k in groups)
    for a, b in [("e-nordvik", "e-bellamy"), ("e-nordvik", "e-castellan")]:
        evidence = index.explain(a, b)
        assert evidence is not None
        assert evidence.score < DEFAULT_THRESHOLD / 2


def test_resent_earnings_report_groups_with_its_original(index: StoryIndex) -> None:
    title, body = EARNINGS["nordvik"]
    list(index.add([item("e-nordvik-resend", title, body, DAY + timedelta(hours=1))]))
    groups = index.groups()
    assert groups["e-nordvik"] == groups["e-nordvik-resend"]
    assert "e-bellamy" not in groups


def test_exact_copy_groups_whatever_the_dates() -> None:
    idx = StoryIndex.memory()
    list(
        idx.add(
            [
                item("x1", ORIGINAL_TITLE, ORIGINAL, DAY),
                item("x2", ORIGINAL_TITLE, ORIGINAL, DAY + timedelta(days=60)),
                item("x3", ORIGINAL_TITLE, ORIGINAL, None),
            ]
        )
    )
    assert set(idx.members("x1")) == {"x1", "x2", "x3"}


def test_dates_far_apart_keep_reworded_copies_apart() -> None:
    # Candidates must fall within the date window when both dates are known.
    idx = StoryIndex.memory()
    list(
        idx.add(
            [
                item("y1", ORIGINAL_TITLE, ORIGINAL, DAY),
                item("y2", REWRITE_TITLE, REWRITE, DAY + timedelta(days=40)),
            ]
        )
    )
    assert idx.groups() == {}
    list(idx.add([item("y3", REWRITE_TITLE, REWRITE, None)]))
    assert idx.groups()["y3"] == "y1"


def test_roundup_does_not_chain_two_stories() -> None:
    # A roundup made of half of each story links to both; the two must not become one group.
    orig = sentences(ORIGINAL)
    bank = sentences(BANK)
    roundup = " ".join(orig[:8] + bank[:6])
    idx = StoryIndex.memory()
    list(
        idx.add(
            [
                item("p-tanker", ORIGINAL_TITLE, ORIGINAL),
                item("q-bank", BANK_TITLE, BANK),
                item("r-roundup", "Tuesday's news in brief", roundup),
            ]
        )
    )
    groups = idx.groups()
    assert groups.get("p-tanker") is None or groups.get("p-tanker") != groups.get("q-bank")
    # Without the guard, plain connected components would chain them.
    chained = idx.groups(linkage=0.0)
    assert chained["p-tanker"] == chained["q-bank"] == chained["r-roundup"]


# --------------------------------------------------------------------------- the seeds


def _seed_texts() -> list[tuple[str, str, str]]:
    files = sorted(SEEDS.glob("*.txt"))
    if len(files) < 2:
        pytest.skip(f"seed articles not found in {SEEDS} (the shared corpora are not installed)")
    out = []
    for f in files[:2]:
        raw = f.read_text(encoding="utf-8")
        title, body = _clean(raw)
        out.append((f.stem, title, body))
    return out


def _clean(raw: str) -> tuple[str, str]:
    """Title and body of a pasted article: the project's cleaner if it works, else a minimal
    strip of the reader-app chrome around the seeds."""
    try:
        from index.clean import clean_text

        result = clean_text(raw)
        if result.title_candidate and len(result.body) > 500:
            return result.title_candidate, result.body
    except ImportError:
        pass
    lines = [ln.strip() for ln in raw.splitlines()]
    paras = [ln for ln in lines if len(ln) > 60 or ln.endswith((".", '"', "”"))]
    title = next(ln for ln in lines if 20 < len(ln) < 100 and not ln.endswith("."))
    body = "\n\n".join(p for p in paras if p != title and "reading" not in p.lower())
    return title, body


@pytest.mark.corpus
def test_seeds_group_as_one_story() -> None:
    (id_a, title_a, body_a), (id_b, title_b, body_b) = _seed_texts()
    idx = StoryIndex.memory()
    list(idx.add([item(id_a, title_a, body_a, None), item(id_b, title_b, body_b, None)]))
    groups = idx.groups()
    assert groups.get(id_a) is not None and groups[id_a] == groups[id_b]
    evidence = idx.explain(id_a, id_b)
    assert evidence is not None
    # A handful of sentences are near-identical; the quote from the analyst is one of them.
    near = [p for p in evidence.passages if p.similarity >= 0.8]
    assert len(near) >= 4
    assert any(p.similarity >= 0.95 and len(p.a_text) > 150 for p in near)


@pytest.mark.corpus
def test_seeds_diff_shows_read_more_lines_and_changed_intro() -> None:
    files = sorted(SEEDS.glob("*.txt"))
    if len(files) < 2:
        pytest.skip(f"seed articles not found in {SEEDS}")
    # The first without its reader-app chrome; the second as pasted, minus its title line, so
    # its READ MORE lines and photo caption are still there.
    _title, a_body = _clean(files[0].read_text(encoding="utf-8"))
    b_lines = files[1].read_text(encoding="utf-8").strip().splitlines()
    b_body = "\n".join(b_lines[1:])
    diff = diff_versions(a_body, b_body)
    added = [op.b for op in diff.ops if op.tag == "added"]
    assert any(s.startswith("READ MORE") for s in added)
    assert not any(op.a.startswith("READ MORE") for op in diff.ops if op.tag != "added")
    first = diff.ops[0]
    assert first.a_index == 0 and first.tag in ("changed", "removed")
    assert 0.2 < diff.kept_share < 0.8


# --------------------------------------------------------------------------- thresholds, removal


def test_threshold_regroups_from_stored_pairs_without_recomputing(
    index: StoryIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> object:
        raise AssertionError("features were recomputed")

    monkeypatch.setattr(stories, "_compare_many", boom)
    strict = index.groups(0.95)
    default = index.groups()
    loose = index.groups(0.06)
    assert "b-rewrite" not in strict
    assert default["b-rewrite"] == "a-original"
    assert set(default) <= set(loose)
    assert loose.get("d-follow-up") == "a-original"  # the shared background is enough here
    assert index.members("a-original", 0.06) == sorted(
        k for k, v in loose.items() if v == "a-original"
    )
    assert all(p.score >= 0.06 for p in index.pairs(0.06))


def test_remove_leaves_no_dangling_group(index: StoryIndex) -> None:
    assert index.groups()["b-rewrite"] == "a-original"
    index.remove(["a-original"])
    assert "a-original" not in index.groups(0.0)
    assert "b-rewrite" not in index.groups()
    assert index.explain("a-original", "b-rewrite") is None
    assert all("a-original" not in (p.a, p.b) for p in index.pairs(0.0))
    # Adding it back restores the group.
    list(index.add([item("a-original", ORIGINAL_TITLE, ORIGINAL)]))
    assert index.groups()["b-rewrite"] == "a-original"


def test_re_adding_an_id_replaces_the_article(index: StoryIndex) -> None:
    list(index.add([item("b-rewrite", BANK_TITLE, BANK)]))
    groups = index.groups()
    assert "a-original" not in groups
    assert groups["b-rewrite"] == groups["f-bank"]
    assert len(index) == len(corpus())


def test_explain_returns_shared_passages(index: StoryIndex) -> None:
    evidence = index.explain("b-rewrite", "a-original")
    assert evidence is not None
    assert (evidence.a, evidence.b) == ("b-rewrite", "a-original")
    assert evidence.score >= DEFAULT_THRESHOLD
    texts = {(p.a_text, p.b_text) for p in evidence.passages if p.similarity == 1.0}
    shared = "About 60 vessels a day pass through the strait, which links the Gulf of Ostra with the open sea."
    assert (shared, shared) in texts
    b_sents, a_sents = sentences(REWRITE), sentences(ORIGINAL)
    for p in evidence.passages:
        if p.a_index >= 0:
            assert b_sents[p.a_index] == p.a_text
            assert a_sents[p.b_index] == p.b_text
    assert 0 < evidence.containment_a <= 1 and 0 < evidence.containment_b <= 1
    # Evidence reads the same from either side.
    back = index.explain("a-original", "b-rewrite")
    assert back is not None and back.score == evidence.score
    assert back.containment_a == evidence.containment_b
    assert index.explain("a-original", "no-such-id") is None


# --------------------------------------------------------------------------- persistence, progress


def test_index_persists_and_adds_incrementally(tmp_path: Path) -> None:
    path = tmp_path / "stories.sqlite"
    first = corpus()[:2]
    with StoryIndex(path) as idx:
        assert list(idx.add(first)) == [2]
    with StoryIndex(path) as idx:
        assert idx.groups()["b-rewrite"] == "a-original"
        progress = list(idx.add(corpus()[2:]))
        assert progress[-1] == len(corpus()) - 2
        assert len(idx) == len(corpus())
        assert idx.groups()["b-rewrite"] == "a-original"


def test_add_reports_progress_and_stops_on_cancel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stories, "BATCH_SIZE", 2)
    items = corpus()
    idx = StoryIndex.memory()
    assert list(idx.add(items)) == list(range(2, len(items) + 1, 2))
    cancel = threading.Event()
    idx2 = StoryIndex.memory()
    seen = []
    for n in idx2.add(items, cancel=cancel):
        seen.append(n)
        cancel.set()
    assert seen == [2]
    assert len(idx2) == 2


# --------------------------------------------------------------------------- diffs


def test_diff_shows_read_more_added_and_intro_changed() -> None:
    diff = diff_versions(ORIGINAL, REWRITE)
    tags = [op.tag for op in diff.ops]
    assert set(tags) <= {"equal", "changed", "added", "removed"}
    added = [op.b for op in diff.ops if op.tag == "added"]
    assert "READ MORE: Storm warnings issued for the northern coast" in added
    assert "Photo: Coastguard handout." in added
    # The rewritten intro is either a changed pair or removed + added.
    intro = diff.ops[0]
    assert intro.a_index == 0 and intro.tag in ("changed", "removed")
    shared = "About 60 vessels a day pass through the strait, which links the Gulf of Ostra with the open sea."
    assert any(op.tag == "equal" and op.a == shared for op in diff.ops)
    # Word edits inside a changed sentence.
    changed = [op for op in diff.ops if op.tag == "changed" and "Insurers" in op.a]
    assert changed and any(w.tag == "replace" and w.a == "shippers" for w in changed[0].words)
    # Sentence order is kept on both sides.
    a_idx = [op.a_index for op in diff.ops if op.a_index is not None]
    b_idx = [op.b_index for op in diff.ops if op.b_index is not None]
    assert a_idx == sorted(a_idx) == list(range(len(sentences(ORIGINAL))))
    assert b_idx == sorted(b_idx) == list(range(len(sentences(REWRITE))))
    assert 0.3 < diff.kept_share < 0.9


def test_diff_of_identical_texts_keeps_everything() -> None:
    diff = diff_versions(ORIGINAL, ORIGINAL)
    assert diff.kept_share == 1.0
    assert all(op.tag == "equal" for op in diff.ops)
    assert diff_versions("", ORIGINAL).count("added") == len(sentences(ORIGINAL))


def test_database_of_another_schema_version_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "stories.sqlite"
    with StoryIndex(path) as idx:
        list(idx.add(corpus()[:2]))
        idx._store.set_meta("schema_version", "0")
    with StoryIndex(path) as idx:
        assert len(idx) == 0 and idx.groups() == {}
        list(idx.add(corpus()[:2]))
        assert idx.groups()["b-rewrite"] == "a-original"
