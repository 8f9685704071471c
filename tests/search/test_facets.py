"""Facet counts: OR within a facet, AND across facets, self-exclusion, empty buckets, dates."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date

from search_fixtures import SPECS, TODAY, Spec

from search.engine import SearchEngine
from search.model import (
    NO_DATE,
    NO_WIRE,
    UNKNOWN_LANGUAGE,
    UNKNOWN_SOURCE,
    Facet,
    SearchPage,
    SearchRequest,
)


def source_of(s: Spec) -> str:
    return s.source or UNKNOWN_SOURCE


def wires_of(s: Spec) -> tuple[str, ...]:
    return s.wires or (NO_WIRE,)


def language_of(s: Spec) -> str:
    return s.language or UNKNOWN_LANGUAGE


def year_of(s: Spec) -> str:
    return s.when[:4] if s.when else NO_DATE


def search(engine: SearchEngine, query: str = "", **kw: object) -> SearchPage:
    page = engine.search(SearchRequest(query=query, page_size=100, today=TODAY, **kw))  # type: ignore[arg-type]
    assert page.ok, page.problem
    return page


def facet(page: SearchPage, name: str) -> Facet:
    return next(f for f in page.facets if f.name == name)


def counts(page: SearchPage, name: str) -> dict[str, int]:
    return {v.key: v.count for v in facet(page, name).values if v.count}


def expected(specs: Iterable[Spec], key: Callable[[Spec], str | tuple[str, ...]]) -> dict[str, int]:
    c: Counter[str] = Counter()
    for s in specs:
        k = key(s)
        for v in k if isinstance(k, tuple) else (k,):
            c[v] += 1
    return dict(c)


def test_all_articles_counts(engine: SearchEngine) -> None:
    page = search(engine)
    assert page.total == len(SPECS)
    assert counts(page, "source") == expected(SPECS, source_of)
    assert counts(page, "wire") == expected(SPECS, wires_of)
    assert counts(page, "language") == expected(SPECS, language_of)
    assert facet(page, "date").granularity == "year"  # 2018 … 2024
    assert counts(page, "date") == expected(SPECS, year_of)


def test_empty_buckets_have_their_own_keys_and_labels(engine: SearchEngine) -> None:
    page = search(engine)
    labels = {f.name: {v.key: v.label for v in f.values} for f in page.facets}
    assert labels["source"][UNKNOWN_SOURCE] == "(unknown source)"
    assert labels["wire"][NO_WIRE] == "(no wire)"
    assert labels["date"][NO_DATE] == "(no date)"
    assert labels["language"][UNKNOWN_LANGUAGE] == "(unknown language)"
    assert labels["language"]["de"] == "German"
    # No date sorts last; years chronologically.
    keys = [v.key for v in facet(page, "date").values]
    assert keys[-1] == NO_DATE and keys[:-1] == sorted(keys[:-1])


def test_selecting_empty_buckets_filters(engine: SearchEngine) -> None:
    def ids(**kw: object) -> list[str]:
        return sorted(h.id for h in search(engine, **kw).hits)

    assert ids(filters={"source": {UNKNOWN_SOURCE}}) == ["a05", "a38"]
    assert ids(filters={"date": {NO_DATE}}) == ["a06", "a38"]
    assert ids(filters={"language": {UNKNOWN_LANGUAGE}}) == ["a05", "a38"]
    assert ids(filters={"wire": {NO_WIRE}}) == sorted(s.id for s in SPECS if not s.wires)


def test_or_within_a_facet_and_self_exclusion(engine: SearchEngine) -> None:
    chosen = {"Daily Ledger", "Harbour Herald"}
    page = search(engine, filters={"source": chosen})
    matching = [s for s in SPECS if source_of(s) in chosen]
    assert sorted(h.id for h in page.hits) == sorted(s.id for s in matching)
    # The source facet ignores its own selection: still every outlet, with full counts …
    assert counts(page, "source") == expected(SPECS, source_of)
    assert {v.key for v in facet(page, "source").values if v.selected} == chosen
    # … while the other facets count only the selected outlets' articles.
    assert counts(page, "wire") == expected(matching, wires_of)
    assert counts(page, "language") == expected(matching, language_of)


def test_and_across_facets(engine: SearchEngine) -> None:
    page = search(engine, filters={"source": {"Daily Ledger"}, "wire": {"AP"}})
    both = [s for s in SPECS if source_of(s) == "Daily Ledger" and "AP" in s.wires]
    assert (
        sorted(h.id for h in page.hits)
        == sorted(s.id for s in both)
        == ["a01", "a07", "a20", "a37"]
    )
    # source counts: every article with an AP credit (wire filter applies, source filter not)
    ap = [s for s in SPECS if "AP" in s.wires]
    assert counts(page, "source") == expected(ap, source_of)
    # wire counts: every Daily Ledger article
    ledger = [s for s in SPECS if source_of(s) == "Daily Ledger"]
    assert counts(page, "wire") == expected(ledger, wires_of)
    # language counts: both filters
    assert counts(page, "language") == expected(both, language_of)


def test_wire_keys_are_case_insensitive_and_multi_wire_counts_each(engine: SearchEngine) -> None:
    page = search(engine, filters={"wire": {"ap", "reuters"}})
    either = [s for s in SPECS if {"AP", "Reuters"} & set(s.wires)]
    assert page.total == len(either)
    assert {v.key for v in facet(page, "wire").values if v.selected} == {"AP", "Reuters"}
    page = search(engine, query="north korea missiles")
    assert counts(page, "wire") == {"AP": 2, "Reuters": 1, NO_WIRE: 1}


def test_facets_follow_the_query(engine: SearchEngine) -> None:
    page = search(engine, query="missile")
    matching = [s for s in SPECS if s.id in {"a01", "a02", "a31", "a32", "a33", "a34"}]
    assert counts(page, "source") == expected(matching, source_of)
    assert facet(page, "date").granularity == "month"  # 2019-05 … 2021-12: under 3 years
    assert counts(page, "date") == {"2019-05": 4, "2021-12": 2}


def test_date_granularity_from_the_span(engine: SearchEngine) -> None:
    page = search(engine, query="date:2019")  # 2019-01-01 (year only) … 2019-05-20: months
    f = facet(page, "date")
    assert f.granularity == "month"
    assert counts(page, "date") == {"2019": 1, "2019-05": 6}  # the year-only article keeps its year
    page = search(engine, query="date:2019-05")  # one month: days
    f = facet(page, "date")
    assert f.granularity == "day"
    assert counts(page, "date") == {"2019-05": 1, "2019-05-04": 4, "2019-05-20": 1}
    assert {v.key: v.label for v in f.values}["2019-05-04"] == "4 May 2019"


def test_date_keys_filter_at_any_granularity(engine: SearchEngine) -> None:
    def ids(keys: set[str]) -> list[str]:
        return sorted(h.id for h in search(engine, filters={"date": keys}).hits)

    assert ids({"2019"}) == ["a01", "a02", "a03", "a04", "a05", "a33", "a34"]
    assert ids({"2019-05"}) == ["a01", "a02", "a03", "a04", "a33", "a34"]
    assert ids({"2019-05-20", "2018"}) == ["a03", "a22", "a23", "a24", "a25"]
    assert ids({"2019-05-04", NO_DATE}) == ["a01", "a02", "a06", "a33", "a34", "a38"]


def test_date_range_from_the_timeline(engine: SearchEngine) -> None:
    page = search(engine, date_from=date(2024, 6, 1), date_to=date(2024, 6, 14))
    assert sorted(h.id for h in page.hits) == ["a07", "a08", "a19"]
    # The date facet ignores the date range (its own selection) …
    assert counts(page, "date") == expected(SPECS, year_of)
    # … the other facets do not.
    assert sum(counts(page, "source").values()) == 3
    # A date key and a range together: both must hold.
    page = search(engine, filters={"date": {"2024"}}, date_to=date(2024, 6, 10))
    assert sorted(h.id for h in page.hits) == ["a08", "a09", "a10", "a35", "a36"]


def test_selected_values_stay_visible_with_zero_counts(engine: SearchEngine) -> None:
    page = search(engine, query="oil", filters={"source": {"Valley Times"}})
    assert page.total == 0
    values = {v.key: (v.count, v.selected) for v in facet(page, "source").values}
    assert values["Valley Times"] == (0, True)
    assert values["Daily Ledger"] == (1, False)


def test_selected_date_key_at_another_granularity_is_counted(engine: SearchEngine) -> None:
    page = search(engine, query="date:2019-05", filters={"date": {"2019"}})
    values = {v.key: (v.count, v.selected) for v in facet(page, "date").values}
    assert values["2019"] == (6, True)


def test_timeline_counts_hits_per_day(engine: SearchEngine) -> None:
    page = search(engine, query="north korea OR storm")
    assert page.timeline == ((date(2019, 5, 4), 3), (date(2019, 5, 20), 1), (date(2024, 6, 14), 1))
    # Month- and year-precision articles have no day on the timeline.
    page = search(engine, query="date:2019")
    assert sum(n for _d, n in page.timeline) == 5


def test_facet_values_are_sorted_by_count(engine: SearchEngine) -> None:
    page = search(engine)
    values = facet(page, "source").values
    assert [v.count for v in values] == sorted((v.count for v in values), reverse=True)
