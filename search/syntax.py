"""The query language: a forgiving lexer and recursive-descent parser producing a small query tree.

Whoosh's own parser crashes on some inputs (``NOT OR foobar``), does not report where a query is
wrong and cannot correct it, so Copydesk parses queries itself. Every problem is an :class:`Issue`
with a position and, where possible, an edit; mild issues (an unclosed quote or bracket, a dangling
operator, an empty ``title:``) are fixed by applying the edits and parsing the corrected text, fatal
ones (a date that cannot be read, a query too long or too deeply nested) stop the search.

The tree (:data:`Node`) is evaluated by :mod:`search.evaluate`; :mod:`search.whooshq` converts it to
Whoosh query objects for comparisons.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, NoReturn

from index.schema import TOKEN_PATTERN
from search.dates import DateError, DaySpan, compare_span, parse_date, range_span

MAX_QUERY_CHARS = 2000
MAX_CLAUSES = 100
MAX_DEPTH = 24
MAX_FUZZY = 2

DEFAULT_FIELDS: tuple[str, ...] = ("title", "body")
# User-facing field names → schema text fields.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "headline": ("title",),
    "body": ("body",),
    "text": ("title", "body"),
    "lead": ("lead",),
    "byline": ("byline",),
    "author": ("byline",),
    "source": ("source",),
}
# Fields matched exactly (lower-cased keyword or ID fields).
KEY_FIELDS: dict[str, str] = {
    "wire": "wire",
    "language": "language",
    "lang": "language",
    "id": "id",
}
OTHER_FIELDS = ("url", "date")
ALL_FIELD_NAMES: tuple[str, ...] = (*TEXT_FIELDS, *KEY_FIELDS, *OTHER_FIELDS)
# Names and spellings, not paths or units: these fields are matched without word variants.
_EXACT_TEXT_FIELDS = frozenset({"source", "byline"})

_TOKEN = re.compile(TOKEN_PATTERN)
_QUOTES = '"“”'
_WORD_STOP = set(" \t\r\n\f\v()" + _QUOTES)
_FIELD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):")
_SUFFIX = re.compile(r"(?:~(\d{1,3}))?(?:\^(\d{1,4}(?:\.\d{1,4})?))?")
_PAREN_BOOST = re.compile(r"\^(\d{1,4}(?:\.\d{1,4})?)")
_WORD_PARTS = re.compile(
    r"^(?P<core>.+?)(?P<fuzzy>~(?P<fz>\d{1,3}(?:\.\d+)?)?)?(?:\^(?P<boost>\d{1,4}(?:\.\d{1,4})?))?$",
    re.S,
)
_RANGE_TO = re.compile(r"\s+to\s+|^to\s+|\s+to$|^to$", re.I)
_OPERATORS = {"AND": "AND", "&&": "AND", "OR": "OR", "||": "OR", "NOT": "NOT"}


def analyze(text: str) -> list[str]:
    """The index analyzer's tokens for ``text`` (Unicode words, lower-cased, no stemming)."""
    return [m.group(0).lower() for m in _TOKEN.finditer(text)]


# ---------------------------------------------------------------------------------------------
# The tree


@dataclass(frozen=True)
class Term:
    """A word in some fields; unless ``exact``, its inflected variants match too."""

    fields: tuple[str, ...]
    text: str
    exact: bool = False
    boost: float = 1.0
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Phrase:
    """Words in order; ``slop`` other words allowed between neighbours (0: adjacent)."""

    fields: tuple[str, ...]
    words: tuple[str, ...]
    slop: int = 0
    boost: float = 1.0
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Pattern:
    """A wildcard (``miss*``, ``m?ssile``) or fuzzy (``missle~``) word, expanded to index terms."""

    fields: tuple[str, ...]
    text: str
    kind: Literal["wildcard", "fuzzy"]
    maxdist: int = 1
    boost: float = 1.0
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Keyword:
    """An exact value of a keyword field (wire, language, id)."""

    field: str
    value: str
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class UrlMatch:
    """Articles whose URL contains the text (case-insensitive)."""

    text: str
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class DateMatch:
    """Articles dated within a span of days (or in the span's calendar bucket)."""

    span: DaySpan
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Everything:
    """Every article."""


