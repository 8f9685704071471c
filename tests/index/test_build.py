"""rebuild/update: counts, bad input, duplicates, atomic swap, locking, cancel and kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from index import store
from index.build import BuildOptions, rebuild, update
from index.catalog import index_stats, iter_articles
from index.extract import ExtractOptions
from index.model import Progress, Summary
from index.stories import StoryIndex

REPO = Path(__file__).resolve().parents[2]

ARTICLE = """{title}

{lead} The announcement came on a quiet {day} morning after weeks of speculation.

Officials said the decision followed a review of {topic} that began last year and drew hundreds
of submissions from residents, businesses and community groups.

"We listened carefully to everyone who took part," a spokesperson said.
"""


def write_article(path: Path, title: str, topic: str, day: str = "Tuesday") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        ARTICLE.format(
            title=title, lead=f"The council has approved a plan on {topic}.", topic=topic, day=day
        ),
        encoding="utf-8",
    )
    return path


def run(gen: object) -> tuple[list[Progress], Summary]:
    steps = list(gen)  # type: ignore[call-overload]
    assert steps, "no progress at all"
    summary = steps[-1].summary
    assert summary is not None, steps[-1]
    return steps, summary


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    write_article(
        root / "a" / "bridge.txt", "Council approves new river bridge", "the river bridge"
    )
    write_article(root / "a" / "parks.txt", "Parks budget doubled for summer", "park maintenance")
    write_article(root / "b" / "library.txt", "Library hours extended on weekends", "library hours")
    return root


def test_rebuild_indexes_every_file_and_reports(archive: Path, tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    steps, summary = run(rebuild([archive], idx, BuildOptions(workers=0)))
    assert next(s.stage for s in steps) == "scan"
    assert steps[-1].stage == "done"
    assert summary.indexed == 3 and summary.articles == 3 and not summary.skipped
    assert summary.total_articles == 3
    assert store.is_index_dir(idx)
    titles = sorted(a.title for a in iter_articles(idx))
    assert titles == [
        "Council approves new river bridge",
        "Library hours extended on weekends",
        "Parks budget doubled for summer",
    ]
    assert index_stats(idx).articles == 3


def test_rebuild_swaps_generations_and_keeps_one_previous(archive: Path, tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    for _ in range(3):
        run(rebuild([archive], idx, BuildOptions(workers=0)))
    gens = sorted(p.name for p in idx.glob("gen-*"))
    assert gens == ["gen-000002", "gen-000003"]
    assert store.current_generation(idx).name == "gen-000003"
    assert not list(idx.glob("build-*"))


def test_bad_input_is_reported_and_the_rest_indexed(archive: Path, tmp_path: Path) -> None:
    bad = archive / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 200)
    (bad / "latin.txt").write_bytes(
        "Caf\xe9 owners protest new rules\n\nThe caf\xe9 owners said the rules were unfair.".encode(
            "cp1252"
        )
    )
    (bad / "broken.html").write_text(
        "<html><head><title>Harbour reopens after storm</title><body><nav>Home | News</nav>"
        "<article><p>The harbour reopened on Monday after the storm damaged two piers."
        "<p>Repairs will take months, the port authority said.</article><footer>© Site",
        encoding="utf-8",
    )
    (bad / "export.jsonl").write_text(
        '{"id": "x-1", "headline": "Rail strike called off", "text": "Unions called off the strike."}\n'
        "{broken json\n"
        '["not", "an", "object"]\n'
        '{"id": "x-2", "headline": "Ferry fares frozen", "text": "Fares will not rise this year."}\n',
        encoding="utf-8",
    )
    big = bad / "huge.txt"
    big.write_text("word " * 5000, encoding="utf-8")
    options = BuildOptions(workers=0, max_bytes=10_000)
    _, summary = run(rebuild([archive], tmp_path / "idx", options))
    reasons = {Path(s.label.split("#")[0]).name: s.reason for s in summary.skipped}
    assert set(reasons) >= {"empty.txt", "binary.txt", "huge.txt", "export.jsonl"}, reasons
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    jsonl_skips = [s for s in summary.skipped if s.label.startswith(str(bad / "export.jsonl"))]
    assert {s.label.rsplit("#", 1)[1] for s in jsonl_skips} == {"2", "3"}
    ids = {a.id for a in iter_articles(tmp_path / "idx")}
    assert {"x-1", "x-2"} <= ids
    titles = {a.title for a in iter_articles(tmp_path / "idx")}
    assert "Café owners protest new rules" in titles
    assert "Harbour reopens after storm" in titles
    assert summary.indexed == 3 + 1 + 1 + 2


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_reported(archive: Path, tmp_path: Path) -> None:
    locked = write_article(archive / "locked.txt", "Secret story", "secrets")
    locked.chmod(0)
    try:
        _, summary = run(rebuild([archive], tmp_path / "idx", BuildOptions(workers=0)))
    finally:
        locked.chmod(0o644)
    assert any(
        "locked.txt" in s.label and "permission" in s.reason.lower() for s in summary.skipped
    )
    assert summary.indexed == 3


def test_exact_duplicates_are_counted_once(archive: Path, tmp_path: Path) -> None:
    (archive / "c").mkdir()
    (archive / "c" / "copy.txt").write_bytes((archive / "a" / "bridge.txt").read_bytes())
    _, summary = run(rebuild([archive], tmp_path / "idx", BuildOptions(workers=0)))
    assert summary.indexed == 3
    assert len(summary.duplicates) == 1
    assert "copy.txt" in summary.duplicates[0].label
    assert "bridge.txt" in summary.duplicates[0].reason


def test_parallel_workers_match_in_process(archive: Path, tmp_path: Path) -> None:
    (archive / "c").mkdir()
    (archive / "c" / "copy.txt").write_bytes((archive / "b" / "library.txt").read_bytes())
    edited = (archive / "b" / "library.txt").read_text(encoding="utf-8")
    edited += "\nThe library board will review the change again in the autumn, officials added.\n"
    (archive / "c" / "edited.txt").write_text(edited, encoding="utf-8")
    for i in range(12):
        write_article(
            archive / "many" / f"{i:02d}.txt", f"Story number {i} about roads", f"road {i}"
        )
    _, serial = run(rebuild([archive], tmp_path / "s", BuildOptions(workers=0)))
    _, parallel = run(rebuild([archive], tmp_path / "p", BuildOptions(workers=2)))
    assert parallel.indexed == serial.indexed == 16
    assert len(parallel.duplicates) == len(serial.duplicates) == 1
    assert parallel.total_articles == 16
    assert sorted(a.id for a in iter_articles(tmp_path / "p")) == sorted(
        a.id for a in iter_articles(tmp_path / "s")
    )
    # Stories prepared in the workers and grouped while indexing match in-process grouping.
    groups = []
    for name in ("s", "p"):
        gen = store.current_generation(tmp_path / name)
        with StoryIndex(gen / store.STORIES_FILE) as stories:
            assert len(stories) == 16
            groups.append(stories.groups())
    assert groups[0] == groups[1]
    assert groups[0], "the edited library article and its original form a group"


def test_update_reads_only_new_and_changed_and_drops_removed(archive: Path, tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    run(rebuild([archive], idx, BuildOptions(workers=0)))
    write_article(archive / "b" / "new.txt", "Night buses return to the city", "night buses")
    write_article(archive / "a" / "parks.txt", "Parks budget tripled for summer", "park budgets")
    (archive / "b" / "library.txt").unlink()
    steps, summary = run(update([archive], idx, BuildOptions(workers=0)))
    assert steps[-1].files_total == 2  # new.txt and parks.txt only
    assert summary.removed_files == 1 and summary.unchanged_files == 1
    titles = sorted(a.title for a in iter_articles(idx))
    assert titles == [
        "Council approves new river bridge",
        "Night buses return to the city",
        "Parks budget tripled for summer",
    ]
    _, again = run(update([archive], idx, BuildOptions(workers=0)))
    assert again.files == 0 and again.total_articles == 3


def test_update_restores_an_article_shared_with_a_removed_file(
    archive: Path, tmp_path: Path
) -> None:
    idx = tmp_path / "idx"
    (archive / "c").mkdir()
    (archive / "c" / "copy.txt").write_bytes((archive / "a" / "bridge.txt").read_bytes())
    run(rebuild([archive], idx, BuildOptions(workers=0)))
    (archive / "a" / "bridge.txt").unlink()  # the indexed copy goes; the duplicate remains
    _, summary = run(update([archive], idx, BuildOptions(workers=0)))
    assert summary.total_articles == 3
    paths = {a.provenance.path for a in iter_articles(idx)}
    assert str(archive / "c" / "copy.txt") in paths


def test_second_writer_gets_index_busy(archive: Path, tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    run(rebuild([archive], idx, BuildOptions(workers=0)))
    with store.WriteLock(idx), pytest.raises(store.IndexBusyError, match="index is busy"):
        run(rebuild([archive], idx, BuildOptions(workers=0)))


def test_cancel_leaves_the_previous_index(archive: Path, tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    run(rebuild([archive], idx, BuildOptions(workers=0)))
    for i in range(20):
        write_article(archive / "more" / f"{i}.txt", f"Extra story {i}", f"topic {i}")
    cancel = threading.Event()
    stages = []
    for step in rebuild([archive], idx, BuildOptions(workers=0), cancel):
        stages.append(step.stage)
        cancel.set()
    assert stages[-1] == "cancelled"
    assert index_stats(idx).articles == 3
    assert not list(idx.glob("build-*"))


def test_schema_version_mismatch_is_a_clear_error(archive: Path, tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    run(rebuild([archive], idx, BuildOptions(workers=0)))
    meta_path = store.current_generation(idx) / store.META_FILE
    meta = json.loads(meta_path.read_text())
    meta["schema_version"] = 999
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(store.SchemaVersionError, match="schema version 999"):
        store.open_index(idx)


def test_source_option_overrides_detection(archive: Path, tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    options = BuildOptions(workers=0, extract=ExtractOptions(source="Harbour Herald"))
    run(rebuild([archive], idx, options))
    assert {a.source for a in iter_articles(idx)} == {"Harbour Herald"}


def test_killing_rebuild_leaves_previous_index(tmp_path: Path) -> None:
    """SIGKILL a rebuild mid-way (after it reports progress): the old generation still answers."""
    archive = tmp_path / "archive"
    for i in range(3):
        write_article(archive / f"{i}.txt", f"First generation story {i}", f"topic {i}")
    idx = tmp_path / "idx"
    run(rebuild([archive], idx, BuildOptions(workers=0)))
    for i in range(1500):
        write_article(archive / "more" / f"{i:03d}.txt", f"Second generation story {i}", f"t{i}")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "index.cli",
            "rebuild",
            str(archive),
            "--index",
            str(idx),
            "--workers",
            "0",
        ],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # wait for real indexing progress, then kill
        if line.startswith("index"):
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert index_stats(idx).articles == 3
    # The next rebuild clears the half-written build and succeeds.
    _, summary = run(rebuild([archive], idx, BuildOptions(workers=0)))
    assert summary.total_articles == 1503
    assert not list(idx.glob("build-*"))


def test_archive_config_names_folder_outlets(archive: Path, tmp_path: Path) -> None:
    (archive / ".copydesk.json").write_text(json.dumps({"sources": {"a": "Harbour Herald"}}))
    idx = tmp_path / "idx"
    _, summary = run(rebuild([archive], idx, BuildOptions(workers=0)))
    assert not summary.skipped
    sources = {a.title: a.source for a in iter_articles(idx)}
    assert sources["Council approves new river bridge"] == "Harbour Herald"
    assert sources["Library hours extended on weekends"] is None  # folder b: stays unknown
    # A command-line mapping wins over the archive's.
    cli_map = {str(archive / "a"): "Valley Times"}
    options = BuildOptions(workers=0, extract=ExtractOptions(folder_sources=cli_map))
    run(rebuild([archive], idx, options))
    assert {a.source for a in iter_articles(idx) if "bridge" in a.title} == {"Valley Times"}


def test_broken_archive_config_is_reported(archive: Path, tmp_path: Path) -> None:
    (archive / ".copydesk.json").write_text("{not json")
    _, summary = run(rebuild([archive], tmp_path / "idx", BuildOptions(workers=0)))
    assert summary.indexed == 3
    assert any(".copydesk.json" in s.label and "ignored" in s.reason for s in summary.skipped)


@pytest.mark.parametrize("workers", [0, 2])
def test_small_memory_budget_writes_several_segments_with_the_same_content(
    tmp_path: Path, workers: int
) -> None:
    archive = tmp_path / "demo"
    import shutil

    shutil.copytree(REPO / "resources" / "demo", archive)
    texts = sorted(archive.rglob("*.txt"))
    (archive / "zz-copy.txt").write_bytes(texts[0].read_bytes())  # read last: a duplicate
    _, small = run(rebuild([archive], tmp_path / "small", BuildOptions(workers=workers, limitmb=0)))
    _, big = run(rebuild([archive], tmp_path / "big", BuildOptions(workers=0)))
    small_ix = store.open_generation(store.current_generation(tmp_path / "small"))
    big_ix = store.open_generation(store.current_generation(tmp_path / "big"))
    assert len(small_ix._segments()) > 1
    assert len(big_ix._segments()) == 1
    assert small.indexed == big.indexed == small.total_articles
    assert len(small.duplicates) == len(big.duplicates) == 1
    assert sorted(a.id for a in iter_articles(tmp_path / "small")) == sorted(
        a.id for a in iter_articles(tmp_path / "big")
    )
    with small_ix.searcher() as s1, big_ix.searcher() as s2:
        for word in ("missile", "flood", "the", "reuters"):
            for field in ("body", "title", "wire"):
                assert s1.doc_frequency(field, word) == s2.doc_frequency(field, word), word


def test_large_units_come_in_several_reports(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit reported in parts indexes, dedupes, counts and groups as one report does."""
    import json

    from index import build

    records = []
    for i in range(9):
        body = f"The river level rose by {i} metres overnight, officials said on Monday."
        records.append({"id": f"r{i % 7}", "title": f"River rises {i}", "body": body})
    export = archive / "export.jsonl"
    export.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    results = []
    for name, part in (("whole", 10_000), ("parts", 2)):
        monkeypatch.setattr(build, "REPORT_ARTICLES", part)
        steps, summary = run(rebuild([archive], tmp_path / name, BuildOptions(workers=0)))
        gen = store.current_generation(tmp_path / name)
        with StoryIndex(gen / store.STORIES_FILE) as stories:
            groups = stories.groups()
        ids = sorted(a.id for a in iter_articles(tmp_path / name))
        dups = sorted((d.label, d.reason) for d in summary.duplicates)
        results.append((summary.indexed, summary.files, steps[-1].files_total, dups, ids, groups))
    assert results[0] == results[1]
    assert results[0][0] == 10 and len(results[0][3]) == 2  # r0 and r1 are sent twice
    assert results[0][1] == 4  # three text files and the export, however it was reported
