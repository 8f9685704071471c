"""Near-duplicate story detection: the same wire story republished by many outlets shows up once.

Plain domain code (no Whoosh, no Qt), persisted in one SQLite file. Measured choices are in
``bench/grouping_eval.py``; the numbers quoted here come from its labelled Reuters/BBC set.

1. **Sentences are the unit of evidence.** Outlets rewrite titles and intros, trim endings and add
   "READ MORE" lines and credits, but keep many sentences nearly verbatim. Two outlets' versions
   of one Reuters/AP story (the seeds) share only ~14% of their word 5-grams, so document-level
   MinHash at Jaccard 0.5 misses them, while 4-5 of their sentences are near-identical.
2. **Candidates** come from LSH over sentences: every title or sentence of ``MIN_KEY_TOKENS``+
   words gets ``BANDS`` band keys of ``ROWS`` MinHash values of its word 3-grams, stored in a
   bucket table. Two articles are candidates when they share a bucket, i.e. probably share a
   near-identical sentence. Two rows per band cut candidates ~8× against one row (chance
   collisions on phrases like "the company said") at no measured loss of recall. Buckets over
   ``BUCKET_CAP`` are boilerplate and skipped; when both dates are known, candidates must lie
   within ``WINDOW_DAYS`` (no window when a date is missing). A whole-text key lets exact copies
   meet whatever their dates.
3. **Verification** aligns the units of two articles one-to-one by similarity (rapidfuzz
   ``ratio`` of the normalised text, or of its sorted words, since editors move clauses). A pair
   starts to count at ``MATCH_LOW`` and counts fully at ``MATCH_HIGH``. Templates are kept out:
   units whose numbers disagree do not match ("Shr 12 cts vs 10 cts" / "Shr 15 cts vs 11 cts"),
   nor near-identical units where one name replaces another ("Franklin California sets monthly
   payout" / "Franklin Puerto Rico ..."); sentences that other articles carried on other days
   (stock background, recurring reports) count ``RECUR_WEIGHT``.
4. **Score** in [0, 1]. Units weigh their words' rarity (document frequencies kept in the
   index), so shared names count and shared stock phrases hardly do. Containment of each side
   (share of its substance matched in the other) is averaged with double weight on the smaller
   one, scaled down when the shared substance is below ``EVIDENCE_FULL`` rare words, and scaled
   down when the two texts disagree on their rare words (``RARE_RAMP``: versions of one story
   name the same people and places, templated reports of others do not). The seeds score ~0.4;
   next-day follow-ups that copy one or two background paragraphs ≤ 0.32; ``DEFAULT_THRESHOLD``
   is 0.35.
5. **Groups** are connected components of pairs scoring ≥ threshold, re-clustered by average
   linkage so that one roundup quoting two stories cannot chain them together. Pair evidence
   (score, containments, aligned unit indices) is stored, so any threshold is a read of the
   pairs table plus a union-find: nothing is recomputed.

Scores are computed when an article is added, with the rarities and recurrences known then; they
are not revised as the archive grows.

Adding is split for parallel ingest: ``prepare_story`` / ``prepare_stories`` do everything that
depends on one article alone (sentences, tokens, word ids and kinds, band keys, a blob of
sentences and features), anywhere, e.g. in indexing worker processes; ``StoryIndex.add`` (or
``put``/``flush``) does what needs the store, in batches of ``BATCH_SIZE`` that share one reading
of word rarities: bucket lookups for the whole batch at once, a screen of the candidate pairs
(a score is at most its rare-word factor, which needs only the two vocabularies: most
candidates, texts sharing a stock sentence, are never unpacked), verification of the others
(their features unpacked from the stored blob, never re-tokenised), writes. While a store that
began empty fills (a rebuild), its bucket table and word frequencies are kept in memory as well
(``_Buckets``, ``_Freqs``), so lookups need no SQL. Commits come every few thousand articles
or seconds (random inserts into the bucket table dirty pages that each commit writes out); a
crash keeps the last commit, which is consistent. Either path gives the same pairs.

Public API: ``StoryInput``, ``PreparedStory``, ``prepare_story``, ``prepare_stories``,
``StoryIndex``, ``PairEvidence``, ``Passage``, ``diff_versions``, ``VersionDiff``,
``SentenceOp``, ``WordOp``, ``sentences`` and ``DEFAULT_THRESHOLD``.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
import re
import struct
import threading
import time
import unicodedata
import zlib
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from index.stories_store import Store, StoredPair

# ---------------------------------------------------------------------------------------------
# Tunables. Module-level so that bench/grouping_eval.py can ablate them (--set NAME=VALUE).

DEFAULT_THRESHOLD = 0.35
STORE_FLOOR = 0.05  # pairs scoring below this are not stored: lower thresholds act like it
WINDOW_DAYS = 3  # candidates must be this close when both dates are known
BATCH_SIZE = 256  # articles compared with the same word rarities in add()
COMMIT_ARTICLES = 4096  # add() commits at least this often (fewer commits: fewer page writes)
COMMIT_SECONDS = 2.0  # ... and at least this often, except while a blank store fills (a rebuild)
DF_CACHE = 500_000  # document frequencies add() keeps in memory during a transaction
# Candidates
BANDS = 4
ROWS = 2
MIN_KEY_TOKENS = 6  # shorter units ("Nine mths", "Pay April 30") get no band keys
BUCKET_CAP = 64
# Bucket rows kept in memory while a story index that began empty fills (a rebuild): lookups
# then need no SQL and rows reach the store in one sorted insert per commit. Past this many
# (24 bytes each, about 25 per Reuters article) the table is read from SQLite again. 0: never.
BUCKET_MEMORY = 4_000_000
# Verification
USE_SORTED = True  # also compare units with their words sorted (moved clauses)
MATCH_LOW = 0.6  # unit similarity where a match starts to count
MATCH_HIGH = 0.85  # ... and where it counts fully
CHECK_CONFLICT = True  # a near-identical unit with one name swapped for another is no match
CONFLICT_FROM = 0.75  # below this a pair is a rewrite, where names may legitimately differ
NAME_RARE = 0.4  # rarity from which a capitalised word counts as a name ("Britain" → "France")
RECUR_DOCS = 2  # other-day articles that must share a unit for it to count as recurring
STOCK_DOCS = 5  # articles sharing only this unit with a new one that make it stock text
RECUR_WEIGHT = 0.2  # credit of a recurring or stock unit
# Score
USE_RARITY = True  # weigh words by rarity (off: every content word counts 1)
PRIOR_DOCS = 1000  # every word is assumed rare until the archive shows otherwise
EVIDENCE_FULL = 6.0  # shared substance (in rare-word units) for full confidence
RARE = 0.75  # rarity from which a word counts as story-specific (names, places, figures)
RARE_RAMP: tuple[float, float] | None = (0.1, 0.3)  # rare-word agreement: score ×0 → ×1
# Groups
LINKAGE = 0.75  # average-linkage bar inside a component, as a share of the threshold
LINKAGE_MAX = 400  # larger components keep single linkage (the matrix would grow too big)

# ---------------------------------------------------------------------------------------------
# Sentences and tokens


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ABBREVIATIONS = _words(
    "mr mrs ms dr prof gen sen rep reps gov lt col capt sgt cpl maj adm cmdr supt insp det "
    "st jr sr rev hon pres messrs mme mlle no nos vs v etc approx dept est fig figs vol pp "
    "ft mt jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs "
    "fri sat sun ave blvd rd hwy univ assn bros cie "
)
# Company suffixes and dotted acronyms often end a sentence too: split after them only when the
# next word looks like a sentence start.
_SOFT_ABBREVIATIONS = _words("inc corp co ltd plc llc bhd pty ag sa nv al")
_SENTENCE_STARTERS = _words(
    "the a an it its he she they we i you his her their our this that these those there here "
    "but and or so yet if when while after before as in on at for from by with since during "
    "however meanwhile also still then now some many most other another both all each one "
    "two three four five mr mrs ms dr president prime shares analysts officials police "
)
STOPWORDS = _words(
    "a about above after again against all also am an and any are as at be because been "
    "before being below between both but by can could did do does doing down during each few "
    "for from further had has have having he her here hers herself him himself his how i if "
    "in into is it its itself just me more most my myself no nor not now of off on once only "
    "or other our ours out over own same she should so some such than that the their theirs "
    "them then there these they this those through to too under until up very was we were "
    "what when where which while who whom why will with would you your yours said says say "
    "told according mr mrs ms one two three new "
)

_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’»)\]]*)(\s+)(?=[\"'“‘«(\[]*[A-Z0-9])")
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.'’-]*)$")
_NEXT_WORD = re.compile(r"[\"'“‘«(\[]*([A-Za-z]+)")
_DOTTED = re.compile(r"^(?:[A-Za-z]\.){2,}$")
_TERMINAL = re.compile(r"[.!?:;,\"'”’)\]…-]$")


def _blocks(text: str) -> list[str]:
    """Paragraphs of ``text``: blank lines and indented lines start one; soft-wrapped lines join."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            if current:
                blocks.append(current)
                current = []
            continue
        # Reuters and other wire feeds mark paragraphs by indentation, not blank lines.
        if current and line[:1] in " \t":
            blocks.append(current)
            current = []
        current.append(stripped)
    if current:
        blocks.append(current)
    out: list[str] = []
    for lines in blocks:
        widest = max(len(x) for x in lines)
        part = [lines[0]]
        for prev, line in itertools.pairwise(lines):
            # A short line without closing punctuation before a capitalised line is a headline,
            # credit or list item on its own line, not a hard wrap in running text.
            if not _TERMINAL.search(prev) and len(prev) < 0.8 * widest and line[:1].isupper():
                out.append(" ".join(part))
                part = [line]
            else:
                part.append(line)
        out.append(" ".join(part))
    return out


def _split_paragraph(par: str) -> list[str]:
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(par):
        if m.group(1) == ".":
            word_match = _LAST_WORD.search(par, start, m.start(1))
            word = word_match.group(1) if word_match else ""
            low = word.lower().rstrip(".")
            nxt = _NEXT_WORD.match(par, m.end())
            starts = bool(nxt) and nxt is not None and nxt.group(1).lower() in _SENTENCE_STARTERS
            if low in _ABBREVIATIONS:
                continue
            if len(low) == 1 and word[:1].isupper() and not starts:
                continue  # an initial: "John F. Kennedy"
            if (_DOTTED.match(word + ".") or low in _SOFT_ABBREVIATIONS) and not starts:
                continue  # "U.S. Treasury", "Acme Corp. said"
        sentence = par[start : m.end(2)].strip()
        if sentence:
            out.append(sentence)
        start = m.end()
    tail = par[start:].strip()
    if tail:
        out.append(tail)
    return out


def sentences(text: str) -> list[str]:
    """Split news text into sentences, keeping abbreviations, initials and decimals intact."""
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    for par in _blocks(text):
        out.extend(_split_paragraph(par))
    return out


_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.){2,}")
_ACRONYM_ASCII = re.compile(_ACRONYM.pattern, re.ASCII)  # the same on ASCII text, faster
_ACRONYM_HINT = re.compile(r"\.[A-Za-z]\.")  # in every acronym; a fast scan for its dot
# Numbers keep their fractions and ranges whole: "6-3/8" and "6-1/8" are different rates.
_TOKEN = re.compile(r"\d+(?:[.,:/-]\d+)*|[^\W\d_]+")
_POSSESSIVE = re.compile(r"['’]s\b")
_POSSESSIVE_ANY_CASE = re.compile(r"['’][sS]\b")


