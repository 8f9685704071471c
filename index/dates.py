"""Publication dates from metadata strings, header lines and file names.

Fast paths first (ISO 8601, RFC 2822, Reuters' "26-FEB-1987 15:01:01.79", and a small tokenizer for
English forms such as "Saturday 4 May 2019 10:02am AEST" or "May 4, 2019"); dateparser only for a
short candidate string the fast paths reject, and never over a whole body (TECH-NOTES: 18 ms and
false positives per body). dateparser is imported and configured lazily.

Decisions, documented because they are guesses either way:

* Time zone abbreviations come from our own table, not dateparser's: dateparser reads "IST" as
  Israel (+02:00); English-language news archives far more often mean India (+05:30), so IST is
  +05:30. "CST" is US Central (-06:00), "AST" Atlantic (-04:00). "ET"/"PT"/"CT"/"MT" follow US
  daylight saving for the date in question.
* "03/04/2024" is month first (March 4), as dateparser's default and as the search box's date
  parser reads it, so a date typed in a query means the same as one found in an article. A first
  number above 12 ("13/04/2024") is read day first, and so is a dotted date ("04.03.2024"), a
  European form the US does not use.
* Precision comes from the tokens present: a time → "minute", a day → "day", "May 2019" →
  "month", "2019" → "year".
* A date without a time is a calendar date: its value is midnight UTC of that date, not midnight in
  the article's zone shifted to UTC (which would move "4 May" to 3 May for Sydney). Only minute
  precision values are converted between zones. ``tz`` records the original offset either way.
* Relative phrases ("2 hours ago", "yesterday") and year-less dates ("4 May") need a base (the
  file's modification time); without one they give None rather than a guess relative to today.
"""

from __future__ import annotations

import calendar
import email.utils
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from index.model import DateInfo, DateOrigin, DatePrecision

MAX_DATE_CHARS = 80  # longer strings are sentences, not dates

_MONTHS: dict[str, int] = {}
for _i, _name in enumerate(calendar.month_name):
    if _i:
        _MONTHS[_name.lower()] = _i
        _MONTHS[_name[:3].lower()] = _i
_MONTHS["sept"] = 9

_WEEKDAYS = {
    "mon", "monday", "tue", "tues", "tuesday", "wed", "weds", "wednesday", "thu", "thur",
    "thurs", "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday",
}  # fmt: skip

# Offsets in minutes. See the module docstring for the ambiguous ones (IST, CST, AST).
_TZ_FIXED: dict[str, int] = {
    "UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "WET": 0, "WEST": 60, "BST": 60, "IST": 330,
    "CET": 60, "CEST": 120, "MET": 60, "MEST": 120, "EET": 120, "EEST": 180, "MSK": 180,
    "GST": 240, "PKT": 300, "NPT": 345, "ICT": 420, "WIB": 420, "SGT": 480, "HKT": 480,
    "AWST": 480, "PHT": 480, "PHST": 480, "JST": 540, "KST": 540, "ACST": 570, "ACDT": 630,
    "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780, "EST": -300, "EDT": -240,
    "CST": -360, "CDT": -300, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420,
    "AKST": -540, "AKDT": -480, "HST": -600, "AST": -240, "ADT": -180, "NST": -210,
    "NDT": -150, "SAST": 120, "EAT": 180, "WAT": 60, "CAT": 120,
}  # fmt: skip
_TZ_ZONES: dict[str, str] = {
    "ET": "America/New_York",
    "CT": "America/Chicago",
    "MT": "America/Denver",
    "PT": "America/Los_Angeles",
}

# Labels before a date in a header line: "Published: …", "Last updated on …", "Posted …".
_LABEL_RE = re.compile(
    r"^\s*(?:(?:first\s+|last\s+)?(?:published|updated|posted|modified|created|filed|"
    r"dated?|issued|released|updated\s+on|published\s+on|posted\s+on)\b\s*(?:on|at)?\s*:?\s*)",
    re.IGNORECASE,
)
_PUBLISHED_RE = re.compile(r"^\s*(?:first\s+)?(?:published|posted|filed|dated?)\b", re.I)

