"""Qt item models over the search types: results, facets and story versions (no views here)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from gui.export import format_date
from search.model import Facet, FacetValue, Hit, SearchPage, SearchRequest, Story, StoryVersion

HitRole = Qt.ItemDataRole.UserRole + 1
KeyRole = Qt.ItemDataRole.UserRole + 2
CountRole = Qt.ItemDataRole.UserRole + 3
VersionRole = Qt.ItemDataRole.UserRole + 4
FacetValueRole = Qt.ItemDataRole.UserRole + 5

AnyIndex = QModelIndex | QPersistentModelIndex

FACET_TITLES = {"source": "Source", "wire": "Wire", "date": "Date", "language": "Language"}


def format_lag(seconds: float | None) -> str:
    """A lag behind the first version: '—' for none, '+45 min', '+3 h 5 min', '+2 d 4 h'."""
    if seconds is None:
        return "no date"
    if seconds <= 0:
        return "first"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"+{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"+{hours} h {minutes} min" if minutes else f"+{hours} h"
    days, hours = divmod(hours, 24)
    return f"+{days} d {hours} h" if hours else f"+{days} d"


def version_lag(v: StoryVersion) -> str:
    """A version's lag behind the first: 'first' only for the first one ('same day' for ties)."""
    if v.is_first:
        return "first"
    if v.lag_seconds is not None and v.lag_seconds <= 0:
        return "same time" if v.date_precision == "minute" else "same day"
    return format_lag(v.lag_seconds)


def same_search(a: SearchRequest, b: SearchRequest) -> bool:
    """True when two requests differ only in page and request id (pages of one search)."""
    return replace(a, page=0, request_id=0) == replace(b, page=0, request_id=0)


def _check_state(value: Any) -> Qt.CheckState:
    # Views hand over an int, Python callers an enum member.
    raw = value.value if hasattr(value, "value") else int(value)
    return Qt.CheckState(raw)


class ResultsModel(QAbstractListModel):
    """The rows of the current search, one page appended at a time as the view scrolls."""

    moreRequested = Signal(int)  # the page number to fetch next

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._hits: list[Hit] = []
        self._page: SearchPage | None = None
        self._loading = False

    # Content --------------------------------------------------------------------------------
    def set_page(self, page: SearchPage | None) -> None:
        """Replace all rows with a search's first page (None clears)."""
        self.beginResetModel()
        self._page = page
        self._hits = list(page.hits) if page is not None and page.ok else []
        self._loading = False
        self.endResetModel()

    def append_page(self, page: SearchPage) -> bool:
        """Add the next page's rows; False (and nothing added) unless it is this search's next."""
        current = self._page
        if (
            current is None
            or page.request.page != current.request.page + 1
            or not same_search(page.request, current.request)
        ):
            return False
        self._loading = False
        self._page = page
        if page.hits:
            first = len(self._hits)
            self.beginInsertRows(QModelIndex(), first, first + len(page.hits) - 1)
            self._hits.extend(page.hits)
            self.endInsertRows()
        return True

    def fetch_failed(self) -> None:
        """Allow another fetch after a failed one."""
        self._loading = False

    def clear(self) -> None:
        """No rows."""
        self.set_page(None)

    @property
    def page(self) -> SearchPage | None:
        """The last page loaded."""
        return self._page

    @property
    def total(self) -> int:
        """Rows matching the search (loaded or not)."""
        return self._page.total if self._page is not None else 0

    @property
    def loading(self) -> bool:
        """True while the next page is being fetched."""
        return self._loading

    def hit(self, row: int) -> Hit | None:
        """The hit on a row."""
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def hits(self) -> list[Hit]:
        """All loaded hits."""
        return list(self._hits)

    def row_of(self, article_id: str) -> int:
        """The row showing an article, or -1."""
        for row, hit in enumerate(self._hits):
            if hit.id == article_id:
                return row
        return -1

    # Qt overrides ---------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.title
        if role == HitRole:
            return hit
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{hit.title}\n{hit.path}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{hit.title}, {hit.source or 'unknown outlet'}"
        return None

    def canFetchMore(self, parent: AnyIndex) -> bool:
        if parent.isValid() or self._page is None or self._loading:
            return False
        return self._page.ok and self._page.has_more

    def fetchMore(self, parent: AnyIndex) -> None:
        if not self.canFetchMore(parent):
            return
        assert self._page is not None
        self._loading = True
        self.moreRequested.emit(self._page.request.page + 1)


