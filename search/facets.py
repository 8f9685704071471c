"""Facet filters and counts from per-docnum code columns (no Whoosh facets: DateRangeFacet ~1 s).

Rules: keys selected within a facet are OR-ed, facets are AND-ed, and each facet's counts are
computed over the query's matches filtered by every *other* facet, so its own choices stay
visible. Counting maps each matching docnum to a small code in C (``map`` + ``Counter``), then
folds codes into buckets: wire combinations into single wires, date keys into the granularity
chosen from the span of the matching dates.
"""

from __future__ import annotations

import calendar
import contextlib
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from index.schema import NO_DATE_KEY, split_wires
from search.index_data import FacetColumn, IndexData
from search.model import (
    NO_DATE,
    NO_WIRE,
    UNKNOWN_LANGUAGE,
    UNKNOWN_SOURCE,
    Facet,
    FacetValue,
    SearchRequest,
)

FACETS: tuple[str, ...] = ("source", "wire", "date", "language")
COLUMN = {"source": "source_key", "wire": "wires", "language": "language"}
YEARS_ABOVE_DAYS = 3 * 365 + 1  # a wider span of dates is counted by year
MONTHS_ABOVE_DAYS = 92  # a wider span (about three months) is counted by month
LANGUAGES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "ru": "Russian",
    "zh": "Chinese",
    "ja": "Japanese",
    "ar": "Arabic",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian",
    "fi": "Finnish",
    "pl": "Polish",
    "tr": "Turkish",
}


def date_column(data: IndexData, searcher: Any) -> FacetColumn:
    """One code per (year, month, day) key triple; values are "year|month|day"."""
    col = data.extra.get("date_triples")
    if col is None:
        years = data.facet(searcher, "year")
        months = data.facet(searcher, "month")
        days = data.facet(searcher, "day")
        col = FacetColumn.build(
            f"{years.values[y]}|{months.values[m]}|{days.values[d]}"
            for y, m, d in zip(years.codes, months.codes, days.codes, strict=False)
        )
        data.extra["date_triples"] = col
    return col  # type: ignore[no-any-return]


def filter_docs(
    data: IndexData,
    searcher: Any,
    name: str,
    keys: Collection[str],
    request: SearchRequest | None = None,
) -> set[int]:
    """Docnums passing one facet's selection (for "date" also the request's date range)."""
    if name in ("source", "language"):
        return data.facet(searcher, COLUMN[name]).docs_for(keys)
    if name == "wire":
        col = data.facet(searcher, "wires")
        wanted = {k.lower() for k in keys}
        out: set[int] = set()
        for code, value in enumerate(col.values):
            wires = split_wires(value)
            if (not wires and NO_WIRE in keys) or any(w.lower() in wanted for w in wires):
                out |= col.docs_of(code)
        return out
    if name == "date":
        out = set()
        if keys:
            for key in keys:
                level = (
                    "year" if key == NO_DATE else {4: "year", 7: "month", 10: "day"}.get(len(key))
                )
                if level is not None:
                    out |= data.facet(searcher, level).docs_for(
                        (NO_DATE_KEY if key == NO_DATE else key,)
                    )
        if request is not None and (request.date_from or request.date_to):
            first = request.date_from.toordinal() if request.date_from else None
            last = request.date_to.toordinal() if request.date_to else None
            ranged = set(data.dates(searcher).between(first, last))
            out = ranged if not keys else out & ranged
        return out
    return set(data.live)


def active_filters(request: SearchRequest) -> dict[str, frozenset[str]]:
    """The request's facet selections that constrain results (date range included as "date")."""
    out = {k: v for k, v in request.filters.items() if k in FACETS and v}
    if (request.date_from or request.date_to) and "date" not in out:
        out["date"] = frozenset()
    return out


@dataclass
class FacetResult:
    """Facets, the final docnum set and the per-day timeline."""

    docs: set[int]
    facets: tuple[Facet, ...]
    timeline: tuple[tuple[date, int], ...]


