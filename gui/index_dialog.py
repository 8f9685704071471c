"""Dialogs for the archive: what to index and where, and the progress of a rebuild or update."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui import theme
from gui.indexing import IndexJob
from index.model import Progress, Summary

STAGES = {
    "scan": "Looking for files…",
    "index": "Reading and indexing…",
    "commit": "Writing the index…",
    "swap": "Publishing the new index…",
    "done": "Finished",
    "cancelled": "Cancelled — the previous index is unchanged",
}


def format_seconds(seconds: float | None) -> str:
    """'45 s', '3 min 05 s', '1 h 12 min'."""
    if seconds is None:
        return "unknown"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m} min {s:02d} s"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


def progress_details(p: Progress) -> str:
    """One line of numbers for a progress step."""
    parts = []
    if p.files_total:
        parts.append(f"{p.files_done:,} of {p.files_total:,} files")
    parts.append(f"{p.articles:,} articles")
    if p.rate:
        parts.append(f"{p.rate:,.0f}/s")
    if p.stage == "index" and p.eta is not None:
        parts.append(f"about {format_seconds(p.eta)} left")
    if p.skipped:
        parts.append(f"{p.skipped:,} skipped")
    return " · ".join(parts)


class IndexProgressDialog(QDialog):
    """Shows a running IndexJob: stage, bar, rate and ETA, Cancel; then skipped files."""

    def __init__(self, job: IndexJob, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.job = job
        verb = "Rebuilding" if job.spec.mode == "rebuild" else "Updating"
        self.setWindowTitle(f"{verb} the index")
        self.setMinimumWidth(560)
        # Not modal: the previous index stays searchable while the new one is built.
        self.setWindowModality(Qt.WindowModality.NonModal)

        self.stage_label = QLabel("Starting…", self)
        self.stage_label.setObjectName("storyHeader")
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # busy until the file count is known
        self.bar.setTextVisible(True)
        self.details = QLabel("", self)
        self.details.setObjectName("mutedLabel")
        self.where = QLabel(f"Index: {job.spec.index_dir}", self)
        self.where.setObjectName("mutedLabel")
        self.where.setWordWrap(True)
        self.skipped = QTreeWidget(self)
        self.skipped.setHeaderLabels(["File or record", "Reason"])
        self.skipped.setRootIsDecorated(False)
        self.skipped.setAlternatingRowColors(True)
        self.skipped.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.skipped.header().setStretchLastSection(True)
        self.skipped.setColumnWidth(0, 300)
        self.skipped.hide()
        self.skipped_title = QLabel("", self)
        self.skipped_title.hide()

        self.buttons = QDialogButtonBox(self)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.hide()
        self.cancel_button.clicked.connect(self._on_cancel)
        self.close_button.clicked.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.addWidget(self.stage_label)
        layout.addWidget(self.bar)
        layout.addWidget(self.details)
        layout.addWidget(self.where)
        layout.addWidget(self.skipped_title)
        layout.addWidget(self.skipped, 1)
        layout.addWidget(self.buttons)

        job.progressed.connect(self.on_progress)
        job.finished.connect(self.on_finished)
        job.cancelled.connect(self.on_cancelled)
        job.failed.connect(self.on_failed)

    def percent(self) -> int:
        """The bar's value in percent (0 while busy)."""
        if self.bar.maximum() <= 0:
            return 0
        return round(100 * self.bar.value() / self.bar.maximum())

    def on_progress(self, p: Progress) -> None:
        """Show one step."""
        self.stage_label.setText(STAGES.get(p.stage, p.stage))
        frac = p.fraction
        if p.stage in ("done",):
            frac = 1.0
        if frac is None:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(frac * 1000))
        self.details.setText(progress_details(p))

    def on_finished(self, summary: Summary | None) -> None:
        """Show the summary and the skipped files."""
        self.bar.setRange(0, 1000)
        self.bar.setValue(1000)
        if summary is not None:
            self.stage_label.setText(
                f"Finished: {summary.indexed:,} articles indexed from {summary.files:,} files "
                f"in {format_seconds(summary.elapsed)}"
            )
            extra = [f"{summary.total_articles:,} articles in the index"]
            if summary.unchanged_files:
                extra.append(f"{summary.unchanged_files:,} files unchanged")
            if summary.removed_files:
                extra.append(f"{summary.removed_files:,} files gone")
            self.details.setText(" · ".join(extra))
            self.show_skips(summary)
        else:
            self.stage_label.setText("Finished")
        self._ended()

    def show_skips(self, summary: Summary) -> None:
        """List what was not indexed, and why."""
        self.skipped.clear()
        for skip in summary.skipped:
            QTreeWidgetItem(self.skipped, [skip.label, skip.reason])
        for dup in summary.duplicates:
            QTreeWidgetItem(self.skipped, [dup.label, dup.reason])
        n, d = len(summary.skipped), len(summary.duplicates)
        if n or d:
            self.skipped_title.setText(
                f"Not indexed: {n:,} skipped" + (f", {d:,} exact duplicates" if d else "")
            )
            self.skipped_title.show()
            self.skipped.show()

    def on_cancelled(self) -> None:
        """Say the old index is intact."""
        self.stage_label.setText(STAGES["cancelled"])
        self._ended()

    def on_failed(self, message: str) -> None:
        """Show why indexing failed."""
        c = theme.colors(self.palette())
        self.stage_label.setText(f"<span style='color:{c.error.name()}'>Indexing failed</span>")
        self.details.setText(message)
        self.details.setWordWrap(True)
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self._ended()

    def _on_cancel(self) -> None:
        if self.job.running:
            self.stage_label.setText("Cancelling…")
            self.cancel_button.setEnabled(False)
            self.job.cancel()
        else:
            self.reject()

    def _ended(self) -> None:
        self.cancel_button.hide()
        self.close_button.show()
        self.close_button.setDefault(True)

    def reject(self) -> None:
        # Esc or the window's close button while running means cancel, not "hide and go on".
        if self.job.running:
            self._on_cancel()
            return
        super().reject()


