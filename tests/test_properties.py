"""Properties of the cost model that must hold for any input, checked with hypothesis.

Each property is one a reader of an estimate relies on without thinking about it:
doubling the price doubles the cost, more GPU-hours never cost less, a currency
round trip changes nothing, and the unit a value is written in does not matter.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import costcalc
from costcalc.api import adhoc_scenario, catalog
from costcalc.fx import Rate, convert_estimate, load_rates
from costcalc.sweep import parse_axis, sweep_chunks
from costcalc.units import parse_quantity

PROPERTY = settings(max_examples=40, deadline=None)
prices = st.floats(min_value=0.01, max_value=100, allow_nan=False)
factors = st.floats(min_value=0.1, max_value=10, allow_nan=False)
gpu_hours = st.floats(min_value=1, max_value=1e9, allow_nan=False)
counts = st.floats(min_value=1e6, max_value=1e13, allow_nan=False)
mfus = st.floats(min_value=0.05, max_value=0.9, allow_nan=False)
chips = st.sampled_from(["H800", "H100", "A100", "H20", "MI300X", "RTX 4090"])


def total(scenario: object, overrides: dict[str, object] | None = None) -> float:
    return float(costcalc.estimate(scenario, overrides).total)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Linearity and monotonicity
# ---------------------------------------------------------------------------


@PROPERTY
@given(price=prices, factor=factors)
def test_cost_is_linear_in_price(price, factor):
    base = total("deepseek-v3", {"price": price})
    scaled = total("deepseek-v3", {"price": price * factor})
    assert scaled == pytest.approx(base * factor, rel=1e-9)
    assert base == pytest.approx(2_788_000 * price, rel=1e-9)  # V3's 2.788M GPU-hours


@PROPERTY
@given(chip=chips, smaller=gpu_hours, larger=gpu_hours)
def test_cost_is_monotone_in_gpu_hours(chip, smaller, larger):
    smaller, larger = sorted((smaller, larger))
    low = total(adhoc_scenario(gpu=chip, gpu_hours=smaller))
    high = total(adhoc_scenario(gpu=chip, gpu_hours=larger))
    assert low <= high
    if larger > smaller * (1 + 1e-9):
        assert low < high


@PROPERTY
@given(chip=chips, params=counts, tokens=counts, more=st.floats(min_value=1.001, max_value=100))
def test_cost_grows_with_tokens_and_with_parameters(chip, params, tokens, more):
    base = total(adhoc_scenario(gpu=chip, gpus=8, params=params, tokens=tokens))
    assert total(adhoc_scenario(gpu=chip, gpus=8, params=params, tokens=tokens * more)) > base
    assert total(adhoc_scenario(gpu=chip, gpus=8, params=params * more, tokens=tokens)) > base


@PROPERTY
@given(mfu=mfus, more=st.floats(min_value=1.001, max_value=1.5))
def test_a_higher_mfu_never_costs_more(mfu, more):
    higher = min(mfu * more, 1.0)

    def cost(at: float) -> float:
        return total(adhoc_scenario(gpu="H100", gpus=1024, params="70B", tokens="2T", mfu=at))

    assert cost(higher) <= cost(mfu)


# ---------------------------------------------------------------------------
# Currencies
# ---------------------------------------------------------------------------


@PROPERTY
@given(per_usd=st.floats(min_value=1e-4, max_value=1e6, allow_nan=False))
def test_converting_a_currency_and_back_is_the_identity(per_usd):
    result = costcalc.estimate("deepseek-r1")
    converted = convert_estimate(result, Rate("XTS", per_usd))
    back = convert_estimate(converted, Rate("USD", 1.0 / per_usd))
    for original, returned in zip(result.items, back.items, strict=True):
        assert returned.amount == pytest.approx(original.amount, rel=1e-12)
    assert float(back.total) == pytest.approx(294_000, rel=1e-12)


@pytest.mark.parametrize("code", sorted(load_rates()))
def test_every_shipped_rate_round_trips_the_r1_figure(invoke, code):
    rate = load_rates()[code].per_usd
    data = json.loads(
        invoke("estimate", "deepseek-r1", "--currency", code, "--format", "json").stdout
    )
    assert data["currency"] == code
    assert data["total"] / rate == pytest.approx(294_000, rel=1e-12)


@settings(max_examples=20, deadline=None)
@given(per_usd=st.floats(min_value=0.001, max_value=100_000, allow_nan=False))
def test_an_fx_override_round_trips_from_the_command_line(per_usd):
    from typer.testing import CliRunner

    from costcalc.cli import app

    arguments = ["estimate", "deepseek-r1", "--currency", "IDR", "--fx", f"IDR={per_usd!r}"]
    result = CliRunner().invoke(app, [*arguments, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["total"] / per_usd == pytest.approx(294_000, rel=1e-12)


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------


@PROPERTY
@given(price=prices)
def test_a_price_per_hour_minute_or_day_costs_the_same(price):
    per_hour = total("deepseek-v3", {"price": f"{price!r} USD/hour"})
    per_minute = total("deepseek-v3", {"price": f"{price / 60!r} USD/minute"})
    per_day = total("deepseek-v3", {"price": f"{price * 24!r} USD/day"})
    assert per_minute == pytest.approx(per_hour, rel=1e-9)
    assert per_day == pytest.approx(per_hour, rel=1e-9)


def test_the_documented_unit_examples_agree():
    assert parse_quantity("0.0333333333333 USD/minute", "USD/hour") == pytest.approx(2.0)
    assert parse_quantity("700 W", "W") == pytest.approx(parse_quantity("0.7 kW", "W"))


@PROPERTY
@given(watts=st.floats(min_value=1, max_value=1e6, allow_nan=False))
def test_power_in_watts_or_kilowatts_is_the_same(watts):
    assert parse_quantity(f"{watts!r} W", "W") == pytest.approx(
        parse_quantity(f"{watts / 1000!r} kW", "W"), rel=1e-12
    )


@PROPERTY
@given(usd_per_kwh=st.floats(min_value=0.01, max_value=1, allow_nan=False))
def test_electricity_per_kwh_or_per_mwh_costs_the_same(usd_per_kwh):
    per_kwh = total("deepseek-fleet", {"fleet.electricity_usd_per_kwh": f"{usd_per_kwh!r} USD/kWh"})
    per_mwh = total(
        "deepseek-fleet", {"fleet.electricity_usd_per_kwh": f"{usd_per_kwh * 1000!r} USD/MWh"}
    )
    assert per_mwh == pytest.approx(per_kwh, rel=1e-9)


@PROPERTY
@given(days=st.floats(min_value=0.5, max_value=1000, allow_nan=False))
def test_wall_clock_in_days_or_hours_is_the_same(days):
    in_days = adhoc_scenario(gpu="H800", gpus=2048, days=f"{days!r} day")
    in_hours = adhoc_scenario(gpu="H800", gpus=2048, days=f"{days * 24!r} hour")
    assert total(in_hours) == pytest.approx(total(in_days), rel=1e-9)
    assert total(in_days) == pytest.approx(2048 * days * 24 * 3.42, rel=1e-9)  # H800 rental


# ---------------------------------------------------------------------------
# Sweeps
# ---------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    price=st.floats(min_value=0.5, max_value=10, allow_nan=False),
    mfu=mfus,
    chip=st.sampled_from(["H800", "H100", "A100", "H20"]),
)
def test_a_sweep_row_equals_the_single_estimate(price, mfu, chip):
    presets = catalog()
    reference = presets.scenario("deepseek-v3")
    start = costcalc.scenario("deepseek-v3", {"run.precision": "bf16"})
    axes = [
        parse_axis(f"price={price!r}", start, presets),
        parse_axis(f"mfu={mfu!r}", start, presets),
        parse_axis(f"gpu={chip}", start, presets),
    ]
    (chunk,) = sweep_chunks(reference, start, axes, presets)
    single = costcalc.estimate(
        "deepseek-v3",
        {"run.precision": "bf16", "price": price, "mfu": mfu, "gpu": chip},
    )
    assert chunk["total_usd"][0] == pytest.approx(single.total, rel=1e-12)
    assert chunk["gpu_hours"][0] == pytest.approx(single.gpu_hours, rel=1e-12)
    assert chunk["energy_kwh"][0] == pytest.approx(single.energy_kwh, rel=1e-12)


@PROPERTY
@given(factor=st.floats(min_value=0.1, max_value=10, allow_nan=False))
def test_measured_gpu_hours_follow_the_tokens_of_a_what_if(factor):
    """V3's pre-training was measured at 2,664K GPU-hours for 14.8T tokens: k times the
    tokens is k times that stage's GPU-hours (the other stages do not change)."""
    result = costcalc.estimate("deepseek-v3", {"run.stages.0.tokens": 14.8e12 * factor})
    assert result.item("pre-training").amount == pytest.approx(5_328_000 * factor, rel=1e-9)
    assert result.item("context extension").amount == pytest.approx(238_000, rel=1e-12)


def test_more_active_parameters_scale_every_measured_stage():
    doubled = costcalc.estimate("deepseek-v3", {"run.active_params": "74B"})
    # Stages without tokens scale with the parameters alone: twice the post-training.
    assert doubled.item("post-training").amount == pytest.approx(2 * 10_000)
    # Pre-training also has the attention term (PaLM's 12 x L x d x T), which stays.
    ratio = doubled.item("pre-training").amount / 5_328_000
    assert 1.8 < ratio < 2.0
