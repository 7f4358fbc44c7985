"""The library surface: what the command line does, as functions a notebook can call.

>>> import costcalc
>>> costcalc.estimate("deepseek-v3").total
5576000.0
>>> costcalc.estimate("deepseek-v3", {"price": "3 USD/hour"}).total
8364000.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike, fspath
from typing import TYPE_CHECKING, Any

from costcalc.errors import InputError, PresetError
from costcalc.model import Estimate, hardware_for
from costcalc.model import estimate as _estimate
from costcalc.presets import Catalog, load_catalog
from costcalc.schema import Hardware, Scenario

if TYPE_CHECKING:
    from costcalc.calibration import Calibration
    from costcalc.compare import ChipResult
    from costcalc.reconcile import Reconciliation
    from costcalc.runs import RunResult
    from costcalc.sensitivity import Effect, Simulation
    from costcalc.sweep import Grid


def catalog(scenario: str | None = None) -> Catalog:
    """Every hardware preset and scenario on the search path; with a scenario file in a
    preset folder, that folder's presets too."""
    from costcalc.presets import preset_folder_of

    return load_catalog(preset_folder_of(scenario))


def hardware(name: str) -> Hardware:
    """A hardware preset by name or alias ('h800', 'H800 SXM')."""
    return load_catalog().hardware(name)


def scenario(
    name_or_path: str | PathLike[str], overrides: Mapping[str, Any] | None = None
) -> Scenario:
    """A scenario preset by name or .toml path, after optional `{path: value}` what-ifs.

    The what-ifs are the same as `estimate`'s: `{"gpu": "H20"}` also rescales the
    GPU-hours the scenario reports, so `estimate(scenario(name, changes))` equals
    `estimate(name, changes)`.
    """
    base, presets = _resolve(name_or_path)
    return what_if(base, _mapping(overrides), presets)


def scenario_as_changed(
    name_or_path: str | PathLike[str], overrides: Mapping[str, Any] | None = None
) -> Scenario:
    """The scenario with overrides applied but its reported GPU-hours not yet rescaled,
    as the what-if commands start from (they rescale per chip or per draw)."""
    return _reference_and_start(name_or_path, overrides)[1]


def estimate(
    scenario_or_name: Scenario | str | PathLike[str], overrides: Mapping[str, Any] | None = None
) -> Estimate:
    """Price a scenario (a Scenario, a preset name, or a path), after overrides.

    Overrides are what-ifs: changing the GPU or the MFU rescales the GPU-hours a
    scenario reports, and changing tokens or parameters rescales them by FLOPs (see
    `costcalc.model.rescale_measured`).
    """
    base, presets = _resolve(scenario_or_name)
    chosen = what_if(base, _mapping(overrides), presets)
    return _estimate(chosen, hardware_for(presets.hardware, chosen))


def _resolve(scenario_or_name: object) -> tuple[Scenario, Catalog]:
    if isinstance(scenario_or_name, Scenario):
        return scenario_or_name, catalog()
    if isinstance(scenario_or_name, str | PathLike):
        name = fspath(scenario_or_name)
        presets = catalog(name)
        return presets.scenario(name), presets
    raise InputError(
        f"expected a Scenario, a preset name or a .toml path, got {type(scenario_or_name).__name__}"
    )


def _mapping(overrides: object) -> Mapping[str, Any]:
    if overrides is None:
        return {}
    if not isinstance(overrides, Mapping):
        raise InputError(
            f"overrides are a mapping of field path to value, such as {{'price': 2}}; "
            f"got {type(overrides).__name__}"
        )
    return overrides


def what_if(base: Scenario, overrides: Mapping[str, Any], presets: Catalog) -> Scenario:
    """The scenario after overrides, with measured GPU-hours rescaled to the new throughput."""
    from costcalc.model import rescale_measured

    changed = with_overrides(base, overrides, presets)
    return rescale_measured(base, changed, hardware_for(presets.hardware, base, changed))


