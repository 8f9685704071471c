"""Every construct of the query language against the fixture archive (today = 2024-06-15)."""

from __future__ import annotations

from datetime import date

import pytest
from search_fixtures import SPECS, TODAY

from search.dates import DateError, DaySpan, compare_span, parse_date, range_span
from search.engine import SearchEngine
from search.model import SearchRequest
from search.syntax import And, DateMatch, Not, Or, Phrase, Term, parse_query
from search.variants import candidates

ALL = sorted(s.id for s in SPECS)
KOREA = ["a01", "a33", "a34"]


def ids(engine: SearchEngine, query: str, **kw: object) -> list[str]:
    page = engine.search(SearchRequest(query=query, page_size=100, today=TODAY, **kw))  # type: ignore[arg-type]
    assert page.ok, page.problem
    assert page.total == len(page.hits)
    return sorted(h.id for h in page.hits)


CASES: list[tuple[str, list[str]]] = [
    # terms, variants (the index does not stem), case
    ("missile", ["a01", "a02", "a31", "a32", *KOREA[1:]]),
    ("missiles", ["a01", "a02", "a31", "a32", *KOREA[1:]]),
    ("MISSILE", ["a01", "a02", "a31", "a32", *KOREA[1:]]),
    ("computers", ["a16"]),
    ("recession", ["a10", "a35", "a36"]),
    ("zzyzx", []),
    # several words: AND by default
    ("north korea missiles", KOREA),
    ("oil prices", ["a24"]),
    # quoted single word: exact, no variants
    ('"computers"', ["a16"]),
    ('"computer"', ["a16"]),
    # phrases
    ('"prime minister"', ["a01", "a03", "a33", "a34"]),
    ("prime minister", ["a01", "a03", "a04", "a33", "a34"]),
    ('"minister prime"', []),
    # proximity: at most N words between, in order
    ('"central bank"~3', ["a13"]),
    ('"central bank"~7', ["a13", "a15"]),
    ('"bank central"~7', []),
    # boolean operators, parentheses, -term
    ("oil OR gas", ["a24", "a25"]),
    ("gold AND silver", ["a26"]),
    ("gold NOT silver", ["a27"]),
    ("gold -silver", ["a27"]),
    ("election -labour", ["a20"]),
    ("(tariff OR duty) AND steel", ["a22"]),
    ("tariff OR duty OR tax", ["a22", "a23"]),
    (
        "-oil -gas -missile -korea",
        sorted(set(ALL) - {"a01", "a02", "a24", "a25", "a31", "a32", "a33", "a34"}),
    ),
    ("NOT harbour", sorted(set(ALL) - {"a06", "a29", "a38"})),
    ("gold OR (oil AND gas)", ["a25", "a26", "a27"]),
    # fields
    ("title:missile", ["a01", "a31", "a33", "a34"]),
    ("headline:missile", ["a01", "a31", "a33", "a34"]),
    ("body:missile", ["a01", "a02", "a32", "a33", "a34"]),
    ('title:"prime minister"', ["a03"]),
    ("title:(gold OR oil)", ["a24", "a25", "a26", "a27"]),
    ("lead:profit", ["a28"]),
    ("lead:recover", []),
    ('lead:"profit warning"', ["a28"]),  # the body's first positions
    ('lead:"would recover"', []),  # a body phrase outside the lead
    ('lead:"warning profit"', []),
    ("body:recover", ["a28"]),
    ("source:harbour", ["a02", "a06", "a14", "a17", "a21", "a25", "a29", "a36"]),
    ('source:"capital review" oil', []),
    ("source:valley recession", ["a10"]),
    ("wire:ap", ["a01", "a06", "a07", "a17", "a18", "a20", "a21", "a33", "a37"]),
    ("wire:AP wire:reuters", ["a01", "a21"]),
    ("wire:dpa", ["a11"]),
    ("byline:lopez", ["a29"]),
    ("author:roe", ["a01"]),
    ("url:dailyledger", ["a01"]),
    ("url:harbourherald.example/news", ["a02"]),
    ("language:de", ["a11"]),
    ("language:french", ["a12"]),
    ("lang:en missile", ["a01", "a02", "a31", "a32", "a33", "a34"]),
    ("id:a05", ["a05"]),
    # wildcards and fuzzy
    ("comput*", ["a16", "a17"]),
    ("c?mputing", ["a16", "a17"]),
    ("*ession", ["a10", "a32", "a35", "a36"]),  # recession, session
    ("govrnment~", ["a18"]),
    ("recesion~", ["a10", "a35", "a36"]),
    ("missle~1", ["a02", "a31", "a32"]),  # "missile"; "missiles" is two edits away
    # boosts change ranking, not matching
    ("gold^3 OR silver", ["a26", "a27"]),
    ('"gold rush"^2', ["a27"]),
    ("(gold silver)^2", ["a26"]),
    # dates: ISO day, month, year
    ("date:2019-05-04", ["a01", "a02", "a33", "a34"]),
    ("date:2019-05", ["a01", "a02", "a03", "a04", "a33", "a34"]),
    ("date:2019", ["a01", "a02", "a03", "a04", "a05", "a33", "a34"]),
    ("date:2019-5", ["a01", "a02", "a03", "a04", "a33", "a34"]),
    # ranges and comparisons
    ("date:[2019-05-01 TO 2019-05-31]", ["a01", "a02", "a03", "a04", "a33", "a34"]),
    ("date:[2019-05-05 TO 2019-05-31]", ["a03"]),
    ("date:{2019-05-04 TO 2019-05-31]", ["a03"]),
    ("date:[2024-06-01 TO *]", ["a07", "a08", "a19", "a37"]),
    ("date:[* TO 2018-03-01]", ["a22", "a24"]),
    ("date:[2018-03 to 2018-04]", ["a22", "a23"]),
    ("date:>2024-06-13", ["a07", "a37"]),
    ("date:>=2024-06-13", ["a07", "a19", "a37"]),
    ("date:<2018-03-01", ["a24"]),
    ("date:<=2018-03-01", ["a22", "a24"]),
    ("date:<2018", []),
    # natural language, relative to the pinned today
    ("date:today", ["a37"]),
    ("date:yesterday", ["a07"]),
    ('date:"last week"', ["a07", "a08", "a19", "a37"]),
    ('date:"last month"', ["a07", "a08", "a09", "a19", "a37"]),
    ('date:"since May 2024"', ["a07", "a08", "a09", "a19", "a37"]),
    ('date:"May 2019"', ["a01", "a02", "a03", "a04", "a33", "a34"]),
    ('date:"2 days ago"', ["a19"]),
    ('date:"this month"', ["a07", "a08", "a19", "a37"]),
    ('date:"between March 2018 and April 2018"', ["a22", "a23"]),
    ('date:"before 2018-03-01"', ["a24"]),
    ("date:[-2 weeks to]", ["a07", "a08", "a19", "a37"]),
    ('date:>"last month"', ["a07", "a08", "a09", "a19", "a37"]),  # after 2024-05-15
    ("date:(2019 OR 2018) oil", ["a24", "a25"]),
    ("missile date:2021", ["a31", "a32"]),
    ("missile -date:2019", ["a31", "a32"]),
    # everything
    ("", ALL),
    ("*", ALL),
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[c[0] or "(empty)" for c in CASES])
def test_query_matches(engine: SearchEngine, query: str, expected: list[str]) -> None:
    assert ids(engine, query) == sorted(expected)


