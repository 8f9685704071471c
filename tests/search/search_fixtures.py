"""A hand-written archive of ~40 articles indexed directly through Whoosh (no readers/extraction).

Dates are relative to TODAY (2024-06-15, a Saturday), which every test pins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from index import store
from index.model import Article, DateInfo, Kind, Provenance
from index.schema import to_document

TODAY = date(2024, 6, 15)


@dataclass(frozen=True)
class Spec:
    """One fixture article."""

    id: str
    title: str
    body: str
    source: str | None = "Daily Ledger"
    wires: tuple[str, ...] = ()
    when: str | None = None  # ISO datetime/date, "2019-05" or "2019"
    precision: str = "minute"
    language: str | None = "en"
    byline: str | None = None
    url: str | None = None


LEDGER, HERALD, REVIEW, VALLEY = "Daily Ledger", "Harbour Herald", "Capital Review", "Valley Times"

KOREA_BODY = (
    "North Korea fired two short-range missiles into the sea on Saturday, officials in Seoul said.\n\n"
    "The launch came days after talks between the two sides stalled. The prime minister of Japan "
    "said the tests posed no immediate threat to his country."
)

SPECS: tuple[Spec, ...] = (
    Spec(
        "a01",
        "North Korea fires missiles into sea",
        KOREA_BODY,
        LEDGER,
        ("AP", "Reuters"),
        "2019-05-04T10:02",
        byline="By Jane Roe",
        url="https://dailyledger.example/2019/05/04/korea-missiles",
    ),
    Spec(
        "a02",
        "Seoul says launch was a test",
        "Officials in Seoul said the launch was a weapons test "
        "and that the missile flew 240 kilometres.",
        HERALD,
        ("Reuters",),
        "2019-05-04",
        "day",
        url="https://harbourherald.example/news/seoul-launch",
    ),
    Spec(
        "a03",
        "Prime Minister visits flood zone",
        "The prime minister visited the flood zone on "
        "Monday and promised help for the victims of the storm.",
        REVIEW,
        (),
        "2019-05-20T08:00",
    ),
    Spec(
        "a04",
        "Minister praises prime sites",
        "The minister said prime waterfront sites would be sold to developers next year.",
        VALLEY,
        ("AFP",),
        "2019-05",
        "month",
    ),
    Spec(
        "a05",
        "Budget debate drags on",
        "Members debated the budget for a third day without a vote on the spending plan.",
        None,
        (),
        "2019",
        "year",
        None,
    ),
    Spec(
        "a06",
        "Harbour dredging report",
        "A report on harbour dredging found the channel silting up faster than expected.",
        HERALD,
        ("AP",),
        None,
        "none",
    ),
    Spec(
        "a07",
        "Storm batters coast",
        "A storm battered the coast yesterday, cutting power to thousands of homes.",
        LEDGER,
        ("AP",),
        "2024-06-14T18:30",
    ),
    Spec(
        "a08",
        "Council vote on parking",
        "The council voted on new parking rules after a long debate.",
        REVIEW,
        (),
        "2024-06-10T12:00",
    ),
    Spec(
        "a09",
        "Market rally lifts shares",
        "Shares rallied as the market shrugged off fears of a slowdown.",
        LEDGER,
        ("Reuters",),
        "2024-05-20T15:00",
    ),
    Spec(
        "a10",
        "Recession fears weigh on market",
        "Fears of a recession weighed on the market in early trading.",
        VALLEY,
        (),
        "2024-04-01T09:00",
    ),
    Spec(
        "a11",
        "Regierung plant neue Steuer",
        "Die Regierung plant eine neue Steuer auf Zucker.",
        VALLEY,
        ("dpa",),
        "2023-03-03T10:00",
        language="de",
    ),
    Spec(
        "a12",
        "Le gouvernement annonce un plan",
        "Le gouvernement annonce un plan pour le climat.",
        REVIEW,
        ("AFP",),
        "2023-03-04T10:00",
        language="fr",
    ),
    Spec(
        "a13",
        "Bank raises interest rates",
        "The central bank raised interest rates by a quarter point to cool inflation.",
        LEDGER,
        ("Reuters",),
        "2023-07-15T14:00",
    ),
    Spec(
        "a14",
        "Rates held by bank",
        "The bank held its key rate, saying interest in new loans had cooled.",
        HERALD,
        ("Reuters",),
        "2023-07-20T14:00",
    ),
    Spec(
        "a15",
        "Planning for the future",
        "Central planners said the new bank would open next spring in the old city centre.",
        REVIEW,
        (),
        "2023-08-01T10:00",
    ),
    Spec(
        "a16",
        "Computer makers report profits",
        "Computer makers sold more computers than expected, helped by cloud computing.",
        LEDGER,
        (),
        "2022-01-10T10:00",
    ),
    Spec(
        "a17",
        "Computing giant expands",
        "The computing giant opened a new data centre.",
        HERALD,
        ("AP",),
        "2022-01-11T10:00",
    ),
    Spec(
        "a18",
        "Government announces budget",
        "The government announced a budget with higher spending on schools.",
        REVIEW,
        ("AP",),
        "2022-02-01T10:00",
    ),
    Spec(
        "a19",
        "Football final ends in draw",
        "The football final ended in a draw after extra time.",
        VALLEY,
        (),
        "2024-06-13T20:00",
    ),
    Spec(
        "a20",
        "Election results announced",
        "Election officials announced the results after a record vote.",
        LEDGER,
        ("AP",),
        "2020-11-04T06:00",
    ),
    Spec(
        "a21",
        "Labour wins election",
        "Labour won the election with a large majority.",
        HERALD,
        ("AP", "Reuters"),
        "2020-11-05T06:00",
    ),
    Spec(
        "a22",
        "Tariffs on steel imports",
        "A new tariff on steel imports took effect.",
        REVIEW,
        (),
        "2018-03-01T10:00",
    ),
    Spec(
        "a23",
        "Duty free shopping returns",
        "Duty free shopping returns to the airport.",
        VALLEY,
        (),
        "2018-04-01T10:00",
    ),
    Spec(
        "a24",
        "Oil prices climb as OPEC cuts output",
        "Oil prices climbed after OPEC agreed to cut output.",
        LEDGER,
        ("Reuters",),
        "2018-02-15T10:00",
    ),
    Spec(
        "a25",
        "Oil and gas explorer",
        "The oil and gas explorer found a new field.",
        HERALD,
        (),
        "2018-06-30T10:00",
    ),
    Spec(
        "a26",
        "Gold and silver prices rise",
        "Gold and silver rose as investors sought safety.",
        LEDGER,
        (),
        "2021-05-05T10:00",
    ),
    Spec(
        "a27",
        "Gold rush town",
        "The old gold rush town draws tourists.",
        VALLEY,
        (),
        "2021-05-06T10:00",
    ),
    Spec(
        "a28",
        "Retailer issues warning",
        "Exclusive: profit warning issued by the retailer.\n\n"
        "The company later said profit would recover by winter.",
        REVIEW,
        (),
        "2021-09-01T10:00",
    ),
    Spec(
        "a29",
        "Harbour expansion approved",
        "The harbour expansion was approved by the board.",
        HERALD,
        (),
        "2021-10-01T10:00",
        byline="By Maria Lopez",
    ),
    Spec(
        "a30",
        'AT&T <merger> "talks"',
        "AT&T said <b>talks</b> would continue & close soon.",
        LEDGER,
        (),
        "2021-11-01T10:00",
    ),
    Spec(
        "a31",
        "Missile defence shield",
        "The defence shield budget was approved after a long debate in parliament about costs.",
        VALLEY,
        (),
        "2021-12-01T10:00",
    ),
    Spec(
        "a32",
        "Parliament debates costs",
        "The parliament debated the missile budget after a long session about costs.",
        REVIEW,
        (),
        "2021-12-02T10:00",
    ),
    Spec(
        "a33",
        "North Korea fires missiles into sea",
        KOREA_BODY,
        VALLEY,
        ("AP",),
        "2019-05-04T11:00",
    ),
    Spec("a34", "North Korea fires missiles into sea", KOREA_BODY, REVIEW, (), "2019-05-04T11:00"),
    Spec(
        "a35",
        "Economists warn of recession",
        "Economists warned a recession was likely.",
        LEDGER,
        (),
        "2024-03-01T10:00",
    ),
    Spec(
        "a36",
        "Recession averted",
        "The recession was averted, data showed.",
        HERALD,
        (),
        "2024-02-01T10:00",
    ),
    Spec(
        "a37",
        "Breaking news from the capital",
        "Breaking news from the capital this morning.",
        LEDGER,
        ("AP",),
        "2024-06-15T07:00",
    ),
    Spec(
        "a38",
        "Undated wire note",
        "A short wire note without a date about the harbour.",
        None,
        ("Reuters",),
        None,
        "none",
        None,
    ),
)


def _date_info(spec: Spec) -> DateInfo:
    if spec.when is None:
        return DateInfo()
    w = spec.when
    if spec.precision == "year":
        value = datetime(int(w), 1, 1, tzinfo=UTC)
    elif spec.precision == "month":
        y, m = w.split("-")
        value = datetime(int(y), int(m), 1, tzinfo=UTC)
    elif spec.precision == "day":
        value = datetime.fromisoformat(w).replace(tzinfo=UTC)
    else:
        value = datetime.fromisoformat(w).replace(tzinfo=UTC)
    return DateInfo(value=value, precision=spec.precision, origin="metadata")  # type: ignore[arg-type]


def article(spec: Spec) -> Article:
    """The Article for a spec."""
    return Article(
        id=spec.id,
        title=spec.title,
        body=spec.body,
        lead=spec.body.split("\n\n", 1)[0],
        provenance=Provenance(path=f"fixtures/{spec.id}.txt", kind=Kind.TEXT),
        source=spec.source,
        wires=spec.wires,
        date=_date_info(spec),
        byline=spec.byline,
        url=spec.url,
        language=spec.language,
        word_count=len(spec.body.split()),
    )


def build_index(root: Path, specs: tuple[Spec, ...] = SPECS, segments: int = 1) -> Path:
    """Write the articles into a new generation (``segments`` commits) and publish it."""
    build = store.new_build_dir(root)
    ix = store.create_generation(build, {})
    chunk = max(1, -(-len(specs) // segments))
    for i in range(0, len(specs), chunk):
        writer = ix.writer()
        for spec in specs[i : i + chunk]:
            writer.add_document(**to_document(article(spec)))
        writer.commit(merge=False)
    store.publish(root, build)
    return root


def spec(article_id: str) -> Spec:
    """The spec of an id."""
    return next(s for s in SPECS if s.id == article_id)
