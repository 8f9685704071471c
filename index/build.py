"""Building and updating an index: plain generators yielding Progress, with a cancel event.

Both cores do the whole pipeline. Work is cut into *units* (a file, or a shard of a large
multi-record file); each worker process reads, cleans, extracts and indexes its units into its own
Whoosh segment. The parent only hands out units, collects per-unit reports, removes exact
duplicates across workers (as deletions inside the new segments) and commits one table of contents
that names every segment: a single atomic step. ``rebuild`` writes a fresh generation and swaps it in
(``index.store.publish``); ``update`` adds segments to the live generation under the writer lock.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import multiprocessing as mp
import os
import queue
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from whoosh.index import LockError

from index import store
from index.extract import ExtractOptions, extract
from index.model import Article, Progress, RawDocument, ReadError, Skip, Summary
from index.readers import FieldMapping, discover, read_file
from index.schema import from_stored, to_document
from index.segment import BulkSegmentWriter, FastSegmentWriter, postings_budget
from index.stories import (
    PreparedStory,
    StoryIndex,
    StoryInput,
    prepare_stories,
    prepare_story,
)

# Multi-record files larger than this are split into one shard per worker.
SHARD_BYTES = 1024 * 1024
# Below this much input, worker start-up (~1 s each) costs more than it saves.
PARALLEL_MIN_BYTES = 1024 * 1024
RECORD_SUFFIXES = {".jsonl", ".ndjson", ".csv", ".tsv", ".sgm", ".sgml"}
# An archive folder may name the outlet of each sub-folder: {"sources": {"sub/folder": "Outlet"}}.
ARCHIVE_CONFIG = ".copydesk.json"
PROGRESS_INTERVAL = 0.2
# Articles whose story fingerprints a worker computes in one vectorised pass.
PREPARE_BATCH = 256
# Articles of one unit per report (see UnitIndexer.index_unit): bounds what is held and sent.
REPORT_ARTICLES = 1024
# Prepared stories the parent groups at a time while workers index (see StoryFeed).
FEED_BATCH = 512


@dataclass(frozen=True)
class BuildOptions:
    """Everything that shapes what a rebuild or update reads, besides the paths."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    mapping: FieldMapping = field(default_factory=FieldMapping)
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    workers: int | None = None  # None: one per core when the input is large enough; 0: in-process
    max_bytes: int = 64 * 1024 * 1024
    limitmb: int = 128  # postings a worker buffers before it writes a segment (estimated MB)


@dataclass(frozen=True)
class Unit:
    """A piece of work: a file, or shard ``shard[0]`` of ``shard[1]`` of a multi-record file."""

    order: int
    path: str
    size: int
    mtime_ns: int
    shard: tuple[int, int] | None = None


@dataclass
class UnitReport:
    """What a worker did with one unit."""

    unit: Unit
    worker: int = 0  # which worker's segment holds the articles
    kind: str = ""
    records: int = 0
    # (article id, record, segment number in the worker, docnum in that segment, label)
    articles: list[tuple[str, int | None, int, int, str]] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    # The articles' story fingerprints, computed in the worker (None where that failed: the
    # parent then reads the article back from the index).
    stories: list[PreparedStory | None] = field(default_factory=list)
    story_inputs: list[StoryInput] = field(default_factory=list)  # until prepared
    final: bool = True  # False: more reports of this unit follow


