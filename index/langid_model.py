"""py3langid's language model, loaded from an uncompressed copy in the user's cache folder.

py3langid ships its model LZMA-compressed (4.6 MB → 68 MB) and decompresses it on every load:
~0.6 s of CPU in each process that identifies a language, i.e. in every indexing worker at
start-up, before it indexes anything. The decompressed arrays (68 MB) are written once per model
file to the cache folder (the folder given, else ``$COPYDESK_CACHE_DIR``, else platformdirs'
``user_cache_dir``); later loads read them in ~0.1 s. Any problem with the cache (unwritable folder, damaged or foreign file) falls back to
py3langid's own loader: the cache can only make loading faster, never change the model.
"""

from __future__ import annotations

import contextlib
import hashlib
import lzma
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

CACHE_VERSION = 1


CACHE_ENV = "COPYDESK_CACHE_DIR"


def default_cache_dir() -> Path:
    """The cache folder used when no other is given: $COPYDESK_CACHE_DIR, else platformdirs'."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("copydesk", appauthor=False))


def model_file() -> Path:
    """The compressed model file py3langid ships."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return Path(MODEL_DIR) / MODEL_FILE


def cache_path(cache_dir: Path, source: Path) -> Path:
    """Where the uncompressed copy of ``source`` lives: named by the source's size and mtime."""
    st = source.stat()
    key = f"{CACHE_VERSION}:{source.resolve()}:{st.st_size}:{st.st_mtime_ns}"
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return cache_dir / f"langid-model-{digest}.npz"


def load_identifier(cache_dir: Path | None = None, *, use_cache: bool = True) -> Any:
    """A py3langid ``LanguageIdentifier`` with normalised probabilities (cached arrays if possible)."""
    from py3langid.langid import LanguageIdentifier

    if use_cache:
        with contextlib.suppress(Exception):  # any cache trouble: the slow, sure path below
            source = model_file()
            path = cache_path(cache_dir or default_cache_dir(), source)
            if path.is_file():
                try:
                    return _from_cache(LanguageIdentifier, path)
                except Exception:  # damaged (a full disk, a killed writer): write it afresh
                    path.unlink(missing_ok=True)
            _write_cache(source, path)
            return _from_cache(LanguageIdentifier, path)
    return LanguageIdentifier.from_model_file(str(model_file()), norm_probs=True)


def _write_cache(source: Path, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Two workers may start at once: each writes its own temporary file, the rename is atomic.
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out, lzma.open(source) as src:
            shutil.copyfileobj(src, out, length=1 << 20)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _from_cache(identifier_class: Any, path: Path) -> Any:
    import numpy as np
    from py3langid.modelio import _to_array

    # The same steps as py3langid.modelio.load_model after its decompression.
    with np.load(path, allow_pickle=False) as data:
        ptc, pc = data["ptc"], data["pc"]
        classes = data["classes"].tolist()
        nextmove = _to_array(data["nextmove"])
        row = _to_array(data["nextmove_row"])
        output = data["out_feat"].tolist()
    return identifier_class(
        np.asarray(ptc), np.asarray(pc), classes, nextmove, output, norm_probs=True, tk_row=row
    )
