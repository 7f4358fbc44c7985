"""Defects found in review, each pinned by a test: money labelled in the currency it is
in, implausible inputs refused, like compared with like, every number in CSV too."""

from __future__ import annotations

import csv
import io
import json

import pytest

import costcalc

from .test_cli_basics import assert_one_line_error


def csv_rows(invoke, *args):
    result = invoke(*args, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_owned_cost_per_gpu_hour_is_labelled_in_the_shown_currency(invoke):
    out = invoke("estimate", "deepseek-fleet", "--currency", "IDR", "--format", "markdown").stdout
    assert "IDR (fleet average" in out
    assert "USD (fleet average" not in out


def test_a_swept_price_is_converted_with_the_money_it_produces(invoke):
    rows = csv_rows(invoke, "sweep", "deepseek-v3", "--vary", "price=1,2", "--currency", "IDR")
    rate = 16564.6  # presets/fx.toml, from the seed articles
    assert float(rows[0]["price_idr_per_gpu_hour"]) == pytest.approx(1 * rate)
    assert float(rows[1]["total_idr"]) == pytest.approx(2_788_000 * 2 * rate)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["estimate", "deepseek-v3", "--set", "price=1e306"], "must be at most 100000"),
        (["estimate", "--gpu", "H800", "--gpus", "1e12", "--gpu-hours", "5"], "--gpus"),
        (["estimate", "--gpu", "H800", "--params", "1e30", "--tokens", "1T"], "--params"),
        (["sweep", "deepseek-v3", "--vary", "price=1e300"], "--vary price"),
        (["estimate", "deepseek-fleet", "--uncertainty", "100000000"], "at most 1,000,000"),
    ],
)
def test_implausibly_large_inputs_are_refused(invoke, args, fragment):
    assert_one_line_error(invoke(*args), fragment)


def test_default_ranges_leave_reported_facts_alone(invoke):
    data = json.loads(invoke("sensitivity", "deepseek-v3", "--format", "json").stdout)
    varied = {row["input"].rsplit(".", 1)[-1] for row in data["inputs"]}
    assert {"mfu", "price_usd_per_gpu_hour"} <= varied
    assert not varied & {"layers", "d_model", "seq_len", "gpus", "gpu_hours", "tokens"}


def test_compare_runs_every_chip_at_the_same_mfu(invoke):
    # R1 states no MFU: every chip gets the H800's typical one, so the H100 and H800
    # (the same silicon and peak) need the same GPU-hours: DeepSeek's 147K.
    data = json.loads(
        invoke("compare", "deepseek-r1", "--gpu", "H800,H100", "--format", "json").stdout
    )
    by_gpu = {row["gpu"]: row for row in data["chips"]}
    assert by_gpu["H100"]["gpu_hours"] == pytest.approx(147_000)
    assert by_gpu["H800"]["gpu_hours"] == pytest.approx(147_000)
    assert by_gpu["H100"]["mfu"] == costcalc.hardware("H800").typical_mfu


def test_compare_names_each_gpu_once(invoke):
    data = json.loads(
        invoke("compare", "deepseek-v3", "--gpu", "H800,h800", "--format", "json").stdout
    )
    assert [row["gpu"] for row in data["chips"]] == ["H800"]
    assert_one_line_error(invoke("compare", "deepseek-v3", "--gpu", ""), "at least one GPU")


def test_explain_csv_carries_the_owned_versus_rented_figures(invoke):
    rows = {row["layer"]: row for row in csv_rows(invoke, "explain", "deepseek")}
    assert float(rows["V3 final training run"]["amount_usd"]) == pytest.approx(5.576e6)
    owned = rows["owned cost per H800 GPU-hour"]
    assert owned["unit"] == "USD/GPU-h"
    assert float(rows["rental price per H800 GPU-hour"]["amount_usd"]) == pytest.approx(2.0)
    assert float(rows["V3 run at the rental price"]["amount_usd"]) == pytest.approx(5.576e6)
    table = invoke("explain", "deepseek", "--format", "markdown").stdout
    assert "| owned cost per H800 GPU-hour" not in table  # tables say it in a note


def test_check_tolerances_are_numbers(invoke):
    rows = csv_rows(invoke, "check")
    assert all(float(row["rel_tolerance"]) >= 0 for row in rows if row["rel_tolerance"])
    data = json.loads(invoke("check", "--format", "json").stdout)
    assert all(isinstance(row["rel_tolerance"], float) for row in data["results"])


