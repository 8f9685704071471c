"""Colours, stylesheet and icons, all derived from the current QPalette (light or dark)."""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
ICONS_DIR = RESOURCES / "icons"
STYLE_FILE = RESOURCES / "style" / "app.qss"
DEMO_DIR = RESOURCES / "demo"


def mix(a: QColor, b: QColor, share_of_a: float) -> QColor:
    """The blend of two colours, ``share_of_a`` of ``a`` and the rest of ``b``."""
    t = max(0.0, min(1.0, share_of_a))
    return QColor(
        round(a.red() * t + b.red() * (1 - t)),
        round(a.green() * t + b.green() * (1 - t)),
        round(a.blue() * t + b.blue() * (1 - t)),
    )


def is_dark(palette: QPalette) -> bool:
    """True when the palette's window colour is dark."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


@dataclass(frozen=True)
class Colors:
    """Named colours for painting, derived from one palette."""

    base: QColor
    window: QColor
    text: QColor
    muted: QColor
    accent: QColor
    border: QColor
    alt: QColor
    error: QColor
    mark_bg: QColor
    mark_current_bg: QColor
    ins_bg: QColor
    del_bg: QColor
    ins_fg: QColor
    del_fg: QColor
    source_bg: QColor
    source_fg: QColor
    wire_bg: QColor
    wire_fg: QColor
    group_bg: QColor
    group_fg: QColor
    bar: QColor
    bar_selected: QColor
    first: QColor

    def css(self) -> dict[str, str]:
        """The colours by name as CSS hex strings, for stylesheets and rich text."""
        return {name: value.name() for name, value in self.__dict__.items()}


_colors_cache: dict[tuple[str, ...], Colors] = {}
# Palette cache keys already seen → their colours. Delegates ask on every row they paint; four
# colour lookups and names per row cost ~2 ms per results page, a cache key lookup next to none.
_by_palette_key: dict[int, Colors] = {}
_ROLES = (
    QPalette.ColorRole.Window,
    QPalette.ColorRole.Base,
    QPalette.ColorRole.Text,
    QPalette.ColorRole.Highlight,
)


def colors(palette: QPalette | None = None) -> Colors:
    """Painting colours for ``palette`` (default: the application's); cached per palette."""
    pal = palette or QApplication.palette()
    # Copies of one palette share its cache key; a changed palette gets a new one.
    fast = _by_palette_key.get(pal.cacheKey())
    if fast is not None:
        return fast
    # Key by the colours used, not by the palette object.
    key = tuple(pal.color(r).name() for r in _ROLES)
    cached = _colors_cache.get(key)
    if cached is None:
        cached = _colors_cache[key] = _derive(pal)
    if len(_by_palette_key) > 256:  # palettes come and go with theme changes
        _by_palette_key.clear()
    _by_palette_key[pal.cacheKey()] = cached
    return cached


def _derive(pal: QPalette) -> Colors:
    dark = is_dark(pal)
    base = pal.color(QPalette.ColorRole.Base)
    text = pal.color(QPalette.ColorRole.Text)
    accent = pal.color(QPalette.ColorRole.Highlight)
    # Hues are fixed (yellow marks, green insertions, red deletions, as readers expect) but their
    # strength follows the palette so they stay legible on dark backgrounds.
    strength = 0.45 if dark else 0.55
    yellow = QColor("#f5c400")
    green = QColor("#2e9d4a")
    red = QColor("#d2383c")
    violet = QColor("#7b5cc4")
    return Colors(
        base=base,
        window=pal.color(QPalette.ColorRole.Window),
        text=text,
        muted=mix(text, base, 0.6),
        accent=accent,
        border=mix(text, base, 0.22),
        alt=mix(text, base, 0.05),
        error=QColor("#ff6b6b") if dark else QColor("#c62828"),
        mark_bg=mix(yellow, base, strength),
        mark_current_bg=mix(QColor("#ff8c00"), base, strength + 0.2),
        ins_bg=mix(green, base, 0.3 if dark else 0.22),
        del_bg=mix(red, base, 0.3 if dark else 0.2),
        ins_fg=mix(green, text, 0.5) if dark else QColor("#1b5e20"),
        del_fg=mix(red, text, 0.5) if dark else QColor("#8e1b1b"),
        source_bg=mix(accent, base, 0.22),
        source_fg=mix(accent, text, 0.45 if dark else 0.6),
        wire_bg=mix(QColor("#e07b00"), base, 0.25),
        wire_fg=mix(QColor("#e07b00"), text, 0.55),
        group_bg=mix(violet, base, 0.25),
        group_fg=mix(violet, text, 0.6),
        bar=mix(accent, base, 0.7),
        bar_selected=accent.darker(130) if not dark else accent.lighter(130),
        first=QColor("#e07b00"),
    )


def stylesheet(palette: QPalette | None = None) -> str:
    """The application stylesheet with its @colour@ tokens filled from ``palette``."""
    try:
        sheet = STYLE_FILE.read_text(encoding="utf-8")
    except OSError:
        return ""  # a missing sheet only loses polish, never function
    values = colors(palette).css()
    return re.sub(r"@(\w+)@", lambda m: values.get(m.group(1), m.group(0)), sheet)


@lru_cache(maxsize=256)
def _icon(name: str, color: str, size: int) -> QIcon:
    path = ICONS_DIR / f"{name}.svg"
    try:
        svg = path.read_text(encoding="utf-8")
    except OSError:
        return QIcon()
    # Icons are drawn in currentColor so they follow the palette's text colour.
    svg = svg.replace("currentColor", color)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    icon = QIcon()
    for scale in (1, 2):
        pixmap = QPixmap(QSize(size * scale, size * scale))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter, QRectF(0, 0, size * scale, size * scale))
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        icon.addPixmap(pixmap)
    return icon


def icon(name: str, palette: QPalette | None = None, size: int = 24) -> QIcon:
    """The icon ``resources/icons/<name>.svg`` drawn in the palette's text colour."""
    pal = palette or QApplication.palette()
    return _icon(name, pal.color(QPalette.ColorRole.WindowText).name(), size)


_themed: list[tuple[weakref.ref[Any], str]] = []


def set_icon(target: Any, name: str) -> None:
    """Give a widget or action the named icon, and redraw it when the palette changes."""
    target.setIcon(icon(name))
    _themed.append((weakref.ref(target), name))


def refresh_icons() -> None:
    """Redraw every icon given by :func:`set_icon` in the current palette's colours."""
    alive = []
    for ref, name in _themed:
        target = ref()
        if target is None:
            continue
        try:
            target.setIcon(icon(name))
        except RuntimeError:  # its Qt object is gone
            continue
        alive.append((ref, name))
    _themed[:] = alive


def app_icon() -> QIcon:
    """The application icon (kept in its own colours)."""
    path = ICONS_DIR / "app.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def html_marks(html: str, palette: QPalette | None = None) -> str:
    """Rewrite <mark>, <ins> and <del> (which Qt rich text ignores) as styled spans."""
    c = colors(palette)
    return (
        html.replace("<mark>", f'<span style="background-color:{c.mark_bg.name()};">')
        .replace("</mark>", "</span>")
        .replace(
            "<ins>",
            f'<span style="background-color:{c.ins_bg.name()}; color:{c.ins_fg.name()};">',
        )
        .replace("</ins>", "</span>")
        .replace(
            "<del>",
            f'<span style="background-color:{c.del_bg.name()}; color:{c.del_fg.name()}; '
            'text-decoration: line-through;">',
        )
        .replace("</del>", "</span>")
    )
