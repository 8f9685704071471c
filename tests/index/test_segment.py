"""BulkSegmentWriter writes what Whoosh's own SegmentWriter writes.

Every file is byte-for-byte the same except the postings: pickle shares one object for repeated
identical position codes (a back-reference instead of a copy), so blocks can be a few bytes shorter
and term offsets shift. Those are compared decoded: every term's statistics and every block's
header and data.
"""

from __future__ import annotations

import io
import pickle
import struct
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import SegmentWriter

from index import store
from index.extract import ExtractOptions, extract
from index.model import RawDocument
from index.readers import FieldMapping, discover, read_file
from index.schema import to_document
from index.segment import BulkSegmentWriter, postings_budget

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"


def _demo_documents() -> list[dict[str, Any]]:
    docs = []
    for path in discover([DEMO], (), ()):
        if not isinstance(path, Path):
            continue
        for raw in read_file(path, FieldMapping(), max_bytes=1 << 26):
            if isinstance(raw, RawDocument):
                docs.append(to_document(extract(raw, ExtractOptions())))
    return docs


def _write(where: Path, writer_class: type, docs: list[dict[str, Any]]) -> dict[str, Any]:
    where.mkdir()
    ix = store.create_generation(where, {})
    w = writer_class(ix, codec=W3Codec(compression=0), compound=False)
    for doc in docs:
        w.add_document(**doc)
    segment = w._finalize_segment()
    prefix = f"{segment.indexname}_{segment.segid}"
    files = {}
    for name in ix.storage.list():
        if name.startswith(prefix):
            files[name[len(prefix) :]] = ix.storage.open_file(name).read()
    files[".trm"], files[".pst"] = _decoded_postings(ix, segment)
    files["<lengths>"] = repr(sorted(segment._fieldlengths.items())).encode()
    files["<count>"] = repr(segment.doc_count_all()).encode()
    return files


def _decoded_postings(ix: Any, segment: Any) -> tuple[list[Any], list[Any]]:
    """(term, statistics) rows and, per term, its decoded blocks."""
    codec = segment.codec()
    terms = codec.terms_reader(ix.storage, segment)
    postfile = segment.open_file(ix.storage, W3Codec.POSTS_EXT)
    rows, blocks = [], []
    for (fieldname, btext), info in terms.items():
        rows.append(
            (
                fieldname,
                btext,
                info.weight(),
                info.doc_frequency(),
                info.min_length(),
                info.max_length(),
                info.max_weight(),
                info.min_id(),
                info.max_id(),
                info.is_inlined(),
            )
        )
        offset, length = info.extent()
        if isinstance(length, tuple):  # Whoosh's from_bytes leaves the unpacked 1-tuple
            (length,) = length
        data = postfile.get(offset, length)
        assert data[:4] == b"W3Bl"
        i, term_blocks = 4, []
        while i < len(data):
            n = struct.unpack("!i", data[i : i + 4])[0]
            raw = data[i + 4 : i + 4 + abs(n)]
            i += 4 + abs(n)
            unpickler = pickle.Unpickler(io.BytesIO(raw))
            term_blocks.append((n < 0, unpickler.load(), unpickler.load()))
        blocks.append(term_blocks)
    terms.close()
    return rows, blocks


def _assert_same(tmp: Path, docs: list[dict[str, Any]]) -> None:
    stock = _write(tmp / "stock", SegmentWriter, docs)
    bulk = _write(tmp / "bulk", BulkSegmentWriter, docs)
    assert sorted(bulk) == sorted(stock)
    for name in stock:
        assert bulk[name] == stock[name], f"{name} differs"


def test_demo_archive_files_are_identical(tmp_path: Path) -> None:
    docs = _demo_documents()
    assert len(docs) > 60
    # Repeat the archive so long posting lists span several 128-posting blocks.
    many = []
    for i in range(3):
        for doc in docs:
            many.append({**doc, "id": f"{doc['id']}-{i}", "url": f"{doc['url']}#{i}"})
    _assert_same(tmp_path, many)


_WORDS = st.sampled_from(
    ["storm", "Storm", "the", "ç", "naïve", "u.s", "don't", "9.00", "ab", "x" * 40, "élan", "日本"]
)
_TEXT = st.lists(_WORDS, max_size=40).map(" ".join)
_DOC = st.fixed_dictionaries(
    {
        "title": _TEXT,
        "body": _TEXT,
        "lead_len": st.integers(0, 70),
        "source": _TEXT,
        "source_key": st.sampled_from(["", "ABC News", "Reuters"]),
        "wire": st.lists(st.sampled_from(["ap", "reuters", "AFP"]), max_size=3).map(",".join),
        "year": st.sampled_from(["none", "2019"]),
        "word_count": st.integers(0, 5000),
    },
    optional={
        "byline": _TEXT,
        "date": st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
        "meta": st.text(max_size=5),
    },
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(docs=st.lists(_DOC, min_size=1, max_size=30))
def test_random_documents_files_are_identical(
    tmp_path_factory: Any, docs: list[dict[str, Any]]
) -> None:
    docs = [{**d, "id": f"d{i}", "path": f"/p/{i % 3}"} for i, d in enumerate(docs)]
    _assert_same(tmp_path_factory.mktemp("seg"), docs)


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    (tmp_path / "g").mkdir()
    ix = store.create_generation(tmp_path / "g", {})
    w = BulkSegmentWriter(ix)
    with pytest.raises(Exception, match="nonsense"):
        w.add_document(id="a", nonsense="x")
    w.cancel()


def test_posting_count_and_budget(tmp_path: Path) -> None:
    (tmp_path / "g").mkdir()
    ix = store.create_generation(tmp_path / "g", {})
    w = BulkSegmentWriter(ix)
    w.add_document(id="a", body="one two two", title="one")
    assert w.posting_count == 4  # id:a, body:one, body:two, title:one
    w.cancel()
    assert postings_budget(128) > 800_000


def test_refused_document_leaves_nothing_behind(tmp_path: Path) -> None:
    docs = _demo_documents()[:12]
    stock = _write(tmp_path / "stock", SegmentWriter, docs)
    (tmp_path / "bulk").mkdir()
    ix = store.create_generation(tmp_path / "bulk", {})
    w = BulkSegmentWriter(ix, codec=W3Codec(compression=0), compound=False)
    for i, doc in enumerate(docs):
        w.add_document(**doc)
        if i == 5:  # a bad value in a late field, after text fields that index fine
            with pytest.raises(ValueError, match="takes text"):
                w.add_document(**{**doc, "id": "bad", "url": 404})
    segment = w._finalize_segment()
    assert segment.doc_count_all() == len(docs)
    prefix = f"{segment.indexname}_{segment.segid}"
    for name in ix.storage.list():
        if name.startswith(prefix) and name[len(prefix) :] not in (".trm", ".pst"):
            assert ix.storage.open_file(name).read() == stock[name[len(prefix) :]], name
    assert _decoded_postings(ix, segment) == (stock[".trm"], stock[".pst"])


def test_long_documents_files_are_identical(tmp_path: Path) -> None:
    """Positions past the ready-made one-position codes, and long posting lists in one document."""
    words = [f"w{i}" for i in range(6000)]  # each once: one-position postings up to 6000
    body = " ".join(words) + " " + " ".join(["again"] * 300)
    docs = [
        {"id": f"long{i}", "body": body if i % 2 else "short text", "title": "t", "path": "/p"}
        for i in range(4)
    ]
    _assert_same(tmp_path, docs)
