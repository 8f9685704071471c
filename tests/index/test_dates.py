"""Dates: fast parsers, precision from the tokens present, original offsets, relative phrases with a
pinned base, the documented ambiguities (IST, 03/04/2024), header date lines and file names."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from index.dates import date_from_filename, find_date_lines, parse_date

REPO = Path(__file__).resolve().parents[2]
BASE = datetime(2019, 5, 4, 12, 0, tzinfo=UTC)  # a file saved at noon UTC on Saturday 4 May 2019

# (raw, expected UTC value as ISO or None, precision, tz, origin)
CASES: list[tuple[str, str | None, str, str | None, str]] = [
    # machine formats
    ("2019-05-04T10:02:00+10:00", "2019-05-04T00:02:00+00:00", "minute", "+10:00", "text"),
    ("2019-05-04T10:02:00Z", "2019-05-04T10:02:00+00:00", "minute", "+00:00", "text"),
    ("2019-05-04 10:02", "2019-05-04T10:02:00+00:00", "minute", None, "text"),
    ("2019-05-04", "2019-05-04T00:00:00+00:00", "day", None, "text"),
    ("2019-05", "2019-05-01T00:00:00+00:00", "month", None, "text"),
    ("2019", "2019-01-01T00:00:00+00:00", "year", None, "text"),
    ("26-FEB-1987 15:01:01.79", "1987-02-26T15:01:01+00:00", "minute", None, "text"),
    ("1556971200", "2019-05-04T12:00:00+00:00", "minute", None, "text"),  # epoch seconds
    ("1556971200000", "2019-05-04T12:00:00+00:00", "minute", None, "text"),  # epoch ms
    ("20190504", "2019-05-04T00:00:00+00:00", "day", None, "text"),
    (
        "2019-05-04T10:02:00+10:00[Australia/Sydney]",
        "2019-05-04T00:02:00+00:00",
        "minute",
        "+10:00",
        "text",
    ),
    ("Fri, 03 May 2019 10:00:00 +1000", "2019-05-03T00:00:00+00:00", "minute", "+10:00", "text"),
    ("Fri, 03 May 2019 10:00:00 GMT", "2019-05-03T10:00:00+00:00", "minute", "+00:00", "text"),
    # English header forms
    (
        "Published: Saturday 4 May 2019 10:02am AEST",
        "2019-05-04T00:02:00+00:00",
        "minute",
        "+10:00",
        "text",
    ),
    ("Updated 12 March 2026", "2026-03-12T00:00:00+00:00", "day", None, "text"),
    ("May 4, 2019", "2019-05-04T00:00:00+00:00", "day", None, "text"),
    ("4 May 2019 — 10:02", "2019-05-04T10:02:00+00:00", "minute", None, "text"),
    ("4th May 2019", "2019-05-04T00:00:00+00:00", "day", None, "text"),
    ("the 4th of May, 2019", "2019-05-04T00:00:00+00:00", "day", None, "text"),
    (
        "Saturday, May 4, 2019 at 10:02 a.m. EDT",
        "2019-05-04T14:02:00+00:00",
        "minute",
        "-04:00",
        "text",
    ),
    ("Tuesday 12 Nov 2019 2.30pm GMT", "2019-11-12T14:30:00+00:00", "minute", "+00:00", "text"),
    ("4 May 2019 10:02 UTC+10", "2019-05-04T00:02:00+00:00", "minute", "+10:00", "text"),
    # US zones without a fixed offset follow daylight saving for the date
    ("10:02 AM ET, Sat May 4, 2019", "2019-05-04T14:02:00+00:00", "minute", "-04:00", "text"),
    ("10:02 AM ET, Sat Jan 5, 2019", "2019-01-05T15:02:00+00:00", "minute", "-05:00", "text"),
    # precision from the tokens present
    ("May 2019", "2019-05-01T00:00:00+00:00", "month", None, "text"),
    ("March 2024", "2024-03-01T00:00:00+00:00", "month", None, "text"),
    # IST is India (+05:30), not dateparser's Israel (+02:00): see index/dates.py
    ("4 May 2019 10:02 IST", "2019-05-04T04:32:00+00:00", "minute", "+05:30", "text"),
    # 03/04/2024 is month first (March 4), as the query parser reads it; 13/04 can only be day first
    ("03/04/2024", "2024-03-04T00:00:00+00:00", "day", None, "text"),
    ("13/04/2024", "2024-04-13T00:00:00+00:00", "day", None, "text"),
    ("2024/03/04", "2024-03-04T00:00:00+00:00", "day", None, "text"),
    ("04.03.2024", "2024-03-04T00:00:00+00:00", "day", None, "text"),  # dotted: European, day first
    # relative to the pinned base
    ("Posted 2 hours ago", "2019-05-04T10:00:00+00:00", "minute", None, "relative"),
    ("a few minutes ago", "2019-05-04T11:57:00+00:00", "minute", None, "relative"),
    ("3 days ago", "2019-05-01T00:00:00+00:00", "day", None, "relative"),
    ("yesterday", "2019-05-03T00:00:00+00:00", "day", None, "relative"),
    ("Yesterday at 10:30pm", "2019-05-03T22:30:00+00:00", "minute", None, "relative"),
    ("2 months ago", "2019-03-01T00:00:00+00:00", "month", None, "relative"),
    ("last week", "2019-04-27T00:00:00+00:00", "day", None, "relative"),  # via dateparser
    # a year-less date is the most recent one not after the base
    ("4 May", "2019-05-04T00:00:00+00:00", "day", None, "text"),
    ("December 24", "2018-12-24T00:00:00+00:00", "day", None, "text"),
    # not dates
    ("hello world", None, "none", None, "none"),
    ("Monday", None, "none", None, "none"),
    ("12:30", None, "none", None, "none"),
    ("2000 GMT", None, "none", None, "none"),  # a kick-off time, not the year 2000
    ("31 February 2019", None, "none", None, "none"),
    ("May says the deal is close", None, "none", None, "none"),
    ("x" * 200, None, "none", None, "none"),
]


@pytest.mark.parametrize(
    ("raw", "value", "precision", "tz", "origin"), CASES, ids=[c[0][:40] for c in CASES]
)
def test_parse_date(
    raw: str, value: str | None, precision: str, tz: str | None, origin: str
) -> None:
    info = parse_date(raw, relative_base=BASE)
    if value is None:
        assert info is None
        return
    assert info is not None
    assert info.value is not None and info.value.tzinfo is not None
    assert info.value.utcoffset() == timedelta(0)
    assert info.value.isoformat() == value
    assert (info.precision, info.tz, info.origin) == (precision, tz, origin)
    assert info.raw == raw


def test_table_has_enough_cases() -> None:
    assert len(CASES) >= 25


def test_relative_and_year_less_dates_need_a_base() -> None:
    assert parse_date("2 hours ago") is None
    assert parse_date("yesterday") is None
    assert parse_date("4 May") is None
    assert parse_date("last week") is None


def test_default_tz_applies_to_times_without_a_zone() -> None:
    info = parse_date("4 May 2019 10:02", default_tz="Australia/Sydney")
    assert info is not None and info.value is not None
    assert info.value.isoformat() == "2019-05-04T00:02:00+00:00"
    assert info.tz is None  # the input stated no zone


def test_a_calendar_date_is_not_shifted_by_the_default_zone() -> None:
    info = parse_date("4 May 2019", default_tz="Australia/Sydney")
    assert info is not None and info.value is not None
    assert info.value.isoformat() == "2019-05-04T00:00:00+00:00"


def test_an_aware_base_in_another_zone_gives_that_zones_calendar_day() -> None:
    base = datetime(2019, 5, 4, 8, 0, tzinfo=timezone(timedelta(hours=10)))
    info = parse_date("yesterday", relative_base=base)
    assert info is not None and info.value is not None
    assert info.value.date().isoformat() == "2019-05-03"


def test_find_date_lines_prefers_published_over_updated() -> None:
    lines = [
        "Harbour Herald",
        "Updated 12 March 2026",
        "Published: Saturday 4 May 2019 10:02am AEST",
    ]
    info = find_date_lines(lines)
    assert info is not None and info.value is not None
    assert info.value.isoformat() == "2019-05-04T00:02:00+00:00"
    assert info.tz == "+10:00"


def test_find_date_lines_takes_the_first_date_otherwise() -> None:
    info = find_date_lines(["By Jane Smith", "Updated 12 March 2026", "May 4, 2019"])
    assert info is not None and info.raw == "Updated 12 March 2026"


def test_find_date_lines_reads_byline_parts() -> None:
    info = find_date_lines(["By Jane Smith | May 4, 2019"])
    assert info is not None and info.value is not None
    assert info.value.date().isoformat() == "2019-05-04"


def test_find_date_lines_relative_uses_the_base() -> None:
    info = find_date_lines(["Posted 2 hours ago"], relative_base=BASE)
    assert info is not None and info.origin == "relative"
    assert info.value == BASE - timedelta(hours=2)


def test_find_date_lines_ignores_sentences() -> None:
    long_line = "The council met on 4 May 2019 and agreed to rebuild the terminal by March 2021."
    assert find_date_lines([long_line, "North Korea fires missiles"]) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2019-05-04_story.txt", "2019-05-04"),
        ("20190504-story.html", "2019-05-04"),
        ("/archive/2019/story-2019_05_04.txt", "2019-05-04"),
        ("notes-v2019.txt", None),
        ("2019-13-04_story.txt", None),
        ("20190230.txt", None),
        ("120190504.txt", None),
    ],
)
def test_date_from_filename(name: str, expected: str | None) -> None:
    info = date_from_filename(name)
    if expected is None:
        assert info is None
    else:
        assert info is not None and info.value is not None
        assert info.value.date().isoformat() == expected
        assert (info.precision, info.origin, info.tz) == ("day", "filename", None)


@pytest.mark.parametrize(
    "junk", ["", "   ", "\x00\x01", "99/99/9999", "May May May", "+99:99", "2019-99-99"]
)
def test_parse_date_never_raises(junk: str) -> None:
    assert parse_date(junk, relative_base=BASE) is None


def test_importing_dates_does_not_import_dateparser() -> None:
    code = "import sys, index.dates; print('dateparser' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