def with_overrides(base: Scenario, overrides: Mapping[str, Any], presets: Catalog) -> Scenario:
    """The scenario with overrides applied and validated; ranges (`{low, high}`) are kept
    as uncertain inputs. Measured GPU-hours are not rescaled here (see `what_if`)."""
    if not overrides:
        return base
    from costcalc.overrides import apply_overrides, is_range
    from costcalc.presets import with_ranges

    values = {path: value for path, value in overrides.items() if not is_range(value)}
    ranges = {path: value for path, value in overrides.items() if is_range(value)}
    for path, spec in ranges.items():  # a range sets its point value too
        values[path] = spec.get("value", spec.get("mode", spec["low"]))
    if isinstance(values.get("run.gpu") or values.get("gpu"), str):
        key = "run.gpu" if "run.gpu" in values else "gpu"
        values[key] = presets.hardware(values[key]).name
    changed = apply_overrides(base, values, presets)
    changed = _without_ranges_for(changed, [path for path in values if path not in ranges])
    return with_ranges(changed, ranges, "--set") if ranges else changed


def _without_ranges_for(scenario: Scenario, paths: list[str]) -> Scenario:
    """A value set by hand replaces the range the file gave it: `--set price=3` with
    `--uncertainty` varies the other inputs, not the price."""
    import dataclasses

    from costcalc.overrides import alias_targets, resolve_path

    dropped = {
        ".".join(map(str, resolve_path(scenario, target)))
        for path in paths
        for target in alias_targets(scenario, path)
    }
    if not dropped & set(scenario.uncertain):
        return scenario
    kept = {path: spec for path, spec in scenario.uncertain.items() if path not in dropped}
    return dataclasses.replace(scenario, uncertain=kept)


def explain(name: str = "deepseek", overrides: Mapping[str, Any] | None = None) -> Reconciliation:
    """Reconcile an explanation's published figures, after overrides to its scenarios.

    An override applies to every scenario of the explanation that has the field
    (`fleet.utilization` changes the fleet scenarios only); prefix a path with a
    scenario name to aim at one: `{"deepseek-v3:run.price_usd_per_gpu_hour": "3"}`.
    """
    from costcalc.reconcile import reconcile

    presets = load_catalog()
    explanation = presets.explanation(name)
    scenarios = {
        scenario_name: _override_where_present(
            presets.scenario(scenario_name), _mapping(overrides), presets
        )
        for scenario_name in explanation.scenarios()
    }
    estimates = {
        scenario_name: _estimate(chosen, hardware_for(presets.hardware, chosen))
        for scenario_name, chosen in scenarios.items()
    }
    return reconcile(explanation, scenarios, estimates)


def _override_where_present(
    chosen: Scenario, overrides: Mapping[str, Any], presets: Catalog
) -> Scenario:
    from costcalc.overrides import get_path, resolve_path

    applicable: dict[str, Any] = {}
    for path, value in overrides.items():
        target, sep, field_path = path.rpartition(":")
        if sep and target != chosen.name:
            continue
        resolve_path(chosen, field_path)  # an unknown path is an error everywhere
        if sep or get_path(chosen, field_path) is not None:
            applicable[field_path] = value
    return what_if(chosen, applicable, presets)


