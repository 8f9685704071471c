"""Query-time word variants: the index does not stem, so "missile" must also look for "missiles".

Candidates are regular English inflections (plural, possessive, -ed, -ing, -er/-est) generated in
both directions, kept only when they share the word's Porter2 (Snowball English) stem; the engine then keeps those that
exist in the index. Whoosh's ``Variations`` was not used: its candidate list is both too wide
("us" → "used", "price" → "priceless") and too narrow ("government" misses "governments").
"""

from __future__ import annotations

from functools import lru_cache

from whoosh.lang.porter2 import stem


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words whose "-s" is not a plural ending: never strip it (nor add it to their stem).
_NOT_PLURAL = _words(
    "news us its has was is this thus yes bus gas plus chaos series species lens always perhaps "
    "hers ours yours theirs whereas bias atlas canvas christmas politics economics physics "
    "mathematics athletics tennis analysis crisis basis thesis diagnosis emphasis texas paris "
    "brussels athens wales dallas kansas arkansas illinois honduras cyprus mars venus aids sars "
    "less unless across towards afterwards besides "
)
_VOWELS = set("aeiou")
_APOSTROPHES = ("'s", "’s")
MIN_LENGTH = 3


def _is_cvc(word: str) -> bool:
    # consonant-vowel-consonant ending: "stop" → "stopped", "plan" → "planned"
    return (
        len(word) >= 3
        and word[-1] not in _VOWELS
        and word[-1] not in "wxy"
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    )


def _forms_of_base(base: str) -> set[str]:
    out = {base}
    out.update(base + a for a in _APOSTROPHES)
    if base.endswith(("s", "x", "z", "ch", "sh")):
        out.add(base + "es")
    elif base.endswith("y") and len(base) > 1 and base[-2] not in _VOWELS:
        out.add(base[:-1] + "ies")
        out.add(base[:-1] + "ied")
    else:
        out.add(base + "s")
    out.update(base + "s" + a for a in ("'", "’"))
    if base.endswith("e"):
        out.update((base + "d", base[:-1] + "ing", base + "r", base + "rs"))
    else:
        out.update((base + "ed", base + "ing"))
        if _is_cvc(base):
            out.update((base + base[-1] + "ed", base + base[-1] + "ing"))
    return out


def _bases(word: str) -> set[str]:
    """Likely uninflected forms of ``word`` (including itself)."""
    out = {word}
    for a in _APOSTROPHES:
        if word.endswith(a):
            out.add(word[: -len(a)])
    w = word
    if w.endswith(("s'", "s’")):
        out.add(w[:-1])
        w = w[:-1]
    if w not in _NOT_PLURAL and len(w) > MIN_LENGTH:
        if w.endswith("ies"):
            out.add(w[:-3] + "y")
        elif w.endswith(("sses", "shes", "ches", "xes", "zes")):
            out.add(w[:-2])
        elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
            out.add(w[:-1])
    if len(w) >= 4:
        for suffix in ("ed", "ing"):
            if w.endswith(suffix):
                stem_ = w[: -len(suffix)]
                out.add(stem_)
                out.add(stem_ + "e")
                if len(stem_) > 2 and stem_[-1] == stem_[-2]:
                    out.add(stem_[:-1])
        if w.endswith("ied"):
            out.add(w[:-3] + "y")
    return out


@lru_cache(maxsize=4096)
def candidates(word: str) -> tuple[str, ...]:
    """Inflected forms of ``word`` that share its stem, ``word`` first (not checked against an index)."""
    if len(word) < MIN_LENGTH or (not word.isalpha() and not _alpha_with_apostrophe(word)):
        return (word,)
    target = stem(_strip_possessive(word))
    forms: set[str] = set()
    for base in _bases(word):
        if len(base) >= 2:
            forms |= _forms_of_base(base)
    keep = sorted(
        f
        for f in forms
        if f != word and f not in _NOT_PLURAL and stem(_strip_possessive(f)) == target
    )
    return (word, *keep)


def _strip_possessive(word: str) -> str:
    for a in (*_APOSTROPHES, "'", "’"):
        if word.endswith(a):
            return word[: -len(a)]
    return word


def _alpha_with_apostrophe(word: str) -> bool:
    return word.replace("'", "").replace("’", "").isalpha()
