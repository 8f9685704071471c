"""Small pure helpers of the GUI: text marks, tokens, buckets, dates, citations, progress text."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gui.delegates import join_snippets, marked_text
from gui.export import citation, format_date, plain
from gui.index_dialog import format_seconds, progress_details
from gui.query_bar import current_token, quote_value
from gui.reader_view import highlight_terms
from gui.timeline_view import bucketize, choose_granularity
from index.model import Progress


def test_marked_text_unescapes_and_keeps_mark_offsets() -> None:
    text, marks = marked_text("Tom &amp; <mark>Jerry</mark> &lt;3 <mark>cats</mark>")
    assert text == "Tom & Jerry <3 cats"
    assert [text[s : s + n] for s, n in marks] == ["Jerry", "cats"]


def test_join_snippets_uses_one_ellipsis() -> None:
    assert join_snippets(("a b", "c d")) == "a b … c d"
    assert join_snippets(("a b…", "…c d")) == "a b… …c d"
    assert join_snippets(()) == ""


@pytest.mark.parametrize(
    ("text", "cursor", "expected"),
    [
        ("flood sou", 9, (6, None, "sou")),
        ('flood source:"The Co', 20, (6, "source", "The Co")),
        ("wire:a", 6, (0, "wire", "a")),
        ("flood ", 6, (6, None, "")),
        ("(title:x", 8, (1, "title", "x")),
    ],
)
def test_current_token(text: str, cursor: int, expected: tuple[int, str | None, str]) -> None:
    assert current_token(text, cursor) == expected


def test_quote_value() -> None:
    assert quote_value("Reuters") == "Reuters"
    assert quote_value("ABC News") == '"ABC News"'


def test_highlight_terms_from_marks_and_query() -> None:
    terms = highlight_terms(None, 'flood "river towns" source:abc -storm date:2019 wire:ap')
    assert "river towns" in terms and "flood" in terms and "storm" in terms
    assert "abc" not in terms and "2019" not in terms and "ap" not in terms
    assert terms[0] == "river towns"  # longest first, so phrases win over their words


def test_buckets_cover_empty_periods() -> None:
    days = [(date(2019, 1, 30), 2), (date(2019, 3, 2), 1)]
    months = bucketize(days, "month")
    assert [(b.start, b.count) for b in months] == [
        (date(2019, 1, 1), 2),
        (date(2019, 2, 1), 0),
        (date(2019, 3, 1), 1),
    ]
    assert months[1].end == date(2019, 2, 28)
    weeks = bucketize(days, "week")
    assert weeks[0].start.weekday() == 0 and sum(b.count for b in weeks) == 3
    assert choose_granularity(date(2019, 1, 1), date(2019, 1, 20)) == "day"
    assert choose_granularity(date(2019, 1, 1), date(2019, 12, 20)) == "week"
    assert choose_granularity(date(2000, 1, 1), date(2019, 1, 1)) == "month"
    assert choose_granularity(date(1900, 1, 1), date(2019, 1, 1)) == "year"


def test_dates_and_citations() -> None:
    when = datetime(2019, 5, 4, 14, 5, tzinfo=UTC)
    assert format_date(when, "minute") == "4 May 2019 14:05 UTC"
    assert format_date(when, "day") == "4 May 2019"
    assert format_date(when, "month") == "May 2019"
    assert format_date(when, "year") == "2019"
    assert format_date(None, "none") == "no date"
    assert citation("Title", None, None, "none", None) == "“Title”, unknown outlet."
    assert citation("T", "ABC", when, "minute", "http://x") == "“T”, ABC, 4 May 2019. http://x"
    assert plain("a <mark>b</mark> &amp; c") == "a b & c"


def test_progress_text() -> None:
    p = Progress(
        stage="index", files_done=25, files_total=100, articles=500, elapsed=10.0, skipped=2
    )
    text = progress_details(p)
    assert "25 of 100 files" in text and "500 articles" in text and "50/s" in text
    assert "about 30 s left" in text and "2 skipped" in text
    assert format_seconds(75) == "1 min 15 s" and format_seconds(None) == "unknown"
    assert format_seconds(3 * 3600 + 60) == "3 h 01 min"
