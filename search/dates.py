"""Date expressions of the query language (``date:…``) as inclusive spans of calendar days.

Fast paths handle ISO forms ("2019", "2019-05", "2019-05-04"), "today"/"yesterday", rolling windows
("last week", "past 3 months"), "N days ago"/"-2 weeks" and "since/before/after/until X"; anything
else goes to dateparser (English only, dates from the past, day 1 for "May 2019", relative to the
pinned ``today``), whose detected period (day, week, month, year) becomes the span.

Decisions (documented in docs/query-language.md):

* "last week", "last month", "last year", "past N days" are rolling windows ending today
  ("last month" on 2024-06-15 is 2024-05-15 … 2024-06-15), not the previous calendar period;
  "this week/month/year" is the calendar period up to today.
* "03/04/2024" is month first, as dateparser and Copydesk's indexer read it.
* A span that is exactly a calendar year, month or day carries its bucket ``key``: such a query
  matches the article's date key, so ``date:2019-05`` does not match an article dated only "2019".
"""

from __future__ import annotations

import calendar
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

MIN_YEAR = 1000
MAX_YEAR = 9999


class DateError(ValueError):
    """A date expression that could not be understood."""


@dataclass(frozen=True)
class DaySpan:
    """Inclusive calendar days; None is an open end. ``key`` names a single calendar bucket."""

    first: date | None
    last: date | None
    key: str | None = None

    def is_empty(self) -> bool:
        """True when the span contains no day at all."""
        return self.first is not None and self.last is not None and self.first > self.last


def year_span(year: int) -> DaySpan:
    """The calendar year as a span."""
    _check_year(year)
    return DaySpan(date(year, 1, 1), date(year, 12, 31), f"{year:04d}")


def month_span(year: int, month: int) -> DaySpan:
    """The calendar month as a span."""
    _check_year(year)
    if not 1 <= month <= 12:
        raise DateError(f"there is no month {month}")
    last = calendar.monthrange(year, month)[1]
    return DaySpan(date(year, month, 1), date(year, month, last), f"{year:04d}-{month:02d}")


def day_span(day: date) -> DaySpan:
    """One day as a span."""
    return DaySpan(day, day, day.isoformat())


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateError(f"the year {year} is out of range")


_ISO = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_UNITS = {
    "d": "day",
    "day": "day",
    "days": "day",
    "w": "week",
    "wk": "week",
    "wks": "week",
    "week": "week",
    "weeks": "week",
    "m": "month",
    "mo": "month",
    "mos": "month",
    "month": "month",
    "months": "month",
    "y": "year",
    "yr": "year",
    "yrs": "year",
    "year": "year",
    "years": "year",
}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_NUM = r"(\d+|a|an|one|two|three|four|five|six)"
_UNIT = r"([a-z]+)"
_WINDOW = re.compile(
    rf"^(?:last|past|previous|the last|the past|within the last)\s+(?:{_NUM}\s+)?{_UNIT}$"
)
_AGO = re.compile(rf"^{_NUM}\s*{_UNIT}\s+ago$")
_SIGNED = re.compile(rf"^([-+])\s*(\d+)\s*{_UNIT}$")
_THIS = re.compile(r"^(?:this|current|the current)\s+(week|month|year)$")
_OPEN_WORDS = re.compile(r"^(since|from|after|before|until|till|up to|through|by)\s+(.+)$")
_BETWEEN = re.compile(r"^(?:between|from)\s+(.+?)\s+(?:and|to|until|till|-)\s+(.+)$")
_TO = re.compile(r"^(.+?)\s+(?:to|until|till)\s+(.+)$")


def shift(day: date, unit: str, n: int) -> date:
    """``day`` moved by ``n`` units (months and years clamp the day of month)."""
    if unit == "day":
        return day + timedelta(days=n)
    if unit == "week":
        return day + timedelta(weeks=n)
    months = n * (12 if unit == "year" else 1)
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateError("that date is out of range")
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _count(word: str | None) -> int:
    if word is None:
        return 1
    n = _NUMBERS.get(word)
    if n is None:
        n = int(word)
    if n > 100_000:
        raise DateError(f"{word} is too many")
    return n


def _unit(word: str) -> str:
    unit = _UNITS.get(word)
    if unit is None:
        raise DateError(f"unknown time unit {word!r}")
    return unit


def parse_date(text: str, today: date) -> DaySpan:
    """A single date expression (no operators) as a span of days, or DateError."""
    t = " ".join(text.strip().lower().replace(",", " ").split())
    if not t:
        raise DateError("empty date")
    try:
        return _parse(t, today)
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, DateError):
            raise
        raise DateError(f"could not understand the date {text.strip()!r}") from None


