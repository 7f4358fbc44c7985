"""costcalc as a notebook uses it: every public name works, twice, and bad arguments
give costcalc's own errors, never a Python one."""

from __future__ import annotations

from pathlib import Path

import pytest

import costcalc
from costcalc.errors import CostcalcError, UnknownName

from .conftest import PROJECT


def test_every_public_name_works_on_a_second_call_too():
    # A submodule named like a function would replace it after the first import.
    for _ in range(2):
        assert costcalc.explain("deepseek").layers[0].amount == pytest.approx(294_000)
        assert costcalc.estimate("deepseek-v3").total == pytest.approx(5.576e6)
        assert costcalc.scenario("deepseek-r1").name == "deepseek-r1"
        assert costcalc.hardware("h800").name == "H800"
        assert costcalc.catalog().hardware("A100").name == "A100"
        assert costcalc.reference_run("llama-2-70b").reported_gpu_hours == 1_720_320
        assert len(costcalc.reference_runs("A100")) >= 10
        assert costcalc.calibrate("A100").fits
    assert costcalc.Precision.bf16.value == "bf16"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        costcalc.nope  # noqa: B018


def test_a_scenario_with_what_ifs_estimates_as_the_what_ifs_do():
    on_h20 = costcalc.scenario("deepseek-v3", {"gpu": "H20"})
    assert costcalc.estimate(on_h20).total == pytest.approx(
        costcalc.estimate("deepseek-v3", {"gpu": "H20"}).total
    )
    # The H20 has 148 of the H800's 989.4 BF16 TFLOP/s: the same work takes longer.
    assert costcalc.estimate(on_h20).gpu_hours == pytest.approx(2_788_000 * 989.4 / 148)


def test_a_path_object_names_a_scenario_file():
    path = PROJECT / "examples" / "presets" / "scenarios" / "my-cluster.toml"
    assert costcalc.estimate(Path(path)).total == costcalc.estimate(str(path)).total


@pytest.mark.parametrize("bad", [None, 42, {"run": {}}])
def test_a_non_scenario_is_a_costcalc_error(bad):
    with pytest.raises(CostcalcError, match=r"expected a Scenario, a preset name or a \.toml path"):
        costcalc.estimate(bad)


@pytest.mark.parametrize("bad", [["price", 3], "price=3"])
def test_overrides_must_be_a_mapping(bad):
    with pytest.raises(CostcalcError, match="overrides are a mapping"):
        costcalc.estimate("deepseek-v3", bad)


def test_peak_flops_takes_a_precision_name():
    chip = costcalc.hardware("h800")
    assert chip.peak_flops("BF16") == chip.peak_flops(costcalc.Precision.bf16) == 989.4e12
    with pytest.raises(CostcalcError, match="unknown precision 'bf32'"):
        chip.peak_flops("bf32")


def test_an_unknown_line_item_suggests_the_closest():
    result = costcalc.estimate("deepseek-v3")
    with pytest.raises(UnknownName, match="did you mean 'pre-training'"):
        result.item("pretraining")
    with pytest.raises(KeyError):  # still a KeyError for code that expects one
        result.metric("totl")


def test_no_public_name_is_also_a_submodule():
    # costcalc.explain was once both: the function broke after its module was imported.
    modules = {path.stem for path in Path(costcalc.__file__).parent.glob("*.py")}
    assert not set(costcalc.__all__) & modules


def test_what_if_analysis_from_a_notebook():
    chips = {chip.gpu: chip for chip in costcalc.compare_chips("deepseek-v3", ["H800", "H20"])}
    assert chips["H20"].gpu_hours == pytest.approx(2_788_000 * 989.4 / 148)
    effects = costcalc.tornado("deepseek-v3", {"gpu": "H20"})
    assert effects[0].input.path in ("run.mfu", "run.price_usd_per_gpu_hour")
    simulation = costcalc.monte_carlo("deepseek-fleet", 1000, seed=1)
    low, median, high = simulation.percentiles["total"]
    assert low <= median <= high
    grid = costcalc.sweep_grid("deepseek-v3", {"price": "1:3:1", "gpu": ["H800", "H100"]})
    assert grid.rows == 6
    (chunk,) = list(grid.chunks)
    assert list(chunk["total_usd"]) == pytest.approx([2_788_000 * p for p in (1, 1, 2, 2, 3, 3)])
    adhoc = costcalc.adhoc("H100", gpus=16384, params="405B", tokens="15.6T")
    assert costcalc.estimate(adhoc).flops == pytest.approx(6 * 405e9 * 15.6e12)


def test_a_sweep_with_an_impossible_combination_fails_before_any_chunk():
    with pytest.raises(CostcalcError, match="A100 has no fp8 peak"):
        costcalc.sweep_grid("deepseek-v3", {"gpu": ["H800", "A100"]})
