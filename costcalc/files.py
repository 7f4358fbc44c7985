"""Writing output files completely or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from costcalc.errors import InputError


@contextlib.contextmanager
def atomic_write(path: Path, mode: str = "w", flag: str = "--output") -> Iterator[IO[Any]]:
    """Write to a temporary file beside `path`, then rename it into place.

    If anything fails before the rename, including an error raised by the caller's
    writing code, the temporary file is removed and `path` is left as it was. The
    file gets the permissions a plain write would give it: those of the file it
    replaces, else the umask's (a temporary file is created owner-only).
    `flag` names the option the path came from, for error messages.

    Raises:
        InputError: the folder does not exist or cannot be written.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(f"{flag} {path}: is a directory")
    if not folder.is_dir():
        raise InputError(f"{flag} {path}: folder {str(folder)!r} does not exist")
    encoding = None if "b" in mode else "utf-8"
    newline = None if "b" in mode else ""
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, then renamed)
            mode,
            dir=folder,
            prefix=f".{path.name}.",
            suffix=".part",
            delete=False,
            encoding=encoding,
            newline=newline,
        )
    except OSError as error:
        raise InputError(f"{flag} {path}: cannot write: {error.strerror or error}") from None
    try:
        with handle:
            yield handle
        os.chmod(handle.name, _mode_for(path))
        os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


def _mode_for(path: Path) -> int:
    """The permission bits of the file being replaced, or what the umask allows."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
