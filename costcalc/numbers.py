"""Numbers as people read them in formulas: "2.664M", "14.8T", "40%".

Used for the `basis` text of each line item. Display only: amounts are never
rounded where they are computed. Works on floats and on numpy arrays (shown as
their range), so a vectorised sweep can carry basis text too.
"""

from __future__ import annotations

from typing import Any

_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def compact(value: Any, digits: int = 4) -> str:
    """A short form with a suffix: 2664000 -> '2.664M', 14.8e12 -> '14.8T', 512 -> '512'."""
    if _is_array(value):
        low, high = float(value.min()), float(value.max())
        return (
            compact(low, digits)
            if low == high
            else f"[{compact(low, digits)}-{compact(high, digits)}]"
        )
    number = float(value)
    for scale, suffix in _SUFFIXES:
        if abs(number) >= scale:
            return f"{_significant(number / scale, digits)}{suffix}"
    return _significant(number, digits)


def readable(value: Any, digits: int = 4) -> str:
    """Four significant figures, grouped; a suffix only from a million: '1,979', '2.788M'."""
    if _is_array(value):
        return compact(value, digits)
    number = float(value)
    if abs(number) >= 1e6:
        return compact(number, digits)
    if abs(number) >= 10 ** (digits - 1):
        return f"{number:,.0f}"
    return f"{number:.{digits}g}"


def grouped(value: Any, decimals: int = 0) -> str:
    """Thousands separators: 44750 -> '44,750'; 0.088 with decimals=3 -> '0.088'."""
    if _is_array(value):
        low, high = float(value.min()), float(value.max())
        if low == high:
            return grouped(low, decimals)
        return f"[{grouped(low, decimals)}-{grouped(high, decimals)}]"
    return f"{float(value):,.{decimals}f}"


def percent(value: Any, decimals: int = 1) -> str:
    """A fraction as a percentage: 0.3894 -> '38.9%'."""
    if _is_array(value):
        low, high = float(value.min()), float(value.max())
        if low == high:
            return percent(low, decimals)
        return f"[{percent(low, decimals)}-{percent(high, decimals)}]"
    return f"{float(value) * 100:.{decimals}f}%"


def scientific(value: Any) -> str:
    """FLOP counts: 3.29e24 -> '3.29e24'."""
    if _is_array(value):
        low, high = float(value.min()), float(value.max())
        return scientific(low) if low == high else f"[{scientific(low)}-{scientific(high)}]"
    mantissa, exponent = f"{float(value):.3g}".partition("e")[::2]
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa


def nonzero(value: Any) -> bool:
    """A scalar other than 0, or any array: a sweep or a draw varies the value (zeros
    included), so the part of the model that uses it must run."""
    return _is_array(value) or float(value) != 0


def _significant(number: float, digits: int) -> str:
    text = f"{number:,.{digits}g}" if abs(number) < 10**digits else f"{number:,.0f}"
    return text


def _is_array(value: Any) -> bool:
    return hasattr(value, "shape") and getattr(value, "ndim", 0) > 0
