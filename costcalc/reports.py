"""Turning results into Reports: the JSON shape and the table/CSV rows of each command.

The field names here are the command-line contract (see DESIGN.md): JSON uses the
documented names; CSV/TSV columns carry their unit in the name (`amount_usd`).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc.model import Estimate, FleetResult
from costcalc.numbers import compact, percent, readable, scientific
from costcalc.render import Column, Kind, Report, display
from costcalc.schema import Hardware, Precision, Scenario

if TYPE_CHECKING:
    from costcalc.calibration import Calibration
    from costcalc.check import FileProblem, Outcome
    from costcalc.compare import ChipResult
    from costcalc.reconcile import OwnedVersusRented, Reconciliation
    from costcalc.runs import RunResult
    from costcalc.sensitivity import Effect, Simulation
    from costcalc.sweep import Axis

# ---------------------------------------------------------------------------
# estimate
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# hardware
# ---------------------------------------------------------------------------

_HARDWARE_FIELDS = (
    ("memory_gb", "Mem GB", "number"),
    ("memory_bandwidth_tb_s", "Mem TB/s", "number"),
    ("interconnect_gb_s", "Link GB/s", "number"),
    ("tdp_w", "TDP W", "number"),
    ("server_power_factor", "Server power x TDP", "number"),
    ("purchase_usd", "Purchase", "money"),
    ("server_usd_per_gpu", "Server/GPU", "money"),
    ("rental_usd_per_gpu_hour", "Rent/GPU-h", "price"),
    ("typical_mfu", "MFU", "percent"),
)


def hardware_data(chip: Hardware) -> dict[str, Any]:
    """One hardware preset as JSON: figures, peak per precision, and their sources."""
    data: dict[str, Any] = {
        "name": chip.name,
        "full_name": chip.full_name,
        "vendor": chip.vendor,
        "aliases": list(chip.aliases),
        "peak_tflops": chip.peak_tflops.as_dict(),
    }
    data.update({key: getattr(chip, key) for key, _, _ in _HARDWARE_FIELDS})
    data["typical_mfu_precision"] = chip.typical_mfu_precision.value
    data["released"] = chip.released
    data["notes"] = list(chip.notes)
    data["sources"] = dict(chip.sources)
    return data


def _hardware_row(chip: Hardware) -> dict[str, Any]:
    row: dict[str, Any] = {"name": chip.name, "full_name": chip.full_name, "vendor": chip.vendor}
    peaks = chip.peak_tflops.as_dict()
    row.update({f"peak_tflops_{p.value}": peaks.get(p.value) for p in Precision})
    row.update({key: getattr(chip, key) for key, _, _ in _HARDWARE_FIELDS})
    row["typical_mfu_precision"] = chip.typical_mfu_precision.value
    return row


def hardware_list_report(chips: Iterable[Hardware]) -> Report:
    chips = list(chips)
    columns = [
        Column("name", "GPU"),
        Column("full_name", "Full name"),
        Column("vendor", "Vendor"),
        *(Column(f"peak_tflops_{p.value}", f"{p.value.upper()} TF/s", "number") for p in Precision),
        *(Column(key, header, kind) for key, header, kind in _HARDWARE_FIELDS),  # type: ignore[arg-type]
        Column("typical_mfu_precision", "MFU of"),
    ]
    return Report(
        data=[hardware_data(chip) for chip in chips],
        columns=columns,
        rows=[_hardware_row(chip) for chip in chips],
        title="Hardware presets (dense peak TFLOP/s)",
        notes=["costcalc hardware show NAME prints every figure with its source."],
        table_columns=(
            "name",
            "peak_tflops_bf16",
            "peak_tflops_fp8",
            "memory_gb",
            "tdp_w",
            "server_usd_per_gpu",
            "rental_usd_per_gpu_hour",
            "typical_mfu",
        ),
    )


def hardware_show_report(chip: Hardware) -> Report:
    """Each figure of one preset, one row each, with its source beside it."""
    rows: list[dict[str, Any]] = []
    for position, (precision, value) in enumerate(chip.peak_tflops.as_dict().items()):
        field_name = f"peak_tflops.{precision}"
        # The shared peak_tflops source is shown once, on the first precision.
        source = chip.sources.get(field_name) or (
            chip.source_of(field_name) if position == 0 else ""
        )
        rows.append(
            {"field": field_name, "value": value, "unit": "TFLOP/s (dense)", "source": source}
        )
    units = {
        "memory_gb": "GB",
        "memory_bandwidth_tb_s": "TB/s",
        "interconnect_gb_s": "GB/s",
        "tdp_w": "W",
        "server_power_factor": "x TDP",
        "purchase_usd": "USD",
        "server_usd_per_gpu": "USD",
        "rental_usd_per_gpu_hour": "USD/GPU-h",
        "typical_mfu": f"of {chip.typical_mfu_precision.value} peak",
    }
    for key, _, _ in _HARDWARE_FIELDS:
        rows.append(
            {
                "field": key,
                "value": getattr(chip, key),
                "unit": units[key],
                "source": chip.source_of(key),
            }
        )
    return Report(
        data=hardware_data(chip),
        columns=[
            Column("field", "Field"),
            Column("value", "Value", "number"),
            Column("unit", "Unit"),
            Column("source", "Source"),
        ],
        rows=rows,
        title=f"{chip.name}: {chip.full_name}",
        notes=list(chip.notes),
    )


# ---------------------------------------------------------------------------
# presets
# ---------------------------------------------------------------------------


def presets_list_report(entries: Iterable[tuple[str, str, str, Path]]) -> Report:
    rows = [
        {"name": name, "kind": kind, "title": title, "file": str(path)}
        for name, kind, title, path in entries
    ]
    return Report(
        data=rows,
        columns=[
            Column("name", "Name"),
            Column("kind", "Kind"),
            Column("title", "Title"),
            Column("file", "File"),
        ],
        rows=rows,
        title="Presets",
        table_columns=("name", "kind", "title"),
    )


def validation_report(results: list[tuple[Path, str, str | None]]) -> Report:
    rows = [
        {"file": str(path), "kind": kind, "valid": error is None, "error": error or ""}
        for path, kind, error in results
    ]
    return Report(
        data=rows,
        columns=[
            Column("file", "File"),
            Column("kind", "Kind"),
            Column("valid", "Valid"),
            Column("error", "Error"),
        ],
        rows=rows,
        title="Preset validation",
    )


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    from costcalc.overrides import as_data

    data = as_data(scenario)
    data["uncertain"] = {
        path: dataclasses.asdict(spec) for path, spec in scenario.uncertain.items()
    }
    return data


def scenario_show_report(scenario: Scenario) -> Report:
    """Every settable field of a scenario with its current value (and range, if any)."""
    from costcalc.overrides import ALIASES, get_path, settable_paths

    rows = []
    for path in settable_paths(scenario):
        if path in ALIASES or path in _DESCRIPTIVE or _by_name(path):
            continue
        value = get_path(scenario, path)
        if value is None:
            continue
        spec = scenario.uncertain.get(path)
        rows.append(
            {
                "field": path,
                "value": value.value if hasattr(value, "value") else value,
                "low": spec.low if spec else None,
                "high": spec.high if spec else None,
                "source": spec.source if spec else "",
            }
        )
    return Report(
        data=scenario_data(scenario),
        columns=[
            Column("field", "Field"),
            Column("value", "Value", "number"),
            Column("low", "Low", "number"),
            Column("high", "High", "number"),
            Column("source", "Range source"),
        ],
        rows=rows,
        title=f"{scenario.name}: {scenario.title} ({scenario.basis.value} basis)",
        notes=[
            f"includes: {scenario.includes}",
            f"excludes: {scenario.excludes}",
            f"source: {scenario.source}",
        ],
    )


_DESCRIPTIVE = {"title", "description", "includes", "excludes"}


def _by_name(path: str) -> bool:
    """Paths that name a list item by name duplicate the positional ones; skip them."""
    parts = path.split(".")
    return any(
        previous in ("stages", "groups") and not part.isdigit()
        for previous, part in itertools.pairwise(parts)
    )


# ---------------------------------------------------------------------------
# explain
# ---------------------------------------------------------------------------


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
            _money(bridge.owned_price, currency),
            _money(bridge.fleet_average_price, currency),
        )
        rent, owned_cost = (
            _money(bridge.rental_price, currency),
            _money(bridge.owned_cost, currency),
        )
        notes.append(
            f"Owned vs rented: an {bridge.gpu}-hour costs {owned} to own and run (fleet average "
            f"{average}) at {percent(bridge.utilization, 0)} utilization, against the {rent} "
            f"rental assumption: the V3 run's share of the fleet's cost is {owned_cost}, against "
            f"{_money(bridge.rented_cost, currency)} rented."
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


def _money(amount: float, currency: str = "USD") -> str:
    from costcalc.money import format_money

    return format_money(amount, currency, compact=amount >= 1000)


# ---------------------------------------------------------------------------
# sweep
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# compare
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# sensitivity and uncertainty
# ---------------------------------------------------------------------------


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
        f"Base total {_money(base, currency)}. Each input moves alone to each end of its range."
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


# ---------------------------------------------------------------------------
# currency
# ---------------------------------------------------------------------------

_USD_KEY = re.compile(r"_usd(?=_|$)")


def in_currency(report: Report, currency: str, locale: str) -> Report:
    """The report relabelled for a currency its figures are already converted to.

    Machine names carry the currency (`amount_usd` becomes `amount_idr`), JSON names
    it in its `currency` fields, and tables format amounts for `locale`.
    """
    report.locale = locale
    if currency == report.currency:
        return report
    suffix = f"_{currency.lower()}"

    def rename(key: str) -> str:
        return _USD_KEY.sub(suffix, key)

    def relabel(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                rename(key): currency if key == "currency" else relabel(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [relabel(item) for item in value]
        return value

    report.columns = [
        dataclasses.replace(column, key=rename(column.key)) for column in report.columns
    ]
    if report.table_columns is not None:
        report.table_columns = [rename(key) for key in report.table_columns]
    if report.footer is not None:
        report.footer = relabel(report.footer)
    report.rows = [relabel(row) for row in report.rows]
    report.machine_rows = [relabel(row) for row in report.machine_rows]
    report.data = relabel(report.data)
    if report.chunks is not None:
        report.chunks = (relabel(chunk) for chunk in report.chunks)
    report.currency = currency
    return report


# ---------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------


def check_report(
    results: Sequence[Outcome], problems: Sequence[FileProblem], scenarios: Sequence[str]
) -> Report:
    from costcalc.check import summary

    rows: list[dict[str, Any]] = [
        {
            "scenario": outcome.scenario,
            "metric": outcome.metric,
            "expected": outcome.expected,
            "actual": outcome.actual,
            "unit": outcome.unit,
            "deviation": outcome.deviation,
            "rel_tolerance": outcome.rel_tolerance,
            "abs_tolerance": outcome.abs_tolerance,
            "status": "ok" if outcome.ok else "DRIFT",
            "published": outcome.published,
            "source": outcome.source,
            "file": str(outcome.path),
        }
        for outcome in results
    ]
    rows += [
        {"status": "INVALID", "file": str(problem.path), "source": problem.message}
        for problem in problems
    ]
    counts = summary(results, problems)
    unchecked = sorted(set(scenarios) - {outcome.scenario for outcome in results})
    notes = [
        f"{counts['held']} of {counts['figures']} figures within tolerance in "
        f"{len(scenarios)} scenarios; {counts['drifted']} drifted; "
        f"{counts['invalid_files']} invalid files."
    ]
    if unchecked:
        notes.append(f"No expected figures in: {', '.join(unchecked)}.")
    notes += [f"INVALID {problem.path}: {problem.message}" for problem in problems]
    return Report(
        data={
            "summary": dict(counts),
            "results": rows[: len(results)],
            "invalid": [{"file": str(p.path), "error": p.message} for p in problems],
            "unchecked": unchecked,
        },
        columns=[
            Column("scenario", "Scenario"),
            Column("metric", "Metric"),
            Column("expected", "Expected", "number"),
            Column("actual", "Actual", "number"),
            Column("unit", "Unit"),
            Column("deviation", "Deviation", "signed_percent"),
            Column("rel_tolerance", "Tolerance", "percent"),
            Column("abs_tolerance", "Abs. tolerance", "number"),
            Column("status", "Status"),
            Column("published", "Published"),
            Column("source", "Source"),
            Column("file", "File"),
        ],
        rows=rows,
        title="costcalc check: recomputed figures against the recorded ones",
        notes=notes,
        table_columns=(
            "scenario",
            "metric",
            "expected",
            "actual",
            "unit",
            "deviation",
            "rel_tolerance",
            "status",
        ),
    )


# ---------------------------------------------------------------------------
# reference runs and calibration
# ---------------------------------------------------------------------------


def run_row(result: RunResult) -> dict[str, Any]:
    """One reference run: as reported, as estimated with the typical MFU, and the gap."""
    run = result.run
    return {
        "name": run.name,
        "model": run.model,
        "organization": run.organization,
        "year": run.year,
        "gpu": result.hardware.name,
        "gpus": run.gpus,
        "precision": run.precision.value,
        "params": run.params,
        "active_params": run.active,
        "tokens": run.tokens,
        "flops": run.flops,
        "reported_gpu_hours": result.reported_gpu_hours,
        "gpu_hours_basis": run.gpu_hours_basis,
        "estimated_gpu_hours": result.estimated_gpu_hours,
        "gpu_hours_error": result.error,
        "implied_mfu": result.implied_mfu,
        "typical_mfu": result.hardware.typical_mfu,
        "mfu_precision": result.mfu_precision.value,
        "reported_mfu": run.reported_mfu,
        "price_usd_per_gpu_hour": result.price_usd_per_gpu_hour,
        "reported_cost_at_rental_usd": result.reported_cost_at_rental,
        "estimated_cost_at_rental_usd": result.estimated_cost_at_rental,
        "published_cost_usd": run.reported_cost_usd,
        "scope": run.scope,
        "source": run.source,
    }


_RUN_COLUMNS = [
    Column("name", "Run"),
    Column("model", "Model"),
    Column("organization", "Organization"),
    Column("year", "Year"),
    Column("gpu", "GPU"),
    Column("gpus", "GPUs", "count"),
    Column("precision", "Precision"),
    Column("params", "Params", "count"),
    Column("active_params", "Active", "count"),
    Column("tokens", "Tokens", "count"),
    Column("flops", "FLOPs", "flops"),
    Column("reported_gpu_hours", "Rep. GPU-h", "count"),
    Column("gpu_hours_basis", "GPU-h basis"),
    Column("estimated_gpu_hours", "Est. GPU-h", "count"),
    Column("gpu_hours_error", "Error", "signed_percent"),
    Column("implied_mfu", "MFU", "percent"),
    Column("typical_mfu", "Typical MFU", "percent"),
    Column("mfu_precision", "MFU of peak"),
    Column("reported_mfu", "Reported MFU", "percent"),
    Column("price_usd_per_gpu_hour", "Rent/GPU-h", "price"),
    Column("reported_cost_at_rental_usd", "Rep. cost", "money"),
    Column("estimated_cost_at_rental_usd", "Est. cost", "money"),
    Column("published_cost_usd", "Published cost", "money"),
    Column("scope", "Scope"),
    Column("source", "Source"),
]


def runs_list_report(results: Sequence[RunResult]) -> Report:
    from costcalc.calibration import ErrorSummary

    rows = [run_row(result) for result in results]
    summary = ["No published run in presets/runs matches."]
    if results:
        errors = ErrorSummary.of([r.run.name for r in results], [r.error for r in results])
        summary = [
            f"Over {len(results)} runs the typical MFUs miss the reported GPU-hours by "
            f"{percent(errors.median)} (median) and {percent(errors.worst)} at worst "
            f"({errors.worst_run}); costcalc calibrate shows where the MFUs come from."
        ]
    return Report(
        data={"currency": "USD", "runs": rows},
        columns=_RUN_COLUMNS,
        rows=rows,
        title="Published runs: reported (Rep.) vs estimated (Est.) GPU-hours and cost at each "
        "chip's typical MFU; MFU is the one the reported GPU-hours imply",
        notes=[
            "Estimated GPU-h = 6 x active params x tokens / (peak x typical MFU x 3600 s); "
            "implied MFU is the same formula solved for MFU from the reported GPU-hours.",
            "Costs are GPU-hours at each hardware preset's rental price; MFUs are of the "
            "BF16 peak. costcalc runs show NAME gives the formulas and sources.",
            *summary,
        ],
        table_columns=(
            "name",
            "gpu",
            "reported_gpu_hours",
            "estimated_gpu_hours",
            "gpu_hours_error",
            "implied_mfu",
            "reported_cost_at_rental_usd",
            "estimated_cost_at_rental_usd",
        ),
    )


def run_show_report(result: RunResult) -> Report:
    """Every figure of one run, with the formula or source behind it."""
    row = run_row(result)
    run = result.run
    source = f"{run.source} ({run.scope})"
    bases = {
        "params": source,
        "active_params": source if run.active_params is not None else "dense: all parameters",
        "tokens": source,
        "gpus": source,
        "flops": f"6 x {compact(run.active)} x {compact(run.tokens)}",
        "reported_gpu_hours": source
        if run.gpu_hours is not None
        else f"{run.gpu_hours_basis} ({source})",
        "estimated_gpu_hours": result.estimate_basis(),
        "gpu_hours_error": "estimated GPU-hours / reported - 1",
        "implied_mfu": result.mfu_basis(),
        "typical_mfu": f"hardware preset {result.hardware.name}: "
        + result.hardware.source_of("typical_mfu"),
        "reported_mfu": source,
        "price_usd_per_gpu_hour": f"hardware preset {result.hardware.name}: "
        + result.hardware.source_of("rental_usd_per_gpu_hour"),
        "reported_cost_at_rental_usd": f"{compact(result.reported_gpu_hours)} GPU-h x "
        f"{result.price_usd_per_gpu_hour:.2f} USD/GPU-h",
        "estimated_cost_at_rental_usd": f"{compact(result.estimated_gpu_hours)} GPU-h x "
        f"{result.price_usd_per_gpu_hour:.2f} USD/GPU-h",
        "published_cost_usd": source,
    }
    kinds = {column.key: column.kind for column in _RUN_COLUMNS}
    rows = [
        {
            "field": key,
            "value": row[key],
            "shown": display(row[key], kinds[key]),
            "basis": basis,
        }
        for key, basis in bases.items()
        if row[key] is not None
    ]
    return Report(
        data=row,
        columns=[
            Column("field", "Field"),
            Column("value", "Value", "number"),
            Column("shown", "Shown"),
            Column("basis", "Formula or source"),
        ],
        rows=rows,
        title=f"{run.model} ({run.organization}, {run.year}) on {result.hardware.name}",
        notes=list(run.notes),
        table_columns=("field", "shown", "basis"),
    )


def calibration_report(calibration: Calibration) -> Report:
    rows = [
        {
            "gpu": fit.gpu,
            "precision": fit.precision,
            "runs": len(fit.runs),
            "run_names": ", ".join(fit.runs),
            "median_mfu": fit.median_mfu,
            "low_mfu": fit.low_mfu,
            "high_mfu": fit.high_mfu,
            "preset_mfu": fit.preset_mfu,
            "mfu_precision": fit.mfu_precision,
        }
        for fit in calibration.fits
    ]
    per_run = [
        {
            "name": result.run.name,
            "gpu": result.hardware.name,
            "precision": result.run.precision.value,
            "implied_mfu": result.implied_mfu,
            "default_error": default_error,
            "loo_mfu": loo_mfu,
            "loo_error": loo_error,
        }
        for result, default_error, loo_mfu, loo_error in zip(
            calibration.results,
            calibration.default_errors,
            calibration.loo_mfus,
            calibration.loo_errors,
            strict=True,
        )
    ]
    default, loo = calibration.default_summary(), calibration.loo_summary()
    summary = {
        "runs": len(per_run),
        "default_median_abs_error": default.median,
        "default_worst_abs_error": default.worst,
        "default_worst_run": default.worst_run,
        "loo_median_abs_error": loo.median,
        "loo_worst_abs_error": loo.worst,
        "loo_worst_run": loo.worst_run,
    }
    return Report(
        data={"fits": rows, "runs": per_run, "summary": summary},
        columns=[
            Column("gpu", "GPU"),
            Column("precision", "Precision"),
            Column("runs", "Runs", "number"),
            Column("run_names", "Run names"),
            Column("median_mfu", "Median MFU", "percent"),
            Column("low_mfu", "Lowest", "percent"),
            Column("high_mfu", "Highest", "percent"),
            Column("preset_mfu", "Preset MFU", "percent"),
            Column("mfu_precision", "MFU of peak"),
        ],
        rows=rows,
        title="Typical MFU fitted from published runs (implied MFU of the BF16 peak)",
        notes=[
            f"Default MFUs over {len(per_run)} runs: median error "
            f"{percent(default.median)}, worst {percent(default.worst)} "
            f"({default.worst_run}).",
            f"Leave-one-out fit (median of the other runs on the chip): median error "
            f"{percent(loo.median)}, worst {percent(loo.worst)} ({loo.worst_run}).",
        ],
        table_columns=(
            "gpu",
            "precision",
            "runs",
            "median_mfu",
            "low_mfu",
            "high_mfu",
            "preset_mfu",
        ),
    )
