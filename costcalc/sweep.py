"""Sweeps: the cost model over the grid product of several inputs, vectorised.

`--vary price=1.5:3.0:0.5 --vary mfu=0.2,0.3,0.4 --vary gpu=H800,H100,H20` is 4 x 3 x 3
= 36 rows, in product order (the first axis changes slowest). Numeric axes become
numpy arrays passed through the ordinary model in chunks; an axis of names (GPU,
precision) is resolved once per value. So a sweep row equals the single estimate
with the same overrides, and a million rows stream to CSV in seconds.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from costcalc.errors import InputError
from costcalc.model import estimate, hardware_for, rescale_measured
from costcalc.overrides import apply_overrides, expand_alias, field_marker, replace_path
from costcalc.schema import Scenario

if TYPE_CHECKING:
    import numpy as np

    from costcalc.presets import Catalog

CHUNK_ROWS = 131_072
# What each row reports, with units in the column names.
METRIC_COLUMNS = (
    ("total_usd", "total"),
    ("compute_usd", "compute"),
    ("capex_usd", "capex"),
    ("opex_usd", "opex"),
    ("rnd_usd", "rnd"),
    ("gpu_hours", "gpu_hours"),
    ("wall_clock_days", "wall_clock_days"),
    ("energy_kwh", "energy_kwh"),
    ("owned_usd_per_gpu_hour", "owned_cost_per_gpu_hour"),  # empty for rental scenarios
)
MONEY_COLUMNS = tuple(column for column, _ in METRIC_COLUMNS if "_usd" in column)


@dataclass(frozen=True)
class Axis:
    """One input to vary: its path, output column, and parsed values."""

    path: str
    column: str
    values: tuple[Any, ...]
    numeric: bool


@dataclass(frozen=True)
class Grid:
    """A sweep: its axes, and its rows as column chunks ({column: array}) in product
    order, computed as they are read."""

    axes: tuple[Axis, ...]
    chunks: Iterator[dict[str, Any]]

    @property
    def rows(self) -> int:
        return row_count(self.axes)


def parse_vary(spec: str) -> tuple[str, str]:
    """Split one --vary 'name=values' into the name and its values text."""
    name, sep, text = spec.partition("=")
    if not sep or not name.strip() or not text.strip():
        raise InputError(f"--vary: expected name=start:stop:step or name=v1,v2, got {spec!r}")
    return name.strip(), text.strip()


def parse_axis(
    spec: str | tuple[str, str | Sequence[Any]], scenario: Scenario, catalog: Catalog
) -> Axis:
    """Read `name=a:b:step` (inclusive range) or `name=v1,v2,...` against a scenario;
    or a (name, values) pair, where a list holds one value per item (so "1,024" is
    one value) and a string is read as after the `=`.

    Values may carry units ('1.5 USD/hour:3 USD/hour:0.5 USD/hour'); bare numbers are
    in the unit the field's name states.

    Raises:
        InputError: malformed spec or values; UnknownName: no such field.
    """
    name, given = parse_vary(spec) if isinstance(spec, str) else spec
    text = given if isinstance(given, str) else ""
    items = text.split(",") if isinstance(given, str) else [str(value) for value in given]
    if not items or not all(item.strip() for item in items):
        raise InputError(f"--vary {name}: no values given")
    path = expand_alias(scenario, name)
    marker = field_marker(scenario, path)
    column = path.rsplit(".", 1)[-1]
    values: tuple[Any, ...]
    if marker is None:
        values = tuple(_categorical(scenario, path, item.strip(), catalog) for item in items)
        return Axis(path, column, values, numeric=False)

    def parse(value: str) -> float:
        try:
            return float(marker.check(float(marker.parse(value.strip()))))
        except (ValueError, InputError) as error:
            raise InputError(f"--vary {name}: {value.strip()!r}: {error}") from None

    if ":" in text and "," not in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise InputError(f"--vary {name}: a range is start:stop:step, got {text!r}")
        start, stop = parse(parts[0]), parse(parts[1])
        step = _step(parts[2], marker, name)
        values = _inclusive_range(start, stop, step, name)
        for value in (values[0], values[-1]):
            marker.check(value)
    else:
        values = tuple(parse(item) for item in items)
    return Axis(path, column, values, numeric=True)


def _step(text: str, marker: Any, name: str) -> float:
    try:
        step = float(marker.parse(text.strip()))
    except (ValueError, InputError) as error:
        raise InputError(f"--vary {name}: step {text.strip()!r}: {error}") from None
    if not step > 0:
        raise InputError(f"--vary {name}: the step must be greater than 0, got {text.strip()!r}")
    return step


def _inclusive_range(start: float, stop: float, step: float, name: str) -> tuple[float, ...]:
    if stop < start:
        raise InputError(f"--vary {name}: stop {stop:g} is below start {start:g}")
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > 10_000_000:
        raise InputError(f"--vary {name}: {count:,} values is too many for one axis")
    # Rounded to 12 significant digits, so 0.2 + 1 x 0.0004 reads 0.2004, not 0.20040000000000002.
    return tuple(float(f"{start + index * step:.12g}") for index in range(count))


def _categorical(scenario: Scenario, path: str, value: str, catalog: Catalog) -> str:
    """A name-valued field's value, checked by applying it (GPU names made canonical)."""
    if path == "run.gpu":
        return catalog.hardware(value).name
    apply_overrides(scenario, {path: value}, catalog)
    return value


