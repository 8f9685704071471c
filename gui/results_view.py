"""The results list: a QListView over ResultsModel with j/k navigation and an empty state."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QListView,
    QVBoxLayout,
    QWidget,
)

from gui.delegates import ResultDelegate
from gui.models import ResultsModel


class ResultsList(QListView):
    """Rows of results; j/k move like the arrows, Enter opens, S opens the story."""

    openRequested = Signal(int)  # row
    storyRequested = Signal(int)  # row
    backToQuery = Signal()

    def __init__(self, model: ResultsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsList")
        self.setModel(model)
        self.delegate = ResultDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Rows differ in height (titles and snippets wrap); batches keep scrolling smooth.
        self.setLayoutMode(QListView.LayoutMode.Batched)
        # Row heights depend on the width (wrapping): lay out again when it changes.
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setBatchSize(50)
        self.setAccessibleName("Results")
        self.activated.connect(lambda index: self.openRequested.emit(index.row()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if plain and key == Qt.Key.Key_J:
            self.move_by(1)
            return
        if plain and key == Qt.Key.Key_K:
            self.move_by(-1)
            return
        if plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.currentIndex().isValid():
                self.openRequested.emit(self.currentIndex().row())
            return
        if plain and key == Qt.Key.Key_Up and self.currentIndex().row() <= 0:
            self.backToQuery.emit()
            return
        super().keyPressEvent(event)

    def move_by(self, step: int) -> None:
        """Select the row ``step`` rows away (fetching more at the end)."""
        model = self.model()
        rows = model.rowCount()
        if not rows:
            return
        row = self.currentIndex().row()
        target = 0 if row < 0 else max(0, min(rows - 1, row + step))
        if step > 0 and row == rows - 1 and model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())
        self.setCurrentIndex(model.index(target, 0))
        self.scrollTo(model.index(target, 0))


class ResultsView(QWidget):
    """The list, with a message laid over its empty viewport when there is nothing to list.

    An overlay rather than a stacked page: switching pages showed and re-polished the list and
    relaid the window out, 50–70 ms per switch (bench/gui_bench.py), and empty results are common
    while typing.
    """

    def __init__(self, model: ResultsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = ResultsList(model, self)
        self.empty = QLabel(self.list.viewport())
        self.empty.setObjectName("emptyLabel")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setTextFormat(Qt.TextFormat.RichText)
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        self.list.viewport().installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.list.viewport() and event.type() == QEvent.Type.Resize:
            self.empty.setGeometry(self.list.viewport().rect().adjusted(16, 16, -16, -16))
        return False

    def show_list(self) -> None:
        """Show the rows."""
        if self.empty.isVisible():
            self.empty.hide()

    def show_message(self, html_text: str) -> None:
        """Show a message instead of rows."""
        if self.empty.text() != html_text:
            self.empty.setText(html_text)
        self.empty.setGeometry(self.list.viewport().rect().adjusted(16, 16, -16, -16))
        self.empty.show()

    def showing_list(self) -> bool:
        """True when no message covers the list."""
        return self.empty.isHidden()

    def message(self) -> str:
        """The message shown ('' when the list is shown)."""
        return self.empty.text() if not self.empty.isHidden() else ""
