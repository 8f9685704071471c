"""News agencies ("wires") and the rules that find their credits in an article.

Only explicit credits count: a sign-off line at the end ("Reuters/AP", "— AAP"), a dateline or
prefix at the start of the body ("WONSAN (AP) —", "AP - "), a title suffix ("(Reuters)"), a byline
("By Jane Doe, Reuters"), a credit sentence near the end ("The Associated Press contributed to this
report.") or explicit metadata. Photo credits ("AFP/Getty Images", "(AP Photo/Jane Doe)") and
mentions inside a sentence ("… told Reuters") are not wire credits: a false credit is worse than a
missed one, because wire facets and story grouping are built on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Agency:
    """A news agency: its canonical display name, full name and the spellings that credit it."""

    name: str
    full_name: str
    aliases: tuple[str, ...] = ()  # long aliases match in any case; codes of <= 4 letters exactly
    codes: tuple[str, ...] = ()  # short codes, matched only as written or in upper case


AGENCIES: tuple[Agency, ...] = (
    Agency("Reuters", "Reuters", ("Reuters", "Reuter", "Thomson Reuters")),
    Agency("AP", "Associated Press", ("Associated Press", "The Associated Press"), ("AP",)),
    Agency(
        "AFP",
        "Agence France-Presse",
        ("Agence France-Presse", "Agence France Presse", "Agence France-Press"),
        ("AFP",),
    ),
    Agency("AAP", "Australian Associated Press", ("Australian Associated Press",), ("AAP",)),
    Agency("Bloomberg", "Bloomberg News", ("Bloomberg", "Bloomberg News")),
    Agency("PA", "PA Media", ("Press Association", "PA Media", "The Press Association"), ("PA",)),
    Agency("dpa", "Deutsche Presse-Agentur", ("Deutsche Presse-Agentur",), ("dpa", "DPA")),
    Agency("Xinhua", "Xinhua News Agency", ("Xinhua", "Xinhua News Agency")),
    Agency("Kyodo", "Kyodo News", ("Kyodo", "Kyodo News")),
    Agency("Yonhap", "Yonhap News Agency", ("Yonhap", "Yonhap News Agency")),
    Agency("Jiji", "Jiji Press", ("Jiji", "Jiji Press")),
    Agency("UPI", "United Press International", ("United Press International",), ("UPI",)),
    Agency("CP", "The Canadian Press", ("Canadian Press", "The Canadian Press"), ("CP",)),
    Agency("ANSA", "Agenzia Nazionale Stampa Associata", (), ("ANSA",)),
    Agency("EFE", "Agencia EFE", ("Agencia EFE",), ("EFE",)),
    Agency("Anadolu", "Anadolu Agency", ("Anadolu", "Anadolu Agency")),
    Agency("PTI", "Press Trust of India", ("Press Trust of India",), ("PTI",)),
    Agency("IANS", "Indo-Asian News Service", ("Indo-Asian News Service",), ("IANS",)),
    Agency("ANI", "Asian News International", ("Asian News International",), ("ANI",)),
    Agency("TASS", "TASS", ("ITAR-TASS",), ("TASS",)),
    Agency("Interfax", "Interfax", ("Interfax",)),
    Agency("RIA Novosti", "RIA Novosti", ("RIA Novosti", "RIA")),
    Agency("NZPA", "New Zealand Press Association", ("New Zealand Press Association",), ("NZPA",)),
    Agency("SAPA", "South African Press Association", ("South African Press Association",)),
    Agency("Bernama", "Bernama", ("Bernama",)),
    Agency("Antara", "Antara", ("Antara",)),
    Agency(
        "Dow Jones", "Dow Jones Newswires", ("Dow Jones", "Dow Jones Newswires", "AP-Dow Jones")
    ),
)

# Generic credits that end an article ("— with wires") but name no agency.
_GENERIC = ("wires", "wire services", "agencies", "news agencies", "agency", "staff")


def _build_alias_map() -> tuple[dict[str, str], dict[str, str]]:
    folded: dict[str, str] = {}
    exact: dict[str, str] = {}
    for agency in AGENCIES:
        for alias in (agency.name, agency.full_name, *agency.aliases, *agency.codes):
            if len(alias) > 4:
                folded[alias.casefold()] = agency.name
            else:
                # "AP", "PA", "CP" are ordinary words or abbreviations in other cases.
                exact[alias] = agency.name
                exact[alias.upper()] = agency.name
    return folded, exact


_FOLDED, _EXACT = _build_alias_map()


def canonical_wire(name: str) -> str | None:
    """The canonical agency name for a spelling ("Associated Press" → "AP"), or None."""
    text = " ".join(name.split()).strip(" .,;:()[]")
    if not text:
        return None
    if text in _EXACT:
        return _EXACT[text]
    return _FOLDED.get(text.casefold())


def _alias_pattern() -> str:
    # Longest first so "Associated Press" wins over "AP"-like prefixes; codes stay case-sensitive.
    names: set[str] = set()
    for agency in AGENCIES:
        names.update((agency.name, agency.full_name, *agency.aliases, *agency.codes))
    long_names = sorted((n for n in names if len(n) > 4), key=len, reverse=True)
    short = sorted({n for n in names if len(n) <= 4} | {n.upper() for n in names if len(n) <= 4})
    long_alt = "|".join(re.escape(n) for n in long_names)
    short_alt = "|".join(re.escape(n) for n in sorted(short, key=len, reverse=True))
    return rf"(?:(?i:{long_alt})|{short_alt})"


WIRE = _alias_pattern()
_WIRE_RE = re.compile(rf"(?<![\w-]){WIRE}(?![\w-])")

# "WONSAN (AP) —", "LONDON, Feb 26 (Reuters) -", "SEOUL, South Korea (Yonhap) --", "(Reuters) -".
# The place part is capitalised tokens, numbers and commas only, so a sentence never matches.
_DATELINE_RE = re.compile(
    r"^\s*(?:(?:[A-Z][\w.'’-]*|\d{1,4})(?:,?\s+|,)){0,8}"
    rf"\(\s*(?P<wires>{WIRE}(?:\s*[/,&]\s*{WIRE})*)\s*\)\s*(?:-{{1,2}}|—|–|:)"
)
# ag_news style: "AP - ", "Reuters - ", "Canadian Press - ".
_PREFIX_RE = re.compile(rf"^\s*(?P<wires>{WIRE})\s+(?:-{{1,2}}|—|–)\s+\S")
_TITLE_SUFFIX_RE = re.compile(rf"\(\s*(?P<wires>{WIRE}(?:\s*[/,&]\s*{WIRE})*)\s*\)\s*$")

# A cheap gate before the full parse: a sign-off starts with a dash, "with", "source" or a wire.
_SIGNOFF_START_RE = re.compile(
    rf"^\(?\s*(?:[-—–~]|(?i:with|sources?:|additional reporting by|wires|wire services|agenc|"
    rf"news agenc|staff)|{WIRE})"
)
_SIGNOFF_SPLIT_RE = re.compile(r"\s*(?:/|,|&|\+|;|\band\b|\bwith\b)\s*", re.IGNORECASE)
_SIGNOFF_LEAD_RE = re.compile(
    r"^(?:[-—–~]+\s*)?(?:(?:with|sources?:|source:|additional reporting by)\s+)?", re.IGNORECASE
)

# Credit sentences near the end of the body. Each names the wires in group "wires".
_CREDIT_RES: tuple[re.Pattern[str], ...] = (
    re.compile(
        rf"(?:^|[.!?\"”]\s+|\()(?:The\s+)?(?P<wires>{WIRE}(?:\s*(?:,|and|&)\s*(?:the\s+)?{WIRE})*)"
        r"(?:\s+(?:writers?|reporters?|correspondents?|staff)\b[^.]{0,80}?)?"
        r"\s+contributed\s+to\s+this\s+(?:report|story|article)",
    ),
    re.compile(
        r"(?:^|[.!?\"”]\s+|\(|;\s*)[^.!?]{0,80}?\b(?:of|from)\s+(?:the\s+)?"
        rf"(?P<wires>{WIRE})\s+contributed\s+to\s+this\s+(?:report|story|article)"
    ),
    re.compile(
        r"(?:^|[.!?\"”]\s+|\(|;\s*)(?i:additional\s+reporting\s+(?:by|from)|"
        r"(?:this\s+(?:story|report|article)\s+)?(?:includes|contains)\s+(?:reporting|material)\s+"
        r"(?:by|from)|material\s+from|with\s+(?:additional\s+)?(?:reporting|files)\s+from)\s+"
        rf"(?:the\s+)?(?P<wires>{WIRE}(?:\s*(?:,|and|&)\s*(?:the\s+)?{WIRE})*)\b"
    ),
    # "… the minister said. - with AAP" at the very end of a paragraph.
    re.compile(rf"[-—–]+\s*[Ww]ith\s+(?P<wires>{WIRE}(?:\s*(?:,|and|&|/)\s*{WIRE})*)\s*\.?\)?$"),
)

_BYLINE_SPLIT_RE = re.compile(r"\s*(?:,|\||—|–|\s-\s|\bfor\b|\bof\b|\band\b|&)\s*")
_BYLINE_ROLE_RE = re.compile(
    r"\s+(?:staff\s+)?(?:writers?|reporters?|correspondents?|staff|journalists?|"
    r"business\s+writers?|sports\s+writers?|news)$",
    re.IGNORECASE,
)
_BY_RE = re.compile(r"^\s*by\s+", re.IGNORECASE)


def _names(found: str) -> list[str]:
    out = []
    for match in _WIRE_RE.finditer(found):
        name = canonical_wire(match.group(0))
        if name:
            out.append(name)
    return out


def parse_signoff(line: str) -> tuple[str, ...] | None:
    """The wires of a sign-off line ("Reuters/AP", "— AAP", "with wires" → ()), or None if it is not one."""
    if len(line) > 120:
        return None
    return _parse_signoff(line)


# Cleaning and find_wires ask about the same last lines, and "Reuter" ends most Reuters stories.
@lru_cache(maxsize=2048)
def _parse_signoff(line: str) -> tuple[str, ...] | None:
    text = " ".join(line.split())
    if not text or len(text) > 80 or text.count(" ") > 10 or not _SIGNOFF_START_RE.match(text):
        return None
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    text = text.rstrip(" .")
    text = _SIGNOFF_LEAD_RE.sub("", text, count=1).strip()
    if not text:
        return None
    wires: list[str] = []
    for part in _SIGNOFF_SPLIT_RE.split(text):
        part = part.strip(" .")
        if not part:
            continue
        name = canonical_wire(part)
        if name is not None:
            if name not in wires:
                wires.append(name)
        elif part.casefold() in _GENERIC:
            continue
        else:
            return None
    return tuple(wires)


def title_wires(title: str) -> list[str]:
    """Wires credited by a title suffix: "Grant to Study Peptides (AP)" → ["AP"]."""
    match = _TITLE_SUFFIX_RE.search(title) if ")" in title else None
    return _names(match.group("wires")) if match else []


def lead_wires(line: str) -> list[str]:
    """Wires credited at the start of the body: a dateline "LONDON (Reuters) -" or "AP - "."""
    # Substring gates: a dateline needs its "(", a prefix credit its dash; most leads have neither
    # near the start, and the dateline pattern backtracks through every capitalised word.
    match = _DATELINE_RE.match(line) if "(" in line else None
    if match is None and ("-" in line or "—" in line or "–" in line):
        match = _PREFIX_RE.match(line)
    return _names(match.group("wires")) if match else []


def byline_wires(byline: str) -> list[str]:
    """Wires named by a byline: "By Jane Doe, Reuters", "Associated Press", "AP Writer"."""
    out: list[str] = []
    text = _BY_RE.sub("", " ".join(byline.split()))
    for part in (text, *_BYLINE_SPLIT_RE.split(text)):
        part = _BYLINE_ROLE_RE.sub("", part.strip(" .()"))
        name = canonical_wire(part)
        if name is not None:
            out.append(name)
    return out


# A cheap gate before the credit patterns: one of these words, in any case.
_CREDIT_GATE_WORDS = ("contributed to this", "reporting", "material from", "files from", "with")
_CREDIT_GATE_RE = re.compile("|".join(_CREDIT_GATE_WORDS), re.I)
# What each of ``_CREDIT_RES`` cannot match without: "contributed", a reporting/material/files
# word (in any case), "ith" of "with". Most paragraphs that pass the gate on "with" need none run.
_CREDIT_NEEDS: tuple[tuple[tuple[str, ...], bool], ...] = (
    (("contributed",), False),
    (("contributed",), False),
    (("reporting", "material", "files"), True),
    (("ith",), False),
)
_CREDIT_NEEDS_RES = tuple(
    re.compile("|".join(words), re.I if any_case else 0) for words, any_case in _CREDIT_NEEDS
)


def credit_wires(paragraph: str) -> list[str]:
    """Wires credited by a sentence such as "The Associated Press contributed to this report."."""
    # A case-insensitive search for ASCII words is a substring test on ASCII text lowered; other
    # text keeps the regex, whose case folding goes beyond str.lower ("ſ" matches "s").
    if paragraph.isascii():
        low = paragraph.lower()
        if not any(word in low for word in _CREDIT_GATE_WORDS):
            return []
        needed = [
            any(word in (low if any_case else paragraph) for word in words)
            for words, any_case in _CREDIT_NEEDS
        ]
    else:
        if not _CREDIT_GATE_RE.search(paragraph):
            return []
        needed = [needs.search(paragraph) is not None for needs in _CREDIT_NEEDS_RES]
    found: list[tuple[int, str]] = []
    for pattern, need in zip(_CREDIT_RES, needed, strict=True):
        if not need:
            continue
        for match in pattern.finditer(paragraph):
            found.extend((match.start("wires"), name) for name in _names(match.group("wires")))
    return [name for _, name in sorted(found)]


def metadata_wires(value: str) -> list[str]:
    """Wires from an explicit metadata value ("Reuters, AP"); unknown agencies are kept as given."""
    out = []
    for part in re.split(r"\s*[,;/|]\s*", value):
        part = part.strip()
        if part:
            out.append(canonical_wire(part) or part)
    return out


def _dedupe(names: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for name in names:
        seen.setdefault(name, None)
    return tuple(seen)


def find_wires(
    title: str,
    body_lines: Sequence[str],
    byline: str | None = None,
    fields: Mapping[str, str] | None = None,
    *,
    header_lines: Sequence[str] = (),
    lead_lines: int = 3,
    tail_lines: int = 4,
) -> tuple[str, ...]:
    """Canonical wires credited by an article, deduplicated, in order of appearance.

    ``body_lines`` are the body's paragraphs (or lines) followed by any sign-off lines cleaning took
    off; ``header_lines`` are lines before the title that name a wire on their own ("AFP").
    """
    found: list[str] = []
    if fields and fields.get("wires"):
        found += metadata_wires(fields["wires"])
    if title:
        found += title_wires(title)
    for line in header_lines:
        found += byline_wires(line)
    if byline:
        found += byline_wires(byline)

    lines = [line.strip() for line in body_lines if line and line.strip()]
    for line in lines[:lead_lines]:
        found += lead_wires(line)

    # The tail: trailing sign-off lines, then credit sentences in the last few paragraphs.
    end = len(lines)
    signoffs: list[str] = []
    while end > 0:
        names = parse_signoff(lines[end - 1])
        if names is None:
            break
        signoffs[:0] = names
        end -= 1
    for line in lines[max(0, end - tail_lines) : end]:
        found += credit_wires(line)
    found += signoffs
    return _dedupe(found)