class UnitIndexer:
    """Reads, extracts and indexes units into new segments of the index at ``gen``.

    A segment is written whenever the buffered postings reach the memory budget, so a worker
    ends with one segment per ``limitmb`` of postings (usually one).
    """

    def __init__(self, gen: str, options: BuildOptions) -> None:
        self.options = options
        self.ix = store.open_generation(Path(gen))
        self.writer: BulkSegmentWriter | None = None
        self.segments: list[Any] = []
        self.docnum = 0
        self.budget = postings_budget(options.limitmb)
        self.held: list[UnitReport] = []

    def _writer(self) -> BulkSegmentWriter:
        if self.writer is None:
            # _lk=False: the parent holds the index lock for the whole operation.
            self.writer = BulkSegmentWriter(self.ix, _lk=False)
            self.docnum = 0
        return self.writer

    def _seal(self) -> None:
        writer = self.writer
        if writer is None:
            return
        self.writer = None
        if writer._added:
            self.segments.append(writer._finalize_segment())
        else:
            writer.cancel()

    def index_units(self, unit: Unit) -> list[UnitReport]:
        """Index one unit; returns the reports whose story fingerprints are ready.

        Fingerprints are prepared in one vectorised pass per ``PREPARE_BATCH`` articles, so
        reports of small units (one article per file) wait for a batch; ``drain`` ends the wait.
        """
        ready: list[UnitReport] = []
        for report in self.index_unit(unit):
            self.held.append(report)
            if sum(len(r.articles) for r in self.held) >= PREPARE_BATCH:
                ready += self.drain()
        return ready

    def drain(self) -> list[UnitReport]:
        """Prepare the held reports' story fingerprints and return the reports."""
        held, self.held = self.held, []
        inputs = [item for r in held for item in r.story_inputs]
        prepared = _prepare(inputs)
        at = 0
        for r in held:
            n = len(r.story_inputs)
            r.stories = prepared[at : at + n]
            r.story_inputs = []
            at += n
        return held

    def index_unit(self, unit: Unit) -> Iterator[UnitReport]:
        """Index one unit; bad input becomes skips, never an exception.

        A large unit (a shard of a big export) comes as several reports of ``REPORT_ARTICLES``
        articles, the last one ``final``: a worker then never holds, and the parent never
        receives, one unit's whole story data at once. The reports' ``story_inputs`` are left for
        ``drain`` (see ``index_units``).
        """
        report = UnitReport(unit=unit)
        opts = self.options
        pending = report.story_inputs
        try:
            items: Iterable[RawDocument | ReadError] = read_file(
                Path(unit.path), opts.mapping, max_bytes=opts.max_bytes, shard=unit.shard
            )
            for item in items:
                if isinstance(item, ReadError):
                    report.skips.append(Skip(item.label(), item.reason))
                    continue
                report.records += 1
                report.kind = item.provenance.kind.value
                try:
                    article = extract(item, opts.extract)
                except Exception as exc:  # extraction must not lose the rest of the file
                    report.skips.append(
                        Skip(item.provenance.label(), f"extraction failed: {exc!r}")
                    )
                    continue
                if not article.body.strip() and not article.title.strip():
                    report.skips.append(Skip(item.provenance.label(), "no text after cleaning"))
                    continue
                writer = self._writer()
                writer.add_document(**to_document(article))
                report.articles.append(
                    (
                        article.id,
                        item.provenance.record,
                        len(self.segments),
                        self.docnum,
                        item.provenance.label(),
                    )
                )
                self.docnum += 1
                pending.append(_story_input(article))
                if writer.posting_count >= self.budget:
                    self._seal()
                if len(report.articles) >= REPORT_ARTICLES:
                    report.final = False
                    yield report
                    report = UnitReport(unit=unit, kind=report.kind)
                    pending = report.story_inputs
        except Exception as exc:  # a reader bug must not stop the import either
            report.skips.append(Skip(unit.path, f"could not read: {exc!r}"))
        yield report

    def finish(self) -> list[Any]:
        """Write the last segment; returns every segment written (picklable)."""
        self._seal()
        return self.segments

    def cancel(self) -> None:
        """Discard the segment being written (the caller removes the build directory)."""
        if self.writer is not None:
            with contextlib.suppress(Exception):
                self.writer.cancel()
            self.writer = None


def _prepare(items: list[StoryInput]) -> list[PreparedStory | None]:
    """Story fingerprints for a unit's articles (None for any that fails)."""
    try:
        return list(prepare_stories(items))
    except Exception:  # one bad article: prepare the others one by one
        out: list[PreparedStory | None] = []
        for item in items:
            try:
                out.append(prepare_story(item))
            except Exception:  # grouping must never cost an article; the parent retries
                out.append(None)
        return out


