"""Wire credits: sign-offs, datelines, prefixes, title suffixes, bylines, credit sentences — and
the look-alikes that are not credits (photo credits, mentions inside a sentence)."""

from __future__ import annotations

import pytest

from index.wires import AGENCIES, canonical_wire, find_wires, parse_signoff

LONG = "The council said the plan would go ahead after a review that lasted most of the year."

# (case id, title, body lines, byline, fields, expected wires in order of appearance)
CASES: list[tuple[str, str, list[str], str | None, dict[str, str], tuple[str, ...]]] = [
    # sign-offs at the end of the body
    ("signoff-slash", "T", [LONG, "Reuters/AP"], None, {}, ("Reuters", "AP")),
    ("signoff-dash-aap", "T", [LONG, "— AAP"], None, {}, ("AAP",)),
    ("signoff-afp-reuters", "T", [LONG, "AFP/Reuters"], None, {}, ("AFP", "Reuters")),
    ("signoff-single", "T", [LONG, "Reuters"], None, {}, ("Reuters",)),
    ("signoff-reuter-21578", "T", [LONG, "Reuter"], None, {}, ("Reuters",)),
    ("signoff-upper", "T", [LONG, "REUTER"], None, {}, ("Reuters",)),
    ("signoff-with-aap", "T", [LONG, "- with AAP"], None, {}, ("AAP",)),
    ("signoff-with-wires", "T", [LONG, "— with wires"], None, {}, ()),
    ("signoff-parens", "T", [LONG, "(Reuters)"], None, {}, ("Reuters",)),
    ("signoff-and", "T", [LONG, "Reuters and AFP"], None, {}, ("Reuters", "AFP")),
    ("signoff-two-lines", "T", [LONG, "Reuters", "with AAP"], None, {}, ("Reuters", "AAP")),
    # datelines and prefixes at the start of the body
    ("dateline-ap", "T", ["WONSAN (AP) — North Korea fired missiles.", LONG], None, {}, ("AP",)),
    (
        "dateline-reuters-date",
        "T",
        ["LONDON, Feb 26 (Reuters) - Oil prices rose.", LONG],
        None,
        {},
        ("Reuters",),
    ),
    ("dateline-bare", "T", ["(Reuters) - Shares fell on Monday.", LONG], None, {}, ("Reuters",)),
    (
        "dateline-country",
        "T",
        ["SEOUL, South Korea (Yonhap) -- Officials met.", LONG],
        None,
        {},
        ("Yonhap",),
    ),
    (
        "dateline-joint",
        "T",
        ["NEW YORK (Dow Jones/AP) -- Shares fell."],
        None,
        {},
        ("Dow Jones", "AP"),
    ),
    ("agnews-prefix-ap", "T", ["AP - A company won a grant."], None, {}, ("AP",)),
    ("agnews-prefix-afp", "T", ["AFP - Talks resumed in Geneva."], None, {}, ("AFP",)),
    ("agnews-prefix-cp", "T", ["Canadian Press - The premier said."], None, {}, ("CP",)),
    # title suffixes (ag_news style)
    ("title-ap", "Ky. Company Wins Grant to Study Peptides (AP)", [LONG], None, {}, ("AP",)),
    ("title-reuters", "Oil Prices Climb Again (Reuters)", [LONG], None, {}, ("Reuters",)),
    ("title-afp", "Talks Stall in Geneva (AFP)", [LONG], None, {}, ("AFP",)),
    ("title-and-prefix", "Talks Stall (AFP)", ["AFP - Talks stalled."], None, {}, ("AFP",)),
    ("title-not-wire", "New Phones Unveiled (SPACE.com)", [LONG], None, {}, ()),
    # bylines
    ("byline-reuters", "T", [LONG], "By Jane Doe, Reuters", {}, ("Reuters",)),
    ("byline-ap-writer", "T", [LONG], "By JANE DOE, Associated Press Writer", {}, ("AP",)),
    ("byline-afp", "T", [LONG], "AFP", {}, ("AFP",)),
    ("byline-person", "T", [LONG], "By Jane Doe", {}, ()),
    # credit sentences near the end
    (
        "contributed-ap",
        "T",
        [LONG, "The Associated Press contributed to this report."],
        None,
        {},
        ("AP",),
    ),
    (
        "contributed-writer",
        "T",
        [LONG, "Associated Press writer Kim Lee in Seoul contributed to this report."],
        None,
        {},
        ("AP",),
    ),
    (
        "contributed-of",
        "T",
        [LONG, "Jane Doe of The Canadian Press contributed to this story."],
        None,
        {},
        ("CP",),
    ),
    (
        "additional-reporting",
        "T",
        [LONG, "Additional reporting by Reuters."],
        None,
        {},
        ("Reuters",),
    ),
    ("with-aap-inline", "T", [LONG + " - with AAP"], None, {}, ("AAP",)),
    # metadata
    ("fields", "T", [LONG], None, {"wires": "Associated Press; Reuters"}, ("AP", "Reuters")),
    ("fields-unknown-kept", "T", [LONG], None, {"wires": "Harbour Wire"}, ("Harbour Wire",)),
    # order of appearance and de-duplication
    (
        "order-dedup",
        "Talks Stall (AFP)",
        ["PARIS (AFP) - Talks stalled.", LONG, "AFP/Reuters"],
        None,
        {},
        ("AFP", "Reuters"),
    ),
    # negatives: photo credits and mentions are not credits
    ("neg-image-credit", "T", [LONG, "Kim Jong Un. IMAGE: AFP/Getty Images."], None, {}, ()),
    ("neg-ap-photo", "T", [LONG, "Kim Jong Un waves. (AP Photo/Ahn Young-joon)"], None, {}, ()),
    ("neg-photo-reuters", "T", [LONG, "Photo: Reuters"], None, {}, ()),
    ("neg-reuters-photographer", "T", [LONG, "REUTERS/Kim Hong-Ji"], None, {}, ()),
    ("neg-getty", "T", [LONG, "Getty Images"], None, {}, ()),
    ("neg-reported", "T", ["Reuters reported that the talks had stalled.", LONG], None, {}, ()),
    ("neg-told", "T", [LONG, "A source told Reuters the deal was close."], None, {}, ()),
    ("neg-surveyed", "T", [LONG, "Economists polled by Reuters expected a cut."], None, {}, ()),
    (
        "neg-yonhap-quoted",
        "T",
        [LONG, "the JCS said in a statement quoted by Yonhap."],
        None,
        {},
        (),
    ),
    ("neg-signoff-mid-body", "T", ["Reuters", LONG, LONG], None, {}, ()),
    ("neg-sentence-dash", "T", ["Officials said (Reuters) - not a dateline.", LONG], None, {}, ()),
    ("neg-ap-lowercase", "T", [LONG, "- with ap"], None, {}, ()),
    ("neg-pa-state", "T", ["PHILADELPHIA, PA - The mayor said.", LONG], None, {}, ()),
    ("neg-title-mention", "Reuters Cuts Jobs at London Office", [LONG], None, {}, ()),
]


