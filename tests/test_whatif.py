"""What-if analysis: overrides, sweeps, hardware comparison, sensitivity, Monte Carlo."""

from __future__ import annotations

import csv
import io
import itertools
import json

import numpy as np
import pytest

import costcalc
from costcalc.api import catalog, with_overrides
from costcalc.model import hardware_for
from costcalc.schema import Uncertain
from costcalc.sensitivity import draw, sensitivity, simulate, stated_inputs
from costcalc.sweep import parse_axis, row_count, sweep_chunks

from .test_cli_basics import assert_one_line_error


def sweep_rows(invoke, *args):
    result = invoke("sweep", *args, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_a_sweep_has_one_row_per_combination(invoke):
    rows = sweep_rows(
        invoke,
        "deepseek-v3",
        "--vary",
        "price=1.5:3.0:0.5",
        "--vary",
        "mfu=0.2,0.3,0.4",
        "--vary",
        "gpu=H800,H100,H20",
    )
    assert len(rows) == 4 * 3 * 3
    combos = {(row["price_usd_per_gpu_hour"], row["mfu"], row["gpu"]) for row in rows}
    assert len(combos) == 36


@pytest.mark.parametrize("row_index", [0, 7, 17, 35])
def test_a_sweep_row_equals_the_single_estimate(invoke, row_index):
    rows = sweep_rows(
        invoke,
        "deepseek-v3",
        "--vary",
        "gpu=H800,H20,A100",
        "--vary",
        "price=1.5:3.0:0.5",
        "--vary",
        "mfu=0.2,0.35,0.5",
        "--set",
        "run.precision=bf16",
    )
    row = rows[row_index]
    single = costcalc.estimate(
        "deepseek-v3",
        {
            "run.precision": "bf16",
            "run.gpu": row["gpu"],
            "run.price_usd_per_gpu_hour": row["price_usd_per_gpu_hour"],
            "run.mfu": row["mfu"],
        },
    )
    assert float(row["total_usd"]) == pytest.approx(single.total, rel=1e-12)
    assert float(row["gpu_hours"]) == pytest.approx(single.gpu_hours, rel=1e-12)
    assert float(row["wall_clock_days"]) == pytest.approx(single.wall_clock_days, rel=1e-12)


def test_sweep_chunks_agree_whatever_the_chunk_size():
    presets = catalog()
    reference = presets.scenario("deepseek-fleet")
    axes = [
        parse_axis("utilization=0.5:0.9:0.1", reference, presets),
        parse_axis("life=3,4,5", reference, presets),
    ]
    whole = list(sweep_chunks(reference, reference, axes, presets))
    pieces = list(sweep_chunks(reference, reference, axes, presets, chunk_rows=4))
    assert len(pieces) == 4
    assert np.allclose(np.concatenate([p["total_usd"] for p in pieces]), whole[0]["total_usd"])
    assert row_count(axes) == 15


def test_sweep_outputs_parse_in_every_machine_format(invoke):
    args = ("sweep", "deepseek-r1", "--vary", "price=1,2,3")
    data = json.loads(invoke(*args, "--format", "json").stdout)
    assert [row["total_usd"] for row in data] == pytest.approx([147e3, 294e3, 441e3])
    tsv = invoke(*args, "--format", "tsv").stdout.splitlines()
    assert tsv[0].split("\t")[:2] == ["price_usd_per_gpu_hour", "total_usd"]
    assert len(tsv) == 4


def test_sweep_values_take_units(invoke):
    rows = sweep_rows(invoke, "deepseek-r1", "--vary", "price=120 USD/day,0.05 USD/minute")
    assert [float(row["price_usd_per_gpu_hour"]) for row in rows] == pytest.approx([5.0, 3.0])


def test_a_long_sweep_prints_nothing_on_stderr_in_a_pipe(invoke):
    result = invoke(
        "sweep",
        "deepseek-v3",
        "--vary",
        "price=1:4.9999:0.0001",
        "--vary",
        "mfu=0.3,0.4",
        "--format",
        "csv",
    )
    assert result.exit_code == 0
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) == 1 + 40000 * 2


