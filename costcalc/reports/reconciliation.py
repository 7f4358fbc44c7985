"""`costcalc explain`: the layers of a reconciliation, and owned against rented."""

from __future__ import annotations

import dataclasses
import itertools
from typing import TYPE_CHECKING, Any

from costcalc.money import format_money
from costcalc.numbers import percent
from costcalc.render import Column, Report

if TYPE_CHECKING:
    from costcalc.reconcile import OwnedVersusRented, Reconciliation


def explain_data(reconciliation: Reconciliation) -> dict[str, Any]:
    bridge = reconciliation.owned_versus_rented
    return {
        "explanation": reconciliation.name,
        "title": reconciliation.title,
        "summary": reconciliation.summary,
        "currency": "USD",
        "layers": [
            {
                "name": layer.name,
                "scope": layer.scope,
                "amount": layer.amount,
                "published": layer.published,
                "published_amount": layer.published_value,
                "deviation": layer.deviation,
                "ratio": layer.ratio,
                "ratio_to": layer.ratio_to,
                "includes": layer.includes,
                "excludes": layer.excludes,
                "source": layer.source,
            }
            for layer in reconciliation.layers
        ],
        "owned_versus_rented": dataclasses.asdict(bridge) if bridge else None,
    }


def explain_report(
    reconciliation: Reconciliation, scenario_names: list[str], currency: str = "USD"
) -> Report:
    rows = [
        {
            "layer": layer.name,
            "unit": currency,
            "amount_usd": layer.amount,
            "published": layer.published or "",
            "published_usd": layer.published_value,
            "deviation": layer.deviation,
            "ratio": layer.ratio,
            "ratio_to": layer.ratio_to,
            "scope": layer.scope,
            "includes": layer.includes,
            "excludes": layer.excludes,
            "source": layer.source,
        }
        for layer in reconciliation.layers
    ]
    notes = [reconciliation.summary] if reconciliation.summary else []
    layers = reconciliation.layers
    exceptions = [
        f"{layer.name} to {layer.ratio_to}"
        for before, layer in itertools.pairwise(layers)
        if layer.ratio_to not in (None, before.name)
    ]
    if exceptions:
        notes.append(f"Ratio: to the layer above, except {'; '.join(exceptions)}.")
    bridge = reconciliation.owned_versus_rented
    if bridge:
        owned, average = (
            format_money(bridge.owned_price, currency),
            format_money(bridge.fleet_average_price, currency),
        )
        rent, owned_cost = (
            format_money(bridge.rental_price, currency),
            format_money(bridge.owned_cost, currency),
        )
        notes.append(
            f"Owned vs rented: an {bridge.gpu}-hour costs {owned} to own and run (fleet average "
            f"{average}) at {percent(bridge.utilization, 0)} utilization, against the {rent} "
            f"rental assumption: the V3 run's share of the fleet's cost is {owned_cost}, against "
            f"{format_money(bridge.rented_cost, currency)} rented."
        )
    notes.append("Formulas and sources: costcalc estimate " + " | ".join(scenario_names))
    return Report(
        data=explain_data(reconciliation),
        machine_rows=_bridge_rows(bridge, currency) if bridge else [],
        columns=[
            Column("layer", "Layer"),
            Column("unit", "Unit"),
            Column("amount_usd", "Amount", "money"),
            Column("published", "Published"),
            Column("published_usd", "Published amount", "money"),
            Column("deviation", "vs published", "signed_percent"),
            Column("ratio", "Ratio", "ratio"),
            Column("ratio_to", "Ratio to"),
            Column("scope", "Scope"),
            Column("includes", "Includes"),
            Column("excludes", "Excludes"),
            Column("source", "Source"),
        ],
        rows=rows,
        title=reconciliation.title,
        notes=notes,
        table_columns=(
            "layer",
            "amount_usd",
            "published",
            "deviation",
            "ratio",
            "scope",
        ),
    )


def _bridge_rows(bridge: OwnedVersusRented, currency: str) -> list[dict[str, Any]]:
    """The owned-versus-rented figures as CSV rows, beside the layers (with their unit)."""
    per_hour = f"{currency}/GPU-h"
    figures = [
        (f"owned cost per {bridge.gpu} GPU-hour", per_hour, bridge.owned_price),
        ("owned cost per GPU-hour, fleet average", per_hour, bridge.fleet_average_price),
        (f"rental price per {bridge.gpu} GPU-hour", per_hour, bridge.rental_price),
        ("V3 run's share of fleet cost (owned)", currency, bridge.owned_cost),
        ("V3 run at the rental price", currency, bridge.rented_cost),
    ]
    scope = f"owned vs rented at {percent(bridge.utilization, 0)} fleet utilization"
    return [
        {"layer": name, "unit": unit, "amount_usd": amount, "scope": scope}
        for name, unit, amount in figures
    ]