class ArchiveDialog(QDialog):
    """The archive's folders and files, the index location, and Update / Rebuild."""

    indexRequested = Signal(str)  # "update" or "rebuild"

    def __init__(
        self,
        paths: list[str],
        index_dir: Path,
        default_index_dir: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Archive and index")
        self.setMinimumWidth(620)
        self.default_index_dir = default_index_dir
        self.action: str | None = None

        self.list = QListWidget(self)
        self.list.addItems(paths)
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        add_folder = QPushButton("Add folder…", self)
        theme.set_icon(add_folder, "folder-add")
        add_folder.clicked.connect(self._add_folder)
        add_files = QPushButton("Add files…", self)
        theme.set_icon(add_files, "file")
        add_files.clicked.connect(self._add_files)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.clicked.connect(self._remove)
        side = QVBoxLayout()
        side.addWidget(add_folder)
        side.addWidget(add_files)
        side.addWidget(self.remove_button)
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(side)

        self.index_edit = QLineEdit(str(index_dir), self)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse_index)
        default = QPushButton("Default", self)
        default.setToolTip(str(default_index_dir))
        default.clicked.connect(lambda: self.index_edit.setText(str(self.default_index_dir)))
        index_row = QHBoxLayout()
        index_row.addWidget(self.index_edit, 1)
        index_row.addWidget(browse)
        index_row.addWidget(default)
        form = QFormLayout()
        form.addRow("Index location:", index_row)

        note = QLabel(
            "<b>Update</b> reads only new and changed files and drops articles of files that "
            "are gone. <b>Rebuild</b> indexes everything again beside the current index and "
            "swaps it in when done; cancelling keeps the current index.",
            self,
        )
        note.setWordWrap(True)
        note.setObjectName("mutedLabel")

        buttons = QDialogButtonBox(self)
        self.update_button = buttons.addButton(
            "Update index", QDialogButtonBox.ButtonRole.AcceptRole
        )
        theme.set_icon(self.update_button, "update")
        self.rebuild_button = buttons.addButton(
            "Rebuild index", QDialogButtonBox.ButtonRole.AcceptRole
        )
        theme.set_icon(self.rebuild_button, "rebuild")
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.update_button.clicked.connect(lambda: self._finish("update"))
        self.rebuild_button.clicked.connect(lambda: self._finish("rebuild"))

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Folders and files in the archive:", self))
        layout.addLayout(row, 1)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def paths(self) -> list[str]:
        """The archive's folders and files."""
        return [self.list.item(i).text() for i in range(self.list.count())]

    def index_dir(self) -> Path:
        """The chosen index location."""
        text = self.index_edit.text().strip()
        return Path(text).expanduser() if text else self.default_index_dir

    def add_paths(self, paths: list[str]) -> None:
        """Add paths not listed yet."""
        present = set(self.paths())
        for p in paths:
            if p and p not in present:
                self.list.addItem(p)
                present.add(p)
        self._update_buttons()

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder to the archive")
        if folder:
            self.add_paths([folder])

    def _add_files(self) -> None:
        files, _filter = QFileDialog.getOpenFileNames(
            self,
            "Add files to the archive",
            "",
            "News files (*.txt *.html *.htm *.jsonl *.ndjson *.csv *.tsv *.xml *.rss *.atom "
            "*.sgm *.sgml);;All files (*)",
        )
        self.add_paths(files)

    def _remove(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))
        self._update_buttons()

    def _browse_index(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Where to keep the index", self.index_edit.text()
        )
        if folder:
            self.index_edit.setText(folder)

    def _update_buttons(self) -> None:
        has = self.list.count() > 0
        self.update_button.setEnabled(has)
        self.rebuild_button.setEnabled(has)
        self.remove_button.setEnabled(bool(self.list.selectedItems()))

    def _finish(self, action: str) -> None:
        self.action = action
        self.accept()
