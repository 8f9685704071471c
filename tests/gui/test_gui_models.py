"""Item models tested without views, on hand-made pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QModelIndex, Qt

from gui.models import (
    CountRole,
    FacetModel,
    HitRole,
    KeyRole,
    ResultsModel,
    StoryVersionsModel,
    format_lag,
)
from search.model import (
    Facet,
    FacetValue,
    Hit,
    SearchPage,
    SearchRequest,
    Story,
    StoryVersion,
)


def make_hit(i: int) -> Hit:
    return Hit(
        id=f"a{i}",
        title=f"Title {i}",
        title_html=f"<mark>Title</mark> {i}",
        snippets=(f"snippet {i}",),
        source="ABC",
        wires=("AP",),
        date=datetime(2019, 5, 4, tzinfo=UTC),
        date_precision="day",
        byline=None,
        url=None,
        path=f"/x/{i}.txt",
        language="en",
        score=1.0,
        rank=i,
    )


def make_page(page: int, total: int, size: int = 3) -> SearchPage:
    start = page * size
    hits = tuple(make_hit(i) for i in range(start, min(total, start + size)))
    return SearchPage(
        request=SearchRequest(query="q", page=page, page_size=size), total=total, hits=hits
    )


def test_results_model_pages_in_on_fetch_more(qtbot: object) -> None:
    model = ResultsModel()
    model.set_page(make_page(0, total=7))
    root = QModelIndex()
    assert model.rowCount() == 3
    assert model.data(model.index(0), Qt.ItemDataRole.DisplayRole) == "Title 0"
    assert model.data(model.index(2), HitRole).id == "a2"
    assert model.canFetchMore(root)

    asked: list[int] = []
    model.moreRequested.connect(asked.append)
    model.fetchMore(root)
    model.fetchMore(root)  # a second call while loading must not ask twice
    assert asked == [1]
    assert not model.canFetchMore(root)

    assert not model.append_page(make_page(2, total=7))  # out of order: ignored
    other = make_page(1, total=7)
    other = SearchPage(
        request=SearchRequest(query="other", page=1, page_size=3), total=7, hits=other.hits
    )
    assert not model.append_page(other)  # a page of another search: ignored
    assert model.append_page(make_page(1, total=7))
    assert model.rowCount() == 6
    model.fetchMore(root)
    assert model.append_page(make_page(2, total=7))
    assert model.rowCount() == 7
    assert not model.canFetchMore(root)  # no cap, but nothing left
    assert [h.rank for h in model.hits()] == list(range(7))
    assert model.row_of("a5") == 5


def test_results_model_problem_page_clears(qtbot: object) -> None:
    from search.model import QueryProblem

    model = ResultsModel()
    model.set_page(make_page(0, total=3))
    bad = SearchPage(
        request=SearchRequest(query='"x'),
        total=0,
        hits=(),
        problem=QueryProblem("Unclosed quote", 0, 1),
    )
    model.set_page(bad)
    assert model.rowCount() == 0
    assert not model.canFetchMore(QModelIndex())


def facet(name: str, values: list[tuple[str, str, int]]) -> Facet:
    return Facet(name, tuple(FacetValue(k, label, n) for k, label, n in values))


def test_facet_model_checks_and_keeps_selected_buckets(qtbot: object) -> None:
    model = FacetModel("source")
    model.set_facet(facet("source", [("ABC", "ABC", 4), ("", "(unknown source)", 2)]))
    assert model.rowCount() == 2
    assert model.data(model.index(1), Qt.ItemDataRole.DisplayRole) == "(unknown source)"
    assert model.data(model.index(1), KeyRole) == ""
    assert model.data(model.index(0), CountRole) == 4
    assert model.data(model.index(0), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert model.flags(model.index(0)) & Qt.ItemFlag.ItemIsUserCheckable

    changes: list[tuple[str, frozenset[str]]] = []
    model.selectionChanged.connect(lambda n, keys: changes.append((n, keys)))
    # A view passes an int; both forms must work.
    assert model.setData(
        model.index(1), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
    )
    assert changes == [("source", frozenset({""}))]
    assert model.data(model.index(1), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked

    # The next page has no bucket for the ticked key: it stays listed with 0 so it can be unticked.
    model.set_facet(facet("source", [("ABC", "ABC", 1)]))
    assert model.count_of("") == 0
    assert (
        model.data(model.index(model.row_of("")), Qt.ItemDataRole.DisplayRole) == "(unknown source)"
    )

    model.clear_selection()
    assert changes[-1] == ("source", frozenset())
    model.clear_selection()  # nothing ticked: no signal
    assert len(changes) == 2


def test_facet_model_set_selected_is_silent(qtbot: object) -> None:
    model = FacetModel("wire")
    model.set_facet(facet("wire", [("AP", "AP", 3), ("Reuters", "Reuters", 1)]))
    changes: list[object] = []
    model.selectionChanged.connect(lambda *a: changes.append(a))
    model.set_selected({"AP"})
    assert model.selected() == frozenset({"AP"})
    assert changes == []
    assert model.title == "Wire"


def test_story_versions_model(qtbot: object) -> None:
    t0 = datetime(2019, 5, 4, 8, tzinfo=UTC)
    story = Story(
        group="g",
        versions=(
            StoryVersion(
                "a", "A", "ABC", ("AP",), t0, "minute", 100, 0.0, 1.0, 1.0, False, True, True
            ),
            StoryVersion(
                "b",
                "B",
                None,
                (),
                datetime(2019, 5, 4, 11, 5, tzinfo=UTC),
                "minute",
                90,
                3 * 3600 + 300,
                0.84,
                0.9,
                True,
            ),
        ),
        representative="a",
        first="a",
        outlets=2,
        threshold=0.6,
    )
    model = StoryVersionsModel()
    model.set_story(story)
    assert model.rowCount() == 2 and model.columnCount() == 6
    display = Qt.ItemDataRole.DisplayRole
    assert model.data(model.index(0, 0), display) == "ABC ★"
    assert model.data(model.index(1, 0), display) == "(unknown outlet)"
    assert model.data(model.index(1, 1), display) == "uncredited"
    assert model.data(model.index(1, 3), display) == "+3 h 5 min"
    assert model.data(model.index(1, 4), display) == "84%"
    assert model.headerData(2, Qt.Orientation.Horizontal, display) == "Published"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.FontRole).bold()


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "no date"),
        (0, "first"),
        (45 * 60, "+45 min"),
        (3600, "+1 h"),
        (26 * 3600, "+1 d 2 h"),
    ],
)
def test_format_lag(seconds: float | None, text: str) -> None:
    assert format_lag(seconds) == text
