"""Fitting typical MFUs from reference runs, and measuring the error they leave.

The error of an MFU on a run needs no FLOP arithmetic: estimated GPU-hours are
FLOPs / (peak x MFU) and reported ones FLOPs / (peak x implied MFU), so

    estimated / reported - 1 = implied MFU / MFU - 1.

Leave-one-out: each run is predicted with the median implied MFU of the *other* runs
on the same chip at the same precision (or, when it is alone there, the other runs on
the same chip, then every other run), so a run never grades its own fit.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from costcalc.runs import RunResult


def relative_error(implied: float, assumed: float) -> float:
    """Signed error of predicting GPU-hours with `assumed` MFU when `implied` was achieved."""
    return implied / assumed - 1.0


def leave_one_out_mfus(
    implied: Sequence[float], related: Sequence[Callable[[int, int], bool]] = ()
) -> list[float]:
    """For each run, the median implied MFU of the others it is `related` to.

    `related` is a list of tests (i, j) -> bool, tried in order; the first that leaves
    any other run wins, and with none left every other run is used.
    """
    if len(implied) < 2:
        raise ValueError("leave-one-out needs at least two runs")
    fitted = []
    for index in range(len(implied)):
        others = [j for j in range(len(implied)) if j != index]
        for test in related:
            chosen = [j for j in others if test(index, j)]
            if chosen:
                others = chosen
                break
        fitted.append(statistics.median(implied[j] for j in others))
    return fitted


def leave_one_out_errors(
    implied: Sequence[float], related: Sequence[Callable[[int, int], bool]] = ()
) -> list[float]:
    """The signed error on each run of the MFU fitted without it."""
    return [
        relative_error(mfu, fitted)
        for mfu, fitted in zip(implied, leave_one_out_mfus(implied, related), strict=True)
    ]


@dataclass(frozen=True)
class ErrorSummary:
    """Median and worst absolute relative error over a set of runs."""

    median: float
    worst: float
    worst_run: str

    @classmethod
    def of(cls, names: Sequence[str], errors: Sequence[float]) -> ErrorSummary:
        absolute = [abs(error) for error in errors]
        worst = max(range(len(absolute)), key=absolute.__getitem__)
        return cls(statistics.median(absolute), absolute[worst], names[worst])


@dataclass(frozen=True)
class Fit:
    """The typical MFU one chip at one precision achieved across its reference runs."""

    gpu: str
    precision: str
    runs: tuple[str, ...]
    median_mfu: float
    low_mfu: float
    high_mfu: float
    preset_mfu: float
    mfu_precision: str


@dataclass(frozen=True)
class Calibration:
    """Fits per chip and precision, and per run: the error of the presets' MFUs and of
    the leave-one-out fit (in the order of `results`)."""

    fits: tuple[Fit, ...]
    results: tuple[RunResult, ...]
    default_errors: tuple[float, ...]
    loo_mfus: tuple[float, ...]
    loo_errors: tuple[float, ...]

    @property
    def names(self) -> list[str]:
        return [result.run.name for result in self.results]

    def default_summary(self) -> ErrorSummary:
        return ErrorSummary.of(self.names, self.default_errors)

    def loo_summary(self) -> ErrorSummary:
        return ErrorSummary.of(self.names, self.loo_errors)


def calibrate(results: Sequence[RunResult]) -> Calibration:
    """Median implied MFU per (chip, precision), and the errors of defaults and fits."""
    if len(results) < 2:
        raise ValueError("calibration needs at least two runs")
    implied = [result.implied_mfu for result in results]
    gpus = [result.hardware.name for result in results]
    precisions = [result.run.precision for result in results]

    def same_chip(i: int, j: int) -> bool:
        return gpus[i] == gpus[j]

    def same_chip_and_precision(i: int, j: int) -> bool:
        return same_chip(i, j) and precisions[i] == precisions[j]

    related = [same_chip_and_precision, same_chip]
    return Calibration(
        fits=tuple(_fits(results)),
        results=tuple(results),
        default_errors=tuple(result.error for result in results),
        loo_mfus=tuple(leave_one_out_mfus(implied, related)),
        loo_errors=tuple(leave_one_out_errors(implied, related)),
    )


def _fits(results: Sequence[RunResult]) -> list[Fit]:
    """One fit per chip and precision, plus one over all precisions of a chip that has
    runs at several (the figure a hardware preset's single typical MFU takes)."""
    groups: dict[tuple[str, str], list[RunResult]] = {}
    for result in results:
        groups.setdefault((result.hardware.name, result.run.precision.value), []).append(result)
    chips: dict[str, list[RunResult]] = {}
    for (gpu, _), members in groups.items():
        chips.setdefault(gpu, []).extend(members)
    fits: list[Fit] = []
    for gpu, members in chips.items():
        precisions = sorted({precision for chip, precision in groups if chip == gpu})
        fits.extend(_fit(gpu, precision, groups[gpu, precision]) for precision in precisions)
        if len(precisions) > 1:
            fits.append(_fit(gpu, ALL_PRECISIONS, members))
    return fits


ALL_PRECISIONS = "all"


def _fit(gpu: str, precision: str, members: Sequence[RunResult]) -> Fit:
    mfus = [member.implied_mfu for member in members]
    chip = members[0].hardware
    return Fit(
        gpu=gpu,
        precision=precision,
        runs=tuple(member.run.name for member in members),
        median_mfu=statistics.median(mfus),
        low_mfu=min(mfus),
        high_mfu=max(mfus),
        preset_mfu=chip.typical_mfu,
        mfu_precision=chip.typical_mfu_precision.value,
    )
