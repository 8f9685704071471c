"""Reuters-21578-style SGML: many <REUTERS ...> records per file, streamed."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from index.model import Kind, RawDocument, ReadError
from index.readers._common import (
    FALLBACK_ERRORS,
    MAX_RECORD_BYTES,
    FileInfo,
    Keep,
    clean_value,
    drop_controls,
    error,
    keep_all,
    normalise_newlines,
    provenance,
)

_START = re.compile(rb"<REUTERS\b[^>]*>", re.I)
_END = re.compile(rb"</REUTERS\s*>", re.I)
_NEWID = re.compile(r"""\bNEWID\s*=\s*["']?([\w.-]+)""", re.I)
_TEXT = re.compile(r"<TEXT\b[^>]*>(.*?)(?:</TEXT\s*>|$)", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
# "26-FEB-1987 15:01:01.79". The archive's README: the date and time, "possibly followed by some
# non-date noise material" (category codes after &#5; padding, which unescaping drops: "…59.13RM").
_DATE = re.compile(r"\d{1,2}-[A-Za-z]{3}-\d{4}\s+\d{1,2}:\d{2}:\d{2}(?:\.\d+)?")
_CHUNK = 1024 * 1024
_TOO_BIG = f"record larger than {MAX_RECORD_BYTES // (1024 * 1024)} MB"


_ELEMENTS = ("TITLE", "DATE", "DATELINE", "AUTHOR", "BODY")
_TAGS = {
    name: (re.compile(rf"<{name}\b[^>]*>", re.I), re.compile(rf"</{name}\s*>", re.I))
    for name in _ELEMENTS
}


def _element(markup: str, name: str) -> str | None:
    """The content of the first ``<name ...>…</name>`` element, or None."""
    # Two searches rather than one "<name…>(.*?)</name>": the lazy group tries the end tag at
    # every character of the content. The first start tag decides either way (an end tag after
    # a later start tag is after the first one too).
    start_re, end_re = _TAGS[name]
    start = start_re.search(markup)
    if start is None:
        return None
    end = end_re.search(markup, start.end())
    return markup[start.end() : end.start()] if end is not None else None


def _unescape(text: str) -> str:
    # Reuters wraps records in &#2;/&#3; and pads with &#5;, &#22;, &#127;: drop them once decoded.
    return drop_controls(normalise_newlines(html.unescape(text)))


def _parse(info: FileInfo, raw: bytes, number: int) -> RawDocument | ReadError:
    markup = raw.decode("utf-8", errors=FALLBACK_ERRORS)
    start_tag = markup[: markup.find(">") + 1]
    fields: dict[str, str] = {}
    newid = _NEWID.search(start_tag)
    if newid:
        fields["id"] = newid.group(1)
    for name, key in (
        ("TITLE", "title"),
        ("DATE", "date"),
        ("DATELINE", "dateline"),
        ("AUTHOR", "byline"),
    ):
        value = _element(markup, name)
        if value is not None:
            value = clean_value(_unescape(value))
            date = _DATE.match(value) if key == "date" else None
            if date is not None:
                value = date.group(0)  # without the noise, which no date parser understands
            if value:
                fields[key] = value
    body = _element(markup, "BODY")
    if body is None:
        # TYPE="UNPROC" records put their text straight in <TEXT>, beside TITLE/DATELINE.
        whole = _TEXT.search(markup)
        body = ""
        if whole:
            inner = whole.group(1)
            for name in ("TITLE", "DATELINE", "AUTHOR"):
                inner = re.sub(rf"<{name}\b[^>]*>.*?</{name}\s*>", "", inner, flags=re.I | re.S)
            body = _TAG.sub("", inner)
    text = _unescape(body).strip()
    if not any(ch.isalnum() for ch in text):
        text = ""  # BRIEF records hold only "******" padding beside their title
    text = text or fields.get("title", "")
    if not text:
        return error(info.path, "record has no text", number)
    return RawDocument(provenance(info.path, Kind.SGML, raw, info.mtime, number), text, fields)


def read_sgml(info: FileInfo, keep: Keep = keep_all) -> Iterator[RawDocument | ReadError]:
    """Each <REUTERS> record (1-based in file order); ids, dates and datelines go into fields."""
    number = 0
    buffer = b""
    pos = 0  # an index, not slicing per record: slicing a 1 MB buffer 1,000 times is slow
    eof = False
    with info.path.open("rb") as stream:

        def refill() -> None:
            nonlocal buffer, pos, eof
            chunk = stream.read(_CHUNK)
            eof = not chunk
            buffer = buffer[pos:] + chunk
            pos = 0

        while True:
            start = _START.search(buffer, pos)
            if start is None:
                if eof:
                    break
                pos = max(pos, len(buffer) - 4096)  # a start tag may straddle chunks
                refill()
                continue
            end = _END.search(buffer, start.end())
            following = _START.search(buffer, start.end(), end.start() if end else len(buffer))
            if following is not None:
                # An unterminated record ends where the next one begins.
                number += 1
                if keep(number):
                    yield _parse(info, buffer[start.start() : following.start()], number)
                pos = following.start()
                continue
            if end is None:
                if eof:
                    number += 1
                    if keep(number):
                        yield _parse(info, buffer[start.start() :], number)
                    break
                if len(buffer) - start.start() > MAX_RECORD_BYTES:
                    number += 1
                    if keep(number):
                        yield error(info.path, _TOO_BIG, number)
                    pos = start.end()  # the search above now skips ahead to the next record
                    continue
                pos = start.start()
                refill()
                continue
            number += 1
            if keep(number):
                yield _parse(info, buffer[start.start() : end.end()], number)
            pos = end.end()
    if number == 0:
        yield error(info.path, "no <REUTERS> records found")
