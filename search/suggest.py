"""Did-you-mean: replace misspelt query words with frequent index words a typo or two away.

Whoosh's ``suggest()`` walks every segment's term automaton (TECH-NOTES: 1-1.6 s with several
segments); here a per-generation vocabulary with body document frequencies (IndexData) is searched
with rapidfuzz, restricted to words with the same first letter, only for the few query words that
are missing or rare, and only when the query found little.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.process import extract

from search.syntax import Term

SUGGEST_BELOW = 5  # suggest only when the query matched fewer articles
MIN_SUGGESTION_DF = 3
RARE_FACTOR = 20  # a rare word is replaced only by one this many times more frequent


def correction(word: str, vocab: list[str], freqs: list[int], df: int) -> str | None:
    """The most frequent vocabulary word within one or two edits of ``word``, if clearly better."""
    if len(word) < 3 or not word.isalpha():
        return None
    first = word[0]
    lo = bisect.bisect_left(vocab, first)
    hi = bisect.bisect_left(vocab, first + "\U0010ffff")
    maxdist = 1 if len(word) <= 4 else 2
    found = extract(
        word, vocab[lo:hi], scorer=DamerauLevenshtein.distance, score_cutoff=maxdist, limit=None
    )
    best: tuple[int, int, str] | None = None
    need = max(MIN_SUGGESTION_DF, df * RARE_FACTOR if df else MIN_SUGGESTION_DF)
    for cand, dist, i in found:
        f = freqs[lo + i]
        if cand == word or f < need or not cand.isalpha():
            continue
        rank = (-int(dist), f, cand)
        if best is None or rank[:2] > best[:2]:
            best = (-int(dist), f, cand)
    return best[2] if best is not None else None


def suggest(
    text: str,
    terms: list[Term],
    vocab: list[str],
    freqs: list[int],
    doc_frequency: Callable[[str], int],
) -> str | None:
    """``text`` with misspelt words replaced, or None when no word has a better spelling."""
    edits: list[tuple[int, int, str]] = []
    seen: set[tuple[int, int]] = set()
    for t in terms:
        if (t.start, t.end) in seen or t.end <= t.start:
            continue
        seen.add((t.start, t.end))
        df = doc_frequency(t.text)
        if df >= MIN_SUGGESTION_DF * 10:
            continue
        better = correction(t.text, vocab, freqs, df)
        if better is None:
            continue
        typed = text[t.start : t.end]
        i = typed.lower().find(t.text)
        if i < 0:
            continue
        original = typed[i : i + len(t.text)]
        if original[:1].isupper():
            better = (
                better.upper() if original.isupper() and len(original) > 1 else better.capitalize()
            )
        edits.append((t.start + i, t.start + i + len(t.text), better))
    if not edits:
        return None
    out = text
    for start, end, repl in sorted(edits, reverse=True):
        out = out[:start] + repl + out[end:]
    return out
