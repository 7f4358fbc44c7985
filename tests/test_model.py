"""The cost model against published figures and hand-computed formulas.

Expected values here come from the sources (DeepSeek's papers, SemiAnalysis, the
formulas of Kaplan/PaLM), not from costcalc's own output.
"""

from __future__ import annotations

import dataclasses

import pytest

import costcalc
from costcalc.errors import InputError, PresetError, UnsupportedPrecision
from costcalc.model import energy_kwh, gpu_hours_from_flops, implied_mfu, training_flops
from costcalc.schema import Precision, Stage

# ---------------------------------------------------------------------------
# The four headline figures, from the presets
# ---------------------------------------------------------------------------


def test_v3_final_run_is_5_576m_with_its_stage_split():
    result = costcalc.estimate("deepseek-v3")
    assert result.total == pytest.approx(5.576e6)
    assert result.item("pre-training").amount == pytest.approx(5.328e6)
    assert result.item("context extension").amount == pytest.approx(0.238e6)
    assert result.item("post-training").amount == pytest.approx(0.010e6)
    assert result.gpu_hours == pytest.approx(2.788e6)


def test_r1_reasoning_training_is_294k():
    result = costcalc.estimate("deepseek-r1")
    assert result.total == pytest.approx(294e3)
    assert result.item("R1-Zero").amount == pytest.approx(202e3)
    assert result.item("SFT data creation").amount == pytest.approx(10e3)
    assert result.item("R1").amount == pytest.approx(82e3)


def test_fleet_capex_about_1_6b_and_opex_about_944m():
    result = costcalc.estimate("deepseek-fleet")
    categories = result.by_category
    assert categories["capex"] == pytest.approx(1.6e9, rel=0.05)
    assert categories["opex"] == pytest.approx(944e6, rel=0.05)
    assert categories["compute"] == 0
    assert result.fleet is not None and result.fleet.gpus == 60_000


def test_wall_clock_days_on_2048_gpus():
    # V3 report: 2,664K GPU-h of pre-training on 2,048 H800 = 54.2 days (FACTS A1).
    result = costcalc.estimate("deepseek-v3")
    pretraining = result.stages[0]
    assert pretraining.wall_clock_days == pytest.approx(2_664_000 / 2048 / 24)
    assert result.wall_clock_days == pytest.approx(2_788_000 / 2048 / 24)


# ---------------------------------------------------------------------------
# GPU-hours: reported, GPUs x wall-clock, FLOPs / (peak x MFU)
# ---------------------------------------------------------------------------


def _v3_stage(typical_mfu: bool = False, **changes):
    """V3's pre-training stage alone, changed; with typical_mfu, the H800 preset's MFU."""
    scenario = costcalc.scenario("deepseek-v3")
    assert scenario.run is not None
    stage = dataclasses.replace(scenario.run.stages[0], **changes)
    run = dataclasses.replace(scenario.run, stages=(stage,))
    if typical_mfu:
        run = dataclasses.replace(run, mfu=None, mfu_precision=None)
    return dataclasses.replace(scenario, run=run)


def test_gpu_hours_reported_take_precedence():
    result = costcalc.estimate(_v3_stage(gpu_hours=1000.0, hours=5.0))
    assert result.gpu_hours == 1000


def test_gpu_hours_from_gpus_and_wall_clock():
    # R1 paper: 64*8 H800 GPUs for about 198 hours ~ 101K GPU-hours.
    result = costcalc.estimate(_v3_stage(gpu_hours=None, hours=198.0, gpus=512))
    assert result.gpu_hours == pytest.approx(512 * 198)
    assert result.wall_clock_days == pytest.approx(198 / 24)


def test_gpu_hours_from_flops_peak_and_mfu():
    # 6 x 37e9 x 14.8e12 FLOPs (+ attention) at 989.4 TFLOP/s x 38.94% MFU (measured, ISCA'25).
    result = costcalc.estimate(_v3_stage(gpu_hours=None))
    per_token = 6 * 37e9 + 12 * 61 * 7168 * 4096
    expected_flops = per_token * 14.8e12
    assert result.flops == pytest.approx(expected_flops)
    assert result.gpu_hours == pytest.approx(expected_flops / (989.4e12 * 0.3894 * 3600))


