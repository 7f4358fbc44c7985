"""The one pint registry of the program, and parsers for the values users type.

Pint costs about 0.15 s to import and 0.1 s to build a registry, so nothing here
touches it until a string with a unit has to be read: counts ("671B", "2,048") and
plain numbers are parsed without it, and presets are cached already parsed.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from costcalc.errors import UnitError

if TYPE_CHECKING:
    import pint

SUFFIXES = {"": 1.0, "K": 1e3, "k": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "T": 1e12, "P": 1e15}
_COUNT = re.compile(
    r"""^\s*
    (?P<number>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?)
    \s*(?P<suffix>[KkMBGTP]?)\s*$""",
    re.VERBOSE,
)

# What a dimension is called in messages, with an example a user can copy.
_DIMENSION_HINTS = {
    "USD": "money, like '30000 USD'",
    "USD/hour": "a price per GPU-hour, like '2 USD/hour'",
    "USD/kWh": "an energy price, like '0.08 USD/kWh'",
    "USD/kW/month": "a hosting price, like '184 USD/kW/month'",
    "USD/year": "a yearly cost, like '300000 USD/year'",
    "W": "a power, like '700 W'",
    "hour": "a duration, like '57 days' or '198 hours'",
    "day": "a duration, like '57 days'",
    "year": "a duration, like '4 years'",
    "GB": "a size, like '80 GB'",
    "TB/s": "a bandwidth, like '3.35 TB/s'",
    "GB/s": "a bandwidth, like '900 GB/s'",
}


@cache
def registry() -> pint.UnitRegistry[Any]:
    """The program's unit registry, built on first use and shared from then on."""
    from importlib import resources

    import pint

    from costcalc.cache import cache_dir

    folder = cache_dir()
    ureg: pint.UnitRegistry[Any] = pint.UnitRegistry(
        cache_folder=folder / "pint" if folder else None
    )
    definitions = resources.files("costcalc").joinpath("units.txt")
    with resources.as_file(definitions) as path:
        ureg.load_definitions(str(path))
    pint.set_application_registry(ureg)  # type: ignore[no-untyped-call]
    return ureg


def parse_count(value: str | float, *, field: str | None = None) -> float:
    """Read a count such as 2048, "2,048", "671B", "14.8T" or "2.788e6".

    Suffixes: K (thousand), M (million), B or G (billion), T (trillion), P.

    Raises:
        UnitError: the text is not a count, or is NaN or infinite.
    """
    if isinstance(value, bool):
        raise UnitError(f"{_prefix(field)}expected a number, got {value!r}")
    if isinstance(value, int | float):
        return _finite(float(value), field, value)
    match = _COUNT.match(value) if isinstance(value, str) else None
    try:
        mantissa = float(match["number"].replace(",", "")) if match else None
    except ValueError:
        mantissa = None
    if match is None or mantissa is None:
        raise UnitError(
            f"{_prefix(field)}expected a count like '2,048', '671B' or '14.8T', got {value!r}"
        )
    return _finite(mantissa * SUFFIXES[match["suffix"]], field, value)


def parse_quantity(value: str | float, unit: str, *, field: str | None = None) -> float:
    """Read a quantity and return its magnitude in `unit`.

    A bare number (or count with suffix) is taken to be in `unit` already; a string
    with a unit is converted, so "0.7 kW" for unit "W" gives 700.0.

    Raises:
        UnitError: unknown unit, wrong dimension, or a NaN or infinite value.
    """
    try:
        return parse_count(value, field=field)
    except UnitError:
        if not isinstance(value, str):
            raise
    text = value.strip()
    if not text or not (text[0].isdigit() or text[0] in "+-."):
        raise UnitError(f"{_prefix(field)}expected {_hint(unit)}, got {value!r}")
    ureg = registry()
    try:
        quantity: Any = ureg.Quantity(text)
        magnitude = float(quantity.to(unit).magnitude)
    except Exception as error:  # pint raises many types for junk; all mean "bad unit"
        raise UnitError(
            f"{_prefix(field)}expected {_hint(unit)}, got {value!r} ({_why(error)})"
        ) from error
    return _finite(magnitude, field, value)


def _finite(number: float, field: str | None, original: object) -> float:
    if not math.isfinite(number):
        raise UnitError(f"{_prefix(field)}expected a finite number, got {original!r}")
    return number


def _hint(unit: str) -> str:
    return _DIMENSION_HINTS.get(unit, f"a quantity in {unit}")


def _why(error: Exception) -> str:
    name = type(error).__name__
    if name == "DimensionalityError":
        return "wrong dimension"
    if name == "UndefinedUnitError":
        return f"unknown unit {str(error).split(' is not')[0]}"
    return "not a quantity"


def _prefix(field: str | None) -> str:
    return f"{field}: " if field else ""
