"""The input side of costcalc: hardware presets and scenarios, as typed dataclasses.

These are plain frozen dataclasses so that the cost model, and the cache that makes a
preset estimate start fast, never have to import pydantic. Pydantic validates them
when a file is read (`validate_hardware`, `validate_scenario`): unknown keys are errors
(extra="forbid"), and the field markers below (`Quantity`, `Count`, `Number`) teach it to
read "700 W", "2 USD/hour" or "14.8T" and store plain floats in the unit a field's
name states (`tdp_w` is in watts, `price_usd_per_gpu_hour` in USD per GPU-hour).
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, Literal

from costcalc.errors import UnsupportedPrecision
from costcalc.numbers import nonzero
from costcalc.units import parse_count, parse_quantity

FORBID_EXTRA: Any = {"extra": "forbid"}

Category = Literal["compute", "capex", "opex", "rnd"]
CATEGORIES: tuple[Category, ...] = ("compute", "capex", "opex", "rnd")
# The figures of an estimate a file can name: in `expected` (what a scenario must
# reproduce) and in explanation layers. Also "item:NAME" for one line item.
METRICS = (
    "total",
    *CATEGORIES,
    "gpu_hours",
    "flops",
    "wall_clock_days",
    "energy_kwh",
    "owned_cost_per_gpu_hour",
)


class Precision(StrEnum):
    """Arithmetic formats a chip has a peak throughput for."""

    fp64 = "fp64"
    tf32 = "tf32"
    bf16 = "bf16"
    fp16 = "fp16"
    fp8 = "fp8"
    fp4 = "fp4"


class Basis(StrEnum):
    """How compute is priced: renting GPU-hours, or owning a fleet (capex + opex)."""

    rental = "rental"
    ownership = "ownership"


# ---------------------------------------------------------------------------
# Field markers: how pydantic reads a value, and what the JSON schema says of it.
# ---------------------------------------------------------------------------


class Number:
    """A plain number with bounds; the base of the unit-aware markers below.

    Plain classes rather than dataclasses: they are created at import, on the path
    of every command, and a dataclass costs about a millisecond to create.
    """

    def __init__(
        self, gt: float | None = None, ge: float | None = None, le: float | None = None
    ) -> None:
        self.gt, self.ge, self.le = gt, ge, le

    def parse(self, value: Any) -> Any:
        return value

    def check(self, number: float) -> float:
        unit = self.unit_text()
        if self.gt is not None and not number > self.gt:
            raise ValueError(f"must be greater than {self.gt:g}{unit}, got {number:g}{unit}")
        if self.ge is not None and not number >= self.ge:
            raise ValueError(f"must be at least {self.ge:g}{unit}, got {number:g}{unit}")
        if self.le is not None and not number <= self.le:
            raise ValueError(f"must be at most {self.le:g}{unit}, got {number:g}{unit}")
        return number

    def unit_text(self) -> str:
        """The unit bounds are stated in, for messages ('' for plain numbers)."""
        return ""

    def describe(self) -> str:
        return "a number"

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        def before(value: Any) -> Any:
            from costcalc.errors import UnitError

            try:
                return self.parse(value)
            except UnitError as error:
                raise ValueError(str(error)) from None

        def after(value: Any) -> Any:
            import math

            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"must be a finite number, got {value!r}")
            return self.check(value)

        return core_schema.no_info_before_validator_function(
            before, core_schema.no_info_after_validator_function(after, handler(source))
        )

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> Any:
        bounds = {"exclusiveMinimum": self.gt, "minimum": self.ge, "maximum": self.le}
        accepts: dict[str, Any] = {"type": "number"}
        accepts.update({key: value for key, value in bounds.items() if value is not None})
        value = [accepts, {"type": "string"}]
        return {"anyOf": [*value, range_schema(value)], "description": self.describe()}


def range_schema(value: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON schema of an inline range, `{ low = ..., high = ... }` (scenario files)."""
    return {
        "type": "object",
        "title": "Range",
        "properties": {
            "low": {"anyOf": value},
            "high": {"anyOf": value},
            "value": {"anyOf": value},
            "mode": {"anyOf": value},
            "distribution": {"enum": ["uniform", "triangular", "lognormal"]},
            "source": {"type": "string"},
        },
        "required": ["low", "high"],
        "additionalProperties": False,
    }


class Count(Number):
    """A count that may carry a suffix: "2,048", "671B", "14.8T", "2.788e6"."""

    def parse(self, value: Any) -> Any:
        return parse_count(value) if isinstance(value, str) else value

    def describe(self) -> str:
        return "a count; accepts suffixes K, M, B, T and thousands separators ('671B', '2,048')"