class StoryFeed:
    """Feeds worker-prepared stories to a story index while the workers are still indexing.

    Rebuilds only: the story index lives in the build directory, so a cancelled build takes it
    along. Of several articles with one id, the first in file order wins, as in the index.
    """

    def __init__(self, stories: StoryIndex, cancel: threading.Event) -> None:
        self.stories = stories
        self.cancel = cancel
        self.order: dict[str, int] = {}
        self.pending: dict[str, PreparedStory] = {}

    def offer(self, report: UnitReport) -> None:
        """Queue a unit's prepared stories; add a batch when enough are waiting."""
        order = report.unit.order
        for (article_id, *_rest), prepared in zip(report.articles, report.stories, strict=True):
            if prepared is None or self.order.get(article_id, order + 1) <= order:
                continue
            self.order[article_id] = order
            self.pending[article_id] = prepared
        if len(self.pending) >= FEED_BATCH:
            self.flush()

    def flush(self, *, commit: bool = False) -> None:
        """Hand everything queued to the story index (``commit``: add its rest and commit)."""
        if self.cancel.is_set():
            return
        if self.pending:
            items = list(self.pending.values())
            self.pending.clear()
            # put() adds full batches and commits every few thousand: cheaper than add() calls.
            self.stories.put(items)
        if commit:
            self.stories.flush()


def _worker_main(worker: int, gen: str, options: BuildOptions, tasks: Any, results: Any) -> None:
    indexer = UnitIndexer(gen, options)
    # The modules' objects never become garbage, and the buffered postings are millions of
    # long-lived lists: keep the collector from walking them again and again (a few % of CPU).
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    parent = os.getppid()
    while True:
        try:
            unit = tasks.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent:  # the parent was killed: stop, its build dir is garbage
                indexer.cancel()
                return
            continue
        if unit is None:
            break
        ready = indexer.index_units(unit)
        if tasks.empty():  # nothing else to do now: do not hold reports back
            ready += indexer.drain()
        for report in ready:
            report.worker = worker
            results.put(("unit", worker, report))
    for report in indexer.drain():
        report.worker = worker
        results.put(("unit", worker, report))
    results.put(("segment", worker, indexer.finish()))


def plan_units(
    paths: Sequence[str | Path], options: BuildOptions, workers: int
) -> tuple[list[Unit], list[Skip]]:
    """Discover files and cut them into units; unreadable paths become skips."""
    units: list[Unit] = []
    skips: list[Skip] = []
    for found in discover(list(paths), options.include, options.exclude):
        if isinstance(found, ReadError):
            skips.append(Skip(found.label(), found.reason))
            continue
        path = Path(os.path.abspath(found))
        try:
            st = path.stat()
        except OSError as exc:
            skips.append(Skip(str(path), exc.strerror or str(exc)))
            continue
        shards = 1
        if workers > 1 and path.suffix.lower() in RECORD_SUFFIXES and st.st_size > SHARD_BYTES:
            shards = workers
        for i in range(shards):
            units.append(
                Unit(
                    order=len(units),
                    path=str(path),
                    size=st.st_size,
                    mtime_ns=st.st_mtime_ns,
                    shard=(i, shards) if shards > 1 else None,
                )
            )
    return units, skips


def archive_folder_sources(paths: Sequence[str | Path]) -> tuple[dict[str, str], list[Skip]]:
    """Folder -> outlet mappings from ``.copydesk.json`` files at the roots of the given folders."""
    found: dict[str, str] = {}
    problems: list[Skip] = []
    for root in paths:
        config = Path(root) / ARCHIVE_CONFIG
        if not config.is_file():
            continue
        try:
            data = json.loads(config.read_text(encoding="utf-8"))
            sources = data.get("sources", {})
            if not isinstance(sources, dict):
                raise ValueError('"sources" must map folders to outlet names')
            for folder, name in sources.items():
                if not isinstance(name, str) or not name.strip():
                    raise ValueError(f"outlet name for {folder!r} must be a non-empty string")
                found[os.path.abspath(Path(root) / folder)] = name.strip()
        except (OSError, ValueError, AttributeError) as exc:
            problems.append(Skip(str(config), f"archive configuration ignored: {exc}"))
    return found, problems


def with_archive_config(
    paths: Sequence[str | Path], options: BuildOptions
) -> tuple[BuildOptions, list[Skip]]:
    """Options with the archives' folder->outlet mappings added (command-line mappings win)."""
    found, problems = archive_folder_sources(paths)
    if not found:
        return options, problems
    merged = {**found, **dict(options.extract.folder_sources)}
    extract_options = replace(options.extract, folder_sources=merged)
    return replace(options, extract=extract_options), problems


def _choose_workers(options: BuildOptions, units: list[Unit]) -> int:
    if options.workers is not None:
        return max(0, options.workers)
    total = sum(u.size for u in units if u.shard is None or u.shard[0] == 0)
    if total < PARALLEL_MIN_BYTES:
        return 0
    return max(1, min(os.cpu_count() or 1, 8))


