"""Per-generation arrays read once from the index and shared by every thread's searcher.

Whoosh readers must not be shared between threads (TECH-NOTES), but plain Python lists built from
them can be. :class:`IndexData` holds, per docnum: facet value codes (source, wires, year, month,
day, language), the publication day, BM25 length norms per field, the article id (lazily, for story
grouping), the text vocabulary (lazily, for wildcards, fuzzy terms and suggestions) and a bounded
cache of decoded posting lists. Each loader takes the calling thread's searcher and runs once,
under a lock.
"""

from __future__ import annotations

import bisect
import pickle
import struct
import sys
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from whoosh import formats
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.filedb.filetables import _lengths as _TABLE_LENGTHS
from whoosh.matching.mcore import ListMatcher
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length, length_to_byte

from index.schema import NO_DATE_KEY

B = 0.75
K1 = 1.2
_US_PER_DAY = 86_400_000_000
NO_DAY = -1
# Decoded postings kept between searches (ids + weights, 8 bytes each): ~32 MB.
POSTINGS_CACHE_ENTRIES = 4_000_000
# Terms with fewer postings are cheap to read again and not worth a cache slot.
POSTINGS_CACHE_MIN = 2_000
# The lead has no postings of its own: it is the body's first ``lead_len`` positions.
LEAD = "lead"
LEAD_LEN_COLUMN = "lead_len"


def leaves(reader: Any) -> list[tuple[Any, int]]:
    """(segment reader, docnum offset) of the segments holding documents."""
    # An index without segments reads through an EmptyReader, which has no columns or terms.
    return [(leaf, off) for leaf, off in reader.leaf_readers() if leaf.doc_count_all() > 0]


# W3TermInfo's packed header ("!BfIBBfII"): the doc frequency at byte 5, the first docnum at 15.
_DF = struct.Struct("!I")
_MINID = struct.Struct("!I")
_MINID_END = 19


def _field_items(leaf: Any, fieldname: str) -> Iterator[tuple[bytes, bytes]]:
    """(term bytes, packed term info) of one field of a segment, without decoding the infos."""
    # Whoosh reads each key and value with two file calls; one read of the table is 4x faster.
    terms = leaf._terms
    if fieldname not in terms._fieldmap:
        return
    prefix = terms._keycoder(fieldname, b"")
    plen = len(prefix)
    tindex = terms._tindex
    pos = tindex.closest_key_pos(prefix)
    if pos is None:
        return
    blob = tindex.dbfile.get(pos, tindex.endofdata - pos)
    unpack = _TABLE_LENGTHS.unpack_from
    step = _TABLE_LENGTHS.size
    i, n = 0, len(blob)
    while i < n:
        klen, dlen = unpack(blob, i)
        i += step
        key = blob[i : i + klen]
        i += klen
        if key[:plen] != prefix:
            break
        yield key[plen:], blob[i : i + dlen]
        i += dlen


@dataclass
class FacetColumn:
    """A column as small integer codes per docnum, the code → value table and lazy inverted sets."""

    codes: list[int]
    values: list[str]
    index: dict[str, int]
    _docs: list[set[int]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, raw: Iterable[str]) -> FacetColumn:
        """Encode values (strings) to codes."""
        index: dict[str, int] = {}
        codes = [index.setdefault(v, len(index)) for v in raw]
        values = [""] * len(index)
        for v, c in index.items():
            values[c] = v
        return cls(codes, values, index)

    def docs_of(self, code: int) -> set[int]:
        """Docnums whose value has this code."""
        with self._lock:
            if self._docs is None:
                docs: list[set[int]] = [set() for _ in self.values]
                for d, c in enumerate(self.codes):
                    docs[c].add(d)
                self._docs = docs
        return self._docs[code]

    def docs_for(self, values: Iterable[str]) -> set[int]:
        """Docnums whose value is any of ``values``."""
        out: set[int] = set()
        for v in values:
            c = self.index.get(v)
            if c is not None:
                out |= self.docs_of(c)
        return out