def _parse(t: str, today: date) -> DaySpan:
    m = _ISO.match(t)
    if m:
        year = int(m.group(1))
        if m.group(2) is None:
            return year_span(year)
        if m.group(3) is None:
            return month_span(year, int(m.group(2)))
        _check_year(year)
        try:
            return day_span(date(year, int(m.group(2)), int(m.group(3))))
        except ValueError:
            raise DateError(f"there is no day {t}") from None
    m = _COMPACT.match(t)
    if m:
        return day_span(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    if t in ("today", "now"):
        return day_span(today)
    if t == "yesterday":
        return day_span(today - timedelta(days=1))
    if t == "tomorrow":
        return day_span(today + timedelta(days=1))
    m = _WINDOW.match(t)
    if m and m.group(2) in _UNITS:
        return DaySpan(shift(today, _unit(m.group(2)), -_count(m.group(1))), today)
    m = _THIS.match(t)
    if m:
        unit = m.group(1)
        if unit == "week":
            return DaySpan(today - timedelta(days=today.weekday()), today)
        if unit == "month":
            return DaySpan(today.replace(day=1), today)
        return DaySpan(today.replace(month=1, day=1), today)
    m = _AGO.match(t)
    if m and m.group(2) in _UNITS:
        return day_span(shift(today, _unit(m.group(2)), -_count(m.group(1))))
    m = _SIGNED.match(t)
    if m and m.group(3) in _UNITS:
        n = int(m.group(2)) * (-1 if m.group(1) == "-" else 1)
        return day_span(shift(today, _unit(m.group(3)), n))
    m = _BETWEEN.match(t)
    if m:
        lo, hi = _parse(m.group(1), today), _parse(m.group(2), today)
        return DaySpan(lo.first, hi.last)
    m = _OPEN_WORDS.match(t)
    if m:
        word, rest = m.group(1), _parse(m.group(2), today)
        if word in ("since", "from"):
            return DaySpan(rest.first, today if word == "since" else None)
        if word == "after":
            return DaySpan(_next(rest.last), None)
        if word == "before":
            return DaySpan(None, _prev(rest.first))
        return DaySpan(None, rest.last)  # until, till, up to, through, by
    m = _TO.match(t)
    if m:
        lo, hi = _parse(m.group(1), today), _parse(m.group(2), today)
        return DaySpan(lo.first, hi.last)
    return _dateparser_span(t, today)


def _next(day: date | None) -> date | None:
    return day + timedelta(days=1) if day is not None and day < date.max else day


def _prev(day: date | None) -> date | None:
    return day - timedelta(days=1) if day is not None and day > date.min else day


_PARSER_LOCK = threading.Lock()
_PARSERS: dict[date, Any] = {}


def _parser(today: date) -> Any:
    # dateparser costs ~150 ms to import: only natural-language dates pay for it.
    with _PARSER_LOCK:
        parser = _PARSERS.get(today)
        if parser is None:
            from dateparser.date import DateDataParser

            if len(_PARSERS) > 8:
                _PARSERS.clear()
            parser = _PARSERS[today] = DateDataParser(
                languages=["en"],
                settings={
                    "PREFER_DATES_FROM": "past",
                    "PREFER_DAY_OF_MONTH": "first",
                    "RELATIVE_BASE": datetime(today.year, today.month, today.day, 12, 0),
                    "RETURN_AS_TIMEZONE_AWARE": False,
                    "STRICT_PARSING": False,
                },
            )
        return parser


_LETTERS = re.compile(r"[a-z]")


def _dateparser_span(t: str, today: date) -> DaySpan:
    if len(t) > 60 or (not _LETTERS.search(t) and not re.search(r"\d", t)):
        raise DateError(f"could not understand the date {t!r}")
    parser = _parser(today)
    with _PARSER_LOCK:  # DateDataParser keeps per-call state
        data = parser.get_date_data(t)
    value = data.date_obj if data is not None else None
    if value is None:
        raise DateError(f"could not understand the date {t!r}")
    day = value.date()
    period = getattr(data, "period", None) or "day"
    if period == "year":
        return year_span(day.year)
    if period == "month":
        return month_span(day.year, day.month)
    if period == "week":
        start = day - timedelta(days=day.weekday())
        return DaySpan(start, start + timedelta(days=6))
    _check_year(day.year)
    return day_span(day)


def compare_span(op: str, text: str, today: date) -> DaySpan:
    """``date:>X``-style comparisons: > after X, >= from X, < before X, <= until the end of X."""
    span = parse_date(text, today)
    if span.key is None and span.first is not None and span.last == today:
        # A rolling window ("last month"): compare with its start, the point it names.
        span = DaySpan(span.first, span.first)
    if op == ">":
        return DaySpan(_next(span.last), None)
    if op == ">=":
        return DaySpan(span.first, None)
    if op == "<":
        return DaySpan(None, _prev(span.first))
    if op == "<=":
        return DaySpan(None, span.last)
    raise DateError(f"unknown comparison {op!r}")


def range_span(
    lo: str | None,
    hi: str | None,
    today: date,
    lo_inclusive: bool = True,
    hi_inclusive: bool = True,
) -> DaySpan:
    """``[lo TO hi]`` (inclusive) or ``{lo TO hi}`` (exclusive ends); None or "*" is open."""
    first: date | None = None
    last: date | None = None
    if lo is not None and lo.strip() not in ("", "*"):
        s = parse_date(lo, today)
        first = s.first if lo_inclusive else _next(s.last)
    if hi is not None and hi.strip() not in ("", "*"):
        s = parse_date(hi, today)
        last = s.last if hi_inclusive else _prev(s.first)
    return DaySpan(first, last)