def test_sensitivity_csv_has_no_drawing(invoke):
    rows = csv_rows(invoke, "sensitivity", "deepseek-v3")
    assert "bar" not in rows[0]
    assert float(rows[0]["swing_usd"]) > 0


def test_an_fx_override_for_another_currency_is_an_error(invoke):
    assert_one_line_error(
        invoke("estimate", "deepseek-r1", "--fx", "IDR=16500"),
        "--fx IDR=16500: has no effect without --currency IDR",
    )


def test_an_impossible_sweep_combination_fails_before_any_row(invoke):
    result = invoke("sweep", "deepseek-v3", "--vary", "gpu=H800,A100", "--format", "csv")
    assert_one_line_error(result, "A100 has no fp8 peak")
    assert result.stdout == ""


def test_an_input_varied_twice_is_an_error(invoke):
    result = invoke("sweep", "deepseek-v3", "--vary", "mfu=0.2", "--vary", "mfu=0.3")
    assert_one_line_error(result, "given twice")


def test_debug_works_after_the_command_too(invoke):
    result = invoke("hardware", "show", "H8000", "--debug")
    assert result.exit_code == 2
    assert "Traceback" in result.stderr


def test_a_range_without_a_value_says_which_point_it_stands_for(invoke):
    data = json.loads(
        invoke("estimate", "deepseek-v3", "--set", "price={low=1.5,high=3}", "-f", "json").stdout
    )
    assert data["total"] == pytest.approx(2_788_000 * 2.25)
    assert any("its centre 2.25 is the point estimate" in note for note in data["notes"])
    stated = json.loads(
        invoke(
            "estimate", "deepseek-v3", "--set", "price={value=2,low=1.5,high=3}", "-f", "json"
        ).stdout
    )
    assert stated["total"] == pytest.approx(5.576e6)
    assert not any("point estimate" in note for note in stated["notes"])


def test_short_names_reach_the_fleet_in_a_fleet_scenario():
    base = costcalc.estimate("deepseek-fleet")
    lower_pue = costcalc.estimate("deepseek-fleet", {"pue": 1.3})
    fleet = costcalc.scenario("deepseek-fleet").fleet
    assert fleet is not None
    assert lower_pue.item("electricity").amount == pytest.approx(
        base.item("electricity").amount * 1.3 / fleet.pue
    )
    staffed = costcalc.estimate("deepseek-fleet", {"staff": 100, "salary": 100_000})
    assert staffed.item("operations staff").amount == pytest.approx(100 * 100_000 * 4)
    # In a scenario with a run, pue is still the run's.
    run = costcalc.scenario("deepseek-v3", {"pue": 1.1}).run
    assert run is not None and run.pue == 1.1


def test_chips_with_the_same_peak_are_both_fastest(invoke):
    data = json.loads(
        invoke("compare", "deepseek-v3", "--gpu", "H800,H100,A100", "--format", "json").stdout
    )
    fastest = {row["gpu"] for row in data["chips"] if row["fastest"]}
    assert fastest == {"H800", "H100"}  # both 989.4 BF16 TFLOP/s


