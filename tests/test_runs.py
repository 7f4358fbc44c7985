"""Reference runs, implied MFU and calibration (`costcalc runs`, `costcalc calibrate`).

Expected values here come from the papers (GPU-hours, tokens, parameters) and from
constructed inputs, never from costcalc's own output.
"""

from __future__ import annotations

import json
import statistics

import pytest

import costcalc
from costcalc.calibration import leave_one_out_errors, leave_one_out_mfus, relative_error
from costcalc.runs import load_runs

A100_BF16_PEAK = 312e12


def test_the_dataset_has_at_least_twelve_sourced_runs_on_a100_h100_and_h800():
    runs = load_runs()
    assert len(runs) >= 12
    assert {costcalc.hardware(run.gpu).name for run in runs.values()} >= {"A100", "H100", "H800"}
    for run in runs.values():
        assert run.source.strip(), f"{run.name} has no source"
        assert run.scope.strip(), f"{run.name} does not say what its figure covers"


def test_implied_mfu_of_llama_2_70b_from_the_paper_figures():
    # Llama 2 paper, Table 2: 70B parameters, 2.0T tokens, 1,720,320 A100-80GB GPU-hours.
    expected = 6 * 70e9 * 2.0e12 / (1_720_320 * 3600 * A100_BF16_PEAK)
    result = costcalc.reference_run("llama-2-70b")
    assert result.implied_mfu == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.4347, abs=1e-4)


def test_implied_mfu_uses_active_parameters_for_a_mixture_of_experts():
    # DeepSeek-V3: 37B active of 671B, 14.8T tokens, 2,664K H800 GPU-hours of pre-training,
    # against the BF16 peak even though the run was FP8 (so MFU is not credited twice).
    expected = 6 * 37e9 * 14.8e12 / (2_664_000 * 3600 * 989.4e12)
    result = costcalc.reference_run("DeepSeek-V3")
    assert result.implied_mfu == pytest.approx(expected, rel=1e-12)
    assert result.mfu_precision.value == "bf16"


def test_gpu_hours_from_gpus_and_days_when_none_are_reported():
    # MPT-7B: 440 A100-40GB for about 9.5 days (model card).
    result = costcalc.reference_run("mpt-7b")
    assert result.reported_gpu_hours == pytest.approx(440 * 9.5 * 24)


def test_estimate_and_error_follow_from_the_typical_mfu():
    result = costcalc.reference_run("llama-2-70b")
    typical = result.hardware.typical_mfu
    flops = 6 * 70e9 * 2.0e12
    assert result.estimated_gpu_hours == pytest.approx(flops / (A100_BF16_PEAK * typical * 3600))
    assert result.error == pytest.approx(result.estimated_gpu_hours / 1_720_320 - 1)


def test_relative_error_is_implied_over_assumed_mfu():
    # A run that achieved 50% MFU, predicted at 40%, needs 25% more GPU-hours than it used.
    assert relative_error(0.5, 0.4) == pytest.approx(0.25)
    assert relative_error(0.3, 0.4) == pytest.approx(-0.25)


def test_leave_one_out_on_a_constructed_set():
    implied = [0.30, 0.40, 0.50]
    # Without run 0 the median is 0.45, without run 1 it is 0.40, without run 2 0.35.
    assert leave_one_out_mfus(implied) == pytest.approx([0.45, 0.40, 0.35])
    errors = leave_one_out_errors(implied)
    assert errors == pytest.approx([0.30 / 0.45 - 1, 0.0, 0.50 / 0.35 - 1])


def test_leave_one_out_prefers_related_runs_and_falls_back():
    implied = [0.20, 0.22, 0.60, 0.40]
    chips = ["A", "A", "B", "C"]
    same_chip = [lambda i, j: chips[i] == chips[j]]
    fitted = leave_one_out_mfus(implied, same_chip)
    # Runs 0 and 1 see only each other; 2 and 3 are alone on their chip: all others.
    assert fitted == pytest.approx([0.22, 0.20, 0.22, 0.22])


def test_leave_one_out_needs_two_runs():
    with pytest.raises(ValueError, match="at least two"):
        leave_one_out_mfus([0.4])


def test_default_mfus_predict_published_runs_within_15_percent_median():
    """DESIGN.md's bar: median error under 15% against the papers' own GPU-hours."""
    results = costcalc.reference_runs()
    errors = [abs(result.estimated_gpu_hours / result.reported_gpu_hours - 1) for result in results]
    assert statistics.median(errors) < 0.15


