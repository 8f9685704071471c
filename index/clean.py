"""Cleaning pasted and extracted article text: chrome out, title and header lines found, body re-flowed.

The rules are data (phrase, prefix and pattern lists below) so a new aggregator's chrome is a
one-line addition. Every line taken out is kept in ``CleanResult.removed`` in document order, so a
user can see what cleaning did. The layout assumed is the one users paste: optional chrome and
header lines (masthead, section, date, byline), the title, the body, an optional wire sign-off
("Reuters/AP"), then optional trailing chrome.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from index.dates import is_date_candidate, parse_date
from index.outlets import outlet_for_name
from index.wires import WIRE, canonical_wire, parse_signoff

HeaderKind = Literal["outlet", "masthead", "section", "date", "byline", "wire", "other"]

# --------------------------------------------------------------------------- rule data
# Whole lines, compared after folding (case, curly quotes, spaces, trailing . ! …).
CHROME_PHRASES: tuple[str, ...] = (
    # Reader apps and aggregators (inkl and the like)
    "Get all your news in one place",
    "100's of premium titles",
    "One app",
    "Start reading",
    "Sign up to read this article",
    "Read news from 100's of titles, curated specifically for you",
    "Already a member? Sign in here",
    "Already a subscriber? Sign in",
    "Related Stories",
    "Top stories on inkl right now",
    "Our Picks",
    "Fourteen days free",
    "Download the app",
    "One app. One membership",
    "100+ trusted global sources",
    # Site furniture
    "Advertisement",
    "Advertising",
    "Sponsored",
    "Sponsored content",
    "Story continues below advertisement",
    "Article continues below",
    "Continue reading",
    "Continue reading the main story",
    "Read more",
    "Read full article",
    "Read the full story",
    "Share this article",
    "Share this story",
    "Share",
    "Share on Facebook",
    "Share on Twitter",
    "Share via Email",
    "Tweet",
    "Email",
    "Print",
    "Copy link",
    "Link copied",
    "Facebook",
    "Twitter",
    "LinkedIn",
    "WhatsApp",
    "Reddit",
    "Skip to main content",
    "Skip to content",
    "Back to top",
    "Comments",
    "Show comments",
    "View comments",
    "Loading",
    "Play video",
    "Watch video",
    "Listen to this article",
    "Click to expand",
    "More on this story",
    "Related articles",
    "Related content",
    "Related topics",
    "Most read",
    "Most popular",
    "Most viewed",
    "Trending",
    "Recommended",
    "You may also like",
    "Sign up",
    "Sign in",
    "Log in",
    "Subscribe",
    "Subscribe now",
    "Newsletter",
    "Getty Images",
    "Image",
    "Photo",
    "Close",
    "Menu",
    "Published",
    "Updated",
    "Accept",
    "Accept cookies",
    "Accept all cookies",
    "Manage cookies",
    "Cookie settings",
    "Reject all",
)

# Line starts (regex fragments, matched case-insensitively at the start of a line).
CHROME_PREFIXES: tuple[str, ...] = (
    r"read more\s*(?::|»|›|>|\||-)",
    r"(?:related|see also|also read|read also|more|watch|listen|recommended|trending|"
    r"most read|editor's picks?|more from [^:]{1,40})\s*:",
    r"subscribe\b",
    r"sign up (?:for|to|now)\b",
    r"follow (?:us|@)",
    r"follow [^.]{1,40} on (?:twitter|facebook|instagram|x|linkedin|threads|bluesky)\b",
    r"click here\b",
    r"tap here\b",
    r"(?:copyright\s*(?:©|\(c\))?\s*(?:\d{4}|©)|©|\(c\)\s*\d{4})",
    r"all rights reserved",
    r"this (?:article|story) (?:was |is |has been )?(?:originally |first )?"
    r"(?:published|appeared) (?:on|in|by|at)\b",
    r"(?:please )?(?:enable|turn on) javascript",
    r"we use cookies",
    r"by (?:using|continuing to (?:use|browse)) (?:this|our) (?:site|website)",
    r"(?:accept|reject|manage) (?:all )?cookies",
    r"cookie (?:policy|settings|preferences|notice)",
    r"download (?:the|our) [\w ]{0,20}app\b",
    r"get (?:the|our) [\w ]{0,20}(?:app|newsletter)\b",
    # Caption lines that start with their label
    r"(?:photo|picture|pic|image|photograph|credit|caption|graphic)s?\s*:\s*\S",
    r"(?:image|photo|video|media)\s+(?:source|caption|credit)\s*[,:]",
)
PREFIX_MAX_WORDS = 25  # a prefix rule never removes a longer line: that is a real paragraph

# Photo captions and credits anywhere in a (not too long) line. Case-sensitive on purpose:
# "IMAGE:" and "Photo:" are labels, "the image: it showed" is prose.
CAPTION_PATTERNS: tuple[str, ...] = (
    r"(?:^|[.!?)\]]\s+|[(\[])(?:IMAGE|PHOTO|PICTURE|PHOTOGRAPH|CREDIT|PIC|Image|Photo|Picture"
    r"|Photograph|Credit|Pic)S?\s*:\s*\S",
)
# Credits that end a caption line: "(AP Photo/Jane Doe)", "REUTERS/Kim Hong-Ji", "/Getty Images".
CAPTION_END_PATTERNS: tuple[str, ...] = (
    r"\([^()]{0,60}\bPhotos?\b[^()]{0,60}\)\W*$",
    r"\([^()]{0,60}\bvia\s+(?:AP|Reuters|REUTERS|AFP|Getty Images|AAP|EPA)\)\W*$",
    r"(?:/\s?Getty(?:\s+Images)?|\bGetty\s+Images)\)?\W*$",
    r"(?:/|\bvia\s+|:\s*)(?:Shutterstock|iStock|Alamy|Supplied)\)?\W*$",
    # "REUTERS/Kim Hong-Ji" is a photographer's credit; "Reuters/AP" is a sign-off, not a caption.
    r"\b(?:REUTERS|Reuters|AFP|AAP|AP|EPA|EPA-EFE|XINHUA|Xinhua|ANADOLU)\s?/\s?"
    rf"(?!{WIRE}\W*$)[A-Z][\w.'’-]*(?:[ /][\w.'’-]+){{0,5}}\)?\.?$",
)
CAPTION_MAX_WORDS = 60

# Section and navigation words: never a title, never an outlet.
SECTION_WORDS: frozenset[str] = frozenset(
    {
        "world", "news", "politics", "business", "sport", "sports", "tech", "technology",
        "science", "health", "entertainment", "opinion", "analysis", "comment", "features",
        "lifestyle", "culture", "arts", "markets", "economy", "money", "finance", "environment",
        "climate", "education", "travel", "food", "style", "fashion", "media", "local",
        "national", "international", "australia", "us", "u.s.", "uk", "asia", "europe",
        "africa", "middle east", "americas", "pacific", "asia pacific", "asia-pacific", "china",
        "india", "korea", "north korea", "breaking", "breaking news", "latest", "latest news",
        "top stories", "top", "live", "live updates", "video", "videos", "photos", "weather",
        "home", "exclusive", "investigation", "explainer", "obituaries", "crime", "law",
        "justice", "defence", "defense", "property", "motoring", "tv", "television", "movies",
        "film", "music", "books", "games", "science & technology", "science and technology",
        "us news", "uk news", "world news", "australia news", "business news", "just in",
        "podcasts", "newsletters", "more", "menu", "search", "close",
    }
)  # fmt: skip
# Words that make an unknown short Title Case line before the title look like a masthead.
MASTHEAD_WORDS: frozenset[str] = frozenset(
    {
        "news", "times", "post", "herald", "journal", "telegraph", "guardian", "tribune",
        "gazette", "mail", "express", "mirror", "chronicle", "observer", "independent", "daily",
        "weekly", "star", "standard", "courier", "examiner", "inquirer", "register", "bulletin",
        "dispatch", "sentinel", "record", "advertiser", "argus", "age", "radio", "broadcasting",
        "tv", "television", "magazine", "press", "times-herald",
    }
)  # fmt: skip

# --------------------------------------------------------------------------- compiled rules

_QUOTES = (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("\u00a0", " "))
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES_RE = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def fold(text: str) -> str:
    """Case-, quote- and space-folded text for comparing lines with rule phrases."""
    if text.isascii():  # O(1); no quote to translate, and casefold() is lower() for ASCII
        return " ".join(text.lower().split()).rstrip(" .!…")
    # str.replace, not str.translate: a dict-driven translate costs ~50 ns a character.
    for quote, plain in _QUOTES:
        text = text.replace(quote, plain)
    return " ".join(text.casefold().split()).rstrip(" .!…")


_PHRASES = frozenset(fold(p) for p in CHROME_PHRASES)
_PHRASE_MAX = max(len(p) for p in _PHRASES) + 8
_PHRASE_HEADS = frozenset(p[:2] for p in _PHRASES)  # a cheap gate before folding a line
_PREFIX_RE = re.compile("|".join(f"(?:{p})" for p in CHROME_PREFIXES), re.IGNORECASE)
_CAPTION_RE = re.compile("|".join(f"(?:{p})" for p in CAPTION_PATTERNS))
_CAPTION_END_RE = re.compile("|".join(f"(?:{p})" for p in CAPTION_END_PATTERNS))
_TABLE_RE = re.compile(r"\S {3,}\S")
_CLOSERS = "\"'”’)"
_BULLET_RE = re.compile(r"^(?:[-*•·–—]|\d{1,2}[.)])\s")
_BULLET_STARTS = "-*•·–—"


def _ends_with(text: str, marks: str) -> bool:
    """Whether ``text`` ends with one of ``marks``, perhaps followed by closing quotes or brackets.

    The regex ``[marks][closers]*$``, without a search that tries every start position; like
    ``$``, it allows one final newline.
    """
    if text.endswith("\n"):
        text = text[:-1]
    core = text.rstrip(_CLOSERS)
    return bool(core) and core[-1] in marks


def _sentence_end(text: str) -> bool:
    return _ends_with(text, ".!?")


def _ends(text: str) -> bool:
    return _ends_with(text, ".!?:")


def _continues(text: str) -> bool:
    # The last character (before a final newline) is punctuation that carries the sentence on.
    if text.endswith("\n"):
        text = text[:-1]
    return text[-1:] in (".", ",", ";", ":", "!", "?", '"', "”", "'", "-")


# Reuters-21578 puts its "Reuter" sign-off at the end of the last line as often as on its own.
_INLINE_REUTER_RE = re.compile(
    r"^(?P<text>.*?\S)(?:\s{2,}|(?<=[.!?)\"”])\s+)(?P<sign>(?i:reuters?))\W{0,4}$"
)

_NAME_WORD = r"(?:[A-Z][\w'’.-]*|de|da|van|von|der|den|bin|al|el|la|le|du|di|dos|del)"
_NAME = rf"[A-Z][\w'’.-]*(?:\s+{_NAME_WORD}){{0,4}}"
_NOT_NAMES = frozenset(
    {
        "the", "this", "that", "these", "a", "an", "it", "its", "then", "now", "today",
        "yesterday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december",
    }
)  # fmt: skip
_BY_RE = re.compile(
    rf"^(?:By|BY|by)\s+(?P<names>{_NAME}(?:\s*(?:,|\band\b|&)\s*{_NAME})*)"
    r"(?:\s*(?:,|\||—|–|\s-\s|\bin\b|\bfor\b)\s*(?P<rest>.{0,80}))?$"
)
_ROLE_RE = re.compile(
    rf"^(?P<names>{_NAME})\s*(?:\||,|—|–|\s-\s)\s*(?P<role>(?:[A-Z][\w-]*\s+){{0,3}}"
    r"(?:Reporter|Correspondent|Editor|Writer|Journalist|Columnist|Producer|Contributor|"
    r"Analyst|Staff|Reporters|Correspondents|Writers))\b.{0,60}$"
)
_NAME_LINE_RE = re.compile(rf"^{_NAME}(?:\s+(?:and|&)\s+{_NAME})?$")
_BREADCRUMB_RE = re.compile(r"\s*[>›»/|]\s*")
_DATE_ANCHOR = datetime(2000, 1, 1)  # any base will do: this only asks "is it a date?"
_YEAR_RE = re.compile(r"(?<!\d)(?:1[89]|20)\d{2}(?!\d)")


@dataclass(frozen=True)
class HeaderLine:
    """A line of the header zone (before the title, or a byline/date line just after it)."""

    text: str
    kind: HeaderKind
    value: str | None = None  # outlet name (outlet/masthead), byline text (byline), wire (wire)


@dataclass(frozen=True)
class CleanResult:
    """Cleaned text: title candidate, header lines, body paragraphs and everything taken out."""

    title_candidate: str | None
    header_lines: tuple[HeaderLine, ...]
    paragraphs: tuple[str, ...]
    removed: tuple[str, ...]  # every line taken out except the title, in document order
    signoff_lines: tuple[str, ...]  # wire sign-offs ("Reuters/AP"), also listed in ``removed``
    title_in_text: bool = False  # the title was a line of the text (and is not in the body)
    body: str = field(default="")

    def __post_init__(self) -> None:
        if not self.body and self.paragraphs:
            object.__setattr__(self, "body", "\n\n".join(self.paragraphs))

    @property
    def byline(self) -> str | None:
        """The first byline found in the header zone."""
        return next((h.value for h in self.header_lines if h.kind == "byline"), None)

    @property
    def outlet(self) -> str | None:
        """The outlet a header line names: a known outlet first, then a masthead-like line."""
        for kind in ("outlet", "masthead"):
            for line in self.header_lines:
                if line.kind == kind and line.value:
                    return line.value
        return None

    def lines_of(self, *kinds: HeaderKind) -> tuple[str, ...]:
        """Header lines of the given kinds."""
        return tuple(h.text for h in self.header_lines if h.kind in kinds)


@dataclass(slots=True)
class _Line:
    text: str  # whitespace-collapsed
    indent: int
    raw: str
    status: str = "body"  # body | chrome | header | title | signoff
    joined_next: bool = False  # the next raw line is not blank (no paragraph break after this one)
    table: bool = False  # columns separated by runs of spaces: kept as its own line
    orig: str = ""  # the line as the input had it (for ``removed``), stripped
    folded: str | None = None  # fold(text), once the header zone needed it


def _folded(line: _Line) -> str:
    if line.folded is None:
        line.folded = fold(line.text)
    return line.folded


# --------------------------------------------------------------------------- line tests


def chrome_reason(line: str) -> str | None:
    """Why a (stripped) line is chrome — "phrase", "prefix", "caption" — or None if it is not."""
    if len(line) <= _PHRASE_MAX and line[:2].lower() in _PHRASE_HEADS and fold(line) in _PHRASES:
        return "phrase"
    words = line.count(" ") + 1
    if words <= PREFIX_MAX_WORDS and _PREFIX_RE.match(line):
        return "prefix"
    if words <= CAPTION_MAX_WORDS:
        # Substring gates first: every caption rule needs one of these, and most lines have none.
        if ":" in line and _CAPTION_RE.search(line):
            return "caption"
        tail = line[-90:]
        if (
            "/" in tail or ")" in tail or "Getty" in tail or "via " in tail or ":" in tail
        ) and _CAPTION_END_RE.search(tail):
            return "caption" if parse_signoff(line) is None else None
    return None


def parse_byline(line: str) -> str | None:
    """The byline in a line such as "By Jane Smith, Reuters" or "Jane Smith | Reporter", or None."""
    text = " ".join(line.split())
    if len(text) > 120:
        return None
    match = _BY_RE.match(text)
    if match:
        first = match.group("names").split()[0].casefold()
        if first in _NOT_NAMES:
            return None
        rest = match.group("rest") or ""
        if rest and _sentence_end(rest) and len(rest.split()) >= 4:
            return None  # "By Tuesday, officials said the road would reopen."
        parts = [p.strip() for p in re.split(r"\s*[|·•]\s*", text[match.start("names") :])]
        kept = [p for p in parts if p and not _is_date_line(p)]
        return ", ".join(kept) or None
    match = _ROLE_RE.match(text)
    if match and match.group("names").split()[0].casefold() not in _NOT_NAMES:
        return match.group("names")
    return None


def _is_date_line(line: str) -> bool:
    if not is_date_candidate(line):
        return False
    info = parse_date(line, relative_base=_DATE_ANCHOR, allow_dateparser=False)
    if info is None:
        return False
    # "Sept 30" alone is as likely a line of a table as a dateline: want a year, a time or "ago".
    return info.origin == "relative" or info.precision == "minute" or bool(_YEAR_RE.search(line))


def _is_section(folded: str) -> bool:
    if folded in SECTION_WORDS:
        return True
    parts = _BREADCRUMB_RE.split(folded)
    return len(parts) > 1 and all(p in SECTION_WORDS for p in parts if p)


_SMALL_WORDS = frozenset({"of", "the", "and", "in", "on", "for", "a", "an", "at", "de", "la"})
_WORD_RE = re.compile(r"[A-Za-z][\w'’.&-]*")


def _title_case(text: str) -> bool:
    words = _WORD_RE.findall(text)
    return bool(words) and all(w[0].isupper() or w in _SMALL_WORDS for w in words)


def _masthead_words(folded: str) -> bool:
    # "Harbour Herald", "Civic Broadcasting", "The Daily Planet" — but not "Times Are Tough".
    words = [w.strip(".") for w in folded.split()]
    if words and words[0] == "the":
        words = words[1:]
    return bool(words) and (
        words[-1] in MASTHEAD_WORDS or words[0] in ("daily", "weekly", "sunday")
    )


def _classify_header(
    text: str, folded: str, next_is_title_like: bool, repeats: Callable[[str], int]
) -> HeaderLine | None:
    """Kind of a header-zone line, or None when it could be the title or body.

    ``folded`` is ``fold(text)``; ``repeats`` tells how many header-zone lines fold alike.
    """
    wire = canonical_wire(text)
    if wire is not None:
        return HeaderLine(text, "wire", wire)
    outlet = outlet_for_name(text)
    if outlet is not None:
        return HeaderLine(text, "outlet", outlet)
    if _is_section(folded):
        return HeaderLine(text, "section")
    if _is_date_line(text):
        return HeaderLine(text, "date")
    byline = parse_byline(text)
    if byline is not None:
        return HeaderLine(text, "byline", byline)
    words = text.split()
    short = len(words) <= 5 and len(text) <= 40 and not _sentence_end(text)
    if short and repeats(folded) > 1 and _title_case(text) and not any(c.isdigit() for c in text):
        return HeaderLine(text, "masthead", text)
    if (
        short
        and next_is_title_like
        and _title_case(text)
        and _masthead_words(folded)
        and " ".join(w for w in folded.split() if w not in MASTHEAD_WORDS) not in SECTION_WORDS
    ):
        return HeaderLine(text, "masthead", text)
    return None


def _classify_under_title(text: str) -> HeaderLine | None:
    """A wire, date or byline line just under the title, or None (the body starts)."""
    wire = canonical_wire(text)
    if wire is not None:
        return HeaderLine(text, "wire", wire)
    if _is_date_line(text):
        return HeaderLine(text, "date")
    byline = parse_byline(text)
    return HeaderLine(text, "byline", byline) if byline is not None else None


def _is_paragraph(text: str) -> bool:
    if len(text) > 250:
        return True  # without counting the words of a long line
    words = len(text.split())
    return words > 30 or (words >= 12 and _sentence_end(text))


def _is_short_unknown(text: str) -> bool:
    # "Exclusive", "Live blog": kept out of the title. Three words can already be a headline.
    return len(text.split()) <= 2 and len(text) < 25 and not _sentence_end(text)


def _title_like(text: str) -> bool:
    return bool(text) and not _is_paragraph(text) and not text.endswith(".")


def _trailing_chrome_like(text: str) -> bool:
    # After a sign-off, what follows is app or site furniture unless it reads like prose.
    if len(text) > 90:
        return False  # without counting the words of a long line
    words = len(text.split())
    return words <= 12 and not (words >= 7 and _sentence_end(text))


# --------------------------------------------------------------------------- the pipeline


def normalize_text(text: str) -> str:
    """Unify newlines, drop invisible and control characters, turn odd spaces into plain ones."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Invisible characters and all odd spaces but tab, form feed and vertical tab are non-ASCII.
    if not text.isascii():
        text = _INVISIBLE_RE.sub("", text)
        text = _SPACES_RE.sub(_space, text)
    elif "\t" in text or "\f" in text or "\v" in text:
        text = _SPACES_RE.sub(_space, text)
    return _CONTROL_RE.sub("", text)


