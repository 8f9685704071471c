"""Fast highlighted snippets: regex tokens over the stored text, best sentences, ``<mark>`` HTML.

Whoosh's highlighter re-analyses the whole stored text with the schema's analyzer and its fragmenter
per hit (TECH-NOTES: +25-30 ms for 20 hits). Here the query's matched index words (variants and
wildcard expansions included) and phrases come from the evaluator, the text is tokenized once with
the index's own token pattern, sentences are scored by the distinct query words they hold, and the
best ones are cut to about ``chars`` characters at word boundaries.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from index.schema import TOKEN_PATTERN

_TOKEN = re.compile(TOKEN_PATTERN)
# A sentence ends at . ! ? … (plus closing quotes/brackets) before whitespace and a capital or
# digit, or at a line break.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+(?=[\"'“‘«(\[]*[A-Z0-9])|\n+")
ELLIPSIS = "…"
MARK_OPEN = "<mark>"
MARK_CLOSE = "</mark>"


@dataclass(frozen=True)
class Highlight:
    """What to mark: index words and phrases (sequences of index words)."""

    words: frozenset[str] = frozenset()
    phrases: tuple[tuple[str, ...], ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing would be marked."""
        return not self.words and not self.phrases


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    key: str  # the word or phrase matched (for counting distinct terms)


# A query word must match a whole index token: not inside a longer run of word characters and
# not next to an inner "." or apostrophe that the tokenizer keeps in the token ("u.s", "don't").
_BEFORE = r"(?<!\w)(?<!\w[.'’])"
_AFTER = r"(?!\w)(?![.'’]\w)"


@lru_cache(maxsize=64)
def _pattern(hl: Highlight) -> re.Pattern[str] | None:
    """One regex for every phrase (longest first) and word of a highlight."""
    alternatives: list[str] = []
    for p in sorted(hl.phrases, key=len, reverse=True):
        alternatives.append(r"\W+".join(re.escape(w) for w in p))
    alternatives.extend(re.escape(w) for w in sorted(hl.words, key=len, reverse=True))
    if not alternatives:
        return None
    return re.compile(_BEFORE + "(?:" + "|".join(alternatives) + ")" + _AFTER, re.IGNORECASE)


def find_matches(text: str, hl: Highlight) -> list[_Match]:
    """Non-overlapping matches of the highlight's words and phrases in ``text``, in order."""
    if hl.empty or not text:
        return []
    rx = _pattern(hl)
    if rx is None:
        return []
    out: list[_Match] = []
    for m in rx.finditer(text):
        key = " ".join(_TOKEN.findall(m.group(0))).lower()
        if key in hl.words or tuple(key.split(" ")) in hl.phrases:
            out.append(_Match(m.start(), m.end(), key))
    return out


def mark(text: str, matches: Iterable[_Match], start: int = 0, end: int | None = None) -> str:
    """HTML-escaped ``text[start:end]`` with the matches inside it wrapped in <mark>."""
    end = len(text) if end is None else end
    out: list[str] = []
    pos = start
    for m in matches:
        if m.start < start or m.end > end:
            continue
        out.append(html.escape(text[pos : m.start], quote=False))
        out.append(MARK_OPEN + html.escape(text[m.start : m.end], quote=False) + MARK_CLOSE)
        pos = m.end
    out.append(html.escape(text[pos:end], quote=False))
    return "".join(out)


def highlight_text(text: str, hl: Highlight) -> str:
    """The whole text, escaped, with matches marked (for titles)."""
    return mark(text, find_matches(text, hl))


def _sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.start() + len(m.group(0).rstrip())
        if text[pos:end].strip():
            spans.append(_trim(text, pos, end))
        pos = m.end()
    if text[pos:].strip():
        spans.append(_trim(text, pos, len(text)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut(text: str, start: int, end: int, focus: int, chars: int) -> tuple[int, int]:
    """A window of about ``chars`` inside [start, end) around ``focus``, at word boundaries."""
    if end - start <= chars:
        return start, end
    lo = max(start, focus - chars // 3)
    hi = min(end, lo + chars)
    lo = max(start, hi - chars)
    if lo > start:
        space = text.find(" ", lo, focus if focus > lo else hi)
        lo = space + 1 if space != -1 else lo
    if hi < end:
        space = text.rfind(" ", lo, hi)
        hi = space if space > lo else hi
    return lo, hi


def snippets(text: str, hl: Highlight, count: int = 3, chars: int = 220) -> tuple[str, ...]:
    """Up to ``count`` HTML fragments of ``text`` around the matches (the opening when none)."""
    if count <= 0 or not text.strip():
        return ()
    matches = find_matches(text, hl)
    sentences = _sentences(text)
    if not matches:
        start, end = sentences[0] if sentences else (0, len(text))
        lo, hi = _cut(text, start, end, start, chars)
        return (_frame(text, lo, hi, start, end, mark(text, (), lo, hi)),)
    # Score each sentence by the distinct terms it holds, then by how many matches.
    per: list[list[_Match]] = [[] for _ in sentences]
    si = 0
    for m in matches:
        while si < len(sentences) and sentences[si][1] <= m.start:
            si += 1
        if si < len(sentences):
            per[si].append(m)
    scored = [
        (len({m.key for m in ms}) * 10 + min(len(ms), 5) - i * 0.001, i)
        for i, ms in enumerate(per)
        if ms
    ]
    chosen = sorted(i for _score, i in sorted(scored, reverse=True)[:count])
    out: list[str] = []
    for i in chosen:
        start, end = sentences[i]
        ms = per[i]
        lo, hi = _cut(text, start, end, ms[0].start, chars)
        inside = [m for m in ms if m.start >= lo and m.end <= hi]
        out.append(_frame(text, lo, hi, start, end, mark(text, inside, lo, hi)))
    return tuple(out)


def _frame(text: str, lo: int, hi: int, start: int, end: int, body: str) -> str:
    body = " ".join(body.split())  # line breaks inside a sentence read as spaces
    return (ELLIPSIS if lo > start else "") + body + (ELLIPSIS if hi < end else "")