@dataclass
class DateColumns:
    """Publication days and the two date orders (no-date articles last in both)."""

    days: list[int]  # proleptic ordinal of the UTC day, NO_DAY when unknown
    stamps: list[int]  # Whoosh's microseconds since datetime.min; 0 when unknown
    dated: list[int]  # docnums with a date sorted by (stamp, docnum)
    dated_days: list[int]  # their days, ascending (for bisect)
    rank_newest: array[int]  # position of each docnum in the newest-first order
    rank_oldest: array[int]
    newest: list[int]  # every docnum, newest first, then the undated
    oldest: list[int]  # every docnum, oldest first, then the undated

    def between(self, first: int | None, last: int | None) -> list[int]:
        """Docnums dated between two day ordinals (inclusive; None is open)."""
        lo = 0 if first is None else bisect.bisect_left(self.dated_days, first)
        hi = len(self.dated_days) if last is None else bisect.bisect_right(self.dated_days, last)
        return self.dated[lo:hi]


class IndexData:
    """Shared, lazily loaded per-docnum arrays for one index generation."""

    def __init__(self, searcher: Any, key: tuple[str, int]) -> None:
        self.key = key
        reader = searcher.reader()
        self.doc_count = reader.doc_count_all()
        self.leaf_offsets = [off for _r, off in leaves(reader)]
        deleted: set[int] = set()
        for leaf, off in leaves(reader):
            if leaf.has_deletions():
                deleted.update(off + d for d in leaf._perdoc.deleted_docs())
        self.deleted = deleted
        live = set(range(self.doc_count))
        live -= deleted
        self.live = live
        self._lock = threading.RLock()
        self._norms: dict[str, list[float]] = {}
        self._facets: dict[str, FacetColumn] = {}
        self._dates: DateColumns | None = None
        self._ids: list[str] | None = None
        self._id_index: dict[str, int] | None = None
        self._vocab: tuple[list[str], list[int]] | None = None
        self._postings: OrderedDict[tuple[int, str, bytes], tuple[array[int], array[float]]] = (
            OrderedDict()
        )
        self._postings_size = 0
        self._plock = threading.Lock()
        self._lead_lens: dict[int, Sequence[int]] = {}  # leaf number -> lead length per docnum
        self.extra: dict[Any, Any] = {}  # other per-generation caches (story groups …)

    # --- loading helpers -----------------------------------------------------------------

    def _once(self, attr: str, load: Callable[[], Any]) -> Any:
        value = getattr(self, attr)
        if value is None:
            with self._lock:
                value = getattr(self, attr)
                if value is None:
                    value = load()
                    setattr(self, attr, value)
        return value

    @staticmethod
    def _column(searcher: Any, name: str) -> list[Any]:
        values: list[Any] = []
        for leaf, _off in leaves(searcher.reader()):
            values.extend(
                column_values(leaf.column_reader(name, translate=False), leaf.doc_count_all())
            )
        return values

    # --- columns ---------------------------------------------------------------------------

    def facet(self, searcher: Any, name: str) -> FacetColumn:
        """The coded column for source_key, wires, year, month, day or language."""
        col = self._facets.get(name)
        if col is None:
            with self._lock:
                col = self._facets.get(name)
                if col is None:
                    raw = self._column(searcher, name)
                    decoded = [
                        v.decode("utf-8", "replace") if isinstance(v, bytes) else (v or "")
                        for v in raw
                    ]
                    col = self._facets[name] = FacetColumn.build(decoded)
        return col

    def dates(self, searcher: Any) -> DateColumns:
        """Days and date orders."""
        return self._once("_dates", lambda: self._load_dates(searcher))  # type: ignore[no-any-return]

    def _load_dates(self, searcher: Any) -> DateColumns:
        years = self.facet(searcher, "year")
        none_code = years.index.get(NO_DATE_KEY, -1)
        raw = self._column(searcher, "date")
        n = self.doc_count
        stamps = [0] * n
        days = [NO_DAY] * n
        for d, (v, yc) in enumerate(zip(raw, years.codes, strict=False)):
            if yc != none_code and v:
                stamps[d] = v
                days[d] = v // _US_PER_DAY + 1
        # sorted() is stable and the input is in docnum order, so equal dates stay in docnum order.
        dated_docs = [d for d in range(n) if days[d] != NO_DAY]
        dated = sorted(dated_docs, key=stamps.__getitem__)
        negated = [-v for v in stamps]
        undated = [d for d in range(n) if days[d] == NO_DAY]
        newest = sorted(dated_docs, key=negated.__getitem__) + undated
        oldest = dated + undated
        rank_newest = array("i", bytes(4 * n))
        rank_oldest = array("i", bytes(4 * n))
        for i, d in enumerate(newest):
            rank_newest[d] = i
        for i, d in enumerate(oldest):
            rank_oldest[d] = i
        return DateColumns(
            days, stamps, dated, [days[d] for d in dated], rank_newest, rank_oldest, newest, oldest
        )

    def norms(self, searcher: Any, fieldname: str) -> list[float]:
        """BM25 length normalisation ``K1 * (1 - B + B * length / average)`` per docnum."""
        norms = self._norms.get(fieldname)
        if norms is None:
            with self._lock:
                norms = self._norms.get(fieldname)
                if norms is None:
                    norms = self._norms[fieldname] = self._load_norms(searcher, fieldname)
        return norms

    def _load_norms(self, searcher: Any, fieldname: str) -> list[float]:
        if fieldname == LEAD:
            return self._lead_norms(searcher)
        avg = searcher.avg_field_length(fieldname) or 1.0
        table = [K1 * ((1 - B) + B * byte_to_length(b) / avg) for b in range(256)]
        out: list[float] = []
        for leaf, _off in leaves(searcher.reader()):
            reader = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            count = leaf.doc_count_all()
            if reader is None:
                out.extend([table[0]] * count)
            else:
                out.extend(map(table.__getitem__, column_values(reader, count)))
        return out

    def _lead_norms(self, searcher: Any) -> list[float]:
        # What Whoosh would compute for a lead field: the average of the exact lengths, and each
        # document's length as its one-byte length code stores it.
        lengths: list[int] = []
        for leaf_no, (leaf, _off) in enumerate(leaves(searcher.reader())):
            lengths.extend(self.lead_lengths(leaf_no, leaf))
        avg = (sum(lengths) / len(lengths) if lengths else 0.0) or 1.0
        table = [K1 * ((1 - B) + B * byte_to_length(b) / avg) for b in range(256)]
        return [table[length_to_byte(n) if n else 0] for n in lengths]

    def lead_lengths(self, leaf_no: int, leaf: Any) -> Sequence[int]:
        """Words in each document's lead (leaf-local docnums; 0 for an index without them)."""
        found = self._lead_lens.get(leaf_no)
        if found is None:
            count = leaf.doc_count_all()
            try:
                reader = leaf.column_reader(LEAD_LEN_COLUMN, translate=False)
            except Exception:  # a segment without the column
                reader = None
            found = column_values(reader, count) if reader is not None else [0] * count
            with self._plock:
                self._lead_lens[leaf_no] = found
        return found

    def ids(self, searcher: Any) -> list[str]:
        """Article id per docnum (from the id field's terms: no stored fields are read)."""
        return self._once("_ids", lambda: self._load_ids(searcher))  # type: ignore[no-any-return]

    def _load_ids(self, searcher: Any) -> list[str]:
        ids = [""] * self.doc_count
        fmt = searcher.schema["id"].format
        for leaf, off in leaves(searcher.reader()):
            for tbytes, info in _field_items(leaf, "id"):
                df = _DF.unpack_from(info, 5)[0]
                if df == 1 and len(info) >= _MINID_END:
                    ids[off + _MINID.unpack_from(info, 15)[0]] = tbytes.decode("utf-8")
                else:
                    for d in leaf._terms.matcher("id", tbytes, fmt).all_ids():
                        ids[off + d] = tbytes.decode("utf-8")
        return ids

    def docnum_of(self, searcher: Any, article_id: str) -> int | None:
        """The live docnum of an article id."""
        index = self._id_index
        if index is None:
            with self._lock:
                if self._id_index is None:
                    ids = self.ids(searcher)
                    self._id_index = {
                        a: d for d, a in enumerate(ids) if a and d not in self.deleted
                    }
                index = self._id_index
        return index.get(article_id)

    def vocabulary(self, searcher: Any) -> tuple[list[str], list[int]]:
        """Sorted distinct words of title and body (the lead is in the body), with body frequency."""
        return self._once("_vocab", lambda: self._load_vocab(searcher))  # type: ignore[no-any-return]

    def _load_vocab(self, searcher: Any) -> tuple[list[str], list[int]]:
        freq: dict[bytes, int] = {}
        get = freq.get
        for leaf, _off in leaves(searcher.reader()):
            for tbytes, info in _field_items(leaf, "body"):
                freq[tbytes] = get(tbytes, 0) + _DF.unpack_from(info, 5)[0]
            for tbytes, _info in _field_items(leaf, "title"):
                if tbytes not in freq:
                    freq[tbytes] = 0
        words = sorted(freq)
        return [w.decode("utf-8", "replace") for w in words], [freq[w] for w in words]

    # --- postings --------------------------------------------------------------------------

    def read_postings(
        self,
        leaf_no: int,
        leaf: Any,
        fieldname: str,
        tbytes: bytes,
        restrict: Sequence[int] | None = None,
    ) -> tuple[Sequence[int], Sequence[float]] | None:
        """Leaf-local (ids, weights) of a term, or None when the leaf lacks it.

        ``restrict`` (sorted leaf-local docnums) lets blocks without any of them go unread; the
        result then holds at least those docnums' postings. Whole lists are cached when long.
        """
        key = (leaf_no, fieldname, tbytes)
        with self._plock:
            hit = self._postings.get(key)
            if hit is not None:
                self._postings.move_to_end(key)
        if hit is not None:
            return hit
        if fieldname == LEAD:
            return self._lead_postings(key, leaf_no, leaf, tbytes)
        terms = leaf._terms
        try:
            info = terms.term_info(fieldname, tbytes)
        except Exception:  # TermNotFound, or a field this segment lacks
            return None
        m = terms._codec.postings_reader(terms._postfile, info, leaf.schema[fieldname].format)
        if isinstance(m, ListMatcher):
            ids = m._ids
            weights = m._weights if m._weights is not None else [1.0] * len(ids)
            return ids, weights
        ids_out: array[int] = array("i")
        w_out: array[float] = array("f")
        if restrict is not None and len(restrict) * 8 < info.doc_frequency():
            ci, nc = 0, len(restrict)
            while not m._atend and ci < nc:
                maxid = m._maxid
                if restrict[ci] <= maxid:
                    m._read_ids()
                    m._read_weights()
                    ids_out.extend(m._ids)
                    w_out.extend(m._weights)
                    while ci < nc and restrict[ci] <= maxid:
                        ci += 1
                m._next_block()
            return ids_out, w_out
        while not m._atend:
            m._read_ids()
            m._read_weights()
            ids_out.extend(m._ids)
            w_out.extend(m._weights)
            m._next_block()
        self._cache(key, ids_out, w_out)
        return ids_out, w_out

    def _cache(
        self,
        key: tuple[int, str, bytes],
        ids: array[int],
        weights: array[float],
        min_length: int = POSTINGS_CACHE_MIN,
    ) -> None:
        if len(ids) < min_length:
            return
        with self._plock:
            if key not in self._postings:
                self._postings[key] = (ids, weights)
                self._postings_size += len(ids)
                while self._postings_size > POSTINGS_CACHE_ENTRIES and len(self._postings) > 1:
                    _k, (old, _w) = self._postings.popitem(last=False)
                    self._postings_size -= len(old)

    def _lead_postings(
        self, key: tuple[int, str, bytes], leaf_no: int, leaf: Any, tbytes: bytes
    ) -> tuple[Sequence[int], Sequence[float]] | None:
        """A word's lead postings: its body postings with a position inside the lead.

        The weight is the word's frequency within the lead, as a lead field of its own would
        have it; documents whose lead lacks the word are left out.
        """
        got = read_values(leaf, "body", tbytes)
        if got is None:
            return None
        lens = self.lead_lengths(leaf_no, leaf)
        decode = position_decoder(leaf.schema["body"].format)
        ids_out: array[int] = array("i")
        w_out: array[float] = array("f")
        for d, value in zip(*got, strict=True):
            limit = lens[d]
            if not limit:
                continue
            positions = decode(value)
            if positions[0] >= limit:
                continue
            ids_out.append(d)
            w_out.append(float(bisect.bisect_left(positions, limit)))
        if not ids_out:
            return None
        # Decoding positions costs more than reading postings: keep even short lists (a query
        # asks for a word's lead postings twice, for its frequency and for its documents).
        self._cache(key, ids_out, w_out, min_length=1)
        return ids_out, w_out

    def clear_postings_cache(self) -> None:
        """Forget cached posting lists (benchmarks measure cold reads with this)."""
        with self._plock:
            self._postings.clear()
            self._postings_size = 0