def adhoc_scenario(
    gpu: str,
    *,
    gpus: int | str | None = None,
    gpu_hours: float | str | None = None,
    days: float | str | None = None,
    params: float | str | None = None,
    active_params: float | str | None = None,
    tokens: float | str | None = None,
    precision: str | None = None,
    mfu: float | str | None = None,
    price: float | str | None = None,
) -> Scenario:
    """A one-stage rental run described by its GPU and one measure of its size.

    Give exactly one of `gpu_hours`, `days` (with `gpus`) or `tokens` (with `params`).
    MFU and price default to the hardware preset's figures.
    """
    from costcalc.presets import validate

    sizes = {"gpu_hours": gpu_hours, "days": days, "tokens": tokens}
    given = [name for name, value in sizes.items() if value is not None]
    if len(given) != 1:
        flags = ", ".join(f"--{name.replace('_', '-')}" for name in given)
        raise InputError(
            f"give exactly one of --gpu-hours, --days or --tokens (got {flags or 'none'})"
        )
    chip = load_catalog().hardware(gpu)
    stage: dict[str, Any] = {"name": "training"}
    if gpu_hours is not None:
        stage["gpu_hours"] = gpu_hours
    if days is not None:
        if gpus is None:
            raise InputError("--days needs --gpus to turn wall-clock time into GPU-hours")
        stage["hours"] = _as_days(days)
    if tokens is not None:
        if params is None and active_params is None:
            raise InputError("--tokens needs --params (or --active-params) to count FLOPs")
        stage["tokens"] = tokens
    run: dict[str, Any] = {"gpu": chip.name, "stages": [stage]}
    optional = {
        "gpus": gpus,
        "params": params,
        "active_params": active_params,
        "precision": precision,
        "mfu": mfu,
        "price_usd_per_gpu_hour": price,
    }
    run.update({key: value for key, value in optional.items() if value is not None})
    raw = {"name": "ad-hoc", "title": f"Ad-hoc run on {chip.name}", "basis": "rental", "run": run}
    try:
        return validate(Scenario, raw, "command line")
    except PresetError as error:
        flag = _FLAGS.get(error.field or "", error.field)
        raise InputError(f"{flag}: {error.reason}") from None


def _as_days(value: float | str) -> float | str:
    """A bare number of days becomes a quantity the hours field converts; '8 weeks' stays."""
    try:
        return f"{float(str(value).replace(',', ''))} day"
    except ValueError:
        return value


# Which command-line flag fed each field of an ad-hoc scenario, for error messages.
_FLAGS = {
    "run.gpus": "--gpus",
    "run.params": "--params",
    "run.active_params": "--active-params",
    "run.stages.0.gpu_hours": "--gpu-hours",
    "run.stages.0.hours": "--days",
    "run.stages.0.tokens": "--tokens",
    "run.precision": "--precision",
    "run.mfu": "--mfu",
    "run.price_usd_per_gpu_hour": "--price",
}


def reference_runs(gpu: str | None = None) -> list[RunResult]:
    """Published training runs, each set against the estimate with its chip's typical MFU.

    With `gpu`, only the runs on that chip (name or alias).
    """
    from costcalc.runs import evaluate_all, load_runs

    presets = load_catalog()
    runs = list(load_runs().values())
    if gpu is not None:
        chosen = presets.hardware(gpu).name
        runs = [run for run in runs if presets.hardware(run.gpu).name == chosen]
    return evaluate_all(runs, presets.hardware)


def reference_run(name: str) -> RunResult:
    """One published run by name ('llama-2-70b'), against its chip's typical MFU."""
    from costcalc.runs import evaluate, find_run, load_runs

    run = find_run(load_runs(), name)
    return evaluate(run, load_catalog().hardware(run.gpu))


def calibrate(gpu: str | None = None) -> Calibration:
    """Typical MFU per chip and precision from the published runs, and the errors left."""
    from costcalc.calibration import calibrate as fit

    results = reference_runs(gpu)
    if len(results) < 2:
        raise InputError(f"calibration needs at least two runs; {gpu} has {len(results)}")
    return fit(results)


# ---------------------------------------------------------------------------
# What-if analysis. The names differ from the modules that implement them
# (costcalc.compare, .sensitivity, .sweep): a package attribute named like a
# submodule is replaced by the module once that is imported.
# ---------------------------------------------------------------------------