class Quantity(Number):
    """A physical or money quantity stored as a float in `unit`."""

    def __init__(self, unit: str, **bounds: float) -> None:
        super().__init__(**bounds)
        self.unit = unit

    def parse(self, value: Any) -> Any:
        return parse_quantity(value, self.unit) if isinstance(value, str) else value

    def unit_text(self) -> str:
        return f" {self.unit}"

    def describe(self) -> str:
        return f"in {self.unit}; a number, or a string with any compatible unit"


# Plausibility caps: far beyond any real run (a hundred million GPUs, 100 quadrillion
# tokens), low enough that products of them stay finite. A value above one is a typo,
# and is reported as one instead of turning a total into infinity.
MAX_GPUS = 1e8
MAX_GPU_HOURS = 1e13
MAX_HOURS = 1e6
MAX_TOKENS = 1e17
MAX_PARAMS = 1e16
MAX_PRICE_PER_HOUR = 1e5
MAX_USD = 1e13
MAX_YEARS = 100.0

POSITIVE = Number(gt=0)
FRACTION = Number(gt=0, le=1)
SHARE = Number(ge=0, le=1)

# ---------------------------------------------------------------------------
# Hardware
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PeakTflops:
    """Dense (no 2:4 sparsity) peak TFLOP/s at each precision the chip supports."""

    __pydantic_config__ = FORBID_EXTRA

    fp64: Annotated[float, POSITIVE] | None = None
    tf32: Annotated[float, POSITIVE] | None = None
    bf16: Annotated[float, POSITIVE] | None = None
    fp16: Annotated[float, POSITIVE] | None = None
    fp8: Annotated[float, POSITIVE] | None = None
    fp4: Annotated[float, POSITIVE] | None = None

    def as_dict(self) -> dict[str, float]:
        """The precisions the chip has, in the order of `Precision`."""
        return {
            precision.value: value
            for precision in Precision
            if (value := getattr(self, precision.value)) is not None
        }


