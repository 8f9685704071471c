"""copydesk-index commands through main(argv)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from index import store
from index.cli import EXIT_BUSY, EXIT_FATAL, EXIT_OK, main


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    (root / "herald").mkdir(parents=True)
    (root / "herald" / "storm.txt").write_text(
        "Storm closes coastal road\n\nLONDON (Reuters) - A storm closed the coastal road on Friday.\n\n"
        "Crews worked through the night to clear fallen trees.\n",
        encoding="utf-8",
    )
    (root / "export.jsonl").write_text(
        json.dumps(
            {
                "id": "exp-7",
                "headline": "Museum reopens after renovation",
                "text": "The city museum reopened its doors after a two-year renovation.",
                "publisher": "Valley Times",
                "published": "2025-06-03",
                "author": "Ana Ruiz",
                "url": "https://valley.example/museum",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    return root


def test_rebuild_stats_export(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    idx = tmp_path / "idx"
    assert (
        main(["rebuild", str(archive), "--index", str(idx), "--quiet", "--workers", "0"]) == EXIT_OK
    )
    out = capsys.readouterr().out
    assert "indexed 2" in out and "articles/s" in out

    assert main(["stats", "--index", str(idx), "--json"]) == EXIT_OK
    stats = json.loads(capsys.readouterr().out)
    assert stats["articles"] == 2
    assert stats["sources"]["Valley Times"] == 1
    assert stats["wires"]["Reuters"] == 1
    assert stats["years"]["2025"] == 1
    assert stats["bytes_on_disk"] > 0

    assert main(["export", "--index", str(idx), "--format", "jsonl"]) == EXIT_OK
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_id = {r["id"]: r for r in records}
    assert "exp-7" in by_id  # the input's id is the article id
    museum = by_id["exp-7"]
    assert museum["title"] == "Museum reopens after renovation"
    assert museum["source"] == "Valley Times"
    assert museum["date"].startswith("2025-06-03")
    assert museum["byline"] == "Ana Ruiz"
    assert museum["url"] == "https://valley.example/museum"
    assert museum["path"].endswith("export.jsonl#1")
    assert "body" not in museum

    out_file = tmp_path / "out.csv"
    rc = main(
        ["export", "--index", str(idx), "--format", "csv", "--with-body", "-o", str(out_file)]
    )
    assert rc == EXIT_OK
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8"))))
    assert len(rows) == 2
    storm = next(r for r in rows if r["title"] == "Storm closes coastal road")
    assert storm["wires"] == "Reuters"
    assert "fallen trees" in storm["body"]


def test_update_json_summary(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    idx = tmp_path / "idx"
    main(["rebuild", str(archive), "--index", str(idx), "-q", "--workers", "0"])
    capsys.readouterr()
    (archive / "herald" / "new.txt").write_text(
        "Ferry timetable changes\n\nThe ferry runs hourly.\n"
    )
    assert (
        main(["update", str(archive), "--index", str(idx), "-q", "--json", "--workers", "0"]) == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["indexed"] == 1 and summary["total_articles"] == 3
    assert summary["unchanged_files"] == 2


def test_source_and_field_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "rows.csv"
    data.write_text("1,Dam opens early,The new dam opened a week early.\n", encoding="utf-8")
    idx = tmp_path / "idx"
    rc = main(
        [
            "rebuild", str(data), "--index", str(idx), "-q", "--workers", "0",
            "--source", "Summit Gazette", "--field", "title=2", "--field", "body=3",
        ]
    )  # fmt: skip
    assert rc == EXIT_OK
    capsys.readouterr()
    main(["export", "--index", str(idx)])
    record = json.loads(capsys.readouterr().out)
    assert record["title"] == "Dam opens early"
    assert record["source"] == "Summit Gazette"


def test_busy_index_is_a_message(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    idx = tmp_path / "idx"
    main(["rebuild", str(archive), "--index", str(idx), "-q", "--workers", "0"])
    with store.WriteLock(idx):
        rc = main(["update", str(archive), "--index", str(idx), "-q"])
    assert rc == EXIT_BUSY
    err = capsys.readouterr().err
    assert "index is busy" in err and "Traceback" not in err


def test_missing_index_is_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--index", str(tmp_path / "nowhere")]) == EXIT_FATAL
    err = capsys.readouterr().err
    assert "no Copydesk index" in err and "rebuild" in err


def test_bad_folder_source_is_a_message(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(
        ["rebuild", str(archive), "--index", str(tmp_path / "i"), "--folder-source", "nonsense"]
    )
    assert rc == EXIT_FATAL
    assert "FOLDER=NAME" in capsys.readouterr().err


def test_folder_source(archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    idx = tmp_path / "idx"
    spec = f"{archive / 'herald'}=Harbour Herald"
    assert (
        main(
            [
                "rebuild",
                str(archive),
                "--index",
                str(idx),
                "-q",
                "--workers",
                "0",
                "--folder-source",
                spec,
            ]
        )
        == 0
    )
    capsys.readouterr()
    main(["export", "--index", str(idx)])
    records = {r["title"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert records["Storm closes coastal road"]["source"] == "Harbour Herald"
    assert records["Museum reopens after renovation"]["source"] == "Valley Times"


def test_cache_dir_holds_the_language_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--cache-dir reaches the worker processes: a non-English article caches the model there."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "de.txt").write_text(
        "Regierung erhöht Brotpreis\n\nDie Regierung hat am Dienstag angekündigt, den Preis für "
        "Brot im nächsten Monat zu erhöhen. Die Bäcker sind mit dieser Entscheidung nicht "
        "einverstanden und wollen dagegen protestieren.\n",
        encoding="utf-8",
    )
    cache = tmp_path / "cache"
    argv = ["rebuild", str(folder), "--index", str(tmp_path / "ix"), "--workers", "1", "-q"]
    code = main([*argv, "--cache-dir", str(cache), "--json"])
    assert code == EXIT_OK
    assert json.loads(capsys.readouterr().out)["indexed"] == 1
    assert len(list(cache.glob("langid-model-*.npz"))) == 1
