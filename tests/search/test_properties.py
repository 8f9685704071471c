"""Property tests: no query string makes the parser or search raise or fail internally."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from search_fixtures import TODAY

from search.engine import SearchEngine
from search.model import SearchRequest
from search.syntax import parse_query

PIECES = [
    "title:",
    "headline:",
    "body:",
    "lead:",
    "source:",
    "wire:",
    "byline:",
    "url:",
    "language:",
    "date:",
    "id:",
    "foo:",
    "titel:",
    "http://",
    '"',
    "“",
    "”",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    " TO ",
    " to ",
    "*",
    "?",
    "~",
    "~2",
    "^2",
    "^",
    "-",
    "+",
    "!",
    " AND ",
    " OR ",
    " NOT ",
    "&&",
    "||",
    ">",
    "<",
    ">=",
    "<=",
    "missile",
    "korea",
    "gold",
    "2019",
    "2019-05",
    "2019-05-04",
    "2019-13",
    "yesterday",
    "last week",
    "-2 weeks",
    "since May 2019",
    "prime minister",
    " ",
    " ",
    "é",
    "日本",
    "\n",
    "\t",
    "'",
    "’",
    ":",
    ".",
    ",",
    "0",
    "NOT OR",
    "\x00",
]

query_text = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(PIECES), max_size=14).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=10).map("".join),
)

FAILED = "the search failed"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query_text)
def test_parser_never_raises(text: str) -> None:
    parsed = parse_query(text, TODAY)
    for issue in parsed.issues:
        assert 0 <= issue.start <= max(len(text), 2000)
    if parsed.node is not None and parsed.corrected is not None:
        again = parse_query(parsed.corrected, TODAY)
        assert again.node is not None


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(query_text, st.sampled_from(["relevance", "newest", "oldest", "republished"]), st.booleans())
def test_search_never_fails(engine: SearchEngine, text: str, sort: str, group: bool) -> None:
    page = engine.search(SearchRequest(query=text, sort=sort, group=group, page_size=50))  # type: ignore[arg-type]
    if page.problem is not None:
        assert not page.problem.message.startswith(FAILED), (text, page.problem)
        if page.problem.position is not None:
            assert 0 <= page.problem.position <= len(text)
    if page.ok:
        assert page.total >= len(page.hits)
        assert len(page.facets) == 4
        assert len({h.id for h in page.hits}) == len(page.hits)
    else:
        assert page.hits == () and page.total == 0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(["source", "wire", "date", "language", "colour"]),
        st.lists(st.text(max_size=12), max_size=3),
        max_size=4,
    ),
    st.integers(-3, 5),
    st.integers(-2, 30),
)
def test_odd_requests_never_fail(
    engine: SearchEngine, filters: dict[str, list[str]], page: int, size: int
) -> None:
    result = engine.search(SearchRequest(query="the", filters=filters, page=page, page_size=size))
    assert result.problem is None, result.problem
    assert len(result.hits) <= max(size, 0)


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=400),
    st.sets(st.from_regex(r"[a-zé]{1,8}", fullmatch=True), max_size=4),
    st.integers(0, 4),
    st.integers(10, 300),
)
def test_snippets_are_well_formed(text: str, words: set[str], count: int, chars: int) -> None:
    import html
    import re

    from search.snippets import Highlight, highlight_text, snippets

    hl = Highlight(frozenset(words), (tuple(sorted(words)),) if len(words) > 1 else ())
    frags = snippets(text, hl, count, chars)
    assert len(frags) <= max(count, 0)
    flat = " ".join(text.split())
    for frag in frags:
        assert frag.count("<mark>") == frag.count("</mark>")
        plain = html.unescape(re.sub(r"</?mark>", "", frag)).strip("…")
        assert plain in flat
    whole = highlight_text(text, hl)
    assert html.unescape(re.sub(r"</?mark>", "", whole)) == text
