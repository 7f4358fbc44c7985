"""Which assumption matters most: one-at-a-time sensitivity and Monte Carlo ranges.

The uncertain inputs of a scenario are the ranges its file states (`{ low, high }`),
and, for every other number the model uses, the point value +/- 20% by default.
Sensitivity moves one input at a time to each end of its range and ranks inputs by
how far the total swings; `simulate` draws all ranged inputs at once and reports
percentiles. Both go through the same what-if path as a single estimate.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from costcalc.errors import InputError
from costcalc.model import Estimate, estimate, rescale_measured
from costcalc.overrides import field_marker, get_path, named_path, replace_path, settable_paths
from costcalc.schema import CATEGORIES, Hardware, Scenario, Uncertain

if TYPE_CHECKING:
    import numpy as np

DEFAULT_SPREAD = 0.2
PERCENTILES = (5.0, 50.0, 95.0)
# Z-score of the 95th percentile: a lognormal range's low/high are its P5/P95.
_Z95 = 1.6448536269514722


@dataclass(frozen=True)
class UncertainInput:
    """An input and the range it is varied over, with where that range comes from."""

    path: str
    label: str
    value: float
    spec: Uncertain

    @property
    def stated(self) -> bool:
        return not self.spec.source.startswith("default")


# Fields that describe the run as its source reports it (its size, its shape, how
# many GPUs ran it). They get a range only when the file states one: a default
# +/-20% on layers or reported GPU-hours would blur facts, and varying GPU-hours as
# well as the MFU they are rescaled by would count one uncertainty twice.
REPORTED_FACTS = frozenset(
    {"gpu_hours", "hours", "tokens", "gpus", "params", "active_params", "layers", "d_model",
     "seq_len"}
)  # fmt: skip


def uncertain_inputs(scenario: Scenario, spread: float = DEFAULT_SPREAD) -> list[UncertainInput]:
    """The scenario's stated ranges, plus +/- `spread` around every other assumption
    (every numeric input that is not one of the `REPORTED_FACTS`)."""
    inputs = []
    for path in _numeric_paths(scenario):
        value = get_path(scenario, path)
        spec = scenario.uncertain.get(path)
        if spec is None:
            if path.rsplit(".", 1)[-1] in REPORTED_FACTS:
                continue
            spec = _default_range(scenario, path, float(value), spread)
        inputs.append(UncertainInput(path, named_path(scenario, path), float(value), spec))
    return inputs


def stated_inputs(scenario: Scenario) -> list[UncertainInput]:
    """Only the ranges the scenario's file states."""
    return [item for item in uncertain_inputs(scenario) if item.stated]


def _numeric_paths(scenario: Scenario) -> list[str]:
    """Positional paths of the numeric fields that are set (names duplicate them)."""
    paths = []
    for path in settable_paths(scenario):
        if "." not in path or _names_an_item(path):
            continue
        value = get_path(scenario, path)
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if numeric and field_marker(scenario, path) is not None:
            paths.append(path)
    return paths


def _names_an_item(path: str) -> bool:
    parts = path.split(".")
    return any(
        before in ("stages", "groups") and not part.isdigit()
        for before, part in itertools.pairwise(parts)
    )


def _default_range(scenario: Scenario, path: str, value: float, spread: float) -> Uncertain:
    marker = field_marker(scenario, path)
    low, high = value * (1 - spread), value * (1 + spread)
    if marker is not None and marker.le is not None:
        high = min(high, marker.le)
    return Uncertain(low=low, high=high, source=f"default +/-{spread:.0%}")


# ---------------------------------------------------------------------------
# One at a time
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Effect:
    """What moving one input to each end of its range does to the total."""

    input: UncertainInput
    total_at_low: float
    total_at_high: float
    base_total: float

    @property
    def swing(self) -> float:
        return abs(self.total_at_high - self.total_at_low)


def sensitivity(
    reference: Scenario,
    scenario: Scenario,
    hardware: Mapping[str, Hardware],
    spread: float = DEFAULT_SPREAD,
) -> list[Effect]:
    """Every uncertain input's effect on the total, largest swing first.

    Each input is evaluated at [low, high] in one vectorised call of the model.
    """
    import numpy as np

    base_total = float(_evaluate(reference, scenario, hardware).total)
    effects = []
    for item in uncertain_inputs(scenario, spread):
        ends = np.array([item.spec.low, item.spec.high])
        varied = replace_path(scenario, item.path, ends)
        totals = np.broadcast_to(_evaluate(reference, varied, hardware).total, (2,))
        effects.append(Effect(item, float(totals[0]), float(totals[1]), base_total))
    return sorted(effects, key=lambda effect: effect.swing, reverse=True)


def _evaluate(
    reference: Scenario, scenario: Scenario, hardware: Mapping[str, Hardware]
) -> Estimate:
    return estimate(rescale_measured(reference, scenario, hardware), hardware)


# ---------------------------------------------------------------------------
# Monte Carlo
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Simulation:
    """Percentiles of each category and the total over `draws` joint draws."""

    draws: int
    seed: int | None
    inputs: tuple[UncertainInput, ...]
    point: dict[str, float]
    percentiles: dict[str, tuple[float, float, float]]


def draw(spec: Uncertain, count: int, rng: np.random.Generator) -> np.ndarray[Any, Any]:
    """Samples of one input: uniform, triangular (mode, else midpoint), or lognormal
    with low/high as its 5th/95th percentiles."""
    import numpy as np

    if spec.low == spec.high:
        return np.full(count, spec.low)
    if spec.distribution == "triangular":
        mode = spec.mode if spec.mode is not None else (spec.low + spec.high) / 2
        return rng.triangular(spec.low, mode, spec.high, count)
    if spec.distribution == "lognormal":
        mu = (np.log(spec.low) + np.log(spec.high)) / 2
        sigma = (np.log(spec.high) - np.log(spec.low)) / (2 * _Z95)
        return rng.lognormal(mu, sigma, count)
    return rng.uniform(spec.low, spec.high, count)


MAX_DRAWS = 1_000_000


def simulate(
    reference: Scenario,
    scenario: Scenario,
    hardware: Mapping[str, Hardware],
    draws: int,
    seed: int | None = None,
    inputs: Sequence[UncertainInput] | None = None,
) -> Simulation:
    """Draw every uncertain input `draws` times (independently) and evaluate once, vectorised."""
    import numpy as np

    if draws < 1:
        raise InputError(f"--uncertainty: the number of draws must be at least 1, got {draws}")
    if draws > MAX_DRAWS:
        raise InputError(
            f"--uncertainty: at most {MAX_DRAWS:,} draws (percentiles are stable long before; "
            f"memory grows with each draw), got {draws:,}"
        )
    chosen = list(inputs if inputs is not None else stated_inputs(scenario))
    rng = np.random.default_rng(seed)
    varied = scenario
    for item in chosen:
        varied = replace_path(varied, item.path, draw(item.spec, draws, rng))
    point = _evaluate(reference, scenario, hardware)
    result = _evaluate(reference, varied, hardware)
    metrics: dict[str, Any] = {"total": result.total}
    metrics.update({category: result.by_category[category] for category in CATEGORIES})
    percentiles: dict[str, tuple[float, float, float]] = {}
    for name, values in metrics.items():
        low, median, high = np.percentile(np.broadcast_to(values, (draws,)), PERCENTILES)
        percentiles[name] = (float(low), float(median), float(high))
    point_values: dict[str, float] = {"total": float(point.total)}
    point_values.update({category: float(point.by_category[category]) for category in CATEGORIES})
    return Simulation(draws, seed, tuple(chosen), point_values, percentiles)
