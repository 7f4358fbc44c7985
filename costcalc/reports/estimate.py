"""`costcalc estimate`: line items with their basis; metrics and notes beneath."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from costcalc.model import Estimate, FleetResult
from costcalc.numbers import compact, percent, scientific
from costcalc.render import Column, Report
from costcalc.schema import Scenario

if TYPE_CHECKING:
    pass

from costcalc.reports.presets import scenario_show_report


def estimate_data(result: Estimate) -> dict[str, Any]:
    """The JSON object of `costcalc estimate` (fields listed in DESIGN.md, plus detail)."""
    return {
        "scenario": result.scenario,
        "title": result.title,
        "basis": result.basis.value,
        "currency": result.currency,
        "total": result.total,
        "by_category": dict(result.by_category),
        "gpu_hours": result.gpu_hours,
        "flops": result.flops,
        "wall_clock_days": result.wall_clock_days,
        "energy_kwh": result.energy_kwh,
        "gpu": result.gpu,
        "gpus": result.gpus,
        "price_per_gpu_hour": result.price_usd_per_gpu_hour,
        "items": [
            {
                "category": item.category,
                "name": item.name,
                "amount": item.amount,
                "basis": item.basis,
                "source": item.source,
            }
            for item in result.items
        ],
        "stages": [dataclasses.asdict(stage) for stage in result.stages],
        "fleet": fleet_data(result.fleet) if result.fleet else None,
        "notes": list(result.notes),
    }


def fleet_data(fleet: FleetResult) -> dict[str, Any]:
    return {
        "gpus": fleet.gpus,
        "life_years": fleet.life_years,
        "utilization": fleet.utilization,
        "capex": fleet.capex,
        "opex": fleet.opex,
        "available_gpu_hours": fleet.available_gpu_hours,
        "owned_cost_per_gpu_hour": fleet.owned_usd_per_gpu_hour,
        "by_gpu": {
            group.gpu: {
                "count": group.count,
                "capex": group.capex,
                "opex": group.opex,
                "owned_cost_per_gpu_hour": group.owned_usd_per_gpu_hour,
            }
            for group in fleet.groups
        },
    }


def amount_column(currency: str) -> Column:
    return Column(f"amount_{currency.lower()}", "Amount", "money")


def estimate_report(result: Estimate, scenario: Scenario) -> Report:
    """Line items as rows; the metrics, notes and sources underneath."""
    amount = amount_column(result.currency)
    rows = [
        {
            "scenario": result.scenario,
            "category": item.category,
            "name": item.name,
            amount.key: item.amount,
            "basis": item.basis,
            "source": item.source,
        }
        for item in result.items
    ]
    columns = [
        Column("scenario", "Scenario"),
        Column("category", "Category"),
        Column("name", "Item"),
        amount,
        Column("basis", "Basis"),
        Column("source", "Source"),
    ]
    data = estimate_data(result)
    data["notes"] += range_notes(scenario)
    return Report(
        data=data,
        columns=columns,
        rows=rows,
        title=f"{result.scenario}: {result.title} ({result.basis.value} basis)",
        notes=estimate_notes(result, scenario),
        footer={"name": "Total", amount.key: result.total},
        currency=result.currency,
        table_columns=("category", "name", amount.key, "basis"),
        assumptions=scenario_show_report(scenario),
    )


def range_notes(scenario: Scenario) -> list[str]:
    """Which inputs took the centre of a range because no value was given."""
    from costcalc.presets import central_value

    return [
        f"{field_path}: only a range was given ({spec.low:g} to {spec.high:g}); its "
        f"centre {central_value(spec):g} is the point estimate"
        for field_path, spec in scenario.uncertain.items()
        if not spec.value_stated
    ]


def estimate_notes(result: Estimate, scenario: Scenario) -> list[str]:
    notes = []
    metrics = []
    if result.gpu_hours is not None:
        where = f" on {result.gpus:,} {result.gpu}" if result.gpus else f" on {result.gpu}"
        metrics.append(f"GPU-hours {compact(result.gpu_hours)}{where}")
    if result.wall_clock_days is not None:
        metrics.append(f"wall-clock {float(result.wall_clock_days):,.1f} days")
    if result.flops is not None:
        counted = [stage.name for stage in result.stages if stage.flops is not None]
        scope = "" if len(counted) == len(result.stages) else f" ({', '.join(counted)})"
        metrics.append(f"FLOPs {scientific(result.flops)}{scope}")
    if result.energy_kwh is not None:
        metrics.append(f"energy {compact(float(result.energy_kwh))} kWh")
    if metrics:
        notes.append(" | ".join(metrics))
    run = scenario.run
    shaped = run is not None and None not in (run.layers, run.d_model, run.seq_len)
    convention = "6 x N x D + attention FLOPs" if shaped else "6 x N x D FLOPs"
    for stage in result.stages:
        if stage.implied_mfu is not None:
            notes.append(
                f"{stage.name}: the reported GPU-hours imply MFU {percent(stage.implied_mfu)} "
                f"of the {stage.mfu_precision.value.upper()} peak ({convention})"
            )
    if result.fleet is not None:
        notes.append(
            f"owned cost per GPU-hour: {float(result.fleet.owned_usd_per_gpu_hour):,.2f} "
            f"{result.currency} "
            f"(fleet average at {percent(result.fleet.utilization, 0)} utilization)"
        )
    notes.extend(result.notes)
    notes.extend(range_notes(scenario))
    if scenario.includes:
        notes.append(f"includes: {scenario.includes}")
    if scenario.excludes:
        notes.append(f"excludes: {scenario.excludes}")
    if scenario.source:
        notes.append(f"source: {scenario.source}")
    return notes