@pytest.mark.parametrize(
    ("vary", "fragments"),
    [
        ("prise=1,2", ["unknown field 'prise'", "did you mean 'price'"]),
        ("price=3:1:0.5", ["stop 1 is below start 3"]),
        ("price=1:3:0", ["step must be greater than 0"]),
        ("price=1:3", ["start:stop:step"]),
        ("price=2 W", ["price per GPU-hour", "'2 W'"]),
        ("mfu=0.5,1.5", ["at most 1"]),
        ("gpu=H800,H8000", ["unknown GPU 'H8000'"]),
        ("price", ["name=start:stop:step"]),
    ],
)
def test_bad_sweep_axes(invoke, vary, fragments):
    assert_one_line_error(invoke("sweep", "deepseek-v3", "--vary", vary), *fragments)


# ---------------------------------------------------------------------------
# compare
# ---------------------------------------------------------------------------


def test_compare_marks_the_cheapest_and_the_fastest(invoke):
    result = invoke("compare", "deepseek-v3", "--gpu", "H800,H100,H20,A100", "--format", "json")
    assert result.exit_code == 0, result.stderr
    chips = {chip["gpu"]: chip for chip in json.loads(result.stdout)["chips"]}
    assert set(chips) == {"H800", "H100", "H20", "A100"}
    assert sum(chip["cheapest"] for chip in chips.values()) == 1
    assert {gpu for gpu, chip in chips.items() if chip["fastest"]} == {"H800", "H100"}  # a tie
    cheapest = min(chips.values(), key=lambda chip: chip["cost_usd"])
    assert cheapest["cheapest"]
    # Same measured work: H800 and H100 have the same peak and MFU, so the same GPU-hours.
    assert chips["H800"]["gpu_hours"] == pytest.approx(2.788e6)
    assert chips["H100"]["gpu_hours"] == pytest.approx(2.788e6)
    assert chips["H20"]["gpu_hours"] == pytest.approx(2.788e6 * 989.4 / 148)
    assert chips["A100"]["note"] == "no fp8; costed at bf16"
    for chip in chips.values():  # each at its own rental price, on the same 2,048 GPUs
        assert chip["cost_usd"] == pytest.approx(chip["gpu_hours"] * chip["price_usd_per_gpu_hour"])
        assert chip["wall_clock_days"] == pytest.approx(chip["gpu_hours"] / 2048 / 24)


def test_compare_defaults_to_every_hardware_preset(invoke):
    chips = json.loads(invoke("compare", "deepseek-r1", "--format", "json").stdout)["chips"]
    assert {chip["gpu"] for chip in chips} == set(costcalc.catalog().hardware_presets)


def test_compare_needs_a_run(invoke):
    assert_one_line_error(invoke("compare", "deepseek-fleet"), "has no run")


# ---------------------------------------------------------------------------
# sensitivity
# ---------------------------------------------------------------------------


def test_sensitivity_ranks_the_dominant_input_first(tmp_path):
    # A constructed case: the price range spans 20x, every other input only +/-20%.
    path = tmp_path / "dominant.toml"
    price = '{ value = "2 USD/hour", low = "0.5 USD/hour", high = "10 USD/hour" }'
    path.write_text(
        f'extends = "deepseek-r1"\ntitle = "t"\n[run]\nprice_usd_per_gpu_hour = {price}\n'
    )
    presets = catalog()
    scenario = presets.scenario(str(path))
    effects = sensitivity(scenario, scenario, hardware_for(presets.hardware, scenario))
    assert effects[0].input.path == "run.price_usd_per_gpu_hour"
    assert effects[0].total_at_low == pytest.approx(147e3 * 0.5)
    assert effects[0].total_at_high == pytest.approx(147e3 * 10)
    assert effects[1].swing < effects[0].swing
    assert all(a.swing >= b.swing for a, b in itertools.pairwise(effects))


def test_sensitivity_uses_stated_ranges_and_twenty_percent_elsewhere(invoke):
    data = json.loads(invoke("sensitivity", "deepseek-fleet", "--format", "json").stdout)
    by_input = {row["input"]: row for row in data["inputs"]}
    assert by_input["fleet.life_years"]["low"] == 3
    assert by_input["fleet.life_years"]["high"] == 5
    assert by_input["fleet.groups.H100.count"]["low"] == pytest.approx(8000)
    assert by_input["fleet.groups.H100.count"]["range_source"] == "default +/-20%"
    assert data["inputs"][0]["rank"] == 1


