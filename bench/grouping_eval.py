"""Evaluate near-duplicate story grouping (``index.stories``) on labelled data from the corpora.

The labelled set is built from ``../shared/corpora`` at run time (nothing is copied into the
repository):

* **real articles**: every Reuters-21578 article with a body, every BBC and AG News article, each
  its own story, except labelled duplicates: identical bodies (Reuters re-sends, the BBC's
  duplicate groups), "CORRECTED" re-issues, and near-identical re-sends (pooled by title words,
  first or last 40 characters; then difflib ratio ≥ 0.8 with the same numbers, within 3 days) —
  a rule independent of the engine;
* **rewrites** of sampled originals, labelled with their original. Originals, donors and
  follow-up bases are "lonely" articles (no 8-word sentence shared with any other article, no
  similar title within 3 days): Reuters-21578 is full of unlabelled updates of one story, which
  would blur the truth. Strengths: ``light`` trims the end, changes credits, inserts READ MORE
  and photo lines; ``medium`` also drops/reorders ~30% of sentences, rewrites the intro from
  scratch, rewords the title and substitutes words; ``heavy`` keeps only 30-40% of sentences,
  paraphrases the others (moved attributions, swapped clauses, synonyms) and merges in one or two
  paragraphs of a second story (a roundup); ``cluster`` gives one original five copies;
* **hard negatives** that must stay apart: next-day follow-ups (another lonely story on the same
  topic, dated within two days, plus one or two background paragraphs of the original, at most
  a third of it), each heavy rewrite vs the story it took paragraphs from, same-day templated
  earnings reports of surely different companies, and same-day same-topic lonely stories;
* the two **seeds** (cleaned with ``index.clean``), which must group.

Precision leaves out links between two real articles that the labels call different: their
truth is unknown (many are unlabelled updates); they are counted, and ``--audit N`` prints a
sample to judge by hand. Reports pairwise precision/recall/F1 and the Adjusted Rand Index per
category and overall, the hard-negative merges, a threshold sweep (regrouping from stored pairs)
with the chaining guard on and off, build time and memory, and the time to add 1,000 articles
to a 100k-article index (``--scale``). Run::

    .venv/bin/python bench/grouping_eval.py                  # quality + 100k scale test
    .venv/bin/python bench/grouping_eval.py --scale 0        # quality only (~2 min)
    .venv/bin/python bench/grouping_eval.py --skip-quality --scale 20000
    .venv/bin/python bench/grouping_eval.py --scale 0 --set USE_SORTED=False   # an ablation
    .venv/bin/python bench/grouping_eval.py --ingest        # per-article ingest cost (~1 min)
"""

from __future__ import annotations

import argparse
import ast
import csv
import difflib
import html
import json
import multiprocessing
import pickle
import random
import re
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from math import comb
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index import stories  # noqa: E402
from index.stories import StoryIndex, StoryInput  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
REUTERS = CORPORA / "reuters21578" / "reuters21578.jsonl"
BBC = CORPORA / "bbc" / "bbc.jsonl"
AG_NEWS = CORPORA / "ag_news" / "test.csv"

