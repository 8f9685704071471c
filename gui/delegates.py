"""Item painting: result rows (title with highlights, badges, snippets) and facet rows."""

from __future__ import annotations

import html
import re
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionButton,
    QStyleOptionViewItem,
)

from gui import theme
from gui.export import format_date
from gui.models import FacetValueRole, HitRole
from search.model import FacetValue, Hit

AnyIndex = QModelIndex | QPersistentModelIndex

PAD_X = 12
PAD_Y = 8
GAP = 4
SNIPPET_LINES = 2
BADGE_PAD = 6


_TAG = re.compile(r"</?mark>")


def marked_text(fragment_html: str) -> tuple[str, list[tuple[int, int]]]:
    """Plain text of an escaped fragment with <mark> spans, and the (start, length) of each mark."""
    text_parts: list[str] = []
    marks: list[tuple[int, int]] = []
    pos = 0
    open_at: int | None = None
    last = 0
    for m in _TAG.finditer(fragment_html):
        chunk = html.unescape(fragment_html[last : m.start()])
        text_parts.append(chunk)
        pos += len(chunk)
        if m.group(0) == "<mark>":
            open_at = pos
        elif open_at is not None:
            marks.append((open_at, pos - open_at))
            open_at = None
        last = m.end()
    text_parts.append(html.unescape(fragment_html[last:]))
    return "".join(text_parts), marks


def join_snippets(fragments: tuple[str, ...]) -> str:
    """Fragments in one line of text, with one ellipsis between them (some bring their own)."""
    out = ""
    for fragment in fragments:
        fragment = fragment.strip()
        if not out:
            out = fragment
        elif out.endswith(("…", "...")) or fragment.startswith(("…", "...")):
            out += " " + fragment
        else:
            out += " … " + fragment
    return out


class _Text:
    """A laid-out piece of row text (QTextLayout: far cheaper than a QTextDocument per row)."""

    def __init__(
        self, fragment_html: str, font: QFont, width: float, lines: int, mark: tuple[QColor, QColor]
    ) -> None:
        text, marks = marked_text(fragment_html)
        self.layout = QTextLayout(text, font)
        option = QTextOption()
        option.setWrapMode(
            QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere
            if lines > 1
            else QTextOption.WrapMode.NoWrap
        )
        self.layout.setTextOption(option)
        ranges = []
        for start, length in marks:
            fr = QTextLayout.FormatRange()
            fr.start, fr.length = start, length
            fmt = QTextCharFormat()
            fmt.setBackground(mark[0])
            fmt.setForeground(mark[1])  # full-strength text on the mark, even in muted snippets
            fr.format = fmt
            ranges.append(fr)
        self.layout.setFormats(ranges)
        self.layout.beginLayout()
        y = 0.0
        self.cut = False
        for n in range(lines):
            line = self.layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            line.setPosition(QPointF(0, y))
            y += line.height()
            if n == lines - 1 and line.textStart() + line.textLength() < len(text):
                self.cut = True
        self.layout.endLayout()
        if lines == 1 and self.layout.lineCount():
            self.cut = self.layout.lineAt(0).naturalTextWidth() > width
        self.height = y


