"""A small on-disk cache of parsed presets, so a preset estimate starts fast.

Reading a preset needs pint (units) and pydantic (validation), which together cost
several times the start-up of the CLI itself. Their result is plain dataclasses,
pickled here under a fingerprint of the files they came from; any change to a file,
or a new costcalc version, misses the cache and rebuilds it. The cache is an
optimisation only: if the folder cannot be written, everything still works.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def cache_dir() -> Path | None:
    """The cache folder: $COSTCALC_CACHE_DIR, else the XDG cache home; None if disabled.

    Setting COSTCALC_CACHE_DIR to an empty string turns the cache off.
    """
    configured = os.environ.get("COSTCALC_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "costcalc"


def fingerprint(paths: Iterable[Path], salt: str) -> str:
    """A key that changes whenever one of the files changes, appears or disappears."""
    parts = [salt]
    for path in sorted(paths):
        stat = path.stat()
        parts.append(f"{path}:{stat.st_mtime_ns}:{stat.st_size}")
    return "\n".join(parts)


def cached(name: str, key: str, build: Callable[[], T]) -> T:
    """Return the value cached under `name` if its key matches, else build and store it."""
    folder = cache_dir()
    path = folder / f"{name}.pickle" if folder else None
    if path is not None:
        try:
            with path.open("rb") as stream:
                stored_key, value = pickle.load(stream)
            if stored_key == key:
                return value  # type: ignore[no-any-return]
        except Exception:  # a missing, stale or corrupt cache is simply rebuilt
            pass
    value = build()
    if path is not None:
        _store(path, (key, value))
    return value


def _store(path: Path, payload: object) -> None:
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as stream:
            pickle.dump(payload, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(stream.name, path)
    except OSError:
        pass
