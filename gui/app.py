"""The ``copydesk`` command: start the desktop app (or render a screenshot of it and exit)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

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
    parser.add_argument(
        "--engine",
        choices=("process", "thread"),
        default="process",
        help="where searches run: a child process (default; keeps the window responsive) "
        "or threads of the app's own process (for debugging)",
    )
    return parser.parse_args(list(argv) if argv is not None else None)


IDLE_COLLECT_S = 1.0  # "idle": no search for this long
FULL_COLLECT_S = 60.0  # a full collection (then a freeze) at most this often, when idle


def tune_gc(window: MainWindow) -> Callable[[], None]:
    """Keep full garbage collections out of searches and typing.

    A full collection walks every live object and pauses whichever thread triggered it, the
    window included: 50–150 ms with the engine's arrays and Whoosh's caches alive (measured by
    bench/gui_bench.py). So everything alive at the first results is frozen out of the
    collector's way (``gc.freeze`` is O(1)); the young generations are still collected
    automatically (cheap), but full collections run only from a timer, when no search has run
    for a second, and what survives them is frozen too, so each walks only what is new.
    Returns a function that undoes all this.
    """
    now = time.monotonic()
    state = {"busy_at": now, "full_at": now}
    thresholds = gc.get_threshold()

    def freeze(_page: object) -> None:
        window.search.pageReady.disconnect(freeze)
        gc.freeze()

    def busy(_flag: bool) -> None:
        state["busy_at"] = time.monotonic()

    def tick() -> None:
        now = time.monotonic()
        idle = not window.search.busy and now - state["busy_at"] >= IDLE_COLLECT_S
        if idle and now - state["full_at"] >= FULL_COLLECT_S:
            gc.collect()
            gc.freeze()
            state["full_at"] = now

    window.search.pageReady.connect(freeze)
    window.search.busyChanged.connect(busy)
    # A huge third threshold: the interpreter never starts a full collection by itself.
    gc.set_threshold(thresholds[0], thresholds[1], 1_000_000_000)
    timer = QTimer(window)
    timer.setInterval(1000)
    timer.timeout.connect(tick)
    timer.start()

    def restore() -> None:
        timer.stop()
        gc.unfreeze()
        gc.set_threshold(*thresholds)

    return restore


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

    window = MainWindow(index_dir, settings=settings, today=args.today, engine_mode=args.engine)
    restore_gc = tune_gc(window)
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
    restore_gc()  # main() may run inside a longer-lived process (tests)
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
