"""Reconciling published figures of different scopes, layer by layer.

An explanation (presets/explanations/*.toml) lists layers from the narrowest scope to
the widest; each layer adds up figures of scenarios. This module is pure: it takes
the estimates already made and returns the reconciliation, with each layer's ratio
to the one before and, where a scenario records one, the published figure beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from costcalc.model import Estimate
from costcalc.schema import FORBID_EXTRA, METRICS, Scenario

# ---------------------------------------------------------------------------
# The explanation files (presets/explanations/*.toml)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One figure of one scenario: `metric` of `scenario` (see METRICS)."""

    __pydantic_config__ = FORBID_EXTRA

    scenario: str
    metric: str = "total"

    def __post_init__(self) -> None:
        if not self.metric.startswith("item:") and self.metric not in METRICS:
            raise ValueError(f"unknown metric {self.metric!r}")


@dataclass(frozen=True)
class Layer:
    """A scope of cost: the sum of its parts, with what it includes and leaves out.

    `includes`, `excludes` and `source` default to those of the first part's scenario.
    """

    __pydantic_config__ = FORBID_EXTRA

    name: str
    scope: str
    parts: tuple[Part, ...]
    includes: str = ""
    excludes: str = ""
    source: str = ""
    # The earlier layer the ratio column compares with; the one just before by default.
    # A total that contains earlier layers compares better with its largest part.
    compare_to: str = ""

    def __post_init__(self) -> None:
        if not self.parts:
            raise ValueError(f"layer {self.name!r} needs at least one part")


@dataclass(frozen=True)
class Explanation:
    """How published figures of different scopes fit together, smallest scope first.

    `rental` names the rental-basis run and `owned` the same run on the ownership
    basis; the explanation sets the owned cost per GPU-hour beside the rental price.
    """

    __pydantic_config__ = FORBID_EXTRA

    name: str
    title: str
    layers: tuple[Layer, ...]
    summary: str = ""
    rental: str | None = None
    owned: str | None = None

    def __post_init__(self) -> None:
        seen: list[str] = []
        for layer in self.layers:
            if layer.compare_to and layer.compare_to not in seen:
                raise ValueError(
                    f"layer {layer.name!r}: compare_to {layer.compare_to!r} is not an earlier "
                    f"layer ({', '.join(seen) or 'none'})"
                )
            seen.append(layer.name)

    def scenarios(self) -> list[str]:
        names = [part.scenario for layer in self.layers for part in layer.parts]
        names += [name for name in (self.rental, self.owned) if name]
        return list(dict.fromkeys(names))


# ---------------------------------------------------------------------------
# Reconciling
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerResult:
    """One scope of cost, computed, beside the published figure for it (if any)."""

    name: str
    scope: str
    includes: str
    excludes: str
    source: str
    amount: float
    published: str | None = None
    published_value: float | None = None
    ratio: float | None = None
    ratio_to: str | None = None  # the layer `ratio` is a multiple of

    @property
    def deviation(self) -> float | None:
        """Relative difference from the published figure: (ours - published) / published."""
        if self.published_value is None:
            return None
        return (self.amount - self.published_value) / self.published_value


@dataclass(frozen=True)
class OwnedVersusRented:
    """The bridge between the two bases: what an owned GPU-hour costs against the rent."""

    gpu: str
    gpu_hours: float
    rental_price: float
    rented_cost: float
    owned_price: float
    owned_cost: float
    fleet_average_price: float
    utilization: float


@dataclass(frozen=True)
class Reconciliation:
    """An explanation computed: its layers, narrowest scope first, and the bridge
    between the owned and the rented cost of a GPU-hour (when it names both runs)."""

    name: str
    title: str
    summary: str
    layers: tuple[LayerResult, ...]
    owned_versus_rented: OwnedVersusRented | None


def reconcile(
    explanation: Explanation,
    scenarios: Mapping[str, Scenario],
    estimates: Mapping[str, Estimate],
) -> Reconciliation:
    """Compute every layer of an explanation from the estimates of its scenarios."""
    layers: list[LayerResult] = []
    for layer in explanation.layers:
        earlier = {result.name: result for result in layers}
        reference = earlier.get(layer.compare_to) or (layers[-1] if layers else None)
        layers.append(_layer_result(layer, scenarios, estimates, reference))
    return Reconciliation(
        explanation.name,
        explanation.title,
        explanation.summary,
        tuple(layers),
        _owned_versus_rented(explanation, estimates),
    )


def _layer_result(
    layer: Layer,
    scenarios: Mapping[str, Scenario],
    estimates: Mapping[str, Estimate],
    reference: LayerResult | None,
) -> LayerResult:
    amount = 0.0
    for part in layer.parts:
        value = estimates[part.scenario].metric(part.metric)
        amount += float(value) if value is not None else 0.0
    first = scenarios[layer.parts[0].scenario]
    published = None
    if len(layer.parts) == 1:
        metric = layer.parts[0].metric
        published = next((e for e in first.expected if e.metric == metric), None)
    return LayerResult(
        name=layer.name,
        scope=layer.scope,
        includes=layer.includes or first.includes,
        excludes=layer.excludes or first.excludes,
        source=layer.source or first.source,
        amount=amount,
        published=published.published if published else None,
        published_value=published.value if published else None,
        ratio=amount / reference.amount if reference and reference.amount else None,
        ratio_to=reference.name if reference else None,
    )


def _owned_versus_rented(
    explanation: Explanation, estimates: Mapping[str, Estimate]
) -> OwnedVersusRented | None:
    if not explanation.rental or not explanation.owned:
        return None
    rented, owned = estimates[explanation.rental], estimates[explanation.owned]
    if owned.fleet is None or rented.gpu is None or rented.gpu_hours is None:
        return None
    group = owned.fleet.group(rented.gpu)
    owned_price = (group or owned.fleet).owned_usd_per_gpu_hour
    return OwnedVersusRented(
        gpu=rented.gpu,
        gpu_hours=float(rented.gpu_hours),
        rental_price=float(rented.price_usd_per_gpu_hour or 0.0),
        rented_cost=float(rented.total),
        owned_price=float(owned_price),
        owned_cost=float(owned.total),
        fleet_average_price=float(owned.fleet.owned_usd_per_gpu_hour),
        utilization=float(owned.fleet.utilization),
    )