def _run_units(
    gen: Path,
    units: list[Unit],
    options: BuildOptions,
    workers: int,
    cancel: threading.Event,
) -> Iterator[UnitReport | dict[tuple[int, int], Any]]:
    """Index units in-process or in worker processes; yields reports, then the segments.

    Segments come as ``{(worker, number): segment}``, matching the reports' articles.
    """
    if workers == 0:
        indexer = UnitIndexer(str(gen), options)
        for unit in units:
            if cancel.is_set():
                indexer.cancel()
                return
            yield from indexer.index_units(unit)
        yield from indexer.drain()
        yield {(0, i): seg for i, seg in enumerate(indexer.finish())}
        return

    # spawn, not fork: the caller may be a GUI process with threads of its own.
    ctx = mp.get_context("spawn")
    tasks = ctx.Queue()
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_worker_main, args=(i, str(gen), options, tasks, results), daemon=True)
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    try:
        for unit in units:
            tasks.put(unit)
        for _ in procs:
            tasks.put(None)
        segments: dict[tuple[int, int], Any] = {}
        finished = 0
        while finished < len(procs):
            if cancel.is_set():
                return
            try:
                kind, worker, payload = results.get(timeout=0.1)
            except queue.Empty:
                if not any(p.is_alive() for p in procs) and results.empty():
                    raise RuntimeError("an indexing worker died unexpectedly") from None
                continue
            if kind == "unit":
                yield payload
            else:
                finished += 1
                for i, seg in enumerate(payload):
                    segments[(worker, i)] = seg
        yield segments
    finally:
        for p in procs:
            if p.is_alive() and cancel.is_set():
                p.terminate()
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
                p.join()


@dataclass
class _Tally:
    started: float = field(default_factory=time.monotonic)
    files_total: int = 0
    files_done: int = 0
    articles: int = 0
    indexed: int = 0
    skips: list[Skip] = field(default_factory=list)
    duplicates: list[Skip] = field(default_factory=list)
    last_emit: float = 0.0

    def progress(self, stage: Any, message: str = "", summary: Summary | None = None) -> Progress:
        return Progress(
            stage=stage,
            files_done=self.files_done,
            files_total=self.files_total,
            articles=self.articles,
            indexed=self.indexed,
            skipped=len(self.skips),
            elapsed=time.monotonic() - self.started,
            message=message,
            summary=summary,
        )

    def due(self) -> bool:
        now = time.monotonic()
        if now - self.last_emit >= PROGRESS_INTERVAL:
            self.last_emit = now
            return True
        return False


def _index_into(
    ix_writer: FastSegmentWriter,
    gen: Path,
    manifest: store.Manifest,
    units: list[Unit],
    options: BuildOptions,
    cancel: threading.Event,
    tally: _Tally,
    existing_ids: set[str],
    feed: StoryFeed | None = None,
    kept_stories: dict[str, PreparedStory] | None = None,
) -> Iterator[Progress]:
    """Run the units, dedupe, record the manifest and commit. Stops early when cancelled.

    Prepared stories go to ``feed`` as reports arrive, or, of the articles kept, into
    ``kept_stories`` for grouping after the commit.
    """
    workers = _choose_workers(options, units)
    reports: list[UnitReport] = []
    segments: dict[tuple[int, int], Any] = {}
    for item in _run_units(gen, units, options, workers, cancel):
        if isinstance(item, dict):
            segments = item
            break
        reports.append(item)
        tally.files_done += item.final
        tally.articles += len(item.articles)
        tally.skips.extend(item.skips)
        if feed is not None:
            feed.offer(item)
            item.stories = [None] * len(item.articles)  # fed: do not hold them twice
        if tally.due():
            yield tally.progress("index", item.unit.path)
    if cancel.is_set():
        return

    # Reports arrive in completion order; the first provider in file order keeps an id.
    reports.sort(key=lambda r: r.unit.order)
    seen: dict[str, str] = {}
    per_file: dict[str, tuple[Unit, str, list[tuple[str, int | None, bool]], int]] = {}
    for report in reports:
        unit = report.unit
        entry = per_file.setdefault(unit.path, (unit, report.kind, [], 0))
        rows = entry[2]
        for (article_id, record, seg, docnum, label), prepared in zip(
            report.articles, report.stories, strict=True
        ):
            keep = article_id not in seen and article_id not in existing_ids
            if keep:
                seen[article_id] = label
                tally.indexed += 1
                if kept_stories is not None and prepared is not None:
                    kept_stories[article_id] = prepared
            else:
                first = seen.get(article_id, "an article already in the index")
                tally.duplicates.append(Skip(label, f"exact duplicate of {first}"))
                segments[(report.worker, seg)].delete_document(docnum)
            rows.append((article_id, record, keep))
        per_file[unit.path] = (
            entry[0],
            report.kind or entry[1],
            rows,
            entry[3] + len(report.skips),
        )

    yield tally.progress("commit", "writing the index")
    try:
        ix_writer.commit_with([segments[k] for k in sorted(segments)])
    except Exception:
        with contextlib.suppress(Exception):
            ix_writer.cancel()  # else Whoosh's lock stays held (TECH-NOTES)
        raise
    for unit, kind, rows, skipped in per_file.values():
        manifest.record_file(unit.path, unit.size, unit.mtime_ns, kind, rows, skipped)
    manifest.commit()