def apply_facets(
    data: IndexData,
    searcher: Any,
    base: Iterable[int],
    request: SearchRequest,
    want_facets: bool = True,
) -> FacetResult:
    """Filter ``base`` by the request's selections and count every facet (self-excluding)."""
    selected = active_filters(request)
    sets = {
        name: filter_docs(data, searcher, name, keys, request) for name, keys in selected.items()
    }
    base_set = base if isinstance(base, set) else set(base)
    final = base_set
    for s in sorted(sets.values(), key=len):
        final = final & s
    if not want_facets:
        return FacetResult(final, (), ())
    # Facets without a selection of their own share one docset (and one counting pass).
    docsets: dict[str, set[int]] = {}
    for name in FACETS:
        docs = base_set if name in sets else final
        if name in sets:
            for other, s in sorted(sets.items(), key=lambda kv: len(kv[1])):
                if other != name:
                    docs = docs & s
        docsets[name] = docs
    combo = _combo_column(data, searcher)
    combo_counts: dict[int, Counter[int]] = {}
    facets: list[Facet] = []
    timeline: tuple[tuple[date, int], ...] = ()
    for name in FACETS:
        docs = docsets[name]
        keys = request.filters.get(name, frozenset())
        if name == "date":
            facet, timeline = _date_facet(data, searcher, docs, keys)
        else:
            counted = combo_counts.get(id(docs))
            if counted is None:
                counted = combo_counts[id(docs)] = Counter(map(combo.codes.__getitem__, docs))
            facet = _plain_facet(data, searcher, name, counted, combo, keys)
        facets.append(facet)
    return FacetResult(final, tuple(facets), timeline)


@dataclass
class _Combo:
    """One code per distinct (source, wires, language) of a docnum, and what each code means."""

    codes: list[int]
    parts: dict[str, list[str]]  # facet name → value per combo code ("AP|Reuters" for wire)


def _combo_column(data: IndexData, searcher: Any) -> _Combo:
    combo = data.extra.get("facet_combo")
    if combo is None:
        cols = {name: data.facet(searcher, COLUMN[name]) for name in ("source", "wire", "language")}
        joined = FacetColumn.build(
            f"{s}\x1f{w}\x1f{lang}"
            for s, w, lang in zip(
                cols["source"].codes, cols["wire"].codes, cols["language"].codes, strict=False
            )
        )
        parts: dict[str, list[str]] = {"source": [], "wire": [], "language": []}
        for value in joined.values:
            s, w, lang = (int(x) for x in value.split("\x1f"))
            parts["source"].append(cols["source"].values[s])
            parts["wire"].append(cols["wire"].values[w])
            parts["language"].append(cols["language"].values[lang])
        combo = _Combo(joined.codes, parts)
        data.extra["facet_combo"] = combo
    return combo  # type: ignore[no-any-return]


def _plain_facet(
    data: IndexData,
    searcher: Any,
    name: str,
    by_combo: Counter[int],
    combo: _Combo,
    keys: Collection[str],
) -> Facet:
    part = combo.parts[name]
    counts: Counter[str] = Counter()
    for code, n in by_combo.items():
        counts[part[code]] += n
    if name == "wire":
        split: Counter[str] = Counter()
        for value, n in counts.items():
            for w in split_wires(value) or (NO_WIRE,):
                split[w] += n
        counts = split
    for k in keys:
        counts.setdefault(_canonical(name, k, counts), 0)
    values = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] == "", kv[0].lower()))
    lowered = {k.lower() for k in keys} if name == "wire" else set(keys)
    return Facet(
        name,
        tuple(
            FacetValue(k, _label(name, k), n, (k.lower() if name == "wire" else k) in lowered)
            for k, n in values
        ),
    )


def _canonical(name: str, key: str, counts: Mapping[str, int]) -> str:
    if name == "wire":
        for k in counts:
            if k.lower() == key.lower():
                return k
    return key


