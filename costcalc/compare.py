"""The same run on different chips: GPU-hours, days, cost and energy side by side.

Each chip runs the same work at the same MFU, priced at the chip's own rental rate,
on the same number of GPUs: the scenario's MFU, or when it states none, the typical
MFU of the chip it ran on. Chips then differ only by their peak FLOP/s and price, not
by how many published runs happened to calibrate their typical MFUs.
Measured GPU-hours move with throughput, as in any what-if (see
`costcalc.model.rescale_measured`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from costcalc.errors import InputError
from costcalc.model import estimate, hardware_for, rescale_measured, throughput
from costcalc.overrides import apply_overrides
from costcalc.schema import Basis, Hardware, Precision, Scenario

if TYPE_CHECKING:
    from costcalc.presets import Catalog


@dataclass(frozen=True)
class ChipResult:
    """The run on one chip: GPU-hours, days, cost at the chip's rental price, energy,
    the MFU used (the same for every chip), and whether it is cheapest or fastest."""

    gpu: str
    precision: str
    gpu_hours: float
    wall_clock_days: float | None
    price_usd_per_gpu_hour: float
    cost: float
    mfu: float
    mfu_precision: str
    energy_kwh: float
    note: str = ""
    cheapest: bool = False
    fastest: bool = False


def compare(
    reference: Scenario, start: Scenario, catalog: Catalog, chips: Sequence[Hardware]
) -> list[ChipResult]:
    """Cost `start`'s run on each chip, marking the cheapest and the fastest.

    `reference` is the scenario as measured: GPU-hours are rescaled against it.
    """
    import dataclasses

    run = start.run
    if run is None:
        raise InputError(f"{start.name} has no run to compare across chips")
    home = throughput(run, catalog.hardware(run.gpu))  # the MFU every chip runs at
    mfu, mfu_precision = home.mfu, home.mfu_precision
    results = []
    for chip in chips:
        overrides: dict[str, object] = {
            "run.gpu": chip.name,
            "run.price_usd_per_gpu_hour": chip.rental_usd_per_gpu_hour,
            "run.mfu": mfu,
            "run.mfu_precision": mfu_precision.value,
        }
        note = ""
        peaks = chip.peak_tflops.as_dict()
        if run.precision.value not in peaks:
            overrides["run.precision"] = Precision.bf16.value
            note = f"no {run.precision.value}; costed at bf16"
        if mfu_precision.value not in peaks:  # an MFU of an FP8 peak, on a chip without one
            overrides["run.mfu_precision"] = Precision.bf16.value
            note = f"no {mfu_precision.value}; costed at bf16"
        chip_mfu_precision = str(overrides["run.mfu_precision"])
        changed = apply_overrides(start, overrides, catalog)
        if changed.fleet is not None:  # compare the run at rental rates, not a fleet's cost
            changed = dataclasses.replace(changed, fleet=None, basis=Basis.rental)
        hardware = hardware_for(catalog.hardware, reference, changed)
        result = estimate(rescale_measured(reference, changed, hardware), hardware)
        results.append(
            ChipResult(
                gpu=chip.name,
                precision=changed.run.precision.value if changed.run else "",
                gpu_hours=float(result.gpu_hours or 0.0),
                wall_clock_days=None
                if result.wall_clock_days is None
                else float(result.wall_clock_days),
                price_usd_per_gpu_hour=chip.rental_usd_per_gpu_hour,
                cost=float(result.by_category["compute"]),
                mfu=float(mfu),
                mfu_precision=chip_mfu_precision,
                energy_kwh=float(result.energy_kwh or 0.0),
                note=note,
            )
        )
    return _mark_best(results)


def _mark_best(results: list[ChipResult]) -> list[ChipResult]:
    import dataclasses

    if not results:
        return results
    cheapest = min(result.cost for result in results)
    fastest = min(result.gpu_hours for result in results)

    def ties(value: float, best: float) -> bool:  # chips with the same peak tie exactly
        return value <= best * (1 + 1e-9)

    return [
        dataclasses.replace(
            result,
            cheapest=ties(result.cost, cheapest),
            fastest=ties(result.gpu_hours, fastest),
        )
        for result in results
    ]