def _space(match: re.Match[str]) -> str:
    return "    " if match.group(0) == "\t" else " "


def _split_lines(text: str) -> list[_Line | None]:
    out: list[_Line | None] = []
    append = out.append
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    normalized = normalize_text(text)
    # Character clean-up never adds or drops a "\n", so both splits line up. A line it left alone
    # (every line, in most texts) is its own original.
    originals = None if normalized == text else text.split("\n")
    # After clean-up the only ASCII whitespace left in a line is the plain space.
    ascii_only = normalized.isascii()
    prev: _Line | None = None
    number = -1
    for raw in normalized.split("\n"):
        number += 1
        stripped = raw.strip()
        if not stripped:
            append(None)
            prev = None
            continue
        indent = len(raw) - len(raw.lstrip(" ")) if raw[0] == " " else 0
        if "   " in stripped and _TABLE_RE.search(stripped) is not None:
            table = True
            collapsed = stripped
        else:
            table = False
            if ascii_only and "  " not in stripped:
                collapsed = stripped
            else:
                collapsed = " ".join(stripped.split())
        if prev is not None:
            prev.joined_next = True
        if originals is None or originals[number] == raw:
            orig = stripped
        else:
            orig = _CONTROL_RE.sub("", originals[number]).strip() or stripped
        prev = _Line(collapsed, indent, raw.rstrip(), "body", False, table, orig)
        append(prev)
    return out


