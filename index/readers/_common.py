"""Helpers shared by the readers: hashing, decoding legacy text, provenance and HTML-to-text."""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from lxml import html as lxml_html

from index.model import Kind, Provenance, ReadError

MAX_RECORD_BYTES = 16 * 1024 * 1024
"""A single JSONL line, CSV field or SGML record larger than this is a ReadError for that record."""

SNIFF_BYTES = 8192

_FALLBACK_ERRORS = "copydesk-cp1252"

# Encodings a news archive plausibly uses when it is not UTF-8; detecting among all of
# charset_normalizer's ~100 code pages picks exotic ones for short texts (a lone "£" once came out
# as Shift-JIS).
LEGACY_ENCODINGS: tuple[str, ...] = (
    "cp1252",
    "iso8859_15",
    "cp1250",
    "iso8859_2",
    "cp1251",
    "koi8_r",
    "cp1253",
    "cp1254",
    "cp1257",
    "mac_roman",
    "shift_jis",
    "euc_jp",
    "gb18030",
    "big5",
    "euc_kr",
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _cp1252_byte_fallback(err: UnicodeError) -> tuple[str, int]:
    # Invalid UTF-8 bytes in Western archives are almost always stray cp1252 (a lone "£" or "é"
    # in an otherwise UTF-8 file); decoding just those bytes keeps the rest of the file intact.
    if not isinstance(err, UnicodeDecodeError):
        raise err
    bad = bytes(err.object[err.start : err.end])
    return bad.decode("cp1252", errors="replace"), err.end


codecs.register_error(_FALLBACK_ERRORS, _cp1252_byte_fallback)

FALLBACK_ERRORS = _FALLBACK_ERRORS
"""Codec error handler name: decode invalid bytes one by one as cp1252."""


def content_hash(data: bytes) -> str:
    """blake2b-128 hex digest of raw record bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def provenance(
    path: Path, kind: Kind, raw: bytes, mtime: float | None, record: int | None = None
) -> Provenance:
    """Build a Provenance for one record of ``path``."""
    return Provenance(
        path=str(path), kind=kind, record=record, content_hash=content_hash(raw), file_mtime=mtime
    )


def bom_encoding(data: bytes) -> tuple[str | None, int]:
    """The encoding named by a byte-order mark at the start of ``data`` and the BOM's length."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None, 0


def _looks_western(text: str) -> bool:
    # Cyrillic or Greek bytes read as cp1252 come out as runs of accented Latin letters; real
    # Western European text has few of them (under ~10% even in French or German).
    letters = non_ascii = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            if ord(ch) > 127:
                non_ascii += 1
    return letters == 0 or non_ascii <= 0.3 * letters


def guess_legacy_encoding(sample: bytes) -> str | None:
    """Pick a non-UTF-8 encoding for ``sample``; None means UTF-8 with cp1252 byte fallback."""
    western = sample.decode("utf-8", errors=_FALLBACK_ERRORS)
    if _looks_western(western):
        return None
    import charset_normalizer  # deferred: ~50 ms import, rarely needed

    best = charset_normalizer.from_bytes(sample, cp_isolation=list(LEGACY_ENCODINGS)).best()
    return best.encoding if best is not None else None


def decode_bytes(data: bytes) -> str:
    """Decode a whole text file: BOM, then UTF-8, then a detected legacy encoding; never raises."""
    encoding, skip = bom_encoding(data)
    if encoding is not None:
        return data[skip:].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    legacy = guess_legacy_encoding(data[: 1024 * 1024])
    if legacy is None:
        return data.decode("utf-8", errors=_FALLBACK_ERRORS)
    try:
        return data.decode(legacy, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors=_FALLBACK_ERRORS)


def normalise_newlines(text: str) -> str:
    """CRLF/CR to LF and drop NULs."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\x00", "")


def drop_controls(text: str) -> str:
    """Remove C0 control characters other than tab and newline."""
    return _CONTROL_RE.sub("", text)


def clean_value(value: str) -> str:
    """A metadata value on one line: controls dropped, whitespace collapsed."""
    return " ".join(drop_controls(value).split())


def error(path: Path, reason: str, record: int | None = None) -> ReadError:
    """A ReadError for ``path``."""
    return ReadError(path=str(path), reason=reason, record=record)


def os_error_reason(exc: OSError) -> str:
    """A short reason for an OSError, without the path (the ReadError has it)."""
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    return exc.strerror or str(exc) or type(exc).__name__


# ---- HTML to text -------------------------------------------------------------------------------

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "caption",
    ]
)
DROP_TAGS = frozenset(
    ["script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas"]
)
CHROME_TAGS = frozenset(["nav", "header", "footer", "aside", "form", "button"])
# Marks a <br> while whitespace is collapsed: a line break inside a paragraph, not a new paragraph.
_BR = "\ue000"


def element_text(root: lxml_html.HtmlElement, drop: Iterable[str] = ()) -> str:
    """Plain text of an lxml element with one blank line between block elements."""
    skip = DROP_TAGS | frozenset(drop)
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        lines = (" ".join(part.split()) for part in "".join(current).split(_BR))
        block = "\n".join(line for line in lines if line)
        if block:
            blocks.append(block)
        current.clear()

    def walk(el: lxml_html.HtmlElement) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.rsplit("}", 1)[-1].lower()
        if tag in skip or not tag:
            # Comments and processing instructions have a non-string tag; keep their tail.
            if el.tail:
                current.append(el.tail)
            return
        block = tag in BLOCK_TAGS
        if block:
            flush()
        if tag == "br":
            current.append(_BR)
        if el.text:
            current.append(el.text)
        for child in el:
            walk(child)
        if block:
            flush()
        if el.tail:
            current.append(el.tail)

    walk(root)
    flush()
    return "\n\n".join(blocks)


def fragment_to_text(markup: str) -> str:
    """Text of an HTML fragment (a feed summary), paragraphs separated by blank lines."""
    if "<" not in markup:
        return markup.strip()
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except Exception:  # lxml raises several types for junk; the markup-free text is still useful
        return re.sub(r"<[^>]*>", " ", markup).strip()
    return element_text(root)


@dataclass(frozen=True)
class FileInfo:
    """What the dispatcher learnt about a file before choosing its reader."""

    path: Path
    size: int
    mtime: float | None
    head: bytes  # the first SNIFF_BYTES bytes


Keep = Callable[[int], bool]
"""Whether a record number belongs to the shard being read (see ``read_file(shard=...)``)."""


def keep_all(record: int) -> bool:
    """The Keep predicate of an unsharded read."""
    return True


def too_large(info: FileInfo, max_bytes: int) -> ReadError | None:
    """A ReadError when a whole-file reader would load more than ``max_bytes``."""
    if info.size <= max_bytes:
        return None
    return error(
        info.path,
        f"file too large: {info.size:,} bytes (limit {max_bytes:,} for this kind of file)",
    )