def _undot(s: str) -> str:
    """``s`` with its dotted acronyms undotted ("U.S." → "US")."""
    if _ACRONYM_HINT.search(s) is None:  # three in four texts have none
        return s
    return (_ACRONYM_ASCII if s.isascii() else _ACRONYM).sub(_undot_match, s)


def _undot_match(m: re.Match[str]) -> str:
    return m.group(0).replace(".", "")


def tokens(sentence: str) -> list[str]:
    """Normalised word tokens: lower case, acronyms undotted, thousands separators dropped."""
    s = sentence if sentence.isascii() else unicodedata.normalize("NFKC", sentence)
    s = _POSSESSIVE.sub("", _undot(s).lower())
    return list(map(_NORMAL.__getitem__, _TOKEN.findall(s)))


_TOKEN_OR_BREAK = re.compile(_TOKEN.pattern + r"|\n")
# The same on lower-case ASCII text (where \d is [0-9] and [^\W\d_] is [a-z]), a third faster.
_TOKEN_OR_BREAK_ASCII = re.compile(r"[0-9]+(?:[.,:/-][0-9]+)*|[a-z]+|\n", re.ASCII)


def _normalise(units: Sequence[str]) -> tuple[list[str], list[str]]:
    """``" ".join(tokens(unit))`` of each unit, and all their tokens in order, with a "\n"
    after each unit.

    Runs the regular expressions once over all units joined by newlines (which no
    expression crosses) rather than once per unit.
    """
    text = "\n".join(units)
    ascii = text.isascii()
    s = text if ascii else unicodedata.normalize("NFKC", text)
    s = _POSSESSIVE.sub("", _undot(s).lower())
    found = (_TOKEN_OR_BREAK_ASCII if ascii else _TOKEN_OR_BREAK).findall(s)
    words = list(map(_NORMAL.__getitem__, found))
    norm = [part.strip(" ") for part in " ".join(words).split("\n")]
    if len(norm) != len(units):  # a unit with a newline of its own (a title, say)
        toks = [tokens(u) for u in units]
        return [" ".join(t) for t in toks], [t for unit in toks for t in (*unit, "\n")]
    words.append("\n")
    return norm, words


class _Normal(dict[str, str]):
    """Raw token → normalised token (see ``tokens``), computed once per distinct token."""

    def __missing__(self, raw: str) -> str:
        if len(self) > 200_000:
            self.clear()
        if raw[0].isdigit():
            tok = raw.replace(",", "")
            if tok.endswith(":00"):
                tok = tok[:-3]  # "9:00am" and "9am" are the same time
        else:
            # Templated reports spell small numbers out ("Qtly div three cts").
            tok = _NUMBER_WORDS.get(raw, raw)
        self[raw] = tok
        return tok


_NORMAL = _Normal()


def _name_flags(text: str) -> list[bool]:
    """For each token of ``tokens(text)``: could it be a name (capitalised, not first word)?

    In an all-capitals unit (a wire headline) every word could be.
    """
    s = text if text.isascii() else unicodedata.normalize("NFKC", text)
    s = _POSSESSIVE_ANY_CASE.sub("", _undot(s))
    found = _TOKEN.findall(s)
    if not any(c.islower() for c in s):
        return [not t[0].isdigit() for t in found]
    return [k > 0 and t[0].isupper() for k, t in enumerate(found)]


class _Info(dict[str, int]):
    """Normalised token → its id << 2 | its kind (``_kind``), computed once per distinct word.

    The id is stable (the same in every process and run), unlike hash().
    """

    def __missing__(self, tok: str) -> int:
        if len(self) > 200_000:
            self.clear()
        if tok == "\n":
            info = self[tok] = _BREAK
            return info
        info = self[tok] = zlib.crc32(tok.encode("utf-8")) << 2 | _kind(tok)
        return info


_INFO = _Info()
_BREAK = 1 << 63  # the info of the "\n" after each unit (_normalise): no word's


_SMALL_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)
_NUMBER_WORDS = {w: str(n) for n, w in enumerate(_SMALL_NUMBERS.split())} | {
    "nil": "0", "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
}  # fmt: skip

_IDF_FULL = math.log(PRIOR_DOCS)


def _token_weight(df: int, n_docs: int) -> float:
    """Rarity of a word in [0, 1]: 1 for words in fewer than ~0.1% of articles."""
    return min(1.0, math.log((n_docs + PRIOR_DOCS) / (df + 1)) / _IDF_FULL)


# ---------------------------------------------------------------------------------------------
# Band keys (MinHash of word 3-grams, per sentence)


def _mix(x: np.ndarray) -> np.ndarray:
    # splitmix64 finaliser: a good 64-bit mix, vectorised; uint64 arithmetic wraps as intended.
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


with np.errstate(over="ignore"):
    # Fixed seeds, one per MinHash function: keys must be the same in every run.
    _SEEDS = _mix(np.arange(1, 65, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))


