"""GUI test setup: offscreen Qt, isolated QSettings, fixture articles, indexes and windows."""

from __future__ import annotations

import multiprocessing as mp
import os

# Before any Qt import: without a display Qt would abort the interpreter.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from gui_fakes import FakeEngine, article, fake_factories
from PySide6.QtCore import QCoreApplication, QSettings

from index.model import Article

FLOOD_A = (
    "Residents of three river towns were told to move to higher ground on Saturday. "
    "The river is expected to peak at 9.5 metres on Sunday morning. "
    "Emergency crews filled sandbags through the night. "
    "The mayor said the town had prepared for weeks."
)
FLOOD_B = (
    "Residents of three river towns were told to move to higher ground on Saturday. "
    "The river is expected to peak at 9.8 metres on Sunday morning. "
    "Emergency crews filled sandbags through the night. "
    "Schools will stay closed on Monday."
)


def _dt(y: int, m: int, d: int, h: int = 9) -> datetime:
    return datetime(y, m, d, h, 0, tzinfo=UTC)


@pytest.fixture
def articles() -> list[Article]:
    """Six articles: a flood story in two versions, others across outlets, wires and dates."""
    return [
        article(
            "flood-abc",
            "Flood warning issued for river towns",
            FLOOD_A,
            source="ABC News",
            wires=("AP",),
            when=_dt(2019, 5, 4, 8),
            byline="Jane Doe",
            url="https://abc.example/flood",
            removed=("READ MORE: Storm season", "Share this article"),
        ),
        article(
            "flood-courier",
            "Flood warning for river towns",
            FLOOD_B,
            source="The Courier",
            wires=("AP",),
            when=_dt(2019, 5, 4, 11),
        ),
        article(
            "insurance",
            "Flood insurance claims rise after storms",
            "Insurers reported a rise in flood claims across the region. Premiums may follow.",
            source="Reuters",
            wires=("Reuters",),
            when=_dt(2019, 6, 10),
        ),
        article(
            "budget",
            "Council approves budget",
            "The council approved its budget with new money for flood defences and roads.",
            source="The Courier",
            when=_dt(2019, 5, 20),
        ),
        article(
            "drought",
            "Drought hits farmers",
            "Farmers face a second dry year as the drought deepens.",
            source="ABC News",
            wires=("Reuters",),
            when=_dt(2019, 7, 1),
        ),
        article(
            "election",
            "Wahlergebnis: knappe Mehrheit",
            "Die Wahl endete mit einer knappen Mehrheit; flood control was a theme.",
            source=None,
            language="de",
        ),
    ]


GROUPS = {"flood-abc": "story-flood", "flood-courier": "story-flood"}


@pytest.fixture(autouse=True)
def no_search_process_left() -> Iterator[None]:
    """Every window stops its search process: none may outlive the test."""
    yield
    left = [p for p in mp.active_children() if p.name == "copydesk-search"]
    assert not left, f"search processes left running: {left}"


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path) -> Iterator[Path]:
    """Every test writes QSettings into its own temp folder, never the user's."""
    folder = tmp_path / "settings"
    folder.mkdir()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.SystemScope, str(folder))
    QCoreApplication.setOrganizationName("CopydeskTests")
    QCoreApplication.setApplicationName("CopydeskTests")
    yield folder


def write_index(root: Path, items: list[Article]) -> Path:
    """A real published Copydesk index holding ``items`` (written directly, no readers)."""
    from index import store
    from index.schema import to_document

    build = root / "b"
    build.mkdir(parents=True)
    ix = store.create_generation(build, {})
    writer = ix.writer()
    for a in items:
        writer.add_document(**to_document(a))
    writer.commit()
    store.publish(root, build)
    return root


@pytest.fixture
def real_window(qtbot: Any, fixture_index: Path, tmp_path: Path) -> Iterator[Any]:
    """A window on the fixture index with the real engine, after its first search answered."""
    from gui.main_window import MainWindow
    from gui.settings import AppSettings

    win = MainWindow(fixture_index, settings=AppSettings(), demo_dir=tmp_path / "no-demo")
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.search.pageReady, timeout=30_000):
        win.start()
    yield win
    win.shutdown()


@pytest.fixture
def fixture_index(tmp_path: Path, articles: list[Article]) -> Path:
    """A real index of the fixture articles."""
    return write_index(tmp_path / "index", articles)


@pytest.fixture
def make_window(
    qtbot: object, tmp_path: Path, articles: list[Article]
) -> Iterator[Callable[..., object]]:
    """Builds a MainWindow on fake engine/story factories; shuts it down after the test."""
    from gui.main_window import MainWindow
    from gui.settings import AppSettings

    windows: list[MainWindow] = []

    def make(**kwargs: object) -> tuple[MainWindow, FakeEngine]:
        engine, engine_factory, story_factory = fake_factories(
            articles,
            GROUPS,
            kwargs.pop("before", None),  # type: ignore[arg-type]
        )
        index_dir = kwargs.pop("index_dir", None) or tmp_path / "fake-index"
        window = MainWindow(
            Path(index_dir),  # type: ignore[arg-type]
            settings=AppSettings(),
            engine_factory=engine_factory,
            story_factory=story_factory,
            demo_dir=Path(kwargs.pop("demo_dir", tmp_path / "no-demo")),  # type: ignore[arg-type]
        )
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        windows.append(window)
        return window, engine

    yield make
    for w in windows:
        w.shutdown()
