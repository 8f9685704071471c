"""Writing Whoosh segments fast: the same files Whoosh writes, without its per-posting machinery.

Whoosh's ``SegmentWriter`` turns every posting into a tuple, pushes it through an external sorting
pool (pickled runs on disk once the pool is full), merges the runs back and writes each posting with
a chain of per-posting calls; on Reuters that was ~80% of indexing time. :class:`BulkSegmentWriter`
keeps a segment's postings in memory, grouped by field and term as they are made, sorts only the
terms at the end and writes each posting *block* in one step through Whoosh's own block writer. The
postings, term infos, lengths, stored fields and columns it writes are byte-for-byte those of the
stock writer with the same codec (``tests/index/test_segment.py`` compares the files).

Memory grows with the segment, so the caller starts a new segment once :attr:`posting_count`
passes its budget (:func:`postings_budget`).
"""

from __future__ import annotations

import zlib
from array import array
from hashlib import md5
from itertools import accumulate
from operator import sub
from pickle import dumps
from typing import Any

from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3TermInfo,
    _lenfield,
)
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import UnknownFieldError
from whoosh.filedb.filetables import _lengths as _KV_LENGTHS
from whoosh.filedb.filetables import md5_hash
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.util.numlists import GrowableArray
from whoosh.writing import SegmentWriter

from index.schema import (
    CoarseDatetime,
    FastExistence,
    FastFrequency,
    FastKeywords,
    FastPositions,
    _positions,
)

# Bytes of memory one buffered posting costs: 125 on Reuters, ~200 on BBC (list slots, the encoded
# positions of text fields, per-term overhead spread over its postings).
POSTING_BYTES = 150

_LENGTH_TABLE = [byte_to_length(b) for b in range(256)]