def _mark_signoff(lines: list[_Line | None]) -> list[_Line]:
    """Mark the sign-off and the trailing chrome after it; return any split-off inline sign-off."""
    live = [ln for ln in lines if ln is not None and ln.status == "body"]
    extra: list[_Line] = []
    if live:
        last = live[-1]
        tail = last.text[-12:].rstrip(" .…").lower()
        match = _INLINE_REUTER_RE.match(last.text) if tail.endswith(("reuter", "reuters")) else None
        if match and parse_signoff(last.text) is None:
            sign = match.group("sign")
            last.text = match.group("text")
            last.raw = last.raw[: last.raw.rfind(sign)].rstrip()
            last.table = "   " in last.text and _TABLE_RE.search(last.text) is not None
            if not last.table:
                last.text = " ".join(last.text.split())
            extra.append(_Line(sign, 0, sign, "signoff", orig=sign))
    trailing: list[_Line] = []
    signoff_at: int | None = None
    for pos in range(len(live) - 1, -1, -1):
        line = live[pos]
        if parse_signoff(line.text) is not None:
            signoff_at = pos
            break
        if extra or len(trailing) >= 15 or not _trailing_chrome_like(line.text):
            break
        trailing.append(line)
    if signoff_at is None:
        return extra
    # A sign-off ends an article: there must be one before it (title and at least a line), and
    # more of it than of the trailing lines about to be dropped.
    if signoff_at < 2:
        return extra
    dropped = sum(len(ln.text) for ln in trailing)
    before = 0
    for ln in live[:signoff_at]:
        before += len(ln.text)
        if before > dropped:
            break
    if before <= dropped:
        return extra
    for line in trailing:
        line.status = "chrome"
    pos = signoff_at
    # Several sign-off lines in a row ("Reuters" / "— with AAP") all go.
    while pos >= 1 and parse_signoff(live[pos].text) is not None:
        live[pos].status = "signoff"
        pos -= 1
    return extra


