"""The cached py3langid model: same answers as py3langid's own loader, robust cache handling."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import langid_model

TEXTS = [
    "The government said on Tuesday that it would raise the price of bread from next month.",
    "Die Regierung hat am Dienstag angekündigt, den Brotpreis im nächsten Monat zu erhöhen.",
    "Le gouvernement a annoncé mardi qu'il augmenterait le prix du pain le mois prochain.",
    "El gobierno anunció el martes que subirá el precio del pan el próximo mes.",
    "Shr 12 cts vs 10 cts Net 1.2 mln vs 980,000 Revs 14.5 mln vs 12.1 mln",
]


@pytest.fixture(scope="module")
def reference() -> object:
    return langid_model.load_identifier(use_cache=False)


def _answers(identifier: object) -> list[tuple[str, float]]:
    out = []
    for text in TEXTS:
        code, prob = identifier.classify(text)  # type: ignore[attr-defined]
        out.append((str(code), round(float(prob), 6)))
    return out


def test_cached_model_answers_like_py3langid(tmp_path: Path, reference: object) -> None:
    first = langid_model.load_identifier(tmp_path)
    cached = list(tmp_path.glob("langid-model-*.npz"))
    assert len(cached) == 1
    second = langid_model.load_identifier(tmp_path)  # read from the cache this time
    assert _answers(first) == _answers(second) == _answers(reference)
    assert not list(tmp_path.glob("*.tmp"))


def test_damaged_cache_is_rewritten(tmp_path: Path, reference: object) -> None:
    path = langid_model.cache_path(tmp_path, langid_model.model_file())
    path.write_bytes(b"not a model")
    identifier = langid_model.load_identifier(tmp_path)
    assert _answers(identifier) == _answers(reference)
    assert path.stat().st_size > 1_000_000


def test_unwritable_cache_falls_back(tmp_path: Path, reference: object) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    identifier = langid_model.load_identifier(blocker / "cache")
    assert _answers(identifier) == _answers(reference)
