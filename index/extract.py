"""From a reader's ``RawDocument`` to an indexable ``Article``: clean, then extract the metadata.

Precedence, highest first (explicit beats inferred, and unknown stays None rather than a guess):

* source: ``ExtractOptions.source`` (--source) > ``fields["source"]`` > an outlet line before the
  title ("ABC News") > the deepest ``folder_sources`` folder holding the file > the URL's host.
  Wires are not sources: a "Reuters" line is a wire credit, never the outlet.
* date: ``fields["date"]`` ("metadata") > a date line in the header zone ("text", or "relative"
  for "2 hours ago", anchored at the file's mtime) > a date in the file name ("filename") > none.
* title: ``fields["title"]`` > the first substantial line of the text that is not a header line.

``extract`` never raises: on an unexpected error it falls back to a plain article built from the
raw text, so one odd record cannot lose the rest of a file.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Any

from index.clean import CleanResult, clean_text, normalize_text
from index.dates import date_from_filename, find_date_lines, parse_date
from index.model import NO_DATE, Article, DateInfo, RawDocument, SourceOrigin
from index.outlets import outlet_for_name, outlet_for_url
from index.wires import find_wires


@dataclass(frozen=True)
class ExtractOptions:
    """User choices that steer extraction: a forced source, per-folder sources, the default zone."""

    source: str | None = None  # --source NAME: wins over everything
    folder_sources: Mapping[str, str] = field(default_factory=dict)  # folder → outlet
    default_tz: str = "UTC"  # zone for dates and times the text states without one
    cache_dir: str | None = None  # --cache-dir: the language model's cache (None: user cache)
    _folders: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Deepest folder first, so the first ancestor found is the most specific one.
        folders = sorted(
            ((_norm_path(folder), name) for folder, name in self.folder_sources.items() if name),
            key=lambda item: len(item[0]),
            reverse=True,
        )
        object.__setattr__(self, "_folders", tuple(folders))

    def folder_source(self, path: str) -> str | None:
        """The outlet of the deepest configured folder that holds ``path``, or None."""
        if not self._folders:
            return None
        target = _norm_path(path)
        for folder, name in self._folders:
            if target == folder or target.startswith(folder.rstrip(os.sep) + os.sep):
                return name
        return None


DEFAULT_OPTIONS = ExtractOptions()


def _norm_path(path: str) -> str:
    return os.path.normcase(os.path.normpath(os.path.abspath(os.path.expanduser(path))))


# --------------------------------------------------------------------------- small helpers

_BY_RE = re.compile(r"^by\s+(?=\S)", re.IGNORECASE)
# The first sentence: at least 20 characters, and not cut after an initial ("The U.S. Army …").
_SENTENCE_RE = re.compile(r"^(.{20,}?[a-z0-9)\"”'][.!?])(?:\s+(?=[A-Z\"“‘'(])|$)")
_LANG_WORD_RE = re.compile(r"[a-z']+")
# Frequent English function words that are rare in other Latin-script languages ("is", "in",
# "a", "die", "on" are left out: they are words in Dutch, German, French or Italian too).
_EN_WORDS = frozenset(
    {
        "the", "and", "of", "to", "that", "for", "with", "said", "was", "were", "has", "have",
        "from", "this", "which", "will", "would", "their", "its", "been", "but", "by", "are",
        "it", "he", "she", "they", "at", "after", "not", "had", "who", "be",
    }
)  # fmt: skip
_EN_WORD_BYTES = frozenset(word.encode("ascii") for word in _EN_WORDS)
# bytes.translate table: every byte but those of _LANG_WORD_RE's words becomes a space.
_WORD_BYTES = b"abcdefghijklmnopqrstuvwxyz'"
_NON_WORD_TO_SPACE = bytes(b if b in _WORD_BYTES else 0x20 for b in range(256))
_langid: Any = None
LANGUAGE_MIN_CONFIDENCE = 0.8


def _squash(text: str) -> str:
    # Whitespace runs to one space, ends stripped: str.split and regex \s agree on whitespace.
    return " ".join(text.split())


def _field(fields: Mapping[str, str], key: str) -> str | None:
    value = fields.get(key)
    if value is None:
        return None
    return _squash(str(value)) or None


def content_id(title: str, body: str) -> str:
    """The id of an article without an input id: exact duplicate content gets the same id."""
    return _content_id(title, _squash(body.lower()))


def _content_id(title: str, squashed_body: str) -> str:
    key = _squash(title.lower()) + "\n" + squashed_body
    return "a" + hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


@lru_cache(maxsize=64)
def _mtime_base(mtime: float) -> datetime:
    # The records of one file share its mtime.
    return datetime.fromtimestamp(mtime, tz=UTC)


def detect_language(text: str, cache_dir: str | None = None) -> str | None:
    """ISO 639-1 code of a text's language: a cheap English test first, then py3langid.

    ``cache_dir`` holds the language model's decompressed copy (default: the user cache folder).
    """
    global _langid
    sample = text[:1000]
    lowered = sample.lower()
    if lowered.isascii():
        # The same words as the regex below, without a str object per word: twice as fast.
        tokens = lowered.encode("ascii").translate(_NON_WORD_TO_SPACE).split()
        count, hits = len(tokens), sum(map(_EN_WORD_BYTES.__contains__, tokens))
    else:
        words = _LANG_WORD_RE.findall(lowered)
        count, hits = len(words), sum(map(_EN_WORDS.__contains__, words))
    if count < 8:
        return None  # too little text to tell
    if hits >= 4 and hits >= 0.12 * count:
        return "en"
    if _langid is None:
        # Only texts the English test cannot settle load the model (~0.1 s from the cache of
        # its decompressed arrays, ~0.6 s the first time: see index.langid_model).
        from index.langid_model import load_identifier

        _langid = load_identifier(Path(cache_dir) if cache_dir else None)
    code, prob = _langid.classify(sample[:600])
    code = str(code)
    # py3langid also answers ISO 639-3 codes ("pcm" for English telegraphese, "zxx" for tables of
    # figures) and low-confidence guesses ("vo"); the index stores ISO 639-1, and a doubtful
    # answer is better left unknown. English, the archives' usual language, needs no margin.
    if len(code) != 2 or (code != "en" and float(prob) < LANGUAGE_MIN_CONFIDENCE):
        return None
    return code


def _language(value: str | None, text: str, cache_dir: str | None) -> str | None:
    if value:
        code = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
        if 2 <= len(code) <= 3 and code.isalpha():
            return code
    return detect_language(text, cache_dir)


def _fallback_title(paragraphs: tuple[str, ...], path: str) -> str:
    for paragraph in paragraphs:
        first = paragraph.split("\n", 1)[0]
        match = _SENTENCE_RE.match(first)
        sentence = match.group(1) if match else first
        if len(sentence) > 120:
            sentence = sentence[:120].rsplit(" ", 1)[0] + "…"
        if sentence.strip():
            return sentence.strip()
    return PurePath(path).stem if path else ""


def _source(
    options: ExtractOptions, fields: Mapping[str, str], cleaned: CleanResult, path: str
) -> tuple[str | None, SourceOrigin]:
    if options.source and options.source.strip():
        return options.source.strip(), "option"
    stated = _field(fields, "source")
    if stated:
        return outlet_for_name(stated) or stated, "metadata"
    if cleaned.outlet:
        return cleaned.outlet, "header"
    folder = options.folder_source(path) if path else None
    if folder:
        return folder, "folder"
    url = _field(fields, "url")
    if url:
        by_host = outlet_for_url(url)
        if by_host:
            return by_host, "url"
    return None, "none"


def _date(
    options: ExtractOptions,
    raw: RawDocument,
    cleaned: CleanResult,
) -> DateInfo:
    mtime = raw.provenance.file_mtime
    base = _mtime_base(mtime) if mtime is not None else None
    stated = _field(raw.fields, "date")
    if stated:
        info = parse_date(stated, relative_base=base, default_tz=options.default_tz)
        if info is not None:
            return DateInfo(info.value, info.precision, info.tz, info.raw, "metadata")
    lines = cleaned.lines_of("date", "byline")
    if lines:
        info = find_date_lines(lines, relative_base=base, default_tz=options.default_tz)
        if info is not None:
            return info
    if raw.provenance.path:
        info = date_from_filename(raw.provenance.path)
        if info is not None:
            return info
    return NO_DATE


# --------------------------------------------------------------------------- extraction


def _extract(raw: RawDocument, options: ExtractOptions) -> Article:
    fields = raw.fields
    text = raw.text if raw.text and raw.text.strip() else str(fields.get("body") or "")
    given_title = _field(fields, "title")
    cleaned = clean_text(text, title=given_title)
    paragraphs = cleaned.paragraphs
    body = cleaned.body
    title = (
        given_title or cleaned.title_candidate or _fallback_title(paragraphs, raw.provenance.path)
    )
    stated_byline = _field(fields, "byline")
    # "By Jane Doe" and a header line's "Jane Doe" are one byline: drop the "By" either way.
    byline = _BY_RE.sub("", stated_byline) if stated_byline else cleaned.byline
    wires = find_wires(
        title,
        [*paragraphs, *cleaned.signoff_lines],
        byline,
        fields,
        header_lines=cleaned.lines_of("wire", "byline"),
    )
    source, source_origin = _source(options, fields, cleaned, raw.provenance.path)
    input_id = _field(fields, "id")
    if input_id is not None:
        article_id, word_count = input_id, len(body.split())
    else:
        squashed = _squash(body.lower())
        article_id = _content_id(title, squashed)
        # lower() keeps whitespace as it is and puts none in a word: the body's own word count.
        word_count = squashed.count(" ") + 1 if squashed else 0
    return Article(
        id=article_id,
        title=title,
        body=body,
        provenance=raw.provenance,
        lead=paragraphs[0] if paragraphs else "",
        source=source,
        source_origin=source_origin,
        wires=wires,
        date=_date(options, raw, cleaned),
        byline=byline,
        url=_field(fields, "url"),
        language=_language(_field(fields, "language"), body or title, options.cache_dir),
        word_count=word_count,
        removed=cleaned.removed,
        id_from_input=input_id is not None,
    )


def _plain(raw: RawDocument, options: ExtractOptions) -> Article:
    """A minimal article straight from the raw text, for when extraction itself failed."""
    fields = raw.fields
    try:
        text = normalize_text(str(raw.text or fields.get("body") or ""))
    except Exception:
        text = ""
    paragraphs = tuple(
        " ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p and not p.isspace()
    )
    body = "\n\n".join(paragraphs)
    title = _field(fields, "title") or _fallback_title(paragraphs, raw.provenance.path)
    input_id = _field(fields, "id")
    return Article(
        id=input_id or content_id(title, body),
        title=title,
        body=body,
        provenance=raw.provenance,
        lead=paragraphs[0] if paragraphs else "",
        source=options.source or _field(fields, "source"),
        source_origin="option"
        if options.source
        else ("metadata" if fields.get("source") else "none"),
        url=_field(fields, "url"),
        word_count=len(body.split()),
        id_from_input=input_id is not None,
    )


def extract(raw: RawDocument, options: ExtractOptions = DEFAULT_OPTIONS) -> Article:
    """Clean one raw record and extract its metadata; never raises on any text."""
    try:
        return _extract(raw, options)
    except Exception:  # a cleaning bug must not lose the record: index it plainly instead
        try:
            return _plain(raw, options)
        except Exception:
            return Article(
                id=content_id("", repr(raw.text)[:10_000]),
                title="",
                body="",
                provenance=raw.provenance,
            )