@dataclass(frozen=True)
class And:
    """All children match."""

    children: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Or:
    """Any child matches."""

    children: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Not:
    """The child does not match."""

    child: Node


Node = Term | Phrase | Pattern | Keyword | UrlMatch | DateMatch | Everything | And | Or | Not


@dataclass(frozen=True)
class Issue:
    """A problem at ``start`` (``length`` characters); ``edit`` (start, end, replacement) fixes it."""

    message: str
    start: int
    length: int = 0
    fatal: bool = False
    edit: tuple[int, int, str] | None = None


@dataclass(frozen=True)
class Parsed:
    """A parse: the tree that runs (None when a fatal issue stops it), issues, corrected text."""

    node: Node | None
    issues: tuple[Issue, ...] = ()
    corrected: str | None = None

    @property
    def fatal(self) -> bool:
        """True when the query must not run."""
        return self.node is None


# ---------------------------------------------------------------------------------------------
# Lexer


TokKind = Literal[
    "WORD", "PHRASE", "LPAREN", "RPAREN", "AND", "OR", "NOT", "MINUS", "FIELD", "RANGE", "CMP"
]


@dataclass
class Tok:
    """One lexical token with its extent in the query text."""

    kind: TokKind
    text: str
    start: int
    end: int
    closed: bool = True  # quotes and ranges: the closing character was present
    boost: float | None = None
    slop: int | None = None
    name: str = ""  # FIELD: canonical field name; CMP: the operator
    typed_name: str = ""  # FIELD: the name as typed (when corrected from a misspelling)
    parts: tuple[str | None, str | None] = (None, None)  # RANGE bounds
    inclusive: tuple[bool, bool] = (True, True)
    issues: list[Issue] = field(default_factory=list)


def _field_name(name: str) -> tuple[str | None, bool]:
    """The canonical field for a typed name and whether it was a (corrected) misspelling."""
    low = name.lower()
    if low in ALL_FIELD_NAMES:
        return low, False
    if len(low) >= 4:
        best = min(ALL_FIELD_NAMES, key=lambda f: _distance(low, f))
        if _distance(low, best) <= (1 if len(low) < 6 else 2):
            return best, True
    return None, False


def _distance(a: str, b: str) -> int:
    # Optimal string alignment: a swapped pair of letters ("titel") costs one edit.
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