def test_without_a_stated_mfu_the_hardware_typical_applies():
    result = costcalc.estimate(_v3_stage(typical_mfu=True, gpu_hours=None))
    assert result.flops is not None
    typical = costcalc.hardware("H800").typical_mfu
    assert result.gpu_hours == pytest.approx(result.flops / (989.4e12 * typical * 3600))


def test_training_flops_six_n_d_and_the_palm_attention_term():
    assert training_flops(1e9, 1e12) == pytest.approx(6e21)
    with_attention = training_flops(1e9, 1e12, layers=10, d_model=1000, seq_len=2000)
    assert with_attention == pytest.approx((6e9 + 12 * 10 * 1000 * 2000) * 1e12)


def test_gpu_hours_and_implied_mfu_are_inverse():
    hours = gpu_hours_from_flops(6e21, 989.4e12, 0.5)
    assert hours == pytest.approx(6e21 / (494.7e12 * 3600))
    assert implied_mfu(6e21, hours, 989.4e12) == pytest.approx(0.5)


def test_v3_reported_gpu_hours_imply_about_the_measured_mfu():
    # ISCA'25: 38.94% of the BF16 peak, with DeepSeek's own FLOP count (~250 GFLOP/token).
    pretraining = costcalc.estimate("deepseek-v3").stages[0]
    assert pretraining.implied_mfu == pytest.approx(0.3894, abs=0.03)


def test_moe_uses_active_parameters():
    # FACTS F: V3 FLOPs = 6 x 37e9 x 14.8e12 = 3.29e24 (active, not total, parameters).
    scenario = _v3_stage(gpu_hours=None)
    assert scenario.run is not None
    plain = dataclasses.replace(scenario, run=dataclasses.replace(scenario.run, layers=None))
    assert costcalc.estimate(plain).flops == pytest.approx(3.29e24, rel=0.002)
    dense = dataclasses.replace(plain, run=dataclasses.replace(plain.run, active_params=None))
    assert costcalc.estimate(dense).flops == pytest.approx(3.29e24 * 671 / 37, rel=0.002)


def test_energy_is_gpu_hours_times_server_power_load_and_pue():
    assert energy_kwh(1000, 700, 1.82, 0.75, 1.25) == pytest.approx(1000 * 0.7 * 1.82 * 0.75 * 1.25)


def test_a_stage_needs_a_size():
    with pytest.raises(ValueError, match="needs gpu_hours"):
        Stage(name="empty")


def test_hours_without_gpus_is_an_error():
    scenario = _v3_stage(gpu_hours=None, hours=10.0)
    assert scenario.run is not None
    scenario = dataclasses.replace(scenario, run=dataclasses.replace(scenario.run, gpus=None))
    with pytest.raises(InputError, match="no gpus"):
        costcalc.estimate(scenario)


# ---------------------------------------------------------------------------
# Precision and MFU: which peak an MFU is a fraction of
# ---------------------------------------------------------------------------


def test_fp8_on_a100_names_the_precisions_it_has():
    with pytest.raises(
        UnsupportedPrecision, match="A100 has no fp8 peak; it has fp64, tf32, bf16, fp16"
    ):
        costcalc.estimate("llama-2-70b", {"run.precision": "fp8"})


def test_default_mfu_does_not_credit_fp8_twice():
    bf16 = costcalc.estimate(_v3_stage(typical_mfu=True, gpu_hours=None), {"run.precision": "bf16"})
    fp8 = costcalc.estimate(_v3_stage(typical_mfu=True, gpu_hours=None), {"run.precision": "fp8"})
    assert fp8.gpu_hours == pytest.approx(bf16.gpu_hours)
    assert any("BF16 peak" in note and "FP8 peak" in note for note in fp8.notes)


