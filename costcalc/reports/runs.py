"""`costcalc runs` and `costcalc calibrate`: published runs, and the MFUs fitted from them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from costcalc.numbers import compact, percent
from costcalc.render import Column, Report, display

if TYPE_CHECKING:
    from costcalc.calibration import Calibration
    from costcalc.runs import RunResult


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
