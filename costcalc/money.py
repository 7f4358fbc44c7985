"""Money for display: locale-aware currency formatting with babel.

Amounts are computed at full precision in USD; this module only decides how many
digits a person sees. Compact forms keep four significant figures, enough to show a
published "$5.576M" as itself.
"""

from __future__ import annotations

import math

SIGNIFICANT_DIGITS = 4


def format_money(
    amount: float, currency: str = "USD", locale: str = "en_US", compact: bool = True
) -> str:
    """'$5.576M', '$294K', '$2.00'; 'Rp4,87 M' for IDR in id_ID.

    Amounts under a thousand are shown in full with the currency's usual decimals,
    so a price per GPU-hour reads '$2.00', not '$2'.
    """
    from babel.numbers import format_compact_currency, format_currency, get_currency_symbol

    if not compact or abs(amount) < 1000:
        return format_currency(amount, currency, locale=locale)
    text = format_compact_currency(
        amount, currency, locale=locale, fraction_digits=_fraction_digits(amount)
    )
    unit_free = text.replace(get_currency_symbol(currency, locale=locale), "").replace(currency, "")
    if not any(character.isalpha() for character in unit_free):
        # The locale has no short form at this size (German has none for thousands):
        # babel then prints the bare number, so print it in full, grouped.
        return format_currency(amount, currency, locale=locale)
    return text


def _fraction_digits(amount: float) -> int:
    """Decimals that leave SIGNIFICANT_DIGITS in a compact mantissa (946.8M, 5.576M)."""
    exponent = math.floor(math.log10(abs(amount)))
    integer_digits = exponent % 3 + 1
    return max(0, SIGNIFICANT_DIGITS - integer_digits)
