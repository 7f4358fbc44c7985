"""Reference runs: published training runs, and what they imply about MFU.

An estimate from parameters and tokens is only as good as its MFU. The runs in
`presets/runs/*.toml` record what labs reported (parameters, tokens, GPUs, GPU-hours)
so costcalc can show, for each, the MFU the reported GPU-hours imply and how far the
hardware preset's typical MFU would have missed. `costcalc.calibration` fits the
typical MFUs from them.

Implied MFU = 6 x N_active x tokens / (GPU-hours x 3600 s x peak FLOP/s), where the
peak is the one the hardware preset's typical MFU refers to (BF16 for every shipped
chip), so implied and typical MFUs compare like with like, also for FP8 runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from costcalc.errors import PresetError, UnknownName
from costcalc.model import gpu_hours_from_flops, implied_mfu, training_flops
from costcalc.numbers import compact, percent, scientific
from costcalc.schema import FORBID_EXTRA, FRACTION, Count, Hardware, Precision, Quantity

HOURS_PER_DAY = 24.0


@dataclass(frozen=True)
class ReferenceRun:
    """One published training run, as its source reports it.

    Give `gpu_hours` when the source reports them, else `gpus` and `days` (wall-clock);
    `scope` says what the figure covers (the final pre-training run only, or more).
    """

    __pydantic_config__ = FORBID_EXTRA

    name: str
    model: str
    organization: str
    year: int
    params: Annotated[float, Count(gt=0)]
    tokens: Annotated[float, Count(gt=0)]
    gpu: str
    precision: Precision
    scope: str
    source: str
    active_params: Annotated[float, Count(gt=0)] | None = None
    gpus: Annotated[int, Count(gt=0)] | None = None
    days: Annotated[float, Quantity(unit="day", gt=0)] | None = None
    gpu_hours: Annotated[float, Count(gt=0)] | None = None
    reported_mfu: Annotated[float, FRACTION] | None = None
    reported_cost_usd: Annotated[float, Quantity(unit="USD", gt=0)] | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.gpu_hours is None and (self.gpus is None or self.days is None):
            raise ValueError(f"run {self.name!r} needs gpu_hours, or gpus and days")
        if self.active_params is not None and self.active_params > self.params:
            raise ValueError(f"run {self.name!r}: active_params cannot exceed params")

    @property
    def active(self) -> float:
        """Parameters active per token: all of them for a dense model."""
        return self.active_params if self.active_params is not None else self.params

    @property
    def reported_gpu_hours(self) -> float:
        """GPU-hours as reported, or GPUs x wall-clock days x 24 when only those are."""
        if self.gpu_hours is not None:
            return self.gpu_hours
        assert self.gpus is not None and self.days is not None  # checked in __post_init__
        return self.gpus * self.days * HOURS_PER_DAY

    @property
    def gpu_hours_basis(self) -> str:
        if self.gpu_hours is not None:
            return "reported"
        return f"{self.gpus:,} GPUs x {self.days:g} days x 24 h"

    @property
    def flops(self) -> float:
        return float(training_flops(self.active, self.tokens))


@dataclass(frozen=True)
class RunFile:
    """A file of reference runs: `[[runs]]` tables."""

    __pydantic_config__ = FORBID_EXTRA

    runs: tuple[ReferenceRun, ...]


@dataclass(frozen=True)
class RunResult:
    """A reference run set against costcalc's estimate with the hardware's typical MFU."""

    run: ReferenceRun
    hardware: Hardware
    reported_gpu_hours: float
    estimated_gpu_hours: float
    implied_mfu: float

    @property
    def mfu_precision(self) -> Precision:
        """The peak both MFUs are fractions of: the one the typical MFU refers to."""
        return self.hardware.typical_mfu_precision

    @property
    def peak_flops(self) -> float:
        return self.hardware.peak_flops(self.mfu_precision)

    @property
    def error(self) -> float:
        """Signed relative error of the estimate: estimated / reported - 1."""
        return self.estimated_gpu_hours / self.reported_gpu_hours - 1.0

    @property
    def price_usd_per_gpu_hour(self) -> float:
        return self.hardware.rental_usd_per_gpu_hour

    @property
    def reported_cost_at_rental(self) -> float:
        """Reported GPU-hours at the hardware preset's rental price."""
        return self.reported_gpu_hours * self.price_usd_per_gpu_hour

    @property
    def estimated_cost_at_rental(self) -> float:
        return self.estimated_gpu_hours * self.price_usd_per_gpu_hour

    def mfu_basis(self) -> str:
        return (
            f"6 x {compact(self.run.active)} params x {compact(self.run.tokens)} tokens / "
            f"({compact(self.reported_gpu_hours)} GPU-h x 3600 s x "
            f"{compact(self.peak_flops / 1e12)} TFLOP/s {self.mfu_precision.value.upper()} "
            "peak) = "
            f"{percent(self.implied_mfu)}"
        )

    def estimate_basis(self) -> str:
        return (
            f"{scientific(self.run.flops)} FLOP / ({compact(self.peak_flops / 1e12)} TFLOP/s x "
            f"{percent(self.hardware.typical_mfu)} typical MFU x 3600 s) = "
            f"{compact(self.estimated_gpu_hours)} GPU-h"
        )


def evaluate(run: ReferenceRun, hardware: Hardware) -> RunResult:
    """Implied MFU of a reported run, and the GPU-hours the typical MFU predicts."""
    peak = hardware.peak_flops(hardware.typical_mfu_precision)
    reported = run.reported_gpu_hours
    return RunResult(
        run=run,
        hardware=hardware,
        reported_gpu_hours=reported,
        estimated_gpu_hours=float(gpu_hours_from_flops(run.flops, peak, hardware.typical_mfu)),
        implied_mfu=float(implied_mfu(run.flops, reported, peak)),
    )


def evaluate_all(runs: Sequence[ReferenceRun], lookup: Any) -> list[RunResult]:
    """Every run against its hardware preset; `lookup` resolves a GPU name."""
    return [evaluate(run, lookup(run.gpu)) for run in runs]


# ---------------------------------------------------------------------------
# Reading the dataset
# ---------------------------------------------------------------------------


def run_files(dirs: Sequence[Path] | None = None) -> list[Path]:
    """Every `runs/*.toml` on the preset search path."""
    from costcalc.presets import _preset_files

    return list(_preset_files("runs", dirs).values())


def read_run_file(path: Path) -> tuple[ReferenceRun, ...]:
    from costcalc.presets import read_toml, validate

    return validate(RunFile, read_toml(path), path).runs


def load_runs(dirs: Sequence[Path] | None = None) -> dict[str, ReferenceRun]:
    """Every reference run by name; a name used twice is an error naming both files."""
    runs: dict[str, ReferenceRun] = {}
    origin: dict[str, Path] = {}
    for path in run_files(dirs):
        for run in read_run_file(path):
            if run.name in runs:
                raise PresetError(path, f"run {run.name!r} is also defined in {origin[run.name]}")
            runs[run.name], origin[run.name] = run, path
    return runs


def find_run(runs: Mapping[str, ReferenceRun], name: str) -> ReferenceRun:
    """A run by name, case-insensitively, or an error suggesting the closest."""
    wanted = name.strip().lower()
    for key, run in runs.items():
        if key.lower() == wanted or run.model.lower() == wanted:
            return run
    raise UnknownName("run", name, list(runs))
