"""`costcalc estimate` and `costcalc explain` from the command line."""

from __future__ import annotations

import csv
import importlib.util
import io
import json

import pytest

import costcalc

from .test_cli_basics import assert_one_line_error

ESTIMATE_FIELDS = {
    "scenario",
    "basis",
    "currency",
    "total",
    "by_category",
    "gpu_hours",
    "flops",
    "wall_clock_days",
    "energy_kwh",
    "items",
}


def estimate_json(invoke, *args):
    result = invoke("estimate", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_estimate_json_has_the_documented_fields(invoke):
    data = estimate_json(invoke, "deepseek-v3")
    assert set(data) >= ESTIMATE_FIELDS
    assert set(data["by_category"]) == {"compute", "capex", "opex", "rnd"}
    assert data["total"] == pytest.approx(5.576e6)
    assert data["currency"] == "USD"
    assert data["basis"] == "rental"
    for item in data["items"]:
        assert {"category", "name", "amount", "basis"} <= set(item)
    assert data["items"][0]["basis"] == "2.664M GPU-h x 2.00 USD/GPU-h"


def test_estimate_adhoc_from_params_and_tokens(invoke):
    # Llama 3.1 405B: 6 x 405e9 x 15.6e12 FLOPs on 16,384 H100 at the preset MFU.
    data = estimate_json(
        invoke,
        "--gpu",
        "H100",
        "--gpus",
        "16384",
        "--params",
        "405B",
        "--tokens",
        "15.6T",
        "--precision",
        "bf16",
    )
    flops = 6 * 405e9 * 15.6e12
    assert data["flops"] == pytest.approx(flops)
    h100 = costcalc.hardware("H100")
    assert data["gpu_hours"] == pytest.approx(flops / (989.4e12 * h100.typical_mfu * 3600))
    assert data["wall_clock_days"] == pytest.approx(data["gpu_hours"] / 16384 / 24)
    assert data["total"] == pytest.approx(data["gpu_hours"] * h100.rental_usd_per_gpu_hour)
    # Same order as the 30.84M GPU-hours Meta reports (model card); how close the
    # default MFUs come across published runs is tested in test_runs.py.
    assert data["gpu_hours"] == pytest.approx(30.84e6, rel=0.5)


def test_estimate_adhoc_from_days(invoke):
    data = estimate_json(
        invoke, "--gpu", "h800", "--gpus", "512", "--days", "4", "--price", "2 USD/hour"
    )
    assert data["gpu_hours"] == pytest.approx(512 * 96)
    assert data["total"] == pytest.approx(512 * 96 * 2)


def test_estimate_adhoc_from_gpu_hours_with_price_in_other_units(invoke):
    data = estimate_json(
        invoke, "--gpu", "H800", "--gpu-hours", "147K", "--price", "0.0333333 USD/minute"
    )
    assert data["total"] == pytest.approx(294e3, rel=1e-4)


def test_flags_override_a_scenario(invoke):
    data = estimate_json(invoke, "deepseek-v3", "--price", "3 USD/hour")
    assert data["total"] == pytest.approx(2.788e6 * 3)


def test_set_overrides_any_field(invoke):
    data = estimate_json(invoke, "deepseek-r1", "--set", "run.stages.R1-Zero.gpu_hours=200K")
    assert data["gpu_hours"] == pytest.approx(147e3 - 101e3 + 200e3)


def test_mfu_note_names_the_peak(invoke):
    data = estimate_json(
        invoke,
        "--gpu",
        "H800",
        "--gpus",
        "2048",
        "--active-params",
        "37B",
        "--tokens",
        "14.8T",
        "--precision",
        "fp8",
    )
    assert any("BF16 peak" in note and "FP8 peak" in note for note in data["notes"])


def test_estimate_csv_has_units_in_column_names(invoke):
    result = invoke("estimate", "deepseek-v3", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["name"] for row in rows] == ["pre-training", "context extension", "post-training"]
    assert sum(float(row["amount_usd"]) for row in rows) == pytest.approx(5.576e6)


def test_estimate_table_shows_total_and_basis(invoke):
    result = invoke("estimate", "deepseek-v3", "--format", "table")
    assert "$5.576M" in result.stdout
    assert "2.664M GPU-h x 2.00 USD/GPU-h" in result.stdout


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            [
                "--gpu",
                "A100",
                "--gpus",
                "8",
                "--params",
                "7B",
                "--tokens",
                "1T",
                "--precision",
                "fp8",
            ],
            ["A100 has no fp8 peak", "bf16"],
        ),
        (["--gpu", "H8000", "--gpu-hours", "1000"], ["unknown GPU 'H8000'", "'H800'"]),
        (["--gpu", "H800", "--gpu-hours", "1000", "--days", "3"], ["exactly one of"]),
        (["--gpu", "H800", "--days", "3"], ["--days needs --gpus"]),
        (["--gpu", "H800", "--tokens", "1T"], ["--tokens needs --params"]),
        (
            ["--gpu", "H800", "--gpu-hours", "1000", "--price", "700 W"],
            ["price per GPU-hour", "'700 W'"],
        ),
        (["--gpu", "H800", "--gpu-hours", "-5"], ["--gpu-hours", "greater than 0"]),
        (["--gpu", "H800", "--gpu-hours", "1000", "--mfu", "1.5"], ["at most 1"]),
        (["deepseek-v3", "--set", "run.prise=3"], ["unknown field 'run.prise'", "did you mean"]),
        (["deepseek-v3", "--set", "run.gpus"], ["expected key.path=value"]),
        (["--gpus", "8"], ["give a scenario"]),
        (["deepseek-v3", "--gpu-hours", "5"], ["3 stages"]),
    ],
)
def test_bad_estimate_input(invoke, args, fragments):
    assert_one_line_error(invoke("estimate", *args), *fragments)


