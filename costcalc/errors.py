"""The errors costcalc raises on purpose, and the exit code each one maps to.

Every message is written for the person at the keyboard: it is printed as a single
line on stderr, so it names the bad value and, for names, the nearest valid one.

    CostcalcError                 exit 2: bad input of any kind
    ├── InputError                a value given on the command line or to the API
    │   ├── UnitError             a quantity with an unknown unit or the wrong dimension
    │   └── UnsupportedPrecision  a precision the chip has no peak figure for
    ├── UnknownName               a preset, GPU, field path or currency that does not exist
    │   └── UnknownItem           a line item or metric an estimate does not have
    └── PresetError               a preset file that cannot be read, parsed or validated
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

EXIT_OK = 0
EXIT_DRIFT = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class CostcalcError(Exception):
    """Base class; the message is shown to the user as one line."""

    exit_code = EXIT_BAD_INPUT


class InputError(CostcalcError):
    """A value given by the user is impossible or malformed."""


class UnitError(InputError):
    """A quantity has an unknown unit or the wrong dimension."""


class UnsupportedPrecision(InputError):
    """The chip has no peak figure at the requested precision."""


class UnknownName(CostcalcError):
    """A name that does not exist; the message suggests the closest valid one."""

    def __init__(self, kind: str, name: str, valid: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        self.valid = sorted(set(valid))
        self.suggestion = closest(name, self.valid)
        message = f"unknown {kind} {name!r}"
        if self.suggestion is not None:
            message += f"; did you mean {self.suggestion!r}?"
        elif self.valid:
            shown = ", ".join(self.valid[:8]) + (", ..." if len(self.valid) > 8 else "")
            message += f" (valid: {shown})"
        super().__init__(message)


class UnknownItem(UnknownName, KeyError):
    """A line item or metric an estimate does not have.

    Also a KeyError, as a missing key in a mapping-like lookup is one; its message
    stays the plain sentence (KeyError would quote it).
    """

    def __str__(self) -> str:
        return Exception.__str__(self)


class PresetError(CostcalcError):
    """A preset file that cannot be read, parsed or validated.

    The message names the file and, where known, the field and the reason.
    """

    def __init__(self, path: Path | str, reason: str, field: str | None = None) -> None:
        self.path = str(path)
        self.field = field
        self.reason = reason
        shown = field if field is None or field.isprintable() else repr(field)
        where = f"{self.path}: {shown}: " if field else f"{self.path}: "
        super().__init__(where + reason)


def closest(name: str, valid: Iterable[str]) -> str | None:
    """The valid name most like `name`, compared case-insensitively, or None."""
    import difflib

    by_folded = {candidate.casefold(): candidate for candidate in valid}
    matches = difflib.get_close_matches(name.casefold(), list(by_folded), n=1, cutoff=0.5)
    return by_folded[matches[0]] if matches else None
