"""Item painting: result rows (title with highlights, badges, snippets) and facet rows."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetrics,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPalette,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from gui import theme
from gui.export import format_date
from gui.models import CountRole, HitRole
from search.model import Hit

AnyIndex = QModelIndex | QPersistentModelIndex

PAD_X = 12
PAD_Y = 8
GAP = 4
SNIPPET_LINES = 2
BADGE_PAD = 6


class ResultDelegate(QStyledItemDelegate):
    """Paints a result row: highlighted title, date, source/wire/story badges and snippets."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._docs: OrderedDict[tuple[str, int, str, int], QTextDocument] = OrderedDict()
        self._row_height: tuple[object, int] = (None, 0)
        self._layouts: OrderedDict[tuple[str, int, int], dict[str, Any]] = OrderedDict()

    def reset_cache(self) -> None:
        """Forget laid-out rows (after a palette or font change)."""
        self._docs.clear()
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

    def _doc(
        self, hit: Hit, part: str, html: str, font: QFont, width: int, wrap: bool = True
    ) -> QTextDocument:
        key = (hit.id, hit.rank, part, width)
        doc = self._docs.get(key)
        if doc is not None:
            self._docs.move_to_end(key)
            return doc
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(font)
        option = QTextOption()
        option.setWrapMode(
            QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere
            if wrap
            else QTextOption.WrapMode.NoWrap
        )
        doc.setDefaultTextOption(option)
        doc.setHtml(theme.html_marks(html))
        doc.setTextWidth(max(40, width) if wrap else -1)
        self._docs[key] = doc
        while len(self._docs) > 600:
            self._docs.popitem(last=False)
        return doc

    def row_height(self, option: QStyleOptionViewItem) -> int:
        """Every row's height: one title line, the badges and two snippet lines.

        Uniform rows let the view lay out a page with one sizeHint call instead of one per row;
        each call into Python waits for the GIL while a search thread runs (bench/gui_bench.py).
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
        key = (hit.id, hit.rank, width)
        lay = self._layouts.get(key)
        if lay is None:
            lay = self._layouts[key] = self._compute_layout(hit, option, width)
            while len(self._layouts) > 300:
                self._layouts.popitem(last=False)
        return lay

    def _compute_layout(self, hit: Hit, option: QStyleOptionViewItem, width: int) -> dict[str, Any]:
        title_font, base_font, small_font = self._fonts(option)
        small_fm = QFontMetrics(small_font)
        date_w = small_fm.horizontalAdvance(self._date_text(hit)) + 2 * GAP
        inner = max(80, width - 2 * PAD_X)
        title_w = inner - date_w
        title_doc = self._doc(hit, "title", hit.title_html or hit.title, title_font, title_w, False)
        snippet_html = " <span>…</span> ".join(hit.snippets)
        snippet_doc = (
            self._doc(hit, "snippet", snippet_html, base_font, inner) if snippet_html else None
        )
        return {
            "title_doc": title_doc,
            "title_h": QFontMetrics(title_font).lineSpacing() + 2,
            "title_w": title_w,
            "title_cut": title_doc.idealWidth() > title_w,
            "date_w": date_w,
            "badge_h": small_fm.height() + 4,
            "snippet_doc": snippet_doc,
            "snippet_h": QFontMetrics(base_font).lineSpacing() * SNIPPET_LINES + 2,
            "small_font": small_font,
            "inner": inner,
        }

    # Qt overrides ---------------------------------------------------------------------------
    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        width = option.rect.width()
        if width <= 0:
            view = self.parent()
            width = view.viewport().width() if hasattr(view, "viewport") else 600
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
        if selected:
            # A light tint instead of the full highlight keeps <mark> colours legible.
            painter.fillRect(rect, theme.mix(c.accent, c.base, 0.22))
            painter.fillRect(rect.x(), rect.y(), 3, rect.height(), c.accent)
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, c.alt)

        x = rect.x() + PAD_X
        y = rect.y() + PAD_Y
        self._draw_doc(painter, lay["title_doc"], x, y, lay["title_w"], lay["title_h"], c.text)
        if lay["title_cut"]:
            # A cut title fades out rather than ending mid-letter (the tooltip has it whole).
            bg = theme.mix(c.accent, c.base, 0.22) if selected else c.base
            fade = QLinearGradient(x + lay["title_w"] - 28, 0, x + lay["title_w"], 0)
            clear = QColor(bg)
            clear.setAlpha(0)
            fade.setColorAt(0, clear)
            fade.setColorAt(1, bg)
            painter.fillRect(QRectF(x + lay["title_w"] - 28, y, 28, lay["title_h"]), fade)

        painter.setFont(lay["small_font"])
        painter.setPen(c.muted)
        date_rect = QRectF(rect.right() - PAD_X - lay["date_w"], y, lay["date_w"], lay["badge_h"])
        painter.drawText(
            date_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, self._date_text(hit)
        )

        y += lay["title_h"] + GAP
        bx = float(x)
        fm = QFontMetrics(lay["small_font"])
        badges: list[tuple[str, QColor, QColor]] = [
            (hit.source or "unknown outlet", c.source_bg, c.source_fg)
        ]
        badges += [(w, c.wire_bg, c.wire_fg) for w in hit.wires]
        if hit.group_size > 1:
            outlets = "outlet" if hit.group_outlets == 1 else "outlets"
            badges.append(
                (
                    f"{hit.group_size} versions · {hit.group_outlets} {outlets}",
                    c.group_bg,
                    c.group_fg,
                )
            )
        for text, bg, fg in badges:
            w = fm.horizontalAdvance(text) + 2 * BADGE_PAD
            if bx + w > rect.right() - PAD_X:
                break
            badge = QRectF(bx, y, w, lay["badge_h"])
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(bg)
            painter.drawRoundedRect(badge, 4, 4)
            painter.setPen(fg)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
            bx += w + GAP
        if hit.language and bx < rect.right() - PAD_X - 30:
            painter.setPen(c.muted)
            painter.drawText(
                QRectF(bx + 2, y, 40, lay["badge_h"]), Qt.AlignmentFlag.AlignVCenter, hit.language
            )

        if lay["snippet_doc"] is not None:
            y += lay["badge_h"] + GAP
            self._draw_doc(
                painter,
                lay["snippet_doc"],
                x,
                y,
                lay["inner"],
                lay["snippet_h"],
                c.muted.darker(110),
            )

        painter.setPen(c.border)
        painter.drawLine(rect.left() + PAD_X, rect.bottom(), rect.right() - PAD_X, rect.bottom())
        painter.restore()

    @staticmethod
    def _draw_doc(
        painter: QPainter, doc: QTextDocument, x: float, y: float, w: float, h: float, color: QColor
    ) -> None:
        painter.save()
        painter.translate(x, y)
        clip = QRectF(0, 0, w, h)
        painter.setClipRect(clip)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.clip = clip
        ctx.palette.setColor(QPalette.ColorRole.Text, color)
        doc.documentLayout().draw(painter, ctx)
        painter.restore()


class FacetDelegate(QStyledItemDelegate):
    """A facet bucket: checkbox and label, count right-aligned; a click anywhere toggles."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        count = index.data(CountRole)
        text = f"{count:,}" if isinstance(count, int) else ""
        fm = QFontMetrics(option.font)
        count_w = fm.horizontalAdvance(text) + 10
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.rect = option.rect.adjusted(0, 0, -count_w, 0)
        opt.state &= ~QStyle.StateFlag.State_HasFocus
        opt.textElideMode = Qt.TextElideMode.ElideRight
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        c = theme.colors(option.palette)
        painter.setPen(c.text if count else c.muted)
        painter.drawText(
            option.rect.adjusted(0, 0, -6, 0),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            text,
        )
        painter.restore()

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