# ---------------------------------------------------------------------------
# explain
# ---------------------------------------------------------------------------


def test_explain_layers_reproduce_the_published_figures(invoke):
    result = invoke("explain", "deepseek", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    layers = {layer["name"]: layer for layer in data["layers"]}
    assert layers["R1 reasoning training"]["amount"] == pytest.approx(294e3)
    assert layers["V3 final training run"]["amount"] == pytest.approx(5.576e6)
    assert layers["Fleet capex"]["amount"] == pytest.approx(1.6e9, rel=0.05)
    assert layers["Fleet opex, 4 years"]["amount"] == pytest.approx(944e6, rel=0.05)
    assert layers["V3 final training run"]["ratio"] == pytest.approx(5.576e6 / 294e3)
    assert layers["V3 final training run"]["ratio_to"] == "R1 reasoning training"
    # A total is compared with its largest part, not with the layer listed before it.
    assert layers["Total cost of ownership"]["ratio_to"] == "Fleet capex"
    for layer in data["layers"]:
        assert layer["scope"] and layer["includes"] and layer["excludes"] and layer["source"]
    bridge = data["owned_versus_rented"]
    assert bridge["gpu"] == "H800"
    assert bridge["rental_price"] == 2.0
    assert bridge["owned_cost"] == pytest.approx(2.788e6 * bridge["owned_price"])


def test_explain_formats_carry_the_same_numbers(invoke):
    data = json.loads(invoke("explain", "--format", "json").stdout)
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        rows = list(
            csv.DictReader(
                io.StringIO(invoke("explain", "--format", fmt).stdout), delimiter=delimiter
            )
        )
        layers, rest = rows[: len(data["layers"])], rows[len(data["layers"]) :]
        assert [float(row["amount_usd"]) for row in layers] == [
            layer["amount"] for layer in data["layers"]
        ]
        bridge = {row["layer"]: float(row["amount_usd"]) for row in rest}
        owned = data["owned_versus_rented"]
        assert bridge["owned cost per H800 GPU-hour"] == owned["owned_price"]
        assert bridge["V3 run's share of fleet cost (owned)"] == owned["owned_cost"]


def test_explain_fits_one_screen(invoke):
    result = invoke("explain", "--format", "table")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) <= 40
    for name in ("R1 reasoning training", "Fleet capex", "Total cost of ownership"):
        assert name in result.stdout


def test_explain_set_applies_where_the_field_exists(invoke):
    base = json.loads(invoke("explain", "--format", "json").stdout)
    changed = json.loads(
        invoke("explain", "--set", "run.price_usd_per_gpu_hour=3", "--format", "json").stdout
    )
    assert changed["layers"][0]["amount"] == pytest.approx(base["layers"][0]["amount"] * 1.5)
    assert changed["layers"][2]["amount"] == pytest.approx(base["layers"][2]["amount"])


def test_unknown_explanation(invoke):
    assert_one_line_error(
        invoke("explain", "deepsek"), "unknown explanation 'deepsek'", "'deepseek'"
    )


@pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None, reason="plot extra not installed"
)
def test_explain_plot_writes_an_image(invoke, tmp_path):
    target = tmp_path / "layers.png"
    result = invoke("explain", "--plot", str(target), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes().startswith(b"\x89PNG")
    assert [p.name for p in tmp_path.iterdir()] == ["layers.png"]


def test_explain_plot_without_matplotlib_says_how_to_install(invoke, tmp_path, monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "matplotlib" else real_find_spec(name, *a),
    )
    result = invoke("explain", "--plot", str(tmp_path / "x.png"))
    assert_one_line_error(result, "pip install 'costcalc[plot]'")
    assert not list(tmp_path.iterdir())


def test_explain_plot_rejects_unknown_image_types(invoke, tmp_path):
    assert_one_line_error(
        invoke("explain", "--plot", str(tmp_path / "x.gif")), ".png, .svg or .pdf"
    )
