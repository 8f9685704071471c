"""The query bar: a line edit with history, field/value completion and inline query problems."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QInputMethodEvent, QKeyEvent, QTextCharFormat
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui import theme
from search.model import QueryProblem


def _field_names() -> tuple[str, ...]:
    try:  # the engine's own list when it is there (completion must offer what parses)
        from search.syntax import ALL_FIELD_NAMES

        return tuple(ALL_FIELD_NAMES)
    except ImportError:
        return ("title", "body", "lead", "byline", "source", "wire", "date", "language", "url")


FIELDS = _field_names()
# Fields whose values the facets already list, so completion can work from cached counts.
FACET_FIELDS = {"source": "source", "wire": "wire", "language": "language"}
DEBOUNCE_MS = 30

# field:value, where an opened quote may hold spaces ('source:"ABC Ne').
_FIELD_TOKEN = re.compile(r'(?:^|(?<=[\s(+-]))(\w+):("[^"]*|[^\s"]*)$')
_WORD_TOKEN = re.compile(r"(?:^|(?<=[\s(+-]))(\w+)$")


def quote_value(value: str) -> str:
    """A field value as it must be typed: quoted when it holds spaces or punctuation."""
    return value if re.fullmatch(r"[\w.'-]+", value) else '"' + value.replace('"', "") + '"'


def current_token(text: str, cursor: int) -> tuple[int, str | None, str]:
    """The token ending at the cursor: (start, field or None, prefix)."""
    before = text[:cursor]
    m = _FIELD_TOKEN.search(before)
    if m:
        return m.start(), m.group(1).lower(), m.group(2).lstrip('"')
    m = _WORD_TOKEN.search(before)
    if m:
        return m.start(), None, m.group(1)
    return cursor, None, ""


class QueryLineEdit(QLineEdit):
    """The edit itself: Up/Down walk the history when no completion popup is open."""

    historyStep = Signal(int)  # -1 older, +1 newer

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.popup_visible = lambda: False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.popup_visible() and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            if event.key() == Qt.Key.Key_Up:
                self.historyStep.emit(-1)
                return
            if event.key() == Qt.Key.Key_Down:
                self.historyStep.emit(+1)
                return
        super().keyPressEvent(event)


class QueryBar(QWidget):
    """Query input; emits searches as you type (debounced) and on Enter."""

    queryChanged = Signal(str)  # typed (after a short pause)
    querySubmitted = Signal(str)  # Enter, a history pick or a correction
    completionWanted = Signal(str, str)  # field, prefix: ask the engine (off the GUI thread)
    moveToResults = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._history: list[str] = []
        self._history_pos = -1
        self._facet_values: dict[str, list[str]] = {}
        self._engine_values: dict[tuple[str, str], list[str]] = {}
        self._problem: QueryProblem | None = None
        self._suggestion: str | None = None
        self._fix: str | None = None

        self.edit = QueryLineEdit(self)
        self.edit.setObjectName("queryEdit")
        self.edit.setPlaceholderText(
            'Search the archive — e.g. flood warning source:"ABC News" wire:ap date:2019'
        )
        search_action = self.edit.addAction(
            theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition
        )
        theme.set_icon(search_action, "search")
        # Our own clear action, always shown: Qt's clear button appears and disappears with the
        # text, and each time the whole window is laid out again (25–45 ms, bench/gui_bench.py).
        self.clear_action = self.edit.addAction(
            theme.icon("clear"), QLineEdit.ActionPosition.TrailingPosition
        )
        theme.set_icon(self.clear_action, "clear")
        self.clear_action.setToolTip("Clear the query (Esc)")
        self.clear_action.triggered.connect(self._clear_clicked)
        self.edit.setAccessibleName("Search query")

        self.history_button = QToolButton(self)
        theme.set_icon(self.history_button, "history")
        self.history_button.setToolTip("Recent queries")
        self.history_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.history_menu = QMenu(self)
        self.history_button.setMenu(self.history_menu)

        self.problem_label = QLabel(self)
        self.problem_label.setObjectName("problemLabel")
        self.problem_label.setTextFormat(Qt.TextFormat.RichText)
        # Always present and one line high: a message appearing or going must not move the
        # whole window (that relayout cost 35 ms per search, bench/gui_bench.py).
        self.problem_label.setFixedHeight(self.problem_label.fontMetrics().height() + 4)
        self.problem_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.problem_label.setOpenExternalLinks(False)
        self.problem_label.linkActivated.connect(self._on_link)

        self.completer = QCompleter(self)
        self.completer_model = QStringListModel(self)
        self.completer.setModel(self.completer_model)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setMaxVisibleItems(12)
        self.completer.setWidget(self.edit)
        self.completer.activated.connect(self.insert_completion)
        self.edit.popup_visible = self.popup_visible

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(lambda: self.queryChanged.emit(self.edit.text()))

        self.edit.textEdited.connect(self._on_edited)
        self.edit.returnPressed.connect(self._on_return)
        self.edit.historyStep.connect(self._step_history)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.history_button)
        row.addWidget(self.edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.problem_label)

    # Text -----------------------------------------------------------------------------------
    def text(self) -> str:
        """The query as typed."""
        return self.edit.text()

    def set_text(self, text: str, *, submit: bool = False) -> None:
        """Replace the query (and search at once when ``submit``)."""
        self._debounce.stop()
        self.edit.setText(text)
        self._clear_format()
        if submit:
            self.querySubmitted.emit(text)

    @property
    def debounce_ms(self) -> int:
        """How long typing must pause before a search starts."""
        return self._debounce.interval()

    @debounce_ms.setter
    def debounce_ms(self, ms: int) -> None:
        self._debounce.setInterval(ms)

    def focus(self) -> None:
        """Focus the edit with its text selected."""
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def _clear_clicked(self) -> None:
        if self.edit.text():
            self.set_text("", submit=True)
        self.edit.setFocus()

    def _on_edited(self, text: str) -> None:
        self._history_pos = -1
        self._clear_format()
        self._debounce.start()
        self._update_completions()

    def popup_visible(self) -> bool:
        """True while the completion list is open."""
        popup = self.completer.popup()
        return popup is not None and popup.isVisible()

    def hide_popup(self) -> None:
        """Close the completion list."""
        popup = self.completer.popup()
        if popup is not None:
            popup.hide()

    def _on_return(self) -> None:
        if self.popup_visible():
            return
        self._debounce.stop()
        self.querySubmitted.emit(self.edit.text())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier
        ):
            self.moveToResults.emit()
            return
        super().keyPressEvent(event)

    # History --------------------------------------------------------------------------------
    def set_history(self, queries: Iterable[str]) -> None:
        """The recent queries, newest first."""
        self._history = list(queries)
        self._history_pos = -1
        self.history_menu.clear()
        for q in self._history:
            action = QAction(q, self.history_menu)
            action.triggered.connect(lambda _checked=False, q=q: self.set_text(q, submit=True))
            self.history_menu.addAction(action)
        self.history_button.setEnabled(bool(self._history))

    def history(self) -> list[str]:
        """Recent queries, newest first."""
        return list(self._history)

    def _step_history(self, step: int) -> None:
        if not self._history:
            return
        pos = self._history_pos - step  # Up (-1) goes to older entries, i.e. higher positions
        if pos < 0:
            self._history_pos = -1
            self.set_text("", submit=True)
            return
        pos = min(pos, len(self._history) - 1)
        self._history_pos = pos
        self.set_text(self._history[pos], submit=True)

    # Completion -----------------------------------------------------------------------------
    def set_facet_values(self, field: str, values: Iterable[str]) -> None:
        """Cache a facet's values (from the last page) as completions for ``field:``."""
        self._facet_values[field] = [v for v in values if v]

    def add_completions(self, field: str, prefix: str, values: Iterable[str]) -> None:
        """Engine completions arrived for ``field:prefix``; show them if still relevant."""
        self._engine_values[(field, prefix.lower())] = list(values)
        _start, cur_field, cur_prefix = current_token(self.edit.text(), self.edit.cursorPosition())
        if cur_field == field and cur_prefix.lower().startswith(prefix.lower()):
            self._update_completions(ask_engine=False)

    def candidates(self) -> list[str]:
        """Completion strings for the token at the cursor."""
        _start, field, prefix = current_token(self.edit.text(), self.edit.cursorPosition())
        low = prefix.lower()
        if field is None:
            if len(prefix) < 2:
                return []  # a popup on every word's first letter would be a nuisance
            return [f"{f}:" for f in FIELDS if f.startswith(low) and f != low]
        values: list[str] = []
        facet = FACET_FIELDS.get(field)
        if facet:
            values += self._facet_values.get(facet, [])
        for (f, p), found in self._engine_values.items():
            if f == field and low.startswith(p):
                values += found
        seen: set[str] = set()
        out: list[str] = []
        for v in values:
            if v.lower().startswith(low) and v.lower() not in seen:
                seen.add(v.lower())
                out.append(f"{field}:{quote_value(v)}")
        return out

    def _update_completions(self, ask_engine: bool = True) -> None:
        start, field, prefix = current_token(self.edit.text(), self.edit.cursorPosition())
        if field is not None and ask_engine and field not in ("date",):
            self.completionWanted.emit(field, prefix)
        items = self.candidates()
        self.completer_model.setStringList(items)
        token = self.edit.text()[start : self.edit.cursorPosition()]
        if not items or token in items:
            self.hide_popup()
            return
        self.completer.setCompletionPrefix(token.replace('"', ""))
        if self.completer.completionCount() == 0:
            # Quoted values do not prefix-match the raw token; show them unfiltered.
            self.completer.setCompletionPrefix("")
        self.completer.complete()

    def insert_completion(self, completion: str) -> None:
        """Replace the token at the cursor with ``completion``."""
        text = self.edit.text()
        cursor = self.edit.cursorPosition()
        start, _field, _prefix = current_token(text, cursor)
        # Take the rest of the token too when completing in the middle of it.
        end = cursor
        while end < len(text) and not text[end].isspace():
            end += 1
        suffix = "" if completion.endswith(":") else " "
        new = text[:start] + completion + suffix + text[end:].lstrip()
        self.edit.setText(new)
        self.edit.setCursorPosition(start + len(completion) + len(suffix))
        self.hide_popup()
        if not completion.endswith(":"):
            self._debounce.start()

    # Problems -------------------------------------------------------------------------------
    def show_problem(self, problem: QueryProblem | None, suggestion: str | None = None) -> None:
        """Mark a query problem where it is and explain it below; or show a 'did you mean'."""
        self._problem = problem
        self._suggestion = suggestion
        self._fix = None
        c = theme.colors(self.palette())
        parts: list[str] = []
        if problem is not None:
            parts.append(f"<span>⚠ {html.escape(problem.message)}</span>")
            if problem.corrected and problem.applied:
                # A mild problem: the engine already ran the corrected query.
                self._fix = problem.corrected
                parts.append(
                    f'<span style="color:{c.muted.name()}">showing results for</span> '
                    f"<b>{html.escape(problem.corrected)}</b> · "
                    f'<a href="fix" style="color:{c.accent.name()}">Use corrected query</a>'
                )
            elif problem.corrected:
                self._fix = problem.corrected
                parts.append(
                    f'Did you mean <a href="fix" style="color:{c.accent.name()}">'
                    f"{html.escape(problem.corrected)}</a>? "
                    f'<a href="fix" style="color:{c.accent.name()}">Use corrected query</a>'
                )
        elif suggestion:
            self._fix = suggestion
            parts.append(
                f'<span style="color:{c.muted.name()}">Did you mean</span> '
                f'<a href="fix" style="color:{c.accent.name()}">{html.escape(suggestion)}</a>'
                f'<span style="color:{c.muted.name()}">?</span>'
            )
        text = " &nbsp; ".join(parts)
        # Only touch what changed: a new label text or a re-polish relayouts the whole window.
        if text != self.problem_label.text():
            self.problem_label.setText(text)
        fatal = problem is not None and not problem.applied  # only then nothing ran
        if self.edit.property("problem") != fatal:
            self.edit.setProperty("problem", fatal)
            self.edit.style().unpolish(self.edit)
            self.edit.style().polish(self.edit)
        span = self.problem_span()
        if span is not None:
            self._set_format(*span)
        else:
            self._clear_format()

    def showing_message(self) -> bool:
        """True when a problem or suggestion is shown under the query."""
        return bool(self.problem_label.text())

    def problem(self) -> QueryProblem | None:
        """The problem shown, if any."""
        return self._problem

    def problem_text(self) -> str:
        """The problem line as plain text."""
        return re.sub(r"<[^>]+>", "", html.unescape(self.problem_label.text())).replace("\xa0", " ")

    def problem_span(self) -> tuple[int, int] | None:
        """(start, length) of the underlined part of the query, if any."""
        p = self._problem
        if p is None or p.position is None:
            return None
        text_len = len(self.edit.text())
        start = max(0, min(p.position, text_len))
        length = p.length if p.length > 0 else max(1, text_len - start)
        if start >= text_len:
            # A problem at the very end (an unclosed quote): underline the last character.
            start, length = max(0, text_len - 1), 1
        return start, min(length, text_len - start)

    def fix(self) -> str | None:
        """The corrected query the link offers."""
        return self._fix

    def _on_link(self, _href: str) -> None:
        if self._fix is not None:
            self.set_text(self._fix, submit=True)

    def _set_format(self, start: int, length: int) -> None:
        # QLineEdit has no per-range formatting; the input-method preedit formats are the
        # documented way to underline part of its text without replacing the widget.
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(theme.colors(self.palette()).error)
        fmt.setForeground(theme.colors(self.palette()).error)
        attr = QInputMethodEvent.Attribute(
            QInputMethodEvent.AttributeType.TextFormat,
            start - self.edit.cursorPosition(),
            length,
            fmt,
        )
        QCoreApplication.sendEvent(self.edit, QInputMethodEvent("", [attr]))

    def _clear_format(self) -> None:
        QCoreApplication.sendEvent(self.edit, QInputMethodEvent("", []))
