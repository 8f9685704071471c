"""A histogram of hits over time (QPainter); click a bar or drag across bars to pick dates."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from PySide6.QtCore import QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QContextMenuEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QMenu, QSizePolicy, QToolTip, QWidget

from gui import theme

Granularity = Literal["auto", "day", "week", "month", "year"]
MAX_BAR = 36.0  # a few buckets must not become one wall of colour


@dataclass(frozen=True)
class Bucket:
    """One bar: the dates it covers (inclusive) and its count."""

    start: date
    end: date
    count: int

    def label(self, granularity: str) -> str:
        """How the bar's period reads in a tooltip."""
        if granularity == "day":
            return self.start.strftime("%a %d %b %Y")
        if granularity == "week":
            return f"week of {self.start.strftime('%d %b %Y')}"
        if granularity == "month":
            return self.start.strftime("%B %Y")
        return str(self.start.year)


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def choose_granularity(first: date, last: date) -> str:
    """Days for two months or less, weeks up to two years, months up to 30 years, else years."""
    span = (last - first).days
    if span <= 62:
        return "day"
    if span <= 731:
        return "week"
    if span <= 366 * 30:
        return "month"
    return "year"


def _period_start(granularity: str) -> Callable[[date], date]:
    if granularity == "day":
        return lambda d: d
    if granularity == "week":
        return lambda d: d - timedelta(days=d.weekday())
    if granularity == "month":
        return lambda d: d.replace(day=1)
    return lambda d: date(d.year, 1, 1)


def _period_after(granularity: str, d: date) -> date:
    if granularity == "day":
        return d + timedelta(days=1)
    if granularity == "week":
        return d + timedelta(days=7)
    if granularity == "month":
        return _next_month(d)
    return date(d.year + 1, 1, 1)


def bucketize(days: Iterable[tuple[date, int]], granularity: str) -> list[Bucket]:
    """Sum daily counts into continuous day/week/month/year buckets (empty periods included)."""
    # One pass over the days (up to a few thousand per page at 100k articles, on every page).
    start_of = _period_start(granularity)
    sums: dict[date, int] = {}
    first = last = None
    for day, n in days:
        key = start_of(day)
        sums[key] = sums.get(key, 0) + n
        if first is None or day < first:
            first = day
        if last is None or day > last:
            last = day
    if first is None or last is None:
        return []
    out: list[Bucket] = []
    cur = start_of(first)
    one_day = timedelta(days=1)
    while cur <= last:
        nxt = _period_after(granularity, cur)
        out.append(Bucket(cur, nxt - one_day, sums.get(cur, 0)))
        cur = nxt
    return out


