"""Ranking and sorting: BM25F with the title above the body, undated last, stable ties, paging."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from search_fixtures import SPECS, TODAY

from index import store
from index.schema import TITLE_BOOST, build_schema
from search.engine import SearchEngine
from search.model import SearchPage, SearchRequest


def search(engine: SearchEngine, query: str = "", **kw: object) -> SearchPage:
    page = engine.search(SearchRequest(query=query, today=TODAY, **kw))  # type: ignore[arg-type]
    assert page.ok, page.problem
    return page


def order(engine: SearchEngine, query: str = "", **kw: object) -> list[str]:
    return [h.id for h in search(engine, query, page_size=100, **kw).hits]


def test_schema_weights_the_title(index_dir: Path) -> None:
    schema = build_schema()
    assert schema["title"].format.field_boost == TITLE_BOOST > 1
    assert schema["body"].format.field_boost == 1
    # Whoosh applies the boost at index time: a title posting weighs TITLE_BOOST per occurrence.
    with store.open_index(index_dir).searcher() as s:
        docnum = s.document_number(id="a31")
        title = dict(s.postings("title", "missile").items_as("weight"))
        assert title[docnum] == TITLE_BOOST
        body = dict(s.postings("body", "missile").items_as("weight"))
        assert set(body.values()) == {1.0}


def test_title_match_ranks_above_body_match(engine: SearchEngine) -> None:
    # a31 has "missile" only in its title, a32 only in its body; the texts are otherwise alike.
    ranked = order(engine, "missile defence OR missile budget")
    assert ranked.index("a31") < ranked.index("a32")
    ranked = order(engine, "missile")
    assert ranked.index("a31") < ranked.index("a32")


def test_scores_are_positive_and_descending(engine: SearchEngine) -> None:
    hits = search(engine, "missile OR korea", page_size=100).hits
    scores = [h.score for h in hits]
    assert all(s > 0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert [h.rank for h in hits] == list(range(len(hits)))


def test_equal_scores_keep_index_order(engine: SearchEngine) -> None:
    # a01, a33 and a34 have the same title and body: equal scores, so docnum (index) order.
    hits = search(engine, "north korea", page_size=100).hits
    assert [h.id for h in hits] == ["a01", "a33", "a34"]
    assert hits[0].score == hits[1].score == hits[2].score
    # A filter-only query scores nothing: plain index order.
    assert order(engine, "date:2019") == ["a01", "a02", "a03", "a04", "a05", "a33", "a34"]


def _date_key(article_id: str) -> datetime:
    s = next(s for s in SPECS if s.id == article_id)
    assert s.when is not None
    w = s.when
    if len(w) == 4:
        w += "-01-01"
    elif len(w) == 7:
        w += "-01"
    return datetime.fromisoformat(w)


def test_newest_and_oldest_put_undated_last(engine: SearchEngine) -> None:
    undated = ["a06", "a38"]  # in index order
    newest = order(engine, sort="newest")
    oldest = order(engine, sort="oldest")
    assert newest[-2:] == undated and oldest[-2:] == undated
    dated_newest = newest[:-2]
    assert [_date_key(i) for i in dated_newest] == sorted(
        (_date_key(i) for i in dated_newest), reverse=True
    )
    dated_oldest = oldest[:-2]
    assert [_date_key(i) for i in dated_oldest] == sorted(_date_key(i) for i in dated_oldest)
    assert newest[0] == "a37" and oldest[0] == "a24"


def test_equal_dates_keep_index_order_both_ways(engine: SearchEngine) -> None:
    # a33 and a34 share a timestamp.
    newest = order(engine, "korea", sort="newest")
    oldest = order(engine, "korea", sort="oldest")
    assert newest == ["a33", "a34", "a01"]
    assert oldest == ["a01", "a33", "a34"]


def test_date_sort_with_a_query_and_undated_matches(engine: SearchEngine) -> None:
    assert order(engine, "harbour", sort="newest") == ["a29", "a06", "a38"]
    assert order(engine, "harbour", sort="oldest") == ["a29", "a06", "a38"]


def test_republished_without_story_data_is_relevance(engine: SearchEngine) -> None:
    assert order(engine, "missile OR oil", sort="republished") == order(engine, "missile OR oil")


def test_paging_is_exact_and_consistent(engine: SearchEngine) -> None:
    full = order(engine, "the", sort="newest")
    total = search(engine, "the").total
    assert total == len(full) > 10
    pages: list[str] = []
    page_no = 0
    while True:
        page = search(engine, "the", sort="newest", page=page_no, page_size=4)
        assert page.total == total
        pages.extend(h.id for h in page.hits)
        assert [h.rank for h in page.hits] == list(range(page_no * 4, page_no * 4 + len(page.hits)))
        if not page.has_more:
            break
        page_no += 1
    assert pages == full
    assert search(engine, "the", page=99, page_size=4).hits == ()


def test_relevance_paging_matches_the_full_ranking(engine: SearchEngine) -> None:
    full = order(engine, "the OR a")
    pages = [
        h.id for p in range(0, 10) for h in search(engine, "the OR a", page=p, page_size=3).hits
    ]
    assert len(full) > 30 and pages == full[:30]


def test_hit_fields(engine: SearchEngine) -> None:
    hit = search(engine, "north korea").hits[0]
    assert hit.id == "a01"
    assert hit.title == "North Korea fires missiles into sea"
    assert hit.source == "Daily Ledger"
    assert hit.wires == ("AP", "Reuters")
    assert hit.date is not None and hit.date.isoformat() == "2019-05-04T10:02:00+00:00"
    assert hit.date_precision == "minute"
    assert hit.byline == "By Jane Roe"
    assert hit.url and hit.url.startswith("https://dailyledger.example/")
    assert hit.path == "fixtures/a01.txt"
    assert hit.language == "en"
    undated = search(engine, "id:a38").hits[0]
    assert undated.date is None and undated.date_precision == "none" and undated.source is None


def test_article_lookup(engine: SearchEngine) -> None:
    art = engine.article("a28")
    assert art is not None
    assert art.title == "Retailer issues warning"
    assert art.lead == "Exclusive: profit warning issued by the retailer."
    assert art.date.precision == "minute"
    assert engine.article("nope") is None


def test_completion(engine: SearchEngine) -> None:
    assert engine.complete("source", "h") == ["Harbour Herald"]
    # by article count: 11, 9, 8, 8 (ties by name)
    assert engine.complete("source", "") == [
        "Daily Ledger",
        "Capital Review",
        "Harbour Herald",
        "Valley Times",
    ]
    assert engine.complete("wire", "a") == ["AP", "AFP"]
    assert engine.complete("language", "") == ["en", "de", "fr"]
    assert engine.complete("title", "miss") == ["missiles", "missile"]  # most frequent first
    assert set(engine.complete("body", "comput")) == {"computer", "computers", "computing"}
    assert engine.complete("date", "2019") == ["2019-05", "2019"]
    assert engine.complete("", "ti") == ["title:"]
    assert engine.complete("byline", "l") == ["lopez"]
    assert engine.complete("nonsense", "x") == []
    assert len(engine.complete("title", "m", limit=1)) == 1


def test_scores_match_whoosh_bm25f(engine: SearchEngine, index_dir: Path) -> None:
    # Our evaluator reimplements Whoosh's BM25F; for words, AND and OR the scores agree.
    from search.whooshq import to_whoosh

    with store.open_index(index_dir).searcher() as s:
        for query in ("missile", "gold OR silver", "oil prices", "title:bank", "bank^2 rates"):
            node = engine.parse(query, TODAY).node
            assert node is not None
            theirs = {
                s.stored_fields(h.docnum)["id"]: h.score
                for h in s.search(to_whoosh(node), limit=None)
            }
            ours = {h.id: h.score for h in search(engine, query, page_size=100).hits}
            assert ours.keys() == theirs.keys(), query
            for article_id, score in ours.items():
                assert abs(score - theirs[article_id]) < 1e-4 * max(1.0, score), (query, article_id)


def test_scores_do_not_depend_on_filters(engine: SearchEngine) -> None:
    everything = {h.id: h.score for h in search(engine, "the OR a", page_size=100).hits}
    filtered = search(engine, "the OR a", page_size=100, filters={"source": {"Valley Times"}}).hits
    assert filtered and all(abs(h.score - everything[h.id]) < 1e-9 for h in filtered)
