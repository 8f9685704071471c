"""Which input column or JSON key feeds each canonical field of a RawDocument."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from index.readers._common import clean_value, drop_controls, normalise_newlines

CANONICAL_KEYS: tuple[str, ...] = (
    "id",
    "title",
    "body",
    "source",
    "date",
    "url",
    "byline",
    "wires",
    "language",
)

# Keys of a nested object that hold its human-readable value ({"name": "Reuters"}, Mongo dates).
_NESTED_VALUE_KEYS = ("name", "value", "@value", "text", "$date")


@dataclass(frozen=True)
class FieldMapping:
    """Candidate input column names per canonical key; matching is case-insensitive."""

    id: tuple[str, ...] = ("id", "_id", "doc_id", "newid", "guid", "uuid", "article_id")
    title: tuple[str, ...] = ("title", "headline", "heading", "name")
    body: tuple[str, ...] = ("body", "text", "content", "article", "description", "summary")
    source: tuple[str, ...] = ("source", "outlet", "publisher", "site", "site_name", "publication")
    date: tuple[str, ...] = (
        "date",
        "published",
        "published_at",
        "pubdate",
        "publication_date",
        "datetime",
        "timestamp",
        "created_at",
    )
    url: tuple[str, ...] = ("url", "link", "permalink")
    byline: tuple[str, ...] = ("byline", "author", "authors", "creator", "writer")
    wires: tuple[str, ...] = ("wires", "wire", "agency", "credit")
    language: tuple[str, ...] = ("language", "lang")
    explicit: tuple[str, ...] = ()
    """Canonical keys the user mapped explicitly (only their one column counts), sorted."""

    def candidates(self, key: str) -> tuple[str, ...]:
        """Column names tried for canonical ``key``, in order."""
        names: tuple[str, ...] = getattr(self, key)
        return names

    def with_overrides(self, overrides: Mapping[str, str]) -> FieldMapping:
        """A copy where each key in ``overrides`` maps to exactly that column (name or 1-based number)."""
        changes: dict[str, object] = {}
        for key, column in overrides.items():
            key = key.strip().lower()
            if key not in CANONICAL_KEYS:
                raise ValueError(
                    f"unknown field {key!r}; expected one of {', '.join(CANONICAL_KEYS)}"
                )
            column = column.strip()
            if not column:
                raise ValueError(f"empty column name for field {key!r}")
            changes[key] = (column,)
        explicit = tuple(sorted(set(self.explicit) | set(changes)))
        return dataclasses.replace(self, explicit=explicit, **changes)  # type: ignore[arg-type]

    @staticmethod
    def parse_specs(specs: Iterable[str] | None) -> dict[str, str]:
        """Parse ``--field key=column`` options into overrides; raises ValueError on bad input."""
        overrides: dict[str, str] = {}
        for spec in specs or ():
            key, sep, column = spec.partition("=")
            key, column = key.strip().lower(), column.strip()
            if not sep or not key or not column:
                raise ValueError(f"--field expects key=column, got {spec!r}")
            if key not in CANONICAL_KEYS:
                raise ValueError(
                    f"unknown field {key!r}; expected one of {', '.join(CANONICAL_KEYS)}"
                )
            overrides[key] = column
        return overrides

    @classmethod
    def from_specs(cls, specs: Iterable[str] | None) -> FieldMapping:
        """The default mapping with ``--field key=column`` overrides applied."""
        return cls().with_overrides(cls.parse_specs(specs))


def value_to_text(value: object, *, joiner: str = ", ") -> str:
    """A JSON value as text: lists joined, {"name": ...} objects unwrapped, None/bool as empty."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping):
        for key in _NESTED_VALUE_KEYS:
            if key in value:
                return value_to_text(value[key], joiner=joiner)
        return ""
    if isinstance(value, list | tuple):
        parts = (value_to_text(item, joiner=joiner).strip() for item in value)
        return joiner.join(p for p in parts if p)
    return ""


def _lookup(record: Mapping[str, object], lowered: Mapping[str, str], name: str) -> object:
    if name in record:
        return record[name]
    key = lowered.get(name.lower())
    if key is not None:
        return record[key]
    # "source.name" reaches into nested objects (NewsAPI-style exports).
    if "." in name:
        node: object = record
        for part in name.split("."):
            if not isinstance(node, Mapping):
                return None
            low = {str(k).lower(): k for k in node}
            real = low.get(part.lower())
            if real is None:
                return None
            node = node[real]
        return node
    return None


def map_record(record: Mapping[str, object], mapping: FieldMapping) -> tuple[str, dict[str, str]]:
    """Apply ``mapping`` to one JSON object or CSV row: (body text, other canonical fields)."""
    lowered: dict[str, str] = {}
    for key in record:
        lowered.setdefault(str(key).strip().lower(), key)
    body = ""
    fields: dict[str, str] = {}
    for canon in CANONICAL_KEYS:
        for name in mapping.candidates(canon):
            raw = _lookup(record, lowered, name)
            if canon == "body":
                text = value_to_text(raw, joiner="\n\n")
                text = drop_controls(normalise_newlines(text)).strip()
            else:
                text = clean_value(value_to_text(raw))
            if text:
                if canon == "body":
                    body = text
                else:
                    fields[canon] = text
                break
    return body, fields
