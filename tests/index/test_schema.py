"""The schema's fast posting formats equal Whoosh's own; documents round-trip."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import fields, formats
from whoosh.analysis import IDAnalyzer, KeywordAnalyzer

from index.model import Article, DateInfo, Kind, Provenance
from index.schema import (
    FastExistence,
    FastFrequency,
    FastKeywords,
    FastPositions,
    build_schema,
    date_keys,
    from_stored,
    join_wires,
    lean_analyzer,
    split_wires,
    to_document,
)

TEXTS = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300
) | st.sampled_from(
    [
        "Don't stop: U.S. shares rose 9.00% in O'Neill's café — naïve İstanbul ΣΊΣΥΦΟΣ",
        "READ MORE: North Korea fires, fires again\n\nand again",
        "",
    ]
)


def _whoosh(
    fmt: formats.Format, text: str, analyzer: object
) -> list[tuple[str, int, float, bytes]]:
    return sorted(fmt.word_values(text, analyzer, mode="index"))


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_fast_positions_equal_whoosh_positions(text: str) -> None:
    ana = lean_analyzer()
    assert sorted(FastPositions(field_boost=2.0).word_values(text, ana)) == _whoosh(
        formats.Positions(field_boost=2.0), text, ana
    )
    assert sorted(FastFrequency().word_values(text, ana)) == _whoosh(formats.Frequency(), text, ana)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_fast_existence_equals_id_analyzer(value: str) -> None:
    assert sorted(FastExistence().word_values(value, None)) == _whoosh(
        formats.Existence(), value, IDAnalyzer()
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["reuters", "ap", "AFP", " dpa ", "Reuters"]), max_size=5))
def test_fast_keywords_equal_keyword_analyzer(words: list[str]) -> None:
    value = ",".join(words)
    ana = KeywordAnalyzer(lowercase=True, commas=True)
    assert sorted(FastKeywords().word_values(value, None)) == _whoosh(
        formats.Frequency(), value, ana
    )


@pytest.mark.parametrize(
    ("precision", "expected"),
    [
        ("minute", ("2019", "2019-05", "2019-05-04")),
        ("day", ("2019", "2019-05", "2019-05-04")),
        ("month", ("2019", "2019-05", "none")),
        ("year", ("2019", "none", "none")),
    ],
)
def test_date_keys_follow_precision(precision: str, expected: tuple[str, str, str]) -> None:
    date = DateInfo(value=datetime(2019, 5, 4, 0, 2, tzinfo=UTC), precision=precision)  # type: ignore[arg-type]
    assert date_keys(date) == expected


def test_no_date_keys() -> None:
    assert date_keys(DateInfo()) == ("none", "none", "none")


def test_wires_join_and_split() -> None:
    assert join_wires(("Reuters", "AP", "Reuters")) == "AP|Reuters"
    assert split_wires("AP|Reuters") == ("AP", "Reuters")
    assert split_wires("") == ()


def test_document_round_trip() -> None:
    article = Article(
        id="exp-1",
        title="Harbour reopens",
        body="The harbour reopened.\n\nRepairs continue.",
        lead="The harbour reopened.",
        provenance=Provenance(
            path="/a/b.jsonl", kind=Kind.JSONL, record=3, content_hash="ff", file_mtime=1.5
        ),
        source="Harbour Herald",
        source_origin="metadata",
        wires=("Reuters", "AP"),
        date=DateInfo(
            value=datetime(2019, 5, 4, 0, 2, tzinfo=UTC),
            precision="minute",
            tz="+10:00",
            raw="Saturday 4 May 2019 10:02am AEST",
            origin="text",
        ),
        byline="Jane Doe",
        url="https://example.org/x",
        language="en",
        word_count=5,
        removed=("READ MORE: something",),
        id_from_input=True,
    )
    doc = to_document(article)
    assert doc["date"] == datetime(2019, 5, 4, 0, 2)  # naive UTC for Whoosh
    schema = build_schema()
    stored = {k: v for k, v in doc.items() if schema[k].stored}
    assert from_stored(stored) == article


def test_schema_field_types() -> None:
    schema = build_schema()
    assert isinstance(schema["title"], fields.TEXT) and schema["title"].stored
    assert schema["id"].unique
    for name in ("source_key", "wires", "year", "month", "day", "language", "date", "word_count"):
        assert schema[name].column_type is not None, name
