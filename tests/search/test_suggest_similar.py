"""Did-you-mean suggestions and more-like-this."""

from __future__ import annotations

from search_fixtures import TODAY

from search.engine import SearchEngine
from search.model import SearchRequest
from search.suggest import correction


def suggestion(engine: SearchEngine, query: str) -> str | None:
    return engine.search(SearchRequest(query=query, today=TODAY)).suggestion


def test_misspelt_word_is_corrected(engine: SearchEngine) -> None:
    assert suggestion(engine, "recesion") == "recession"
    assert suggestion(engine, "Recesion fears") == "Recession fears"
    assert suggestion(engine, "recesion date:2024") == "recession date:2024"
    assert suggestion(engine, "title:recesion") == "title:recession"


def test_suggestion_finds_results(engine: SearchEngine) -> None:
    fixed = suggestion(engine, "recesion market")
    assert fixed == "recession market"
    assert engine.search(SearchRequest(query=fixed)).total == 1
    # Words seen in fewer than three articles are not offered (typos in the archive itself).
    assert suggestion(engine, "ecnomists") is None


def test_no_suggestion_when_the_query_finds_enough(engine: SearchEngine) -> None:
    assert suggestion(engine, "recession") is None
    assert suggestion(engine, "missile") is None
    assert suggestion(engine, "zzyzx") is None  # nothing close
    assert suggestion(engine, "-recesion") is None  # negated words are not suggested


def test_correction_prefers_frequent_close_words() -> None:
    vocab = sorted(["missile", "missiles", "mistle", "mission"])
    freqs = {"missile": 50, "missiles": 40, "mistle": 3, "mission": 30}
    f = [freqs[w] for w in vocab]
    assert correction("misile", vocab, f, 0) == "missile"
    assert correction("missile", vocab, f, 50) is None
    assert correction("ab", vocab, f, 0) is None


def test_more_like_this(engine: SearchEngine) -> None:
    similar = engine.more_like_this("a01", limit=5)
    ids = [h.id for h in similar]
    assert "a01" not in ids
    assert ids[:2] == ["a33", "a34"]  # the copies first
    assert "a02" in ids  # same launch, other words
    assert all(h.snippets for h in similar)
    assert [h.rank for h in similar] == list(range(len(similar)))
    assert engine.more_like_this("a01", limit=1)[0].id == "a33"
    assert engine.more_like_this("missing") == ()
    assert engine.more_like_this("a01", limit=0) == ()