class TimelineView(QWidget):
    """Bars of hits per period; emits the chosen date range."""

    rangeSelected = Signal(object, object)  # date_from, date_to (inclusive)
    clearRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._days: list[tuple[date, int]] = []
        self._buckets: list[Bucket] = []
        self._granularity: Granularity = "auto"
        self._shown = "day"
        self._selection: tuple[date, date] | None = None
        self._drag: tuple[int, int] | None = None
        self._hover = -1
        self.setMouseTracking(True)
        self.setMinimumHeight(70)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Hits over time")
        self.setToolTip("Click a bar or drag across bars to filter by date")

    def sizeHint(self) -> QSize:
        return QSize(480, 84)

    # Data -----------------------------------------------------------------------------------
    def set_data(self, timeline: Iterable[tuple[date, int]]) -> None:
        """Show hits per day (any order)."""
        self._days = [(d, n) for d, n in timeline if n]
        self._rebucket()

    def set_selection(self, date_from: date | None, date_to: date | None) -> None:
        """Highlight the active date range (None: none)."""
        if date_from is None and date_to is None:
            self._selection = None
        else:
            self._selection = (date_from or date.min, date_to or date.max)
        self.update()

    def set_granularity(self, granularity: Granularity) -> None:
        """Day, week, month, year or auto (by span)."""
        self._granularity = granularity
        self._rebucket()

    @property
    def granularity(self) -> str:
        """The granularity in use for the bars."""
        return self._shown

    def buckets(self) -> list[Bucket]:
        """The bars shown."""
        return list(self._buckets)

    def _rebucket(self) -> None:
        if self._days:
            first = min(d for d, _ in self._days)
            last = max(d for d, _ in self._days)
            g = self._granularity
            self._shown = choose_granularity(first, last) if g == "auto" else g
        self._buckets = bucketize(self._days, self._shown)
        self._hover = -1
        self.update()

    # Geometry -------------------------------------------------------------------------------
    def _plot(self) -> QRectF:
        return QRectF(8, 6, max(1, self.width() - 16), max(1, self.height() - 24))

    def bar_rect(self, i: int) -> QRectF:
        """Where bar ``i`` is drawn (its full-height slot)."""
        plot = self._plot()
        n = max(1, len(self._buckets))
        w = plot.width() / n
        return QRectF(plot.left() + i * w, plot.top(), w, plot.height())

    def bucket_at(self, pos: QPoint) -> int:
        """The bar under a point (clamped to the ends), or -1 without bars."""
        if not self._buckets:
            return -1
        plot = self._plot()
        w = plot.width() / len(self._buckets)
        i = int((pos.x() - plot.left()) // w)
        return max(0, min(len(self._buckets) - 1, i))

    # Painting -------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        c = theme.colors(self.palette())
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        plot = self._plot()
        small = self.font()
        small.setPointSizeF(small.pointSizeF() * 0.85)
        p.setFont(small)
        if not self._buckets:
            p.setPen(c.muted)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No dated hits")
            return
        peak = max(b.count for b in self._buckets) or 1
        drag = sorted(self._drag) if self._drag else None
        gap = 1.0 if plot.width() / len(self._buckets) > 3 else 0.0
        for i, b in enumerate(self._buckets):
            slot = self.bar_rect(i)
            h = plot.height() * b.count / peak
            if b.count and h < 2:
                h = 2  # a single hit must stay visible beside a tall peak
            width = max(1.0, min(slot.width() - gap, MAX_BAR))
            left = slot.left() + (slot.width() - gap - width) / 2
            bar = QRectF(left, plot.bottom() - h, width, h)
            selected = (drag is not None and drag[0] <= i <= drag[1]) or (
                drag is None
                and self._selection is not None
                and b.end >= self._selection[0]
                and b.start <= self._selection[1]
            )
            color = c.bar_selected if selected else c.bar
            if i == self._hover:
                color = (
                    color.darker(115) if not theme.is_dark(self.palette()) else color.lighter(125)
                )
            p.fillRect(bar, color)
        p.setPen(c.border)
        p.drawLine(int(plot.left()), int(plot.bottom()), int(plot.right()), int(plot.bottom()))
        p.setPen(c.muted)
        first, last = self._buckets[0], self._buckets[-1]
        label_rect = QRectF(plot.left(), plot.bottom() + 2, plot.width(), 16)
        p.drawText(label_rect, Qt.AlignmentFlag.AlignLeft, first.label(self._shown))
        if len(self._buckets) > 1:
            p.drawText(label_rect, Qt.AlignmentFlag.AlignRight, last.label(self._shown))
        p.drawText(
            label_rect,
            Qt.AlignmentFlag.AlignHCenter,
            f"max {peak:,} per {self._shown}",
        )

    # Interaction ----------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._buckets:
            i = self.bucket_at(event.position().toPoint())
            self._drag = (i, i)
            self.update()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        i = self.bucket_at(pos)
        if self._drag is not None and i >= 0:
            self._drag = (self._drag[0], i)
        if i != self._hover:
            self._hover = i
            if i >= 0:
                b = self._buckets[i]
                noun = "hit" if b.count == 1 else "hits"
                QToolTip.showText(
                    event.globalPosition().toPoint(),
                    f"{b.label(self._shown)}: {b.count:,} {noun}",
                    self,
                )
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._drag is None:
            super().mouseReleaseEvent(event)
            return
        lo, hi = sorted(self._drag)
        self._drag = None
        start, end = self._buckets[lo].start, self._buckets[hi].end
        self._selection = (start, end)
        self.update()
        self.rangeSelected.emit(start, end)

    def leaveEvent(self, event: object) -> None:
        self._hover = -1
        self.update()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        clear = QAction("Clear date range", menu)
        clear.setEnabled(self._selection is not None)
        clear.triggered.connect(self.clearRequested.emit)
        menu.addAction(clear)
        menu.addSeparator()
        for g in ("auto", "day", "week", "month", "year"):
            action = QAction(f"Bars by {g}" if g != "auto" else "Bars: automatic", menu)
            action.setCheckable(True)
            action.setChecked(self._granularity == g)
            action.triggered.connect(lambda _c=False, g=g: self.set_granularity(g))
            menu.addAction(action)
        menu.exec(event.globalPos())