def column_values(reader: Any, count: int) -> Sequence[Any]:
    """All values of a column reader, read in bulk (Whoosh reads one value per call)."""
    # Whoosh's readers fetch one value per call (~1 µs each); these read the column's bytes once.
    cls = type(reader).__qualname__
    try:
        if cls == "VarBytesColumn.Reader":
            offsets, lengths, base = reader._offsets, reader._lengths, reader._basepos
            if not count:
                return []
            end = offsets[-1] + lengths[-1]
            blob = reader._dbfile.get(base, end)
            return [blob[o : o + n] for o, n in zip(offsets, lengths, strict=False)]
        if cls == "NumericColumn.Reader":
            code, width = reader._typecode, reader._fixedlen
            have = min(reader._count, count)
            data = reader._dbfile.get(reader._basepos, have * width)
            values = array(code)
            if values.itemsize != width:
                raise TypeError("width")
            values.frombytes(data)
            if width > 1 and sys.byteorder == "little":
                values.byteswap()  # Whoosh writes numbers big-endian ("!")
            out = values.tolist()
            if have < count:
                out.extend([reader._default] * (count - have))
            return out
    except (AttributeError, TypeError, ValueError):
        pass
    return [reader[d] for d in range(count)]


def read_values(
    leaf: Any, fieldname: str, tbytes: bytes, restrict: Sequence[int] | None = None
) -> tuple[Sequence[int], Sequence[Any]] | None:
    """Leaf-local ids and encoded posting values (positions) of a term, read in one pass.

    ``restrict`` (sorted leaf-local docnums) skips blocks holding none of them when that saves
    work. Values are not cached: phrases need them only for their candidates.
    """
    terms = leaf._terms
    try:
        info = terms.term_info(fieldname, tbytes)
    except Exception:  # TermNotFound, or a field this segment lacks
        return None
    m = terms._codec.postings_reader(terms._postfile, info, leaf.schema[fieldname].format)
    if isinstance(m, ListMatcher):
        return m._ids, m._values
    ids: list[int] = []
    values: list[Any] = []
    if restrict is not None and len(restrict) * 8 < info.doc_frequency():
        ci, nc = 0, len(restrict)
        while not m._atend and ci < nc:
            maxid = m._maxid
            if restrict[ci] <= maxid:
                m._read_ids()
                m._read_values()
                ids.extend(m._ids)
                values.extend(m._values)
                while ci < nc and restrict[ci] <= maxid:
                    ci += 1
            m._next_block()
        return ids, values
    while not m._atend:
        m._read_ids()
        m._read_values()
        ids.extend(m._ids)
        values.extend(m._values)
        m._next_block()
    return ids, values


def position_decoder(fmt: Any) -> Callable[[bytes], list[int]]:
    """A function decoding one posting value into positions (fast path for Whoosh's format)."""
    if (
        isinstance(fmt, formats.Positions)
        and type(fmt).decode_positions is formats.Positions.decode_positions
    ):
        # The same encoding as Positions.decode_positions (a pickled list of deltas after the
        # frequency), summed in C.
        def decode(value: bytes) -> list[int]:
            if not value.endswith(b"."):
                value += b"."
            return list(accumulate(pickle.loads(value[_INT_SIZE:])))

        return decode
    return fmt.decode_positions  # type: ignore[no-any-return]