def row_count(axes: Sequence[Axis]) -> int:
    return math.prod(len(axis.values) for axis in axes)


def sweep_chunks(
    reference: Scenario,
    start: Scenario,
    axes: Sequence[Axis],
    catalog: Catalog,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[dict[str, Any]]:
    """Yield the sweep as column chunks: {column: array}, rows in product order.

    `start` is the scenario every row varies (the preset after --set); `reference` is
    the preset as measured, against which GPU-hours are rescaled when a row changes
    the GPU or the MFU (as a single estimate does).
    """
    import numpy as np

    shape = tuple(len(axis.values) for axis in axes)
    total = row_count(axes)
    categorical = [index for index, axis in enumerate(axes) if not axis.numeric]
    numeric = [index for index, axis in enumerate(axes) if axis.numeric]
    numeric_values = {index: np.asarray(axes[index].values, dtype=float) for index in numeric}
    variants: dict[tuple[int, ...], Scenario] = {}

    for first_row in range(0, total, chunk_rows):
        flat = np.arange(first_row, min(total, first_row + chunk_rows))
        positions = np.unravel_index(flat, shape)
        chunk: dict[str, Any] = {}
        for index, axis in enumerate(axes):
            if axis.numeric:
                chunk[axis.column] = numeric_values[index][positions[index]]
            else:
                chunk[axis.column] = np.asarray(axis.values, dtype=object)[positions[index]]
        results = {column: np.full(len(flat), np.nan) for column, _ in METRIC_COLUMNS}
        keys = np.stack([positions[i] for i in categorical], axis=1) if categorical else None
        for key in _distinct(keys, len(flat)):
            mask = np.ones(len(flat), dtype=bool) if keys is None else (keys == key).all(axis=1)
            if key not in variants:
                variants[key] = _variant(start, axes, categorical, key, catalog)
            scenario = variants[key]
            for index in numeric:
                scenario = replace_path(scenario, axes[index].path, chunk[axes[index].column][mask])
            _fill(results, mask, _evaluate(reference, scenario, catalog))
        chunk.update(results)
        yield chunk


def _distinct(keys: np.ndarray[Any, Any] | None, rows: int) -> list[tuple[int, ...]]:
    import numpy as np

    if keys is None:
        return [()]
    return [tuple(int(value) for value in row) for row in np.unique(keys, axis=0)]


def _variant(
    base: Scenario,
    axes: Sequence[Axis],
    categorical: list[int],
    key: tuple[int, ...],
    catalog: Catalog,
) -> Scenario:
    overrides = {
        axes[index].path: axes[index].values[position]
        for index, position in zip(categorical, key, strict=True)
    }
    return apply_overrides(base, overrides, catalog)


def _evaluate(base: Scenario, scenario: Scenario, catalog: Catalog) -> dict[str, Any]:
    hardware = hardware_for(catalog.hardware, base, scenario)
    result = estimate(rescale_measured(base, scenario, hardware), hardware)
    return {column: result.metric(metric) for column, metric in METRIC_COLUMNS}


def _fill(results: dict[str, Any], mask: Any, values: dict[str, Any]) -> None:
    import numpy as np

    rows = int(mask.sum())
    for column, value in values.items():
        if value is not None:
            results[column][mask] = np.broadcast_to(np.asarray(value, dtype=float), (rows,))


def unique_columns(axes: Sequence[Axis]) -> list[Axis]:
    """Axes renamed where their field name would clash with another column.

    Raises:
        InputError: the same input is varied twice.
    """
    import dataclasses

    paths = [axis.path for axis in axes]
    for path in paths:
        if paths.count(path) > 1:
            raise InputError(f"--vary {path}: given twice; list all its values in one --vary")
    taken = {column for column, _ in METRIC_COLUMNS}
    leaves = [axis.column for axis in axes]
    renamed = []
    for axis in axes:
        if axis.column in taken or leaves.count(axis.column) > 1:
            axis = dataclasses.replace(axis, column=axis.path.replace(".", "_").replace("-", "_"))
        taken.add(axis.column)
        renamed.append(axis)
    return renamed


def check_combinations(
    reference: Scenario, start: Scenario, axes: Sequence[Axis], catalog: Catalog
) -> None:
    """Evaluate every combination of the name-valued axes once (numeric axes at their
    first value) before any row is written, so an impossible one, such as an FP8 run
    on an A100, fails the command instead of cutting the output short."""
    import dataclasses

    probes = [axis if not axis.numeric else dataclasses.replace(axis, values=axis.values[:1])
              for axis in axes]  # fmt: skip
    for _ in sweep_chunks(reference, start, probes, catalog):
        pass
