"""The what-if commands: `sweep` (streamed rows), `compare`, `sensitivity` and `--uncertainty`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from costcalc.model import Estimate
from costcalc.money import format_money
from costcalc.numbers import percent, readable
from costcalc.render import Column, Kind, Report
from costcalc.reports.estimate import estimate_data
from costcalc.schema import Scenario

if TYPE_CHECKING:
    from costcalc.compare import ChipResult
    from costcalc.sensitivity import Effect, Simulation
    from costcalc.sweep import Axis


_METRIC_KINDS: dict[str, Kind] = {
    "total_usd": "money",
    "compute_usd": "money",
    "capex_usd": "money",
    "opex_usd": "money",
    "rnd_usd": "money",
    "gpu_hours": "count",
    "wall_clock_days": "days",
    "energy_kwh": "count",
    "owned_usd_per_gpu_hour": "price",
}


def sweep_report(
    scenario: Scenario, axes: Sequence[Axis], chunks: Iterable[dict[str, Any]], rows: int
) -> Report:
    """One row per combination: the inputs varied, then the totals (streamed)."""
    from costcalc.sweep import METRIC_COLUMNS

    columns = [
        Column(axis.column, axis.column, "number" if axis.numeric else "text") for axis in axes
    ]
    columns += [Column(column, column, _METRIC_KINDS[column]) for column, _ in METRIC_COLUMNS]
    shown = [axis.column for axis in axes] + ["total_usd", "gpu_hours", "wall_clock_days"]
    return Report(
        data=None,
        columns=columns,
        rows=[],
        chunks=chunks,
        title=f"{scenario.name}: {rows:,} combinations",
        table_columns=shown,
    )


def compare_report(scenario: Scenario, results: Sequence[ChipResult]) -> Report:
    rows = []
    for result in results:
        marks = [
            mark
            for mark, flag in (("cheapest", result.cheapest), ("fastest", result.fastest))
            if flag
        ]
        rows.append(
            {
                "gpu": result.gpu,
                "precision": result.precision,
                "gpu_hours": result.gpu_hours,
                "wall_clock_days": result.wall_clock_days,
                "price_usd_per_gpu_hour": result.price_usd_per_gpu_hour,
                "mfu": result.mfu,
                "mfu_precision": result.mfu_precision,
                "cost_usd": result.cost,
                "energy_kwh": result.energy_kwh,
                "cheapest": result.cheapest,
                "fastest": result.fastest,
                "best": ", ".join(marks),
                "note": result.note,
            }
        )
    gpus = f"{scenario.run.gpus:,} GPUs" if scenario.run and scenario.run.gpus else "the same GPUs"
    return Report(
        data={"scenario": scenario.name, "currency": "USD", "chips": rows},
        columns=[
            Column("gpu", "GPU"),
            Column("precision", "Precision"),
            Column("gpu_hours", "GPU-hours", "count"),
            Column("wall_clock_days", "Days", "days"),
            Column("price_usd_per_gpu_hour", "Rent/GPU-h", "price"),
            Column("mfu", "MFU", "percent"),
            Column("mfu_precision", "MFU of peak"),
            Column("cost_usd", "Cost", "money"),
            Column("energy_kwh", "Energy kWh", "count"),
            Column("cheapest", "Cheapest"),
            Column("fastest", "Fastest"),
            Column("best", "Best", table_only=True),
            Column("note", "Note"),
        ],
        rows=rows,
        title=f"{scenario.name} on each chip ({gpus}, each at its own rental price)",
        notes=[
            "Same work at the same MFU on every chip: measured GPU-hours scale with the "
            "peak; prices are each hardware preset's typical rental rate.",
            *(
                [
                    f"MFU {percent(results[0].mfu)} of each chip's "
                    f"{results[0].mfu_precision.upper()} peak."
                ]
                if results
                else []
            ),
        ],
        table_columns=(
            "gpu",
            "gpu_hours",
            "wall_clock_days",
            "price_usd_per_gpu_hour",
            "cost_usd",
            "energy_kwh",
            "best",
            "note",
        ),
    )


def sensitivity_report(
    scenario: Scenario, effects: Sequence[Effect], currency: str = "USD"
) -> Report:
    moving = [effect for effect in effects if effect.swing > 0]
    still = len(effects) - len(moving)
    widest = max((effect.swing for effect in moving), default=1.0)
    base = effects[0].base_total if effects else 0.0
    rows = []
    for rank, effect in enumerate(moving, 1):
        item = effect.input
        rows.append(
            {
                "rank": rank,
                "input": item.label,
                "value": item.value,
                "low": item.spec.low,
                "high": item.spec.high,
                "total_at_low_usd": effect.total_at_low,
                "total_at_high_usd": effect.total_at_high,
                "swing_usd": effect.swing,
                "range_source": item.spec.source,
                "bar": (effect.total_at_low - base, effect.total_at_high - base, widest),
            }
        )
    notes = [
        f"Base total {format_money(base, currency)}. "
        "Each input moves alone to each end of its range."
    ]
    if still:
        notes.append(f"{still} other inputs do not move the total.")
    return Report(
        data={
            "scenario": scenario.name,
            "currency": "USD",
            "base_total": base,
            "inputs": [{k: v for k, v in row.items() if k != "bar"} for row in rows],
        },
        columns=[
            Column("rank", "#", "number"),
            Column("input", "Input"),
            Column("value", "Value", "number"),
            Column("low", "Low", "number"),
            Column("high", "High", "number"),
            Column("total_at_low_usd", "Total@low", "money"),
            Column("total_at_high_usd", "Total@high", "money"),
            Column("swing_usd", "Swing", "money"),
            Column("range_source", "Range from"),
            Column("bar", "Effect", "bar", table_only=True),
        ],
        rows=rows,
        title=f"{scenario.name}: which assumption matters most",
        notes=notes,
        table_columns=("input", "low", "high", "total_at_low_usd", "total_at_high_usd", "bar"),
    )


def uncertainty_report(result: Estimate, scenario: Scenario, simulation: Simulation) -> Report:
    rows = [
        {
            "metric": name,
            "point_usd": simulation.point[name],
            "p5_usd": low,
            "p50_usd": median,
            "p95_usd": high,
        }
        for name, (low, median, high) in simulation.percentiles.items()
    ]
    inputs = [
        {
            "input": item.label,
            "low": item.spec.low,
            "high": item.spec.high,
            "distribution": item.spec.distribution,
            "source": item.spec.source,
        }
        for item in simulation.inputs
    ]
    seed = "random seed" if simulation.seed is None else f"seed {simulation.seed}"
    notes = [f"{simulation.draws:,} draws ({seed}); inputs drawn independently:"]
    notes += [
        f"  {item['input']}: {item['distribution']} {readable(item['low'])} to "
        f"{readable(item['high'])} ({item['source']})"
        for item in inputs
    ]
    data = estimate_data(result)
    data["uncertainty"] = {
        "draws": simulation.draws,
        "seed": simulation.seed,
        "percentiles": [5, 50, 95],
        "inputs": inputs,
        "metrics": {row["metric"]: {k: v for k, v in row.items() if k != "metric"} for row in rows},
    }
    return Report(
        data=data,
        columns=[
            Column("metric", "Metric"),
            Column("point_usd", "Point", "money"),
            Column("p5_usd", "P5", "money"),
            Column("p50_usd", "P50", "money"),
            Column("p95_usd", "P95", "money"),
        ],
        rows=rows,
        title=f"{scenario.name}: {scenario.title}, with uncertainty",
        notes=notes,
    )