@dataclass(frozen=True)
class _Layout:
    hard: bool  # hard-wrapped: the lines of a block are one paragraph
    widest: int  # the longest prose line, the wrap width of hard-wrapped text
    indented: bool  # paragraphs start with an indented line (Reuters), not a blank line


def _blocks(lines: list[_Line | None]) -> list[list[_Line]]:
    blocks: list[list[_Line]] = []
    block: list[_Line] = []
    for line in lines:
        if line is None or line.status != "body":
            if block:
                blocks.append(block)
                block = []
        else:
            block.append(line)
    if block:
        blocks.append(block)
    return blocks


def _layout(blocks: list[list[_Line]]) -> _Layout:
    widest = 0
    multi = 0
    for block in blocks:
        multi += len(block) - 1
        for ln in block:
            if not ln.table and len(ln.text) > widest:
                widest = len(ln.text)
    hard = widest <= 100 and multi >= 2
    indented = hard and any(ln.indent >= 2 and not ln.table for b in blocks for ln in b[1:])
    return _Layout(hard, widest, indented)


def _mark_header(
    lines: list[_Line | None], title: str | None
) -> tuple[str | None, list[HeaderLine], tuple[list[list[_Line]], _Layout] | None]:
    """Mark the header lines and the title line; also return the blocks and layout if unchanged.

    Only the first 15 body lines can be header lines, so only their blocks are looked at.
    """
    blocks = _blocks(lines)
    layout = _layout(blocks)
    live: list[_Line] = []
    # In hard-wrapped text a block holding a full-width line is a wrapped paragraph: its first
    # line ("International" / "Business Machines Corp said …") is never a header line.
    prose_block: list[bool] = []  # by position in ``live``
    for block in blocks:
        if len(live) >= 15:
            break
        is_prose = (
            layout.hard
            and len(block) > 1
            and any(not ln.table and len(ln.text) >= 0.6 * layout.widest for ln in block)
        )
        for ln in block[: 15 - len(live)]:
            live.append(ln)
            prose_block.append(is_prose)
    headers: list[HeaderLine] = []
    title_line: _Line | None = None
    counts: dict[str, int] = {}

    def repeats(folded: str) -> int:
        # How often a folded line occurs in the zone; only short lines ask, so long body lines
        # are folded only if one does.
        if not counts:
            for ln in live:
                key = _folded(ln)
                counts[key] = counts.get(key, 0) + 1
        return counts[folded]

    target = fold(title) if title else None
    title_pos: int | None = None
    if target:
        for i, ln in enumerate(live[:8]):
            # fold() of an ASCII line starts with its first character lowercased (line texts are
            # stripped): most lines can be told from the title without folding them.
            if ln.text.isascii() and ln.text[0].lower() != target[0]:
                continue
            if _folded(ln) == target:
                title_pos = i
                break
    elif target is not None:
        title_pos = next((i for i, ln in enumerate(live[:8]) if _folded(ln) == target), None)

    pos = 0
    while pos < len(live):
        line = live[pos]
        if title_pos is not None and pos == title_pos:
            title_line = line
            break
        nxt = live[pos + 1].text if pos + 1 < len(live) else ""
        if prose_block[pos] or (line.joined_next and nxt[:1].islower() and not _ends(line.text)):
            break  # the first line of a hard-wrapped paragraph: the body starts here
        kind = _classify_header(line.text, _folded(line), _title_like(nxt), repeats)
        if kind is not None:
            headers.append(kind)
            line.status = "header"
            pos += 1
            continue
        if title_pos is not None:
            if _is_short_unknown(line.text) or not _is_paragraph(line.text):
                headers.append(HeaderLine(line.text, "other"))
                line.status = "header"
                pos += 1
                continue
            break
        if target is not None:
            break  # the given title is not in the text: the body starts here
        if _is_paragraph(line.text):
            break  # no title line at all
        if _is_short_unknown(line.text) and _title_like(nxt):
            headers.append(HeaderLine(line.text, "other"))
            line.status = "header"
            pos += 1
            continue
        title_line = line
        break

    if title_line is not None:
        title_line.status = "title"
        # Byline and date lines right under the title belong to the header too.
        # A standfirst may sit between the title and them; the first paragraph ends the search.
        after = live.index(title_line) + 1
        for number, line in enumerate(live[after : after + 5], after):
            under = _classify_under_title(line.text)
            if under is None and _NAME_LINE_RE.match(line.text):
                # A bare name ("Jane Smith") counts as a byline only next to a date line.
                near = [live[i].text for i in (number - 1, number + 1) if 0 <= i < len(live)]
                if any(_is_date_line(text) for text in near):
                    under = HeaderLine(line.text, "byline", line.text)
            if under is not None:
                headers.append(under)
                line.status = "header"
            elif _is_paragraph(line.text) or prose_block[number]:
                break
    # Every status change above added a header line or set the title line.
    unchanged = not headers and title_line is None
    return (
        (title_line.text if title_line is not None else None),
        headers,
        (blocks, layout) if unchanged else None,
    )