def _band_keys(flat: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Band keys of a document from its token ids (uint64, all units in order) and unit lengths.

    Returns an int64 array of BANDS rows, one key per band and keyed unit, and the keyed units:
    those (title or sentences) of at least MIN_KEY_TOKENS words. A key is ROWS MinHash values of
    the unit's word 3-grams.
    """
    bands = BANDS
    long = lengths >= MIN_KEY_TOKENS
    units = np.flatnonzero(long)
    if not len(units):
        return np.zeros((bands, 0), dtype=np.int64), units
    if len(units) < len(lengths):
        flat = flat[np.repeat(long, lengths)]
        lengths = lengths[units]
    with np.errstate(over="ignore"):
        grams = _mix(flat[:-2] * np.uint64(0x100000001B3) ^ _mix(flat[1:-1]) + flat[2:])
    # Drop the 3-grams that straddle two units.
    ends = np.cumsum(lengths)
    keep = np.ones(len(grams), dtype=bool)
    keep[ends[:-1] - 2] = False
    keep[ends[:-1] - 1] = False
    grams = grams[keep]
    starts = np.concatenate(([0], np.cumsum(lengths - 2)[:-1]))
    with np.errstate(over="ignore"):
        hashed = _mix(grams[None, :] ^ _SEEDS[: bands * ROWS, None])
        mins = np.minimum.reduceat(hashed, starts, axis=1)
        # ROWS MinHash values per band: units collide only if all agree, which near-identical
        # sentences do and chance overlaps in common phrases ("the company said") do not.
        band = mins[0::ROWS]
        for r in range(1, ROWS):
            band = _mix(band ^ (mins[r::ROWS] >> np.uint64(r)))
        # The band number in the low bits keeps the bands' buckets apart.
        band = (band & ~np.uint64(7)) | np.arange(bands, dtype=np.uint64)[:, None]
    return band.view(np.int64), units


def _unit_keys(unit_ids: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """(key, unit) band keys of a document given the token ids of each unit (see _band_keys)."""
    lengths = np.fromiter(map(len, unit_ids), dtype=np.int64, count=len(unit_ids))
    flat = np.fromiter((t for u in unit_ids for t in u), dtype=np.uint64, count=int(lengths.sum()))
    keys, units = _band_keys(flat, lengths)
    return list(zip(keys.ravel().tolist(), units.tolist() * len(keys), strict=True))


def _text_key(doc_norm: Sequence[str]) -> int | None:
    """One key for the whole normalised body: identical texts meet whatever their dates."""
    body = "\n".join(doc_norm[1:])
    if not body.strip():
        return None
    h = int.from_bytes(hashlib.blake2b(body.encode("utf-8"), digest_size=8).digest(), "little")
    h = (h & ~7) | 7  # band slot 7 marks whole-text keys
    return h - (1 << 64) if h >= 1 << 63 else h


# ---------------------------------------------------------------------------------------------
# Per-document features: computed once per article (``prepare_story``), stored packed in the
# document's blob, unpacked when a comparison needs them

_NO_INTS = np.zeros(0, dtype=np.int64)
_CONTENT, _NUMBER, _STOP = 0, 1, 2  # word kinds: content words and numbers carry weight
# Blob header: units, tokens, distinct words, distinct content words and numbers (which come
# first among the distinct words), then bytes of the sentence and norm texts.
_HEAD = struct.Struct("<6I")


def _pack(
    texts: tuple[Sequence[str], Sequence[str]],
    n_units: int,
    n_tokens: int,
    n_distinct: int,
    weighty: int,
    arrays: Sequence[bytes],
) -> bytes:
    """One blob of a document's sentences (``texts``: sentences and normalised units) and
    comparison features, read back by ``_Doc.decode``.

    ``arrays`` are, as bytes: the table of distinct word ids (uint32), tokens per unit
    (uint32), each token's slot in the table (uint16, or uint32 past 65,535 distinct words),
    a flag per unit with numbers and each distinct word's kind (uint8). The table comes first,
    at a fixed offset, and its first ``weighty`` entries (content words and numbers) are the
    document's sorted vocabulary: decoding needs no sorting, and the vocabulary can be read
    without decoding (``_blob_vocab``). Not compressed: compressing cost the workers more than
    a third of their story time, and uncompressing cost the parent a fifth of its.
    """
    encoded = ["\n".join(part).encode("utf-8") for part in texts]
    head = _HEAD.pack(n_units, n_tokens, n_distinct, weighty, *map(len, encoded))
    return b"".join((head, *arrays, *encoded))


_SIZES = (4, 4, 2, 1, 1)  # bytes per entry of _pack's narrow arrays


def _blob_vocab(blob: bytes) -> np.ndarray:
    """The sorted distinct ids of a blob's content words and numbers, without decoding it."""
    weighty = _HEAD.unpack_from(blob)[3]
    return np.frombuffer(blob, "<u4", weighty, _HEAD.size)


def _kind(tok: str) -> int:
    if tok[0].isdigit():
        return _NUMBER
    if len(tok) < 2 or tok in STOPWORDS:
        return _STOP
    return _CONTENT


class _Doc:
    """Title and sentences of one document with what comparison needs.

    Comparison works on *units*: unit 0 is the title, unit k is sentence k - 1. A document is
    created from its blob and unpacked by ``decode`` only when it takes part in a comparison;
    weights are set per batch by ``_reweight``.
    """

    __slots__ = (
        "_nums",
        "_rare",
        "_starts",
        "_token_ids",
        "blob",
        "day",
        "decoded",
        "doc",
        "id",
        "ids",
        "kinds",
        "lengths",
        "norm",
        "numbers",
        "sents",
        "slots",
        "snorm",
        "title",
        "total",
        "tw",
        "vocab",
        "weights",
    )  # fmt: skip

    # Set by decode(): most documents of a batch are never compared, so never decoded.
    sents: tuple[str, ...]
    norm: list[str]  # normalised tokens of each unit, joined by spaces
    snorm: list[str]  # the same, sorted (editors move clauses)
    lengths: np.ndarray  # tokens per unit
    ids: np.ndarray  # token ids of all units, in order
    kinds: np.ndarray  # _CONTENT, _NUMBER or _STOP per token
    numbers: list[int]  # 1 for a unit with numbers
    slots: np.ndarray  # each token's position in vocab (stopwords: past its end)
    _starts: list[int]
    _nums: dict[int, frozenset[str]]
    # Set by _reweight()
    weights: list[float]
    total: float
    tw: _Rarity

    def __init__(
        self,
        doc: int,
        id: str,
        day: int | None,
        title: str,
        blob: bytes,
    ) -> None:
        self.doc = doc
        self.id = id
        self.day = day
        self.title = title
        self.blob = blob
        self.decoded = False
        self.vocab = _blob_vocab(blob)  # distinct content and number ids, without decoding
        self.tw = _NO_RARITY
        self._token_ids: frozenset[int] | None = None
        self._rare: tuple[dict[int, float], float] | None = None

    def decode(self) -> _Doc:
        """Unpack the blob (once; weights come from ``_reweight``); returns self."""
        if self.decoded:
            return self
        raw = self.blob
        n_units, n_tokens, n_distinct, weighty, *sizes = _HEAD.unpack_from(raw)
        at = _HEAD.size
        table = np.frombuffer(raw, "<u4", n_distinct, at)
        at += 4 * n_distinct
        self.lengths = np.frombuffer(raw, "<u4", n_units, at).astype(np.int64)
        at += 4 * n_units
        width = 2 if n_distinct <= 0xFFFF else 4
        self.slots = np.frombuffer(raw, f"<u{width}", n_tokens, at)
        at += width * n_tokens
        self.numbers = list(raw[at : at + n_units])
        at += n_units
        table_kinds = np.frombuffer(raw, np.uint8, n_distinct, at)
        at += n_distinct
        self.ids = table[self.slots]
        self.kinds = table_kinds[self.slots]
        self.vocab = table[:weighty]
        texts = []
        for size in sizes:
            texts.append(raw[at : at + size].decode("utf-8"))
            at += size
        self.sents = tuple(texts[0].split("\n")) if n_units > 1 else ()
        self.norm = norm = texts[1].split("\n")
        # Sorted words (editors move clauses) are made here, for the few documents compared.
        self.snorm = [" ".join(sorted(part.split(" "))) if part else "" for part in norm]
        self._starts = []
        self._nums = {}
        self.decoded = True
        return self

    def unit_ids(self, unit: int) -> list[int]:
        """Token ids of one unit."""
        if not self._starts:
            self._starts = [0, *np.cumsum(self.lengths).tolist()]
        return self.ids[self._starts[unit] : self._starts[unit + 1]].tolist()  # type: ignore[no-any-return]

    def unit_tokens(self, unit: int) -> list[str]:
        """Normalised tokens of one unit."""
        text = self.norm[unit]
        return text.split(" ") if text else []

    def nums(self, unit: int) -> frozenset[str]:
        """The numbers of one unit (computed on first use)."""
        got = self._nums.get(unit)
        if got is None:
            text = self.norm[unit]
            got = self._nums[unit] = frozenset(
                t for t in (text.split(" ") if text else ()) if t[0].isdigit()
            )
        return got

    def names(self, unit: int) -> list[str]:
        """The tokens of a unit that could be names, others as "" (computed on demand)."""
        text = self.title if unit == 0 else self.sents[unit - 1]
        toks = self.unit_tokens(unit)
        flags = _name_flags(text)
        if len(flags) != len(toks):
            return [""] * len(toks)
        return [
            t if f and not t[0].isdigit() and t not in STOPWORDS else ""
            for t, f in zip(toks, flags, strict=True)
        ]

    def token_ids(self) -> frozenset[int]:
        """Distinct word ids (content words and numbers) of the document."""
        if self._token_ids is None:
            self._token_ids = frozenset(self.vocab.tolist())
        return self._token_ids

    def rare(self) -> tuple[dict[int, float], float]:
        """The document's rare words (rarity ≥ RARE) with their rarities, and their sum."""
        if self._rare is None:
            get = self.tw.get
            words = {t: w for t in self.token_ids() if (w := get(t, 1.0)) >= RARE}
            self._rare = (words, sum(words.values()))
        return self._rare


@dataclass(frozen=True)
class _Rarity:
    """Rarity weights of a set of words, as sorted arrays for vectorised lookups."""

    ids: np.ndarray  # sorted distinct word ids
    values: np.ndarray  # their rarities

    @classmethod
    def empty(cls) -> _Rarity:
        """No rarities known: every word counts 1."""
        return cls(_NO_INTS, np.zeros(0))

    @classmethod
    def of(cls, ids: np.ndarray, df: np.ndarray, n_docs: int) -> _Rarity:
        """Rarities of the words ``ids`` (sorted, distinct) from their document frequencies."""
        if not USE_RARITY or not len(ids):
            return cls.empty()
        freqs, where = np.unique(df, return_inverse=True)
        # math.log per distinct frequency (a few hundred), not per word.
        values = np.array([_token_weight(int(d), n_docs) for d in freqs.tolist()])[where]
        return cls(ids, values)

    def get(self, word: int, default: float = 1.0) -> float:
        """The rarity of one word, or ``default`` for a word not in the set."""
        at = int(np.searchsorted(self.ids, word))
        if at < len(self.ids) and self.ids[at] == word:
            return float(self.values[at])
        return default


_NO_RARITY = _Rarity.empty()


def _lookup(rarity: _Rarity, ids: np.ndarray) -> np.ndarray:
    """Rarities of word ``ids`` (1 for words ``rarity`` does not know)."""
    weight = np.ones(len(ids))
    if len(rarity.ids) and len(ids):
        at = np.minimum(np.searchsorted(rarity.ids, ids), len(rarity.ids) - 1)
        known = rarity.ids[at] == ids
        weight[known] = rarity.values[at[known]]
    return weight


def _reweight(docs: Sequence[_Doc], rarity: _Rarity) -> None:
    """Set the rare words and unit weights of decoded documents from word rarities."""
    docs = [d for d in docs if d.decoded]
    _set_rare(docs, rarity)
    _set_weights(docs, rarity)


def _set_rare(docs: Sequence[_Doc], rarity: _Rarity) -> None:
    """Set the rare words of documents (for ``_rare_overlap``) from word rarities.

    Needs only each document's vocabulary, so candidates can be screened before decoding.
    """
    if not docs:
        return
    vocab = np.concatenate([d.vocab for d in docs])
    vocab_weight = _lookup(rarity, vocab)
    vocab_bounds = np.cumsum([0, *(len(d.vocab) for d in docs)])
    rare = vocab_weight >= RARE
    rare_ids, rare_weights = vocab[rare].tolist(), vocab_weight[rare].tolist()
    rare_bounds = np.concatenate(([0], np.cumsum(rare)))
    rare_at = rare_bounds[vocab_bounds].tolist()
    for k, d in enumerate(docs):
        d.tw = rarity
        lo, hi = rare_at[k], rare_at[k + 1]
        words = rare_weights[lo:hi]
        # In vocabulary order: _rare_overlap's sums must not depend on how they were set.
        d._rare = (dict(zip(rare_ids[lo:hi], words, strict=True)), sum(words))


def _set_weights(docs: Sequence[_Doc], rarity: _Rarity) -> None:
    """Set the unit weights of decoded documents from word rarities.

    A unit weighs the rarity of its content words, half that of its numbers and 0.05 per
    stopword. Sums run in token order, as the per-unit Python sums they replace did.
    """
    if not docs:
        return
    lengths = np.concatenate([d.lengths for d in docs])
    kinds = np.concatenate([d.kinds for d in docs])
    unit_of = np.repeat(np.arange(len(lengths)), lengths)
    vocab = np.concatenate([d.vocab for d in docs])
    vocab_weight = _lookup(rarity, vocab)
    # A token's rarity is its vocabulary entry's: one lookup per distinct word, not per token.
    vocab_bounds = np.cumsum([0, *(len(d.vocab) for d in docs)])
    slots = np.concatenate([d.slots for d in docs]) + np.repeat(
        vocab_bounds[:-1], [len(d.slots) for d in docs]
    )
    # Stopwords' slots may point past their document's words (their weight is not used).
    weight = np.append(vocab_weight, 0.0)[np.minimum(slots, len(vocab))]
    n = len(lengths)
    content = np.bincount(unit_of, np.where(kinds == _CONTENT, weight, 0.0), n)
    numbers = np.bincount(unit_of, np.where(kinds == _NUMBER, weight, 0.0), n)
    stops = np.bincount(unit_of, (kinds == _STOP).astype(np.float64), n)
    weights = (content + 0.5 * numbers + 0.05 * stops).tolist()
    at_unit = 0
    for d in docs:
        d.weights = weights[at_unit : at_unit + len(d.lengths)]
        at_unit += len(d.lengths)
        d.total = max(sum(d.weights), 1e-9)


def _may_store(a: _Doc, b: _Doc) -> bool:
    """False when two documents' pair surely scores below ``STORE_FLOOR`` (see _score_matrix).

    A score is at most its rare-word factor, which needs only the vocabularies: most
    candidates (texts sharing a stock sentence) fail here and are never decoded or compared.
    """
    if not RARE_RAMP:
        return True
    ra, total_a = a.rare()
    rb, total_b = b.rare()
    if not ra or not rb:
        return True  # no rare words to disagree on (_rare_overlap is 1)
    lo, hi = RARE_RAMP
    # The score is rounded to 4 decimals before it meets the floor: keep a margin for that.
    least = STORE_FLOOR - 1e-4
    # The factor grows with the overlap, the smaller of two shares: one low share decides.
    share = _rare_share(ra, total_a, b.token_ids())
    if min(1.0, max(0.0, (share - lo) / (hi - lo))) < least:
        return False
    share = min(share, _rare_share(rb, total_b, a.token_ids()))
    return min(1.0, max(0.0, (share - lo) / (hi - lo))) >= least


def _screen(
    docs: Sequence[_Doc], left: np.ndarray, right: np.ndarray, rarity: _Rarity
) -> np.ndarray:
    """``_may_store`` for many pairs at once (positions in ``docs``), from vocabularies only.

    The shares are summed in numpy; pairs whose factor lies within rounding noise of the bar
    get the exact ``_may_store``, so the answer is always that of ``_may_store``.
    """
    keep = np.ones(len(left), dtype=bool)
    if not RARE_RAMP or not len(left):
        return keep
    sizes = np.array([len(d.vocab) for d in docs], dtype=np.int64)
    starts = np.cumsum(sizes) - sizes
    vocab = np.concatenate([d.vocab for d in docs]).astype(np.int64)
    weight = _lookup(rarity, vocab)
    rare = np.flatnonzero(weight >= RARE)
    owner = np.repeat(np.arange(len(docs)), sizes)
    rare_sizes = np.bincount(owner[rare], minlength=len(docs))
    rare_starts = np.cumsum(rare_sizes) - rare_sizes
    rare_total = np.bincount(owner[rare], weight[rare], minlength=len(docs))
    shares = []
    for a, b in ((left, right), (right, left)):
        # a's rare words, pair by pair, looked up among b's words (pair number in the high bits).
        at = rare[_ranges(rare_starts[a], rare_sizes[a])]
        pair = np.repeat(np.arange(len(a), dtype=np.int64), rare_sizes[a])
        wanted = pair << 32 | vocab[at]
        offered = (
            np.repeat(np.arange(len(b), dtype=np.int64), sizes[b]) << 32
            | vocab[_ranges(starts[b], sizes[b])]
        )
        _where, present = _find(offered, wanted)
        got = np.bincount(pair[present], weight[at][present], minlength=len(a))
        shares.append(got / np.maximum(rare_total[a], 1e-300))
    lo, hi = RARE_RAMP
    factor = np.clip((np.minimum(*shares) - lo) / (hi - lo), 0.0, 1.0)
    least = STORE_FLOOR - 1e-4
    keep = factor >= least
    # Without rare words on one side the overlap is 1: nothing to screen.
    keep |= (rare_sizes[left] == 0) | (rare_sizes[right] == 0)
    close = np.flatnonzero(np.abs(factor - least) < 1e-9)
    for k in close.tolist():
        a_doc, b_doc = docs[int(left[k])], docs[int(right[k])]
        _set_rare([a_doc, b_doc], rarity)
        keep[k] = _may_store(a_doc, b_doc)
    return keep


def _day(date: datetime | None) -> int | None:
    if date is None:
        return None
    if date.tzinfo is not None:
        date = date.astimezone(UTC)
    return date.toordinal()


@dataclass(frozen=True)
class _Verdict:
    score: float
    cont_a: float
    cont_b: float
    matches: tuple[tuple[int, int, float], ...]  # (unit in a, unit in b, similarity)
    shared: float = 0.0  # substance both carry, in rare-word units
    rare: float = 0.0  # agreement on rare words (see _rare_overlap)


def _rare_overlap(a: _Doc, b: _Doc) -> float:
    """Of each text's rare words, the weighted share the other text also has (the smaller)."""
    ra, total_a = a.rare()
    rb, total_b = b.rare()
    if not ra or not rb:
        return 1.0
    return min(_rare_share(ra, total_a, b.token_ids()), _rare_share(rb, total_b, a.token_ids()))


def _rare_share(rare: dict[int, float], total: float, other: frozenset[int]) -> float:
    """The weighted share of the ``rare`` words that ``other`` has, summed in ``rare``'s order."""
    common = other.intersection(rare)  # in C: most pairs share none or one
    if len(common) < 2:
        return sum(rare[t] for t in common) / total
    return sum(w for t, w in rare.items() if t in common) / total


def _conflict(a: _Doc, i: int, b: _Doc, j: int) -> bool:
    """True when a rare name in one unit was replaced by a different rare name in the other.

    Templated reports share a frame and differ in names ("Franklin California sets monthly
    payout" / "Franklin Puerto Rico sets ..."); copy editors add, drop, move and respell names
    and swap ordinary words ("about" → "some"), but rarely swap one name for another.
    """
    ids_a, ids_b = a.unit_ids(i), b.unit_ids(j)
    set_a, set_b = set(ids_a), set(ids_b)
    names_a: list[str] | None = None
    names_b: list[str] | None = None
    for op in Levenshtein.opcodes(ids_a, ids_b):
        if op.tag != "replace":
            continue
        # Words that merely moved (present elsewhere in the other unit) are not replacements.
        got_a = [k for k in range(op.src_start, op.src_end) if ids_a[k] not in set_b]
        got_b = [k for k in range(op.dest_start, op.dest_end) if ids_b[k] not in set_a]
        if not got_a or not got_b:
            continue
        if names_a is None:
            names_a = a.names(i)
            names_b = b.names(j)
        assert names_b is not None
        rare_a = [names_a[k] for k in got_a if names_a[k] and a.tw.get(ids_a[k], 1.0) >= NAME_RARE]
        rare_b = [names_b[k] for k in got_b if names_b[k] and b.tw.get(ids_b[k], 1.0) >= NAME_RARE]
        if rare_a and rare_b and all(fuzz.ratio(x, y) < 75 for x in rare_a for y in rare_b):
            return True
    return False


# Similarity of a rapidfuzz percentage, as the float32 fraction scores have always used.
_SIMILARITY: list[float] = (np.arange(256, dtype=np.uint8).astype(np.float32) / 100.0).tolist()


def _score_matrix(
    a: _Doc, b: _Doc, sim: np.ndarray, recurring: set[int] | frozenset[int] = frozenset()
) -> _Verdict:
    """Score two documents from their unit similarity matrix (percent, zeros below MATCH_LOW)."""
    cands: list[tuple[float, int, int]] = []
    rows, cols = np.nonzero(sim)
    counts_a, counts_b = a.numbers, b.numbers
    norm_a, norm_b = a.norm, b.norm
    for i, j, v in zip(rows.tolist(), cols.tolist(), sim[rows, cols].tolist(), strict=True):
        s = _SIMILARITY[v]
        if counts_a[i] and counts_b[j]:
            na, nb = a.nums(i), b.nums(j)
            # Templated reports ("Shr 12 cts vs 10 cts") differ only in their numbers.
            if na != nb:
                if len(na & nb) * 2 < len(na | nb):
                    continue
                s = MATCH_LOW + (s - MATCH_LOW) * 0.5
        if (
            CHECK_CONFLICT
            and s >= CONFLICT_FROM
            and norm_a[i] != norm_b[j]  # identical words swap no name
            and _conflict(a, i, b, j)
        ):
            continue
        cands.append((s, i, j))
    cands.sort(reverse=True)
    used_a: set[int] = set()
    used_b: set[int] = set()
    matches: list[tuple[int, int, float]] = []
    got_a = got_b = shared = 0.0
    for s, i, j in cands:
        if i in used_a or j in used_b:
            continue
        credit = min(1.0, (s - MATCH_LOW) / (MATCH_HIGH - MATCH_LOW))
        if credit <= 0:
            continue
        if i in recurring:
            # Sentences other articles carried on other days are templates or stock background.
            credit *= RECUR_WEIGHT
        used_a.add(i)
        used_b.add(j)
        matches.append((i, j, round(s, 3)))
        got_a += credit * a.weights[i]
        got_b += credit * b.weights[j]
        shared += credit * min(a.weights[i], b.weights[j])
    cont_a = min(1.0, got_a / a.total)
    cont_b = min(1.0, got_b / b.total)
    rare = _rare_overlap(a, b) if matches else 0.0
    lo, hi = min(cont_a, cont_b), max(cont_a, cont_b)
    score = (2 * lo + hi) / 3 * min(1.0, shared / EVIDENCE_FULL)
    if RARE_RAMP:
        # Versions of one story share its names; templated stories of others do not.
        score *= min(1.0, max(0.0, (rare - RARE_RAMP[0]) / (RARE_RAMP[1] - RARE_RAMP[0])))
    matches.sort()
    return _Verdict(
        round(score, 4), round(cont_a, 4), round(cont_b, 4), tuple(matches),
        round(shared, 3), round(rare, 3),
    )  # fmt: skip


def _compare_many(
    a: _Doc, others: Sequence[_Doc], recurring: set[int] | frozenset[int] = frozenset()
) -> list[_Verdict]:
    """Compare one document with several in one rapidfuzz call."""
    if not others or not a.norm:
        return [_Verdict(0.0, 0.0, 0.0, ()) for _ in others]
    flat: list[str] = []
    flat_sorted: list[str] = []
    bounds = [0]
    for o in others:
        flat.extend(o.norm)
        flat_sorted.extend(o.snorm)
        bounds.append(len(flat))
    if not flat:
        return [_Verdict(0.0, 0.0, 0.0, ()) for _ in others]
    cut = MATCH_LOW * 100
    sim = process.cdist(a.norm, flat, scorer=fuzz.ratio, score_cutoff=cut, dtype=np.uint8)
    if USE_SORTED:
        # Editors reorder clauses ("..., X said" → "X said ..."): compare sorted words too.
        resorted = process.cdist(
            a.snorm, flat_sorted, scorer=fuzz.ratio, score_cutoff=cut, dtype=np.uint8
        )
        np.maximum(sim, resorted, out=sim)
    # Most candidates share no sentence above MATCH_LOW: skip them without a closer look.
    hit = np.maximum.reduceat(sim.max(axis=0), bounds[:-1]) if len(flat) else np.zeros(0)
    return [
        _score_matrix(a, o, sim[:, bounds[k] : bounds[k + 1]], recurring)
        if bounds[k + 1] > bounds[k] and hit[k] > 0
        else _Verdict(0.0, 0.0, 0.0, ())
        for k, o in enumerate(others)
    ]


# ---------------------------------------------------------------------------------------------
# Public results


@dataclass(frozen=True)
class StoryInput:
    """What the story engine needs of an article."""

    id: str
    title: str
    body: str
    date: datetime | None
    source: str | None
    wires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Passage:
    """Two aligned sentences: index and text in each article, and their similarity (0..1)."""

    a_index: int  # sentence index in a (``sentences(a.body)``), -1 for the title
    b_index: int
    a_text: str
    b_text: str
    similarity: float


@dataclass(frozen=True)
class PairEvidence:
    """Why two articles are (or are not) versions of one story."""

    a: str
    b: str
    score: float
    containment_a: float  # share of a's substance found in b
    containment_b: float  # share of b's substance found in a
    passages: tuple[Passage, ...]


@dataclass(frozen=True, slots=True)
class PreparedStory:
    """An article reduced to what ``StoryIndex.add`` needs (``prepare_story``).

    Depends on the article alone, so indexing workers can compute it in parallel; compact to
    pickle (a few strings, bytes and ints) since it crosses a process queue.
    """

    id: str
    day: int | None  # proleptic ordinal of the UTC date
    source: str | None
    title: str
    blob: bytes  # sentences and comparison features (stored as is)
    keys: bytes  # int64 band keys, band by band
    units: bytes  # uint32 keyed units, the same in every band
    text_key: int | None


def prepare_story(item: StoryInput) -> PreparedStory:
    """Split, tokenise, hash and pack one article for ``StoryIndex.add``; pure and picklable."""
    return prepare_stories([item])[0]


def prepare_stories(items: Iterable[StoryInput]) -> list[PreparedStory]:
    """``prepare_story`` for many articles at once: the same results, cheaper per article
    (hashing runs over all of them in one vectorised pass)."""
    items = list(items)
    if not items:
        return []
    texts: list[tuple[list[str], list[str]]] = []  # sentences and normalised units per item
    words: list[str] = []  # every unit's tokens, each unit's followed by "\n"
    for item in items:
        sents = sentences(item.body)
        norm, flat = _normalise([item.title, *sents])
        texts.append((sents, norm))
        words += flat
    info = np.fromiter(map(_INFO.__getitem__, words), dtype=np.uint64, count=len(words))
    breaks = np.flatnonzero(info == np.uint64(_BREAK))
    lengths = np.diff(breaks, prepend=-1) - 1
    unit_lengths = lengths.tolist()
    info = np.delete(info, breaks)
    ids = info >> np.uint64(2)
    kinds = (info & np.uint64(3)).astype(np.uint8)
    # Units are keyed independently, so all items' units can be keyed in one pass.
    keys, keyed = _band_keys(ids, lengths)
    unit_at = np.cumsum([0, *(len(norm) for _sents, norm in texts)])
    token_at = np.concatenate(([0], np.cumsum(lengths)))[unit_at].tolist()
    column_at = np.searchsorted(keyed, unit_at).tolist()
    # Each item's table of distinct words, content words and numbers first (its vocabulary),
    # from one sort of (item, stopword?, word) triples; the inverse gives each token's slot.
    item_of = np.repeat(np.arange(len(items), dtype=np.uint64), np.diff(token_at))
    stop = (kinds == _STOP).astype(np.uint64)
    triples, slot_of = np.unique(
        item_of << np.uint64(33) | stop << np.uint64(32) | ids, return_inverse=True
    )
    table = (triples & np.uint64(0xFFFFFFFF)).astype("<u4")
    table_kinds = np.zeros(len(triples), dtype=np.uint8)
    table_kinds[slot_of] = kinds
    firsts = np.arange(len(items) + 1, dtype=np.uint64) << np.uint64(33)
    table_at = np.searchsorted(triples, firsts).tolist()
    stops_at = np.searchsorted(triples, firsts[:-1] | np.uint64(1) << np.uint64(32)).tolist()
    with_numbers = np.concatenate(([0], np.cumsum(kinds == _NUMBER)))[np.cumsum([0, *unit_lengths])]
    numbered = np.diff(with_numbers) > 0
    unit_at_l = unit_at.tolist()
    # Unit of each key, numbered within its item.
    units_b = (keyed - np.repeat(unit_at[:-1], np.diff(column_at))).astype("<u4").tobytes()
    # Keys item by item, each item's band by band: every item's keys are then one byte range.
    n_bands = len(keys)
    band, column = np.divmod(np.arange(keys.size), keys.shape[1])
    item_of_column = np.repeat(np.arange(len(items)), np.diff(column_at))
    order = np.lexsort((column, band, item_of_column[column]))
    keys_b = keys.astype("<i8").ravel()[order].tobytes()
    # The blobs' arrays for all items at once; each blob takes its byte ranges (see _pack).
    slots = slot_of - np.repeat(np.array(table_at[:-1]), np.diff(token_at))
    arrays = (
        table.tobytes(),
        lengths.astype("<u4").tobytes(),
        slots.astype("<u2").tobytes(),
        numbered.astype(np.uint8).tobytes(),
        table_kinds.tobytes(),
    )
    out = []
    for k, (item, (sents, norm)) in enumerate(zip(items, texts, strict=True)):
        t0, t1 = token_at[k], token_at[k + 1]
        u0, u1 = unit_at_l[k], unit_at_l[k + 1]
        c0, c1 = column_at[k], column_at[k + 1]
        w0, w1, w2 = table_at[k], stops_at[k], table_at[k + 1]
        if w2 - w0 <= 0xFFFF:
            ranges = ((w0, w2), (u0, u1), (t0, t1), (u0, u1), (w0, w2))
            parts = [
                a[lo * size : hi * size]
                for a, (lo, hi), size in zip(arrays, ranges, _SIZES, strict=True)
            ]
        else:  # wide slots: the batch's narrow ones would not hold them
            parts = [
                arrays[0][w0 * 4 : w2 * 4],
                arrays[1][u0 * 4 : u1 * 4],
                slots[t0:t1].astype("<u4").tobytes(),
                arrays[3][u0:u1],
                arrays[4][w0:w2],
            ]
        out.append(
            PreparedStory(
                id=item.id,
                day=_day(item.date),
                source=item.source,
                title=item.title,
                blob=_pack((sents, norm), u1 - u0, t1 - t0, w2 - w0, w1 - w0, parts),
                keys=keys_b[8 * n_bands * c0 : 8 * n_bands * c1],  # band by band
                units=units_b[4 * c0 : 4 * c1],
                text_key=_text_key(norm),
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# The index


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        self.parent.setdefault(a, a)
        self.parent.setdefault(b, b)
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class _New:
    """A document being added: its preparation, features and what the batch learns about it."""

    __slots__ = ("candidates", "doc", "prep", "recurring")

    def __init__(self, prep: PreparedStory) -> None:
        self.prep = prep
        self.doc = _Doc(0, prep.id, prep.day, prep.title, prep.blob)
        self.candidates: set[int] = set()
        self.recurring: set[int] = set()


_NO_DAY = np.iinfo(np.int64).min  # a row without a day (whole-text keys, undated articles)


class _Buckets:
    """The bucket table (``keys``) held in memory, complete, while a store that began empty fills.

    Rows sit in a few runs sorted by (key, doc), merged as they grow (older runs hold smaller
    document numbers, so a key's rows read in store order); rows not yet in the store wait in
    ``pending`` for the next commit. Only valid while this connection made every write since
    the table was empty: the owner drops it on a rollback, a deletion or another writer.
    """

    __slots__ = ("pending", "runs", "size")

    def __init__(self) -> None:
        self.runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # keys, docs, days
        self.pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.size = 0

    def add(self, keys: np.ndarray, docs: np.ndarray, days: np.ndarray) -> None:
        """Put rows into buckets (int64 arrays; day ``_NO_DAY`` for none), duplicates ignored."""
        order = np.lexsort((docs, keys))
        keys, docs, days = keys[order], docs[order], days[order]
        if len(keys) > 1:
            # A document can key the same bucket twice (a repeated sentence): one row, as in SQL.
            new = np.ones(len(keys), dtype=bool)
            new[1:] = (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])
            keys, docs, days = keys[new], docs[new], days[new]
        if not len(keys):
            return
        run = (keys, docs, days)
        self.pending.append(run)
        self.size += len(keys)
        runs = self.runs
        runs.append(run)
        # Merge runs of similar size: lookups visit a logarithmic number of runs.
        while len(runs) > 1 and len(runs[-2][0]) <= 2 * len(runs[-1][0]):
            (k1, d1, y1), (k2, d2, y2) = runs[-2], runs.pop()
            keys = np.concatenate((k1, k2))
            # Stable: within a key the older run's (smaller) documents stay first.
            order = np.argsort(keys, kind="stable")
            runs[-1] = (
                keys[order],
                np.concatenate((d1, d2))[order],
                np.concatenate((y1, y2))[order],
            )

    def take_pending(self) -> list[int | None]:
        """The rows added since the last call, flat (key, doc, day, ...) in (key, doc) order."""
        if not self.pending:
            return []
        keys = np.concatenate([k for k, _d, _y in self.pending])
        docs = np.concatenate([d for _k, d, _y in self.pending])
        days = np.concatenate([y for _k, _d, y in self.pending])
        self.pending = []
        # Each run is in (key, doc) order and holds larger documents than the one before.
        order = np.argsort(keys, kind="stable")
        values: list[int | None] = (
            np.stack((keys[order], docs[order], days[order]), 1).ravel().tolist()
        )
        for at in (3 * np.flatnonzero(days[order] == _NO_DAY) + 2).tolist():
            values[at] = None
        return values

    def lookup(self, keys: np.ndarray, limit: int) -> _Found:
        """``Store.buckets`` from memory, for sorted distinct ``keys``."""
        bounds = []
        total = np.zeros(len(keys), dtype=np.int64)
        for run in self.runs:
            lo = np.searchsorted(run[0], keys, "left")
            # Most keys are in no bucket: only those found need their bucket's end.
            hit = np.flatnonzero(run[0][np.minimum(lo, len(run[0]) - 1)] == keys)
            hi = lo.copy()
            hi[hit] = np.searchsorted(run[0], keys[hit], "right")
            bounds.append((lo, hi))
            total += hi - lo
        sizes = np.where(total > limit, -1, total)
        # Rows of the buckets read, key by key and within a key run by run (store order).
        small = np.where(sizes > 0, sizes, 0)
        member_key: list[np.ndarray] = []
        member_doc: list[np.ndarray] = []
        member_day: list[np.ndarray] = []
        for (lo, hi), (_keys, docs, days) in zip(bounds, self.runs, strict=True):
            count = np.where(small > 0, hi - lo, 0)
            at = _ranges(lo, count)
            member_key.append(np.repeat(np.arange(len(keys)), count))
            member_doc.append(docs[at])
            member_day.append(days[at])
        if not member_key:
            return _Found(sizes, np.zeros(len(keys) + 1, dtype=np.int64), _NO_INTS, _NO_INTS)
        order = np.argsort(np.concatenate(member_key), kind="stable")
        return _Found(
            sizes,
            np.concatenate(([0], np.cumsum(small))),
            np.concatenate(member_doc)[order],
            np.concatenate(member_day)[order],
        )


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(start, start + count)`` for each start and count (vectorised)."""
    total = int(counts.sum())
    if not total:
        return _NO_INTS
    ends = np.cumsum(counts)
    return np.arange(total) - np.repeat(ends - counts - starts, counts)


def _unique_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct rows of equally long integer columns, sorted, and how often each occurs."""
    if not len(columns[0]):
        return [c[:0] for c in columns], _NO_INTS
    order = np.lexsort(columns[::-1])
    cols = [c[order] for c in columns]
    new = np.zeros(len(order), dtype=bool)
    new[0] = True
    for c in cols:
        new[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(new)
    return [c[starts] for c in cols], np.diff(np.append(starts, len(order)))


@dataclass(frozen=True)
class _Found:
    """The stored rows of a batch's buckets, for sorted distinct keys (``Store.buckets``)."""

    sizes: np.ndarray  # rows per key: 0 for an empty bucket, -1 for one over the limit
    starts: np.ndarray  # where each key's rows begin in docs/days (one more entry at the end)
    docs: np.ndarray
    days: np.ndarray  # _NO_DAY for none

    @classmethod
    def of(cls, keys: np.ndarray, found: dict[int, list[tuple[int, int | None]] | None]) -> _Found:
        """From ``Store.buckets``' answer for ``keys``."""
        sizes = np.zeros(len(keys), dtype=np.int64)
        docs: list[int] = []
        days: list[int] = []
        for k, key in enumerate(keys.tolist()):
            rows = found.get(key, ())
            if rows is None:
                sizes[k] = -1
                continue
            sizes[k] = len(rows)
            for doc, day in rows:
                docs.append(doc)
                days.append(_NO_DAY if day is None else day)
        starts = np.concatenate(([0], np.cumsum(np.maximum(sizes, 0))))
        return cls(sizes, starts, np.array(docs, dtype=np.int64), np.array(days, dtype=np.int64))


class _BatchKeys:
    """The band and whole-text keys of a batch's documents as flat arrays.

    Rows run document by document, each document's band keys (band by band) before its
    whole-text key, whose unit is -1.
    """

    __slots__ = ("docs", "keys", "units")

    def __init__(self, news: Sequence[_New]) -> None:
        keys: list[bytes] = []
        units: list[bytes] = []
        text_keys: list[int] = []
        text_docs: list[int] = []
        for k, new in enumerate(news):
            prep = new.prep
            keys.append(prep.keys)
            units.append(prep.units)
            if prep.text_key is not None:
                text_keys.append(prep.text_key)
                text_docs.append(k)
        keyed = np.array([len(u) // 4 for u in units], dtype=np.int64)
        sizes = keyed * BANDS
        band_keys = np.frombuffer(b"".join(keys), dtype="<i8").astype(np.int64)
        # Each document's keys run band by band over its keyed units: unit of key r is r % n.
        unit_list = np.frombuffer(b"".join(units), dtype="<u4").astype(np.int64)
        starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
        local = np.arange(len(band_keys)) - starts
        first_unit = np.repeat(np.cumsum(keyed) - keyed, sizes)
        band_units = unit_list[first_unit + local % np.maximum(np.repeat(keyed, sizes), 1)]
        docs = np.concatenate(
            [np.repeat(np.arange(len(news)), sizes), np.array(text_docs, dtype=np.int64)]
        )
        order = np.argsort(docs, kind="stable")
        self.docs = docs[order]  # position of the document in the batch
        self.keys = np.concatenate([band_keys, np.array(text_keys, dtype=np.int64)])[order]
        self.units = np.concatenate([band_units, np.full(len(text_keys), -1, dtype=np.int64)])[
            order
        ]


class _Freqs:
    """Document frequencies of words as an open transaction sees them, kept in memory.

    ``known`` caches frequencies read from the store (sorted ids, counts), kept current by the
    transaction's own additions, which wait in ``delta`` to be written at commit; the cache
    stays valid across transactions while nobody else writes. When ``complete`` (a store that
    began empty) it holds every word's frequency and the store is never read.
    """

    __slots__ = ("complete", "delta", "known")

    def __init__(self) -> None:
        self.known = (_NO_INTS, _NO_INTS)
        self.delta = (_NO_INTS, _NO_INTS)
        self.complete = False

    def clear(self) -> None:
        """Forget the cached frequencies (not the pending increments)."""
        self.known = (_NO_INTS, _NO_INTS)
        self.complete = False

    def add(self, words: np.ndarray, counts: np.ndarray) -> None:
        """Raise the frequencies of sorted distinct ``words`` by ``counts``."""
        words = words.astype(np.int64)
        self.delta = _merge_counts(self.delta, words, counts, insert=True)
        self.known = _merge_counts(self.known, words, counts, insert=self.complete)
        if self.complete and len(self.known[0]) > DF_CACHE:
            self.complete = False  # from now on a cache, read through to the store

    def get(self, words: np.ndarray, store: Store) -> np.ndarray:
        """Frequencies of sorted distinct ``words``, read from the store where not known."""
        words = words.astype(np.int64)
        ids, counts = self.known
        at, present = _find(ids, words)
        if not len(ids):
            if self.complete:
                return np.zeros(len(words), dtype=np.int64)
        elif self.complete or present.all():
            return np.where(present, counts[np.minimum(at, len(counts) - 1)], 0)
        if len(ids) > DF_CACHE:
            self.known = (_NO_INTS, _NO_INTS)
            present[:] = False
        missing = words[~present]
        found = store.get_df(missing.tolist())
        read = np.array([found.get(t, 0) for t in missing.tolist()], dtype=np.int64)
        pending_ids, pending = self.delta
        at_delta, in_delta = _find(pending_ids, missing)
        read[in_delta] += pending[at_delta[in_delta]]
        self.known = _merge_counts(self.known, missing, read, insert=True)
        ids, counts = self.known
        return counts[np.searchsorted(ids, words)]  # type: ignore[no-any-return]

    def take_delta(self) -> tuple[list[int], list[int]]:
        """The pending increments (words, counts), now considered written."""
        words, counts = self.delta
        self.delta = (_NO_INTS, _NO_INTS)
        return words.tolist(), counts.tolist()


def _find(ids: np.ndarray, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where sorted ``words`` are or would go in sorted ``ids``, and which are there."""
    at = np.searchsorted(ids, words)
    present = np.zeros(len(words), dtype=bool)
    if len(ids):
        inside = at < len(ids)
        present[inside] = ids[at[inside]] == words[inside]
    return at, present


def _merge_counts(
    table: tuple[np.ndarray, np.ndarray], words: np.ndarray, counts: np.ndarray, *, insert: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Add ``counts`` of sorted distinct ``words`` to a (sorted ids, counts) table; words it
    lacks are inserted if ``insert``, else left out."""
    ids, values = table
    at, present = _find(ids, words)
    values = values.copy()
    values[at[present]] += counts[present]
    if insert and not present.all():
        new = ~present
        ids = np.insert(ids, at[new], words[new])
        values = np.insert(values, at[new], counts[new])
    return ids, values


def _key_rows(
    news: Sequence[_New], batch: _BatchKeys, first: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A batch's bucket rows as int64 arrays: keys, documents and days (``_NO_DAY``: none)."""
    days = np.array([_NO_DAY if n.doc.day is None else n.doc.day for n in news], dtype=np.int64)
    row_days = days[batch.docs]
    # Whole-text keys carry no day, so exact copies meet across any gap.
    row_days[batch.units < 0] = _NO_DAY
    return batch.keys, batch.docs + first, row_days


def _sql_key_rows(
    news: Sequence[_New], batch: _BatchKeys, first: int
) -> Iterator[tuple[int, int, int | None]]:
    """A batch's bucket rows as store rows, in key order (B-tree pages are visited once each)."""
    order = np.argsort(batch.keys, kind="stable")
    at = batch.docs[order]
    days = np.array([new.doc.day for new in news], dtype=object)[at]
    # Whole-text keys carry no day, so exact copies meet across any gap.
    days[batch.units[order] < 0] = None
    return zip(batch.keys[order].tolist(), (at + first).tolist(), days.tolist(), strict=True)


class StoryIndex:
    """Persistent near-duplicate index: add and remove articles, then group at any threshold."""

    def __init__(self, path: Path | str, *, window_days: int = WINDOW_DAYS) -> None:
        self._store = Store(path)
        self._window = window_days
        self._cache: OrderedDict[int, _Doc] = OrderedDict()
        self._cache_size = 4096
        self._groups_cache: dict[tuple[float, float], dict[str, str]] = {}
        self._n_docs: int | None = None  # document count while adding (None: ask the store)
        self._pending: list[int] | None = None  # documents added in the open transaction
        # Document frequencies read in the open transaction, kept current by its own writes
        # (no other writer can change them until it commits), and the increments not yet
        # written: one upsert per word per commit rather than per batch.
        self._df = _Freqs()
        self._since = 0.0  # when that transaction began (time.monotonic)
        # While the store's data_version stays put between our transactions nobody else wrote:
        # the document frequencies read stay valid, and a store that began empty keeps its
        # bucket table in memory (_Buckets) and all its frequencies in _df.
        self._data_version: int | None = None
        self._buckets: _Buckets | None = None
        self._queue: list[PreparedStory] = []  # put() but not yet added
        self._put_done = 0  # articles put() added
        self._put_open = 0  # ... of which not committed yet

    @classmethod
    def memory(cls) -> StoryIndex:
        """A throw-away in-memory index (tests, one-off comparisons)."""
        return cls(":memory:")

    def close(self) -> None:
        """Commit what ``add`` or ``put`` did and close the database (``put``'s queue is dropped)."""
        try:
            self._commit()
        finally:
            self._store.close()

    def __enter__(self) -> StoryIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        with self._store.lock:
            return self._store.count_docs()

    def ids(self) -> set[str]:
        """The ids of every article in the story index."""
        with self._store.lock:
            return {row[0] for row in self._store.conn.execute("SELECT id FROM docs")}

    # -- adding and removing

    def add(
        self,
        items: Iterable[StoryInput | PreparedStory],
        cancel: threading.Event | None = None,
    ) -> Generator[int, None, None]:
        """Add (or replace) articles, comparing them with stored ones and each other.

        Items may come prepared (``prepare_story``, e.g. in worker processes) or not; the result
        is the same. Yields the number of articles processed so far after each batch. Work is
        committed every few thousand articles or seconds and when the generator finishes, is
        closed or sees ``cancel`` set (then it stops early); a crash keeps the last commit.
        """
        self.flush()
        done = 0
        batch: list[PreparedStory] = []
        try:
            for item in items:
                if cancel is not None and cancel.is_set():
                    break
                batch.append(item if isinstance(item, PreparedStory) else prepare_story(item))
                if len(batch) >= BATCH_SIZE:
                    self._add_batch(batch)
                    done += len(batch)
                    batch = []
                    yield done
            if batch and not (cancel is not None and cancel.is_set()):
                self._add_batch(batch)
                done += len(batch)
                self._commit()
                yield done
        except GeneratorExit:
            self._commit()  # the caller stopped early: keep what was done
            raise
        except BaseException:
            self._rollback()
            raise
        self._commit()

    def put(self, items: Iterable[StoryInput | PreparedStory]) -> int:
        """Queue articles to add (push-style ``add``): each full batch is added at once.

        For a caller that receives articles as they come (from indexing workers). Work is
        committed every few thousand articles or seconds; ``flush`` adds the queued rest and
        commits. Returns how many articles ``put`` has added so far (queued ones not counted).
        After an exception the index holds its last commit; the count drops accordingly.
        """
        queue = self._queue
        for item in items:
            queue.append(item if isinstance(item, PreparedStory) else prepare_story(item))
            if len(queue) >= BATCH_SIZE:
                batch = queue[:BATCH_SIZE]
                del queue[:BATCH_SIZE]
                self._add_batch(batch)
                self._put_done += len(batch)
                self._put_open += len(batch)
        return self._put_done

    def flush(self) -> int:
        """Add every article ``put`` queued and commit; returns how many ``put`` has added."""
        if self._queue:
            batch = list(self._queue)
            self._queue.clear()
            self._add_batch(batch)
            self._put_done += len(batch)
            self._put_open += len(batch)
        self._commit()
        return self._put_done

    def remove(self, ids: Iterable[str]) -> None:
        """Forget articles: their fingerprints and every pair they are part of."""
        with self._store.lock:
            self._commit()  # an add() in progress keeps what it did
            self._n_docs = None
            numbers = self._store.doc_numbers(ids)
            if not numbers:
                return
            self._store.begin()
            try:
                self._delete(list(numbers.values()))
                self._store.commit()
            except BaseException:
                self._store.rollback()
                raise
            finally:
                self._groups_cache.clear()

    def _delete(self, docs: list[int]) -> None:
        self._drop_buckets()  # rows are deleted in SQL
        self._write_df()
        self._df.clear()
        stored = self._store.load_docs(docs)
        df: dict[int, int] = {}
        for doc, row in stored.items():
            parsed = _Doc(doc, row.id, row.day, row.title, row.blob).decode()
            keys, _units = _band_keys(parsed.ids.astype(np.uint64), parsed.lengths)
            found = set(keys.ravel().tolist())
            text_key = _text_key(parsed.norm)
            if text_key is not None:
                found.add(text_key)
            self._store.delete_doc(doc, found)
            for t in parsed.vocab.tolist():
                df[t] = df.get(t, 0) - 1
            self._cache.pop(doc, None)
        self._store.add_df(df)

    def _add_batch(self, batch: Sequence[PreparedStory]) -> None:
        """Add one batch inside the open transaction (begun here if none is)."""
        # The last of repeated ids wins, as with a replaced article.
        latest: dict[str, PreparedStory] = {}
        for item in batch:
            latest.pop(item.id, None)
            latest[item.id] = item
        news = [_New(prep) for prep in latest.values()]
        store = self._store
        with store.lock:
            self._groups_cache.clear()
            pending = self._begin() if self._pending is None else self._pending
            try:
                n_docs = store.count_docs() if self._n_docs is None else self._n_docs
                old = store.doc_numbers(latest)
                if old:
                    self._delete(list(old.values()))
                    n_docs -= len(old)
                first = store.next_doc()
                for k, new in enumerate(news):
                    new.doc.doc = first + k
                    pending.append(first + k)
                store.insert_docs(
                    (new.doc.doc, p.id, p.day, p.source, p.title, p.blob)
                    for new in news
                    for p in (new.prep,)
                )
                words, counts = np.unique(
                    np.concatenate([new.doc.vocab for new in news]), return_counts=True
                )
                self._df.add(words, counts)
                n_docs += len(news)
                batch_keys = _BatchKeys(news)
                self._candidates(news, batch_keys, first)
                self._verify(news, n_docs)
                if self._buckets is not None:
                    self._buckets.add(*_key_rows(news, batch_keys, first))
                    if self._buckets.size > BUCKET_MEMORY:
                        self._drop_buckets()
                else:
                    store.insert_keys(_sql_key_rows(news, batch_keys, first))
                self._n_docs = n_docs
            except BaseException:
                self._rollback()
                raise
            # Each commit rewrites the bucket pages touched since the last one (random keys touch
            # most): a blank store that fills (a rebuild, whose store nobody reads before it is
            # published) commits by count only, not more often when its workers starve it.
            if len(pending) >= COMMIT_ARTICLES or (
                self._buckets is None and time.monotonic() - self._since >= COMMIT_SECONDS
            ):
                self._commit()

    def _begin(self) -> list[int]:
        """Begin a write transaction and return its list of added documents; learn whether
        another writer changed the store meanwhile."""
        store = self._store
        store.begin()
        pending: list[int] = []
        self._pending = pending
        self._since = time.monotonic()
        self._n_docs = None
        version = store.data_version()
        if version == self._data_version:
            return pending  # nobody else wrote since our last transaction
        self._forget()
        self._data_version = version
        if BUCKET_MEMORY > 0 and store.is_blank():
            self._buckets = _Buckets()
            self._df.complete = True
        return pending

    def _forget(self) -> None:
        """Drop what is kept in memory of the store's tables (they may have changed)."""
        self._buckets = None
        self._df.clear()

    def _drop_buckets(self) -> None:
        """Write the in-memory bucket rows the store lacks and read buckets from SQL again."""
        if self._buckets is not None:
            self._store.insert_key_values(self._buckets.take_pending())
            self._buckets = None

    def _write_df(self) -> None:
        """Write the pending document frequency increments."""
        words, counts = self._df.take_delta()
        if words:
            self._store.add_df_counts(words, counts)

    def _commit(self) -> None:
        with self._store.lock:
            if self._pending is None:
                return
            try:
                self._write_df()
                if self._buckets is not None:
                    self._store.insert_key_values(self._buckets.take_pending())
                self._store.commit()
            except BaseException:
                self._rollback()
                raise
            self._pending = None
            self._put_open = 0

    def _rollback(self) -> None:
        with self._store.lock:
            self._store.rollback()
            for doc in self._pending or ():
                self._cache.pop(doc, None)
            self._pending = None
            self._n_docs = None
            self._forget()
            self._df.take_delta()
            self._groups_cache.clear()
            self._put_done -= self._put_open  # put() articles of the transaction are gone
            self._put_open = 0

    def _candidates(self, news: Sequence[_New], batch: _BatchKeys, first: int) -> None:
        """Fill in each new document's candidates (stored or new documents sharing a bucket)
        and its recurring units (sentences that other articles carried on other days).

        Documents are taken in batch order: each also meets the batch's earlier documents in
        its buckets. Vectorised over all (key row, bucket member) pairs of the batch.
        """
        distinct, where, counts = np.unique(batch.keys, return_inverse=True, return_counts=True)
        if self._buckets is not None:
            found = self._buckets.lookup(distinct, BUCKET_CAP)
        else:
            found = _Found.of(distinct, self._store.buckets(distinct.tolist(), BUCKET_CAP))
        # Most keys are in no stored bucket and in no other key of the batch: they say nothing
        # about this batch (they only go into the store), so only the others are looked at.
        telling = (counts > 1) | (found.sizes != 0)
        rows = np.flatnonzero(telling[where])
        if not len(rows):
            return
        key = where[rows]
        unit = batch.units[rows]
        pos = batch.docs[rows]  # the document's position in the batch
        number = pos + first
        days = np.array([_NO_DAY if n.doc.day is None else n.doc.day for n in news])
        day = days[pos]
        # A row meets the bucket's stored rows and the key's earlier rows in the batch (its
        # rank among them), as long as the bucket has at most BUCKET_CAP rows by then.
        by_key = np.argsort(key, kind="stable")
        group_start = np.searchsorted(key[by_key], key[by_key], "left")
        rank = np.empty(len(rows), dtype=np.int64)
        rank[by_key] = np.arange(len(rows)) - group_start
        size = found.sizes[key]
        over = (size < 0) | (size + rank > BUCKET_CAP)
        # Boilerplate: too common to say anything about a pair.
        recur_pos, recur_unit = [pos[over]], [unit[over]]
        live = np.flatnonzero(~over)
        stored = size[live]
        row_s = np.repeat(live, stored)
        other_s = _ranges(found.starts[key[live]], stored)
        earlier = rank[live]
        row_b = np.repeat(live, earlier)
        # The earlier rows of the same key: by_key lists them just before the row itself.
        at_sorted = np.empty(len(rows), dtype=np.int64)
        at_sorted[by_key] = np.arange(len(rows))
        other_b = by_key[_ranges(at_sorted[live] - earlier, earlier)]
        row = np.concatenate((row_s, row_b))
        other = np.concatenate((found.docs[other_s], number[other_b]))
        other_day = np.concatenate((found.days[other_s], day[other_b]))
        keep = other != number[row]
        row, other, other_day = row[keep], other[keep], other_day[keep]
        row_day = day[row]
        dated = (row_day != _NO_DAY) & (other_day != _NO_DAY)
        near = ~dated | (np.abs(np.where(dated, row_day - other_day, 0)) <= self._window)
        meets = near | (unit[row] < 0)  # whole-text keys meet whatever the dates
        # A unit whose bucket holds RECUR_DOCS articles of other days recurs.
        elsewhere = np.bincount(row[~meets], minlength=len(rows))
        recurs = (elsewhere >= RECUR_DOCS) & ~over
        recur_pos.append(pos[recurs])
        recur_unit.append(unit[recurs])
        # Stock text: a unit that several articles share with this one and nothing else (a
        # feed's boilerplate line, a standard background paragraph), dated or not.
        shared, _count = _unique_rows(pos[row], other, unit[row])
        pair_start = np.flatnonzero(
            np.concatenate(
                ([True], (shared[0][1:] != shared[0][:-1]) | (shared[1][1:] != shared[1][:-1]))
            )
        )
        pair_size = np.diff(np.append(pair_start, len(shared[0])))
        lonely = pair_start[pair_size == 1]
        (lonely_pos, lonely_unit), lonely_count = _unique_rows(shared[0][lonely], shared[2][lonely])
        is_stock = (lonely_count >= STOCK_DOCS) & (lonely_unit >= 0)
        stock = (lonely_pos[is_stock], lonely_unit[is_stock])
        # A unit recurs when at least two of its bands say so (one may be a chance collision).
        (recur_pos_u, recur_unit_u), recur_count = _unique_rows(
            np.concatenate(recur_pos), np.concatenate(recur_unit)
        )
        is_recurring = (recur_count >= 2) & (recur_unit_u >= 0)
        recurring = (recur_pos_u[is_recurring], recur_unit_u[is_recurring])
        meeting, _count = _unique_rows(pos[row[meets]], other[meets])
        for k, doc in zip(meeting[0].tolist(), meeting[1].tolist(), strict=True):
            news[k].candidates.add(doc)
        for table in (recurring, stock):
            for k, u in zip(table[0].tolist(), table[1].tolist(), strict=True):
                news[k].recurring.add(u)

    def _verify(self, news: Sequence[_New], n_docs: int) -> None:
        fresh = {new.doc.doc: new.doc for new in news}
        for doc in fresh.values():
            self._remember(doc)
        active = [new for new in news if new.candidates]
        if not active:
            return
        # Only the documents that pass _may_store are decoded: the others need their vocabulary.
        loaded = self._load(
            {d for new in active for d in new.candidates if d not in fresh}, decode=False
        )
        involved: dict[int, _Doc] = {}
        for new in active:
            involved[new.doc.doc] = new.doc
            for d in new.candidates:
                other = fresh.get(d) or loaded.get(d)
                if other is not None:
                    involved[d] = other
        # Rarity is read once per batch, so every comparison in it uses the same weights.
        everyone = list(involved.values())
        words = np.unique(np.concatenate([d.vocab for d in everyone]))
        df = self._df.get(words, self._store) if USE_RARITY else _NO_INTS
        rarity = _Rarity.of(words, df, n_docs)
        position = {d.doc: k for k, d in enumerate(everyone)}
        left: list[int] = []
        right: list[int] = []
        for new in active:
            k = position[new.doc.doc]
            for d in sorted(new.candidates):
                if d in position:
                    left.append(k)
                    right.append(position[d])
        keep = _screen(
            everyone, np.array(left, dtype=np.int64), np.array(right, dtype=np.int64), rarity
        ).tolist()
        plans: list[tuple[_New, list[_Doc]]] = []
        compared: dict[int, _Doc] = {}
        at = 0
        for new in active:
            others = []
            for d in sorted(new.candidates):
                if d in position:
                    if keep[at]:
                        others.append(everyone[position[d]])
                    at += 1
            if others:
                plans.append((new, others))
                compared[new.doc.doc] = new.doc
                compared.update((o.doc, o) for o in others)
        _set_rare(list(compared.values()), rarity)
        _set_weights([d.decode() for d in compared.values()], rarity)
        pairs: list[StoredPair] = []
        for new, others in plans:
            verdicts = _compare_many(new.doc, others, new.recurring)
            for other, verdict in zip(others, verdicts, strict=True):
                if verdict.score >= STORE_FLOOR:
                    pairs.append(_stored_pair(new.doc.doc, other.doc, verdict))
        self._store.insert_pairs(pairs)

    def _load(self, docs: Iterable[int], *, decode: bool = True) -> dict[int, _Doc]:
        """Documents (decoded unless told not to) by number, from the cache or the store."""
        out: dict[int, _Doc] = {}
        missing: list[int] = []
        for d in docs:
            cached = self._cache.get(d)
            if cached is None:
                missing.append(d)
            else:
                self._cache.move_to_end(d)
                out[d] = cached.decode() if decode else cached
        if missing:
            for d, row in self._store.load_docs(missing).items():
                doc = _Doc(d, row.id, row.day, row.title, row.blob)
                out[d] = self._remember(doc.decode() if decode else doc)
        return out

    def _remember(self, doc: _Doc) -> _Doc:
        self._cache[doc.doc] = doc
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return doc

    # -- reading

    def groups(
        self, threshold: float = DEFAULT_THRESHOLD, *, linkage: float = LINKAGE
    ) -> dict[str, str]:
        """Article id → group id for every article in a group of two or more at ``threshold``.

        The group id is the smallest article id in the group, so it stays put as copies come
        and go. ``linkage`` is the chaining guard (see ``_cluster``); 0 turns it off.
        """
        key = (round(threshold, 6), round(linkage, 6))
        cached = self._groups_cache.get(key)
        if cached is not None:
            return dict(cached)
        with self._store.lock:
            edges = self._store.pair_edges(STORE_FLOOR)
            clusters = _cluster(
                edges, max(threshold, STORE_FLOOR), linkage, self._store.days_of, self._window
            )
            ids = self._store.ids_of({d for c in clusters for d in c})
        out: dict[str, str] = {}
        for cluster in clusters:
            names = sorted(ids[d] for d in cluster)
            for name in names:
                out[name] = names[0]
        self._groups_cache[key] = out
        return dict(out)

    def members(self, group_id: str, threshold: float = DEFAULT_THRESHOLD) -> list[str]:
        """Article ids of one group (sorted), or [] when there is no such group."""
        return sorted(a for a, g in self.groups(threshold).items() if g == group_id)

    def explain(self, a: str, b: str) -> PairEvidence | None:
        """The evidence linking two articles (computed now if no pair was stored), or None."""
        with self._store.lock:
            numbers = self._store.doc_numbers([a, b])
            if a not in numbers or b not in numbers or a == b:
                return None
            da, db = numbers[a], numbers[b]
            stored = self._store.get_pair(da, db)
            docs = self._load([da, db])
        if stored is None:
            with self._store.lock:
                # Under the lock: the cached documents' weights are shared with ``add``.
                words = np.union1d(docs[da].vocab, docs[db].vocab)
                self._write_df()  # an add() in progress may hold increments
                found = self._store.get_df(words.tolist())
                df = np.array([found.get(t, 0) for t in words.tolist()], dtype=np.int64)
                _reweight([docs[da], docs[db]], _Rarity.of(words, df, self._store.count_docs()))
                verdict = _compare_many(docs[da], [docs[db]])[0]
            return _evidence(docs[da], docs[db], verdict)
        verdict = _verdict_of(stored)
        if stored.a != da:
            verdict = _Verdict(
                verdict.score,
                verdict.cont_b,
                verdict.cont_a,
                tuple(sorted((j, i, s) for i, j, s in verdict.matches)),
            )
        return _evidence(docs[da], docs[db], verdict)

    def pairs(self, threshold: float = DEFAULT_THRESHOLD) -> list[PairEvidence]:
        """Evidence of every stored pair scoring at least ``threshold``, best first."""
        with self._store.lock:
            rows = list(self._store.iter_pairs(max(threshold, STORE_FLOOR)))
            docs = self._load({p.a for p in rows} | {p.b for p in rows})
        out = []
        for p in rows:
            out.append(_evidence(docs[p.a], docs[p.b], _verdict_of(p)))
        out.sort(key=lambda e: (-e.score, e.a, e.b))
        return out


def _verdict_of(p: StoredPair) -> _Verdict:
    matches = tuple((int(i), int(j), float(s)) for i, j, s in json.loads(p.passages))
    return _Verdict(p.score, p.cont_a, p.cont_b, matches)


def _stored_pair(x: int, y: int, v: _Verdict) -> StoredPair:
    if x < y:
        return StoredPair(x, y, v.score, v.cont_a, v.cont_b, json.dumps(v.matches))
    flipped = [(j, i, s) for i, j, s in v.matches]
    flipped.sort()
    return StoredPair(y, x, v.score, v.cont_b, v.cont_a, json.dumps(flipped))


def _unit_text(doc: _Doc, unit: int) -> str:
    return doc.title if unit == 0 else doc.sents[unit - 1]


def _evidence(a: _Doc, b: _Doc, v: _Verdict) -> PairEvidence:
    # Units are 0 = title, k = sentence k - 1; passages use sentence indices (-1 = title).
    passages = tuple(
        Passage(i - 1, j - 1, _unit_text(a, i), _unit_text(b, j), s)
        for i, j, s in v.matches
        if i <= len(a.sents) and j <= len(b.sents)
    )
    return PairEvidence(a.id, b.id, v.score, v.cont_a, v.cont_b, passages)


def _cluster(
    edges: Sequence[tuple[int, int, float]],
    threshold: float,
    linkage: float = LINKAGE,
    days_of: Callable[[Iterable[int]], dict[int, int | None]] | None = None,
    window: int = WINDOW_DAYS,
) -> list[list[int]]:
    """Groups: connected components of pairs scoring ≥ threshold, each re-clustered by
    average linkage so that one article sharing passages with two different stories (a
    roundup, a follow-up) cannot chain them into one group.

    Inside a component, two clusters merge only if some pair between them scores ≥ threshold
    and their average pair score is ≥ ``linkage`` × threshold. Absent pairs count 0, except
    pairs dated further apart than the window (``days_of``), which were never compared: they are
    left out of the average. ``linkage`` 0 gives plain connected components (single linkage).
    """
    uf = _UnionFind()
    for a, b, s in edges:
        if s >= threshold:
            uf.union(a, b)
    comps: dict[int, list[int]] = {}
    for node in list(uf.parent):
        comps.setdefault(uf.find(node), []).append(node)
    groups = [sorted(c) for c in comps.values() if len(c) >= 2]
    if linkage <= 0:
        return groups
    big = [g for g in groups if 3 <= len(g) <= LINKAGE_MAX]
    if not big:
        return groups
    where = {node: k for k, g in enumerate(big) for node in g}
    scores: dict[int, list[tuple[int, int, float]]] = {}
    for a, b, s in edges:
        k = where.get(a)
        if k is not None and where.get(b) == k:
            scores.setdefault(k, []).append((a, b, s))
    out = [g for g in groups if not 3 <= len(g) <= LINKAGE_MAX]
    bar = linkage * threshold
    # A component whose every pair was scored at least the bar cannot split: skip the work.
    tight = {
        k
        for k, g in enumerate(big)
        if len(scores.get(k, ())) == len(g) * (len(g) - 1) // 2
        and min(s for _a, _b, s in scores[k]) >= bar
    }
    out.extend(g for k, g in enumerate(big) if k in tight)
    loose = [k for k in range(len(big)) if k not in tight]
    days = days_of({v for k in loose for v in big[k]}) if days_of is not None and loose else None
    for k in loose:
        out.extend(_average_linkage(big[k], scores.get(k, []), threshold, bar, days, window))
    return [c for c in out if len(c) >= 2]


def _average_linkage(
    nodes: list[int],
    pairs: list[tuple[int, int, float]],
    threshold: float,
    bar: float,
    days: dict[int, int | None] | None,
    window: int,
) -> list[list[int]]:
    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    total = np.zeros((n, n))
    best = np.zeros((n, n))
    for a, b, s in pairs:
        i, j = index[a], index[b]
        total[i, j] = total[j, i] = s
        best[i, j] = best[j, i] = s
    # How many pairs between two clusters count (pairs never compared for their dates do not).
    known = np.ones((n, n))
    if days:
        d = np.array([np.nan if days.get(v) is None else days[v] for v in nodes], dtype=float)
        apart = np.abs(d[:, None] - d[None, :]) > window  # NaN compares False: undated is known
        known[apart & (best == 0)] = 0.0
    alive = np.ones(n, dtype=bool)
    members = [[v] for v in nodes]
    while True:
        avg = total / np.maximum(known, 1.0)
        ok = alive[:, None] & alive[None, :] & (best >= threshold) & (avg >= bar)
        np.fill_diagonal(ok, False)
        if not ok.any():
            break
        flat = int(np.argmax(np.where(ok, avg, -1.0)))
        i, j = divmod(flat, n)
        total[i, :] += total[j, :]
        total[:, i] += total[:, j]
        best[i, :] = np.maximum(best[i, :], best[j, :])
        best[:, i] = np.maximum(best[:, i], best[:, j])
        known[i, :] += known[j, :]
        known[:, i] += known[:, j]
        total[i, i] = best[i, i] = known[i, i] = 0.0
        total[j, :] = total[:, j] = best[j, :] = best[:, j] = 0.0
        known[j, :] = known[:, j] = 0.0
        alive[j] = False
        members[i] += members[j]
    return [sorted(members[i]) for i in range(n) if alive[i]]


# ---------------------------------------------------------------------------------------------
# Version diffs

DiffTag = Literal["equal", "changed", "added", "removed"]
WordTag = Literal["equal", "replace", "insert", "delete"]


@dataclass(frozen=True)
class WordOp:
    """One word-level edit inside a changed sentence (words joined by spaces)."""

    tag: WordTag
    a: str
    b: str


@dataclass(frozen=True)
class SentenceOp:
    """One step of a sentence-level alignment, in reading order."""

    tag: DiffTag
    a_index: int | None
    b_index: int | None
    a: str
    b: str
    similarity: float
    words: tuple[WordOp, ...] = ()


@dataclass(frozen=True)
class VersionDiff:
    """Sentence alignment of two versions, with word edits inside changed sentences."""

    ops: tuple[SentenceOp, ...]
    kept_share: float  # share of a's words that b keeps (moved sentences included)

    def count(self, tag: DiffTag) -> int:
        """How many sentence operations carry ``tag``."""
        return sum(1 for op in self.ops if op.tag == tag)


_DIFF_MIN = 0.5  # below this two sentences are unrelated, not a changed pair


def _align(sim: np.ndarray) -> list[tuple[int, int]]:
    """Monotone alignment maximising total similarity above _DIFF_MIN (weighted LCS)."""
    n, m = sim.shape
    gain = np.where(sim >= _DIFF_MIN, sim - _DIFF_MIN + 0.01, 0.0)
    best = np.zeros((n + 1, m + 1))
    for i in range(n - 1, -1, -1):
        row_gain = gain[i]
        nxt = best[i + 1]
        cur = best[i]
        for j in range(m - 1, -1, -1):
            v = nxt[j] if nxt[j] > cur[j + 1] else cur[j + 1]
            g = row_gain[j]
            if g > 0 and nxt[j + 1] + g > v:
                v = nxt[j + 1] + g
            cur[j] = v
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        g = gain[i, j]
        if g > 0 and abs(best[i, j] - (best[i + 1, j + 1] + g)) < 1e-9:
            out.append((i, j))
            i += 1
            j += 1
        elif best[i + 1, j] >= best[i, j + 1]:
            i += 1
        else:
            j += 1
    return out


def _word_ops(a: str, b: str) -> tuple[tuple[WordOp, ...], int]:
    wa, wb = a.split(), b.split()
    ka = [w.lower().strip(".,;:!?\"'“”‘’()") for w in wa]
    kb = [w.lower().strip(".,;:!?\"'“”‘’()") for w in wb]
    ops: list[WordOp] = []
    kept = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ka, kb, autojunk=False).get_opcodes():
        ops.append(WordOp(tag, " ".join(wa[i1:i2]), " ".join(wb[j1:j2])))  # type: ignore[arg-type]
        if tag == "equal":
            kept += i2 - i1
    return tuple(ops), kept


def diff_versions(a_text: str, b_text: str) -> VersionDiff:
    """Align two versions of a story sentence by sentence, with word edits in changed sentences."""
    sa, sb = sentences(a_text), sentences(b_text)
    na = [" ".join(tokens(s)) for s in sa]
    nb = [" ".join(tokens(s)) for s in sb]
    if sa and sb:
        sim = process.cdist(na, nb, scorer=fuzz.ratio, dtype=np.float64) / 100.0
    else:
        sim = np.zeros((len(sa), len(sb)))
    aligned = _align(sim)
    ops: list[SentenceOp] = []
    kept = 0
    i = j = 0
    for ai, bj in [*aligned, (len(sa), len(sb))]:
        while i < ai:
            ops.append(SentenceOp("removed", i, None, sa[i], "", 0.0))
            i += 1
        while j < bj:
            ops.append(SentenceOp("added", None, j, "", sb[j], 0.0))
            j += 1
        if ai < len(sa) and bj < len(sb):
            s = round(float(sim[ai, bj]), 3)
            if na[ai] == nb[bj]:
                ops.append(SentenceOp("equal", ai, bj, sa[ai], sb[bj], 1.0))
                kept += len(sa[ai].split())
            else:
                words, k = _word_ops(sa[ai], sb[bj])
                ops.append(SentenceOp("changed", ai, bj, sa[ai], sb[bj], s, words))
                kept += k
            i, j = ai + 1, bj + 1
    # A sentence that moved shows as removed + added, but its words were kept.
    removed = [op.a_index for op in ops if op.tag == "removed" and op.a_index is not None]
    added = {op.b_index for op in ops if op.tag == "added" and op.b_index is not None}
    for ri in removed:
        if not added:
            break
        bj = max(added, key=lambda j: sim[ri, j])
        if sim[ri, bj] >= 0.85:
            added.discard(bj)
            kept += _word_ops(sa[ri], sb[bj])[1]
    total = sum(len(s.split()) for s in sa)
    return VersionDiff(tuple(ops), round(kept / total, 4) if total else 0.0)


__all__ = [
    "DEFAULT_THRESHOLD",
    "PairEvidence",
    "Passage",
    "PreparedStory",
    "SentenceOp",
    "StoryIndex",
    "StoryInput",
    "VersionDiff",
    "WordOp",
    "diff_versions",
    "prepare_stories",
    "prepare_story",
    "sentences",
    "tokens",
]
