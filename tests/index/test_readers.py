"""Readers: every input kind, every failure mode as a ReadError, and the shared corpora end to end."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import pickle
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.model import Kind, RawDocument, ReadError
from index.readers import (
    DEFAULT_MAX_BYTES,
    FieldMapping,
    detect_kind,
    discover,
    is_binary,
    read_file,
)
from index.readers import html as html_reader
from index.readers import records as records_reader
from index.readers import sgml as sgml_reader
from index.readers.mapping import map_record

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "readers"
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def read(
    path: Path | str, mapping: FieldMapping | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[object]:
    return list(read_file(Path(path), mapping or FieldMapping(), max_bytes=max_bytes))


def docs(items: Iterable[object]) -> list[RawDocument]:
    return [i for i in items if isinstance(i, RawDocument)]


def errors(items: Iterable[object]) -> list[ReadError]:
    return [i for i in items if isinstance(i, ReadError)]


def one_doc(name: str) -> RawDocument:
    found = docs(read(FIXTURES / name))
    assert len(found) == 1
    return found[0]


# ---- what each fixture yields -------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    kind: Kind | None  # None: no documents expected
    records: tuple[int | None, ...]  # record numbers of the documents, in order
    errors: tuple[tuple[int | None, str], ...] = ()  # (record, reason substring)


CASES = [
    Case("utf8.txt", Kind.TEXT, (None,)),
    Case("cp1252.txt", Kind.TEXT, (None,)),
    Case("invalid_utf8.txt", Kind.TEXT, (None,)),
    Case("empty.txt", None, (), ((None, "empty file"),)),
    Case("image.png", None, (), ((None, "binary file, not text"),)),
    Case("page.html", Kind.HTML, (None,)),
    Case(
        "items.jsonl",
        Kind.JSONL,
        (1, 6, 7),
        ((2, "invalid JSON"), (4, "not a JSON object"), (5, "record has no text")),
    ),
    Case("headline.csv", Kind.CSV, (1, 2, 3)),
    Case("noheader.csv", Kind.CSV, (1, 2, 3)),
    Case("feed.rss", Kind.FEED, (1, 2), ((3, "record has no text"),)),
    Case("feed.atom", Kind.FEED, (1, 2)),
    Case("notes.xml", None, (), ((None, "XML file is not an RSS/Atom feed"),)),
    Case("sample.sgm", Kind.SGML, (1, 2, 3), ((4, "record has no text"),)),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_fixture_yields_expected_records(case: Case) -> None:
    items = read(FIXTURES / case.name)
    found = docs(items)
    assert [d.provenance.record for d in found] == list(case.records)
    assert all(d.provenance.kind is case.kind for d in found)
    assert all(d.provenance.path == str(FIXTURES / case.name) for d in found)
    assert all(d.text.strip() for d in found)
    errs = errors(items)
    assert [e.record for e in errs] == [r for r, _ in case.errors]
    for err, (_, reason) in zip(errs, case.errors, strict=True):
        assert reason in err.reason
        assert err.path == str(FIXTURES / case.name)


FIELDS = [
    # (fixture, index among documents, canonical key, expected value)
    ("page.html", 0, "title", "Tram line opens after six years"),  # " | Site" suffix stripped
    ("page.html", 0, "source", "The Valley Courier"),
    ("page.html", 0, "date", "2024-03-05T08:30:00+01:00"),  # article:published_time wins
    ("page.html", 0, "byline", "Nadia Ferreira, Tom Okafor"),  # JSON-LD author list
    ("page.html", 0, "url", "https://courier.example/news/tram-line-opens"),
    ("page.html", 0, "language", "en-GB"),
    ("items.jsonl", 0, "id", "a-1"),
    ("items.jsonl", 0, "title", "Bridge repairs finish early"),  # "headline"
    ("items.jsonl", 0, "source", "Harbour Post"),  # {"name": ...} under "Publisher"
    ("items.jsonl", 0, "byline", "Lena Park, Sam Ode"),  # list of str and {"name"}
    ("items.jsonl", 0, "date", "2024-05-01T09:00:00Z"),
    ("items.jsonl", 0, "url", "https://post.example/bridge"),
    ("items.jsonl", 1, "id", "5"),  # int id, upper-case key
    ("items.jsonl", 1, "language", "en"),
    ("headline.csv", 0, "title", "Port strike ends"),
    ("headline.csv", 0, "source", "Coast Gazette"),
    ("headline.csv", 0, "date", "2023-11-02"),
    ("headline.csv", 0, "byline", "Ann Lee"),
    ("headline.csv", 1, "title", "Museum roof, repaired"),
    ("noheader.csv", 0, "title", "Local team wins cup final (AP)"),
    ("feed.rss", 0, "id", "lk-101"),
    ("feed.rss", 0, "title", "Ferry fares frozen"),
    ("feed.rss", 0, "url", "https://lakeside.example/ferry"),
    ("feed.rss", 0, "date", "Tue, 05 Mar 2024 08:00:00 +0000"),
    ("feed.rss", 0, "byline", "Maria Lund"),
    ("feed.rss", 0, "source", "Lakeside Daily – News"),
    ("feed.rss", 0, "language", "en-us"),
    ("feed.rss", 1, "source", "Wire Example"),  # the item's own <source> beats the channel
    ("feed.atom", 0, "date", "2024-02-01T06:00:00Z"),  # published, not updated
    ("feed.atom", 0, "byline", "Priya Das"),
    ("feed.atom", 0, "source", "Hill Town Herald"),
    ("feed.atom", 1, "date", "2024-02-02T09:00:00Z"),  # updated when nothing is published
    ("sample.sgm", 0, "id", "501"),
    ("sample.sgm", 0, "title", "GRAIN SHIPMENTS <NORTHPORT> RISE"),
    ("sample.sgm", 0, "date", "2-MAR-1987 10:15:20.33"),
    ("sample.sgm", 0, "dateline", "NORTHPORT, March 2 -"),
    ("sample.sgm", 0, "byline", "by Jo Marsh, Reuters"),
    ("sample.sgm", 1, "title", "TRADE BALANCE NARROWS IN FEBRUARY"),
]


@pytest.mark.parametrize(("name", "index", "key", "expected"), FIELDS)
def test_fields(name: str, index: int, key: str, expected: str) -> None:
    assert docs(read(FIXTURES / name))[index].fields.get(key) == expected


ABSENT_FIELDS = [
    ("utf8.txt", 0, "title"),  # text files leave metadata to the extractor
    ("sample.sgm", 0, "source"),  # the extractor knows Reuters-21578 is Reuters
    ("feed.rss", 1, "byline"),
    ("headline.csv", 1, "byline"),  # empty cell
]


@pytest.mark.parametrize(("name", "index", "key"), ABSENT_FIELDS)
def test_absent_fields(name: str, index: int, key: str) -> None:
    assert key not in docs(read(FIXTURES / name))[index].fields


TEXTS = [
    # (fixture, index among documents, exact text or None, substrings present, substrings absent)
    (
        "utf8.txt",
        0,
        "Harbour ferry timetable changes from Monday\n\nThe Rivermouth council says the café at Pier 4"
        " will stay open while the new ferry timetable starts.\n\n“We listened to commuters,” the"
        " deputy mayor said — adding that weekend services double.",
        (),
        (),
    ),
    (
        "cp1252.txt",
        0,
        None,
        ("Café owners welcome “quiet street” trial", "‘quiet street’ plan – two"),
        (),
    ),
    ("invalid_utf8.txt", 0, None, ("rises to £12 — €2 more", "ticket now costs £12,"), ("\ufffd",)),
    (
        "page.html",
        0,
        None,
        (
            "The first passenger tram",
            "drainage.\n\nFares will match",  # paragraphs separated by a blank line
            "end of the year.\nA weekly pass",  # <br> is a line break inside a paragraph
            "quietest my street",
            "university campus.",
        ),
        ("Home", "Most read", "Mayor resigns", "All rights reserved", "cookies", "track(", "serif"),
    ),
    ("items.jsonl", 1, "First paragraph.\n\nSecond paragraph.", (), ()),
    ("items.jsonl", 2, "Only a headline", (), ()),  # a headline-only record is still searchable
    ("headline.csv", 1, "The roof of the town museum was repaired.\nIt reopens in May.", (), ()),
    ("headline.csv", 2, "Empty story", (), ()),
    (
        "noheader.csv",
        1,
        "The city council passed its budget on Tuesday after a long debate about road repairs.",
        (),
        (),
    ),
    (
        "feed.rss",
        0,
        "Ferry fares will not rise this year, the operator said.\n\nSeason tickets stay at last year's price.",
        (),
        ("Short summary",),
    ),
    ("feed.rss", 1, "The central library will open until 9pm.", (), ()),
    ("feed.atom", 0, "The pass closed at dawn.\n\nPolice advise drivers to wait.", (), ()),
    (
        "sample.sgm",
        0,
        "Grain shipments from <Northport Terminal Co> rose\nto 12,000 tonnes last week, the port"
        " authority said.\n    Officials said wheat & barley made up most of the total.\n Reuter",
        (),
        (),
    ),
    ("sample.sgm", 1, "TRADE BALANCE NARROWS IN FEBRUARY", (), ("*",)),  # BRIEF: title only
    ("sample.sgm", 2, "RIVER LEVELS AT 1000\n STATION     LEVEL\n Upper Ford   2.31", (), ()),
]


@pytest.mark.parametrize(("name", "index", "exact", "present", "absent"), TEXTS)
def test_text(
    name: str, index: int, exact: str | None, present: tuple[str, ...], absent: tuple[str, ...]
) -> None:
    text = docs(read(FIXTURES / name))[index].text
    if exact is not None:
        assert text == exact
    for part in present:
        assert part in text
    for part in absent:
        assert part not in text


# ---- provenance ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["utf8.txt", "cp1252.txt", "page.html"])
def test_single_article_hash_is_of_file_bytes(name: str) -> None:
    path = FIXTURES / name
    doc = one_doc(name)
    assert (
        doc.provenance.content_hash
        == hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    )
    assert doc.provenance.file_mtime == path.stat().st_mtime
    assert doc.provenance.record is None


def test_jsonl_hash_is_of_the_line() -> None:
    first_line = (FIXTURES / "items.jsonl").read_bytes().split(b"\n")[0]
    doc = docs(read(FIXTURES / "items.jsonl"))[0]
    assert doc.provenance.content_hash == hashlib.blake2b(first_line, digest_size=16).hexdigest()


@pytest.mark.parametrize("name", [c.name for c in CASES if c.kind is not None])
def test_record_hashes_differ_and_documents_pickle(name: str) -> None:
    found = docs(read(FIXTURES / name))
    assert len({d.provenance.content_hash for d in found}) == len(found)
    assert all(len(d.provenance.content_hash) == 32 for d in found)
    assert pickle.loads(pickle.dumps(found)) == found  # documents cross to worker processes


# ---- text decoding ------------------------------------------------------------------------------

DECODING = [
    # (raw bytes, expected text)
    (b"\xef\xbb\xbfTitle\r\n\r\nBody\rline", "Title\n\nBody\nline"),  # BOM, CRLF and CR
    ("Tïtle\n\nBödy".encode("utf-16"), "Tïtle\n\nBödy"),  # UTF-16 with BOM is text, not binary
    (
        b"x" * 9000 + b"\nNul\x00 bytes\x00 go",
        "x" * 9000 + "\nNul bytes go",
    ),  # past the sniffed 8 KB
    ("Москва — столица. Погода тёплая, дождей не будет.".encode("cp1251"), None),
    (b"  \n\t\n  ", None),  # whitespace only: an empty file
]


@pytest.mark.parametrize(("raw", "expected"), DECODING)
def test_text_decoding(tmp_path: Path, raw: bytes, expected: str | None) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(raw)
    items = read(path)
    if raw.strip():
        (doc,) = docs(items)
        if expected is not None:
            assert doc.text == expected
        else:
            assert doc.text == raw.decode("cp1251")  # detected, not read as cp1252 mojibake
    else:
        assert [e.reason for e in errors(items)] == ["empty file"]


# ---- sniffing -----------------------------------------------------------------------------------

SNIFF = [
    # (file name, content, expected kind or error reason)
    ("page.txt", "<!DOCTYPE html><html><body><p>Saved as text.</p></body></html>", Kind.HTML),
    ("README", "Just some notes\n\nwith no suffix.", Kind.TEXT),
    ("notes.md", "# Heading\n\n<b>inline html</b> is fine in markdown", Kind.TEXT),
    ("latest", '<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', Kind.FEED),
    ("page.xml", '<?xml version="1.0"?><!DOCTYPE html><html><body/></html>', Kind.HTML),
    ("atom.feed", "<feed xmlns='http://www.w3.org/2005/Atom'></feed>", Kind.FEED),
    (
        "rdf.rss",
        "<?xml version='1.0'?><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>",
        Kind.FEED,
    ),
    ("data.xml", "<?xml version='1.0'?><!-- x --><catalog/>", "XML file is not an RSS/Atom feed"),
    ("dump.sgml", "<REUTERS NEWID='1'><BODY>x</BODY></REUTERS>", Kind.SGML),
    ("wire.dat", "<REUTERS NEWID='1'><BODY>x</BODY></REUTERS>", Kind.SGML),
    ("a.ndjson", '{"body": "x"}', Kind.JSONL),
    ("a.tsv", "title\tbody\n", Kind.CSV),
]


@pytest.mark.parametrize(("name", "content", "expected"), SNIFF)
def test_detect_kind(name: str, content: str, expected: Kind | str) -> None:
    kind = detect_kind(Path(name), content.encode())
    if isinstance(expected, Kind):
        assert kind is expected
    else:
        assert isinstance(kind, ReadError)
        assert kind.reason == expected


BINARY = [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", True),
    (b"PK\x03\x04\x14\x00\x06\x00", True),  # zip, docx, epub
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", True),
    (b"\x00\x00\x00\x18ftypmp42", True),
    (b"plain text with a \x00 NUL", True),
    ("utf-16 text".encode("utf-16"), False),
    (b"\xef\xbb\xbfutf-8 text", False),
    (b"%PDF is how this memo begins", False),
]


@pytest.mark.parametrize(("head", "expected"), BINARY)
def test_is_binary(head: bytes, expected: bool) -> None:
    assert is_binary(head) is expected


def test_binary_file_with_text_suffix(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)))
    assert [e.reason for e in errors(read(path))] == ["binary file, not text"]


# ---- HTML ---------------------------------------------------------------------------------------


def test_html_fallback_when_trafilatura_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html_reader, "_trafilatura_text", lambda tree: "")
    doc = one_doc("page.html")
    assert doc.text.startswith("Tram line opens after six years\n\n")
    assert "drainage.\n\nFares will match" in doc.text
    for chrome in ("Home", "Most read", "All rights reserved", "track("):
        assert chrome not in doc.text


def test_html_fallback_when_trafilatura_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(tree: object) -> str:
        raise ValueError("extraction failed")

    monkeypatch.setattr(html_reader, "_trafilatura_text", boom)
    assert "The first passenger tram" in one_doc("page.html").text


HTML_PAGES = [
    # (raw bytes, expected text substring or None for "no text" error, expected fields)
    (
        b'<html><head><meta charset="windows-1252"><title>Caf\xe9 news</title></head>'
        b"<body><p>The caf\xe9 \x93reopened\x94 today after a long refit of its kitchen.</p>",
        "The café “reopened” today",
        {"title": "Café news"},
    ),
    (
        b"<html><body><div><p>Unclosed <b>tags <i>everywhere<p>and a stray</div></div></span>"
        b"<p>Second paragraph of a badly written page</table>",
        "Second paragraph of a badly written page",
        {},
    ),
    (b"<html><head><title>Only a title</title></head><body></body></html>", None, {}),
    (b"<<<>>> <!-- --> <", "<<<>>>", {}),  # junk, but text: the extractor can judge it
    (
        b'<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"'
        b' xml:lang="fr"><head><title>XHTML page</title></head><body><p>Bonjour.</p></body></html>',
        "Bonjour.",
        {"title": "XHTML page", "language": "fr"},
    ),
    (
        b'<html><head><meta name="author" content="https://x.example/me">'
        b'<script type="application/ld+json">[{"@type": "WebPage"},'
        b' {"@type": "BlogPosting", "headline": "From JSON-LD", "datePublished": "2020-01-02",'
        b' "author": {"name": "Ida Berg"}, "publisher": "Small Blog",}]</script>'
        b"</head><body><article><p>Body.</p></article></body></html>",
        "Body.",
        {"title": "From JSON-LD", "date": "2020-01-02", "byline": "Ida Berg"},
    ),
    (
        b'<html><head><meta property="og:site_name" content="Daily"><title>Story - Daily</title>'
        b'</head><body><a rel="author" href="/x">Kim Wu</a><p>Text.</p>'
        b'<time datetime="2021-05-06">May 6</time></body></html>',
        "Text.",
        {"title": "Story", "source": "Daily", "byline": "Kim Wu", "date": "2021-05-06"},
    ),
]


@pytest.mark.parametrize(("raw", "expected", "fields"), HTML_PAGES)
def test_html_pages(
    tmp_path: Path, raw: bytes, expected: str | None, fields: dict[str, str]
) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(raw)
    items = read(path)
    if expected is None:
        assert [e.reason for e in errors(items)] == ["no text in HTML page"]
        return
    (doc,) = docs(items)
    assert expected in doc.text
    for key, value in fields.items():
        assert doc.fields.get(key) == value


# ---- JSON ---------------------------------------------------------------------------------------

JSON_FILES = [
    # (content, expected (record, text) pairs, expected error records)
    (
        '[{"title": "A", "body": "Alpha."}, 3, {"text": "Gamma."}]',
        [(1, "Alpha."), (3, "Gamma.")],
        [2],
    ),
    ('{\n  "title": "Pretty",\n  "body": "Printed object."\n}\n', [(1, "Printed object.")], []),
    (
        '{"status": "ok", "articles": [{"content": "One."}, {"content": "Two."}]}',
        [(1, "One."), (2, "Two.")],
        [],
    ),
    ('{"body": "Line one."}\n{"body": "Line two."}\n', [(1, "Line one."), (2, "Line two.")], []),
    ('{"body": "Line one."}\n{"body": \n', [(1, "Line one.")], [2]),
    ('"just a string"', [], [None]),
    ("[]", [], [None]),
]


@pytest.mark.parametrize(("content", "expected", "error_records"), JSON_FILES)
def test_json_files(
    tmp_path: Path, content: str, expected: list[tuple[int, str]], error_records: list[int | None]
) -> None:
    path = tmp_path / "export.json"
    path.write_text(content, encoding="utf-8")
    items = read(path)
    assert [(d.provenance.record, d.text) for d in docs(items)] == expected
    assert [e.record for e in errors(items)] == error_records
    assert all(d.provenance.kind is Kind.JSONL for d in docs(items))


def test_jsonl_oversized_line_is_one_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records_reader, "MAX_RECORD_BYTES", 100)
    path = tmp_path / "big.jsonl"
    lines = ['{"body": "small"}', json.dumps({"body": "x" * 500}), '{"body": "after"}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read(path)
    assert [d.text for d in docs(items)] == ["small", "after"]
    assert [(e.record, "larger than" in e.reason) for e in errors(items)] == [(2, True)]


def test_jsonl_is_not_limited_by_max_bytes(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps({"body": f"story {i}"}) + "\n" for i in range(50)))
    assert len(docs(read(path, max_bytes=100))) == 50


def test_jsonl_stray_cp1252_byte(tmp_path: Path) -> None:
    path = tmp_path / "legacy.jsonl"
    path.write_bytes(b'{"body": "Price \xa35"}\n')
    assert docs(read(path))[0].text == "Price £5"


# ---- CSV ----------------------------------------------------------------------------------------

CSV_FILES = [
    # (file name, content, --field options, expected [(title, body)], expected error substring)
    (
        "semi.csv",
        "headline;story;outlet\nA;Alpha text;X\nB;Beta text;Y\n",
        [],
        [("A", "Alpha text"), ("B", "Beta text")],  # "story" is unknown: guessed as the body
        None,
    ),
    (
        "semi.csv",
        "headline;story;outlet\nA;Alpha text;X\nB;Beta text;Y\n",
        ["body=story"],
        [("A", "Alpha text"), ("B", "Beta text")],
        None,
    ),
    ("pos.csv", "headline,story\nA,Alpha text\n", ["body=2"], [("A", "Alpha text")], None),
    (
        "ids.csv",
        "id,hed,copy\n1,Short one,A longer body for the first row\n2,Short two,Another longer body\n",
        [],
        [("Short one", "A longer body for the first row"), ("Short two", "Another longer body")],
        None,
    ),
    ("x.csv", "headline,story\nA,Alpha text\n", ["body=missing"], [], "no column 'missing'"),
    (
        "tab.tsv",
        "Title\tDescription\tURL\nA\tAlpha, with comma\thttps://a.example\n",
        [],
        [("A", "Alpha, with comma")],
        None,
    ),
    (
        "wide.csv",
        "2024-01-01,Short,A much longer piece of body text here,https://x.example/1,17\n"
        "2024-01-02,Brief,Another much longer piece of body text,https://x.example/2,18\n",
        [],
        [
            ("Short", "A much longer piece of body text here"),
            ("Brief", "Another much longer piece of body text"),
        ],
        None,
    ),
    (
        "pick.csv",
        "1,Alpha text that is long,A\n2,Beta text that is long,B\n",
        ["title=3", "body=2"],
        [("A", "Alpha text that is long"), ("B", "Beta text that is long")],
        None,
    ),
    ("named.csv", "1,Alpha,A\n", ["title=headline"], [], "no header row"),
    ("bom.csv", "\ufefftitle,body\nA,Alpha\n", [], [("A", "Alpha")], None),
]


@pytest.mark.parametrize(("name", "content", "options", "expected", "error"), CSV_FILES)
def test_csv_files(
    tmp_path: Path,
    name: str,
    content: str,
    options: list[str],
    expected: list[tuple[str, str | None]],
    error: str | None,
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    items = read(path, FieldMapping.from_specs(options))
    got = [(d.fields.get("title"), d.text) for d in docs(items)]
    assert got == [(title, body if body is not None else title) for title, body in expected]
    assert [e.reason for e in errors(items) if error and error in e.reason] == [
        e.reason for e in errors(items)
    ]
    assert len(errors(items)) == (1 if error else 0)


def test_csv_url_column_found_by_position(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(next(c[1] for c in CSV_FILES if c[0] == "wide.csv"), encoding="utf-8")
    assert docs(read(path))[0].fields["url"] == "https://x.example/1"


@pytest.mark.parametrize("field_limit", [100, None])
def test_csv_oversized_row_is_one_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field_limit: int | None
) -> None:
    monkeypatch.setattr(records_reader, "MAX_RECORD_BYTES", 100)
    previous = csv.field_size_limit()
    if field_limit is not None:  # the csv module's own limit trips first
        csv.field_size_limit(field_limit)
    path = tmp_path / "big.csv"
    path.write_text(f"title,body\nA,small\nB,{'x' * 60} {'y' * 60}\nC,after\n", encoding="utf-8")
    try:
        items = read(path)
    finally:
        csv.field_size_limit(previous)
    assert [d.text for d in docs(items)] == ["small", "after"]
    assert [(e.record, "larger than" in e.reason) for e in errors(items)] == [(2, True)]


def test_csv_in_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes("title,body\nCafé,“Quoted” résumé\n".encode("cp1252"))
    (doc,) = docs(read(path))
    assert (doc.fields["title"], doc.text) == ("Café", "“Quoted” résumé")


# ---- SGML ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [7, 64, 200, 1 << 20])
def test_sgml_same_records_whatever_the_chunk_size(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    expected = [
        (d.provenance.record, d.text, dict(d.fields)) for d in docs(read(FIXTURES / "sample.sgm"))
    ]
    monkeypatch.setattr(sgml_reader, "_CHUNK", chunk)
    items = read(FIXTURES / "sample.sgm")
    assert [(d.provenance.record, d.text, dict(d.fields)) for d in docs(items)] == expected
    assert [e.record for e in errors(items)] == [4]


def test_sgml_oversized_and_unterminated_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sgml_reader, "MAX_RECORD_BYTES", 300)
    monkeypatch.setattr(sgml_reader, "_CHUNK", 50)
    path = tmp_path / "odd.sgm"
    path.write_text(
        '<REUTERS NEWID="1"><TEXT><BODY>First.</BODY></TEXT>\n'  # no </REUTERS>
        f'<REUTERS NEWID="2"><TEXT><BODY>{"x" * 1000}</BODY></TEXT></REUTERS>\n'
        '<REUTERS NEWID="3"><TEXT><BODY>Third.</BODY></TEXT></REUTERS>\n'
        '<REUTERS NEWID="4"><TEXT><BODY>Fourth, cut off',
        encoding="latin-1",
    )
    items = read(path)
    assert [(d.provenance.record, d.fields["id"], d.text) for d in docs(items)] == [
        (1, "1", "First."),
        (3, "3", "Third."),
        (4, "4", "Fourth, cut off"),
    ]
    assert [(e.record, "larger than" in e.reason) for e in errors(items)] == [(2, True)]


@pytest.mark.parametrize(
    ("stated", "date"),
    [
        ("3-MAR-1987 09:30:12.45", "3-MAR-1987 09:30:12.45"),
        # Category codes after &#5; padding: the archive's "non-date noise material".
        ("5-MAR-1987 11:02:40.17&#5;&#5;&#5;RM", "5-MAR-1987 11:02:40.17"),
        ("5-MAR-1987 11:02:40.17&#5;&#5;&#5;C G T", "5-MAR-1987 11:02:40.17"),
        ("9-APR-1987 00:00:00.00    # a note on the date", "9-APR-1987 00:00:00.00"),
        ("sometime in March", "sometime in March"),  # not the archive's form: kept as stated
    ],
)
def test_sgml_date_without_noise(tmp_path: Path, stated: str, date: str) -> None:
    path = tmp_path / "dated.sgm"
    path.write_text(
        f'<REUTERS NEWID="7"><DATE>{stated}</DATE><TEXT><BODY>Text.</BODY></TEXT></REUTERS>\n',
        encoding="latin-1",
    )
    (doc,) = docs(read(path))
    assert doc.fields["date"] == date


def test_sgml_without_records(tmp_path: Path) -> None:
    path = tmp_path / "other.sgm"
    path.write_text("<DOC><TEXT>Not Reuters.</TEXT></DOC>\n")
    assert [e.reason for e in errors(read(path))] == ["no <REUTERS> records found"]


# ---- shards -------------------------------------------------------------------------------------


def _outcome(item: object) -> tuple[object, ...]:
    if isinstance(item, RawDocument):
        return ("doc", item.provenance.record, item.text, item.provenance.content_hash)
    assert isinstance(item, ReadError)
    return ("error", item.record, item.reason)


@pytest.mark.parametrize("count", [2, 3])
@pytest.mark.parametrize(
    "name",
    [
        "items.jsonl",
        "headline.csv",
        "noheader.csv",
        "sample.sgm",
        "feed.rss",
        "utf8.txt",
        "empty.txt",
    ],
)
def test_shards_partition_the_file(name: str, count: int) -> None:
    whole = [_outcome(i) for i in read_file(FIXTURES / name)]
    parts = [
        [_outcome(i) for i in read_file(FIXTURES / name, shard=(k, count))] for k in range(count)
    ]
    assert sorted((o for part in parts for o in part), key=repr) == sorted(whole, key=repr)
    for k, part in enumerate(parts):
        assert all(o[1] is None or (o[1] - 1) % count == k for o in part)  # type: ignore[operator]


def test_bad_shard_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="shard index"):
        list(read_file(FIXTURES / "items.jsonl", shard=(2, 2)))


# ---- limits and failures ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["utf8.txt", "page.html", "feed.rss"])
def test_file_over_max_bytes(name: str) -> None:
    size = (FIXTURES / name).stat().st_size
    (err,) = read(FIXTURES / name, max_bytes=100)
    assert isinstance(err, ReadError)
    assert "too large" in err.reason
    assert f"{size:,}" in err.reason


@pytest.mark.skipif(AS_ROOT, reason="root can read a chmod 000 file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("private")
    path.chmod(0)
    try:
        assert [(e.reason, e.record) for e in errors(read(path))] == [("permission denied", None)]
    finally:
        path.chmod(0o644)


@pytest.mark.parametrize("kind", ["missing", "directory", "broken-link", "fifo"])
def test_not_readable_paths(tmp_path: Path, kind: str) -> None:
    path = tmp_path / kind
    if kind == "directory":
        path.mkdir()
    elif kind == "broken-link":
        path.symlink_to(tmp_path / "nowhere")
    elif kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs on this platform")
        os.mkfifo(path)
    reasons = {
        "missing": "no such file or directory",
        "directory": "is a directory",
        "broken-link": "broken symbolic link",
        "fifo": "not a regular file",
    }
    assert [e.reason for e in errors(read(path))] == [reasons[kind]]


def test_reader_crash_becomes_read_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(info: object, max_bytes: int) -> Iterable[RawDocument]:
        raise RuntimeError("bug in a reader")

    import index.readers as readers

    monkeypatch.setattr(readers, "read_text", boom)
    (err,) = read(FIXTURES / "utf8.txt")
    assert isinstance(err, ReadError)
    assert "bug in a reader" in err.reason


SUFFIXES = [".txt", ".html", ".jsonl", ".json", ".csv", ".tsv", ".xml", ".rss", ".sgm", ""]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
        st.sampled_from(
            [b"<rss><channel><item>", b'{"body":', b"<REUTERS><BODY>", b"<html><p>", b'"a,"b\n']
        ),
    ),
    suffix=st.sampled_from(SUFFIXES),
)
def test_read_file_never_raises(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    for item in read_file(path):
        assert isinstance(item, RawDocument | ReadError)
        if isinstance(item, RawDocument):
            assert item.text.strip()


# ---- FieldMapping -------------------------------------------------------------------------------


def test_field_mapping_defaults_and_overrides() -> None:
    default = FieldMapping()
    assert default.candidates("title")[:2] == ("title", "headline")
    assert "doc_id" in default.candidates("id")
    custom = default.with_overrides({"title": "Hed", "Body": "3"})
    assert custom.candidates("title") == ("Hed",)
    assert custom.candidates("body") == ("3",)
    assert custom.explicit == ("body", "title")  # sorted: options records stay stable
    assert custom.candidates("source") == default.candidates("source")
    assert hash(custom) != hash(default)  # frozen and hashable


@pytest.mark.parametrize(
    ("specs", "expected"),
    [
        (["title=Hed"], {"title": "Hed"}),
        (["BODY = story text", "date=2"], {"body": "story text", "date": "2"}),
        (["title"], ValueError),
        (["colour=red"], ValueError),
        (["title="], ValueError),
    ],
)
def test_parse_specs(specs: list[str], expected: dict[str, str] | type[Exception]) -> None:
    if isinstance(expected, dict):
        assert FieldMapping.parse_specs(specs) == expected
        assert FieldMapping.from_specs(specs).explicit == tuple(sorted(expected))
    else:
        with pytest.raises(expected):
            FieldMapping.parse_specs(specs)


MAP_RECORDS = [
    ({"Headline": "H", "TEXT": "B"}, "B", {"title": "H"}),
    ({"title": "", "headline": "Second", "body": "B"}, "B", {"title": "Second"}),  # first non-empty
    ({"body": "B", "authors": ["A", {"name": "C"}, None]}, "B", {"byline": "A, C"}),
    ({"body": "B", "source": {"id": None, "name": "Wire"}}, "B", {"source": "Wire"}),
    (
        {"body": "B", "date": 1700000000, "lang": "de"},
        "B",
        {"date": "1700000000", "language": "de"},
    ),
    ({"body": ["P1", "P2"], "title": "T\n  two\tlines"}, "P1\n\nP2", {"title": "T two lines"}),
    ({"body": "B", "published": True, "wire": "AFP"}, "B", {"wires": "AFP"}),
]


@pytest.mark.parametrize(("record", "body", "fields"), MAP_RECORDS)
def test_map_record(record: dict[str, object], body: str, fields: dict[str, str]) -> None:
    assert map_record(record, FieldMapping()) == (body, fields)


def test_map_record_dotted_override() -> None:
    mapping = FieldMapping().with_overrides({"source": "source.name"})
    record = {"body": "B", "source": {"name": "Nested"}}
    assert map_record(record, mapping) == ("B", {"source": "Nested"})


# ---- discover -----------------------------------------------------------------------------------

TREE = FIXTURES / "tree"
DISCOVER = [
    # (include, exclude, include_hidden, expected relative paths)
    ((), (), False, ["a.txt", "b/c.html", "drafts/d.txt", "drafts/sub/f.md", "e.TXT"]),
    (("*.txt",), (), False, ["a.txt", "drafts/d.txt", "e.TXT"]),  # case-insensitive
    ((), ("drafts",), False, ["a.txt", "b/c.html", "e.TXT"]),  # excluded folder not entered
    ((), ("drafts/*",), False, ["a.txt", "b/c.html", "e.TXT"]),
    (("**/*.md",), (), False, ["drafts/sub/f.md"]),
    (("b/*",), (), False, ["b/c.html"]),
    ((), ("*.html", "e.*"), False, ["a.txt", "drafts/d.txt", "drafts/sub/f.md"]),
    (
        (),
        (),
        True,
        [
            ".cache/x.txt",
            "a.txt",
            "b/.hidden.txt",
            "b/c.html",
            "drafts/d.txt",
            "drafts/sub/f.md",
            "e.TXT",
        ],
    ),
]


@pytest.mark.parametrize(("include", "exclude", "hidden", "expected"), DISCOVER)
def test_discover(
    include: tuple[str, ...], exclude: tuple[str, ...], hidden: bool, expected: list[str]
) -> None:
    found = list(discover([TREE], include, exclude, include_hidden=hidden))
    assert all(isinstance(p, Path) for p in found)
    assert [p.relative_to(TREE).as_posix() for p in found if isinstance(p, Path)] == expected


def test_discover_paths_keep_the_given_form() -> None:
    found = list(discover([str(TREE / "b"), TREE / "a.txt", TREE / "a.txt"]))
    assert found == [TREE / "b" / "c.html", TREE / "a.txt"]  # a file given twice is listed once


def test_discover_problems_are_read_errors(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("fine")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "loop").symlink_to(tmp_path)  # a symlink loop must not recurse forever
    assert list(discover([tmp_path, tmp_path / "missing"])) == [
        ReadError(str(tmp_path / "dangling.txt"), "broken symbolic link"),
        tmp_path / "ok.txt",  # "loop" leads back to tmp_path, already being walked
        ReadError(str(tmp_path / "missing"), "no such file or directory"),
    ]


@pytest.mark.skipif(AS_ROOT, reason="root can list a chmod 000 folder")
def test_discover_unreadable_folder(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x.txt").write_text("x")
    locked.chmod(0)
    try:
        (err,) = discover([tmp_path])
        assert isinstance(err, ReadError)
        assert err.reason == "permission denied"
    finally:
        locked.chmod(0o755)


# ---- the shared corpora -------------------------------------------------------------------------


@pytest.mark.corpus
def test_corpora_read_without_raising(corpora: Path) -> None:
    docs_by: Counter[str] = Counter()
    errors_by: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    started = time.perf_counter()
    for path in discover([corpora]):
        assert isinstance(path, Path), path
        rel = path.relative_to(corpora).parts
        if path.suffix == ".sgm":
            group = "reut2-*.sgm"
        elif rel[0] == "bbc" and len(rel) == 3:
            group = "bbc/*.txt"
        else:
            group = path.name
        for item in read_file(path):
            if isinstance(item, ReadError):
                errors_by[group] += 1
                reasons[item.reason] += 1
            else:
                docs_by[group] += 1
                assert item.text.strip()
    sgm = corpora / "reuters21578" / "reut2-000.sgm"
    halves = [sum(1 for _ in read_file(sgm, shard=(k, 2))) for k in range(2)]
    assert halves == [500, 500]
    elapsed = time.perf_counter() - started
    records = docs_by + errors_by
    assert records["reut2-*.sgm"] == 21_578
    assert docs_by["reut2-*.sgm"] >= 21_570  # only empty UNPROC stubs have no text
    assert records["reuters21578.jsonl"] == 21_578
    assert docs_by["bbc/*.txt"] == 2_225
    assert docs_by["bbc.jsonl"] == 2_225
    assert docs_by["test.csv"] == 7_600
    assert set(reasons) <= {"record has no text"}
    assert elapsed < 60