def test_calibrated_chips_carry_their_fitted_median_mfu():
    """A hardware preset with reference runs states their median implied MFU (3 decimals),
    so editing the dataset without re-running calibrate fails here."""
    for fit in costcalc.calibrate().fits:
        chip = costcalc.hardware(fit.gpu)
        precisions = {other.precision for other in costcalc.calibrate(fit.gpu).fits}
        if fit.precision == "all" or precisions == {fit.precision}:
            assert chip.typical_mfu == pytest.approx(round(fit.median_mfu, 3)), fit.gpu


def test_runs_list_json_has_reported_and_estimated_side_by_side(invoke):
    data = json.loads(invoke("runs", "list", "--format", "json").stdout)
    rows = {row["name"]: row for row in data["runs"]}
    assert rows["llama-2-7b"]["reported_gpu_hours"] == 184_320
    assert rows["llama-3.1-405b"]["reported_gpu_hours"] == 30_840_000
    for row in rows.values():
        assert row["estimated_gpu_hours"] > 0
        assert 0 < row["implied_mfu"] < 1
        assert row["source"]


def test_runs_list_filters_by_gpu_alias(invoke):
    data = json.loads(invoke("runs", "list", "--gpu", "h800 sxm", "--format", "json").stdout)
    assert {row["gpu"] for row in data["runs"]} == {"H800"}


def test_runs_show_gives_formula_and_source(invoke):
    out = invoke("runs", "show", "llama-2-70b", "--format", "markdown").stdout
    assert "arXiv:2307.09288" in out
    assert "1.72M GPU-h x 3600 s" in out


def test_unknown_run_suggests_the_closest(invoke):
    result = invoke("runs", "show", "llama-2-07b")
    assert result.exit_code == 2, result.output
    assert "unknown run 'llama-2-07b'; did you mean 'llama-2-7b'?" in result.stderr


def test_calibrate_reports_summary_errors(invoke):
    data = json.loads(invoke("calibrate", "--format", "json").stdout)
    summary = data["summary"]
    assert summary["runs"] == len(load_runs())
    assert 0 <= summary["default_median_abs_error"] <= summary["default_worst_abs_error"]
    assert 0 <= summary["loo_median_abs_error"] <= summary["loo_worst_abs_error"]


RUN = (
    '[[runs]]\nname = "{name}"\nmodel = "M"\norganization = "Me"\nyear = 2025\n'
    'params = "1B"\ntokens = "20B"\ngpu = "{gpu}"\nprecision = "bf16"\n'
    'scope = "all"\nsource = "made up for a test"\n'
)


def user_runs(folder, monkeypatch, text: str) -> None:
    """A user preset folder holding one runs file, on the search path."""
    (folder / "runs").mkdir()
    (folder / "runs" / "mine.toml").write_text(text)
    monkeypatch.setenv("COSTCALC_PRESETS_PATH", str(folder))


def test_calibrate_on_a_gpu_with_one_run_is_a_clear_error(invoke, tmp_path, monkeypatch):
    user_runs(tmp_path, monkeypatch, RUN.format(name="solo", gpu="H20") + "gpu_hours = 1000\n")
    result = invoke("calibrate", "--gpu", "H20")
    assert result.exit_code == 2, result.output
    assert "calibration needs at least two runs; H20 has 1" in result.stderr


def test_a_run_without_gpu_hours_or_days_is_a_preset_error(invoke, tmp_path, monkeypatch):
    user_runs(tmp_path, monkeypatch, RUN.format(name="bad", gpu="H100"))
    result = invoke("runs", "list")
    assert result.exit_code == 2, result.output
    assert "mine.toml" in result.stderr
    assert "needs gpu_hours, or gpus and days" in result.stderr


def test_a_run_name_used_twice_names_both_files(invoke, tmp_path, monkeypatch):
    user_runs(tmp_path, monkeypatch, RUN.format(name="llama-2-7b", gpu="A100") + "gpu_hours = 9\n")
    result = invoke("runs", "list")
    assert result.exit_code == 2, result.output
    assert "run 'llama-2-7b' is also defined in" in result.stderr


def test_presets_validate_checks_the_gpu_a_run_names(invoke, tmp_path, monkeypatch):
    user_runs(tmp_path, monkeypatch, RUN.format(name="x", gpu="H8000") + "gpu_hours = 9\n")
    result = invoke("presets", "validate", str(tmp_path / "runs" / "mine.toml"))
    assert result.exit_code == 2, result.output
    assert "unknown GPU 'H8000'; did you mean 'H800'?" in result.stderr
