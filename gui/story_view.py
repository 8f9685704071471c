"""The story view (versions, who published first) and the side-by-side diff of two versions."""

from __future__ import annotations

import html
from datetime import datetime

from PySide6.QtCore import QItemSelectionModel, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui import theme
from gui.export import format_date
from gui.models import StoryVersionsModel, version_lag
from search.model import RepresentativeRule, Story, StoryDiff, StoryVersion

LANE = 18
LABEL_W = 130


class FirstPublishedView(QWidget):
    """A lane per version on a shared time axis: who published first, and how long the others took."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._story: Story | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Who published first")

    def set_story(self, story: Story | None) -> None:
        """Show a story's versions."""
        self._story = story
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def sizeHint(self) -> QSize:
        n = len(self._story.versions) if self._story else 0
        return QSize(400, max(40, n * LANE + 30))

    def paintEvent(self, event: QPaintEvent) -> None:
        story = self._story
        c = theme.colors(self.palette())
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        small = self.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        p.setFont(small)
        fm = QFontMetrics(small)
        if story is None or not story.versions:
            p.setPen(c.muted)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No story")
            return
        dated = [v.date for v in story.versions if v.date is not None]
        t0: datetime | None = min(dated) if dated else None
        t1: datetime | None = max(dated) if dated else None
        span = (t1 - t0).total_seconds() if t0 and t1 else 0.0
        left = LABEL_W + 8
        right = self.width() - 90
        width = max(10, right - left)
        for i, v in enumerate(story.versions):
            y = 4 + i * LANE
            mid = y + LANE / 2
            label = fm.elidedText(v.source or "(unknown)", Qt.TextElideMode.ElideRight, LABEL_W - 4)
            p.setPen(c.text)
            p.drawText(
                QRectF(4, y, LABEL_W - 4, LANE),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            if v.date is None or t0 is None:
                p.setPen(c.muted)
                p.drawText(QRectF(left, y, width, LANE), Qt.AlignmentFlag.AlignVCenter, "no date")
                continue
            frac = (v.date - t0).total_seconds() / span if span > 0 else 0.0
            x = left + frac * width
            p.setPen(QPen(c.border, 1))
            p.drawLine(int(left), int(mid), int(right), int(mid))
            color = c.first if v.is_first else c.accent
            p.setPen(QPen(color, 3))
            p.drawLine(int(left), int(mid), int(x), int(mid))
            radius = 6 if v.is_first else 4.5
            if v.date_precision == "minute":
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(color)
            else:
                # Only the day (or month) is known: a hollow dot, not a false exact time.
                p.setPen(QPen(color, 2))
                p.setBrush(c.base)
            p.drawEllipse(QRectF(x - radius, mid - radius, 2 * radius, 2 * radius))
            p.setPen(c.first if v.is_first else c.muted)
            text = version_lag(v)
            p.drawText(QRectF(right + 6, y, 84, LANE), Qt.AlignmentFlag.AlignVCenter, text)
        if t0 is not None and t1 is not None:
            y = 4 + len(story.versions) * LANE + 2
            p.setPen(c.muted)
            p.drawText(
                QRectF(left, y, width, 20),
                Qt.AlignmentFlag.AlignLeft,
                format_date(t0, "minute"),
            )
            if span > 0:
                p.drawText(
                    QRectF(left, y, width, 20),
                    Qt.AlignmentFlag.AlignRight,
                    format_date(t1, "minute"),
                )


class StoryView(QWidget):
    """A story's versions: table, first-publisher timeline, compare and export actions."""

    compareRequested = Signal(str, str)  # left id, right id
    articleRequested = Signal(str)
    exportRequested = Signal()
    representativeChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = StoryVersionsModel(self)
        self.header = QLabel("Open a result's story to see its versions.", self)
        self.header.setObjectName("storyHeader")
        self.header.setWordWrap(True)

        self.rule_combo = QComboBox(self)
        for rule, text in (
            ("earliest", "Representative: earliest"),
            ("longest", "Representative: longest"),
            ("wire", "Representative: wire copy"),
            ("outlet", "Representative: preferred outlet"),
        ):
            self.rule_combo.addItem(text, rule)
        self.rule_combo.currentIndexChanged.connect(
            lambda _i: self.representativeChanged.emit(self.rule_combo.currentData())
        )
        self.compare_button = QToolButton(self)
        theme.set_icon(self.compare_button, "diff")
        self.compare_button.setText("Compare")
        self.compare_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.compare_button.setToolTip("Compare the two selected versions side by side")
        self.compare_button.clicked.connect(self._on_compare)
        self.export_button = QToolButton(self)
        theme.set_icon(self.export_button, "export")
        self.export_button.setText("Report…")
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.export_button.setToolTip("Save the group report (JSON or CSV)")
        self.export_button.clicked.connect(self.exportRequested.emit)

        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(self._on_double_click)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.setAccessibleName("Story versions")

        self.first_view = FirstPublishedView(self)
        timeline_scroll = QScrollArea(self)
        timeline_scroll.setWidget(self.first_view)
        timeline_scroll.setWidgetResizable(True)
        timeline_scroll.setFrameShape(QFrame.Shape.NoFrame)
        timeline_scroll.setMinimumHeight(60)
        timeline_title = QLabel("Who published first", self)
        timeline_title.setObjectName("facetTitle")
        timeline_box = QWidget(self)
        tl = QVBoxLayout(timeline_box)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(timeline_title)
        tl.addWidget(timeline_scroll, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(timeline_box)
        self.splitter.setChildrenCollapsible(False)

        bar = QHBoxLayout()
        bar.addWidget(self.rule_combo)
        bar.addStretch(1)
        bar.addWidget(self.compare_button)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.header)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)
        self._update_buttons()

    @property
    def story(self) -> Story | None:
        """The story shown."""
        return self.model.story

    def representative_rule(self) -> RepresentativeRule:
        """The chosen representative rule."""
        rule: RepresentativeRule = self.rule_combo.currentData()
        return rule

    def show_message(self, text: str) -> None:
        """An empty state with a message."""
        self.model.set_story(None)
        self.first_view.set_story(None)
        self.header.setText(text)
        self._update_buttons()

    def set_story(self, story: Story) -> None:
        """Show a story."""
        self.model.set_story(story)
        self.first_view.set_story(story)
        first = next((v for v in story.versions if v.is_first), None)
        parts = [
            f"{len(story.versions)} versions",
            f"{story.outlets} outlet{'s' if story.outlets != 1 else ''}",
        ]
        if first is not None:
            parts.append(
                f"first: {first.source or 'unknown outlet'}, "
                f"{format_date(first.date, first.date_precision)}"
            )
        parts.append(f"similarity ≥ {story.threshold:.2f}")
        self.header.setText(" · ".join(parts))
        # Preselect the first version and the representative (or the second) for a quick compare.
        other = next(
            (i for i, v in enumerate(story.versions) if v.is_representative and not v.is_first),
            1,
        )
        self.select_rows([0, other] if len(story.versions) > 1 else [0])
        self._update_buttons()

    def select_rows(self, rows: list[int]) -> None:
        """Select versions by row."""
        sel = self.table.selectionModel()
        sel.clearSelection()
        for r in rows:
            if 0 <= r < self.model.rowCount():
                sel.select(
                    self.model.index(r, 0),
                    QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows,
                )

    def selected_versions(self) -> list[StoryVersion]:
        """Selected versions in table order."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [v for r in rows if (v := self.model.version(r)) is not None]

    def _update_buttons(self, *_args: object) -> None:
        self.compare_button.setEnabled(len(self.selected_versions()) == 2)
        self.export_button.setEnabled(self.model.story is not None)
        self.rule_combo.setEnabled(self.model.story is not None)

    def _on_compare(self) -> None:
        chosen = self.selected_versions()
        if len(chosen) == 2:
            self.compareRequested.emit(chosen[0].id, chosen[1].id)

    def _on_double_click(self, index: object) -> None:
        row = getattr(index, "row", lambda: -1)()
        v = self.model.version(row)
        if v is not None:
            self.articleRequested.emit(v.id)


def diff_html(diff: StoryDiff, left_title: str, right_title: str, c: theme.Colors) -> str:
    """The diff as one two-column HTML table, rows aligned, changes coloured."""
    rows = [
        '<table width="100%" cellspacing="0" cellpadding="5" style="border-collapse:collapse">',
        f'<tr><th width="50%" align="left">{html.escape(left_title)}</th>'
        f'<th width="50%" align="left">{html.escape(right_title)}</th></tr>',
    ]
    for row in diff.rows:
        left, right = theme.html_marks(row.left_html), theme.html_marks(row.right_html)
        if row.kind == "equal":
            style_l = style_r = f"color:{c.muted.name()}"
        elif row.kind == "removed":
            style_l, style_r = f"background-color:{c.del_bg.name()}", ""
        elif row.kind == "added":
            style_l, style_r = "", f"background-color:{c.ins_bg.name()}"
        else:
            style_l = style_r = f"background-color:{c.alt.name()}"
        rows.append(
            f'<tr><td valign="top" style="{style_l}">{left}</td>'
            f'<td valign="top" style="{style_r}">{right}</td></tr>'
        )
    rows.append("</table>")
    return "".join(rows)


def why_grouped_html(diff: StoryDiff, threshold: float | None, c: theme.Colors) -> str:
    """Why two versions are in one story: the score, the kept share and shared passages."""
    parts = []
    if diff.score is not None:
        verdict = ""
        if threshold is not None:
            verdict = " ≥ " if diff.score >= threshold else " < "
            verdict += f"threshold {threshold:.2f}"
        parts.append(f"<b>Why grouped:</b> similarity {diff.score:.2f}{verdict}")
    else:
        parts.append(
            "<b>Why grouped:</b> not a directly compared pair (linked through other versions)"
        )
    parts.append(f"the right version keeps {diff.kept_share:.0%} of the left one's words")
    changed = sum(r.kind != "equal" for r in diff.rows)
    parts.append(f"{changed} of {len(diff.rows)} sentences differ")
    text = " · ".join(parts)
    if diff.shared_passages:
        items = "".join(
            f"<li>“{html.escape(_clip(a))}” <span style='color:{c.muted.name()}'>"
            f"({s:.0%})</span></li>"
            for a, _b, s in diff.shared_passages[:3]
        )
        more = len(diff.shared_passages) - 3
        tail = f"<span style='color:{c.muted.name()}'>… and {more} more</span>" if more > 0 else ""
        text += f"<br>Shared passages:<ul style='margin:0'>{items}</ul>{tail}"
    return text


def _clip(text: str, limit: int = 140) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class DiffView(QWidget):
    """Two versions side by side: deletions red and struck through, insertions green."""

    diffRequested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._story: Story | None = None
        self.diff: StoryDiff | None = None
        self.left_combo = QComboBox(self)
        self.right_combo = QComboBox(self)
        for combo in (self.left_combo, self.right_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(18)
            combo.activated.connect(self._on_pick)
        self.swap_button = QToolButton(self)
        self.swap_button.setText("⇄")
        self.swap_button.setToolTip("Swap sides")
        self.swap_button.clicked.connect(self._swap)
        self.legend = QLabel(self)
        self._paint_legend()
        self.why = QLabel("", self)
        self.why.setObjectName("whyGrouped")
        self.why.setWordWrap(True)
        self.why.setTextFormat(Qt.TextFormat.RichText)
        self.why.hide()
        self.browser = QTextBrowser(self)
        self.browser.setFrameShape(QFrame.Shape.NoFrame)
        self.browser.setAccessibleName("Differences between two versions")

        bar = QHBoxLayout()
        bar.addWidget(self.left_combo, 1)
        bar.addWidget(self.swap_button)
        bar.addWidget(self.right_combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(bar)
        layout.addWidget(self.legend)
        layout.addWidget(self.why)
        layout.addWidget(self.browser, 1)
        self.show_message("Pick two versions of a story to compare them.")

    def _paint_legend(self) -> None:
        c = theme.colors(self.palette())
        self.legend.setText(
            f'<span style="background-color:{c.del_bg.name()};color:{c.del_fg.name()};'
            f'text-decoration:line-through"> removed </span> &nbsp; '
            f'<span style="background-color:{c.ins_bg.name()};color:{c.ins_fg.name()}">'
            " added </span>"
        )

    def refresh_theme(self) -> None:
        """Redraw the colours after a palette change."""
        self._paint_legend()
        if self.diff is not None:
            self.set_diff(self.diff)

    def show_message(self, text: str) -> None:
        """An empty state."""
        self.diff = None
        self.why.hide()
        self.browser.setHtml(
            f"<p style='color:{theme.colors(self.palette()).muted.name()}'>{html.escape(text)}</p>"
        )

    def set_story(self, story: Story | None) -> None:
        """Offer a story's versions in the two pickers."""
        self._story = story
        for combo in (self.left_combo, self.right_combo):
            combo.blockSignals(True)
            combo.clear()
            for v in story.versions if story else ():
                when = format_date(v.date, v.date_precision)
                combo.addItem(f"{v.source or '(unknown outlet)'} — {when}", v.id)
            combo.blockSignals(False)

    def set_pair(self, left_id: str, right_id: str) -> None:
        """Select a pair in the pickers (without requesting)."""
        for combo, vid in ((self.left_combo, left_id), (self.right_combo, right_id)):
            i = combo.findData(vid)
            if i >= 0:
                combo.setCurrentIndex(i)

    def set_diff(self, diff: StoryDiff) -> None:
        """Show a computed diff."""
        self.diff = diff
        self.set_pair(diff.left_id, diff.right_id)
        c = theme.colors(self.palette())
        threshold = self._story.threshold if self._story else None
        self.why.setText(why_grouped_html(diff, threshold, c))
        self.why.show()
        self.browser.setHtml(
            diff_html(diff, self._title(diff.left_id), self._title(diff.right_id), c)
        )

    def _title(self, vid: str) -> str:
        for v in self._story.versions if self._story else ():
            if v.id == vid:
                return f"{v.source or '(unknown outlet)'} · {format_date(v.date, v.date_precision)}"
        return vid

    def _on_pick(self, _index: int) -> None:
        left, right = self.left_combo.currentData(), self.right_combo.currentData()
        if left and right and left != right:
            self.diffRequested.emit(left, right)

    def _swap(self) -> None:
        left, right = self.left_combo.currentData(), self.right_combo.currentData()
        if left and right:
            self.set_pair(right, left)
            self.diffRequested.emit(right, left)