def test_today_comes_from_the_request_or_the_engine(
    index_dir: object, engine: SearchEngine
) -> None:
    # The engine's today is TODAY; a request's today overrides it.
    assert ids(engine, "date:yesterday") == ["a07"]
    page = engine.search(SearchRequest(query="date:yesterday", today=date(2024, 6, 14)))
    assert [h.id for h in page.hits] == ["a19"]


# --- parser ----------------------------------------------------------------------------------


def test_tree_shapes() -> None:
    node = parse_query('north "prime minister" -storm OR x', TODAY).node
    assert isinstance(node, Or)
    first = node.children[0]
    assert isinstance(first, And)
    assert isinstance(first.children[0], Term) and first.children[0].text == "north"
    assert isinstance(first.children[1], Phrase) and first.children[1].words == (
        "prime",
        "minister",
    )
    assert isinstance(first.children[2], Not)


def test_multi_token_word_becomes_a_phrase() -> None:
    node = parse_query("e-mail", TODAY).node
    assert isinstance(node, Phrase) and node.words == ("e", "mail")


PROBLEMS: list[tuple[str, int, str | None, bool]] = [
    # query, position, corrected query, applied (ran corrected)
    ('"north korea', 0, '"north korea"', True),
    ('"', 0, "", True),
    ("(gold OR silver", 0, "(gold OR silver)", True),
    ("gold OR silver)", 14, "gold OR silver", True),
    ("NOT OR foobar", 0, "foobar", True),
    ("gold AND", 5, "gold", True),
    ("OR gold", 0, "gold", True),
    ("title:", 0, "", True),
    ("title: AND gold", 0, "gold", True),
    ("titel:missile", 0, "title:missile", True),
    ("foo:bar", 0, "foo bar", True),
    ("date:last week", 5, 'date:"last week"', True),
    ("date:[2019-01-01 TO 2019-02-01", 5, "date:[2019-01-01 TO 2019-02-01]", True),
    ("date:blurgh gold", 5, "gold", False),
    ("date:2019-13", 5, None, False),
    ("title:[a TO b]", 6, None, False),
    ("date:>", 5, None, False),
    ("(" * 40 + "gold", 24, None, False),
]


