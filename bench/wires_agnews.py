"""Wire-credit extraction measured on AG's News (test split, 7,600 title + description rows).

    .venv/bin/python bench/wires_agnews.py            # numbers
    .venv/bin/python bench/wires_agnews.py --show 20  # and examples of possible false credits

Recall: of the rows whose title ends "(AP)", "(Reuters)" or "(AFP)", the share where ``extract``
finds that wire. Possible false credits: rows where it finds a wire named neither by the title's
"(X)" suffix nor by the description's "X - " prefix; those found in a "CITY (X) -" dateline at the
start of the description are counted apart, since a dateline is a real credit.
Skips (exit 0) when ../shared/corpora is absent.
"""

from __future__ import annotations

import argparse
import csv
import html
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"
CSV_PATH = CORPORA / "ag_news" / "test.csv"

TARGETS = ("AP", "Reuters", "AFP")
_SUFFIX_RE = re.compile(r"\(([^()]+)\)\s*$")
_PREFIX_RE = re.compile(r"^\s*([A-Za-z][\w .]{0,30}?)\s+-{1,2}\s")
_DATELINE_RE = re.compile(r"^\s*[^()]{0,60}\(([^()]+)\)\s*(?:-{1,2}|—|:)")


def main(argv: list[str] | None = None) -> int:
    """Print recall and possible false credits of wire extraction on ag_news."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=0, help="print N possible false credits")
    args = parser.parse_args(argv)
    if not CSV_PATH.is_file():
        print(f"skipped: {CSV_PATH} not present (a user's clone)")
        return 0

    from index.extract import extract
    from index.model import Kind, Provenance, RawDocument
    from index.wires import canonical_wire

    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))

    targets: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    extra_dateline = 0
    extra_other: list[tuple[str, str, tuple[str, ...]]] = []
    rows_with_wire = 0
    started = time.perf_counter()
    for number, row in enumerate(rows, 1):
        if len(row) < 3:
            continue
        title = html.unescape(row[1])
        # The CSV writes newlines as backslashes and "$" as "#36;".
        description = html.unescape(row[2].replace("#36;", "$").replace("#39;", "'"))
        description = description.replace("\\", " ")
        raw = RawDocument(
            Provenance(str(CSV_PATH), Kind.CSV, record=number), description, {"title": title}
        )
        found = extract(raw).wires
        rows_with_wire += bool(found)

        suffix = _SUFFIX_RE.search(title)
        prefix = _PREFIX_RE.match(description)
        stated = {
            name
            for name in (
                canonical_wire(suffix.group(1)) if suffix else None,
                canonical_wire(prefix.group(1)) if prefix else None,
            )
            if name
        }
        title_wire = canonical_wire(suffix.group(1)) if suffix else None
        if title_wire in TARGETS:
            targets[title_wire] += 1
            hits[title_wire] += title_wire in found
        extra = set(found) - stated
        if extra:
            dateline = _DATELINE_RE.match(description)
            credited = re.split(r"\s*[/,&]\s*", dateline.group(1)) if dateline else []
            if extra <= {canonical_wire(part) for part in credited}:
                extra_dateline += 1
            else:
                extra_other.append((title, description[:160], found))
    elapsed = time.perf_counter() - started

    total = sum(targets.values())
    print(
        f"ag_news test split: {len(rows)} rows in {elapsed:.1f} s ({len(rows) / elapsed:,.0f} rows/s)"
    )
    print(f"rows with any wire found: {rows_with_wire}")
    print(
        f"recall on titles ending (AP)/(Reuters)/(AFP): {sum(hits.values())}/{total} = "
        f"{sum(hits.values()) / max(total, 1):.4f}"
    )
    for name in TARGETS:
        print(f"  {name:8} {hits[name]}/{targets[name]}")
    print(f"wire found not in title suffix or 'X - ' prefix: {extra_dateline + len(extra_other)}")
    print(f"  of which from a 'CITY (X) -' dateline at the start: {extra_dateline}")
    print(f"  other (possible false credits): {len(extra_other)}")
    for title, description, found in extra_other[: args.show]:
        print(f"    {found} | {title} | {description}")
    print("reproduce: .venv/bin/python bench/wires_agnews.py --show 20")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
