"""The reader pane: the full article with matches highlighted, match navigation and metadata."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QRegularExpression, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QTextBrowser,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui import theme
from gui.export import citation, format_date
from search.model import Hit

if TYPE_CHECKING:
    from index.model import Article

MAX_MATCHES = 5000
# Fields that name metadata rather than words of the text: their values are not highlighted.
_META_FIELDS = {"source", "wire", "date", "language", "url", "path", "year", "month", "day"}
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
_QUERY_TOKEN = re.compile(r'(?:(\w+):)?("([^"]*)"|[^\s()"]+)')
_OPERATORS = {"and", "or", "not", "to", "near"}


def highlight_terms(hit: Hit | None, query: str) -> list[str]:
    """What to highlight: the engine's marked words (it knows the variants) plus the query's words."""
    terms: list[str] = []
    if hit is not None:
        for fragment in (hit.title_html, *hit.snippets):
            terms += [html.unescape(m) for m in _MARK.findall(fragment or "")]
    for m in _QUERY_TOKEN.finditer(query or ""):
        field = (m.group(1) or "").lower()
        if field in _META_FIELDS:
            continue
        value = m.group(3) if m.group(3) is not None else m.group(2)
        value = value.strip("+-*?~^0123456789.").strip() if m.group(3) is None else value
        if not value or value.lower() in _OPERATORS or value.startswith(("[", "{")):
            continue
        terms.append(value.rstrip("*?"))
    seen: set[str] = set()
    out: list[str] = []
    for t in terms:
        t = " ".join(t.split())
        if len(t) >= 2 and t.lower() not in seen:
            seen.add(t.lower())
            out.append(t)
    return sorted(out, key=len, reverse=True)


def _pattern(terms: Iterable[str]) -> str:
    parts = []
    for t in terms:
        body = r"\s+".join(re.escape(w) for w in t.split())
        left = r"\b" if re.match(r"\w", t) else ""
        right = r"\b" if re.search(r"\w$", t) else ""
        parts.append(f"{left}{body}{right}")
    return "|".join(parts)


def _body_html(article: Article, muted: str) -> str:
    title = html.escape(article.title or "Untitled")
    line = " · ".join(
        x
        for x in (
            html.escape(article.source or "unknown outlet"),
            html.escape(format_date(article.date.value, article.date.precision)),
            html.escape(article.byline or ""),
        )
        if x
    )
    paras = [p.strip() for p in re.split(r"\n\s*\n", article.body or "") if p.strip()]
    body = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paras)
    return f'<h2>{title}</h2><p style="color:{muted}">{line}</p>{body}'


def similar_html(hits: Iterable[Hit], link_color: str, muted: str) -> str:
    """The similar-articles list: linked titles (``article:ID``) with outlet and date."""
    rows = []
    for hit in hits:
        when = format_date(hit.date, hit.date_precision)
        where = " · ".join(html.escape(x) for x in (hit.source or "unknown outlet", when) if x)
        versions = f" · {hit.group_size} versions" if hit.group_size > 1 else ""
        rows.append(
            f'<p style="margin:0 0 6px 0"><a style="color:{link_color}" '
            f'href="article:{html.escape(hit.id, quote=True)}">'
            f"{html.escape(hit.title or 'Untitled')}</a>"
            f'<br><small style="color:{muted}">{where}{versions}</small></p>'
        )
    return "".join(rows)


class ReaderView(QWidget):
    """Shows one article; n/N (or the arrows) step through the highlighted matches."""

    storyRequested = Signal(str)  # article id
    citationRequested = Signal(str)  # citation text
    similarRequested = Signal(str)  # article id
    articleRequested = Signal(str)  # article id (a similar article's link)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.article: Article | None = None
        self.hit: Hit | None = None
        self._matches: list[QTextCursor] = []
        self._query = ""
        self._current = -1

        self.prev_button = QToolButton(self)
        theme.set_icon(self.prev_button, "previous")
        self.prev_button.setToolTip("Previous match (Shift+F3)")
        self.prev_button.clicked.connect(self.previous_match)
        self.next_button = QToolButton(self)
        theme.set_icon(self.next_button, "next")
        self.next_button.setToolTip("Next match (F3)")
        self.next_button.clicked.connect(self.next_match)
        self.match_label = QLabel("", self)
        self.match_label.setObjectName("mutedLabel")
        self.cite_button = QToolButton(self)
        theme.set_icon(self.cite_button, "copy")
        self.cite_button.setText("Copy citation")
        self.cite_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.cite_button.setToolTip("Copy title, outlet, date and URL (Ctrl+Shift+C)")
        self.cite_button.clicked.connect(self._on_cite)
        self.story_button = QToolButton(self)
        theme.set_icon(self.story_button, "story")
        self.story_button.setText("Story")
        self.story_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.story_button.setToolTip("Show every version of this story (S)")
        self.story_button.clicked.connect(self._on_story)
        self.similar_button = QToolButton(self)
        theme.set_icon(self.similar_button, "link")
        self.similar_button.setText("Similar")
        self.similar_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.similar_button.setToolTip("Find articles that share this one's distinctive words")
        self.similar_button.clicked.connect(self._on_similar)

        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 4)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.next_button)
        bar.addWidget(self.match_label)
        bar.addStretch(1)
        bar.addWidget(self.similar_button)
        bar.addWidget(self.story_button)
        bar.addWidget(self.cite_button)

        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        self.browser.setFrameShape(QFrame.Shape.NoFrame)
        self.browser.document().setDocumentMargin(14)
        self.browser.setAccessibleName("Article text")
        font = self.browser.font()
        font.setPointSizeF(font.pointSizeF() * 1.08)
        self.browser.setFont(font)

        self.meta = QFrame(self)
        self.meta.setObjectName("metaPanel")
        self.meta_form = QFormLayout(self.meta)
        self.meta_form.setContentsMargins(12, 8, 12, 8)
        self.meta_form.setVerticalSpacing(3)
        self.meta_labels: dict[str, QLabel] = {}
        # Similar articles, listed under the metadata once asked for.
        self.similar_title = QLabel("Similar articles", self)
        self.similar_title.setObjectName("facetTitle")
        self.similar_label = QLabel("", self)
        self.similar_label.setObjectName("similarList")
        self.similar_label.setWordWrap(True)
        self.similar_label.setTextFormat(Qt.TextFormat.RichText)
        self.similar_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.similar_label.setOpenExternalLinks(False)
        self.similar_label.linkActivated.connect(self._on_similar_link)
        self.similar_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.similar_ids: list[str] = []
        self._similar_for: str | None = None
        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(0)
        side_layout.addWidget(self.meta)
        similar_box = QVBoxLayout()
        similar_box.setContentsMargins(12, 4, 12, 8)
        similar_box.addWidget(self.similar_title)
        similar_box.addWidget(self.similar_label)
        side_layout.addLayout(similar_box)
        side_layout.addStretch(1)
        self._hide_similar()
        meta_scroll = QScrollArea(self)
        meta_scroll.setWidget(side)
        meta_scroll.setWidgetResizable(True)
        meta_scroll.setFrameShape(QFrame.Shape.NoFrame)

        self.splitter = QSplitter(self)
        self.splitter.setOrientation(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.browser)
        self.splitter.addWidget(meta_scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)
        self.show_message("Select a result to read it here.")

    # Content --------------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        """An empty state."""
        self.article = None
        self.hit = None
        self._matches = []
        self._current = -1
        self.browser.setHtml(
            f'<p style="color:{theme.colors(self.palette()).muted.name()}">{html.escape(text)}</p>'
        )
        self.browser.setExtraSelections([])
        self._fill_meta(None)
        self._hide_similar()
        self._update_buttons()

    def set_article(self, article: Article, hit: Hit | None = None, query: str = "") -> None:
        """Show an article, highlighting what the search matched."""
        self.article = article
        self.hit = hit
        self._query = query
        c = theme.colors(self.palette())
        self.browser.setHtml(_body_html(article, c.muted.name()))
        self._find_matches(highlight_terms(hit, query))
        self._fill_meta(article)
        # Reading down the list of similar articles keeps it; any other article drops it.
        if self._similar_for != article.id and article.id not in self.similar_ids:
            self._hide_similar()
        self._update_buttons()
        if self._matches:
            self._go_to(0)
        else:
            self.browser.moveCursor(QTextCursor.MoveOperation.Start)

    def refresh_theme(self) -> None:
        """Redraw the article in the current palette's colours."""
        if self.article is not None:
            current = self._current
            self.set_article(self.article, self.hit, self._query)
            if 0 <= current < len(self._matches):
                self._go_to(current)

    def _find_matches(self, terms: list[str]) -> None:
        self._matches = []
        self._current = -1
        if terms:
            regex = QRegularExpression(
                _pattern(terms),
                QRegularExpression.PatternOption.CaseInsensitiveOption
                | QRegularExpression.PatternOption.UseUnicodePropertiesOption,
            )
            doc = self.browser.document()
            cursor = QTextCursor(doc)
            while len(self._matches) < MAX_MATCHES:
                cursor = doc.find(regex, cursor)
                if cursor.isNull() or not cursor.hasSelection():
                    break
                self._matches.append(QTextCursor(cursor))
        self._paint_matches()

    def _paint_matches(self) -> None:
        c = theme.colors(self.palette())
        selections = []
        for i, cursor in enumerate(self._matches):
            sel = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setBackground(c.mark_current_bg if i == self._current else c.mark_bg)
            sel.format = fmt
            sel.cursor = cursor
            selections.append(sel)
        self.browser.setExtraSelections(selections)

    # Navigation -----------------------------------------------------------------------------
    def match_count(self) -> int:
        """Highlighted matches in the article."""
        return len(self._matches)

    def current_match(self) -> int:
        """0-based index of the current match (-1: none)."""
        return self._current

    def current_match_text(self) -> str:
        """The text of the current match."""
        if 0 <= self._current < len(self._matches):
            return self._matches[self._current].selectedText()
        return ""

    def next_match(self) -> None:
        """Go to the next match (wrapping)."""
        if self._matches:
            self._go_to((self._current + 1) % len(self._matches))

    def previous_match(self) -> None:
        """Go to the previous match (wrapping)."""
        if self._matches:
            self._go_to((self._current - 1) % len(self._matches))

    def _go_to(self, i: int) -> None:
        self._current = i
        cursor = QTextCursor(self._matches[i])
        cursor.clearSelection()
        self.browser.setTextCursor(cursor)
        self.browser.ensureCursorVisible()
        self._paint_matches()
        self._update_buttons()

    def _update_buttons(self) -> None:
        n = len(self._matches)
        self.prev_button.setEnabled(n > 0)
        self.next_button.setEnabled(n > 0)
        if self.article is None:
            self.match_label.setText("")
        elif n:
            self.match_label.setText(f"match {self._current + 1} of {n}")
        else:
            self.match_label.setText("no matches in the text")
        self.cite_button.setEnabled(self.article is not None)
        self.similar_button.setEnabled(self.article is not None)
        grouped = self.hit is not None and self.hit.group_size > 1
        self.story_button.setEnabled(self.article is not None)
        self.story_button.setText(
            f"Story ({self.hit.group_size} versions)" if grouped and self.hit else "Story"
        )

    # Metadata -------------------------------------------------------------------------------
    def _fill_meta(self, article: Article | None) -> None:
        while self.meta_form.rowCount():
            self.meta_form.removeRow(0)
        self.meta_labels = {}
        if article is None:
            return
        d = article.date
        when = format_date(d.value, d.precision)
        details = [f"precision: {d.precision}"]
        if d.tz:
            details.append(f"original offset {d.tz}")
        if d.origin != "none":
            details.append(f"from {d.origin}")
        date_text = html.escape(when) + f" <small>({html.escape(', '.join(details))})</small>"
        if d.raw:
            date_text += f"<br><small>as written: “{html.escape(d.raw)}”</small>"
        path = article.provenance.path
        label = article.provenance.label()
        file_text = f'<a href="{QUrl.fromLocalFile(path).toString()}">{html.escape(label)}</a>'
        url_text = (
            f'<a href="{html.escape(article.url)}">{html.escape(article.url)}</a>'
            if article.url
            else "—"
        )
        if article.removed:
            removed = "<br>".join(f"<code>{html.escape(line)}</code>" for line in article.removed)
            removed = f"{len(article.removed)} line(s):<br>{removed}"
        else:
            removed = "nothing"
        source = html.escape(article.source or "(unknown outlet)")
        if article.source_origin not in ("none", "input"):
            source += f" <small>(from {html.escape(article.source_origin)})</small>"
        rows = [
            ("source", "Source", source),
            ("wires", "Wires", html.escape(", ".join(article.wires)) or "none credited"),
            ("byline", "Byline", html.escape(article.byline or "—")),
            ("date", "Date", date_text),
            ("language", "Language", html.escape(article.language or "unknown")),
            ("words", "Words", f"{article.word_count:,}"),
            ("url", "URL", url_text),
            ("file", "File", file_text),
            ("id", "Id", f"<code>{html.escape(article.id)}</code>"),
            ("removed", "Cleaning removed", removed),
        ]
        for key, name, value in rows:
            key_label = QLabel(name, self.meta)
            key_label.setProperty("role", "key")
            value_label = QLabel(value, self.meta)
            value_label.setWordWrap(True)
            value_label.setTextFormat(Qt.TextFormat.RichText)
            value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
            value_label.setOpenExternalLinks(False)
            value_label.linkActivated.connect(self._open_link)
            self.meta_form.addRow(key_label, value_label)
            self.meta_labels[key] = value_label

    def meta_text(self, key: str) -> str:
        """Plain text of a metadata row (for tests and accessibility)."""
        label = self.meta_labels.get(key)
        if label is None:
            return ""
        text = re.sub(r"<br\s*/?>", "\n", label.text())
        return html.unescape(re.sub(r"<[^>]+>", "", text))

    @staticmethod
    def _open_link(link: str) -> None:
        url = QUrl(link)
        if url.isLocalFile():
            # Open the folder: the file itself may be a huge JSONL or an unviewable export.
            url = QUrl.fromLocalFile(str(Path(url.toLocalFile()).parent))
        QDesktopServices.openUrl(url)

    def citation(self) -> str:
        """The shown article's citation ('' without one)."""
        a = self.article
        if a is None:
            return ""
        return citation(a.title, a.source, a.date.value, a.date.precision, a.url)

    def _on_cite(self) -> None:
        text = self.citation()
        if text:
            self.citationRequested.emit(text)

    def _on_story(self) -> None:
        if self.article is not None:
            self.storyRequested.emit(self.article.id)

    # Similar articles -----------------------------------------------------------------------
    def _on_similar(self) -> None:
        if self.article is not None:
            self.similarRequested.emit(self.article.id)

    def show_similar_message(self, article_id: str, text: str) -> None:
        """A line in the similar-articles section ("looking…", "none", an error)."""
        if self.article is None or self.article.id != article_id:
            return
        self._similar_for = article_id
        self.similar_ids = []
        muted = theme.colors(self.palette()).muted.name()
        self.similar_label.setText(f'<span style="color:{muted}">{html.escape(text)}</span>')
        self.similar_title.show()
        self.similar_label.show()

    def set_similar(self, article_id: str, hits: Iterable[Hit]) -> bool:
        """List the articles similar to ``article_id`` (ignored unless it is still shown)."""
        if self.article is None or self.article.id != article_id:
            return False
        hits = list(hits)
        if not hits:
            self.show_similar_message(article_id, "No similar articles in the archive.")
            return True
        c = theme.colors(self.palette())
        self._similar_for = article_id
        self.similar_ids = [h.id for h in hits]
        self.similar_label.setText(similar_html(hits, c.accent.name(), c.muted.name()))
        self.similar_title.setText(f"Similar articles ({len(hits)})")
        self.similar_title.show()
        self.similar_label.show()
        return True

    def _hide_similar(self) -> None:
        self._similar_for = None
        self.similar_ids = []
        self.similar_label.clear()
        self.similar_title.setText("Similar articles")
        self.similar_title.hide()
        self.similar_label.hide()

    def _on_similar_link(self, link: str) -> None:
        if link.startswith("article:"):
            self.articleRequested.emit(link.removeprefix("article:"))