def test_check_of_a_folder_does_not_judge_the_shipped_scenarios_by_its_hardware(invoke, tmp_path):
    from .conftest import copy_preset

    (tmp_path / "hardware").mkdir()
    chip = copy_preset("hardware", "h100", tmp_path / "hardware")
    chip.write_text(chip.read_text().replace('"33750 USD"', '"90000 USD"'))
    result = invoke("check", str(tmp_path), "--format", "json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["summary"]["drifted"] == 0


def test_a_shipped_file_given_by_path_is_checked_once(invoke):
    from .conftest import PRESETS

    path = PRESETS / "scenarios" / "deepseek-v3.toml"
    data = json.loads(invoke("check", str(path), "--format", "json").stdout)
    metrics = [(row["scenario"], row["metric"]) for row in data["results"]]
    assert len(metrics) == len(set(metrics))


def test_compare_costs_an_fp8_mfu_at_bf16_on_a_chip_without_fp8(invoke):
    data = json.loads(
        invoke(
            "compare", "deepseek-v3", "--set", "run.mfu_precision=fp8", "--gpu", "A100,H800",
            "--format", "json",
        ).stdout
    )  # fmt: skip
    by_gpu = {row["gpu"]: row for row in data["chips"]}
    assert by_gpu["A100"]["note"] == "no fp8; costed at bf16"
    assert by_gpu["H800"]["mfu_precision"] == "fp8"


def test_pue_means_the_fleets_where_a_scenario_owns_a_fleet():
    assert costcalc.estimate("deepseek-v3-owned", {"pue": 1.2}).total == pytest.approx(
        costcalc.estimate("deepseek-v3-owned", {"fleet.pue": 1.2}).total
    )


def test_tokens_given_to_a_measured_stage_show_its_implied_mfu(invoke):
    # Measured GPU-hours stay as reported (there is no token count to scale from);
    # the tokens let the estimate say what MFU those GPU-hours imply.
    args = ["estimate", "--gpu", "H100", "--gpus", "1024", "--params", "70B"]
    result = invoke(*args, "--gpu-hours", "1M", "--set", "tokens=2T", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    implied = 6 * 70e9 * 2e12 / (1e6 * 3600 * 989.4e12)
    assert f"imply MFU {implied * 100:.1f}%" in result.stdout
    assert costcalc.estimate("deepseek-r1", {"tokens": "1T"}).total == pytest.approx(294_000)


def test_compare_energy_follows_pue_where_run_and_fleet_both_have_one(invoke):
    def energy(*extra):
        args = ["compare", "deepseek-v3-owned", "--gpu", "H800", *extra, "--format", "json"]
        return json.loads(invoke(*args).stdout)["chips"][0]["energy_kwh"]

    assert energy("--set", "pue=2") == pytest.approx(energy() * 2 / 1.25)


def test_a_value_set_by_hand_replaces_the_files_range():
    # v3-on-leased-h100 gives its price as a range; --set price=3 pins it.
    from .conftest import PROJECT

    path = str(PROJECT / "examples" / "presets" / "scenarios" / "v3-on-leased-h100.toml")
    simulation = costcalc.monte_carlo(path, 2000, seed=1, overrides={"price": 3})
    (price,) = [item for item in simulation.inputs if item.path == "run.price_usd_per_gpu_hour"]
    # Not the file's 1.5-2.5 USD/hour: with no stated range left, +/-20% around 3.
    assert (price.spec.low, price.spec.high) == pytest.approx((2.4, 3.6))
    low, _, high = simulation.percentiles["total"]
    assert low <= simulation.point["total"] <= high


def test_what_if_analysis_with_an_array_valued_experiment_multiple(invoke):
    assert invoke("sensitivity", "deepseek-rnd", "--format", "json").exit_code == 0
    result = invoke("estimate", "deepseek-rnd", "--uncertainty", "100", "--format", "json")
    assert result.exit_code == 0, result.stderr


def test_check_a_scenario_file_inside_a_preset_folder(invoke):
    from .conftest import PROJECT

    path = PROJECT / "examples" / "presets" / "scenarios" / "v3-on-leased-h100.toml"
    result = invoke("check", str(path), "--format", "json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["invalid"] == []


def test_list_values_of_a_library_sweep_are_one_value_each():
    grid = costcalc.sweep_grid("deepseek-v3", {"gpus": ["1,024", "2,048"]})
    assert grid.rows == 2
    assert list(next(grid.chunks)["gpus"]) == [1024, 2048]


def test_compare_chips_takes_a_comma_separated_string():
    chips = costcalc.compare_chips("deepseek-v3", "H800,H20")
    assert [chip.gpu for chip in chips] == ["H800", "H20"]


def test_bounds_are_stated_in_the_fields_unit(invoke):
    assert_one_line_error(
        invoke("estimate", "--gpu", "H100", "--gpus", "8", "--days", "50000"),
        "must be at most 1e+06 hour",
    )


def test_an_rnd_only_rental_scenario_is_valid(invoke, tmp_path):
    # experiment_multiple defaults to 0: with no run there is nothing to multiply, and
    # nothing that needs a run (a check of "is not None" once refused every such file).
    path = tmp_path / "team.toml"
    path.write_text(
        'title = "A research team"\nbasis = "rental"\n'
        '[rnd]\nstaff = 10\nstaff_usd_per_year = "200000 USD/year"\n'
    )
    data = json.loads(invoke("estimate", str(path), "--format", "json").stdout)
    assert data["total"] == pytest.approx(10 * 200_000)
