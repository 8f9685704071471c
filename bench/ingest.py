"""Ingest benchmark: Copydesk's full pipeline against a bare Whoosh writer, on the shared corpora.

    .venv/bin/python bench/ingest.py                 # Reuters: pipeline vs bare baseline
    .venv/bin/python bench/ingest.py --corpus all    # + bbc/ and ag_news/ (articles/s, memory, size)
    .venv/bin/python bench/ingest.py --repeat 3      # three baseline/pipeline rounds, each ratio

The baseline indexes the same pre-extracted Reuters title+body text with Whoosh's default
StemmingAnalyzer in one process, one writer: what a naive Whoosh integration does. The pipeline is
``index.build.rebuild`` on the raw SGML files: reading, decoding, cleaning, metadata and dates,
language, and the index, with every core. Peak memory is the largest summed RSS of the process tree,
sampled every 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"


class PeakRSS:
    """Samples the summed RSS of this process and its children in a background thread."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.05):
            try:
                procs = [me, *me.children(recursive=True)]
                total = 0
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        total += p.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def bare_whoosh(docs: list[tuple[str, str, str]], where: Path) -> float:
    """Index (id, title, body) with StemmingAnalyzer, one writer; returns docs/s."""
    from whoosh import fields, index
    from whoosh.analysis import StemmingAnalyzer

    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
        body=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
    )
    ix = index.create_in(str(where), schema)
    start = time.perf_counter()
    w = ix.writer()
    for doc_id, title, body in docs:
        w.add_document(id=doc_id, title=title, body=body)
    w.commit()
    return len(docs) / (time.perf_counter() - start)


def reuters_texts() -> list[tuple[str, str, str]]:
    """The Reuters records with any text (a body, or a title alone), as (id, title, body).

    Title-only records count too, since the pipeline indexes them as articles: both sides of the
    ratio index the same kind of documents.
    """
    out = []
    with open(CORPORA / "reuters21578" / "reuters21578.jsonl", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("body") or rec.get("title"):
                out.append((str(rec["newid"]), rec.get("title") or "", rec.get("body") or ""))
    return out


def pipeline(paths: list[Path], where: Path, **opts: object) -> dict[str, object]:
    """Run index.build.rebuild and report rate, memory, size and skips."""
    from index.build import BuildOptions, rebuild
    from index.extract import ExtractOptions

    source = opts.pop("source", None)
    options = BuildOptions(extract=ExtractOptions(source=source), **opts)  # type: ignore[arg-type]
    with PeakRSS() as mem:
        start = time.perf_counter()
        last = None
        stage_start: dict[str, float] = {}
        for step in rebuild(paths, where, options):
            stage_start.setdefault(step.stage, time.perf_counter() - start)
            last = step
        elapsed = time.perf_counter() - start
    assert last is not None and last.summary is not None
    s = last.summary
    reasons = Counter(k.reason.split(":")[0] for k in s.skipped)
    return {
        "articles": s.articles,
        "indexed": s.indexed,
        "duplicates": len(s.duplicates),
        "skipped": len(s.skipped),
        "skip_reasons": dict(reasons),
        "seconds": round(elapsed, 2),
        "articles_per_s": round(s.articles / elapsed, 1),
        "peak_rss_mb": round(mem.peak / 1e6, 1),
        "index_mb": round(s.index_bytes / 1e6, 1),
        "stages": _stage_seconds(stage_start, elapsed),
    }


def _stage_seconds(starts: dict[str, float], end: float) -> dict[str, float]:
    """Seconds spent in each stage, from the first progress report of each."""
    ordered = sorted(starts.items(), key=lambda kv: kv[1])
    out = {}
    for (name, t0), (_next, t1) in zip(ordered, [*ordered[1:], ("end", end)], strict=True):
        out[name] = round(t1 - t0, 2)
    return out


def _row(name: str, r: dict[str, object]) -> str:
    return (
        f"| {name} | {r['articles']} | {r['indexed']} | {r['duplicates']} | {r['skipped']} "
        f"{r['skip_reasons'] or ''} | {r['seconds']} | {r['articles_per_s']} | {r['peak_rss_mb']} "
        f"| {r['index_mb']} |"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", choices=("reuters", "all"), default="reuters")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--keep", type=Path, help="keep the indexes under this folder")
    parser.add_argument(
        "--repeat", type=int, default=1, help="baseline + Reuters pipeline rounds (ratio each)"
    )
    args = parser.parse_args(argv)
    if not CORPORA.is_dir():
        print(f"skipped: {CORPORA} not present (a user's clone)")
        return 0
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="copydesk-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        docs = reuters_texts()
        reuters = sorted((CORPORA / "reuters21578").glob("*.sgm"))
        ratios: list[float] = []
        results: dict[str, dict[str, object]] = {}
        for round_no in range(args.repeat):
            print(
                f"bare Whoosh (StemmingAnalyzer, 1 writer, pre-extracted text): "
                f"{len(docs)} docs ...",
                flush=True,
            )
            with PeakRSS() as mem:
                bare = bare_whoosh(docs, _fresh(work / "bare"))
            print(f"  {bare:.0f} docs/s, peak RSS {mem.peak / 1e6:.0f} MB", flush=True)
            first = pipeline(
                reuters, _fresh(work / "reuters"), source="Reuters", workers=args.workers
            )
            ratio = float(first["articles_per_s"]) / bare  # type: ignore[arg-type]
            ratios.append(ratio)
            print(
                f"  pipeline: {first['articles_per_s']} articles/s = {ratio:.2f}x, "
                f"peak RSS {first['peak_rss_mb']} MB (round {round_no + 1} of {args.repeat})",
                flush=True,
            )
            print(f"    stages (s): {first['stages']}", file=sys.stderr, flush=True)
            results["Reuters SGML (22 files)"] = first

        runs: list[tuple[str, Callable[[], dict[str, object]]]] = []
        if args.corpus == "all":
            runs += [
                (
                    "Reuters JSONL (1 file, sharded)",
                    lambda: pipeline(
                        [CORPORA / "reuters21578" / "reuters21578.jsonl"],
                        work / "reuters-jsonl",
                        source="Reuters",
                        workers=args.workers,
                    ),
                ),
                (
                    "BBC (2,225 text files)",
                    lambda: pipeline(
                        [CORPORA / "bbc"],
                        work / "bbc",
                        source="BBC News",
                        exclude=("*.jsonl", "README*"),
                        workers=args.workers,
                    ),
                ),
                (
                    "AG News (CSV, 7,600 rows)",
                    lambda: pipeline(
                        [CORPORA / "ag_news" / "test.csv"], work / "ag_news", workers=args.workers
                    ),
                ),
            ]
        for name, run in runs:
            r = run()
            results[name] = r
            print(f"    {name} stages (s): {r['stages']}", file=sys.stderr, flush=True)
        print(
            "\n| input | read | indexed | exact dups | skipped (reasons) | s | articles/s "
            "| peak RSS MB | index MB |\n|---|---|---|---|---|---|---|---|---|"
        )
        for name, r in results.items():
            print(_row(name, r))
        ordered = sorted(ratios)
        print(
            f"\nfull pipeline on Reuters / bare Whoosh, same run: "
            f"{', '.join(f'{x:.2f}x' for x in ratios)} (median {statistics.median(ordered):.2f}x, "
            f"lowest {ordered[0]:.2f}x; target >= 2x, peak < 1 GB)"
        )
        print(
            f"reproduce: .venv/bin/python bench/ingest.py --corpus {args.corpus} --repeat {args.repeat}"
        )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


if __name__ == "__main__":
    sys.exit(main())