def adhoc(gpu: str, **run: Any) -> Scenario:
    """A one-stage rental run from its GPU and size, as `costcalc estimate --gpu` makes.

    >>> costcalc.estimate(costcalc.adhoc("H100", gpus=16384, params="405B", tokens="15.6T"))
    """
    return adhoc_scenario(gpu, **run)


def compare_chips(
    scenario_or_name: Scenario | str | PathLike[str],
    gpus: Sequence[str] | str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> list[ChipResult]:
    """The same run on each chip (default: every hardware preset), at the same MFU, each
    at its own rental price; the cheapest and the fastest marked."""
    from costcalc.compare import compare

    reference, start, presets = _reference_and_start(scenario_or_name, overrides)
    if isinstance(gpus, str):  # "H800,H20", as on the command line
        gpus = gpus.split(",")
    names = list(presets.hardware_presets) if gpus is None else [n.strip() for n in gpus]
    if not any(names):
        raise InputError("name at least one GPU to compare, e.g. H800,H100")
    chips = {chip.name: chip for chip in map(presets.hardware, filter(None, names))}
    return compare(reference, start, presets, list(chips.values()))


def tornado(
    scenario_or_name: Scenario | str | PathLike[str],
    overrides: Mapping[str, Any] | None = None,
    spread: float = 0.2,
) -> list[Effect]:
    """Each uncertain input moved alone to the ends of its range (stated, or +/- `spread`
    for assumptions), ranked by how far it moves the total."""
    from costcalc.sensitivity import sensitivity

    if not 0 < spread < 1:
        raise InputError(f"--spread (spread) must be between 0 and 1, got {spread}")
    reference, start, presets = _reference_and_start(scenario_or_name, overrides)
    return sensitivity(reference, start, hardware_for(presets.hardware, reference, start), spread)


def monte_carlo(
    scenario_or_name: Scenario | str | PathLike[str],
    draws: int,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Simulation:
    """`draws` Monte Carlo draws over the scenario's ranges (or +/-20% on its assumptions
    when it states none): P5/P50/P95 of each category and the total."""
    from costcalc.sensitivity import simulate, stated_inputs, uncertain_inputs

    reference, start, presets = _reference_and_start(scenario_or_name, overrides)
    inputs = stated_inputs(start) or uncertain_inputs(start)
    hardware = hardware_for(presets.hardware, reference, start)
    return simulate(reference, start, hardware, draws, seed, inputs)


def sweep_grid(
    scenario_or_name: Scenario | str | PathLike[str],
    vary: Mapping[str, str | Sequence[Any]] | Sequence[tuple[str, str | Sequence[Any]]],
    overrides: Mapping[str, Any] | None = None,
) -> Grid:
    """The model over the grid product of the inputs in `vary`, evaluated in numpy chunks.

    `vary` maps an input to a range "start:stop:step" or to its values:
    `{"price": "1.5:3:0.5", "gpu": ["H800", "H20"]}` (or gives such pairs in order).
    Every combination of the named values is checked before the first row, so
    iterating the chunks does not fail.
    """
    from costcalc.sweep import Grid, check_combinations, parse_axis, sweep_chunks, unique_columns

    reference, start, presets = _reference_and_start(scenario_or_name, overrides)
    pairs = list(vary.items()) if isinstance(vary, Mapping) else list(vary)
    pairs = [  # a lone value is a one-value axis
        (name, values if isinstance(values, str | list | tuple) else [values])
        for name, values in pairs
    ]
    axes = unique_columns([parse_axis(pair, start, presets) for pair in pairs])
    check_combinations(reference, start, axes, presets)
    return Grid(tuple(axes), sweep_chunks(reference, start, axes, presets))


def _reference_and_start(
    scenario_or_name: object, overrides: Mapping[str, Any] | None
) -> tuple[Scenario, Scenario, Catalog]:
    """The scenario as measured, the same after overrides (not rescaled), and the catalog."""
    reference, presets = _resolve(scenario_or_name)
    return reference, with_overrides(reference, _mapping(overrides), presets), presets