@dataclass(frozen=True)
class Hardware:
    """One accelerator type, with the figures the cost model needs and their sources.

    `sources` maps a field name (or `peak_tflops.<precision>`) to its citation.
    """

    __pydantic_config__ = FORBID_EXTRA

    name: str
    full_name: str
    vendor: str
    peak_tflops: PeakTflops
    memory_gb: Annotated[float, Quantity(unit="GB", gt=0)]
    memory_bandwidth_tb_s: Annotated[float, Quantity(unit="TB/s", gt=0)]
    interconnect_gb_s: Annotated[float, Quantity(unit="GB/s", gt=0)]
    tdp_w: Annotated[float, Quantity(unit="W", gt=0)]
    server_power_factor: Annotated[float, Number(ge=1)]
    purchase_usd: Annotated[float, Quantity(unit="USD", gt=0)]
    server_usd_per_gpu: Annotated[float, Quantity(unit="USD", gt=0)]
    rental_usd_per_gpu_hour: Annotated[float, Quantity(unit="USD/hour", gt=0)]
    typical_mfu: Annotated[float, FRACTION]
    typical_mfu_precision: Precision = Precision.bf16
    aliases: tuple[str, ...] = ()
    released: str | None = None
    notes: tuple[str, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.typical_mfu_precision.value not in self.peak_tflops.as_dict():
            raise ValueError(
                f"typical_mfu_precision {self.typical_mfu_precision.value!r} "
                "has no peak_tflops figure"
            )
        known = {f.name for f in dataclasses.fields(self)}
        known |= {f"peak_tflops.{precision.value}" for precision in Precision}
        unknown = sorted(set(self.sources) - known)
        if unknown:
            raise ValueError(f"sources name unknown fields: {', '.join(unknown)}")

    def peak_flops(self, precision: Precision | str) -> float:
        """Dense peak FLOP/s at `precision` (a Precision, or its name: "bf16").

        Raises:
            UnsupportedPrecision: the chip has no figure at that precision.
        """
        peaks = self.peak_tflops.as_dict()
        if isinstance(precision, str) and not isinstance(precision, Precision):
            try:
                precision = Precision(precision.lower())
            except ValueError:
                known = ", ".join(item.value for item in Precision)
                raise UnsupportedPrecision(
                    f"unknown precision {precision!r}; use one of {known}"
                ) from None
        if precision.value not in peaks:
            raise UnsupportedPrecision(
                f"{self.name} has no {precision.value} peak; it has {', '.join(peaks)}"
            )
        return peaks[precision.value] * 1e12

    def source_of(self, field_name: str) -> str:
        """The citation for a field, falling back to its parent (`peak_tflops`)."""
        parent = field_name.split(".")[0]
        return self.sources.get(field_name) or self.sources.get(parent, "")


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """One priced stage of a training run (pre-training, RL, ...).

    GPU-hours come from the first of these that is given: `gpu_hours` as reported;
    `hours` of wall-clock time on `gpus` GPUs; or `tokens` turned into FLOPs and
    divided by the achieved throughput (peak x MFU).
    """

    __pydantic_config__ = FORBID_EXTRA

    name: str
    gpu_hours: Annotated[float, Count(gt=0, le=MAX_GPU_HOURS)] | None = None
    hours: Annotated[float, Quantity(unit="hour", gt=0, le=MAX_HOURS)] | None = None
    gpus: Annotated[int, Count(gt=0, le=MAX_GPUS)] | None = None
    tokens: Annotated[float, Count(gt=0, le=MAX_TOKENS)] | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if self.gpu_hours is None and self.hours is None and self.tokens is None:
            raise ValueError(f"stage {self.name!r} needs gpu_hours, hours (with gpus) or tokens")


@dataclass(frozen=True)
class Run:
    """A training run on one GPU type: its model, its stages, and how it is priced.

    `mfu` is a fraction of the peak at `mfu_precision`; when that is unset it is the
    run's `precision` for an MFU given here, or the hardware's stated precision for its
    typical MFU. That keeps an FP8 run from being credited twice (V3's 38.94% MFU is
    of the BF16 peak: the same throughput is 19.5% of the FP8 peak).
    """

    __pydantic_config__ = FORBID_EXTRA

    gpu: str
    stages: tuple[Stage, ...]
    gpus: Annotated[int, Count(gt=0, le=MAX_GPUS)] | None = None
    precision: Precision = Precision.bf16
    mfu: Annotated[float, FRACTION] | None = None
    mfu_precision: Precision | None = None
    price_usd_per_gpu_hour: (
        Annotated[float, Quantity(unit="USD/hour", gt=0, le=MAX_PRICE_PER_HOUR)] | None
    ) = None
    params: Annotated[float, Count(gt=0, le=MAX_PARAMS)] | None = None
    active_params: Annotated[float, Count(gt=0, le=MAX_PARAMS)] | None = None
    layers: Annotated[int, Count(gt=0, le=1e5)] | None = None
    d_model: Annotated[int, Count(gt=0, le=1e7)] | None = None
    seq_len: Annotated[int, Count(gt=0, le=1e10)] | None = None
    average_power_fraction: Annotated[float, FRACTION] = 0.75
    pue: Annotated[float, Number(ge=1)] = 1.25
    source: str = ""

    def __post_init__(self) -> None:
        if not self.stages:
            raise ValueError("a run needs at least one stage")
        names = [stage.name for stage in self.stages]
        if len(set(names)) != len(names):
            raise ValueError(f"stage names must be unique, got {names}")
        scalars = isinstance(self.params, float | int) and isinstance(
            self.active_params, float | int
        )
        if scalars and self.active_params > self.params:  # type: ignore[operator]
            raise ValueError("active_params cannot exceed params")

    @property
    def active(self) -> float | None:
        """Parameters active per token (all of them for a dense model), if known."""
        return self.active_params if self.active_params is not None else self.params


@dataclass(frozen=True)
class FleetGroup:
    """`count` GPUs of one type in the fleet, with their all-in server cost per GPU."""

    __pydantic_config__ = FORBID_EXTRA

    gpu: str
    count: Annotated[int, Count(gt=0, le=MAX_GPUS)]
    server_usd_per_gpu: Annotated[float, Quantity(unit="USD", gt=0, le=MAX_USD)] | None = None
    source: str = ""


@dataclass(frozen=True)
class Fleet:
    """A fleet owned for `life_years`: what buying it and running it costs."""

    __pydantic_config__ = FORBID_EXTRA

    groups: tuple[FleetGroup, ...]
    electricity_usd_per_kwh: Annotated[float, Quantity(unit="USD/kWh", ge=0, le=1e3)]
    life_years: Annotated[float, Quantity(unit="year", gt=0, le=MAX_YEARS)] = 4.0
    utilization: Annotated[float, FRACTION] = 0.7
    network_usd_per_gpu: Annotated[float, Quantity(unit="USD", ge=0, le=MAX_USD)] = 0.0
    pue: Annotated[float, Number(ge=1)] = 1.25
    average_power_fraction: Annotated[float, FRACTION] = 0.75
    hosting_usd_per_kw_month: Annotated[float, Quantity(unit="USD/kW/month", ge=0, le=1e6)] = 0.0
    maintenance_fraction_per_year: Annotated[float, SHARE] = 0.0
    ops_staff: Annotated[int, Count(ge=0, le=1e7)] = 0
    ops_usd_per_person_year: Annotated[float, Quantity(unit="USD/year", ge=0, le=1e9)] = 0.0
    source: str = ""

    def __post_init__(self) -> None:
        if not self.groups:
            raise ValueError("a fleet needs at least one group")


@dataclass(frozen=True)
class Rnd:
    """Research and development around a run: staff, experiments, data."""

    __pydantic_config__ = FORBID_EXTRA

    staff: Annotated[int, Count(ge=0, le=1e7)] = 0
    staff_usd_per_year: Annotated[float, Quantity(unit="USD/year", ge=0, le=1e9)] = 0.0
    years: Annotated[float, Quantity(unit="year", gt=0, le=MAX_YEARS)] = 1.0
    experiment_multiple: Annotated[float, Number(ge=0, le=1e4)] = 0.0
    data_usd: Annotated[float, Quantity(unit="USD", ge=0, le=MAX_USD)] = 0.0
    source: str = ""


@dataclass(frozen=True)
class Expected:
    """A published figure the scenario must reproduce, and how close is close enough."""

    __pydantic_config__ = FORBID_EXTRA

    metric: str
    value: Annotated[float, Count()]
    source: str
    rel_tolerance: Annotated[float, Number(ge=0)] | None = None
    abs_tolerance: Annotated[float, Number(ge=0)] | None = None
    published: str = ""

    def __post_init__(self) -> None:
        if self.rel_tolerance is None and self.abs_tolerance is None:
            raise ValueError(f"expected {self.metric!r} needs rel_tolerance or abs_tolerance")
        if not self.metric.startswith("item:") and self.metric not in METRICS:
            raise ValueError(
                f"unknown metric {self.metric!r}; use one of {', '.join(METRICS)} or item:NAME"
            )


Distribution = Literal["uniform", "triangular", "lognormal"]


@dataclass(frozen=True)
class Uncertain:
    """A range for one input, in the unit of the field it belongs to.

    For lognormal, `low` and `high` are the 5th and 95th percentiles.
    """

    low: float
    high: float
    distribution: Distribution = "uniform"
    mode: float | None = None
    source: str = ""
    # False when the file gave only the range: the field then takes its central value.
    value_stated: bool = True


@dataclass(frozen=True)
class Scenario:
    """A costed situation: a rental run, an owned fleet, R&D, or several at once.

    `uncertain` holds the ranges written inline in the file
    (`price_usd_per_gpu_hour = { low = "1.5 USD/hour", high = "3 USD/hour" }`),
    keyed by field path; the loader fills it.
    """

    __pydantic_config__ = FORBID_EXTRA

    name: str
    title: str
    basis: Basis
    description: str = ""
    includes: str = ""
    excludes: str = ""
    source: str = ""
    extends: str | list[str] | None = None
    run: Run | None = None
    fleet: Fleet | None = None
    rnd: Rnd | None = None
    expected: tuple[Expected, ...] = ()
    uncertain: dict[str, Uncertain] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.basis is Basis.rental and self.fleet is not None:
            raise ValueError(
                "a rental scenario cannot have a fleet: its cost would count the "
                "hardware twice; use basis = 'ownership'"
            )
        if self.basis is Basis.rental and self.run is None and self.rnd is None:
            raise ValueError("a rental scenario needs a run (or rnd)")
        if self.basis is Basis.ownership and self.fleet is None:
            raise ValueError("an ownership scenario needs a fleet")
        if self.rnd and nonzero(self.rnd.experiment_multiple) and self.run is None:
            raise ValueError("rnd.experiment_multiple needs a run to multiply")


def dataclass_in(annotation: Any) -> Any:
    """The schema dataclass an annotation holds (`Run | None`, `tuple[Stage, ...]`), or
    None for a plain field: how field paths walk from a scenario to its leaves."""
    if dataclasses.is_dataclass(annotation):
        return annotation
    for argument in typing.get_args(annotation):
        found = dataclass_in(argument)
        if found is not None:
            return found
    return None
