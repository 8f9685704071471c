"""The ``copydesk`` command: start the desktop app (or render a screenshot of it and exit)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gui.main_window import MainWindow

VIEWS = ("results", "story", "diff")
SCREENSHOT_SIZE = (1600, 1000)
SCREENSHOT_TIMEOUT_MS = 180_000


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="copydesk", description="Desktop search engine for news archives."
    )
    parser.add_argument("--index", type=Path, help="index directory (default: the per-user one)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="index the bundled demo archive into an app-data index and open it",
    )
    parser.add_argument("--query", help="search for this when the window opens")
    parser.add_argument(
        "--screenshot", type=Path, metavar="FILE.png", help="save a picture and exit"
    )
    parser.add_argument(
        "--view", choices=VIEWS, default="results", help="what the screenshot shows"
    )
    parser.add_argument(
        "--today", type=date.fromisoformat, metavar="YYYY-MM-DD", help="pin relative dates"
    )
    parser.add_argument("--size", default=None, help="screenshot window size, e.g. 1600x1000")
    return parser.parse_args(list(argv) if argv is not None else None)


def tune_gc(window: MainWindow) -> None:
    """Move everything alive at the first results out of the collector's way.

    The engine's index arrays and Whoosh's caches are long-lived; without this a full
    collection walks them all and pauses the window for 50–90 ms (measured by
    bench/gui_bench.py). ``gc.freeze`` is O(1) and only excludes what already exists.
    """

    def freeze(_page: object) -> None:
        window.search.pageReady.disconnect(freeze)
        gc.freeze()

    window.search.pageReady.connect(freeze)


def demo_index_dir() -> Path:
    """Where --demo keeps its index (beside the default index, never in it)."""
    from index import store

    return store.default_index_dir().parent / "demo-index"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app; returns the exit status."""
    args = parse_args(argv)
    if args.screenshot is not None and "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen

    from PySide6.QtWidgets import QApplication

    from gui import theme
    from gui.main_window import MainWindow
    from gui.settings import APPLICATION, ORGANIZATION, AppSettings
    from index import store

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    if not app.organizationName():
        app.setOrganizationName(ORGANIZATION)
    if app.applicationName() in ("", "python", "python3", Path(sys.argv[0]).name):
        app.setApplicationName(APPLICATION)
    app.setWindowIcon(theme.app_icon())

    settings = AppSettings()
    if args.demo:
        index_dir = demo_index_dir()
    else:
        index_dir = args.index or settings.index_dir() or store.default_index_dir()

    window = MainWindow(index_dir, settings=settings, today=args.today)
    tune_gc(window)
    driver = None
    if args.screenshot is not None:
        from gui.screenshot import ScreenshotDriver

        width, height = SCREENSHOT_SIZE
        if args.size:
            width, height = (int(x) for x in args.size.lower().split("x"))
        window.resize(width, height)
        driver = ScreenshotDriver(window, args.screenshot, args.view, SCREENSHOT_TIMEOUT_MS)
        if args.view in ("story", "diff"):
            window.set_grouping(True, search=False)
    window.show()
    if args.demo:
        window.start_demo(args.query)
    else:
        window.start(args.query)
    status = app.exec()
    if driver is not None:
        status = driver.status
    window.shutdown()
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