@pytest.mark.parametrize(("query", "position", "corrected", "applied"), PROBLEMS)
def test_problems_point_at_the_position(
    engine: SearchEngine, query: str, position: int, corrected: str | None, applied: bool
) -> None:
    page = engine.search(SearchRequest(query=query))
    assert page.problem is not None, query
    assert page.problem.position == position
    if corrected is not None:
        assert page.problem.corrected == corrected
    assert page.problem.applied is applied
    assert page.ok is applied
    if not applied:
        assert page.hits == () and page.total == 0


def test_mild_problem_runs_the_corrected_query(engine: SearchEngine) -> None:
    page = engine.search(SearchRequest(query='"north korea'))
    assert sorted(h.id for h in page.hits) == KOREA
    page = engine.search(SearchRequest(query="NOT OR gold"))
    assert sorted(h.id for h in page.hits) == ["a26", "a27"]


def test_fatal_problem_suggests_a_runnable_query(engine: SearchEngine) -> None:
    page = engine.search(SearchRequest(query="date:blurgh gold"))
    assert page.problem is not None and page.problem.corrected == "gold"
    assert engine.search(SearchRequest(query=page.problem.corrected)).total == 2


def test_too_long_and_too_many() -> None:
    parsed = parse_query("x" * 5000, TODAY)
    assert parsed.fatal and "longer" in parsed.issues[0].message
    parsed = parse_query(" ".join(f"w{i}" for i in range(150)), TODAY)
    assert parsed.fatal and "too many" in parsed.issues[0].message


def test_date_clause_positions_cover_the_clause() -> None:
    node = parse_query("gold date:2019", TODAY).node
    assert isinstance(node, And)
    d = node.children[1]
    assert isinstance(d, DateMatch) and (d.start, d.end) == (5, 14)


# --- dates -----------------------------------------------------------------------------------

