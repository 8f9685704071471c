"""Search latency: Copydesk's full search call vs bare Whoosh vs SQLite FTS5.

Reproduce (from the project root)::

    .venv/bin/python bench/search_bench.py                 # Reuters-21578 and the 100k corpus
    .venv/bin/python bench/search_bench.py --corpus 100k   # only the 100k corpus
    .venv/bin/python bench/search_bench.py --rounds 3      # more timed rounds per query

Indexes are built once and cached under ``bench/out/`` (gitignored); ``--rebuild`` rebuilds them.
Skips with a message when ``../shared/corpora`` (``/work/shared/corpora``) is absent.

The full call is ``SearchEngine.search``: parse, match, rank, exact total, all four facets, the
timeline and three snippets for each of the 20 hits. Bare Whoosh runs the same queries (converted to
Whoosh query objects) for the top 20 only. FTS5 runs an equivalent MATCH with the top 20 by bm25,
``snippet()`` and GROUP BY counts for the four facets.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from index import store  # noqa: E402
from index.model import Article, DateInfo, Kind, Provenance  # noqa: E402
from index.schema import to_document  # noqa: E402

CORPORA = Path(os.environ.get("COPYDESK_CORPORA", "/work/shared/corpora"))
OUT = REPO / "bench" / "out"
TODAY = date(2024, 12, 31)  # pins relative dates in the query list

QUERIES: tuple[str, ...] = (
    # single terms, rare to very common
    "cocoa",
    "missile",
    "election",
    "inflation",
    "football",
    "shares",
    "bank",
    "oil",
    "government",
    "market",
    # several terms (AND by default)
    "oil prices",
    "interest rates",
    "trade deficit",
    "coffee exports brazil",
    "central bank dividend",
    "mobile phone",
    "stock market crash",
    "wheat export subsidies",
    "world cup",
    "film award",
    # boolean operators
    "oil OR gas",
    "gold AND silver",
    "bank NOT japan",
    "(wheat OR corn) AND export",
    "election -labour",
    "tax OR tariff OR duty",
    # phrases and proximity
    '"prime minister"',
    '"interest rates"',
    '"trade deficit"',
    '"chief executive"',
    '"tony blair"',
    '"net income"',
    '"oil prices" opec',
    '"central bank"~3',
    # fields
    "title:oil",
    "headline:bank",
    "lead:profit",
    "source:reuters oil",
    "wire:ap election",
    "wire:afp",
    "title:(election OR vote)",
    "body:microsoft",
    # wildcards, fuzzy, boosts
    "comput*",
    "econom*",
    "govrnment~",
    "opec^2 oil",
    # dates
    "oil date:2019",
    "election date:2020-11",
    "bank date:[2018-01-01 TO 2018-06-30]",
    "date:>2024-06-01 shares",
    'date:"last month"',
    "market date:<2005-01-01",
    'inflation date:"since May 2023"',
    "date:2017-03-15",
    # no hits / misspelt
    "zzyzx",
    "recesion",
)


# ---------------------------------------------------------------------------------------------
# Corpora


def _reuters() -> Iterator[tuple[str, str, datetime | None]]:
    with open(CORPORA / "reuters21578" / "reuters21578.jsonl", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            body = (rec.get("body") or "").strip()
            if not body:
                continue
            title = (rec.get("title") or "").strip().title()
            when = datetime.fromisoformat(rec["date"]).replace(tzinfo=UTC) if rec.get("date") else None
            yield title, _reflow(body), when


def _reflow(body: str) -> str:
    # Reuters bodies are hard-wrapped with indented paragraph starts.
    paras = re.split(r"\n\s{2,}", body)
    return "\n\n".join(" ".join(p.split()) for p in paras if p.strip())


def _bbc() -> Iterator[tuple[str, str, str]]:
    with open(CORPORA / "bbc" / "bbc.jsonl", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            yield rec["title"].strip(), rec["body"].strip(), rec.get("category", "")


_AG_CREDIT = re.compile(r"\s*\((AP|Reuters|AFP|Canadian Press|[A-Za-z .]+\.com)\)\s*$")


def _ag_news() -> Iterator[tuple[str, str, str | None]]:
    with open(CORPORA / "ag_news" / "test.csv", encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            if len(row) < 3:
                continue
            title, desc = row[1].strip(), row[2].replace("\\", " ").strip()
            m = _AG_CREDIT.search(title)
            wire = m.group(1) if m and m.group(1) in ("AP", "Reuters", "AFP") else None
            if m:
                title = title[: m.start()]
            yield title, desc, wire


OUTLETS = tuple(
    f"{a} {b}"
    for a in (
        "Northern",
        "Harbour",
        "Valley",
        "Capital",
        "Coastal",
        "Midland",
        "Prairie",
        "Metro",
        "Island",
        "Summit",
    )
    for b in ("Times", "Herald", "Courier", "Gazette", "Post", "Tribune")
)


def _article(
    n: int,
    title: str,
    body: str,
    source: str | None,
    wires: tuple[str, ...],
    when: datetime | None,
    precision: str,
    language: str | None,
) -> Article:
    lead = body.split("\n\n", 1)[0]
    return Article(
        id=f"bench-{n:06d}",
        title=title,
        body=body,
        lead=lead,
        provenance=Provenance(path=f"bench/{n // 1000:03d}.jsonl", kind=Kind.JSONL, record=n % 1000),
        source=source,
        wires=wires,
        date=DateInfo(value=when, precision=precision, origin="metadata")  # type: ignore[arg-type]
        if when is not None
        else DateInfo(),
        language=language,
        word_count=len(body.split()),
    )


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _perturb(rng: random.Random, body: str) -> str:
    # Syndicated copies: a sentence dropped, a paragraph cut, an outlet's sign-off.
    sentences = _SENTENCE.split(body)
    if len(sentences) > 3:
        del sentences[rng.randrange(1, len(sentences))]
    text = " ".join(sentences)
    if rng.random() < 0.3 and "\n\n" in text:
        text = text.rsplit("\n\n", 1)[0]
    return text


def synth_articles(size: int, seed: int = 7) -> Iterator[Article]:
    """``size`` articles: the shared corpora's texts, then perturbed copies over many outlets."""
    rng = random.Random(seed)
    base: list[tuple[str, str, str | None, tuple[str, ...], datetime | None]] = []
    for title, body, when in _reuters():
        base.append((title, body, "Reuters", ("Reuters",), when))
    bbc_start = datetime(2004, 1, 1, tzinfo=UTC)
    for title, body, _cat in _bbc():
        base.append((title, body, "BBC News", (), bbc_start + timedelta(minutes=rng.randrange(800_000))))
    ag_start = datetime(2004, 6, 1, tzinfo=UTC)
    for title, body, wire in _ag_news():
        outlet = rng.choice(OUTLETS)
        when = ag_start + timedelta(minutes=rng.randrange(300_000))
        base.append((title, body, outlet, (wire,) if wire else (), when))
    n = 0
    for title, body, source, wires, when in base:
        if n >= size:
            return
        yield _article(n, title, body, source, wires, when, "minute", "en")
        n += 1
    span = int((datetime(2024, 12, 31) - datetime(2016, 1, 1)).total_seconds() // 60)
    start = datetime(2016, 1, 1, tzinfo=UTC)
    while n < size:
        title, body, _source, wires, _when = rng.choice(base)
        outlet = rng.choice(OUTLETS) if rng.random() > 0.03 else None
        r = rng.random()
        if r < 0.1:
            wires = tuple(sorted({*wires, rng.choice(("AP", "Reuters", "AFP", "dpa"))}))
        elif r < 0.25:
            wires = ()
        p = rng.random()
        when = start + timedelta(minutes=rng.randrange(span))
        precision = "minute" if p < 0.85 else "day" if p < 0.93 else "month" if p < 0.95 else "year"
        if precision == "day":
            when = when.replace(hour=0, minute=0)
        elif precision == "month":
            when = when.replace(day=1, hour=0, minute=0)
        elif precision == "year":
            when = when.replace(month=1, day=1, hour=0, minute=0)
        final_when: datetime | None = when if p < 0.96 else None
        language = "en" if rng.random() > 0.05 else rng.choice((None, "de", "fr", "es"))
        yield _article(
            n,
            title,
            _perturb(rng, body),
            outlet,
            wires,
            final_when,
            precision if final_when else "none",
            language,
        )
        n += 1


def reuters_articles() -> Iterator[Article]:
    """Reuters-21578 bodies with title and date, source Reuters."""
    for n, (title, body, when) in enumerate(_reuters()):
        yield _article(n, title, body, "Reuters", ("Reuters",), when, "minute", "en")


# ---------------------------------------------------------------------------------------------
# Index builds (cached)


def _write_part(args: tuple[str, str, int, int]) -> None:
    gen, corpus, part, parts = args
    from whoosh.writing import SegmentWriter

    ix = store.open_generation(Path(gen))
    writer = SegmentWriter(ix, _lk=False, limitmb=256)
    for i, article in enumerate(_corpus_iter(corpus)):
        if i % parts == part:
            writer.add_document(**to_document(article))
    segment = writer._finalize_segment()
    Path(gen, f"segment-{part}.pickle").write_bytes(__import__("pickle").dumps(segment))


def _corpus_iter(corpus: str) -> Iterator[Article]:
    if corpus == "reuters":
        return reuters_articles()
    return synth_articles(int(corpus))


def build_index(corpus: str, root: Path, procs: int = 2) -> float:
    """Build the corpus's index at ``root`` with ``procs`` processes writing one segment each."""
    import pickle

    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    t0 = time.perf_counter()
    build = store.new_build_dir(root)
    ix = store.create_generation(build, {"bench": corpus})
    ctx = mp.get_context("spawn")
    with ctx.Pool(procs) as pool:
        pool.map(_write_part, [(str(build), corpus, p, procs) for p in range(procs)])
    segments = []
    for p in range(procs):
        f = build / f"segment-{p}.pickle"
        segments.append(pickle.loads(f.read_bytes()))
        f.unlink()
    writer = ix.writer()
    writer._close_segment()
    writer._commit_toc(segments)
    writer._finish()
    store.publish(root, build)
    return time.perf_counter() - t0


def ensure_index(corpus: str, rebuild: bool = False) -> Path:
    """The cached index for a corpus ("reuters" or an article count), built when missing."""
    root = OUT / f"index-{corpus}"
    if rebuild or not store.is_index_dir(root):
        print(f"building the {corpus} index under {root} …", flush=True)
        secs = build_index(corpus, root)
        print(f"  built in {secs:.0f} s", flush=True)
    return root


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--build-only":
        ensure_index(sys.argv[2], rebuild=True)