def _join(prev: str, nxt: str) -> str:
    if prev.endswith("-") and len(prev) > 1 and prev[-2].isalpha() and nxt[:1].islower():
        return prev + nxt  # a word hyphenated across a hard wrap
    return prev + " " + nxt


def _paragraphs(
    lines: list[_Line | None], known: tuple[list[list[_Line]], _Layout] | None = None
) -> list[str]:
    """The body's paragraphs; ``known`` is ``(_blocks(lines), _layout(blocks))`` if at hand."""
    blocks, layout = known if known is not None else (b := _blocks(lines), _layout(b))
    out: list[str] = []
    for block in blocks:
        group: list[_Line] = []
        for line in block:
            if group and not _starts_paragraph(group[-1], line, layout):
                group.append(line)
                continue
            if group:
                out.append(_render(group))
            group = [line]
        if group:
            out.append(_render(group))
    return out


def _starts_paragraph(prev: _Line, line: _Line, layout: _Layout) -> bool:
    """Whether ``line`` starts a new paragraph after ``prev`` in the same block."""
    if prev.table or line.table:
        return prev.table != line.table  # a table stays together, one row per line
    if not layout.hard:
        return True  # one line, one paragraph
    if line.indent >= 2:
        return True
    # A bullet starts with a dash or a digit: test the character before running the pattern.
    first = line.text[:1]
    if first and (first in _BULLET_STARTS or first.isdigit()) and _BULLET_RE.match(line.text):
        return True
    if layout.indented:
        return False  # Reuters style: only an indent starts a paragraph
    # A short line without closing punctuation before a capitalised one is a heading or list
    # item on its own line, not a hard wrap in running text.
    return (
        len(prev.text) < 0.6 * layout.widest
        and not _continues(prev.text)
        and line.text[:1].isupper()
    )