D = date


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("2019", DaySpan(D(2019, 1, 1), D(2019, 12, 31), "2019")),
        ("2019-05", DaySpan(D(2019, 5, 1), D(2019, 5, 31), "2019-05")),
        ("2019-05-04", DaySpan(D(2019, 5, 4), D(2019, 5, 4), "2019-05-04")),
        ("2019/5/4", DaySpan(D(2019, 5, 4), D(2019, 5, 4), "2019-05-04")),
        ("20190504", DaySpan(D(2019, 5, 4), D(2019, 5, 4), "2019-05-04")),
        ("today", DaySpan(TODAY, TODAY, "2024-06-15")),
        ("yesterday", DaySpan(D(2024, 6, 14), D(2024, 6, 14), "2024-06-14")),
        ("last week", DaySpan(D(2024, 6, 8), TODAY)),
        ("past 3 days", DaySpan(D(2024, 6, 12), TODAY)),
        ("last month", DaySpan(D(2024, 5, 15), TODAY)),
        ("last year", DaySpan(D(2023, 6, 15), TODAY)),
        ("this week", DaySpan(D(2024, 6, 10), TODAY)),
        ("this year", DaySpan(D(2024, 1, 1), TODAY)),
        ("3 days ago", DaySpan(D(2024, 6, 12), D(2024, 6, 12), "2024-06-12")),
        ("-2 weeks", DaySpan(D(2024, 6, 1), D(2024, 6, 1), "2024-06-01")),
        ("since May 2019", DaySpan(D(2019, 5, 1), TODAY)),
        ("before 2019", DaySpan(None, D(2018, 12, 31))),
        ("after May 2019", DaySpan(D(2019, 6, 1), None)),
        ("until 2019-05", DaySpan(None, D(2019, 5, 31))),
        ("May 2019", DaySpan(D(2019, 5, 1), D(2019, 5, 31), "2019-05")),
        ("4 May 2019", DaySpan(D(2019, 5, 4), D(2019, 5, 4), "2019-05-04")),
        ("May 4, 2019", DaySpan(D(2019, 5, 4), D(2019, 5, 4), "2019-05-04")),
        ("2018 to 2019", DaySpan(D(2018, 1, 1), D(2019, 12, 31))),
    ],
)
def test_parse_date(text: str, span: DaySpan) -> None:
    assert parse_date(text, TODAY) == span


@pytest.mark.parametrize(
    "text", ["", "blurgh", "2019-13", "2019-02-30", "0999", "x" * 100, "next blue moon"]
)
def test_parse_date_errors(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text, TODAY)


def test_comparisons_and_ranges() -> None:
    assert compare_span(">", "2019-05", TODAY) == DaySpan(D(2019, 6, 1), None)
    assert compare_span(">=", "2019-05", TODAY) == DaySpan(D(2019, 5, 1), None)
    assert compare_span("<", "2019-05", TODAY) == DaySpan(None, D(2019, 4, 30))
    assert compare_span("<=", "2019-05", TODAY) == DaySpan(None, D(2019, 5, 31))
    assert range_span("2019", "2020-02", TODAY) == DaySpan(D(2019, 1, 1), D(2020, 2, 29))
    assert range_span("2019-05-04", "2019-05-06", TODAY, False, False) == DaySpan(
        D(2019, 5, 5), D(2019, 5, 5)
    )
    assert range_span(None, "*", TODAY) == DaySpan(None, None)


# --- variants --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "has", "lacks"),
    [
        ("missile", {"missiles", "missile's"}, set()),
        ("missiles", {"missile"}, set()),
        ("government", {"governments"}, {"govern"}),
        ("stop", {"stopped", "stopping", "stops"}, set()),
        ("running", {"run", "runs"}, set()),
        ("party", {"parties"}, set()),
        ("us", set(), {"used", "users", "use"}),
        ("news", set(), {"new"}),
        ("new", set(), {"news"}),
        ("price", {"prices", "priced", "pricing"}, {"priceless"}),
    ],
)
def test_variants(word: str, has: set[str], lacks: set[str]) -> None:
    forms = set(candidates(word))
    assert word in forms
    assert has <= forms
    assert not (lacks & forms)