STRENGTHS = ("light", "medium", "heavy", "cluster")
OUTLETS = (
    "The Daily Ledger", "Metro Wire", "Harbour Times", "Northern Post", "Evening Courier",
    "Capital Journal", "Valley Herald", "Coastal Gazette", "Market Monitor", "City Examiner",
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Corpus


@dataclass(frozen=True)
class Art:
    """One labelled article: the engine input plus ground truth and bookkeeping."""

    id: str
    title: str
    body: str
    date: datetime | None
    source: str | None
    story: str  # ground-truth story label
    category: str  # "real", a strength, "follow1", "follow2"
    topics: tuple[str, ...] = ()
    templated: bool = False
    lonely: bool = False  # shares no 8-word sentence with, and no title like, any other article

    def input(self) -> StoryInput:
        """The article as the engine sees it."""
        return StoryInput(self.id, self.title, self.body, self.date, self.source)


_EARNINGS_TITLE = re.compile(r"\b(QTR|QTRS|YEAR|MTHS|NET|LOSS|PROFIT|EARNINGS|DIVIDEND|DIV)\b")


def _reuters_body(body: str) -> str:
    # The sign-off is chrome the real cleaner removes; keep the paragraph indentation.
    return re.sub(r"\s*\bReuter\s*$", "", body.rstrip(), flags=re.IGNORECASE).rstrip()


def load_reuters() -> list[Art]:
    """Reuters-21578 articles with a body."""
    out = []
    with REUTERS.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            body = _reuters_body(r.get("body") or "")
            if not body.strip():
                continue
            date = datetime.fromisoformat(r["date"]).replace(tzinfo=UTC) if r.get("date") else None
            title = r.get("title") or ""
            templated = bool(_EARNINGS_TITLE.search(title)) and " vs " in body
            out.append(
                Art(
                    f"r{r['newid']}",
                    title,
                    body,
                    date,
                    "Reuters",
                    f"r{r['newid']}",
                    "real",
                    tuple(r.get("topics") or ()),
                    templated,
                )
            )
    return out


def load_bbc() -> list[Art]:
    """BBC News articles (no dates)."""
    out = []
    with BBC.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            key = "b" + r["doc_id"].replace("/", "-").removesuffix(".txt")
            out.append(Art(key, r["title"], r["body"], None, "BBC", key, "real", (r["category"],)))
    return out


def load_ag_news() -> list[Art]:
    """AG News test items (title + one-paragraph description; no dates)."""
    out = []
    with AG_NEWS.open(encoding="utf-8") as f:
        for n, row in enumerate(csv.reader(f)):
            if len(row) < 3:
                continue
            key = f"g{n}"
            # What a reader would do with the feed's markup: entities decoded, tags dropped.
            body = html.unescape(
                row[2].replace("\\", " ").replace(" #39;", "'").replace("#39;", "'")
            )
            body = re.sub(r"<[^>]*>", " ", body)
            out.append(Art(key, row[1], body, None, None, key, "real", (row[0],)))
    return out


SEEDS = CORPORA / "seeds"


def load_seeds() -> list[Art]:
    """The two outlets' versions of one Reuters/AP story, cleaned by ``index.clean``."""
    from index.clean import clean_text

    out = []
    for f in sorted(SEEDS.glob("*.txt"))[:2]:
        cleaned = clean_text(f.read_text(encoding="utf-8"))
        out.append(
            Art(
                f"seed-{f.stem}",
                cleaned.title_candidate or "",
                cleaned.body,
                None,
                None,
                "seeds",
                "seeds",
            )
        )
    return out


def _norm_body(body: str) -> str:
    return " ".join(body.lower().split())


def _numbers(text: str) -> Counter[str]:
    return Counter(re.findall(r"\d+(?:[.,]\d+)*", text))


def label_real_duplicates(arts: list[Art]) -> list[Art]:
    """Give identical bodies and CORRECTED re-issues one story label."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_body: dict[str, str] = {}
    for a in arts:
        key = _norm_body(a.body)
        if key in by_body:
            union(by_body[key], a.story)
        else:
            by_body[key] = a.story
    # Near-identical re-sends (a typo fixed, a paragraph added): pooled by title, first or last
    # sentence, then judged by difflib on the whole body (independent of the engine), same
    # numbers, within 3 days. CORRECTED re-issues may change numbers.
    pools: dict[tuple[str, str], list[Art]] = defaultdict(list)
    for a in arts:
        core = re.sub(r"^\(?CORRECTED\)?\s*-\s*", "", a.title).strip().lower()
        norm = _norm_body(a.body)
        words = frozenset(re.findall(r"[a-z]{3,}", re.sub(r"<[^>]*>", "", core)))
        pools[("t", " ".join(sorted(words)))].append(a)
        pools[("f", norm[:40])].append(a)
        pools[("l", norm[-40:])].append(a)
    seen: set[tuple[str, str]] = set()
    for members in pools.values():
        if len(members) < 2 or len(members) > 60:
            continue
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                a, b = members[x], members[y]
                key = (min(a.id, b.id), max(a.id, b.id))
                if key in seen or find(a.story) == find(b.story):
                    continue
                seen.add(key)
                if a.date and b.date and abs((a.date - b.date).days) > 3:
                    continue
                corrected = "CORRECTED" in a.title or "CORRECTED" in b.title
                if not corrected and _numbers(a.body) != _numbers(b.body):
                    continue
                ratio = difflib.SequenceMatcher(
                    None, _norm_body(a.body), _norm_body(b.body)
                ).ratio()
                if ratio >= (0.7 if corrected else 0.8):
                    union(a.story, b.story)
    return [replace(a, story=find(a.story)) for a in arts]


# ---------------------------------------------------------------------------------------------
# Rule-based rewrites

SYNONYMS: dict[str, tuple[str, ...]] = {
    "said": ("says", "stated", "told reporters"),
    "company": ("firm", "group"),
    "government": ("administration", "authorities"),
    "about": ("around", "roughly", "some"),
    "increase": ("rise", "gain"),
    "increased": ("rose", "climbed", "went up"),
    "decreased": ("fell", "declined", "dropped"),
    "rose": ("climbed", "increased", "gained"),
    "fell": ("dropped", "declined", "slipped"),
    "expected": ("forecast", "anticipated"),
    "announced": ("unveiled", "disclosed"),
    "major": ("big", "leading"),
    "large": ("big", "sizeable"),
    "because": ("as", "since"),
    "however": ("but", "though"),
    "officials": ("authorities", "officers"),
    "pct": ("percent", "per cent"),
    "percent": ("pct", "per cent"),
    "mln": ("million",),
    "million": ("mln", "m"),
    "billion": ("bn", "billion"),
    "dlrs": ("dollars", "U.S. dlrs"),
    "shares": ("stock", "equity"),
    "agreed": ("consented",),
    "plans": ("intends", "aims"),
    "will": ("is set to", "would"),
    "also": ("in addition", "further"),
    "but": ("although", "yet"),
    "month": ("period",),
    "year": ("twelve months",),
    "talks": ("negotiations", "discussions"),
    "meeting": ("session", "gathering"),
    "prices": ("rates", "costs"),
    "sales": ("revenue", "turnover"),
    "profit": ("earnings", "income"),
    "market": ("marketplace", "sector"),
    "centre": ("center",),
    "defence": ("defense",),
    "organisation": ("organization",),
    "programme": ("program",),
    "recently": ("lately",),
    "spokesman": ("spokesperson", "representative"),
    "told": ("informed", "said to"),
    "people": ("persons", "individuals"),
    "new": ("fresh", "latest"),
    "first": ("initial", "earliest"),
    "said.": ("added.", "noted."),
}

_WORD = re.compile(r"[A-Za-z.]+")


def substitute(text: str, rng: random.Random, rate: float) -> str:
    """Replace known words by synonyms with probability ``rate``."""

    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        options = SYNONYMS.get(word.lower())
        if not options or rng.random() >= rate:
            return word
        new = rng.choice(options)
        return new.capitalize() if word[0].isupper() else new

    return _WORD.sub(swap, text)


_ATTRIBUTION = re.compile(
    r"^(?P<body>.+?),?\s+(?P<who>(?:[A-Z][\w.'-]*\s*){1,4}|the \w+|he|she|it|they)\s+said\.$"
)


def paraphrase(sentence: str, rng: random.Random) -> str:
    """A rule-based paraphrase: attribution moved, clauses swapped, synonyms, asides dropped."""
    s = re.sub(r"\s*\([^)]*\)", "", sentence)
    m = _ATTRIBUTION.match(s)
    if m:
        body = m.group("body").rstrip(",")
        s = f"According to {m.group('who')}, {body[0].lower()}{body[1:]}."
    else:
        parts = [p for p in s.rstrip(".").split(", ") if p]
        if len(parts) >= 2:
            i = rng.randrange(len(parts) - 1)
            parts[i], parts[i + 1] = parts[i + 1], parts[i]
            s = ", ".join(parts)
            s = s[0].upper() + s[1:] + "."
    s = substitute(s, rng, 0.7)
    words = s.split()
    if len(words) > 8:
        # Drop a few function words and adverbs, as a rewriting editor would.
        drop = {w for w in words if w.lower() in {"the", "a", "also", "still", "now", "very"}}
        words = [w for w in words if w not in drop or rng.random() < 0.5]
    return " ".join(words)


INTRO_OPENERS = (
    "In a development closely watched by markets,",
    "Attention turned on {day} to",
    "The latest twist involves",
    "Fresh news emerged about",
    "Observers were digesting word about",
)


def rewrite_intro(sentence: str, rng: random.Random) -> str:
    """A new first sentence on the same subject, sharing only its key names and numbers."""
    keys = [w.strip(",.;:()\"'") for w in sentence.split()]
    keys = [w for w in keys if w and (w[0].isupper() or w[0].isdigit())][1:6]
    day = rng.choice(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"))
    opener = rng.choice(INTRO_OPENERS).format(day=day)
    subject = " and ".join(keys[:2]) if keys else "the matter"
    rest = ", ".join(keys[2:])
    tail = f", with {rest} in focus" if rest else ""
    return f"{opener} {subject}{tail}, according to people familiar with the situation."


def _title_words(title: str) -> set[str]:
    return set(re.findall(r"[a-z]{3,}", re.sub(r"<[^>]*>", "", title.lower()))) - {
        "the",
        "and",
        "for",
        "says",
        "said",
    }


def _title_overlap(a: str, b: str) -> float:
    wa, wb = _title_words(a), _title_words(b)
    return len(wa & wb) / max(1, min(len(wa), len(wb)))


def rewrite_title(title: str, rng: random.Random, strength: str) -> str:
    """Outlets retitle copy: case changes for light edits, reworded titles for heavier ones."""
    if strength == "light":
        return title.title() if title.isupper() and rng.random() < 0.5 else title
    words = substitute(title.lower(), rng, 0.5).split()
    if len(words) > 3:
        for _ in range(1 if strength == "medium" else 2):
            words.pop(rng.randrange(len(words)))
    if strength == "heavy":
        words += rng.choice((["amid", "uncertainty"], ["as", "pressure", "mounts"], ["report"], []))
    return " ".join(words).capitalize()


def paragraphs(body: str) -> list[list[str]]:
    """Paragraphs as lists of sentences (the engine's splitter is reused for sentences)."""
    pars = [p for p in re.split(r"\n\s*\n|\n(?=[ \t]+\S)", body) if p.strip()]
    out = []
    for p in pars:
        sents = stories.sentences(p)
        if sents:
            out.append(sents)
    return out


def render(pars: Sequence[Sequence[str]]) -> str:
    """Paragraphs joined the way a web page shows them: blank lines, no hard wraps."""
    return "\n\n".join(" ".join(p) for p in pars if p)


CREDIT_LINES = (
    "Reuters/AP",
    "Additional reporting by Staff Correspondents; Editing by the Desk",
    "- Reuters",
    "(c) Wire services",
    "With AAP",
)


def light(pars: list[list[str]], rng: random.Random, titles: Sequence[str]) -> list[list[str]]:
    """Trim the end, change credits, insert READ MORE and photo lines."""
    pars = [list(p) for p in pars]
    if len(pars) >= 4 and rng.random() < 0.7:
        pars = pars[: len(pars) - rng.choice((1, 2))]
    if rng.random() < 0.5 and pars:
        place = rng.choice(("WASHINGTON", "LONDON", "TOKYO", "NEW YORK", "SYDNEY"))
        pars[0][0] = f"{place} (Reuters) - {pars[0][0]}"
    pars.append([rng.choice(CREDIT_LINES)])
    for _ in range(rng.choice((1, 2))):
        pos = rng.randint(1, max(1, len(pars) - 1))
        pars.insert(pos, [f"READ MORE: {rng.choice(titles).title()}"])
    if rng.random() < 0.5:
        pos = rng.randint(1, max(1, len(pars) - 1))
        pars.insert(pos, ["File photo.", "IMAGE: AFP/Getty Images."])
    return pars


def medium(pars: list[list[str]], rng: random.Random, titles: Sequence[str]) -> list[list[str]]:
    """Light edits plus dropped/reordered sentences, a new intro and word substitutions."""
    sents = [s for p in pars for s in p]
    first, rest = sents[0], sents[1:]
    n_change = max(1, round(0.3 * len(rest)))
    changed = rng.sample(range(len(rest)), min(n_change, len(rest)))
    drop = set(changed[: len(changed) // 2])
    move = changed[len(changed) // 2 :]
    kept = [s for k, s in enumerate(rest) if k not in drop]
    for k in move:
        if k in drop or rest[k] not in kept:
            continue
        kept.remove(rest[k])
        kept.insert(rng.randrange(len(kept) + 1), rest[k])
    kept = [substitute(s, rng, 0.15) for s in kept]
    body = [rewrite_intro(first, rng), *kept]
    # Regroup into paragraphs of one or two sentences, as web copy does.
    new_pars: list[list[str]] = []
    k = 0
    while k < len(body):
        size = rng.choice((1, 2))
        new_pars.append(body[k : k + size])
        k += size
    return light(new_pars, rng, titles)


def heavy(
    pars: list[list[str]], rng: random.Random, titles: Sequence[str], other: list[list[str]]
) -> list[list[str]]:
    """Keep ~30-40% of sentences, paraphrase the rest, merge in paragraphs of a second story."""
    sents = [s for p in pars for s in p]
    n = len(sents)
    n_keep = max(1, round(n * rng.uniform(0.3, 0.4)))
    keep = set(rng.sample(range(1, n), min(n_keep, n - 1))) if n > 1 else {0}
    body = [rewrite_intro(sents[0], rng)]
    for k in range(1, n):
        if k in keep:
            body.append(sents[k])
        elif rng.random() < 0.8:
            body.append(paraphrase(sents[k], rng))
    # Merge one or two paragraphs of another wire story, at the end or in the middle: a small
    # part of that story (at most a third) and of the result (at most half of what is kept).
    budget = min(
        sum(len(s.split()) for p in other for s in p) / 3,
        sum(len(s.split()) for s in body) / 2,
    )
    extra: list[list[str]] = []
    for par in other[1 : 1 + rng.choice((1, 2))]:
        if (
            sum(len(s.split()) for s in par) + sum(len(s.split()) for p in extra for s in p)
            > budget
        ):
            break
        extra.append(par)
    pos = rng.choice((len(body), max(1, len(body) // 2)))
    merged = body[:pos] + [s for p in extra for s in p] + body[pos:]
    new_pars = [[s] for s in merged]
    return light(new_pars, rng, titles)


# ---------------------------------------------------------------------------------------------
# The labelled set


def _lonely(arts: Sequence[Art]) -> set[str]:
    """Articles with no unlabelled relative: no sentence of 8+ words shared with any other
    article, and no title sharing half its words with an article within 3 days.

    Reuters-21578 is full of updates and rewrites of one story under new titles; only stories
    without such relatives make clean originals, donors and follow-up bases.
    """
    owners: dict[str, set[str]] = defaultdict(set)
    for a in arts:
        for sent in stories.sentences(a.body):
            words = re.findall(r"\w+", sent.lower())
            if len(words) >= 8:
                owners[" ".join(words)].add(a.id)
    crowded = {i for ids in owners.values() if len(ids) > 1 for i in ids}
    words = {a.id: _title_words(a.title) for a in arts}
    postings: dict[str, list[Art]] = defaultdict(list)
    for a in arts:
        for w in words[a.id]:
            postings[w].append(a)
    for a in arts:
        if a.id in crowded or not words[a.id]:
            continue
        shared: Counter[str] = Counter()
        for w in words[a.id]:
            for b in postings[w]:
                if b.id == a.id:
                    continue
                if a.date and b.date and abs((a.date - b.date).days) > 3:
                    continue
                shared[b.id] += 1
        for b_id, n in shared.items():
            if n / max(1, min(len(words[a.id]), len(words[b_id]))) >= 0.5:
                crowded.add(a.id)
                break
    return {a.id for a in arts} - crowded


def _n_sentences(a: Art) -> int:
    return sum(len(p) for p in paragraphs(a.body))


def _shift(
    date: datetime | None, rng: random.Random, days: Sequence[int] = (0, 0, 1)
) -> datetime | None:
    if date is None or rng.random() < 0.15:
        return None  # some outlets' copies have no usable date
    return date + timedelta(days=rng.choice(days), hours=rng.randint(0, 9))


def build_labelled(originals: int, seed: int) -> tuple[list[Art], list[tuple[str, str, str]]]:
    """The evaluation articles and the constructed hard negatives: (kind, id, id) where kind
    is ``follow1``/``follow2`` (follow-up, original) or ``roundup`` (heavy rewrite, donor)."""
    rng = random.Random(seed)
    reuters = label_real_duplicates(load_reuters())
    bbc = label_real_duplicates(load_bbc())
    arts: list[Art] = reuters + bbc
    titles = [a.title for a in arts if 3 <= len(a.title.split()) <= 12]
    dup_stories = Counter(a.story for a in arts)
    lonely = _lonely(arts)
    arts = [replace(a, lonely=a.id in lonely) for a in arts]
    pool = [
        a
        for a in arts
        if not a.templated
        and dup_stories[a.story] == 1
        and a.id in lonely
        and _n_sentences(a) >= 5
        and len(a.body.split()) >= 80
    ]
    rng.shuffle(pool)
    chosen = pool[:originals]
    used = {a.id for a in chosen}
    by_topic: dict[str, list[Art]] = defaultdict(list)
    for a in pool[originals:]:
        for t in a.topics[:1]:
            by_topic[t].append(a)
    # Roundups take one or two paragraphs of a longer story, not most of a short one.
    donors = [a for a in pool[originals:] if len(paragraphs(a.body)) >= 5]
    variants: list[Art] = []
    negatives: list[tuple[str, str, str]] = []  # (kind, article, article) that must stay apart
    for n, orig in enumerate(chosen):
        pars = paragraphs(orig.body)
        strength = STRENGTHS[n % len(STRENGTHS)]
        other = rng.choice(donors)
        plan = {
            "light": ["light"],
            "medium": ["medium"],
            "heavy": ["heavy"],
            "cluster": ["light", "light", "medium", "heavy", "heavy"],
        }[strength]
        for k, kind in enumerate(plan):
            if kind == "light":
                new = light(pars, rng, titles)
            elif kind == "medium":
                new = medium(pars, rng, titles)
            else:
                new = heavy(pars, rng, titles, paragraphs(other.body))
                negatives.append(("roundup", f"{orig.id}~{kind[0]}{k}", other.id))
            variants.append(
                Art(
                    f"{orig.id}~{kind[0]}{k}",
                    rewrite_title(orig.title, rng, kind),
                    render(new),
                    _shift(orig.date, rng),
                    rng.choice(OUTLETS),
                    orig.story,
                    strength,
                    orig.topics,
                )
            )
        # Every other original also gets a next-day follow-up: another real story on the same
        # topic with one (or two) background paragraphs of this one pasted in.
        if n % 2 == 0 and len(pars) >= 3:
            cands = [
                a
                for a in by_topic.get(orig.topics[0] if orig.topics else "", [])
                if a.id not in used
                and len(paragraphs(a.body)) >= 3
                and (
                    orig.date is None
                    or a.date is None
                    or timedelta(0) <= a.date - orig.date <= timedelta(days=2)
                )
                and _title_overlap(a.title, orig.title) < 0.5  # a re-send is not a follow-up
            ]
            if not cands:
                continue
            new_story = rng.choice(cands)
            used.add(new_story.id)
            n_bg = 1 if n % 4 == 0 else 2
            bg_start = rng.randrange(1, len(pars) - n_bg + 1)
            background = pars[bg_start : bg_start + n_bg]
            # Background is a recap, not most of the original: at most a third of its words.
            words = sum(len(s.split()) for p in background for s in p)
            if words * 3 > len(orig.body.split()):
                continue
            npars = paragraphs(new_story.body)
            pos = min(2, len(npars))
            fpars = npars[:pos] + background + npars[pos:]
            date = orig.date + timedelta(days=1) if orig.date else None
            fid = f"{new_story.id}~f{n_bg}"
            variants.append(
                Art(
                    fid,
                    new_story.title,
                    render(fpars),
                    date,
                    rng.choice(OUTLETS),
                    new_story.story,
                    f"follow{n_bg}",
                    new_story.topics,
                )
            )
            negatives.append((f"follow{n_bg}", fid, orig.id))
    # Originals keep category "real" but are remembered through their variants' story labels.
    return arts + variants, negatives


# ---------------------------------------------------------------------------------------------
# Metrics


@dataclass(frozen=True)
class Scores:
    """Pairwise precision/recall/F1 and ARI over a set of articles."""

    n: int
    true_pairs: int
    pred_pairs: int
    tp: int
    precision: float
    recall: float
    f1: float
    ari: float


def pair_scores(
    truth: dict[str, str],
    pred: dict[str, str],
    subset: Iterable[str],
    unlabelled: set[str] | frozenset[str] = frozenset(),
) -> Scores:
    """Pairwise scores and the Adjusted Rand Index (contingency-table formula) over ``subset``.

    Predicted pairs of two ``unlabelled`` articles (real articles, whose relations beyond the
    labelled duplicates are unknown) that the labels call different are left out of precision;
    the ARI is computed over the labelled articles of the subset only.
    """
    ids = list(subset)
    tp, tpairs, ppairs = _pair_counts(truth, pred, ids)
    real = [i for i in ids if i in unlabelled]
    if real:
        rr_tp, _rr_true, rr_pred = _pair_counts(truth, pred, real)
        ppairs -= rr_pred - rr_tp
    precision = tp / ppairs if ppairs else 1.0
    recall = tp / tpairs if tpairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(len(ids), tpairs, ppairs, tp, precision, recall, f1, ari(truth, pred, ids))


def _pair_counts(
    truth: dict[str, str], pred: dict[str, str], ids: Sequence[str]
) -> tuple[int, int, int]:
    """(pairs together in both, pairs together in truth, pairs together in prediction)."""
    cont: Counter[tuple[str, str]] = Counter()
    t_sizes: Counter[str] = Counter()
    p_sizes: Counter[str] = Counter()
    for i in ids:
        t, p = truth[i], pred.get(i, "solo:" + i)
        cont[(t, p)] += 1
        t_sizes[t] += 1
        p_sizes[p] += 1
    return (
        sum(comb(v, 2) for v in cont.values()),
        sum(comb(v, 2) for v in t_sizes.values()),
        sum(comb(v, 2) for v in p_sizes.values()),
    )


def ari(truth: dict[str, str], pred: dict[str, str], ids: Sequence[str]) -> float:
    """Adjusted Rand Index of two labelings of ``ids`` (Hubert & Arabie, contingency form)."""
    index, true_pairs, pred_pairs = _pair_counts(truth, pred, ids)
    total = comb(len(ids), 2)
    expected = true_pairs * pred_pairs / total if total else 0.0
    top = (true_pairs + pred_pairs) / 2 - expected
    return (index - expected) / top if top else 1.0


def category_subset(arts: Sequence[Art], pred: dict[str, str], category: str) -> set[str]:
    """Articles of the stories that have a variant of ``category``, plus whatever the engine
    grouped with them (so false merges count against that category's precision)."""
    stories_ = {a.story for a in arts if a.category == category}
    subset = {a.id for a in arts if a.story in stories_}
    groups = {pred[i] for i in subset if i in pred}
    subset |= {i for i, g in pred.items() if g in groups}
    return subset


def hard_negatives(
    arts: Sequence[Art], pred: dict[str, str], negatives: Sequence[tuple[str, str, str]]
) -> dict[str, tuple[int, int]]:
    """(merged, total) counts of hard-negative pairs the engine put in one group."""
    names = {
        "follow1": "next-day follow-up + 1 background paragraph of the original",
        "follow2": "next-day follow-up + 2 background paragraphs of the original",
        "roundup": "heavy rewrite (roundup) vs the story it took paragraphs from",
    }
    out: dict[str, tuple[int, int]] = {}
    for kind, name in names.items():
        pairs = [(x, y) for k, x, y in negatives if k == kind]
        merged = sum(1 for x, y in pairs if x in pred and pred.get(x) == pred.get(y))
        out[name] = (merged, len(pairs))
    # Same-day pairs: templated earnings of different companies (different ticker, or first
    # title word when there is none); same-topic stories that share no sentence with anything.
    lonely = {a.id for a in arts if a.lonely}
    by_day: dict[object, list[Art]] = defaultdict(list)
    for a in arts:
        if a.source == "Reuters" and a.date is not None and a.category == "real":
            by_day[a.date.date()].append(a)
    earn_total = earn_merged = topic_total = topic_merged = 0
    for group in by_day.values():
        earnings = [a for a in group if a.templated]
        for x in range(len(earnings)):
            for y in range(x + 1, len(earnings)):
                a, b = earnings[x], earnings[y]
                if _same_company(a.title, b.title):
                    continue
                earn_total += 1
                if a.id in pred and pred[a.id] == pred.get(b.id):
                    earn_merged += 1
        seen: set[tuple[str, str]] = set()
        by_topic: dict[str, list[Art]] = defaultdict(list)
        for a in group:
            if a.id in lonely and not a.templated:
                for t in a.topics:
                    by_topic[t].append(a)
        for members in by_topic.values():
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    a, b = members[x], members[y]
                    key = (min(a.id, b.id), max(a.id, b.id))
                    if key in seen:
                        continue
                    seen.add(key)
                    topic_total += 1
                    if a.id in pred and pred[a.id] == pred.get(b.id):
                        topic_merged += 1
    out["same-day templated earnings of different companies"] = (earn_merged, earn_total)
    out["same-day same-topic distinct stories (no shared sentence)"] = (topic_merged, topic_total)
    return out


def _same_company(a: str, b: str) -> bool:
    """Whether two earnings titles may name one company: same ticker or same first word
    (conservative, so that only surely different companies count as negatives)."""

    def ticker(title: str) -> str | None:
        m = re.search(r"<([A-Z0-9]{1,6})(?:\.[A-Z]+)?>", title)
        return m.group(1) if m else None

    def first_word(title: str) -> str:
        title = re.sub(r"^\(?CORRECTED\)?\s*-\s*", "", title)
        words = re.findall(r"[A-Z][A-Z&'-]*", title)
        return words[0] if words else title

    ta, tb = ticker(a), ticker(b)
    return (ta is not None and ta == tb) or first_word(a) == first_word(b)


def merged_groups(arts: Sequence[Art], pred: dict[str, str], real: frozenset[str]) -> int:
    """Predicted groups that mix two or more true stories, at least one of them synthetic
    (groups of real articles only have unknown truth beyond the labelled duplicates)."""
    stories_of: dict[str, set[str]] = defaultdict(set)
    synthetic: dict[str, bool] = defaultdict(bool)
    truth = {a.id: a.story for a in arts}
    for i, g in pred.items():
        stories_of[g].add(truth[i])
        synthetic[g] |= i not in real
    return sum(1 for g, st in stories_of.items() if len(st) > 1 and synthetic[g])


def quality_rows(
    arts: Sequence[Art],
    truth: dict[str, str],
    pred: dict[str, str],
    real: frozenset[str],
    labelled: Sequence[str],
) -> list[tuple[str, Scores]]:
    """The rows of the quality table."""
    rows = []
    names = {
        "light": "light rewrites",
        "medium": "medium rewrites",
        "heavy": "heavy rewrites (30-40% kept + roundup paragraphs)",
        "cluster": "clusters (2 light, 1 medium, 2 heavy copies)",
        "follow1": "follow-up bases (+1 background paragraph)",
        "follow2": "follow-up bases (+2 background paragraphs)",
    }
    for cat, name in names.items():
        rows.append((name, pair_scores(truth, pred, category_subset(arts, pred, cat))))
    dup_stories = {a.story for a in arts if a.category == "real"} & {
        st for st, n in Counter(truth.values()).items() if n > 1
    }
    dups = [a.id for a in arts if a.category == "real" and a.story in dup_stories]
    synthetic_stories = {a.story for a in arts if a.category != "real"}
    dups = [i for i in dups if truth[i] not in synthetic_stories]
    rows.append(
        ("real re-sends/CORRECTED (labelled duplicates)", pair_scores(truth, pred, dups, real))
    )
    overall = pair_scores(truth, pred, truth, real)
    rows.append(("overall (labelled pairs)", replace(overall, ari=ari(truth, pred, labelled))))
    strict = pair_scores(truth, pred, truth)
    rows.append(("overall, strict (unknown real-real links count as errors)", strict))
    return rows


def unlabelled_links(arts: Sequence[Art], pred: dict[str, str]) -> list[tuple[str, str]]:
    """Predicted pairs of two real articles that the labels call different stories."""
    groups: dict[str, list[Art]] = defaultdict(list)
    by_id = {a.id: a for a in arts}
    for i, g in pred.items():
        if by_id[i].category == "real":
            groups[g].append(by_id[i])
    out = []
    for members in groups.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                if members[x].story != members[y].story:
                    out.append((members[x].id, members[y].id))
    return sorted(out)


# ---------------------------------------------------------------------------------------------
# Runs


def rss_mb() -> float:
    """Current resident memory of this process in MB."""
    return psutil.Process().memory_info().rss / 2**20


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_index(
    path: Path | str, items: Iterable[StoryInput], label: str, every: int = 5000
) -> tuple[StoryIndex, int, float]:
    """Add everything to a fresh index, printing progress; returns (index, count, seconds)."""
    index = StoryIndex(path)
    start = time.perf_counter()
    last = 0
    count = 0
    for count in index.add(items):
        if count - last >= every:
            last = count
            el = time.perf_counter() - start
            print(f"  {label}: {count:,} articles, {el:.0f} s, RSS {rss_mb():.0f} MB", flush=True)
    return index, count, time.perf_counter() - start


def fmt(x: float) -> str:
    """Three decimals."""
    return f"{x:.3f}"


def quality(args: argparse.Namespace) -> None:
    """Build the labelled set, index it and print the quality tables."""
    print(f"Building the labelled set ({args.originals} rewritten originals, seed {args.seed}) …")
    arts, negatives = build_labelled(args.originals, args.seed)
    if not args.no_ag:
        arts += label_real_duplicates(load_ag_news())  # short distractors
    seeds = load_seeds() if SEEDS.is_dir() else []
    arts += seeds
    truth = {a.id: a.story for a in arts}
    counts = Counter(a.category for a in arts)
    print(
        f"  {len(arts):,} articles: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items()))
    )
    random.Random(args.seed).shuffle(arts)  # arrival order must not matter
    rss0 = rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "stories.sqlite"
        if args.db and args.reuse and db.exists():
            index = StoryIndex(db)
            print(f"  reusing {db} ({len(index):,} articles)")
        else:
            for old in db.parent.glob(db.name + "*"):
                old.unlink()
            index, n, secs = build_index(db, (a.input() for a in arts), "eval")
            print(
                f"  built in {secs:.1f} s ({secs / n * 10000:.1f} s per 10k articles); RSS "
                f"{rss_mb():.0f} MB (+{rss_mb() - rss0:.0f} MB while building), peak {peak_rss_mb():.0f} MB"
            )
        t0 = time.perf_counter()
        pred = index.groups(args.threshold)
        t_group = time.perf_counter() - t0
        print(
            f"  groups() at {args.threshold}: {t_group * 1000:.0f} ms, {len(set(pred.values())):,} groups"
        )
        story_size = Counter(truth.values())
        real = frozenset(a.id for a in arts if a.category == "real")
        labelled = [
            a.id for a in arts if a.category != "real" or a.lonely or story_size[a.story] > 1
        ]
        print()
        print(f"### Grouping quality at threshold {args.threshold}")
        print()
        print("| subset | articles | true pairs | found pairs | precision | recall | F1 | ARI |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, sc in quality_rows(arts, truth, pred, real, labelled):
            print(
                f"| {name} | {sc.n:,} | {sc.true_pairs:,} | {sc.pred_pairs:,} | {fmt(sc.precision)} "
                f"| {fmt(sc.recall)} | {fmt(sc.f1)} | {fmt(sc.ari)} |"
            )
        print()
        print("| hard negatives (must stay apart) | merged | pairs |")
        print("|---|---:|---:|")
        for name, (m, t) in hard_negatives(arts, pred, negatives).items():
            print(f"| {name} | {m} | {t:,} |")
        print(
            f"| predicted groups mixing ≥2 labelled stories | {merged_groups(arts, pred, real)} "
            f"| {len(set(pred.values())):,} groups |"
        )
        if len(seeds) == 2:
            ev = index.explain(seeds[0].id, seeds[1].id)
            together = seeds[0].id in pred and pred[seeds[0].id] == pred.get(seeds[1].id)
            print(
                f"\nSeeds (two outlets' versions of one Reuters/AP story): score "
                f"{ev.score if ev else 0:.3f}, {len(ev.passages) if ev else 0} aligned sentences, "
                f"{'one group' if together else 'NOT grouped'} at {args.threshold}."
            )
        links = unlabelled_links(arts, pred)
        print(
            f"\nLinks between real articles beyond the labelled duplicates (unknown truth, left "
            f"out of precision): {len(links):,} pairs."
        )
        if args.audit:
            rng = random.Random(args.seed)
            by_id = {a.id: a for a in arts}
            for x, y in rng.sample(links, min(args.audit, len(links))):
                ev = index.explain(x, y)
                score = ev.score if ev else 0.0
                ax, ay = by_id[x], by_id[y]
                print(
                    f"  - {score:.2f} {x} {ax.date.date() if ax.date else '-'} {ax.title[:48]!r} | "
                    f"{y} {ay.date.date() if ay.date else '-'} {ay.title[:48]!r}"
                )
        print()
        print("### Threshold sweep (regrouping from stored pairs, no recomputation)")
        print()
        print(
            "| threshold | linkage guard | precision | recall | F1 | ARI | heavy recall | cluster recall "
            "| hard negatives merged | real-real links | regroup ms |"
        )
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for t in args.sweep:
            guards = [stories.LINKAGE]
            if abs(t - args.threshold) < 1e-9:
                guards += [g for g in args.linkages if g != stories.LINKAGE]
            for guard in guards:
                t0 = time.perf_counter()
                p = index.groups(t, linkage=guard)
                ms = (time.perf_counter() - t0) * 1000
                sc = pair_scores(truth, p, truth, real)
                sc = replace(sc, ari=ari(truth, p, labelled))
                h = pair_scores(truth, p, category_subset(arts, p, "heavy"))
                c = pair_scores(truth, p, category_subset(arts, p, "cluster"))
                merged = sum(m for m, _t in hard_negatives(arts, p, negatives).values())
                print(
                    f"| {t:.2f} | {guard:g} | {fmt(sc.precision)} | {fmt(sc.recall)} "
                    f"| {fmt(sc.f1)} | {fmt(sc.ari)} | {fmt(h.recall)} | {fmt(c.recall)} | {merged} "
                    f"| {len(unlabelled_links(arts, p)):,} | {ms:.0f} |"
                )
        if args.show_errors:
            show_errors(index, arts, pred, args.show_errors)
        index.close()


def show_errors(index: StoryIndex, arts: Sequence[Art], pred: dict[str, str], limit: int) -> None:
    """Print a few false merges and misses with their evidence, for tuning."""
    by_id = {a.id: a for a in arts}
    groups: dict[str, list[str]] = defaultdict(list)
    for i, g in pred.items():
        groups[g].append(i)
    print("\n### False merges")
    shown = 0
    for members in groups.values():
        if len({by_id[m].story for m in members}) < 2:
            continue
        for x in members:
            for y in members:
                if x < y and by_id[x].story != by_id[y].story:
                    ev = index.explain(x, y)
                    if ev is None or ev.score < 0.05:
                        continue
                    print(
                        f"- {x} [{by_id[x].category}] ~ {y} [{by_id[y].category}] score {ev.score} cont {ev.containment_a}/{ev.containment_b}"
                    )
                    for p in ev.passages[:4]:
                        print(f"    {p.similarity:.2f} | {p.a_text[:90]!r} | {p.b_text[:90]!r}")
                    shown += 1
        if shown >= limit:
            break
    print("\n### Misses")
    shown = 0
    by_story: dict[str, list[str]] = defaultdict(list)
    for a in arts:
        by_story[a.story].append(a.id)
    for members in by_story.values():
        if len(members) < 2:
            continue
        for x in members:
            for y in members:
                if x < y and (x not in pred or pred.get(x) != pred.get(y)):
                    ev = index.explain(x, y)
                    score = ev.score if ev else None
                    print(
                        f"- {x} [{by_id[x].category}] ~ {y} [{by_id[y].category}] score {score} cont {ev.containment_a if ev else ''}/{ev.containment_b if ev else ''}"
                    )
                    shown += 1
                    break
            if shown >= limit:
                break
        if shown >= limit:
            break


# ---------------------------------------------------------------------------------------------
# Scale test


def synthetic_stream(
    size: int, seed: int, reals: Sequence[Art], titles: Sequence[str]
) -> Iterator[StoryInput]:
    """``size`` articles: the real ones first, then rule-based variants with shifted dates."""
    rng = random.Random(seed)
    n = 0
    for a in reals:
        if n >= size:
            return
        yield a.input()
        n += 1
    family = 0
    while n < size:
        orig = rng.choice(reals)
        family += 1
        shift = timedelta(days=rng.randint(30, 900))
        pars = paragraphs(orig.body)
        if not pars:
            continue
        for k in range(rng.choice((1, 2, 3))):
            kind = rng.choice(("light", "medium", "heavy")) if len(pars) > 1 else "light"
            if kind == "light":
                new = light(pars, rng, titles)
            elif kind == "medium" and sum(len(p) for p in pars) > 1:
                new = medium(pars, rng, titles)
            else:
                other = paragraphs(rng.choice(reals).body) or pars
                new = (
                    heavy(pars, rng, titles, other)
                    if sum(len(p) for p in pars) > 1
                    else light(pars, rng, titles)
                )
            date = (
                (orig.date or datetime(2005, 1, 1, tzinfo=UTC)) + shift
                if rng.random() < 0.8
                else None
            )
            yield StoryInput(
                f"s{seed}-{family}-{k}", orig.title, render(new), date, rng.choice(OUTLETS)
            )
            n += 1
            if n >= size:
                return


def scale(args: argparse.Namespace) -> None:
    """Build a ``--scale``-article index on disk, then time adding 1,000 more."""
    print(f"\n### Scale: {args.scale:,}-article index, then +1,000")
    reals = load_reuters() + load_bbc() + load_ag_news()
    titles = [a.title for a in reals if 3 <= len(a.title.split()) <= 12]
    rss0 = rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stories.sqlite"
        index, n, secs = build_index(
            path, synthetic_stream(args.scale, args.seed, reals, titles), "scale", every=10000
        )
        peak_build = peak_rss_mb()
        db_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 2**20
        print(
            f"  full build: {n:,} articles in {secs:.0f} s = {secs / n * 10000:.1f} s per 10k; RSS now {rss_mb():.0f} MB (corpora loaded: {rss0:.0f}); peak {peak_build:.0f} MB; database {db_mb:.0f} MB"
        )
        t0 = time.perf_counter()
        groups = index.groups()
        print(
            f"  groups() over {n:,}: {time.perf_counter() - t0:.2f} s, {len(set(groups.values())):,} groups of {len(groups):,} articles"
        )
        extra = list(synthetic_stream(len(reals) + 1000, args.seed + 1, reals, titles))[
            len(reals) :
        ]
        t0 = time.perf_counter()
        for _ in index.add(extra):
            pass
        add_secs = time.perf_counter() - t0
        t0 = time.perf_counter()
        index.groups(0.5)
        regroup = time.perf_counter() - t0
        t0 = time.perf_counter()
        index.remove(x.id for x in extra[:100])
        rm = time.perf_counter() - t0
        print(
            f"  incremental add of {len(extra):,} to {n:,}: {add_secs:.1f} s; regroup at 0.5: {regroup:.2f} s; remove 100: {rm:.2f} s; peak RSS {peak_rss_mb():.0f} MB"
        )
        index.close()


def reuters_inputs() -> list[StoryInput]:
    """Every Reuters-21578 article as a rebuild extracts it (what the engine is fed)."""
    from index.extract import ExtractOptions, extract
    from index.model import RawDocument
    from index.readers import FieldMapping, read_file

    options = ExtractOptions(source="Reuters")
    out = []
    for path in sorted(REUTERS.parent.glob("*.sgm")):
        for raw in read_file(path, FieldMapping(), max_bytes=1 << 30):
            if isinstance(raw, RawDocument):
                a = extract(raw, options)
                out.append(StoryInput(a.id, a.title, a.body, a.date.value, a.source, a.wires))
    return out


def _dump(index: StoryIndex) -> tuple[list[tuple[object, ...]], dict[str, str]]:
    pairs = [
        (e.a, e.b, e.score, e.containment_a, e.containment_b, e.passages) for e in index.pairs(0)
    ]
    return sorted(pairs), index.groups()


def ingest(args: argparse.Namespace) -> None:
    """Story grouping as a rebuild runs it: preparation (``prepare_story``, parallel in the
    indexing workers), then the sequential ``StoryIndex.add`` in the parent."""
    print("\n### Ingest cost on Reuters-21578 (per article)")
    items = reuters_inputs()
    n = len(items)
    c0 = time.process_time()
    prepared = [stories.prepare_story(x) for x in items]
    prep_cpu = (time.process_time() - c0) / n
    c0 = time.process_time()
    batched = [p for i in range(0, n, 256) for p in stories.prepare_stories(items[i : i + 256])]
    batch_cpu = (time.process_time() - c0) / n
    assert batched == prepared
    alone = sum(len(pickle.dumps(x, pickle.HIGHEST_PROTOCOL)) for x in prepared) / n
    chunks = range(0, n, 256)
    listed = sum(len(pickle.dumps(prepared[i : i + 256], pickle.HIGHEST_PROTOCOL)) for i in chunks)
    blob = sum(len(x.blob) for x in prepared) / n
    w0 = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(args.ingest_workers) as pool:
        list(pool.imap(stories.prepare_story, items, chunksize=64))
    pool_wall = (time.perf_counter() - w0) / n
    with tempfile.TemporaryDirectory() as tmp:
        results = []
        for label, feed in (("prepared", prepared), ("inline", items)):
            index = StoryIndex(Path(tmp) / f"{label}.sqlite")
            c0, w0 = time.process_time(), time.perf_counter()
            for _ in index.add(feed):
                pass
            cpu, wall = time.process_time() - c0, time.perf_counter() - w0
            results.append((label, cpu / n, wall / n, _dump(index)))
            index.close()
    same = results[0][3] == results[1][3]
    print(f"\n{n:,} articles ({len(results[0][3][0]):,} stored pairs)\n")
    print("| stage | CPU ms | wall ms |")
    print("|---|---:|---:|")
    print(f"| prepare_story, one by one (worker side) | {prep_cpu * 1000:.3f} | |")
    print(f"| prepare_stories, 256 at a time (worker side) | {batch_cpu * 1000:.3f} | |")
    print(
        f"| prepare_story in a spawn pool of {args.ingest_workers} (imap, chunks of 64) | "
        f"| {pool_wall * 1000:.3f} |"
    )
    for label, cpu, wall, _ in results:
        what = (
            "add(prepared): the parent's sequential part"
            if label == "prepared"
            else ("add(StoryInput): preparation inline")
        )
        print(f"| {what} | {cpu * 1000:.3f} | {wall * 1000:.3f} |")
    print(
        f"\nPickled PreparedStory: {alone:,.0f} B alone, {listed / n:,.0f} B in lists of 256 "
        f"(blob {blob:,.0f} B). Prepared and inline paths give "
        f"{'identical' if same else 'DIFFERENT'} pairs and groups."
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--originals", type=int, default=1200, help="originals that get rewrites")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--threshold", type=float, default=stories.DEFAULT_THRESHOLD)
    p.add_argument(
        "--sweep", type=float, nargs="*", default=[0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.8]
    )
    p.add_argument(
        "--linkages",
        type=float,
        nargs="*",
        default=[0.5, 0.9, 0.0],
        help="average-linkage guard values also tried at --threshold (0 = plain components)",
    )
    p.add_argument("--no-ag", action="store_true", help="leave out the AG News distractors")
    p.add_argument(
        "--scale", type=int, default=100_000, help="articles in the scale test; 0 skips it"
    )
    p.add_argument("--skip-quality", action="store_true")
    p.add_argument(
        "--ingest",
        action="store_true",
        help="time preparation and the sequential add on Reuters-21578 (then exit)",
    )
    p.add_argument("--ingest-workers", type=int, default=2, help="pool size for --ingest")
    p.add_argument("--show-errors", type=int, default=0, help="print this many errors of each kind")
    p.add_argument(
        "--audit", type=int, default=20, help="print a sample of unlabelled real-real links"
    )
    p.add_argument("--db", help="keep the evaluation index at this path (default: a temp dir)")
    p.add_argument("--reuse", action="store_true", help="with --db: reuse an existing index")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a tunable of index.stories for an ablation, e.g. --set USE_SORTED=False",
    )
    args = p.parse_args(argv)
    for setting in args.set:
        name, _, value = setting.partition("=")
        if not hasattr(stories, name):
            p.error(f"index.stories has no tunable {name}")
        setattr(stories, name, ast.literal_eval(value))
    missing = [x for x in (REUTERS, BBC, AG_NEWS) if not x.exists()]
    if missing:
        print(
            f"skipped: corpora not found ({', '.join(map(str, missing))}); expected under {CORPORA}"
        )
        return 0
    print(
        f"Command: .venv/bin/python bench/grouping_eval.py {' '.join(sys.argv[1:] if argv is None else argv)}"
    )
    if args.ingest:
        ingest(args)
        return 0
    if not args.skip_quality:
        quality(args)
    if args.scale:
        scale(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