def _story_inputs(gen: Path, wanted: set[str]) -> Iterator[StoryInput]:
    """The stored articles with the wanted ids, as inputs for the story engine."""
    ix = store.open_generation(gen)
    with ix.searcher() as searcher:
        if len(wanted) * 4 > searcher.doc_count():
            for stored in searcher.all_stored_fields():
                if stored.get("id") in wanted:
                    yield _story_input(from_stored(stored))
        else:
            for article_id in sorted(wanted):
                stored = searcher.document(id=article_id)
                if stored:
                    yield _story_input(from_stored(stored))


def _story_input(article: Article) -> StoryInput:
    return StoryInput(
        id=article.id,
        title=article.title,
        body=article.body,
        date=article.date.value,
        source=article.source,
        wires=article.wires,
    )


def sync_stories(
    gen: Path,
    indexed: set[str],
    replaced: set[str],
    cancel: threading.Event,
    tally: _Tally,
    prepared: dict[str, PreparedStory] | None = None,
) -> Iterator[Progress]:
    """Bring the generation's story index in line with its articles (incrementally).

    Articles the story index lacks are added (from ``prepared`` where the workers made them,
    else read back from the index), ones the index no longer has are removed, and ``replaced``
    ids (re-read, perhaps changed) are compared afresh. Reconciling against the manifest,
    rather than trusting the last run, repairs a run killed between the two commits.
    """
    with StoryIndex(gen / store.STORIES_FILE) as stories:
        have = stories.ids()
        stale = (have - indexed) | (have & replaced)
        if stale:
            stories.remove(stale)
        missing = indexed - (have - stale)
        if not missing:
            return
        tally.files_done, tally.files_total = 0, len(missing)
        yield tally.progress("stories", "grouping versions of the same story")
        ready = prepared or {}
        items: Iterator[StoryInput | PreparedStory] = itertools.chain(
            (ready[i] for i in sorted(missing) if i in ready),
            _story_inputs(gen, {i for i in missing if i not in ready}),
        )
        for done in stories.add(items, cancel):
            tally.files_done = done
            if tally.due():
                yield tally.progress("stories", "grouping versions of the same story")


