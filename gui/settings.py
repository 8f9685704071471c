"""Remembered state: window geometry, splitter sizes, recent queries, index location, archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "Copydesk"
APPLICATION = "Copydesk"
MAX_RECENT = 25


def _as_list(value: Any) -> list[str]:
    # QSettings' INI backend returns a one-element list as a bare string and an empty one as None.
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


class AppSettings:
    """Typed access to the app's QSettings (the caller chooses organization and scope)."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.qsettings = settings if settings is not None else QSettings()

    # Recent queries -------------------------------------------------------------------------
    def recent_queries(self) -> list[str]:
        """Most recent first."""
        return _as_list(self.qsettings.value("search/recent"))

    def add_recent_query(self, query: str) -> list[str]:
        """Put ``query`` first in the history (deduplicated, capped); returns the new list."""
        query = query.strip()
        if not query:
            return self.recent_queries()
        items = [query] + [q for q in self.recent_queries() if q != query]
        items = items[:MAX_RECENT]
        self.qsettings.setValue("search/recent", items)
        return items

    def clear_recent_queries(self) -> None:
        """Forget the history."""
        self.qsettings.remove("search/recent")

    # Index and archive ----------------------------------------------------------------------
    def index_dir(self) -> Path | None:
        """The configured index location, or None for the default."""
        value = self.qsettings.value("index/dir")
        return Path(str(value)) if value else None

    def set_index_dir(self, path: Path | None) -> None:
        """Remember the index location (None: back to the default)."""
        if path is None:
            self.qsettings.remove("index/dir")
        else:
            self.qsettings.setValue("index/dir", str(path))

    def archive_paths(self) -> list[str]:
        """Folders and files the archive is built from."""
        return _as_list(self.qsettings.value("archive/paths"))

    def set_archive_paths(self, paths: list[str]) -> None:
        """Remember the archive's folders and files."""
        self.qsettings.setValue("archive/paths", list(paths))

    # Window state ---------------------------------------------------------------------------
    def geometry(self) -> QByteArray | None:
        """Saved main-window geometry."""
        value = self.qsettings.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, data: QByteArray) -> None:
        """Remember the main-window geometry."""
        self.qsettings.setValue("window/geometry", data)

    def splitter(self, name: str) -> QByteArray | None:
        """Saved state of a named splitter."""
        value = self.qsettings.value(f"window/splitter/{name}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_splitter(self, name: str, data: QByteArray) -> None:
        """Remember a named splitter's sizes."""
        self.qsettings.setValue(f"window/splitter/{name}", data)

    # Search options -------------------------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        """A raw value."""
        return self.qsettings.value(key, default)

    def get_bool(self, key: str, default: bool = False) -> bool:
        """A boolean (INI files store them as strings)."""
        value = self.qsettings.value(key, default)
        if isinstance(value, str):
            return value.lower() in {"1", "true", "yes", "on"}
        return bool(value)

    def set(self, key: str, value: Any) -> None:
        """Store a raw value."""
        self.qsettings.setValue(key, value)

    def sync(self) -> None:
        """Write to disk now."""
        self.qsettings.sync()