_ISO_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?$"
)
_YEAR_RE = re.compile(r"^(?:19|20)\d{2}$")
_EPOCH_RE = re.compile(r"^(?:\d{9,10}(?:\.\d+)?|\d{12,13})$")
_COMPACT_RE = re.compile(r"^((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")
_ZONE_SUFFIX_RE = re.compile(r"\[[A-Za-z_/+-]+\]$")
_YEAR_MONTH_RE = re.compile(r"^((?:19|20)\d{2})-(0[1-9]|1[0-2])$")
# Only numeric or GMT zones: email.utils silently drops zones it does not know ("AEST").
_RFC2822_RE = re.compile(
    r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s+"
    r"(?:[+-]\d{4}|GMT|UTC|UT|Z)$"
)
_REUTERS_RE = re.compile(r"^(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?$")
# strptime's "%b" in the C locale: the Reuters archive is English whatever the user's locale is.
_MONTH_ABBRS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
_NUMERIC_RE = re.compile(
    r"^(?P<a>\d{1,4})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{2,4})"
    r"(?:(?:\s+|,\s*|\s*[T@]\s*)(?P<rest>.+))?$"
)

_TOKEN_RE = re.compile(
    r"(?P<time>\d{1,2}[:.]\d{2}(?::\d{2}(?:[.,]\d+)?)?)(?:\s*(?P<ampm1>(?i:[ap]\.?\s?m\b\.?)))?"
    r"|(?P<hour>\d{1,2})\s*(?P<ampm2>(?i:[ap]\.?\s?m\b\.?))"
    r"|(?P<offset>(?:(?:UTC|GMT)\s*)?[+-]\d{2}:?\d{2}\b|(?:UTC|GMT)\s*[+-]\d{1,2}\b)"
    r"|(?P<num>\d{1,4})(?:st|nd|rd|th)?\b"
    r"|(?P<word>[A-Za-z]+)\.?"
    r"|(?P<sep>[\s,|·•/()\[\]—–-]+|'(?=\d))",
)
_FILLER = {"at", "on", "of", "the", "h", "hrs", "local", "time"}

_RELATIVE_RE = re.compile(
    r"^(?:about\s+|around\s+|over\s+|less\s+than\s+|nearly\s+)?"
    r"(?P<n>\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few|few|several)\s+"
    r"(?P<unit>sec(?:ond)?s?|min(?:ute)?s?|h(?:ou)?rs?|hours?|days?|weeks?|wks?|months?|years?|yrs?)"
    r"\s+ago$",
    re.IGNORECASE,
)
_DAY_WORD_RE = re.compile(
    r"^(?P<word>today|yesterday|just\s+now)(?:\s*(?:,|at)?\s*(?P<time>.+))?$", re.IGNORECASE
)
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a few": 3, "few": 3, "several": 3,
}  # fmt: skip

# A cheap filter for lines worth trying: a month name, a digit-separator-digit run, or a relative word.
_CANDIDATE_RE = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
    r"|\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}|\b(?:19|20)\d{2}\b|\bago\b|\byesterday\b|\btoday\b"
    r"|\b(?:last|this)\s+(?:week|month|year)\b",
    re.IGNORECASE,
)
_FILENAME_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})([-_.]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?!\d)"
)


