"""Walk the paths a user gave and list the files to read, in a stable order."""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from index.model import ReadError
from index.readers._common import error, os_error_reason


def _match(patterns: Sequence[str], rel: str, name: str) -> bool:
    # Case-insensitive everywhere so "*.TXT" behaves the same on Linux as on Windows and macOS;
    # "**/x" also matches x at the top level, as users expect from shell globs.
    rel, name = rel.lower(), name.lower()
    for pattern in patterns:
        pat = pattern.lower().replace("\\", "/")
        while pat.startswith("**/"):
            pat = pat[3:]
        if fnmatch.fnmatchcase(rel, pat) or fnmatch.fnmatchcase(name, pat):
            return True
        if pat.endswith("/") and (rel + "/").startswith(pat):
            return True
    return False


def discover(
    paths: Sequence[str | Path],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    *,
    include_hidden: bool = False,
) -> Iterator[Path | ReadError]:
    """Yield the files under ``paths`` (folders recursively, sorted), or a ReadError per problem.

    ``include``/``exclude`` are fnmatch globs tried against the path relative to its root and
    against the file name; an excluded folder is not entered. Hidden entries (".name") below a
    root are skipped unless ``include_hidden``. Paths are the root joined with the relative path,
    so they stay in the form the caller gave.
    """
    seen_files: set[tuple[int, int]] = set()
    for given in paths:
        root = Path(given)
        try:
            st = root.stat()
        except FileNotFoundError:
            reason = "broken symbolic link" if root.is_symlink() else "no such file or directory"
            yield error(root, reason)
            continue
        except OSError as exc:
            yield error(root, os_error_reason(exc))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(root, st, include, exclude, include_hidden, seen_files)
            continue
        if not stat.S_ISREG(st.st_mode):
            yield error(root, "not a regular file")
            continue
        if include and not _match(include, root.name, root.name):
            continue
        if exclude and _match(exclude, root.name, root.name):
            continue
        if st.st_ino and (st.st_dev, st.st_ino) in seen_files:
            continue
        seen_files.add((st.st_dev, st.st_ino))
        yield root


_Item = Path | ReadError | tuple[Path, str]


def _walk(
    root: Path,
    root_st: os.stat_result,
    include: Sequence[str],
    exclude: Sequence[str],
    include_hidden: bool,
    seen_files: set[tuple[int, int]],
) -> Iterator[Path | ReadError]:
    # A stack of per-folder iterators (not recursion) keeps deep trees off the recursion limit and
    # yields in sorted relative-path order; visited (dev, inode) pairs stop symlink loops.
    visited: set[tuple[int, int]] = {(root_st.st_dev, root_st.st_ino)}

    def listing(folder: Path, prefix: str) -> list[_Item]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            return [error(folder, os_error_reason(exc))]
        items: list[_Item] = []
        for entry in entries:
            name = entry.name
            if not include_hidden and name.startswith("."):
                continue
            rel = f"{prefix}{name}"
            path = folder / name
            try:
                st = entry.stat()  # follows symlinks
            except FileNotFoundError:
                gone = "broken symbolic link" if entry.is_symlink() else "no such file or directory"
                items.append(error(path, gone))
                continue
            except OSError as exc:
                items.append(error(path, os_error_reason(exc)))
                continue
            key = (st.st_dev, st.st_ino)
            if stat.S_ISDIR(st.st_mode):
                if (exclude and _match(exclude, rel, name)) or key in visited:
                    continue
                visited.add(key)
                items.append((path, rel + "/"))
                continue
            if include and not _match(include, rel, name):
                continue
            if exclude and _match(exclude, rel, name):
                continue
            if not stat.S_ISREG(st.st_mode):
                items.append(error(path, "not a regular file"))
                continue
            if st.st_ino:  # some filesystems report 0 for every file
                if key in seen_files:
                    continue
                seen_files.add(key)
            items.append(path)
        return items

    stack: list[Iterator[_Item]] = [iter(listing(root, ""))]
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
        elif isinstance(item, tuple):
            stack.append(iter(listing(*item)))
        else:
            yield item