def test_sensitivity_table_draws_bars(invoke):
    result = invoke("sensitivity", "deepseek-v3", "--format", "table")
    assert result.exit_code == 0
    assert "█" in result.stdout and "|" in result.stdout


# ---------------------------------------------------------------------------
# Monte Carlo
# ---------------------------------------------------------------------------


def _simulate(overrides, draws=2000, seed=1):
    presets = catalog()
    reference = presets.scenario("deepseek-v3")
    scenario = with_overrides(reference, overrides, presets)
    hardware = hardware_for(presets.hardware, scenario)
    return simulate(reference, scenario, hardware, draws, seed, stated_inputs(scenario))


def test_a_degenerate_range_gives_the_point_estimate():
    simulation = _simulate({"price": {"low": "2 USD/hour", "high": "2 USD/hour"}})
    assert simulation.percentiles["total"] == pytest.approx((5.576e6,) * 3)
    assert simulation.point["total"] == pytest.approx(5.576e6)


def test_the_same_seed_gives_the_same_percentiles():
    spec = {"price": {"low": "1.5 USD/hour", "high": "3 USD/hour"}}
    assert _simulate(spec, seed=42).percentiles == _simulate(spec, seed=42).percentiles
    assert _simulate(spec, seed=42).percentiles != _simulate(spec, seed=43).percentiles


def test_uniform_price_percentiles_match_the_distribution():
    # Total = 2.788M GPU-h x price, price ~ U(1.5, 3): P5/P50/P95 of price are known.
    p5, p50, p95 = _simulate(
        {"price": {"low": "1.5 USD/hour", "high": "3 USD/hour"}}, draws=200_000
    ).percentiles["total"]
    assert p5 == pytest.approx(2.788e6 * (1.5 + 0.05 * 1.5), rel=0.01)
    assert p50 == pytest.approx(2.788e6 * 2.25, rel=0.01)
    assert p95 == pytest.approx(2.788e6 * (1.5 + 0.95 * 1.5), rel=0.01)


def test_lognormal_low_and_high_are_its_5th_and_95th_percentiles():
    samples = draw(
        Uncertain(low=1.0, high=4.0, distribution="lognormal"), 400_000, np.random.default_rng(0)
    )
    assert np.percentile(samples, 5) == pytest.approx(1.0, rel=0.02)
    assert np.percentile(samples, 95) == pytest.approx(4.0, rel=0.02)


def test_triangular_draws_stay_in_range():
    samples = draw(
        Uncertain(low=1.0, high=4.0, distribution="triangular", mode=1.5),
        10_000,
        np.random.default_rng(0),
    )
    assert samples.min() >= 1.0 and samples.max() <= 4.0


def test_estimate_uncertainty_from_the_command_line(invoke):
    args = (
        "estimate",
        "deepseek-fleet",
        "--uncertainty",
        "5000",
        "--seed",
        "3",
        "--format",
        "json",
    )
    first, second = (json.loads(invoke(*args).stdout) for _ in range(2))
    metrics = first["uncertainty"]["metrics"]
    assert metrics["total"]["p5_usd"] <= metrics["total"]["p50_usd"] <= metrics["total"]["p95_usd"]
    assert first["uncertainty"] == second["uncertainty"]
    assert first["total"] == pytest.approx(metrics["total"]["point_usd"])
    assert {item["input"] for item in first["uncertainty"]["inputs"]} >= {
        "fleet.life_years",
        "fleet.utilization",
    }


def test_set_takes_a_range(invoke):
    result = invoke(
        "estimate",
        "deepseek-v3",
        "--set",
        "price={ low = '1.5 USD/hour', high = '3 USD/hour' }",
        "--uncertainty",
        "1000",
        "--seed",
        "1",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["total"] == pytest.approx(2.788e6 * 2.25)  # the range's midpoint
    assert data["uncertainty"]["inputs"][0]["low"] == 1.5


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--uncertainty", "0"], ["at least 1"]),
        (
            ["--set", "price={ low = 3, high = 1 }", "--uncertainty", "10"],
            ["low must not exceed high"],
        ),
        (["--set", "price={ low = 1, high = 2, dist = 'x' }"], ["unknown range key 'dist'"]),
        (["--set", "price={ low = 1"], ["not a TOML inline table"]),
    ],
)
def test_bad_uncertainty_input(invoke, args, fragments):
    assert_one_line_error(invoke("estimate", "deepseek-v3", *args), *fragments)
