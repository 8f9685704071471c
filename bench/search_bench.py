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
import itertools
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
from collections.abc import Iterator, Sequence
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
            when = (
                datetime.fromisoformat(rec["date"]).replace(tzinfo=UTC) if rec.get("date") else None
            )
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
        provenance=Provenance(
            path=f"bench/{n // 1000:03d}.jsonl", kind=Kind.JSONL, record=n % 1000
        ),
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
        base.append(
            (title, body, "BBC News", (), bbc_start + timedelta(minutes=rng.randrange(800_000)))
        )
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
    if rebuild or not store.has_current_schema(root):
        print(f"building the {corpus} index under {root} …", flush=True)
        secs = build_index(corpus, root)
        print(f"  built in {secs:.0f} s", flush=True)
    return root


def _jsonl_record(a: Article) -> str:
    when = a.date.value
    if when is None:
        date_text = None
    elif a.date.precision == "year":
        date_text = f"{when:%Y}"
    elif a.date.precision == "month":
        date_text = f"{when:%Y-%m}"
    elif a.date.precision == "day":
        date_text = f"{when:%Y-%m-%d}"
    else:
        date_text = when.isoformat()
    record = {
        "id": a.id,
        "title": a.title,
        "body": a.body,
        "source": a.source,
        "wires": list(a.wires),
        "date": date_text,
        "language": a.language,
    }
    return json.dumps({k: v for k, v in record.items() if v})


def write_jsonl(size: int, folder: Path, per_file: int = 2500) -> None:
    """The synthesised corpus as JSON Lines files of ``per_file`` records (the pipeline's input)."""
    folder.mkdir(parents=True, exist_ok=True)
    articles = synth_articles(size)
    part = 0
    while chunk := list(itertools.islice(articles, per_file)):
        with open(folder / f"part-{part:04d}.jsonl", "w", encoding="utf-8") as out:
            out.writelines(_jsonl_record(a) + "\n" for a in chunk)
        part += 1


def ensure_pipeline_index(size: int, rebuild: bool = False) -> Path:
    """The synthesised corpus indexed by Copydesk's own pipeline (``index.build.rebuild``), cached.

    Unlike :func:`ensure_index` (segments written directly, to time search alone), this goes
    through reading, cleaning, dates, de-duplication and story grouping, so the index has the
    app's real on-disk layout (plain-file segments, story tables). Input JSONL and index are kept
    under ``bench/out/``.
    """
    from index.build import rebuild as build_rebuild

    root = OUT / f"pipeline-index-{size}"
    source = OUT / f"pipeline-jsonl-{size}"
    if not rebuild and store.has_current_schema(root):
        return root
    written = OUT / f"pipeline-jsonl-{size}.done"  # beside the input: inside, it would be read
    if not written.exists():
        shutil.rmtree(source, ignore_errors=True)
        print(f"writing {size:,} synthetic articles as JSON Lines under {source} …", flush=True)
        write_jsonl(size, source)
        written.write_text("ok\n")
    if root.exists():
        shutil.rmtree(root)
    print(f"indexing them with index.build.rebuild into {root} …", flush=True)
    t0 = time.perf_counter()
    last = None
    shown = (None, 0.0)
    for progress in build_rebuild([source], root):
        last = progress
        now = time.perf_counter() - t0
        if progress.stage != shown[0] or now - shown[1] > 30:
            shown = (progress.stage, now)
            print(
                f"  {now:6.0f} s  {progress.stage}: {progress.files_done}/{progress.files_total} "
                f"{progress.articles:,} articles {progress.message}",
                flush=True,
            )
    summary = getattr(last, "summary", None)
    total = getattr(summary, "total_articles", "?")
    print(f"  built in {time.perf_counter() - t0:.0f} s: {total} articles", flush=True)
    return root


# ---------------------------------------------------------------------------------------------
# SQLite FTS5 peer