def _label(name: str, key: str) -> str:
    if name == "source":
        return key if key != UNKNOWN_SOURCE else "(unknown source)"
    if name == "wire":
        return key if key != NO_WIRE else "(no wire)"
    if name == "language":
        if key == UNKNOWN_LANGUAGE:
            return "(unknown language)"
        return LANGUAGES.get(key, key)
    return date_label(key)


def date_label(key: str) -> str:
    """ "2019", "May 2019", "4 May 2019" or "(no date)"."""
    if key == NO_DATE:
        return "(no date)"
    parts = key.split("-")
    try:
        if len(parts) == 1:
            return parts[0]
        month = calendar.month_name[int(parts[1])]
        if len(parts) == 2:
            return f"{month} {parts[0]}"
        return f"{int(parts[2])} {month} {parts[0]}"
    except (ValueError, IndexError):
        return key


@dataclass
class _DateTable:
    """Per date-triple code: its first day and its bucket key at each granularity."""

    start: list[int]  # proleptic ordinal of the first day it can be; -1 for no date
    bucket: dict[str, list[str]]  # granularity → key ("2019" for a year-only date at "month")
    day: list[date | None]
    by_day: list[int]  # codes with a day, in day order


def _date_table(data: IndexData, searcher: Any) -> tuple[FacetColumn, _DateTable]:
    col = date_column(data, searcher)
    table = data.extra.get("date_table")
    if table is None:
        start: list[int] = []
        bucket: dict[str, list[str]] = {"year": [], "month": [], "day": []}
        days: list[date | None] = []
        for value in col.values:
            year, month, day = value.split("|")
            first: date | None = None
            day_date: date | None = None
            with contextlib.suppress(ValueError):
                if day != NO_DATE_KEY:
                    first = day_date = date.fromisoformat(day)
                elif month != NO_DATE_KEY:
                    first = date.fromisoformat(month + "-01")
                elif year != NO_DATE_KEY:
                    first = date(int(year), 1, 1)
            start.append(first.toordinal() if first is not None else -1)
            days.append(day_date)
            if year == NO_DATE_KEY:
                for g in bucket:
                    bucket[g].append(NO_DATE)
                continue
            bucket["year"].append(year)
            bucket["month"].append(year if month == NO_DATE_KEY else month)
            bucket["day"].append(
                year if month == NO_DATE_KEY else month if day == NO_DATE_KEY else day
            )
        by_day = sorted((c for c, d in enumerate(days) if d is not None), key=lambda c: start[c])
        table = _DateTable(start, bucket, days, by_day)
        data.extra["date_table"] = table
    return col, table  # type: ignore[return-value]


def _date_facet(
    data: IndexData, searcher: Any, docs: set[int], keys: Collection[str]
) -> tuple[Facet, tuple[tuple[date, int], ...]]:
    col, table = _date_table(data, searcher)
    by_code = Counter(map(col.codes.__getitem__, docs))
    starts = [s for s in map(table.start.__getitem__, by_code) if s >= 0]
    span = max(starts) - min(starts) if starts else 0
    granularity = (
        "year" if span > YEARS_ABOVE_DAYS else "month" if span > MONTHS_ABOVE_DAYS else "day"
    )
    bucket = table.bucket[granularity]
    counts: Counter[str] = Counter()
    for code, n in by_code.items():
        counts[bucket[code]] += n
    per_day = tuple((table.day[c], by_code[c]) for c in table.by_day if c in by_code)
    for k in keys:
        if k not in counts:
            # A selection at another granularity: count its own articles.
            counts[k] = len(docs & filter_docs(data, searcher, "date", (k,)))
    # Chronological; a coarse bucket ("2019") sorts before its finer ones ("2019-05"); no date last.
    values = sorted(counts.items(), key=lambda kv: (kv[0] == NO_DATE, kv[0]))
    facet = Facet(
        "date",
        tuple(FacetValue(k, date_label(k), n, k in keys) for k, n in values),
        granularity,
    )
    return facet, per_day  # type: ignore[return-value]
