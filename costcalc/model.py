"""The cost model: pure functions from validated inputs to a priced breakdown.

No I/O and no printing. Every function takes plain floats or numpy arrays alike
(sweeps and Monte Carlo run it vectorised), so it branches on which inputs are
given, never on their values.

Four categories are kept apart and never silently summed across scopes:
compute (GPU-hours x a rental price), capex (buying a fleet), opex (running it over
its life) and rnd (staff, experiments, data). A rental scenario prices its run's
GPU-hours; an ownership scenario prices a fleet, and a run on it gets the run's
share of that fleet's capex and opex by GPU-hours, so hardware is counted once.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from costcalc.errors import InputError, UnknownItem
from costcalc.numbers import compact, grouped, nonzero, percent, scientific
from costcalc.schema import (
    CATEGORIES,
    METRICS,
    Basis,
    Category,
    Fleet,
    FleetGroup,
    Hardware,
    Precision,
    Rnd,
    Run,
    Scenario,
    Stage,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

    Number: TypeAlias = float | NDArray[Any]
else:
    Number = Any


CURRENCY = "USD"
HOURS_PER_YEAR = 8766.0  # 365.25 days, as Epoch AI amortises hardware
SECONDS_PER_HOUR = 3600.0
EXPERIMENT_COMPUTE = "experiment compute"


@dataclass(frozen=True)
class LineItem:
    """One priced line: its category, amount in USD, and the formula that produced it."""

    category: Category
    name: str
    amount: Number
    basis: str
    source: str = ""


@dataclass(frozen=True)
class StageResult:
    """What one stage of a run needs: GPU-hours (and how they were found), FLOPs, time."""

    name: str
    gpu_hours: Number
    gpu_hours_basis: str
    flops: Number | None
    wall_clock_days: Number | None
    energy_kwh: Number
    implied_mfu: Number | None
    mfu_precision: Precision = Precision.bf16  # the peak `implied_mfu` is a fraction of


@dataclass(frozen=True)
class GroupResult:
    """One hardware type of a fleet: its capex, its opex over the life, its cost per GPU-hour."""

    gpu: str
    count: int
    capex: Number
    opex_parts: dict[str, Number]
    available_gpu_hours: Number

    @property
    def opex(self) -> Number:
        return sum(self.opex_parts.values(), 0.0)

    @property
    def owned_usd_per_gpu_hour(self) -> Number:
        return (self.capex + self.opex) / self.available_gpu_hours


@dataclass(frozen=True)
class FleetResult:
    """A fleet over its life: totals, and the owned cost per GPU-hour it implies."""

    groups: tuple[GroupResult, ...]
    life_years: Number
    utilization: Number

    @property
    def gpus(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def capex(self) -> Number:
        return sum((group.capex for group in self.groups), 0.0)

    @property
    def opex(self) -> Number:
        return sum((group.opex for group in self.groups), 0.0)

    @property
    def available_gpu_hours(self) -> Number:
        return sum((group.available_gpu_hours for group in self.groups), 0.0)

    @property
    def owned_usd_per_gpu_hour(self) -> Number:
        """(capex + opex over the life) / (GPUs x hours of the life x utilization)."""
        return (self.capex + self.opex) / self.available_gpu_hours

    def group(self, gpu: str) -> GroupResult | None:
        return next((group for group in self.groups if group.gpu == gpu), None)


@dataclass(frozen=True)
class Estimate:
    """The priced breakdown of a scenario, with the metrics that explain it."""

    scenario: str
    title: str
    basis: Basis
    items: tuple[LineItem, ...]
    stages: tuple[StageResult, ...] = ()
    fleet: FleetResult | None = None
    gpu: str | None = None
    gpus: int | None = None
    price_usd_per_gpu_hour: Number | None = None
    notes: tuple[str, ...] = ()
    currency: str = CURRENCY

    @property
    def total(self) -> Number:
        """The sum of every line item, in `currency`."""
        return sum((item.amount for item in self.items), 0.0)

    @property
    def by_category(self) -> dict[Category, Number]:
        """Totals of compute, capex, opex and rnd (zero where the scenario has none)."""
        totals: dict[Category, Number] = dict.fromkeys(CATEGORIES, 0.0)
        for item in self.items:
            totals[item.category] = totals[item.category] + item.amount
        return totals

    @property
    def gpu_hours(self) -> Number | None:
        return sum((stage.gpu_hours for stage in self.stages), 0.0) if self.stages else None

    @property
    def flops(self) -> Number | None:
        known = [stage.flops for stage in self.stages if stage.flops is not None]
        return sum(known, 0.0) if known else None

    @property
    def wall_clock_days(self) -> Number | None:
        days = [stage.wall_clock_days for stage in self.stages]
        if not days or any(day is None for day in days):
            return None
        return sum((day for day in days if day is not None), 0.0)

    @property
    def energy_kwh(self) -> Number | None:
        return sum((stage.energy_kwh for stage in self.stages), 0.0) if self.stages else None

    def item(self, name: str) -> LineItem:
        """The line item called `name` ('pre-training', 'H800 servers', ...).

        Raises:
            UnknownItem: no such item (the message suggests the closest).
        """
        for item in self.items:
            if item.name == name:
                return item
        raise UnknownItem("line item", name, [item.name for item in self.items])

    def metric(self, name: str) -> Number | None:
        """A named figure: 'total', a category, 'gpu_hours', ..., or 'item:NAME'.

        These names are what scenario files use to state the published figures
        they reproduce, and what explanations add up into layers.

        Raises:
            UnknownItem: no such metric or item (also a KeyError).
        """
        if name.startswith("item:"):
            return self.item(name.removeprefix("item:")).amount
        if name in CATEGORIES:
            return self.by_category[name]
        if name == "owned_cost_per_gpu_hour":
            return self.fleet.owned_usd_per_gpu_hour if self.fleet else None
        if name in ("total", "gpu_hours", "flops", "wall_clock_days", "energy_kwh"):
            return typing.cast("Number | None", getattr(self, name))
        raise UnknownItem("metric", name, [*METRICS, "item:NAME"])


# ---------------------------------------------------------------------------
# Compute: FLOPs, GPU-hours, time and energy of a run
# ---------------------------------------------------------------------------


def training_flops(
    active_params: Number,
    tokens: Number,
    layers: Number | None = None,
    d_model: Number | None = None,
    seq_len: Number | None = None,
) -> Number:
    """Training FLOPs: 6 x N_active x tokens, plus attention when the shape is known.

    The attention term is PaLM's (Chowdhery et al. 2022, App. B): 12 x L x d x T
    FLOPs per token for L layers of width d at sequence length T. For a mixture of
    experts, N is the parameters active per token (37B of V3's 671B).
    """
    per_token = 6.0 * active_params
    if layers is not None and d_model is not None and seq_len is not None:
        per_token = per_token + 12.0 * layers * d_model * seq_len
    return per_token * tokens


def gpu_hours_from_flops(flops: Number, peak_flops: Number, mfu: Number) -> Number:
    """GPU-hours = FLOPs / (peak FLOP/s x MFU x 3600 s)."""
    return flops / (peak_flops * mfu * SECONDS_PER_HOUR)


def implied_mfu(flops: Number, gpu_hours: Number, peak_flops: Number) -> Number:
    """The MFU a reported run achieved: FLOPs / (GPU-hours x 3600 s x peak FLOP/s)."""
    return flops / (gpu_hours * SECONDS_PER_HOUR * peak_flops)


def energy_kwh(
    gpu_hours: Number,
    tdp_w: Number,
    server_power_factor: Number,
    average_power_fraction: Number,
    pue: Number,
) -> Number:
    """Facility energy: GPU-hours x TDP x server overhead x average load x PUE."""
    return gpu_hours * tdp_w / 1000.0 * server_power_factor * average_power_fraction * pue


@dataclass(frozen=True)
class Throughput:
    """The achieved FLOP/s per GPU, and which peak the MFU is a fraction of."""

    mfu: Number
    mfu_precision: Precision
    peak_flops: Number

    @property
    def achieved_flops(self) -> Number:
        return self.mfu * self.peak_flops

    def describe(self, hardware: Hardware, run_precision: Precision, stated: bool) -> str:
        """The MFU in words, saying whether the scenario assumes it or the chip's
        preset supplies it, and which peak it is a fraction of."""
        achieved_tflops = self.achieved_flops / 1e12
        origin = "assumed MFU" if stated else f"typical MFU of the {hardware.name} preset"
        text = (
            f"{origin} {percent(self.mfu)} of the {hardware.name} "
            f"{self.mfu_precision.value.upper()} "
            f"peak ({compact(self.peak_flops / 1e12)} TFLOP/s) = {compact(achieved_tflops)} "
            "TFLOP/s per GPU"
        )
        if run_precision != self.mfu_precision:
            run_peak = hardware.peak_flops(run_precision)
            text += (
                f"; that is {percent(self.achieved_flops / run_peak)} of its "
                f"{run_precision.value.upper()} peak"
            )
        return text


def throughput(run: Run, hardware: Hardware) -> Throughput:
    """The run's MFU and the peak it refers to.

    An MFU given with the run is a fraction of the run's precision's peak (or of
    `mfu_precision`'s); the hardware's typical MFU is a fraction of the peak its
    preset names. An FP8 run with a BF16-measured MFU is therefore not credited
    with FP8's doubled peak.
    """
    hardware.peak_flops(run.precision)  # a precision the chip lacks is an error
    if run.mfu is not None:
        precision = run.mfu_precision or run.precision
        return Throughput(run.mfu, precision, hardware.peak_flops(precision))
    precision = hardware.typical_mfu_precision
    return Throughput(hardware.typical_mfu, precision, hardware.peak_flops(precision))


def stage_result(stage: Stage, run: Run, hardware: Hardware) -> StageResult:
    """GPU-hours, FLOPs, wall-clock days and energy of one stage."""
    rate = throughput(run, hardware)
    active = run.active
    flops = None
    if stage.tokens is not None and active is not None:
        flops = training_flops(active, stage.tokens, run.layers, run.d_model, run.seq_len)
    gpus = stage.gpus if stage.gpus is not None else run.gpus

    gpu_hours: Number
    if stage.gpu_hours is not None:
        gpu_hours, how = stage.gpu_hours, "reported"
    elif stage.hours is not None:
        if gpus is None:
            raise InputError(f"stage {stage.name!r} gives hours but no gpus to run them on")
        gpu_hours = gpus * stage.hours
        how = f"{grouped(gpus)} GPUs x {compact(stage.hours)} h"
    elif flops is not None:
        gpu_hours = gpu_hours_from_flops(flops, rate.peak_flops, rate.mfu)
        how = (
            f"{scientific(flops)} FLOP / ({compact(rate.peak_flops / 1e12)} TFLOP/s "
            f"{rate.mfu_precision.value} x {percent(rate.mfu)} MFU x 3600 s)"
        )
    else:
        raise InputError(f"stage {stage.name!r} gives tokens but the run has no params")

    if stage.hours is not None:
        days: Number | None = stage.hours / 24.0
    elif gpus is not None:
        days = gpu_hours / gpus / 24.0
    else:
        days = None
    from_mfu = stage.gpu_hours is None and stage.hours is None
    measured = None
    if flops is not None and not from_mfu:  # GPU-hours were observed: what MFU do they imply?
        measured = implied_mfu(flops, gpu_hours, rate.peak_flops)
    energy = energy_kwh(
        gpu_hours, hardware.tdp_w, hardware.server_power_factor, run.average_power_fraction, run.pue
    )
    return StageResult(
        stage.name, gpu_hours, how, flops, days, energy, measured, rate.mfu_precision
    )


def _energy_basis(gpu_hours: Number, run: Run, hardware: Hardware) -> str:
    return (
        f"energy: {compact(gpu_hours)} GPU-h x {hardware.tdp_w / 1000:g} kW TDP x "
        f"{hardware.server_power_factor:g} server overhead x "
        f"{percent(run.average_power_fraction, 0)} average load x {compact(run.pue)} PUE"
    )


def rescale_measured(
    original: Scenario, changed: Scenario, hardware: Mapping[str, Hardware]
) -> Scenario:
    """Measured GPU-hours follow a what-if that changes the chip, the MFU or the work.

    A stage's reported GPU-hours (or wall-clock hours) were achieved at the original
    run's throughput, peak x MFU, on the original amount of work. When a what-if
    changes the GPU, the MFU or the precision its MFU refers to, the same work takes
    GPU-hours in inverse proportion to the new throughput: V3's 2.664M H800 GPU-hours
    become about 17.8M on an H20 at the same MFU. When it changes the tokens or the
    parameters, GPU-hours grow with the FLOPs (twice the tokens, twice the GPU-hours).
    When nothing changes the ratio is exactly 1.
    """
    if original.run is None or changed.run is None:
        return changed
    before = throughput(original.run, hardware[original.run.gpu]).achieved_flops
    after = throughput(changed.run, hardware[changed.run.gpu]).achieved_flops
    speed: Any = before / after  # an array in sweeps: fields typed float carry arrays then
    originals = {stage.name: stage for stage in original.run.stages}
    stages = []
    for stage in changed.run.stages:
        # Tokens given to a stage measured without them scale nothing (there is no
        # "before" to compare with): they only let the estimate show the implied MFU.
        before_stage = originals.get(stage.name)
        ratio = speed * _work_ratio(original.run, before_stage, changed.run, stage)
        stages.append(
            dataclasses.replace(
                stage,
                gpu_hours=None if stage.gpu_hours is None else stage.gpu_hours * ratio,
                hours=None if stage.hours is None else stage.hours * ratio,
            )
        )
    return dataclasses.replace(changed, run=dataclasses.replace(changed.run, stages=tuple(stages)))


def _work_ratio(original: Run, before: Stage | None, changed: Run, after: Stage) -> Any:
    """How much more work a measured stage now does: the FLOPs ratio when both versions
    have tokens and parameters, the parameter ratio when only parameters are known."""
    old_params, new_params = original.active, changed.active
    if before is None or old_params is None or new_params is None:
        return 1.0
    if before.tokens is not None and after.tokens is not None:
        old = training_flops(old_params, before.tokens, original.layers, original.d_model,
                             original.seq_len)  # fmt: skip
        new = training_flops(new_params, after.tokens, changed.layers, changed.d_model,
                             changed.seq_len)  # fmt: skip
        return new / old
    return new_params / old_params


def rental_price(run: Run, hardware: Hardware) -> Number:
    """The run's price per GPU-hour, else the hardware's typical rental rate."""
    if run.price_usd_per_gpu_hour is not None:
        return run.price_usd_per_gpu_hour
    return hardware.rental_usd_per_gpu_hour


def rental_items(run: Run, stages: tuple[StageResult, ...], price: Number) -> list[LineItem]:
    """compute: each stage's GPU-hours at the rental price."""
    sources = {stage.name: stage.source for stage in run.stages}
    return [
        LineItem(
            "compute",
            stage.name,
            stage.gpu_hours * price,
            f"{compact(stage.gpu_hours)} GPU-h x {grouped(price, 2)} USD/GPU-h",
            sources.get(stage.name) or run.source,
        )
        for stage in stages
    ]


# ---------------------------------------------------------------------------
# Fleet: capex and opex of owned hardware
# ---------------------------------------------------------------------------


def server_kw(hardware: Hardware) -> float:
    """Power drawn per GPU including its share of the server, at TDP, in kW."""
    return hardware.tdp_w * hardware.server_power_factor / 1000.0


def fleet_result(fleet: Fleet, hardware: Mapping[str, Hardware]) -> FleetResult:
    """Capex and lifetime opex per hardware type, and the GPU-hours the fleet offers.

    Opex per type: electricity (server power x average load x PUE x hours x price),
    hosting (server power x price per kW-month), maintenance (a share of capex per
    year) and operations staff (shared by GPU count).
    """
    life_hours = fleet.life_years * HOURS_PER_YEAR
    total_gpus = sum(group.count for group in fleet.groups)
    groups = []
    for group in fleet.groups:
        capex = group.count * (_server_cost(group, hardware) + fleet.network_usd_per_gpu)
        kw = group.count * server_kw(hardware[group.gpu])
        opex_parts: dict[str, Number] = {
            "electricity": kw
            * fleet.average_power_fraction
            * fleet.pue
            * life_hours
            * fleet.electricity_usd_per_kwh,
            "hosting": kw * fleet.hosting_usd_per_kw_month * 12.0 * fleet.life_years,
            "maintenance": capex * fleet.maintenance_fraction_per_year * fleet.life_years,
            "operations staff": fleet.ops_staff
            * fleet.ops_usd_per_person_year
            * fleet.life_years
            * (group.count / total_gpus),
        }
        available = group.count * life_hours * fleet.utilization
        groups.append(GroupResult(group.gpu, group.count, capex, opex_parts, available))
    return FleetResult(tuple(groups), fleet.life_years, fleet.utilization)


def _server_cost(group: FleetGroup, hardware: Mapping[str, Hardware]) -> float:
    if group.server_usd_per_gpu is not None:
        return group.server_usd_per_gpu
    return hardware[group.gpu].server_usd_per_gpu


def fleet_items(
    fleet: Fleet, result: FleetResult, hardware: Mapping[str, Hardware]
) -> list[LineItem]:
    """capex per hardware type and for networking; opex by kind over the fleet's life."""
    items = []
    for group in fleet.groups:
        per_gpu = _server_cost(group, hardware)
        items.append(
            LineItem(
                "capex",
                f"{group.gpu} servers",
                group.count * per_gpu,
                f"{grouped(group.count)} GPUs x {grouped(per_gpu)} USD all-in per GPU",
                group.source or hardware[group.gpu].source_of("server_usd_per_gpu"),
            )
        )
    gpus = result.gpus
    items.append(
        LineItem(
            "capex",
            "networking",
            gpus * fleet.network_usd_per_gpu,
            f"{grouped(gpus)} GPUs x {grouped(fleet.network_usd_per_gpu)} USD per GPU",
            fleet.source,
        )
    )
    kw = sum((group.count * server_kw(hardware[group.gpu]) for group in fleet.groups), 0.0)
    years = fleet.life_years
    basis = {
        "electricity": f"{grouped(kw)} kW x {percent(fleet.average_power_fraction, 0)} load x "
        f"{grouped(fleet.pue, 2)} PUE x {grouped(years * HOURS_PER_YEAR)} h x "
        f"{grouped(fleet.electricity_usd_per_kwh, 3)} USD/kWh",
        "hosting": f"{grouped(kw)} kW x {grouped(fleet.hosting_usd_per_kw_month, 2)} "
        f"USD/kW-month x {grouped(years * 12.0)} months",
        "maintenance": f"{compact(result.capex)} USD capex x "
        f"{percent(fleet.maintenance_fraction_per_year)}/yr x {compact(years)} yr",
        "operations staff": f"{grouped(fleet.ops_staff)} people x "
        f"{grouped(fleet.ops_usd_per_person_year)} USD/yr x {compact(years)} yr",
    }
    for name, text in basis.items():
        amount = sum((group.opex_parts[name] for group in result.groups), 0.0)
        items.append(LineItem("opex", name, amount, text, fleet.source))
    return items


def allocated_items(
    gpu_hours: Number, gpu: str, fleet: FleetResult, label: str = "run"
) -> list[LineItem]:
    """A run's share of a fleet's capex and opex, in proportion to its GPU-hours.

    Uses the cost of the run's own hardware type when the fleet has it, else the
    fleet average.
    """
    group = fleet.group(gpu)
    pool: GroupResult | FleetResult = group if group is not None else fleet
    where = f"{gpu} in the fleet" if group is not None else "fleet average"
    capex_rate = pool.capex / pool.available_gpu_hours
    opex_rate = pool.opex / pool.available_gpu_hours
    return [
        LineItem(
            "capex",
            f"{label} share of capex",
            gpu_hours * capex_rate,
            f"{compact(gpu_hours)} GPU-h x {grouped(capex_rate, 3)} USD/GPU-h ({where}: capex / "
            f"available GPU-h at {percent(fleet.utilization, 0)} utilization)",
        ),
        LineItem(
            "opex",
            f"{label} share of opex",
            gpu_hours * opex_rate,
            f"{compact(gpu_hours)} GPU-h x {grouped(opex_rate, 3)} USD/GPU-h ({where}: opex / "
            "available GPU-h)",
        ),
    ]


# ---------------------------------------------------------------------------
# R&D
# ---------------------------------------------------------------------------


def rnd_items(rnd: Rnd, final_run_compute: Number | None) -> list[LineItem]:
    """Staff, experiment compute (a multiple of the final run) and data."""
    items = [
        LineItem(
            "rnd",
            "staff",
            rnd.staff * rnd.staff_usd_per_year * rnd.years,
            f"{grouped(rnd.staff)} people x {grouped(rnd.staff_usd_per_year)} USD/yr x "
            f"{compact(rnd.years)} yr",
            rnd.source,
        )
    ]
    if final_run_compute is not None:
        items.append(
            LineItem(
                "rnd",
                EXPERIMENT_COMPUTE,
                rnd.experiment_multiple * final_run_compute,
                f"{compact(rnd.experiment_multiple)} x final-run compute "
                f"({compact(final_run_compute)} USD)",
                rnd.source,
            )
        )
    items.append(LineItem("rnd", "data", rnd.data_usd, f"{grouped(rnd.data_usd)} USD", rnd.source))
    return items


# ---------------------------------------------------------------------------
# A whole scenario
# ---------------------------------------------------------------------------


def estimate(scenario: Scenario, hardware: Mapping[str, Hardware]) -> Estimate:
    """Price a scenario: its run, its fleet and its R&D, each in its own category.

    Args:
        scenario: a validated scenario whose GPU names are keys of `hardware`.
        hardware: hardware presets by canonical name.

    Raises:
        InputError: the run cannot be costed (e.g. hours without a GPU count).
        UnsupportedPrecision: the run's precision is not one the chip has.
    """
    items: list[LineItem] = []
    notes: list[str] = []
    stages: tuple[StageResult, ...] = ()
    fleet = fleet_result(scenario.fleet, hardware) if scenario.fleet else None
    price = None
    run_compute: Number | None = None
    run = scenario.run
    if run is not None:
        chip = hardware[run.gpu]
        stages = tuple(stage_result(stage, run, chip) for stage in run.stages)
        if any(stage.gpu_hours_basis != "reported" for stage in stages) or run.mfu is not None:
            notes.append(
                throughput(run, chip).describe(chip, run.precision, stated=run.mfu is not None)
            )
        run_gpu_hours = sum((stage.gpu_hours for stage in stages), 0.0)
        notes.append(_energy_basis(run_gpu_hours, run, chip))
        if fleet is None:
            price = rental_price(run, chip)
            if run.price_usd_per_gpu_hour is None:
                cited = chip.source_of("rental_usd_per_gpu_hour")
                notes.append(f"price: {chip.name} typical rental ({cited})")
            items.extend(rental_items(run, stages, price))
            run_compute = price * run_gpu_hours
        else:
            allocation = allocated_items(run_gpu_hours, run.gpu, fleet)
            items.extend(allocation)
            run_compute = sum((item.amount for item in allocation), 0.0)
            price = run_compute / run_gpu_hours
    if scenario.fleet is not None and fleet is not None and run is None:
        items.extend(fleet_items(scenario.fleet, fleet, hardware))
    if scenario.rnd is not None:
        items.extend(
            rnd_items(
                scenario.rnd, run_compute if nonzero(scenario.rnd.experiment_multiple) else None
            )
        )
    return Estimate(
        scenario=scenario.name,
        title=scenario.title,
        basis=scenario.basis,
        items=tuple(items),
        stages=stages,
        fleet=fleet,
        gpu=run.gpu if run else None,
        gpus=run.gpus if run else None,
        price_usd_per_gpu_hour=price,
        notes=tuple(notes),
    )


def hardware_for(lookup: Any, *scenarios: Scenario) -> dict[str, Hardware]:
    """The hardware presets the scenarios name (a what-if and the scenario it changed,
    say), by canonical name, from a catalog lookup."""
    names = []
    for scenario in scenarios:
        names += [scenario.run.gpu] if scenario.run else []
        names += [group.gpu for group in scenario.fleet.groups] if scenario.fleet else []
    return {name: lookup(name) for name in names}