def _render(group: list[_Line]) -> str:
    if group[0].table:
        indent = min(line.indent for line in group)
        return "\n".join(line.raw[indent:] for line in group)
    text = group[0].text
    for line in group[1:]:
        text = _join(text, line.text)
    return text


def clean_text(text: str, title: str | None = None) -> CleanResult:
    """Split raw article text into title candidate, header lines and body; strip chrome and sign-offs.

    ``title`` is a title the input states; its copy in the text (if any) is dropped from the body.
    """
    lines = _split_lines(text)
    prev: _Line | None = None
    for line in lines:
        if line is None:
            prev = None
            continue
        # A lowercase line continuing a hard-wrapped sentence ("… 10 cts a" / "share.") is prose.
        continues = (
            prev is not None
            and prev.status == "body"
            and line.text[:1].islower()
            and not _ends(prev.text)
        )
        if not continues and chrome_reason(line.text) and parse_signoff(line.text) is None:
            line.status = "chrome"
        prev = line
    extra = _mark_signoff(lines)
    title_found, headers, known = _mark_header(lines, title)
    paragraphs = _paragraphs(lines, known)
    removed = [ln.orig for ln in lines if ln is not None and ln.status not in ("body", "title")]
    removed += [ln.text for ln in extra]
    signoffs = [ln.text for ln in lines if ln is not None and ln.status == "signoff"]
    signoffs += [ln.text for ln in extra]
    return CleanResult(
        title_candidate=title_found,
        header_lines=tuple(headers),
        paragraphs=tuple(paragraphs),
        removed=tuple(removed),
        signoff_lines=tuple(signoffs),
        title_in_text=title_found is not None,
    )
