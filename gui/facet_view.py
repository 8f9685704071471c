"""The facet sidebar: one checkable list per facet with counts and a Clear link."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.delegates import FacetDelegate
from gui.models import FacetModel
from search.model import SearchPage

FACETS = ("source", "wire", "date", "language")
MAX_VISIBLE_ROWS = 10


class FacetSection(QWidget):
    """A facet's title, Clear button and bucket list."""

    def __init__(self, model: FacetModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.title = QLabel(model.title, self)
        self.title.setObjectName("facetTitle")
        self.clear_button = QToolButton(self)
        self.clear_button.setObjectName("facetClear")
        self.clear_button.setText("Clear")
        self.clear_button.setToolTip(f"Clear the {model.title.lower()} selection")
        self.clear_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.clear_button.clicked.connect(model.clear_selection)
        self.view = QListView(self)
        self.view.setObjectName("facetList")
        self.view.setModel(model)
        self.view.setItemDelegate(FacetDelegate(self.view))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setUniformItemSizes(True)
        self.view.setAccessibleName(f"{model.title} facet")
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.empty = QLabel("no values", self)
        self.empty.setObjectName("mutedLabel")

        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.view)
        layout.addWidget(self.empty)

        self._row_h = 0
        model.modelReset.connect(self._refresh)
        model.selectionChanged.connect(self._refresh)
        self._refresh()

    def _refresh(self, *_args: object) -> None:
        rows = self.model.rowCount()
        self.clear_button.setEnabled(bool(self.model.selected()))
        n = len(self.model.selected())
        self.title.setText(f"{self.model.title} ({n})" if n else self.model.title)
        self.empty.setVisible(rows == 0)
        self.view.setVisible(rows > 0)
        if rows and self._row_h == 0:
            self._row_h = max(self.view.sizeHintForRow(0), 18)
        height = min(rows, MAX_VISIBLE_ROWS) * (self._row_h or 20) + 4
        if height != self.view.height():
            self.view.setFixedHeight(height)  # a relayout of the sidebar: only when needed


class FacetSidebar(QScrollArea):
    """All facets; emits the combined filters whenever a box is ticked or cleared."""

    filtersChanged = Signal(object)  # dict[str, frozenset[str]]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.models: dict[str, FacetModel] = {}
        self.sections: dict[str, FacetSection] = {}
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.setSpacing(6)
        for name in FACETS:
            model = FacetModel(name, self)
            model.selectionChanged.connect(self._on_selection)
            section = FacetSection(model, body)
            self.models[name] = model
            self.sections[name] = section
            layout.addWidget(section)
        layout.addStretch(1)
        self.setWidget(body)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(190)

    def apply_palette(self) -> None:
        """Lists on the window's colour (set through the palette, not a stylesheet)."""
        for section in self.sections.values():
            pal = section.view.palette()
            pal.setColor(QPalette.ColorRole.Base, self.palette().color(QPalette.ColorRole.Window))
            section.view.setPalette(pal)

    def set_page(self, page: SearchPage | None) -> None:
        """Show a page's facet counts (a page with a problem keeps the previous counts)."""
        if page is not None and not page.ok:
            return
        facets = {f.name: f for f in page.facets} if page is not None else {}
        for name, model in self.models.items():
            model.set_facet(facets.get(name))

    def filters(self) -> dict[str, frozenset[str]]:
        """Selected keys per facet (facets with none left out)."""
        return {name: m.selected() for name, m in self.models.items() if m.selected()}

    def set_filters(self, filters: Mapping[str, frozenset[str]]) -> None:
        """Tick exactly these keys, silently."""
        for name, model in self.models.items():
            model.set_selected(set(filters.get(name, frozenset())))
            self.sections[name]._refresh()

    def clear_all(self) -> bool:
        """Untick everything; True (and one filtersChanged) when something was ticked."""
        if not self.filters():
            return False
        self.set_filters({})
        self.filtersChanged.emit({})
        return True

    def _on_selection(self, _name: str, _keys: object) -> None:
        self.filtersChanged.emit(self.filters())