def _offset_str(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _offset_of(value: datetime) -> str | None:
    delta = value.utcoffset()
    if delta is None:
        return None
    return _offset_str(int(delta.total_seconds() // 60))


@lru_cache(maxsize=32)
def _zone(name: str) -> tzinfo:
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _info(
    value: datetime,
    precision: DatePrecision,
    tz: str | None,
    raw: str,
    origin: DateOrigin,
    default_tz: str,
) -> DateInfo:
    """Normalise to UTC: minute precision converts between zones, coarser keeps the calendar date."""
    if precision == "minute":
        if value.tzinfo is None:
            value = value.replace(tzinfo=_zone(default_tz))
        value = value.astimezone(UTC)
    elif precision == "day":
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif precision == "month":
        value = datetime(value.year, value.month, 1, tzinfo=UTC)
    else:
        value = datetime(value.year, 1, 1, tzinfo=UTC)
    return DateInfo(value=value, precision=precision, tz=tz, raw=raw, origin=origin)


def _precision_of(has_time: bool, has_day: bool, has_month: bool) -> DatePrecision:
    if has_time:
        return "minute"
    if has_day:
        return "day"
    return "month" if has_month else "year"


def _reuters(match: re.Match[str]) -> datetime:
    """The naive datetime of a ``_REUTERS_RE`` match; ValueError where strptime would fail."""
    day, month, year, hour, minute, second = match.groups()
    number = _MONTH_ABBRS.get(month.lower())
    # The ranges strptime's "%d-%b-%Y %H:%M:%S" accepts (it also wants ASCII digits); datetime()
    # checks the rest (day of month, year 0, seconds 60 and 61), as strptime does.
    if number is None or not match.string.isascii() or day in ("0", "00") or int(day) > 31:
        raise ValueError(f"not a Reuters date: {match.string!r}")
    if int(hour) > 23 or int(minute) > 59:
        raise ValueError(f"not a Reuters date: {match.string!r}")
    return datetime(int(year), number, int(day), int(hour), int(minute), int(second))


def _fast_machine(text: str, raw: str, default_tz: str) -> DateInfo | None:
    if "]" in text:
        text = _ZONE_SUFFIX_RE.sub("", text)  # RFC 9557 "…+05:30[Asia/Kolkata]"
    # Tried first, as the commonest form in bulk imports; no other form here can match it.
    match = _REUTERS_RE.match(text)
    if match:
        # Reuters-21578: "26-FEB-1987 15:01:01.79", no zone (the archive's times are GMT-ish).
        return _info(_reuters(match), "minute", None, raw, "text", default_tz)
    if _EPOCH_RE.match(text):
        # Seconds (or milliseconds) since the epoch: an instant, so no zone to apply or report.
        seconds = float(text) / (1000 if len(text.split(".")[0]) > 11 else 1)
        value = datetime.fromtimestamp(seconds, tz=UTC)
        return _info(value, "minute", None, raw, "text", default_tz)
    match = _COMPACT_RE.match(text)
    if match:
        value = datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return _info(value, "day", None, raw, "text", default_tz)
    if _ISO_RE.match(text):
        has_time = len(text) > 10
        iso = text[:10] + "T" + "".join(text[11:].split()) if has_time else text
        value = datetime.fromisoformat(iso.replace(",", "."))
        return _info(
            value, "minute" if has_time else "day", _offset_of(value), raw, "text", default_tz
        )
    if _YEAR_RE.match(text):
        return _info(datetime(int(text), 1, 1), "year", None, raw, "text", default_tz)
    match = _YEAR_MONTH_RE.match(text)
    if match:
        value = datetime(int(match.group(1)), int(match.group(2)), 1)
        return _info(value, "month", None, raw, "text", default_tz)
    if _RFC2822_RE.match(text):
        value = email.utils.parsedate_to_datetime(text)
        zone = text.rsplit(None, 1)[-1]
        tz = None if zone == "-0000" else _offset_of(value)
        return _info(value, "minute", tz, raw, "text", default_tz)
    return None


def _clock(hour: int, minute: int, second: int, ampm: str | None) -> tuple[int, int, int] | None:
    if ampm:
        if not 1 <= hour <= 12:
            return None
        pm = ampm.lower().startswith("p")
        hour = hour % 12 + (12 if pm else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


def _tokenize(text: str) -> dict[str, Any] | None:
    """Split an English date string into parts, or None if anything is not a date token."""
    parts: dict[str, Any] = {"nums": [], "month": None, "time": None, "tz": None, "zone": None}
    pos = 0
    for match in _TOKEN_RE.finditer(text):
        if match.start() != pos:
            return None
        pos = match.end()
        kind = match.lastgroup
        if kind == "time" or kind == "ampm1":
            if parts["time"] is not None:
                return None
            bits = re.split(r"[:.]", match.group("time"))
            clock = _clock(
                int(bits[0]),
                int(bits[1]),
                int(bits[2]) if len(bits) > 2 else 0,
                match.group("ampm1"),
            )
            if clock is None:
                return None
            parts["time"] = clock
        elif kind == "ampm2":
            if parts["time"] is not None:
                return None
            clock = _clock(int(match.group("hour")), 0, 0, match.group("ampm2"))
            if clock is None:
                return None
            parts["time"] = clock
        elif kind == "offset":
            raw_off = re.sub(r"^(?:UTC|GMT)\s*", "", match.group("offset"))
            sign = -1 if raw_off[0] == "-" else 1
            digits = raw_off[1:].replace(":", "")
            hours, mins = (
                (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
            )
            parts["tz"] = sign * (hours * 60 + mins)
        elif kind == "num":
            parts["nums"].append(match.group("num"))
        elif kind == "word":
            word = match.group("word")
            low = word.lower()
            if low in _MONTHS and parts["month"] is None:
                parts["month"] = _MONTHS[low]
            elif low in _WEEKDAYS or low in _FILLER:
                continue
            elif word.upper() in _TZ_FIXED and (word.isupper() or word == "Z"):
                parts["tz"] = _TZ_FIXED[word.upper()]
            elif word in _TZ_ZONES:
                parts["zone"] = _TZ_ZONES[word]
            else:
                return None
    if pos != len(text):
        return None
    return parts


def _year_for(month: int, day: int, base: datetime | None) -> int | None:
    # A year-less date is the most recent such date not after the base.
    if base is None:
        return None
    year = base.year
    try:
        if date(year, month, day) > base.date():
            year -= 1
    except ValueError:
        return None
    return year


def _from_tokens(text: str, raw: str, base: datetime | None, default_tz: str) -> DateInfo | None:
    parts = _tokenize(text)
    if parts is None:
        return None
    nums: list[str] = parts["nums"]
    month: int | None = parts["month"]
    year: int | None = None
    day: int | None = None
    if month is None:
        # A bare year; "2000 GMT" is a 24-hour clock time, not the year 2000.
        bare = parts["time"] is None and parts["tz"] is None and parts["zone"] is None
        if len(nums) == 1 and len(nums[0]) == 4 and bare:
            year = int(nums[0])
            return _info(datetime(year, 1, 1), "year", None, raw, "text", default_tz)
        return None
    for num in nums:
        if len(num) == 4 and year is None:
            year = int(num)
        elif len(num) <= 2 and day is None and 1 <= int(num) <= 31:
            day = int(num)
        elif len(num) == 2 and year is None and day is not None:
            year = 2000 + int(num) if int(num) < 70 else 1900 + int(num)  # "May 4 '19"
        else:
            return None
    if year is None:
        if day is None:
            return None
        year = _year_for(month, day, base)
        if year is None:
            return None
    if day is None and parts["time"] is not None:
        return None
    try:
        value = datetime(year, month, day or 1, *(parts["time"] or (0, 0, 0)))
    except ValueError:
        return None
    return _with_zone(
        value,
        parts,
        raw,
        _precision_of(parts["time"] is not None, day is not None, True),
        default_tz,
    )


def _with_zone(
    value: datetime, parts: dict[str, Any], raw: str, precision: DatePrecision, default_tz: str
) -> DateInfo:
    tz: str | None = None
    if parts["tz"] is not None:
        value = value.replace(tzinfo=timezone(timedelta(minutes=parts["tz"])))
        tz = _offset_str(parts["tz"])
    elif parts["zone"] is not None:
        value = value.replace(tzinfo=_zone(parts["zone"]))
        tz = _offset_of(value)
    return _info(value, precision, tz, raw, "text", default_tz)


def _from_numeric(text: str, raw: str, default_tz: str) -> DateInfo | None:
    match = _NUMERIC_RE.match(text)
    if not match:
        return None
    a, b, c = match.group("a"), match.group("b"), match.group("c")
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
        if len(c) > 2:
            return None
    elif len(c) == 4 or len(c) == 2:
        year = int(c) if len(c) == 4 else (2000 + int(c) if int(c) < 70 else 1900 + int(c))
        first, second = int(a), int(b)
        # Month first unless that is impossible, or dotted ("4.5.2019" is European, day first).
        day_first = first > 12 or (match.group("sep") == "." and second <= 12)
        month, day = (second, first) if day_first else (first, second)
    else:
        return None
    parts: dict[str, Any] = {"time": None, "tz": None, "zone": None}
    rest = match.group("rest")
    if rest:
        tail = _tokenize(rest)
        if tail is None or tail["nums"] or tail["month"] is not None:
            return None
        parts = tail
    try:
        value = datetime(year, month, day, *(parts["time"] or (0, 0, 0)))
    except ValueError:
        return None
    return _with_zone(value, parts, raw, "minute" if parts["time"] else "day", default_tz)


def _months_back(base: datetime, months: int) -> datetime:
    index = base.year * 12 + base.month - 1 - months
    year, month = divmod(index, 12)
    day = min(base.day, calendar.monthrange(year, month + 1)[1])
    return base.replace(year=year, month=month + 1, day=day)


def _relative(text: str, raw: str, base: datetime | None, default_tz: str) -> DateInfo | None:
    match = _RELATIVE_RE.match(text)
    word_match = _DAY_WORD_RE.match(text) if match is None else None
    if match is None and word_match is None:
        return None
    if base is None:
        return None
    if base.tzinfo is None:
        base = base.replace(tzinfo=_zone(default_tz))
    precision: DatePrecision
    tz: str | None = None
    if match is not None:
        count_text = match.group("n").lower()
        count = (
            int(count_text) if count_text.isdigit() else _NUMBER_WORDS[" ".join(count_text.split())]
        )
        unit = match.group("unit").lower()
        if unit.startswith("s"):
            value, precision = base - timedelta(seconds=count), "minute"
        elif unit.startswith("mi"):
            value, precision = base - timedelta(minutes=count), "minute"
        elif unit.startswith("h"):
            value, precision = base - timedelta(hours=count), "minute"
        elif unit.startswith("d"):
            value, precision = base - timedelta(days=count), "day"
        elif unit.startswith("w"):
            value, precision = base - timedelta(weeks=count), "day"
        elif unit.startswith("mo"):
            value, precision = _months_back(base, count), "month"
        else:
            value, precision = _months_back(base, 12 * count), "year"
    else:
        assert word_match is not None
        word = word_match.group("word").lower()
        value = base - timedelta(days=1) if word == "yesterday" else base
        precision = "minute" if word.startswith("just") else "day"
        clock_text = word_match.group("time")
        if clock_text:
            parts = _tokenize(clock_text)
            if parts is None or parts["nums"] or parts["month"] is not None or not parts["time"]:
                return None
            value = value.replace(
                hour=parts["time"][0], minute=parts["time"][1], second=0, microsecond=0
            )
            precision = "minute"
            if parts["tz"] is not None:
                value = value.replace(tzinfo=timezone(timedelta(minutes=parts["tz"])))
                tz = _offset_str(parts["tz"])
    return _info(value, precision, tz, raw, "relative", default_tz)


_parser_settings_base: dict[str, Any] = {
    "PREFER_DATES_FROM": "past",
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_AS_TIMEZONE_AWARE": True,
}


@lru_cache(maxsize=8)
def _date_parser(relative_base: datetime | None, default_tz: str) -> Any:
    # Imported here: dateparser costs ~150 ms and ~17 MB, and most archives never need it.
    from dateparser.date import DateDataParser

    settings = dict(_parser_settings_base, TIMEZONE=default_tz)
    if relative_base is not None:
        if relative_base.tzinfo is not None:
            relative_base = relative_base.astimezone(_zone(default_tz))
        settings["RELATIVE_BASE"] = relative_base.replace(tzinfo=None)
    return DateDataParser(languages=["en"], settings=settings)


_PERIOD_PRECISION: dict[str, DatePrecision] = {
    "time": "minute",
    "day": "day",
    "week": "day",
    "month": "month",
    "year": "year",
}
_HAS_TIME_RE = re.compile(r"\d{1,2}[:.]\d{2}|\d\s*[ap]\.?m\b|\b(?:hours?|min(?:ute)?s?)\b", re.I)
_HAS_YEAR_RE = re.compile(r"\b(?:1[89]|20)\d{2}\b")


def _with_dateparser(
    text: str, raw: str, base: datetime | None, default_tz: str
) -> DateInfo | None:
    if base is None and not _HAS_YEAR_RE.search(text):
        return None  # a year-less or relative date needs an anchor; do not anchor to today
    data = _date_parser(base, default_tz).get_date_data(text)
    value = data.date_obj if data is not None else None
    if value is None:
        return None
    relative = bool(re.search(r"\b(?:ago|yesterday|today|last|this|next)\b", text, re.I))
    precision = _PERIOD_PRECISION.get(str(data.period), "day")
    if _HAS_TIME_RE.search(text):
        precision = "minute"
    tz = None
    if not relative and re.search(r"\b[A-Z]{2,5}\b|[+-]\d{2}:?\d{2}\b", text):
        offset = _offset_of(value)
        default_offset = _offset_of(value.astimezone(_zone(default_tz)))
        tz = offset if offset != default_offset else None
    return _info(value, precision, tz, raw, "relative" if relative else "text", default_tz)


def parse_date(
    raw: str,
    *,
    relative_base: datetime | None = None,
    default_tz: str = "UTC",
    allow_dateparser: bool = True,
) -> DateInfo | None:
    """Parse one short date string to a ``DateInfo`` (UTC value, precision, original offset), or None.

    ``allow_dateparser=False`` keeps to the fast parsers (for deciding whether a line is a date).
    """
    try:
        text = " ".join(raw.split())
        if not text or len(text) > MAX_DATE_CHARS:
            return None
        text = _LABEL_RE.sub("", text, count=1).strip(" :,-—–|")
        if not text:
            return None
        info = (
            _fast_machine(text, raw.strip(), default_tz)
            or _from_numeric(text, raw.strip(), default_tz)
            or _from_tokens(text, raw.strip(), relative_base, default_tz)
            or _relative(text, raw.strip(), relative_base, default_tz)
        )
        # dateparser only for words the tokenizer does not know ("last week", "mid-May"): when
        # every token was understood and the fast paths still said no, it is not a date.
        if (
            info is None
            and allow_dateparser
            and _CANDIDATE_RE.search(text)
            and _tokenize(text) is None
        ):
            info = _with_dateparser(text, raw.strip(), relative_base, default_tz)
        return info
    except Exception:  # dateparser and odd inputs raise many types; a bad date is just no date
        return None


def is_date_candidate(line: str) -> bool:
    """True when a short line might be a date line (cheap; no parsing)."""
    return len(line) <= MAX_DATE_CHARS and _CANDIDATE_RE.search(line) is not None


def find_date_lines(
    lines: Iterable[str],
    *,
    relative_base: datetime | None = None,
    default_tz: str = "UTC",
) -> DateInfo | None:
    """The publication date from header-zone lines ("Published: 4 May 2019 10:02am AEST"), or None.

    A "Published"/"Posted" line wins over an "Updated" one; otherwise the first date line wins.
    Each line must be a date on its own, perhaps with a label or "|"-separated byline parts.
    """
    first: DateInfo | None = None
    for line in lines:
        text = " ".join(line.split())
        if not is_date_candidate(text):
            continue
        candidates = [text]
        if "|" in text or " · " in text or " • " in text:
            candidates += [p.strip() for p in re.split(r"[|·•]", text) if p.strip()]
        for candidate in candidates:
            info = parse_date(candidate, relative_base=relative_base, default_tz=default_tz)
            if info is None:
                continue
            if _PUBLISHED_RE.match(candidate):
                return info
            if first is None:
                first = info
            break
    return first


def date_from_filename(name: str) -> DateInfo | None:
    """A calendar date in a file name ("2019-05-04_story.txt", "20190504-story.html"), or None."""
    base = re.split(r"[\\/]", name)[-1]
    match = _FILENAME_RE.search(base)
    if not match:
        return None
    try:
        value = datetime(int(match.group(1)), int(match.group(3)), int(match.group(4)), tzinfo=UTC)
    except ValueError:
        return None
    return DateInfo(value=value, precision="day", tz=None, raw=match.group(0), origin="filename")