def postings_budget(limitmb: int) -> int:
    """How many postings a segment may buffer in ``limitmb`` megabytes."""
    return max(10_000, limitmb * 1024 * 1024 // POSTING_BYTES)


class FastSegmentWriter(SegmentWriter):  # type: ignore[misc]
    """A SegmentWriter whose commit reads field lengths from memory, not once per posting from disk.

    Whoosh's ``add_postings`` asks the on-disk length column for every posting (a seek and a read
    each); on Reuters that was ~30% of commit time. Loading each length column once is equivalent.
    Posting blocks are written uncompressed: most hold one or two postings, where zlib costs time
    and saves nothing; readers handle either form.
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        kwargs.setdefault("codec", W3Codec(compression=0))
        # Whoosh copies each file of a compound segment into memory when a searcher opens it
        # (BytesIO over the mmap): ~600 MB per searcher at 100k articles. Plain files are read
        # through the OS cache instead.
        kwargs.setdefault("compound", False)
        super().__init__(ix, **kwargs)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        lengths = _CachedLengths(pdr) if pdr is not None else None
        try:
            self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
            self.fieldwriter.close()
        finally:
            if pdr is not None:
                pdr.close()

    def commit_with(self, extra_segments: list[Any]) -> None:
        """Commit this writer's changes plus segments written by worker processes, in one TOC."""
        self._check_state()
        final = self._merge_segments(None, False, True)
        if self._added:
            final.append(self._finalize_segment())
        else:
            self._close_segment()
        final.extend(extra_segments)
        self._commit_toc(final)
        self._finish()


class _CachedLengths:
    def __init__(self, pdr: Any) -> None:
        self._pdr = pdr
        self._columns: dict[str, Any] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        col = self._columns.get(fieldname)
        if col is None:
            reader = self._pdr._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            col = self._columns[fieldname] = reader.load() if reader is not None else ()
        if docnum >= len(col):
            return default
        return _LENGTH_TABLE[col[docnum]]


# How a field's postings are buffered (see BulkSegmentWriter._plan_field).
_POSITIONS, _FREQUENCY, _KEYWORDS, _EXISTENCE, _GENERIC, _DATE = range(6)
_TEXT_MODES = frozenset({_POSITIONS, _FREQUENCY, _KEYWORDS, _EXISTENCE})


# Positions whose one-position code is kept ready (most postings are a word's only use).
_SINGLE_CODES = 4096
_SINGLE = tuple(pack_uint(1) + dumps([p], 2) for p in range(_SINGLE_CODES))


def _encode_positions(poslist: list[int]) -> bytes:
    """Whoosh's Positions encoding of a posting's positions (the frequency, pickled deltas)."""
    if len(poslist) == 1 and poslist[0] < _SINGLE_CODES:
        return _SINGLE[poslist[0]]
    deltas = [poslist[0], *map(sub, poslist[1:], poslist)]
    return pack_uint(len(deltas)) + dumps(deltas, 2)


class BulkSegmentWriter(FastSegmentWriter):
    """A segment writer that buffers postings per term in memory and writes them block by block.

    Only ``add_document`` and the segment flush differ from Whoosh; deletions, commit and the
    files are Whoosh's. Fields with this module's fast formats skip Token objects entirely; any
    other indexed field goes through its own ``index()``. Per-document values (stored fields,
    field lengths, columns) skip the per-document writer's call chain too: stored fields go
    straight to their column writer, lengths and column values are kept as arrays and written
    in bulk when the segment is flushed (the same bytes Whoosh's per-value calls write).
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self._names = set(self.schema.names())
        self._plan = [self._plan_field(name) for name in sorted(self._names)]
        # field -> term (str, or bytes for generic fields) -> flat list of posting data
        self._terms: dict[str, dict[Any, list[Any]]] = {}
        # field -> length byte per document, for the block statistics of scorable fields
        self._lenbytes: dict[str, array[int]] = {}
        self._totals: dict[str, int] = {}  # field -> summed lengths (the segment's statistics)
        # column field -> (docnums, values), written at flush
        self._columns: dict[str, tuple[list[int], list[Any]]] = {}
        self._stored = self.perdocwriter._get_column("_stored")
        self.posting_count = 0

    def _plan_field(self, name: str) -> tuple[str, Any, int, bool, bool, Any]:
        field = self.schema[name]
        fmt = field.format
        if not field.indexed or fmt is None:
            mode = -1
        elif isinstance(fmt, FastPositions):
            mode = _POSITIONS
        elif isinstance(fmt, FastKeywords):
            mode = _KEYWORDS
        elif isinstance(fmt, FastFrequency):
            mode = _FREQUENCY
        elif isinstance(fmt, FastExistence):
            mode = _EXISTENCE
        elif isinstance(field, CoarseDatetime):
            mode = _DATE
        else:
            mode = _GENERIC
        if field.separate_spelling() or field.vector:
            raise ValueError(f"field {name!r}: spelling and vector fields are not supported")
        return name, field, mode, bool(field.scorable), bool(field.stored), field.column_type

    def add_document(self, **fields: Any) -> None:
        """Add one document (same arguments as Whoosh's, without per-document boosts)."""
        self._check_state()
        unknown = fields.keys() - self._names
        if unknown:
            raise UnknownFieldError(f"No field named {sorted(unknown)[0]!r} in {self.schema}")
        docnum = self.docnum
        local = docnum - self.docbase
        # First everything that can refuse a value, so a refused document leaves nothing behind.
        present: list[tuple[str, Any, int, bool, Any]] = []
        stored_values: dict[str, Any] = {}
        column_values: list[tuple[str, Any]] = []
        for name, field, mode, scorable, stored, column in self._plan:
            value = fields.get(name)
            if value is None:
                continue
            if mode in _TEXT_MODES and not isinstance(value, str):
                raise ValueError(f"field {name!r} takes text, not {type(value).__name__}")
            if column:
                column_values.append((name, field.to_column_value(value)))
            if mode == _DATE:
                value = field.tier_terms(value)
            elif mode == _GENERIC:
                value = list(field.index(value))
            if stored:
                stored_values[name] = fields[name]
            if mode >= 0:
                present.append((name, field, mode, scorable, value))

        terms_of = self._terms
        added = 0
        lengths: list[tuple[str, int]] = []
        for name, field, mode, scorable, value in present:
            terms = terms_of.get(name)
            if terms is None:
                terms = terms_of[name] = {}
            get = terms.get
            length = 0
            if mode == _POSITIONS:
                poses = _positions(value)
                added += len(poses)
                for w, poslist in poses.items():
                    n = len(poslist)
                    length += n
                    # Inlined one-position case of _encode_positions: the hottest line here.
                    if n == 1 and poslist[0] < _SINGLE_CODES:
                        code = _SINGLE[poslist[0]]
                    else:
                        code = _encode_positions(poslist)
                    entry = get(w)
                    if entry is None:
                        terms[w] = [docnum, n, code]
                    else:
                        entry += (docnum, n, code)
            elif mode == _EXISTENCE:
                added += 1
                length = 1
                entry = get(value)
                if entry is None:
                    terms[value] = [docnum]
                else:
                    entry.append(docnum)
            elif mode == _DATE:
                for tbytes in value:
                    entry = get(tbytes)
                    if entry is None:
                        terms[tbytes] = [docnum, 1.0, b""]
                    else:
                        entry += (docnum, 1.0, b"")
                added += len(value)
                length = len(value)
            elif mode == _GENERIC:
                for tbytes, freq, weight, vbytes in value:
                    added += 1
                    length += freq
                    entry = get(tbytes)
                    if entry is None:
                        terms[tbytes] = [docnum, weight, vbytes]
                    else:
                        entry += (docnum, weight, vbytes)
            else:  # frequency-only text and keyword lists
                for w, n, _weight, _vbytes in field.format.word_values(value, None):
                    added += 1
                    length += n
                    entry = get(w)
                    if entry is None:
                        terms[w] = [docnum, n]
                    else:
                        entry += (docnum, n)
            if scorable and length:
                lengths.append((name, length))

        columns = self._columns
        for name, cvalue in column_values:
            found = columns.get(name)
            if found is None:
                found = columns[name] = ([], [])
            found[0].append(local)
            found[1].append(cvalue)
        if stored_values:
            self._stored.add(local, stored_values)
        # Every length array holds one byte per earlier document; this one's is 0 unless set.
        for column_bytes in self._lenbytes.values():
            column_bytes.append(0)
        totals = self._totals
        for name, length in lengths:
            doc_lengths = self._lenbytes.get(name)
            if doc_lengths is None:
                doc_lengths = self._lenbytes[name] = array("B", bytes(local + 1))
            doc_lengths[local] = length_to_byte(length)
            totals[name] = totals.get(name, 0) + length
        self.posting_count += added
        self._added = True
        self.docnum += 1

    def _write_per_document(self) -> None:
        """Give the per-document writer its columns, lengths and counts, then close it."""
        pdw = self.perdocwriter
        doccount = self.docnum - self.docbase
        for name, lenbytes in self._lenbytes.items():
            data = lenbytes.tobytes().rstrip(b"\0")  # Whoosh writes up to the last non-zero
            if data:
                writer = _column_writer(pdw, _lenfield(name), LENGTHS_COLUMN)
                writer._dbfile.write(data)
                writer._count = len(data)
        for name, (docnums, values) in self._columns.items():
            column = self.schema[name].column_type
            _bulk_add(_column_writer(pdw, name, column), docnums, values)
        for name, total in self._totals.items():
            if total:
                pdw._fieldlengths[name] += total
        pdw._doccount = doccount
        pdw.close()

    def _flush_segment(self) -> None:
        self._write_per_document()
        fw = self.fieldwriter
        for name, field, mode, _scorable, _stored, _column in self._plan:
            terms = self._terms.get(name)
            if not terms:
                continue
            lenbytes = self._lenbytes.get(name)
            fw.start_field(name, field)
            writer = _TermWriter(fw, field, mode, lenbytes)
            for key in sorted(terms):
                writer.write(key, terms[key])
            writer.flush()
            fw.finish_field()
        fw.close()
        self._terms.clear()
        self._columns.clear()


def _column_writer(pdw: Any, name: str, column: Any) -> Any:
    if not pdw._has_column(name):
        pdw._create_column(name, column)
    return pdw._get_column(name)


def _bulk_add(writer: Any, docnums: list[int], values: list[Any]) -> None:
    """``writer.add(d, v)`` for each pair (increasing docnums), in one write where we can."""
    if type(writer) is VarBytesColumn.Writer and writer._count == 0:
        size = docnums[-1] + 1
        lens = [0] * size
        for d, v in zip(docnums, values, strict=True):
            lens[d] = len(v)
        offsets = list(accumulate(lens, initial=0))
        total = offsets.pop()
        writer._dbfile.write(b"".join(values))
        writer._lengths = _growable(lens)
        writer._offsets = _growable(offsets)
        writer._offset_base = total
        writer._count = size
        return
    if type(writer) is NumericColumn.Writer and writer._count == 0:
        default, pack, gap = writer._default, writer._pack, writer._defaultbytes
        out = bytearray()
        count = 0
        for d, v in zip(docnums, values, strict=True):
            if v == default:
                continue
            if d > count:
                out += gap * (d - count)
            out += pack(v)
            count = d + 1
        writer._dbfile.write(bytes(out))
        writer._count = count
        return
    for d, v in zip(docnums, values, strict=True):
        writer.add(d, v)


def _growable(values: list[int]) -> GrowableArray:
    """The GrowableArray that appending ``values`` one by one would leave (same type code)."""
    top = max(values, default=0)
    code = "B" if top < 2**8 else "H" if top < 2**16 else "i" if top < 2**31 else "I"
    out = GrowableArray(allow_longs=False)
    out.array = array(code, values)
    return out


class _TermWriter:
    """Writes one field's posting lists and term infos in Whoosh's W3 format, a block at a time.

    This is ``W3PostingsWriter``/``W3TermInfo`` unrolled: the same pickled block headers and
    data, the same statistics, written to one buffer per field instead of through a chain of
    per-posting calls.
    """

    def __init__(self, fw: Any, field: Any, mode: int, lenbytes: array[int] | None) -> None:
        self.postfile = fw._postfile
        self.base = self.postfile.tell()
        self.buf = bytearray()
        self.tindex = fw._tindex
        if self.tindex.hashfn is not md5_hash:
            raise ValueError("the term table must use Whoosh's default (MD5) hash")
        self.rows: list[tuple[bytes, bytes]] = []
        self.prefix = pack_ushort(fw._fieldid)
        self.mode = mode
        self.boost = field.format.field_boost
        self.lenbytes = lenbytes
        self.blocklimit = fw._codec._blocklimit
        self.compression = fw._codec._compression
        fixed = field.format.fixed_value_size()
        # How Whoosh minifies a block's values: a tuple, nothing, or one joined string.
        self.values_kind = 0 if fixed is None or fixed < 0 else 1 if fixed == 0 else 2

    def write(self, key: Any, entry: list[Any]) -> None:
        """Write one term's postings (``entry`` as buffered by BulkSegmentWriter)."""
        mode = self.mode
        if mode == _EXISTENCE:
            docs = entry
            weights: list[float] = [self.boost] * len(docs)
            values: list[bytes] = []
        elif mode in (_FREQUENCY, _KEYWORDS):
            docs = entry[0::2]
            freqs = entry[1::2]
            boost = self.boost
            weights = [n * boost for n in freqs]
            values = [_freq_code(n) for n in freqs]
        elif mode == _POSITIONS:
            docs = entry[0::3]
            boost = self.boost
            weights = [n * boost for n in entry[1::3]]
            values = entry[2::3]
        else:
            docs = entry[0::3]
            weights = entry[1::3]
            values = entry[2::3]
        buf = self.buf
        start_offset = self.base + len(buf)
        buf += _MAGIC
        total = len(docs)
        if total == 1:  # most terms: one posting, one block
            self._write_single(key, start_offset, docs[0], weights[0], values)
            return
        limit = self.blocklimit
        lenbytes = self.lenbytes
        sum_weight = 0.0
        min_len: int | None = None
        max_len = 0
        max_weight: float = 0
        for start in range(0, total, limit):
            end = min(start + limit, total)
            block_docs = docs[start:end]
            block_weights = weights[start:end]
            f32 = array("f", block_weights)
            sum_weight += sum(f32)
            block_max = max(0, max(block_weights))
            if block_max > max_weight:
                max_weight = block_max
            lo = hi = 0
            if lenbytes is not None:
                present = [lenbytes[d] for d in block_docs]
                if not min(present):  # a posting implies a length, but stay exact if not
                    present = [b for b in present if b]
                if present:
                    lo, hi = min(present), max(present)
                    lmin = _LENGTH_TABLE[lo]
                    min_len = lmin if min_len is None else min(min_len, lmin)
                    max_len = max(max_len, _LENGTH_TABLE[hi])
            comp = self.compression
            info = dumps((end - start, block_docs[-1], block_max, comp, lo, hi), 2)
            deltas = [block_docs[0], *map(sub, block_docs[1:], block_docs)]
            first = f32[0]
            count = len(f32)
            if f32.count(1.0) == count:
                mini_weights: Any = None
            elif f32.count(first) == count:
                mini_weights = first
            else:
                mini_weights = tuple(f32)
            kind = self.values_kind
            block_values = values[start:end]
            if mode == _GENERIC:
                block_values = [v for v in block_values if v]
            if kind == 0:
                mini_values: Any = tuple(block_values)
            elif kind == 1:
                mini_values = None
            else:
                mini_values = b"".join(block_values)
            data = dumps((tuple(deltas), mini_weights, mini_values), 2)
            if comp:
                data = zlib.compress(data, comp)
            size = len(info) + len(data)
            buf += pack_int(-size if end == total else size)
            buf += info
            buf += data
        stats = _TERMINFO.pack(
            0,
            sum_weight,
            total,
            0 if min_len is None else length_to_byte(min_len),
            length_to_byte(max_len),
            max_weight,
            docs[0],
            docs[-1],
        )
        self._finish_term(key, start_offset, stats)

    def _write_single(
        self, key: Any, start_offset: int, doc: int, weight: float, values: list[bytes]
    ) -> None:
        """``write`` for a one-posting list (the same bytes, fewer steps)."""
        f32 = array("f", (weight,))[0]
        block_max = max(0, weight)
        lb = self.lenbytes[doc] if self.lenbytes is not None else 0
        comp = self.compression
        info = dumps((1, doc, block_max, comp, lb, lb), 2)
        mini_weights = None if f32 == 1.0 else f32
        value = values[0] if values else b""
        kind = self.values_kind
        if kind == 0:
            mini_values: Any = (value,) if value else ()
        elif kind == 1:
            mini_values = None
        else:
            mini_values = value
        data = dumps(((doc,), mini_weights, mini_values), 2)
        if comp:
            data = zlib.compress(data, comp)
        buf = self.buf
        buf += pack_int(-(len(info) + len(data)))
        buf += info
        buf += data
        stats = _TERMINFO.pack(0, f32, 1, lb, lb, block_max, doc, doc)
        self._finish_term(key, start_offset, stats)

    def _finish_term(self, key: Any, start_offset: int, stats: bytes) -> None:
        length = self.base + len(self.buf) - start_offset
        btext = key.encode("utf-8") if isinstance(key, str) else key
        self.rows.append((self.prefix + btext, stats + pack_long(start_offset) + pack_int(length)))
        if len(self.buf) > 1 << 20:
            self.flush()

    def flush(self) -> None:
        """Write the buffered postings and term rows to their files."""
        self.postfile.write(bytes(self.buf))
        self.base += len(self.buf)
        self.buf = bytearray()
        if self.rows:
            _add_rows(self.tindex, self.rows)
            self.rows = []


def _add_rows(tindex: Any, rows: list[tuple[bytes, bytes]]) -> None:
    """``OrderedHashWriter.add`` for a batch of increasing keys: same bytes, one write."""
    if rows[0][0] <= tindex.lastkey:
        raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{rows[0][0]!r}")
    dbfile = tindex.dbfile
    start = dbfile.tell()
    buf = bytearray()
    index_append = tindex.index.append
    buckets = tindex.buckets
    pack_lengths = _KV_LENGTHS.pack
    for key, value in rows:
        pos = start + len(buf)
        index_append(pos)
        buf += pack_lengths(len(key), len(value))
        buf += key
        buf += value
        # md5_hash: the low 32 bits of the digest read as a big-endian number.
        h = int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big")
        buckets[h & 255].append((h, pos))
    dbfile.write(bytes(buf))
    tindex.lastkey = rows[-1][0]


_MAGIC = WHOOSH3_HEADER_MAGIC
_TERMINFO = W3TermInfo._struct


_FREQ_CODES: dict[int, bytes] = {}


def _freq_code(n: int) -> bytes:
    code = _FREQ_CODES.get(n)
    if code is None:
        code = _FREQ_CODES[n] = pack_uint(n)
    return code