class _Lexer:
    def __init__(self, text: str) -> None:
        self.s = text
        self.n = len(text)
        self.i = 0
        self.tokens: list[Tok] = []
        self._pending: list[Issue] = []
        self._after_plus = -1

    def run(self) -> list[Tok]:
        s = self.s
        while self.i < self.n:
            c = s[self.i]
            if c.isspace():
                self.i += 1
            elif c == "(":
                self.tokens.append(Tok("LPAREN", c, self.i, self.i + 1))
                self.i += 1
            elif c == ")":
                tok = Tok("RPAREN", c, self.i, self.i + 1)
                self.i += 1
                m = _PAREN_BOOST.match(s, self.i)
                if m:
                    tok.boost = float(m.group(1))
                    tok.end = self.i = m.end()
                self.tokens.append(tok)
            elif c in _QUOTES:
                self._phrase()
            elif c in "-!" and self._term_start() and self._next_is_term(self.i + 1):
                self.tokens.append(Tok("MINUS", c, self.i, self.i + 1))
                self.i += 1
            elif c == "+" and self._term_start() and self._next_is_term(self.i + 1):
                # "+term" is required, which every AND-ed term already is.
                self.i += 1
                self._after_plus = self.i
            else:
                m = _FIELD.match(s, self.i)
                if m and self._term_start() and not s.startswith("//", m.end()):
                    name, corrected = _field_name(m.group(1))
                    if name is not None:
                        self._field(m, name, corrected)
                        continue
                    self._unknown_field(m)
                self._word()
        return self.tokens

    def _term_start(self) -> bool:
        if self.i == 0 or self.s[self.i - 1].isspace() or self.s[self.i - 1] in "(:":
            return True
        # right after a prefix operator: "-date:2019", "+title:x"
        if self.i == self._after_plus:
            return True
        return (
            bool(self.tokens) and self.tokens[-1].kind == "MINUS" and self.tokens[-1].end == self.i
        )

    def _next_is_term(self, j: int) -> bool:
        return j < self.n and not self.s[j].isspace() and self.s[j] not in ")"

    def _phrase(self) -> None:
        s, start = self.s, self.i
        j = start + 1
        while j < self.n and s[j] not in _QUOTES:
            j += 1
        if j >= self.n:
            inner = s[start + 1 :]
            tok = Tok("PHRASE", inner, start, self.n, closed=False)
            self.i = self.n
            self.tokens.append(tok)
            return
        tok = Tok("PHRASE", s[start + 1 : j], start, j + 1)
        self.i = j + 1
        m = _SUFFIX.match(s, self.i)
        if m and m.end() > self.i:
            if m.group(1) is not None:
                tok.slop = int(m.group(1))
            if m.group(2) is not None:
                tok.boost = float(m.group(2))
            tok.end = self.i = m.end()
        self.tokens.append(tok)

    def _word(self) -> None:
        s, start = self.s, self.i
        j = start
        while j < self.n and s[j] not in _WORD_STOP:
            j += 1
        if j == start:  # defensive: never loop forever
            j = start + 1
        text = s[start:j]
        self.i = j
        op = _OPERATORS.get(text)
        kind: TokKind = op if op is not None else "WORD"  # type: ignore[assignment]
        tok = Tok(kind, text, start, j)
        tok.issues.extend(self._pending)
        self._pending.clear()
        self.tokens.append(tok)

    def _field(self, m: re.Match[str], name: str, corrected: bool) -> None:
        s = self.s
        tok = Tok("FIELD", m.group(0), m.start(), m.end(), name=name, typed_name=m.group(1))
        if corrected:
            tok.issues.append(
                Issue(
                    f"unknown field {m.group(1)!r}: searched {name}: instead",
                    m.start(),
                    len(m.group(1)),
                    edit=(m.start(), m.start() + len(m.group(1)), name),
                )
            )
        self.tokens.append(tok)
        j = m.end()
        # Tolerate "title: missile" (a space after the colon).
        k = j
        while k < self.n and s[k] in " \t":
            k += 1
        if k < self.n and k > j and s[k] not in ")" and not _OPERATORS.get(s[k:].split(None, 1)[0]):
            j = k
        self.i = j
        if j >= self.n:
            return
        c = s[j]
        if c in "[{":
            self._range(j)
        elif c in "<>":
            op = s[j : j + 2] if s.startswith(("<=", ">="), j) else c
            self.tokens.append(Tok("CMP", op, j, j + len(op), name=op))
            self.i = j + len(op)

    def _unknown_field(self, m: re.Match[str]) -> None:
        # "foo:bar" with no field foo: searched as the words, and said so.
        after = m.end()
        if after < self.n and (self.s[after].isalnum() or self.s[after] in _QUOTES + "("):
            self._pending.append(
                Issue(
                    f"there is no field {m.group(1)!r}: searched as words "
                    f"(fields: {', '.join(ALL_FIELD_NAMES)})",
                    m.start(),
                    len(m.group(0)),
                    edit=(m.end() - 1, m.end(), " "),
                )
            )

    def _range(self, start: int) -> None:
        s = self.s
        j = start + 1
        while j < self.n and s[j] not in "]}":
            j += 1
        closed = j < self.n
        inner = s[start + 1 : j]
        end = j + 1 if closed else self.n
        parts = _RANGE_TO.split(inner.strip(), maxsplit=1)
        lo: str | None
        hi: str | None
        if len(parts) == 2:
            lo, hi = parts[0].strip() or None, parts[1].strip() or None
        else:
            lo = hi = inner.strip() or None
        closer = s[j] if closed else "]"
        tok = Tok(
            "RANGE",
            s[start:end],
            start,
            end,
            closed=closed,
            parts=(lo, hi),
            inclusive=(s[start] == "[", closer == "]"),
        )
        self.tokens.append(tok)
        self.i = end