def test_an_explicit_mfu_is_of_the_run_precision_peak():
    # 19.47% of the FP8 peak is the same throughput as 38.94% of the BF16 peak.
    stage = _v3_stage(typical_mfu=True, gpu_hours=None)
    fp8 = costcalc.estimate(stage, {"run.precision": "fp8", "run.mfu": 0.1947})
    bf16 = costcalc.estimate(stage, {"run.precision": "bf16", "run.mfu": 0.3894})
    assert fp8.gpu_hours == pytest.approx(bf16.gpu_hours, rel=0.001)


# ---------------------------------------------------------------------------
# Ownership against rental: hardware is counted once
# ---------------------------------------------------------------------------


def test_owned_cost_per_gpu_hour_at_full_utilization():
    # FACTS calibration 5: ($1.6B + $944M) over 4 years / (60,000 GPUs x 8,766 h) = $1.21.
    fleet = costcalc.estimate("deepseek-fleet", {"fleet.utilization": 1.0}).fleet
    assert fleet is not None
    assert fleet.owned_usd_per_gpu_hour == pytest.approx(1.21, rel=0.02)


def test_owned_run_is_its_share_of_the_fleet_not_fleet_plus_rent():
    owned = costcalc.estimate("deepseek-v3-owned")
    fleet = costcalc.estimate("deepseek-fleet")
    assert owned.fleet is not None
    h800 = owned.fleet.group("H800")
    assert h800 is not None
    assert owned.total == pytest.approx(2.788e6 * h800.owned_usd_per_gpu_hour)
    assert owned.by_category["compute"] == 0  # no rental line beside the fleet's cost
    assert owned.total < 0.01 * fleet.total
    assert {item.name for item in owned.items} == {"run share of capex", "run share of opex"}


def test_a_rental_scenario_cannot_also_carry_a_fleet(tmp_path):
    path = tmp_path / "double.toml"
    path.write_text('extends = ["deepseek-fleet", "deepseek-v3"]\ntitle = "x"\nbasis = "rental"\n')
    with pytest.raises(PresetError, match="count the hardware twice"):
        costcalc.scenario(str(path))


def test_total_is_the_sum_of_line_items_in_every_scenario():
    for name in costcalc.catalog().scenario_presets:
        result = costcalc.estimate(name)
        assert result.total == pytest.approx(sum(item.amount for item in result.items))
        assert result.total == pytest.approx(sum(result.by_category.values()))


def test_rnd_staff_reproduces_wildefords_arithmetic():
    # Wildeford: 199 authors x $300K average ~ $60M per year.
    result = costcalc.estimate("deepseek-rnd")
    assert result.item("staff").amount == pytest.approx(199 * 300e3)
    assert result.item("experiment compute").amount == pytest.approx(1.2 * 5.576e6)


def test_precision_enum_values_are_lowercase_names():
    assert [precision.value for precision in Precision] == [
        "fp64",
        "tf32",
        "bf16",
        "fp16",
        "fp8",
        "fp4",
    ]


# ---------------------------------------------------------------------------
# What-ifs on measured runs: GPU-hours follow the throughput
# ---------------------------------------------------------------------------


def test_changing_the_gpu_rescales_reported_gpu_hours_by_throughput():
    # Same MFU (38.94% of BF16 peak), H20 peak 148 vs H800 989.4 TFLOP/s.
    on_h20 = costcalc.estimate("deepseek-v3", {"run.gpu": "H20"})
    assert on_h20.gpu_hours == pytest.approx(2.788e6 * 989.4 / 148)
    assert on_h20.wall_clock_days == pytest.approx(2.788e6 * 989.4 / 148 / 2048 / 24)


def test_halving_the_mfu_doubles_reported_gpu_hours():
    slower = costcalc.estimate("deepseek-v3", {"run.mfu": 0.3894 / 2})
    assert slower.gpu_hours == pytest.approx(2 * 2.788e6)


def test_a_what_if_that_changes_nothing_changes_nothing():
    same = costcalc.estimate("deepseek-v3", {"run.gpu": "H800", "run.mfu": 0.3894})
    assert same.total == 5.576e6