class ResultDelegate(QStyledItemDelegate):
    """Paints a result row: highlighted title, date, source/wire/story badges and snippets."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._row_height: tuple[object, int] = (None, 0)
        self._layouts: OrderedDict[tuple[str, int, int, str], dict[str, Any]] = OrderedDict()

    def reset_cache(self) -> None:
        """Forget laid-out rows (after a palette or font change)."""
        self._layouts.clear()
        self._row_height = (None, 0)

    # Layout helpers -------------------------------------------------------------------------
    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        base = QFont(option.font)
        title = QFont(base)
        title.setBold(True)
        title.setPointSizeF(base.pointSizeF() * 1.12)
        small = QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.88)
        return title, base, small

    def row_height(self, option: QStyleOptionViewItem) -> int:
        """Every row's height: one title line, the badges and two snippet lines.

        Uniform rows let the view lay out a page with one sizeHint call instead of one per row.
        """
        title_font, base_font, small_font = self._fonts(option)
        key = (title_font.key(), base_font.key())
        if self._row_height[0] != key:
            title_h = QFontMetrics(title_font).lineSpacing() + 2
            badge_h = QFontMetrics(small_font).height() + 4
            snippet_h = QFontMetrics(base_font).lineSpacing() * SNIPPET_LINES + 2
            height = PAD_Y + title_h + GAP + badge_h + GAP + snippet_h + PAD_Y
            self._row_height = (key, height)
        return self._row_height[1]

    @staticmethod
    def _date_text(hit: Hit) -> str:
        return format_date(hit.date, hit.date_precision)

    def _layout(self, hit: Hit, option: QStyleOptionViewItem, width: int) -> dict[str, Any]:
        c = theme.colors(option.palette)
        key = (hit.id, hit.rank, width, c.mark_bg.name() + c.text.name())
        lay = self._layouts.get(key)
        if lay is None:
            lay = self._layouts[key] = self._compute_layout(hit, option, width, (c.mark_bg, c.text))
            while len(self._layouts) > 400:
                self._layouts.popitem(last=False)
        else:
            self._layouts.move_to_end(key)
        return lay

    def _compute_layout(
        self, hit: Hit, option: QStyleOptionViewItem, width: int, mark: tuple[QColor, QColor]
    ) -> dict[str, Any]:
        title_font, base_font, small_font = self._fonts(option)
        small_fm = QFontMetrics(small_font)
        date_text = self._date_text(hit)
        date_w = small_fm.horizontalAdvance(date_text) + 2 * GAP
        inner = max(80, width - 2 * PAD_X)
        title_w = inner - date_w
        title = _Text(hit.title_html or html.escape(hit.title), title_font, title_w, 1, mark)
        snippet = (
            _Text(join_snippets(hit.snippets), base_font, inner, SNIPPET_LINES, mark)
            if hit.snippets
            else None
        )
        return {
            "title": title,
            "title_h": QFontMetrics(title_font).lineSpacing() + 2,
            "title_w": title_w,
            "date_text": date_text,
            "date_w": date_w,
            "badge_h": small_fm.height() + 4,
            "snippet": snippet,
            "small_font": small_font,
            "small_fm": small_fm,
            "inner": inner,
        }

    # Qt overrides ---------------------------------------------------------------------------
    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        width = option.rect.width()
        if width <= 0:
            view = self.parent()
            width = view.viewport().width() if isinstance(view, QAbstractItemView) else 600
        return QSize(width, self.row_height(option))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        hit = index.data(HitRole)
        if not isinstance(hit, Hit):
            super().paint(painter, option, index)
            return
        c = theme.colors(option.palette)
        rect = option.rect
        lay = self._layout(hit, option, rect.width())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        bg = c.base
        if selected:
            # A light tint instead of the full highlight keeps the marks legible.
            bg = theme.mix(c.accent, c.base, 0.22)
            painter.fillRect(rect, bg)
            painter.fillRect(rect.x(), rect.y(), 3, rect.height(), c.accent)
        elif option.state & QStyle.StateFlag.State_MouseOver:
            bg = c.alt
            painter.fillRect(rect, bg)

        x = rect.x() + PAD_X
        y = rect.y() + PAD_Y
        painter.setPen(c.text)
        lay["title"].layout.draw(painter, QPointF(x, y))
        if lay["title"].cut:
            # A cut title fades out rather than ending mid-letter (the tooltip has it whole).
            right = x + lay["title_w"]
            fade = QLinearGradient(right - 28, 0, right, 0)
            clear = QColor(bg)
            clear.setAlpha(0)
            fade.setColorAt(0, clear)
            fade.setColorAt(1, bg)
            painter.fillRect(QRectF(right - 28, y, 28 + GAP, lay["title_h"]), fade)

        painter.setFont(lay["small_font"])
        painter.setPen(c.muted)
        date_rect = QRectF(rect.right() - PAD_X - lay["date_w"], y, lay["date_w"], lay["badge_h"])
        painter.drawText(
            date_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, lay["date_text"]
        )

        y += lay["title_h"] + GAP
        bx = float(x)
        fm = lay["small_fm"]
        badges: list[tuple[str, QColor, QColor]] = [
            (hit.source or "unknown outlet", c.source_bg, c.source_fg)
        ]
        badges += [(w, c.wire_bg, c.wire_fg) for w in hit.wires]
        if hit.group_size > 1:
            outlets = "outlet" if hit.group_outlets == 1 else "outlets"
            text = f"{hit.group_size} versions · {hit.group_outlets} {outlets}"
            badges.append((text, c.group_bg, c.group_fg))
        for text, fill, fg in badges:
            w = fm.horizontalAdvance(text) + 2 * BADGE_PAD
            if bx + w > rect.right() - PAD_X:
                break
            badge = QRectF(bx, y, w, lay["badge_h"])
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(badge, 4, 4)
            painter.setPen(fg)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
            bx += w + GAP
        if hit.language and bx < rect.right() - PAD_X - 30:
            painter.setPen(c.muted)
            painter.drawText(
                QRectF(bx + 2, y, 40, lay["badge_h"]), Qt.AlignmentFlag.AlignVCenter, hit.language
            )

        if lay["snippet"] is not None:
            y += lay["badge_h"] + GAP
            painter.setPen(c.muted.darker(110))
            lay["snippet"].layout.draw(painter, QPointF(x, y))

        painter.setPen(c.border)
        painter.drawLine(rect.left() + PAD_X, rect.bottom(), rect.right() - PAD_X, rect.bottom())
        painter.restore()


class FacetDelegate(QStyledItemDelegate):
    """A facet bucket: checkbox and label, count right-aligned; a click anywhere toggles."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        # Painted by hand from one data() call: the stock path (initStyleOption) asks the model
        # for ~10 roles per row, each a call into Python that waits for the GIL while a search
        # thread runs.
        value = index.data(FacetValueRole)
        if not isinstance(value, FacetValue):
            super().paint(painter, option, index)
            return
        c = theme.colors(option.palette)
        rect = option.rect
        widget = option.widget
        style = widget.style() if widget is not None else None
        painter.save()
        if option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, c.alt)
        box = QStyleOptionButton()
        size = 13
        box.rect = QRect(rect.x() + 3, rect.y() + (rect.height() - size) // 2, size, size)
        box.state = QStyle.StateFlag.State_Enabled | (
            QStyle.StateFlag.State_On if value.selected else QStyle.StateFlag.State_Off
        )
        box.palette = option.palette
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorCheckBox, box, painter, widget)
        fm = option.fontMetrics
        count = f"{value.count:,}"
        count_w = fm.horizontalAdvance(count) + 10
        text_rect = rect.adjusted(size + 9, 0, -count_w, 0)
        painter.setPen(c.text)
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(value.label, Qt.TextElideMode.ElideRight, text_rect.width()),
        )
        painter.setPen(c.text if value.count else c.muted)
        painter.drawText(
            rect.adjusted(0, 0, -6, 0),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            count,
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return QSize(option.rect.width(), max(18, option.fontMetrics.height() + 4))

    def editorEvent(
        self, event: QEvent, model: Any, option: QStyleOptionViewItem, index: AnyIndex
    ) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
            return isinstance(event, QMouseEvent) and event.button() == Qt.MouseButton.LeftButton
        if (
            kind == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
            and option.rect.contains(event.position().toPoint())
        ):
            self._toggle(model, index)
            return True
        if kind == QEvent.Type.KeyPress and getattr(event, "key", lambda: None)() in (
            Qt.Key.Key_Space,
            Qt.Key.Key_Select,
        ):
            self._toggle(model, index)
            return True
        return False

    @staticmethod
    def _toggle(model: Any, index: AnyIndex) -> None:
        state = index.data(Qt.ItemDataRole.CheckStateRole)
        checked = state == Qt.CheckState.Checked
        model.setData(
            index,
            Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked,
            Qt.ItemDataRole.CheckStateRole,
        )