# ---------------------------------------------------------------------------------------------
# Parser


class _Stop(Exception):
    """A fatal issue: stop parsing."""


class _Parser:
    def __init__(self, text: str, today: date) -> None:
        self.text = text
        self.today = today
        self.toks = _Lexer(text).run()
        self.k = 0
        self.issues: list[Issue] = [i for t in self.toks for i in t.issues]
        self.clauses = 0
        self.depth = 0

    # token helpers
    def peek(self, ahead: int = 0) -> Tok | None:
        j = self.k + ahead
        return self.toks[j] if j < len(self.toks) else None

    def kind(self, ahead: int = 0) -> str:
        t = self.peek(ahead)
        return t.kind if t is not None else "EOF"

    def take(self) -> Tok:
        t = self.toks[self.k]
        self.k += 1
        return t

    def issue(
        self, message: str, start: int, length: int = 0, edit: tuple[int, int, str] | None = None
    ) -> None:
        self.issues.append(Issue(message, start, length, False, edit))

    def fatal(
        self, message: str, start: int, length: int = 0, edit: tuple[int, int, str] | None = None
    ) -> NoReturn:
        self.issues.append(Issue(message, start, length, True, edit))
        raise _Stop

    def _delete(self, tok: Tok) -> tuple[int, int, str]:
        return (tok.start, tok.end, "")

    # grammar
    def parse(self) -> Node | None:
        nodes: list[Node] = []
        while self.k < len(self.toks):
            node = self.parse_or()
            if node is not None:
                nodes.append(node)
            if self.kind() == "RPAREN":
                t = self.take()
                self.issue("unmatched closing parenthesis", t.start, 1, self._delete(t))
        return _and(nodes)

    def parse_or(self, ctx: str | None = None) -> Node | None:
        parts: list[Node] = []
        first = self.parse_and(ctx)
        if first is not None:
            parts.append(first)
        while self.kind() == "OR":
            op = self.take()
            if not parts and first is None:
                self.issue(
                    "OR needs something before it", op.start, op.end - op.start, self._delete(op)
                )
            if self.kind() in ("EOF", "RPAREN", "OR", "AND"):
                if parts:
                    self.issue(
                        "OR needs something after it", op.start, op.end - op.start, self._delete(op)
                    )
                continue
            node = self.parse_and(ctx)
            if node is not None:
                parts.append(node)
        if len(parts) == 1:
            return parts[0]
        return _or(parts) if parts else None

    def parse_and(self, ctx: str | None) -> Node | None:
        items: list[Node] = []
        seen_any = False
        while True:
            k = self.kind()
            if k in ("EOF", "RPAREN", "OR"):
                break
            if k == "AND":
                op = self.take()
                if not seen_any:
                    self.issue(
                        "AND needs something before it",
                        op.start,
                        op.end - op.start,
                        self._delete(op),
                    )
                elif self.kind() in ("EOF", "RPAREN", "OR", "AND"):
                    self.issue(
                        "AND needs something after it",
                        op.start,
                        op.end - op.start,
                        self._delete(op),
                    )
                continue
            seen_any = True
            node = self.parse_unary(ctx)
            if node is not None:
                items.append(node)
        return _and(items)

    def parse_unary(self, ctx: str | None) -> Node | None:
        k = self.kind()
        if k in ("NOT", "MINUS"):
            op = self.take()
            if self.kind() in ("EOF", "RPAREN", "OR", "AND"):
                word = "NOT" if k == "NOT" else f"'{op.text}'"
                self.issue(
                    f"{word} needs a word after it", op.start, op.end - op.start, self._delete(op)
                )
                return None
            child = self.parse_unary(ctx)
            return Not(child) if child is not None else None
        return self.parse_primary(ctx)

    def parse_primary(self, ctx: str | None) -> Node | None:
        t = self.peek()
        if t is None:
            return None
        if t.kind == "LPAREN":
            return self.parse_group(ctx)
        if t.kind == "FIELD":
            return self.parse_field()
        if t.kind in ("RANGE", "CMP"):
            self.take()
            self.fatal("a range or comparison needs date: before it", t.start, t.end - t.start)
        self.take()
        if t.kind == "PHRASE":
            return self.phrase(t, ctx)
        if t.kind == "WORD":
            return self.word(t, ctx)
        # An operator where a word belongs ("NOT NOT x" is handled above).
        self.issue(f"{t.text} is misplaced", t.start, t.end - t.start, self._delete(t))
        return None

    def parse_group(self, ctx: str | None) -> Node | None:
        open_ = self.take()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fatal(f"parentheses nested more than {MAX_DEPTH} deep", open_.start, 1)
        node = self.parse_or(ctx)
        self.depth -= 1
        boost = None
        if self.kind() == "RPAREN":
            boost = self.take().boost
        else:
            self.issue(
                "closing parenthesis missing", open_.start, 1, (len(self.text), len(self.text), ")")
            )
        if node is None:
            return None
        return _boosted(node, boost)

    def parse_field(self) -> Node | None:
        f = self.take()
        nxt = self.peek()
        adjacent = nxt is not None and self._only_spaces(f.end, nxt.start)
        if (
            nxt is None
            or not adjacent
            or nxt.kind not in ("LPAREN", "PHRASE", "WORD", "RANGE", "CMP")
        ):
            self.issue(
                f"{f.typed_name}: needs a value after it", f.start, f.end - f.start, self._delete(f)
            )
            return None
        name = f.name
        if nxt.kind in ("RANGE", "CMP") and name != "date":
            self.take()
            self.fatal(
                f"ranges and comparisons only work with date:, not {f.typed_name}:",
                nxt.start,
                nxt.end - nxt.start,
                (f.start, nxt.end, ""),
            )
        if nxt.kind == "LPAREN":
            return self.parse_group(name)
        if name == "date":
            return self.date_value(f)
        t = self.take()
        if t.kind == "PHRASE":
            return self.phrase(t, name)
        return self.word(t, name)

    def _only_spaces(self, a: int, b: int) -> bool:
        return not self.text[a:b].strip()

    # leaves
    def _count(self, t: Tok) -> None:
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            self.fatal(
                f"too many words: a query may have up to {MAX_CLAUSES}", t.start, t.end - t.start
            )

    def phrase(self, t: Tok, ctx: str | None) -> Node | None:
        if not t.closed:
            if t.text.strip():
                self.issue(
                    "closing quote missing", t.start, 1, (len(self.text), len(self.text), '"')
                )
            else:
                self.issue("a lone quote", t.start, 1, (t.start, t.start + 1, ""))
        if ctx == "date":
            return self.date_text(t, t.start)
        self._count(t)
        boost = t.boost if t.boost is not None else 1.0
        if ctx in KEY_FIELDS:
            return _keyword(KEY_FIELDS[ctx], t.text, t)
        if ctx == "url":
            value = t.text.strip().lower()
            return UrlMatch(value, t.start, t.end) if value else None
        fields = TEXT_FIELDS.get(ctx or "", DEFAULT_FIELDS)
        words = analyze(t.text)
        if not words:
            return None
        if len(words) == 1:
            return Term(fields, words[0], True, boost, t.start, t.end)
        return Phrase(fields, tuple(words), t.slop or 0, boost, t.start, t.end)

    def word(self, t: Tok, ctx: str | None) -> Node | None:
        if ctx == "date":
            return self.date_text(t, t.start)
        m = _WORD_PARTS.match(t.text)
        core = m.group("core") if m else t.text
        boost = float(m.group("boost")) if m and m.group("boost") else 1.0
        fuzzy = m is not None and m.group("fuzzy") is not None
        self._count(t)
        if ctx in KEY_FIELDS:
            return _keyword(KEY_FIELDS[ctx], core, t)
        if ctx == "url":
            return UrlMatch(core.lower(), t.start, t.end)
        fields = TEXT_FIELDS.get(ctx or "", DEFAULT_FIELDS)
        if "*" in core or "?" in core:
            pattern = core.lower()
            if not pattern.strip("*?"):
                return Everything()
            return Pattern(fields, pattern, "wildcard", 0, boost, t.start, t.end)
        words = analyze(core)
        if not words:
            return None
        if fuzzy and len(words) == 1:
            fz = m.group("fz") if m else None
            dist = 1
            if fz:
                value = float(fz)
                dist = int(value) if value >= 1 else (2 if value < 0.5 else 1)
            return Pattern(
                fields, words[0], "fuzzy", max(1, min(MAX_FUZZY, dist)), boost, t.start, t.end
            )
        exact = bool(set(fields) & _EXACT_TEXT_FIELDS)
        if len(words) == 1:
            return Term(fields, words[0], exact, boost, t.start, t.end)
        return Phrase(fields, tuple(words), 0, boost, t.start, t.end)

    # dates
    def date_value(self, f: Tok) -> Node | None:
        t = self.take()
        if t.kind == "RANGE":
            if not t.closed:
                self.issue("closing ] missing", t.start, 1, (len(self.text), len(self.text), "]"))
            lo, hi = t.parts
            try:
                span = range_span(lo, hi, self.today, *t.inclusive)
            except DateError as exc:
                self.fatal(str(exc), t.start, t.end - t.start, (f.start, t.end, ""))
            return self._date_node(span, f.start, t.end)
        if t.kind == "CMP":
            v = self.peek()
            if v is None or v.kind not in ("WORD", "PHRASE") or v.start != t.end:
                self.fatal(
                    f"date:{t.name} needs a date after it",
                    t.start,
                    t.end - t.start,
                    (f.start, t.end, ""),
                )
            self.take()
            op = t.name
            return self.date_text(v, f.start, lambda text: compare_span(op, text, self.today))
        if t.kind == "PHRASE":
            if not t.closed:
                self.issue(
                    "closing quote missing", t.start, 1, (len(self.text), len(self.text), '"')
                )
            return self.date_text(t, f.start)
        return self.date_text(t, f.start)

    def date_text(
        self, t: Tok, clause_start: int, parse: Callable[[str], DaySpan] | None = None
    ) -> Node | None:
        read = parse or (lambda text: parse_date(text, self.today))
        try:
            span = read(t.text)
        except DateError as exc:
            if t.kind == "WORD":
                # "date:last week": try the words that follow, then ask for quotes.
                joined = t.text
                for ahead in range(3):
                    nxt = self.peek(ahead)
                    if (
                        nxt is None
                        or nxt.kind != "WORD"
                        or nxt.start != self.toks[self.k + ahead - 1].end + 1
                    ):
                        break
                    joined = f"{joined} {nxt.text}"
                    try:
                        span = read(joined)
                    except DateError:
                        continue
                    last = self.toks[self.k + ahead]
                    self.k += ahead + 1
                    self.issue(
                        "quote dates of several words",
                        t.start,
                        last.end - t.start,
                        (t.start, last.end, f'"{self.text[t.start : last.end]}"'),
                    )
                    return self._date_node(span, clause_start, last.end)
            self.fatal(str(exc), t.start, t.end - t.start, (clause_start, t.end, ""))
        return self._date_node(span, clause_start, t.end)

    def _date_node(self, span: DaySpan, start: int, end: int) -> Node:
        self.clauses += 1
        return DateMatch(span, start, end)