class FacetModel(QAbstractListModel):
    """One facet's buckets with checkboxes; ticking changes the selection, not the buckets."""

    selectionChanged = Signal(str, object)  # facet name, frozenset of selected keys

    def __init__(self, name: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.name = name
        self._values: list[FacetValue] = []
        self._selected: set[str] = set()
        self._labels: dict[str, str] = {}  # remembered labels of selected keys
        self.granularity = ""

    @property
    def title(self) -> str:
        """The facet's display name."""
        return FACET_TITLES.get(self.name, self.name.title())

    def set_facet(self, facet: Facet | None) -> None:
        """Show a new page's buckets; selected keys stay listed even when they have no hits."""
        values = list(facet.values) if facet is not None else []
        self.granularity = facet.granularity if facet is not None else ""
        present = {v.key for v in values}
        for v in values:
            self._labels[v.key] = v.label
        for key in sorted(self._selected - present):
            # A ticked bucket with no hits must stay visible, or it could never be unticked.
            values.append(FacetValue(key, self._labels.get(key, key or "(none)"), 0, True))
        self.beginResetModel()
        self._values = values
        self.endResetModel()

    def values(self) -> list[FacetValue]:
        """The buckets shown."""
        return list(self._values)

    def selected(self) -> frozenset[str]:
        """The ticked keys."""
        return frozenset(self._selected)

    def set_selected(self, keys: frozenset[str] | set[str]) -> None:
        """Tick exactly ``keys`` without emitting ``selectionChanged``."""
        self._selected = set(keys)
        if self._values:
            self.dataChanged.emit(
                self.index(0), self.index(len(self._values) - 1), [Qt.ItemDataRole.CheckStateRole]
            )

    def set_checked(self, key: str, checked: bool) -> None:
        """Tick or untick one key and emit ``selectionChanged``."""
        before = set(self._selected)
        if checked:
            self._selected.add(key)
        else:
            self._selected.discard(key)
        if self._selected != before:
            for row, v in enumerate(self._values):
                if v.key == key:
                    idx = self.index(row)
                    self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.CheckStateRole])
            self.selectionChanged.emit(self.name, self.selected())

    def clear_selection(self) -> None:
        """Untick everything (emits ``selectionChanged`` when something was ticked)."""
        if not self._selected:
            return
        self.set_selected(set())
        self.selectionChanged.emit(self.name, self.selected())

    def row_of(self, key: str) -> int:
        """The row of a bucket key, or -1."""
        for row, v in enumerate(self._values):
            if v.key == key:
                return row
        return -1

    def count_of(self, key: str) -> int | None:
        """The count shown for a key, or None when it is not listed."""
        row = self.row_of(key)
        return self._values[row].count if row >= 0 else None

    # Qt overrides ---------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._values)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._values):
            return None
        v = self._values[index.row()]
        if role == FacetValueRole:
            # The row as the delegate paints it, with the model's own (authoritative) tick.
            return FacetValue(v.key, v.label, v.count, v.key in self._selected)
        if role == Qt.ItemDataRole.DisplayRole:
            return v.label
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if v.key in self._selected else Qt.CheckState.Unchecked
        if role == CountRole:
            return v.count
        if role == KeyRole:
            return v.key
        if role == Qt.ItemDataRole.ToolTipRole:
            noun = "article" if v.count == 1 else "articles"
            return f"{v.label}: {v.count:,} {noun}"
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        key = self._values[index.row()].key
        self.set_checked(key, _check_state(value) == Qt.CheckState.Checked)
        return True

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
        )


class StoryVersionsModel(QAbstractTableModel):
    """A story's versions as a table: outlet, wire, time, lag, similarity, kept share."""

    COLUMNS = ("Outlet", "Wire", "Published", "Lag", "Similarity", "Kept")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._story: Story | None = None

    def set_story(self, story: Story | None) -> None:
        """Show a story (None clears)."""
        self.beginResetModel()
        self._story = story
        self.endResetModel()

    @property
    def story(self) -> Story | None:
        """The story shown."""
        return self._story

    def version(self, row: int) -> StoryVersion | None:
        """The version on a row."""
        if self._story is None or not 0 <= row < len(self._story.versions):
            return None
        return self._story.versions[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._story is None:
            return 0
        return len(self._story.versions)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        v = self.version(index.row()) if index.isValid() else None
        if v is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                name = v.source or "(unknown outlet)"
                return f"{name} ★" if v.is_representative else name
            if col == 1:
                if v.wires:
                    return ", ".join(v.wires)
                return "uncredited" if v.uncredited else "—"
            if col == 2:
                return format_date(v.date, v.date_precision)
            if col == 3:
                return version_lag(v)
            if col == 4:
                return f"{v.similarity:.0%}"
            if col == 5:
                return f"{v.kept_share:.0%}"
        if role == VersionRole:
            return v
        if role == Qt.ItemDataRole.FontRole and (v.is_first or v.is_representative):
            font = QFont()
            font.setBold(v.is_first)
            font.setItalic(v.is_representative and not v.is_first)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            notes = [v.title]
            if v.is_first:
                notes.append("published first")
            if v.is_representative:
                notes.append("representative version (★)")
            if v.uncredited:
                notes.append("copies a wire-credited text without a wire credit")
            notes.append(f"{v.word_count:,} words")
            return "\n".join(notes)
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