def rebuild(
    paths: Sequence[str | Path],
    index_dir: Path,
    options: BuildOptions | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[Progress]:
    """Build a fresh index of ``paths`` beside the live one and swap it in atomically."""
    options = options or BuildOptions()
    cancel = cancel or threading.Event()
    tally = _Tally()
    lock = store.WriteLock(index_dir)
    lock.acquire()
    build: Path | None = None
    try:
        yield tally.progress("scan", "looking for files")
        options, config_skips = with_archive_config(paths, options)
        units, scan_skips = plan_units(paths, options, os.cpu_count() or 1)
        tally.skips.extend(config_skips + scan_skips)
        tally.files_total = len(units)
        build = store.new_build_dir(index_dir)
        ix = store.create_generation(build, _options_record(paths, options))
        manifest = store.Manifest(build / store.MANIFEST_FILE)
        feed = StoryFeed(StoryIndex(build / store.STORIES_FILE), cancel)
        try:
            writer = FastSegmentWriter(ix, limitmb=options.limitmb)
            yield from _index_into(
                writer, build, manifest, units, options, cancel, tally, set(), feed=feed
            )
            indexed = manifest.indexed_ids()
            if not cancel.is_set():
                yield tally.progress("stories", "grouping versions of the same story")
                feed.flush(commit=True)
        finally:
            feed.stories.close()
            manifest.close()
        files_done = tally.files_done
        if not cancel.is_set():
            yield from sync_stories(build, indexed, set(), cancel, tally)
        tally.files_done = tally.files_total = files_done
        if cancel.is_set():
            yield tally.progress("cancelled", "cancelled; the previous index is unchanged")
            return
        yield tally.progress("swap", "publishing the new index")
        gen = store.publish(index_dir, build)
        build = None
        yield _done(tally, index_dir, gen)
    finally:
        if build is not None:
            shutil.rmtree(build, ignore_errors=True)
        lock.release()


def update(
    paths: Sequence[str | Path],
    index_dir: Path,
    options: BuildOptions | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[Progress]:
    """Read only new or changed files under ``paths``; drop articles of files that are gone."""
    options = options or BuildOptions()
    cancel = cancel or threading.Event()
    tally = _Tally()
    lock = store.WriteLock(index_dir)
    lock.acquire()
    try:
        gen = store.current_generation(index_dir)
        ix = store.open_generation(gen)
        yield tally.progress("scan", "comparing files with the index")
        options, config_skips = with_archive_config(paths, options)
        units, scan_skips = plan_units(paths, options, os.cpu_count() or 1)
        tally.skips.extend(config_skips + scan_skips)
        manifest = store.Manifest(gen / store.MANIFEST_FILE)
        try:
            known = manifest.file_state()
            roots = [os.path.abspath(p) for p in paths]
            present = {u.path for u in units}
            changed = sorted({u.path for u in units if known.get(u.path) != (u.size, u.mtime_ns)})
            removed = sorted(
                p for p in known if p not in present and any(_is_under(p, r) for r in roots)
            )
            # Articles that a changed or removed file shared with an unchanged one must be
            # re-read from the survivor, or deleting the old copy would lose them.
            affected = manifest.ids_of(changed + removed)
            survivors = manifest.paths_providing(affected) - set(changed) - set(removed)
            reread = set(changed) | {p for p in survivors if p in present}
            todo = [u for u in units if u.path in reread]
            tally.files_total = len(todo)
            try:
                writer = FastSegmentWriter(ix, limitmb=options.limitmb)
            except LockError as exc:
                raise store.whoosh_writer_busy(exc, index_dir) from exc
            for p in sorted(reread | set(removed)):
                writer.delete_by_term("path", p)
            manifest.forget(sorted(reread | set(removed)))
            existing = manifest.indexed_ids()
            prepared: dict[str, PreparedStory] = {}
            yield from _index_into(
                writer, gen, manifest, todo, options, cancel, tally, existing, None, prepared
            )
            if cancel.is_set():
                with contextlib.suppress(Exception):
                    writer.cancel()
                manifest.db.rollback()
                yield tally.progress("cancelled", "cancelled; the index is unchanged")
                return
            indexed = manifest.indexed_ids()
        finally:
            manifest.close()
        files_done = tally.files_done
        # The articles are committed; grouping can be cancelled and is completed next time.
        yield from sync_stories(gen, indexed, affected, cancel, tally, prepared)
        tally.files_done = tally.files_total = files_done
        yield _done(
            tally,
            index_dir,
            gen,
            removed_files=len(removed),
            unchanged_files=len(present) - len(reread),
        )
    finally:
        lock.release()


def _is_under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _done(
    tally: _Tally, index_dir: Path, gen: Path, removed_files: int = 0, unchanged_files: int = 0
) -> Progress:
    ix = store.open_generation(gen)
    with ix.reader() as reader:
        total = reader.doc_count()
    summary = Summary(
        index_dir=str(index_dir),
        files=tally.files_done,
        articles=tally.articles,
        indexed=tally.indexed,
        skipped=tuple(tally.skips),
        duplicates=tuple(tally.duplicates),
        total_articles=total,
        index_bytes=store.dir_size(gen),
        elapsed=time.monotonic() - tally.started,
        removed_files=removed_files,
        unchanged_files=unchanged_files,
    )
    return tally.progress("done", "finished", summary)


def _options_record(paths: Sequence[str | Path], options: BuildOptions) -> dict[str, Any]:
    record = asdict(options)
    record["paths"] = [os.path.abspath(p) for p in paths]
    return _jsonable(record)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