def build_fts(corpus: str, path: Path) -> float:
    """An FTS5 table (porter stemming: the peer of our query-time variants) plus facet columns."""
    if path.exists():
        path.unlink()
    t0 = time.perf_counter()
    db = sqlite3.connect(str(path))
    db.executescript(
        """
        CREATE TABLE articles(rowid INTEGER PRIMARY KEY, id TEXT, title TEXT, body TEXT,
            source TEXT, year TEXT, month TEXT, day TEXT, language TEXT, date TEXT);
        CREATE TABLE article_wires(rowid INTEGER, wire TEXT);
        CREATE VIRTUAL TABLE fts USING fts5(title, body, content='articles', content_rowid='rowid',
            tokenize='porter unicode61');
        """
    )
    rows = []
    wires = []
    for n, a in enumerate(_corpus_iter(corpus), 1):
        doc = to_document(a)
        day = doc["day"] if doc["day"] != "none" else None
        rows.append(
            (
                n,
                a.id,
                a.title,
                a.body,
                a.source or "",
                doc["year"],
                doc["month"],
                doc["day"],
                a.language or "",
                day,
            )
        )
        wires.extend((n, w) for w in a.wires)
    db.executemany("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    db.executemany("INSERT INTO article_wires VALUES (?,?)", wires)
    db.execute("INSERT INTO fts(rowid, title, body) SELECT rowid, title, body FROM articles")
    db.executescript(
        """
        CREATE INDEX aw ON article_wires(rowid);
        CREATE INDEX ad ON articles(day);
        CREATE INDEX ay ON articles(year);
        CREATE INDEX am ON articles(month);
        """
    )
    db.commit()
    db.close()
    return time.perf_counter() - t0


def _fts_quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def to_fts(node: Any) -> tuple[str | None, list[str], list[Any]]:
    """(MATCH expression, WHERE clauses, parameters) equivalent to a parsed query, best effort."""
    from search import syntax as q

    where: list[str] = []
    params: list[Any] = []

    def cols(fields: tuple[str, ...]) -> str:
        names = sorted({"title" if f == "title" else "body" for f in fields})
        return "{" + " ".join(names) + "}"

    def text(n: Any) -> str | None:
        if isinstance(n, q.Term):
            return f"{cols(n.fields)} : {_fts_quote(n.text)}"
        if isinstance(n, q.Phrase):
            phrase = " ".join(n.words)
            if n.slop:
                return (
                    f"{cols(n.fields)} : NEAR({' '.join(_fts_quote(w) for w in n.words)}, {n.slop})"
                )
            return f"{cols(n.fields)} : {_fts_quote(phrase)}"
        if isinstance(n, q.Pattern):
            if n.kind == "wildcard" and n.text.endswith("*") and "?" not in n.text:
                return f"{cols(n.fields)} : {_fts_quote(n.text.rstrip('*'))}*"
            return f"{cols(n.fields)} : {_fts_quote(n.text.strip('*?~'))}"
        if isinstance(n, q.Or):
            parts = [text(c) for c in n.children]
            return "(" + " OR ".join(p for p in parts if p) + ")"
        if isinstance(n, q.And):
            pos = [text(c) for c in n.children if not isinstance(c, q.Not)]
            neg = [text(c.child) for c in n.children if isinstance(c, q.Not)]
            out = " AND ".join(p for p in pos if p)
            for p in neg:
                if p:
                    out = f"({out}) NOT {p}" if out else None  # type: ignore[assignment]
            return f"({out})" if out else None
        if isinstance(n, q.Not):
            return None
        if isinstance(n, q.Keyword):
            if n.field == "wire":
                where.append(
                    "EXISTS (SELECT 1 FROM article_wires w WHERE w.rowid=a.rowid AND lower(w.wire)=?)"
                )
                params.append(n.value)
            elif n.field == "language":
                where.append("a.language=?")
                params.append(n.value)
            return None
        if isinstance(n, q.DateMatch):
            span = n.span
            if span.key is not None:
                level = {4: "year", 7: "month", 10: "day"}[len(span.key)]
                where.append(f"a.{level}=?")
                params.append(span.key)
            else:
                if span.first:
                    where.append("a.date>=?")
                    params.append(span.first.isoformat())
                if span.last:
                    where.append("a.date<=?")
                    params.append(span.last.isoformat())
            return None
        return None

    if isinstance(node, q.And):
        parts = []
        for c in node.children:
            if isinstance(c, q.Not):
                continue
            t = text(c)
            if t:
                parts.append(t)
        neg = [text(c.child) for c in node.children if isinstance(c, q.Not)]
        match = " AND ".join(parts) or None
        for p in neg:
            if p and match:
                match = f"({match}) NOT {p}"
    else:
        match = text(node)
    if isinstance(node, q.Term) and node.fields == ("source",):
        match = None
    return match, where, params


def fts_search(
    db: sqlite3.Connection, match: str | None, where: list[str], params: list[Any]
) -> int:
    """Count, four facet GROUP BYs and the top 20 with snippet(): what the full call returns."""
    db.execute("DELETE FROM m")
    cond = " AND ".join(where) if where else "1"
    if match:
        # CROSS JOIN keeps the MATCH as the outer loop (else SQLite may scan by a date index
        # and run the MATCH per row: seconds).
        db.execute(
            f"INSERT INTO m SELECT f.rowid FROM fts f CROSS JOIN articles a ON a.rowid=f.rowid "
            f"WHERE fts MATCH ? AND {cond}",
            [match, *params],
        )
    else:
        db.execute(f"INSERT INTO m SELECT a.rowid FROM articles a WHERE {cond}", params)
    total = db.execute("SELECT count(*) FROM m").fetchone()[0]
    for col in ("source", "year", "language"):
        db.execute(
            f"SELECT a.{col}, count(*) FROM m JOIN articles a ON a.rowid=m.rowid GROUP BY 1"
        ).fetchall()
    db.execute(
        "SELECT w.wire, count(*) FROM m JOIN article_wires w ON w.rowid=m.rowid GROUP BY 1"
    ).fetchall()
    if match:
        db.execute(
            "SELECT f.rowid, bm25(fts, 3.0, 1.0), highlight(fts, 0, '<mark>', '</mark>'), "
            "snippet(fts, 1, '<mark>', '</mark>', '…', 40) FROM fts f JOIN m ON m.rowid=f.rowid "
            "WHERE fts MATCH ? ORDER BY bm25(fts, 3.0, 1.0) LIMIT 20",
            [match],
        ).fetchall()
    else:
        db.execute(
            "SELECT a.rowid, a.title, substr(a.body, 1, 200) FROM m JOIN articles a ON a.rowid=m.rowid "
            "ORDER BY a.date DESC LIMIT 20"
        ).fetchall()
    return int(total)


# ---------------------------------------------------------------------------------------------
# Timing


def _percentiles(values: Sequence[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    if not ordered:
        return (0.0, 0.0, 0.0)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


COLLECT_TERMS = ("cocoa", "election", "oil", "market", "said")


def docnum_collection(searcher: Any, data: Any) -> list[tuple[str, int, float, float, float]]:
    """Ways to get every docnum of a term in the body: Whoosh results, a matcher, posting blocks."""
    from whoosh import query as wq

    from search.evaluate import Evaluator

    rows = []
    for term in COLLECT_TERMS:
        q = wq.Term("body", term)
        t = time.perf_counter()
        via_results = set(searcher.search(q, limit=None).docs())
        a = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        via_matcher = set(q.matcher(searcher).all_ids())
        b = (time.perf_counter() - t) * 1000
        data.clear_postings_cache()
        t = time.perf_counter()
        via_blocks = Evaluator(searcher, data)._ids("body", term, None, None)
        c = (time.perf_counter() - t) * 1000
        assert (
            via_results == via_matcher == via_blocks - data.deleted | (via_results & data.deleted)
        )
        rows.append((term, len(via_blocks), a, b, c))
    return rows


def run_corpus(corpus: str, rounds: int, rebuild: bool, show: bool) -> dict[str, Any]:
    """Time every query on one corpus: full call (cold and warm postings), bare Whoosh, FTS5."""
    from search.engine import SearchEngine
    from search.model import SearchRequest
    from search.whooshq import to_whoosh

    root = ensure_index(corpus, rebuild)
    fts_path = OUT / f"fts-{corpus}.sqlite"
    if rebuild or not fts_path.exists():
        print(f"building the FTS5 table {fts_path} …", flush=True)
        print(f"  built in {build_fts(corpus, fts_path):.0f} s", flush=True)

    engine = SearchEngine(root, today=TODAY)
    engine.result_cache = 0  # every call evaluates its query
    t0 = time.perf_counter()
    engine.warm(vocabulary=False)
    warm_s = time.perf_counter() - t0
    state, searcher, _loc = engine._thread()
    data = state.data
    articles = data.doc_count - len(data.deleted)

    cold: list[float] = []
    warm: list[float] = []
    bare: list[float] = []
    fts: list[float] = []
    per_query: list[tuple[str, int, float, float, float, float]] = []
    db = sqlite3.connect(str(fts_path))
    db.execute("CREATE TEMP TABLE m(rowid INTEGER PRIMARY KEY)")
    # One untimed pass: first-use costs (vocabulary, dateparser import, story data) are not per query.
    for query in QUERIES:
        engine.search(SearchRequest(query=query))
    for _round in range(rounds):
        for query in QUERIES:
            request = SearchRequest(query=query)
            data.clear_postings_cache()
            t = time.perf_counter()
            page = engine.search(request)
            c = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            engine.search(request)
            w = (time.perf_counter() - t) * 1000
            node = engine.parse(query, TODAY).node
            wq = to_whoosh(node) if node is not None else None
            t = time.perf_counter()
            if wq is not None:
                results = searcher.search(wq, limit=20)
                _ = [hit.docnum for hit in results]
            b = (time.perf_counter() - t) * 1000
            match, where, params = to_fts(node) if node is not None else (None, [], [])
            t = time.perf_counter()
            try:
                fts_search(db, match, where, params)
            except sqlite3.Error as exc:
                print(f"  fts5 failed for {query!r}: {exc}", file=sys.stderr)
            f = (time.perf_counter() - t) * 1000
            cold.append(c)
            warm.append(w)
            bare.append(b)
            fts.append(f)
            per_query.append((query, page.total, c, w, b, f))
    db.close()
    collection = docnum_collection(searcher, data)
    engine.close()
    if show:
        print(f"\n{'query':40} {'total':>7} {'cold':>7} {'warm':>7} {'whoosh':>7} {'fts5':>7}")
        for query, total, c, w, b, f in per_query[-len(QUERIES) :]:
            print(f"{query[:40]:40} {total:7d} {c:7.1f} {w:7.1f} {b:7.1f} {f:7.1f}")
    return {
        "corpus": corpus,
        "articles": articles,
        "queries": len(QUERIES),
        "rounds": rounds,
        "warm_up_s": warm_s,
        "full_cold": _percentiles(cold),
        "full_warm": _percentiles(warm),
        "whoosh_top20": _percentiles(bare),
        "fts5_full": _percentiles(fts),
        "collection": collection,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print a table of p50/p95/max per system."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", choices=("reuters", "100k", "all"), default="all")
    parser.add_argument(
        "--size", type=int, default=100_000, help="articles in the synthesised corpus"
    )
    parser.add_argument("--rounds", type=int, default=2, help="timed passes over the query list")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached indexes")
    parser.add_argument("--per-query", action="store_true", help="print each query's timings")
    parser.add_argument("--build-only", metavar="CORPUS", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not (CORPORA / "reuters21578" / "reuters21578.jsonl").is_file():
        print(f"skipped: the shared corpora are not at {CORPORA} (set COPYDESK_CORPORA)")
        return 0
    if args.build_only:
        ensure_index(args.build_only, rebuild=True)
        return 0
    corpora = {"reuters": ["reuters"], "100k": [str(args.size)], "all": ["reuters", str(args.size)]}
    results = [
        run_corpus(c, args.rounds, args.rebuild, args.per_query) for c in corpora[args.corpus]
    ]
    print(f"\n{len(QUERIES)} queries × {args.rounds} rounds; times in ms (p50 / p95 / max)")
    print(
        "full = SearchEngine.search: parse, match, rank, exact total, 4 facets, timeline, 20×3 snippets"
    )
    print("cold = decoded-postings cache cleared before the call; warm = same call repeated")
    for r in results:
        print(
            f"\n{r['corpus']} ({r['articles']:,} articles; arrays loaded in {r['warm_up_s']:.2f} s)"
        )
        for label, key in (
            ("full call, cold postings", "full_cold"),
            ("full call, warm postings", "full_warm"),
            ("bare Whoosh, top 20 only", "whoosh_top20"),
            ("SQLite FTS5 full equivalent", "fts5_full"),
        ):
            p50, p95, mx = r[key]
            print(f"  {label:30} {p50:7.1f} / {p95:7.1f} / {mx:7.1f}")
        print("  all docnums of one body term (ms): results.docs() / matcher.all_ids() / blocks")
        for term, n, a, b, c in r["collection"]:
            print(f"    {term:10} {n:7d} docs   {a:7.1f} / {b:7.1f} / {c:7.1f}")
    print(
        f"\nreproduce: .venv/bin/python bench/search_bench.py --corpus {args.corpus} --rounds {args.rounds}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
