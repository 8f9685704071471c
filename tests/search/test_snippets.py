"""Highlighted snippets and titles: <mark>, escaping, phrases, variants, sentence boundaries."""

from __future__ import annotations

import re

from search_fixtures import TODAY

from search.engine import SearchEngine
from search.model import Hit, SearchRequest
from search.snippets import Highlight, highlight_text, snippets


def hit(engine: SearchEngine, query: str, article_id: str, **kw: object) -> Hit:
    page = engine.search(SearchRequest(query=query, page_size=100, today=TODAY, **kw))  # type: ignore[arg-type]
    return next(h for h in page.hits if h.id == article_id)


def marked(fragment: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", fragment)


def test_variants_are_marked_in_title_and_body(engine: SearchEngine) -> None:
    h = hit(engine, "missile", "a01")
    assert h.title_html == "North Korea fires <mark>missiles</mark> into sea"
    assert marked(h.snippets[0]) == ["missiles"]
    h = hit(engine, "computers", "a16")
    assert marked(h.title_html) == ["Computer"]
    assert marked(" ".join(h.snippets)) == ["Computer", "computers"]


def test_phrases_are_marked_as_phrases(engine: SearchEngine) -> None:
    h = hit(engine, '"prime minister"', "a01")
    assert marked(" ".join(h.snippets)) == ["prime minister"]
    h = hit(engine, "prime minister", "a04")  # two words, not a phrase: marked separately
    assert sorted(marked(" ".join(h.snippets))) == ["minister", "prime"]
    assert marked(h.title_html) == ["Minister", "prime"]


def test_html_is_escaped(engine: SearchEngine) -> None:
    h = hit(engine, "talks", "a30")
    assert h.title_html == 'AT&amp;T &lt;merger&gt; "<mark>talks</mark>"'
    assert h.snippets == (
        "AT&amp;T said &lt;b&gt;<mark>talks</mark>&lt;/b&gt; would continue &amp; close soon.",
    )


def test_negated_and_filter_terms_are_not_marked(engine: SearchEngine) -> None:
    h = hit(engine, "gold -silver date:2021", "a27")
    assert marked(h.title_html) == ["Gold"]
    h = hit(engine, "source:harbour dredging", "a06")
    assert marked(h.title_html) == ["dredging"]


def test_wildcard_and_fuzzy_expansions_are_marked(engine: SearchEngine) -> None:
    assert marked(hit(engine, "comput*", "a17").title_html) == ["Computing"]
    assert marked(hit(engine, "govrnment~", "a18").title_html) == ["Government"]


def test_no_match_in_body_gives_the_opening(engine: SearchEngine) -> None:
    h = hit(engine, "title:harbour", "a29")  # a title word is marked in the body too
    assert h.snippets == ("The <mark>harbour</mark> expansion was approved by the board.",)
    h = hit(engine, "wire:dpa", "a11")
    assert h.snippets == ("Die Regierung plant eine neue Steuer auf Zucker.",)


def test_snippet_settings(engine: SearchEngine) -> None:
    assert hit(engine, "missile", "a01", snippets=0).snippets == ()
    short = hit(engine, "japan", "a01", snippet_chars=40).snippets
    assert len(short) == 1 and short[0].startswith("…") and "<mark>Japan</mark>" in short[0]


BODY = (
    "Officials met on Monday. The storm hit the coast at dawn, officials said. "
    "Nothing else happened for hours.\n\n"
    "Later the storm moved inland. Rain & wind <caused> damage. "
    + "Filler sentence without the word. "
    * 20
    + "A final storm warning was issued for the northern valleys and the mountain passes, where "
    "officials feared that rising rivers would cut off villages for several days or even weeks."
)


def test_best_sentences_in_document_order() -> None:
    hl = Highlight(frozenset({"storm", "officials"}))
    frags = snippets(BODY, hl, count=3, chars=220)
    # The two sentences holding both words, then the earliest holding one; in text order.
    assert len(frags) == 3
    assert frags[0] == "<mark>Officials</mark> met on Monday."
    assert frags[1] == "The <mark>storm</mark> hit the coast at dawn, <mark>officials</mark> said."
    assert frags[2].startswith("A final <mark>storm</mark> warning")


def test_long_sentences_are_cut_at_word_boundaries() -> None:
    hl = Highlight(frozenset({"villages"}))
    (frag,) = snippets(BODY, hl, count=1, chars=80)
    assert frag.startswith("…") and frag.endswith("weeks.")  # cut before, sentence end after
    text = frag.strip("…")
    assert len(text.replace("<mark>", "").replace("</mark>", "")) <= 80
    assert "<mark>villages</mark>" in text
    inner = text.replace("<mark>", "").replace("</mark>", "")
    assert inner in BODY.replace("\n", " ")


def test_escaping_in_fragments() -> None:
    (frag,) = snippets(BODY, Highlight(frozenset({"wind"})), count=1)
    assert frag == "Rain &amp; <mark>wind</mark> &lt;caused&gt; damage."


def test_title_highlighting() -> None:
    hl = Highlight(frozenset({"korea"}), (("prime", "minister"),))
    assert highlight_text("Korea's prime minister & KOREA", hl) == (
        "Korea's <mark>prime minister</mark> &amp; <mark>KOREA</mark>"
    )
    assert highlight_text("", hl) == ""
    assert highlight_text("a < b", Highlight()) == "a &lt; b"
