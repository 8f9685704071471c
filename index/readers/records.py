"""Record-per-line and record-per-row inputs: JSON Lines, JSON arrays, CSV and TSV."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

from index.model import Kind, RawDocument, ReadError
from index.readers._common import (
    FALLBACK_ERRORS,
    MAX_RECORD_BYTES,
    FileInfo,
    Keep,
    bom_encoding,
    decode_bytes,
    error,
    guess_legacy_encoding,
    keep_all,
    provenance,
    too_large,
)
from index.readers.mapping import CANONICAL_KEYS, FieldMapping, map_record

_TOO_BIG = f"record larger than {MAX_RECORD_BYTES // (1024 * 1024)} MB"
# Keys under which JSON exports commonly wrap their list of articles.
_CONTAINER_KEYS = (
    "articles",
    "items",
    "data",
    "results",
    "documents",
    "records",
    "entries",
    "posts",
)


def _record(
    info: FileInfo,
    kind: Kind,
    obj: Mapping[str, Any],
    raw: bytes,
    record: int,
    mapping: FieldMapping,
) -> RawDocument | ReadError:
    body, fields = map_record(obj, mapping)
    # A headline-only record (briefs, wire flashes) is still searchable.
    text = body or fields.get("title", "")
    if not text:
        return error(info.path, "record has no text", record)
    return RawDocument(provenance(info.path, kind, raw, info.mtime, record), text, fields)


# ---- JSON Lines ---------------------------------------------------------------------------------


def _json_line(
    info: FileInfo, line: bytes, line_no: int, mapping: FieldMapping
) -> RawDocument | ReadError:
    try:
        obj = json.loads(line.decode("utf-8", errors=FALLBACK_ERRORS))
    except json.JSONDecodeError as exc:
        return error(info.path, f"invalid JSON: {exc.msg} at column {exc.colno}", line_no)
    except RecursionError:
        return error(info.path, "invalid JSON: nested too deeply", line_no)
    if not isinstance(obj, dict):
        return error(info.path, f"not a JSON object but {type(obj).__name__}", line_no)
    return _record(info, Kind.JSONL, obj, line, line_no, mapping)


def _jsonl_stream(
    info: FileInfo, stream: IO[bytes], mapping: FieldMapping, keep: Keep
) -> Iterator[RawDocument | ReadError]:
    line_no = 0
    while True:
        line = stream.readline(MAX_RECORD_BYTES + 1)
        if not line:
            return
        line_no += 1
        if len(line) > MAX_RECORD_BYTES and not line.endswith(b"\n"):
            while True:  # skip the rest of the oversized line without holding it
                rest = stream.readline(1024 * 1024)
                if not rest or rest.endswith(b"\n"):
                    break
            if keep(line_no):
                yield error(info.path, _TOO_BIG, line_no)
            continue
        if line_no == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        line = line.strip()
        if line and keep(line_no):  # other shards' lines are not even parsed
            yield _json_line(info, line, line_no, mapping)


def read_jsonl(
    info: FileInfo, mapping: FieldMapping, max_bytes: int, keep: Keep = keep_all
) -> Iterator[RawDocument | ReadError]:
    """One RawDocument per JSON object line; bad lines are ReadErrors numbered by line."""
    encoding, _ = bom_encoding(info.head)
    if encoding is not None and encoding != "utf-8":
        # UTF-16/32 lines cannot be split on b"\n"; transcode (bounded by max_bytes).
        big = too_large(info, max_bytes)
        if big is not None:
            yield big
            return
        data = decode_bytes(info.path.read_bytes()).encode("utf-8")
        yield from _jsonl_stream(info, io.BytesIO(data), mapping, keep)
        return
    with info.path.open("rb") as stream:
        yield from _jsonl_stream(info, stream, mapping, keep)


def _json_document(
    info: FileInfo, mapping: FieldMapping, max_bytes: int, keep: Keep
) -> Iterator[RawDocument | ReadError]:
    big = too_large(info, max_bytes)
    if big is not None:
        yield big
        return
    data = info.path.read_bytes()
    try:
        doc = json.loads(decode_bytes(data))
    except (json.JSONDecodeError, RecursionError):
        # Not one JSON document: read it line by line so each bad line is reported.
        yield from _jsonl_stream(info, io.BytesIO(data), mapping, keep)
        return
    items: object = doc
    if isinstance(doc, dict):
        wrapped = next(
            (doc[k] for k in doc if str(k).lower() in _CONTAINER_KEYS and isinstance(doc[k], list)),
            None,
        )
        items = wrapped if wrapped is not None else [doc]
    if not isinstance(items, list):
        yield error(info.path, f"JSON file holds a {type(doc).__name__}, not objects")
        return
    if not items:
        yield error(info.path, "JSON file holds no records")
        return
    for number, obj in enumerate(items, 1):
        if not keep(number):
            continue
        if not isinstance(obj, dict):
            yield error(info.path, f"not a JSON object but {type(obj).__name__}", number)
            continue
        raw = json.dumps(obj, sort_keys=True, ensure_ascii=False).encode("utf-8")
        yield _record(info, Kind.JSONL, obj, raw, number, mapping)


def read_json(
    info: FileInfo, mapping: FieldMapping, max_bytes: int, keep: Keep = keep_all
) -> Iterator[RawDocument | ReadError]:
    """A ``.json`` file: JSON Lines when the first line is a whole object, else one document."""
    start = info.head.removeprefix(codecs.BOM_UTF8).lstrip()
    if start.startswith(b"{"):
        first_line = start.split(b"\n", 1)[0].strip()
        try:
            first = json.loads(first_line.decode("utf-8", FALLBACK_ERRORS))
        except (ValueError, RecursionError):
            first = None
        # {"status": "ok", "articles": [...]} on one line is one document, not one record.
        is_lines = isinstance(first, dict) and not any(
            str(k).lower() in _CONTAINER_KEYS and isinstance(v, list) for k, v in first.items()
        )
        if is_lines:
            yield from read_jsonl(info, mapping, max_bytes, keep)
            return
    yield from _json_document(info, mapping, max_bytes, keep)


# ---- CSV / TSV ----------------------------------------------------------------------------------

_CSV_SAMPLE = 64 * 1024
_NAME_LIKE = re.compile(r"^[A-Za-z_][\w .:/#()-]{0,39}$")
_SMALL_INT = re.compile(r"^\s*\d{1,3}\s*$")
_NUMBER = re.compile(r"^\s*[-+]?[\d.,]+\s*$")
_URL = re.compile(r"^\s*https?://\S+\s*$", re.I)


def _csv_encoding(sample: bytes) -> tuple[str, str]:
    encoding, _ = bom_encoding(sample)
    if encoding == "utf-8":
        return "utf-8-sig", FALLBACK_ERRORS
    if encoding is not None:
        # The utf-16/32 codecs without an endianness suffix consume the BOM themselves.
        return encoding.rsplit("-", 1)[0], "replace"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8", FALLBACK_ERRORS
    except UnicodeDecodeError:
        pass
    legacy = guess_legacy_encoding(sample)
    return (legacy, "replace") if legacy else ("utf-8", FALLBACK_ERRORS)


def _dialect(sample: str, tsv: bool) -> type[csv.Dialect]:
    if tsv:
        return csv.excel_tab
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel

    class Sniffed(csv.excel):
        # Keep the delimiter and quote character only: Sniffer's guesses of doublequote and
        # skipinitialspace are unreliable and the excel defaults read real exports correctly.
        delimiter = sniffed.delimiter
        quotechar = sniffed.quotechar or '"'

    return Sniffed


def _known_names(mapping: FieldMapping) -> set[str]:
    return {name.lower() for key in CANONICAL_KEYS for name in mapping.candidates(key)}


def _has_header(sample: str, first: Sequence[str], mapping: FieldMapping) -> bool:
    cells = [c.strip() for c in first]
    if any(c.lower() in _known_names(mapping) for c in cells):
        return True
    if not cells or not all(_NAME_LIKE.match(c) and len(c.split()) <= 4 for c in cells):
        return False
    try:
        return csv.Sniffer().has_header(sample)
    except csv.Error:
        return False


def _guess_columns(
    rows: Sequence[Sequence[str]], want: Sequence[str], taken: set[int]
) -> dict[str, int]:
    """Guess 0-based columns for the keys in ``want`` (url, title, body) from sample values."""
    width = Counter(len(r) for r in rows).most_common(1)[0][0] if rows else 0
    columns = [[r[i] for r in rows if i < len(r)] for i in range(width)]
    taken = set(taken)
    chosen: dict[str, int] = {}

    def share(values: list[str], pattern: re.Pattern[str]) -> float:
        return sum(bool(pattern.match(v)) for v in values) / max(1, len(values))

    if "url" in want:
        urls = [i for i in range(width) if i not in taken and share(columns[i], _URL) > 0.9]
        if urls:
            chosen["url"] = urls[0]
            taken.add(urls[0])
    if (
        width == 3
        and {"title", "body"} <= set(want)
        and not taken & {0, 1, 2}
        and share(columns[0], _SMALL_INT) == 1.0
    ):
        # class,title,text: the AG News / Yahoo Answers / DBpedia layout.
        chosen.update(title=1, body=2)
        return chosen
    textual = [
        i
        for i in range(width)
        if i not in taken
        and share(columns[i], _NUMBER) < 0.5
        and any(v.strip() for v in columns[i])
    ]
    mean = {i: sum(len(v) for v in columns[i]) / max(1, len(columns[i])) for i in textual}
    if "body" in want and textual:
        chosen["body"] = max(textual, key=lambda i: mean[i])
        textual.remove(chosen["body"])
    if "title" in want and textual:
        chosen["title"] = min(textual, key=lambda i: mean[i])
    return chosen


def _csv_rows(stream: Iterable[str], dialect: type[csv.Dialect]) -> Iterator[list[str] | str]:
    """Rows, or an error message string for a row the csv module rejects."""
    reader = csv.reader((line.replace("\x00", "") for line in stream), dialect)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = str(exc)
            yield _TOO_BIG if "field limit" in message else f"malformed CSV row: {message}"
            continue
        yield row


def read_csv(
    info: FileInfo, mapping: FieldMapping, keep: Keep = keep_all
) -> Iterator[RawDocument | ReadError]:
    """One RawDocument per CSV/TSV row, columns mapped by header names or by position."""
    # A process-wide setting (default 128 KB, too small for long articles): only ever raised, and
    # to a value that fits a C long everywhere (sys.maxsize overflows on Windows).
    if csv.field_size_limit() < MAX_RECORD_BYTES:
        csv.field_size_limit(MAX_RECORD_BYTES)
    path = info.path
    tsv = path.suffix.lower() in {".tsv", ".tab"}
    with path.open("rb") as raw_stream:
        sample_bytes = raw_stream.read(_CSV_SAMPLE)
        encoding, errors = _csv_encoding(sample_bytes)
        raw_stream.seek(0)
        sample = sample_bytes.decode(encoding, errors="replace")
        if len(sample_bytes) == _CSV_SAMPLE and "\n" in sample:
            sample = sample[: sample.rindex("\n") + 1]  # drop the cut-off last line
        dialect = _dialect(sample, tsv)
        sample_rows = [
            r
            for r in _csv_rows(io.StringIO(sample, newline=""), dialect)
            if isinstance(r, list) and r
        ]
        if not sample_rows:
            yield error(path, "no CSV rows")
            return
        header = _has_header(sample, sample_rows[0], mapping)
        if header:
            names = [c.strip() for c in sample_rows[0]]
            lowered = [n.lower() for n in names]
            overrides: dict[str, str] = {}
            for key in sorted(mapping.explicit):
                column = mapping.candidates(key)[0]
                if column.lower() in lowered:
                    continue
                if column.isdigit() and 1 <= int(column) <= len(names):
                    overrides[key] = names[int(column) - 1]
                    continue
                yield error(
                    path, f"no column {column!r} for field {key!r}; header has: {', '.join(names)}"
                )
                return
            # Unknown column names ("story", "hed"): guess body and title from the values, as for
            # a header-less file, rather than failing every row for want of text.
            claimed = {
                i
                for i, name in enumerate(lowered)
                for key in CANONICAL_KEYS
                if name in {c.lower() for c in mapping.candidates(key)}
            } | {lowered.index(v.lower()) for v in overrides.values()}
            want = [
                key
                for key in ("title", "body")
                if key not in mapping.explicit
                and not {c.lower() for c in mapping.candidates(key)} & set(lowered)
            ]
            if want:
                for key, index in _guess_columns(sample_rows[1:501], want, claimed).items():
                    overrides[key] = names[index]
            row_mapping = mapping.with_overrides(overrides) if overrides else mapping
        else:
            names = []
            bad = sorted(k for k in mapping.explicit if not mapping.candidates(k)[0].isdigit())
            if bad:
                column = mapping.candidates(bad[0])[0]
                yield error(
                    path, f"CSV has no header row: map {bad[0]!r} by column number, not {column!r}"
                )
                return
            positions = {
                key: mapping.candidates(key)[0] for key in mapping.explicit
            }  # all numeric, checked above
            want = [key for key in ("url", "title", "body") if key not in positions]
            taken = {int(column) - 1 for column in positions.values()}
            for key, index in _guess_columns(sample_rows[:500], want, taken).items():
                positions[key] = str(index + 1)
            empty = {key: () for key in CANONICAL_KEYS}
            row_mapping = FieldMapping(**empty).with_overrides(positions)  # type: ignore[arg-type]

        text_stream = io.TextIOWrapper(raw_stream, encoding=encoding, errors=errors, newline="")
        record = 0
        skip_header = header
        for row in _csv_rows(text_stream, dialect):
            if isinstance(row, str):
                record += 1
                if keep(record):
                    yield error(path, row, record)
                continue
            if not any(cell.strip() for cell in row):
                continue
            if skip_header:
                skip_header = False
                continue
            record += 1
            if not keep(record):
                continue
            if sum(map(len, row)) > MAX_RECORD_BYTES:  # many fields, each under the field limit
                yield error(path, _TOO_BIG, record)
                continue
            if header:
                obj: dict[str, str] = {}
                for name, cell in zip(names, row, strict=False):
                    obj.setdefault(name, cell)
            else:
                obj = {str(i): cell for i, cell in enumerate(row, 1)}
            raw = "\x1f".join(row).encode("utf-8", errors="replace")
            yield _record(info, Kind.CSV, obj, raw, record, row_mapping)