@pytest.mark.parametrize(
    ("title", "lines", "byline", "fields", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_find_wires(
    title: str,
    lines: list[str],
    byline: str | None,
    fields: dict[str, str],
    expected: tuple[str, ...],
) -> None:
    assert find_wires(title, lines, byline, fields) == expected


def test_table_has_enough_cases() -> None:
    assert len(CASES) >= 30
    assert sum(1 for case in CASES if not case[-1]) >= 10  # negatives


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Reuters/AP", ("Reuters", "AP")),
        ("— AAP", ("AAP",)),
        ("-- Reuters", ("Reuters",)),
        ("with wires", ()),
        ("Staff and agencies", ()),
        ("Source: AAP", ("AAP",)),
        ("Additional reporting by Reuters", ("Reuters",)),
        ("AFP/Getty Images", None),
        ("REUTERS/Kim Hong-Ji", None),
        ("The end.", None),
        ("Reuters reported that the talks had stalled", None),
        ("", None),
    ],
)
def test_parse_signoff(line: str, expected: tuple[str, ...] | None) -> None:
    assert parse_signoff(line) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Associated Press", "AP"),
        ("The Associated Press", "AP"),
        ("AP", "AP"),
        ("ap", None),  # a short code only as written or in capitals
        ("REUTERS", "Reuters"),
        ("reuter", "Reuters"),
        ("Agence France-Presse", "AFP"),
        ("Australian Associated Press", "AAP"),
        ("Press Association", "PA"),
        ("Deutsche Presse-Agentur", "dpa"),
        ("DPA", "dpa"),
        ("Canadian Press", "CP"),
        ("Xinhua News Agency", "Xinhua"),
        ("Getty Images", None),
        ("World", None),
    ],
)
def test_canonical_wire(name: str, expected: str | None) -> None:
    assert canonical_wire(name) == expected


def test_agency_table_names_are_unique_and_canonical() -> None:
    names = [agency.name for agency in AGENCIES]
    assert len(names) == len(set(names))
    for agency in AGENCIES:
        assert canonical_wire(agency.name) == agency.name
        assert canonical_wire(agency.full_name) == agency.name
