"""Help: the keyboard shortcuts and the query syntax, in one dialog."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

# (keys, what they do); the main window binds the same keys.
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Ctrl+L  or  /", "Focus the search box"),
    ("Enter (in the search box)", "Search now"),
    ("Up / Down (in the search box)", "Step through recent queries"),
    ("Ctrl+Down (in the search box)", "Go to the results"),
    ("Down / Up  or  j / k", "Next / previous result"),
    ("Enter", "Open the selected result in the reader"),
    ("S", "Open the selected result's story"),
    ("F3 / Shift+F3  or  n / N", "Next / previous match in the article"),
    ("Ctrl+G", "Toggle grouping by story"),
    ("Esc", "Clear the query (again: clear filters and dates)"),
    ("Ctrl+E", "Export the results (CSV or JSON Lines)"),
    ("Ctrl+Shift+C", "Copy a citation of the selected article"),
    ("Ctrl+U", "Update the index"),
    ("Ctrl+O", "Archive and index settings"),
    ("F1", "This help"),
    ("Ctrl+Q", "Quit"),
)

QUERY_HELP = """
<p><b>Queries.</b> Words are AND-ed: <code>flood warning</code>. Use <code>OR</code>,
<code>NOT</code>, <code>"exact phrases"</code>, <code>wild*</code> and parentheses.
Fields: <code>title:</code> <code>body:</code> <code>lead:</code> <code>byline:</code>
<code>source:"ABC News"</code> <code>wire:ap</code> <code>language:en</code>
<code>date:2019-05</code> <code>date:[2019-01-01 to 2019-03-31]</code>
<code>date:yesterday</code>.</p>
<p><b>Facets</b> on the left: ticks within one facet are OR-ed, facets are AND-ed; a facet's
counts ignore its own ticks. <b>Timeline</b>: click a bar or drag across bars to filter by date;
right-click to clear or change the bar size.</p>
"""


class ShortcutsDialog(QDialog):
    """Lists every shortcut and a short query syntax guide."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Copydesk help")
        self.setMinimumSize(560, 520)
        self.table = QTableWidget(len(SHORTCUTS), 2, self)
        self.table.setHorizontalHeaderLabels(["Keys", "Action"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, (keys, action) in enumerate(SHORTCUTS):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(action))
        guide = QLabel(QUERY_HELP, self)
        guide.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Keyboard shortcuts</b>", self))
        layout.addWidget(self.table, 1)
        layout.addWidget(guide)
        layout.addWidget(buttons)