LANGUAGE_NAMES = {
    "english": "en",
    "german": "de",
    "deutsch": "de",
    "french": "fr",
    "francais": "fr",
    "français": "fr",
    "spanish": "es",
    "español": "es",
    "italian": "it",
    "portuguese": "pt",
    "dutch": "nl",
    "russian": "ru",
    "chinese": "zh",
    "japanese": "ja",
    "arabic": "ar",
}


def _keyword(field_name: str, raw: str, t: Tok) -> Node | None:
    value = raw.strip()
    if field_name != "id":  # ids are exact; wire and language are stored lower-cased
        value = value.lower()
    if field_name == "language":
        value = LANGUAGE_NAMES.get(value, value)
    return Keyword(field_name, value, t.start, t.end) if value else None


def _and(items: list[Node]) -> Node | None:
    flat: list[Node] = []
    for it in items:
        if isinstance(it, And) and it.boost == 1.0:
            flat.extend(it.children)
        elif not isinstance(it, Everything):
            flat.append(it)
    if not flat:
        return Everything() if items else None
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def _or(items: list[Node]) -> Node:
    flat: list[Node] = []
    for it in items:
        if isinstance(it, Or) and it.boost == 1.0:
            flat.extend(it.children)
        else:
            flat.append(it)
    if any(isinstance(it, Everything) for it in flat):
        return Everything()
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


