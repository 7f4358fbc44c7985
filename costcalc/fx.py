"""Currencies: dated exchange rates, and results converted from USD for output.

The model computes in USD; a conversion happens once, on the result, at a rate the
output names with its date and source. Rates live in presets/fx.toml; `--fx IDR=16500`
overrides one for a single command.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from costcalc.errors import InputError, UnknownName
from costcalc.model import Estimate, FleetResult, GroupResult
from costcalc.schema import FORBID_EXTRA

if TYPE_CHECKING:
    from costcalc.compare import ChipResult
    from costcalc.reconcile import Reconciliation
    from costcalc.sensitivity import Effect, Simulation

BASE = "USD"


@dataclass(frozen=True)
class Rate:
    """Units of `currency` per US dollar, on `date`, according to `source`."""

    __pydantic_config__ = FORBID_EXTRA

    currency: str
    per_usd: float
    date: str = ""
    source: str = ""

    def describe(self) -> str:
        if self.currency == BASE:
            return ""
        when = f" on {self.date}" if self.date else ""
        return f"converted at {self.per_usd:,.6g} {self.currency}/USD{when} ({self.source})"


def load_rates() -> dict[str, Rate]:
    """The rates in presets/fx.toml (and in fx.toml of any user preset folder)."""
    from costcalc.presets import read_toml, search_dirs, validate

    rates = {BASE: Rate(BASE, 1.0, source="base currency")}
    for folder in search_dirs():
        path = folder / "fx.toml"
        if path.is_file():
            table = validate(RateFile, read_toml(path), path)
            rates.update({rate.currency: rate for rate in table.rates})
    return rates


@dataclass(frozen=True)
class RateFile:
    __pydantic_config__ = FORBID_EXTRA

    rates: tuple[Rate, ...]


def parse_fx(text: str) -> tuple[str, float]:
    """Read an --fx override: 'IDR=16500'."""
    match = re.fullmatch(
        r"\s*([A-Za-z]{3})\s*=\s*([0-9][0-9_,]*\.?[0-9]*(?:[eE][+-]?\d+)?)\s*", text
    )
    if match is None:
        raise InputError(f"--fx: expected CODE=RATE (units per USD), like IDR=16500, got {text!r}")
    rate = float(match[2].replace(",", "").replace("_", ""))
    if not rate > 0:
        raise InputError(f"--fx {text}: the rate must be greater than 0")
    return match[1].upper(), rate


def resolve_rate(currency: str, overrides: Iterable[str] = ()) -> Rate:
    """The rate for `currency`: an --fx override if given, else the preset's.

    Raises:
        UnknownName: no rate for that currency (with the nearest one known).
        InputError: the code is not a currency babel knows.
    """
    code = currency.strip().upper()
    given = {}
    for text in overrides:
        other, per_usd = parse_fx(text)
        if other != code:  # a rate for a currency not shown would be silently ignored
            raise InputError(f"--fx {text}: has no effect without --currency {other}")
        given[other] = per_usd
    if code in given:
        return Rate(code, given[code], source="--fx on the command line")
    if code == BASE:  # no rates file to read
        return Rate(BASE, 1.0, source="base currency")
    rates = load_rates()
    if code not in rates:
        _check_iso_code(code)
        raise UnknownName("currency", currency, rates)
    return rates[code]


def _check_iso_code(code: str) -> None:
    from babel.numbers import list_currencies

    if code not in list_currencies():
        raise InputError(f"--currency: {code!r} is not an ISO 4217 currency code")


# ---------------------------------------------------------------------------
# Converting results
# ---------------------------------------------------------------------------


def convert_estimate(result: Estimate, rate: Rate) -> Estimate:
    """The same estimate with every money figure in `rate.currency`; quantities unchanged."""
    if rate.currency == result.currency:
        return result
    factor = rate.per_usd
    items = tuple(dataclasses.replace(item, amount=item.amount * factor) for item in result.items)
    price = result.price_usd_per_gpu_hour
    return dataclasses.replace(
        result,
        items=items,
        price_usd_per_gpu_hour=None if price is None else price * factor,
        fleet=_convert_fleet(result.fleet, factor) if result.fleet else None,
        currency=rate.currency,
        notes=(*result.notes, rate.describe()),
    )


def _convert_fleet(fleet: FleetResult, factor: float) -> FleetResult:
    groups = tuple(
        GroupResult(
            group.gpu,
            group.count,
            group.capex * factor,
            {name: value * factor for name, value in group.opex_parts.items()},
            group.available_gpu_hours,
        )
        for group in fleet.groups
    )
    return dataclasses.replace(fleet, groups=groups)


def convert_columns(
    chunks: Iterable[dict[str, Any]], money_columns: Iterable[str], factor: float
) -> Iterator[dict[str, Any]]:
    """Column chunks with the money columns scaled by `factor`."""
    columns = list(money_columns)
    for chunk in chunks:
        yield {key: value * factor if key in columns else value for key, value in chunk.items()}


def check_locale(locale: str) -> str:
    """A locale babel knows ('id_ID', 'en_US'), or an error naming the nearest."""
    from babel import Locale, UnknownLocaleError
    from babel.localedata import locale_identifiers

    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        raise UnknownName("locale", locale, locale_identifiers()) from None
    return locale


def convert_reconciliation(reconciliation: Reconciliation, rate: Rate) -> Reconciliation:
    factor = rate.per_usd
    layers = tuple(
        dataclasses.replace(
            layer,
            amount=layer.amount * factor,
            published_value=None
            if layer.published_value is None
            else layer.published_value * factor,
        )
        for layer in reconciliation.layers
    )
    bridge = reconciliation.owned_versus_rented
    if bridge is not None:
        bridge = dataclasses.replace(
            bridge,
            rental_price=bridge.rental_price * factor,
            rented_cost=bridge.rented_cost * factor,
            owned_price=bridge.owned_price * factor,
            owned_cost=bridge.owned_cost * factor,
            fleet_average_price=bridge.fleet_average_price * factor,
        )
    return dataclasses.replace(reconciliation, layers=layers, owned_versus_rented=bridge)


def convert_chips(results: Iterable[ChipResult], rate: Rate) -> list[ChipResult]:
    factor = rate.per_usd
    return [
        dataclasses.replace(
            result,
            cost=result.cost * factor,
            price_usd_per_gpu_hour=result.price_usd_per_gpu_hour * factor,
        )
        for result in results
    ]


def convert_effects(effects: Iterable[Effect], rate: Rate) -> list[Effect]:
    factor = rate.per_usd
    return [
        dataclasses.replace(
            effect,
            total_at_low=effect.total_at_low * factor,
            total_at_high=effect.total_at_high * factor,
            base_total=effect.base_total * factor,
        )
        for effect in effects
    ]


def convert_simulation(simulation: Simulation, rate: Rate) -> Simulation:
    factor = rate.per_usd
    percentiles = {
        name: (low * factor, median * factor, high * factor)
        for name, (low, median, high) in simulation.percentiles.items()
    }
    point = {name: value * factor for name, value in simulation.point.items()}
    return dataclasses.replace(simulation, percentiles=percentiles, point=point)
