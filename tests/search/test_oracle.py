"""The evaluator against Whoosh itself on a generated archive big enough for many posting blocks."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from search_fixtures import TODAY

from index import store
from index.model import Article, DateInfo, Kind, Provenance
from index.schema import lean_analyzer, to_document
from search.engine import SearchEngine
from search.model import Hit, SearchRequest
from search.whooshq import to_whoosh

VOCABULARY = (
    "the the the a a of of to in bank banks banking rates rate interest market markets oil "
    "prices price minister prime election vote votes storm coast harbour gold silver trade "
    "deficit export exports central said says report reports"
)
WORDS = VOCABULARY.split(" ")
RARE = ("zebra", "quokka", "narwhal")


def _articles(n: int) -> Iterator[Article]:
    rng = random.Random(42)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(20, 60))]
        if i % 97 == 0:
            words.insert(rng.randrange(len(words)), rng.choice(RARE))
        title = " ".join(rng.choice(WORDS) for _ in range(5))
        when = start + timedelta(hours=rng.randrange(80_000)) if i % 13 else None
        lead = " ".join(words[:12])
        yield Article(
            id=f"g{i:05d}",
            title=title,
            # Every fifth article is one paragraph: its lead is the whole body.
            body=" ".join(words) + "." if i % 5 == 0 else lead + "\n\n" + " ".join(words[12:]),
            lead=lead,
            provenance=Provenance(path=f"gen/{i}.txt", kind=Kind.TEXT),
            source=f"Outlet {i % 7}",
            wires=("AP",) if i % 3 == 0 else (),
            date=DateInfo(value=when, precision="minute") if when else DateInfo(),
            language="en",
        )


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SearchEngine, Path]]:
    root = tmp_path_factory.mktemp("big") / "index"
    build = store.new_build_dir(root)
    ix = store.create_generation(build, {})
    articles = list(_articles(2000))
    for part in (articles[:1200], articles[1200:]):
        writer = ix.writer()
        for a in part:
            writer.add_document(**to_document(a))
        writer.commit(merge=False)
    store.publish(root, build)
    engine = SearchEngine(root, today=TODAY)
    yield engine, root
    engine.close()


def _all_hits(engine: SearchEngine, query: str) -> list[Hit]:
    hits: list[Hit] = []
    page_no = 0
    while True:
        page = engine.search(SearchRequest(query=query, page=page_no, page_size=1000, snippets=0))
        assert page.ok, page.problem
        hits.extend(page.hits)
        if not page.has_more:
            assert len(hits) == page.total
            return hits
        page_no += 1


def _all_ids(engine: SearchEngine, query: str) -> set[str]:
    return {h.id for h in _all_hits(engine, query)}


QUERIES = [
    "bank",
    "zebra",
    "zebra bank",
    "bank rates",
    "bank rates interest",
    "oil OR gold",
    "bank -rates",
    "NOT the",
    "zebra OR quokka OR narwhal",
    '"prime minister"',
    '"interest rates"',
    '"the bank"',
    '"central bank"~2',
    'narwhal "the market"',
    "title:storm",
    "title:storm body:coast",
    "wire:ap zebra",
    "elect*",
    "harbor~",
    "(oil OR gold) AND (prices OR price) -storm",
    "date:2016 bank",
    "date:[2015-03-01 TO 2015-06-30] oil",
]


@pytest.mark.parametrize("query", QUERIES)
def test_same_matches_as_whoosh(big: tuple[SearchEngine, Path], query: str) -> None:
    engine, root = big
    node = engine.parse(query, TODAY).node
    assert node is not None
    with store.open_index(root).searcher() as s:
        expected = {s.stored_fields(d)["id"] for d in s.search(to_whoosh(node), limit=None).docs()}
    for cold in (True, False):  # with and without decoded postings in the cache
        if cold:
            engine._thread()[0].data.clear_postings_cache()
        assert _all_ids(engine, query) == expected, query


@pytest.mark.parametrize(
    "query", ["bank", "oil OR gold", "bank rates interest", "title:storm body:coast"]
)
def test_same_scores_as_whoosh(big: tuple[SearchEngine, Path], query: str) -> None:
    engine, root = big
    node = engine.parse(query, TODAY).node
    assert node is not None
    with store.open_index(root).searcher() as s:
        theirs = {
            s.stored_fields(h.docnum)["id"]: h.score for h in s.search(to_whoosh(node), limit=None)
        }
    for hit in _all_hits(engine, query):
        assert abs(hit.score - theirs[hit.id]) < 1e-4 * max(1.0, hit.score), (query, hit.id)


@pytest.fixture(scope="module")
def lead_oracle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stock Whoosh index of the same articles with a real ``lead`` field (positions too)."""
    from whoosh import fields, index

    where = tmp_path_factory.mktemp("lead-oracle")
    schema = fields.Schema(
        id=fields.ID(stored=True),
        body=fields.TEXT(analyzer=lean_analyzer()),
        lead=fields.TEXT(analyzer=lean_analyzer()),
        wire=fields.KEYWORD(commas=True, lowercase=True),
    )
    ix = index.create_in(str(where), schema)
    writer = ix.writer()
    for a in _articles(2000):
        writer.add_document(
            id=a.id,
            body=a.body,
            lead=a.body.split("\n\n", 1)[0],
            wire=",".join(w.lower() for w in a.wires),
        )
    writer.commit()
    return where


LEAD_QUERIES = [
    "lead:gold",
    "lead:zebra",
    "lead:bank lead:rates",
    "lead:(oil OR gold) -lead:the",
    'lead:"the market"',
    'lead:"central bank"~2',
    "lead:quokka OR lead:narwhal",
    "lead:gold wire:ap",
]


@pytest.mark.parametrize("query", LEAD_QUERIES)
def test_lead_is_the_first_paragraph(
    big: tuple[SearchEngine, Path], lead_oracle: Path, query: str
) -> None:
    """Lead search from body positions finds and scores what a lead field of its own would."""
    from whoosh import index

    engine, _root = big
    node = engine.parse(query, TODAY).node
    assert node is not None
    with index.open_dir(str(lead_oracle)).searcher() as s:
        theirs = {
            s.stored_fields(h.docnum)["id"]: h.score for h in s.search(to_whoosh(node), limit=None)
        }
    hits = _all_hits(engine, query)
    assert {h.id for h in hits} == set(theirs), query
    assert theirs, query  # the query finds something: the test means something
    # Scores: text terms only (Whoosh also scores keywords and NOT, phrases differently).
    if query in ("lead:gold", "lead:zebra", "lead:bank lead:rates", "lead:quokka OR lead:narwhal"):
        for hit in hits:
            assert abs(hit.score - theirs[hit.id]) < 1e-4 * max(1.0, hit.score), (query, hit.id)


def test_facet_totals_add_up(big: tuple[SearchEngine, Path]) -> None:
    engine, _root = big
    page = engine.search(SearchRequest(query="bank"))
    for facet in page.facets:
        if facet.name != "wire":
            assert sum(v.count for v in facet.values) == page.total