def _boosted(node: Node, boost: float | None) -> Node:
    if boost is None or boost == 1.0:
        return node
    if isinstance(node, Term | Phrase | Pattern):
        return _replace_boost(node, node.boost * boost)
    if isinstance(node, And):
        return And(node.children, node.boost * boost)
    if isinstance(node, Or):
        return Or(node.children, node.boost * boost)
    return node


def _replace_boost(node: Term | Phrase | Pattern, boost: float) -> Node:
    from dataclasses import replace

    return replace(node, boost=boost)


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    """``text`` with non-overlapping (start, end, replacement) edits applied, spaces tidied."""
    out = text
    last_start = len(text) + 1
    for start, end, repl in sorted(set(edits), key=lambda e: (e[0], e[1]), reverse=True):
        if end > last_start:
            continue  # overlapping: keep the later edit only
        out = out[:start] + repl + out[end:]
        last_start = start
    return " ".join(out.split())


def parse_query(text: str, today: date) -> Parsed:
    """Parse a query; mild issues are corrected (the corrected text is parsed again)."""
    if len(text) > MAX_QUERY_CHARS:
        issue = Issue(
            f"the query is longer than {MAX_QUERY_CHARS} characters", MAX_QUERY_CHARS, fatal=True
        )
        return Parsed(None, (issue,), None)
    node, issues = _parse_once(text, today)
    if not issues:
        return Parsed(node, (), None)
    reported = list(issues)
    current = text
    for _ in range(4):
        edits = [i.edit for i in issues if i.edit is not None]
        if any(i.fatal for i in issues):
            suggestion = apply_edits(current, edits) if edits else None
            return Parsed(
                None, tuple(reported), suggestion if suggestion not in (None, text) else None
            )
        if not edits:
            break
        current = apply_edits(current, edits)
        node, issues = _parse_once(current, today)
        if not issues:
            break
        reported.extend(i for i in issues if i.fatal)
    if node is None or any(i.fatal for i in issues):
        return Parsed(None, tuple(reported), None)
    return Parsed(node, tuple(reported), current if current != text else None)


def _parse_once(text: str, today: date) -> tuple[Node | None, list[Issue]]:
    try:
        p = _Parser(text, today)
    except _Stop:  # pragma: no cover - the lexer never stops
        return None, []
    try:
        node = p.parse()
    except _Stop:
        return None, p.issues
    except RecursionError:
        return None, [Issue("the query is nested too deeply", 0, fatal=True)]
    return (node if node is not None else Everything()), p.issues


def walk(node: Node) -> Iterator[tuple[Node, bool]]:
    """Every node with whether it is under a NOT."""
    stack: list[tuple[Node, bool]] = [(node, False)]
    while stack:
        n, neg = stack.pop()
        yield n, neg
        if isinstance(n, And | Or):
            stack.extend((c, neg) for c in reversed(n.children))
        elif isinstance(n, Not):
            stack.append((n.child, not neg))
