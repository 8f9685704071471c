"""Cleaning: chrome rules, the header zone and title, sign-offs and trailing chrome, re-flowing."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.clean import chrome_reason, clean_text, parse_byline

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extract"


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Get all your news in one place.", "phrase"),
        ("100’s of premium titles.", "phrase"),  # curly apostrophe
        ("100's of premium titles.", "phrase"),
        ("One app.", "phrase"),
        ("Start reading", "phrase"),
        ("Sign up to read this article", "phrase"),
        ("Already a member? Sign in here", "phrase"),
        ("Top stories on inkl right now", "phrase"),
        ("One app. One membership.", "phrase"),
        ("100+ trusted global sources.", "phrase"),
        ("Advertisement", "phrase"),
        ("Share this article", "phrase"),
        ("READ MORE: Why Your Mortgage Could Rise", "prefix"),
        ("READ MORE:\u00a0Why Your Mortgage Could Rise", "prefix"),
        ("Read more: How the vote works", "prefix"),
        ("Related: Five charts on prices", "prefix"),
        ("Subscribe to our daily newsletter", "prefix"),
        ("Follow us on Twitter", "prefix"),
        ("Click here to see the full results", "prefix"),
        ("We use cookies to improve your experience.", "prefix"),
        ("Copyright © 2019 Harbour Herald", "prefix"),
        ("© 2019 Harbour Herald. All rights reserved.", "prefix"),
        ("Photo: Reuters/Jane Doe", "prefix"),
        ("Picture: Supplied", "prefix"),
        ("Credit: Harbour Herald", "prefix"),
        ("North Korean leader Kim Jong-Un. IMAGE: AFP/Getty Images.", "caption"),
        ("The minister arrives in Canberra. (Image: Jane Doe)", "caption"),
        ("The minister waves to supporters. (AP Photo/Jane Doe)", "caption"),
        ("The minister waves to supporters. REUTERS/Kim Hong-Ji", "caption"),
        ("Firefighters at the scene on Sunday. Jane Doe/Getty Images", "caption"),
        # not chrome
        ("Read more about how to prepare an emergency kit on the website, she said.", None),
        ("Officials said readers could read more: the report runs to 300 pages.", None),
        ("Reuters/AP", None),  # a sign-off, not a caption
        ("Copyright lawsuits rose sharply last year, the report said.", None),
        ("Subscribers to the service said prices had doubled in a year and complained.", None),
        ("(C) - Sales made on exporters' own account.", None),
        ("A spokesman for Getty said the company would appeal.", None),
        ("The image: a city under water.", None),
    ],
)
def test_chrome_reason(line: str, reason: str | None) -> None:
    assert chrome_reason(" ".join(line.split())) == reason


def test_reader_app_paste() -> None:
    result = clean_text(read("reader_app.txt"))
    assert result.title_candidate == (
        "Flood warnings issued for three coastal towns as heavy rain continues"
    )
    assert [(h.text, h.kind) for h in result.header_lines] == [
        ("SBS News", "outlet"),
        ("SBS News", "outlet"),
        ("Australia", "section"),
    ]
    assert result.outlet == "SBS News"
    assert result.signoff_lines == ("AAP/Reuters",)
    chrome = [
        "Get all your news in one place.",
        "100’s of premium titles.",
        "One app.",
        "Start reading",
        "SBS News",
        "Australia",
        "AAP/Reuters",
        "Sign up to read this article",
        "Already a member? Sign in here",
        "Top stories on inkl right now",
        "Weekend edition",  # unknown, but short and after the sign-off: trailing chrome
        "Puzzles and games",
        "100+ trusted global sources.",
    ]
    for line in chrome:
        assert line in result.removed
        assert line not in result.body
    assert result.title_candidate not in result.body
    assert result.title_candidate not in result.removed
    # a real sentence that merely starts with "Read more" stays
    assert any(p.startswith("Read more about how to prepare") for p in result.paragraphs)
    assert len(result.paragraphs) == 6
    assert result.body == "\n\n".join(result.paragraphs)


def test_title_first_with_read_more_and_caption() -> None:
    result = clean_text(read("title_first.txt"))
    assert result.title_candidate == "Central Bank Holds Interest Rates Steady For Third Month"
    assert result.header_lines == ()
    assert result.signoff_lines == ()
    assert result.removed == (
        "READ MORE:\u00a0Why Your Mortgage Repayments Could Rise Next Year",
        "Governor Maria Lopez at a press conference on Tuesday. PHOTO: Reuters/Getty Images.",
        "READ MORE:\u00a0Five Charts That Explain The Cost Of Living",
    )
    assert "READ MORE" not in result.body
    assert "Getty" not in result.body
    assert result.paragraphs[0].startswith("The central bank has left")
    assert len(result.paragraphs) == 6


def test_masthead_byline_and_date_lines() -> None:
    result = clean_text(read("masthead_byline_date.txt"))
    assert result.title_candidate == "Council approves plan to rebuild the old ferry terminal"
    kinds = [(h.text, h.kind) for h in result.header_lines]
    assert kinds == [
        ("Harbour Herald", "masthead"),
        ("Harbour Herald", "masthead"),
        ("Politics", "section"),
        ("By Jane Smith", "byline"),
        ("Published: Saturday 4 May 2019 10:02am AEST", "date"),
    ]
    assert result.outlet == "Harbour Herald"
    assert result.byline == "Jane Smith"
    assert result.paragraphs[0].startswith("The city council has voted")
    assert result.paragraphs[-1] == "The Associated Press contributed to this report."


def test_reuters_hard_wrap_is_reflowed_and_signoff_removed() -> None:
    result = clean_text(
        read("reuters_wrapped.txt"), title="HARBOUR HOLDINGS TO BUY COASTAL FREIGHT UNIT"
    )
    assert result.paragraphs == (
        "Harbour Holdings Ltd said it would buy the shipping business of Coastal Freight Corp for "
        "120 mln dlrs in cash, subject to approval by regulators.",
        "The company said the purchase would add about 15 pct to its annual revenue and would be "
        "financed from existing cash reserves.",
        "Coastal Freight shares rose 3/8 to 14-1/4 in early trading.",
    )
    assert result.signoff_lines == ("Reuter",)
    assert result.removed == ("Reuter",)
    assert result.header_lines == ()


def test_inline_reuter_signoff_is_split_off() -> None:
    text = "Net profit rose to 12 mln dlrs\nfrom nine mln dlrs.\n    Sales were flat.        REUTER"
    result = clean_text(text, title="PROFIT UP")
    assert result.paragraphs[-1] == "Sales were flat."
    assert result.signoff_lines == ("REUTER",)


def test_hard_wrapped_lines_are_not_chrome() -> None:
    # "share." and "subscribe …" continue a wrapped sentence: they are prose, not site furniture.
    text = (
        "The company said profit rose to 10 cts a\nshare.\n    Holders may\n"
        "subscribe between January 1 and March 31 to one new share for\nevery ten held.\n Reuter"
    )
    result = clean_text(text, title="PROFIT UP")
    assert result.removed == ("Reuter",)
    assert result.paragraphs == (
        "The company said profit rose to 10 cts a share.",
        "Holders may subscribe between January 1 and March 31 to one new share for every ten held.",
    )


def test_first_line_of_a_wrapped_paragraph_is_not_a_header() -> None:
    text = (
        "International\nBusiness Machines Corp said it would cut prices on its personal\n"
        "computers by up to 20 pct from Monday.\n    The cuts follow similar moves by rivals."
    )
    result = clean_text(text, title="IBM CUTS PRICES")
    assert result.header_lines == ()
    assert result.paragraphs[0].startswith("International Business Machines Corp said")


def test_reuters_table_keeps_its_rows() -> None:
    text = (
        "The department reported prices as follows -\n"
        "         Natl   Loan   Call\n"
        " Wheat   2.55   2.40   4.65\n"
        " Corn    1.35   1.92   3.15\n"
        "    Prices are in dlrs per bushel.\n Reuter"
    )
    result = clean_text(text, title="PRICES")
    assert result.paragraphs == (
        "The department reported prices as follows -",
        "        Natl   Loan   Call\nWheat   2.55   2.40   4.65\nCorn    1.35   1.92   3.15",
        "Prices are in dlrs per bushel.",
    )


def test_given_title_is_dropped_from_the_body() -> None:
    text = "Harbour reopens after storm\n\nThe harbour reopened on Monday.\n\nRepairs will take months."
    result = clean_text(text, title="Harbour reopens after storm")
    assert result.title_in_text
    assert result.paragraphs == ("The harbour reopened on Monday.", "Repairs will take months.")


def test_given_title_not_in_text_keeps_the_body_whole() -> None:
    result = clean_text("Unions called off the strike.", title="Rail strike called off")
    assert not result.title_in_text
    assert result.paragraphs == ("Unions called off the strike.",)


def test_three_word_title_before_a_short_standfirst() -> None:
    text = "Bates seals takeover\n\nKen Bates has completed his takeover of the club.\n\nMore text here."
    result = clean_text(text)
    assert result.title_candidate == "Bates seals takeover"
    assert result.paragraphs[0] == "Ken Bates has completed his takeover of the club."


def test_short_kicker_line_before_the_title_is_a_header() -> None:
    result = clean_text("Exclusive\n\nMinister quits over leaked emails\n\nThe minister resigned.")
    assert result.title_candidate == "Minister quits over leaked emails"
    assert [(h.text, h.kind) for h in result.header_lines] == [("Exclusive", "section")]


def test_section_words_and_wires_are_not_outlets() -> None:
    result = clean_text("World\nReuters\n\nTalks stall in Geneva over ceasefire\n\nTalks stalled.")
    assert result.outlet is None
    assert [h.kind for h in result.header_lines] == ["section", "wire"]


def test_body_without_a_title_line() -> None:
    text = (
        "The harbour reopened on Monday after a storm damaged two piers and closed the port for "
        "a week, the port authority said in a statement."
    )
    result = clean_text(text)
    assert result.title_candidate is None
    assert result.paragraphs == (text,)


def test_signoff_must_be_at_the_end() -> None:
    text = "Talks stall in Geneva\n\nReuters\n\nThe talks stalled on Monday, officials said, and will resume."
    result = clean_text(text)
    assert result.signoff_lines == ()


def test_trailing_prose_after_a_wire_line_is_kept() -> None:
    text = (
        "Talks stall in Geneva\n\nThe talks stalled on Monday.\n\nReuters\n\n"
        "Editor's note: an earlier version of this story misstated the date of the next round of talks."
    )
    result = clean_text(text)
    assert result.signoff_lines == ()
    assert result.paragraphs[-1].startswith("Editor's note")


@pytest.mark.parametrize(
    ("line", "byline"),
    [
        ("By Jane Smith", "Jane Smith"),
        ("By Jane Smith, Reuters", "Jane Smith, Reuters"),
        ("By JANE DOE, Associated Press Writer", "JANE DOE, Associated Press Writer"),
        ("By Jane Smith and Tom Brown", "Jane Smith and Tom Brown"),
        ("By Jane Smith | May 4, 2019", "Jane Smith"),
        ("Jane Smith | Reporter", "Jane Smith"),
        ("Jane Smith, Political Correspondent", "Jane Smith"),
        ("By the time the fire was out, the house was gone.", None),
        ("By Tuesday, officials said the road would reopen.", None),
        ("The council met on Monday.", None),
    ],
)
def test_parse_byline(line: str, byline: str | None) -> None:
    assert parse_byline(line) == byline


def test_windows_newlines_and_invisible_characters() -> None:
    text = "\ufeffTalks stall in Geneva\r\n\r\nThe talks\u200b stalled on\u00a0Monday.\r\n"
    result = clean_text(text)
    assert result.title_candidate == "Talks stall in Geneva"
    assert result.paragraphs == ("The talks stalled on Monday.",)


@pytest.mark.parametrize("text", ["", "\n\n\n", "   ", "Reuters", "\x00\x01\x02", "a\n" * 500])
def test_degenerate_inputs(text: str) -> None:
    clean_text(text)
