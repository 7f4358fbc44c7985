"""The command-line skeleton: hardware, presets, output formats, errors and exit codes."""

from __future__ import annotations

import csv
import io
import json

import pytest

from .conftest import copy_preset

NUMERIC_HARDWARE_COLUMNS = ["peak_tflops_bf16", "memory_gb", "tdp_w", "rental_usd_per_gpu_hour"]


def test_version(invoke):
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("costcalc ")


def test_no_arguments_shows_help(invoke):
    result = invoke()
    assert "estimate" in result.output
    assert "hardware" in result.output


def test_hardware_list_json_has_the_contract_fields(invoke):
    result = invoke("hardware", "list", "--format", "json")
    assert result.exit_code == 0, result.stderr
    chips = json.loads(result.stdout)
    by_name = {chip["name"]: chip for chip in chips}
    assert {"H800", "H100", "H20", "A100"} <= set(by_name)
    for chip in chips:
        for field in ("name", "peak_tflops", "memory_gb", "tdp_w", "rental_usd_per_gpu_hour"):
            assert field in chip
        assert isinstance(chip["peak_tflops"], dict)
        assert 0 < chip["typical_mfu"] <= 1
        assert chip["sources"]
    assert by_name["H100"]["peak_tflops"]["bf16"] == pytest.approx(989.4)
    assert by_name["H100"]["peak_tflops"]["fp8"] == pytest.approx(1978.9)
    assert "fp8" not in by_name["A100"]["peak_tflops"]


def test_hardware_show_h800_json_carries_figures_and_sources(invoke):
    result = invoke("hardware", "show", "h800", "--format", "json")
    assert result.exit_code == 0, result.stderr
    chip = json.loads(result.stdout)
    assert chip["name"] == "H800"
    assert chip["interconnect_gb_s"] == 400  # NVLink cut from the H100's 900 GB/s
    assert chip["peak_tflops"]["bf16"] == pytest.approx(989.4)
    assert chip["tdp_w"] == 700
    assert "Epoch" in chip["sources"]["tdp_w"]


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_delimited_output_has_one_header_and_numeric_columns(invoke, fmt, delimiter):
    result = invoke("hardware", "list", "--format", fmt)
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout), delimiter=delimiter))
    header, body = rows[0], rows[1:]
    assert header[0] == "name"
    assert len(body) >= 4
    assert not any(row == header for row in body)
    for row in body:
        record = dict(zip(header, row, strict=True))
        for column in NUMERIC_HARDWARE_COLUMNS:
            float(record[column])  # raw numbers: no "$", no thousands separators
    assert "$" not in result.stdout


def test_auto_format_is_tsv_when_stdout_is_not_a_terminal(invoke):
    result = invoke("hardware", "list")
    assert result.stdout.splitlines()[0].startswith("name\tfull_name\t")


def test_markdown_output(invoke):
    result = invoke("hardware", "list", "--format", "markdown")
    lines = result.stdout.splitlines()
    assert lines[2].startswith("| GPU |")
    assert lines[3].startswith("| :---")


def test_table_output_is_plain_text_without_colour_codes(invoke):
    result = invoke("hardware", "show", "H20", "--format", "table")
    assert result.exit_code == 0
    assert "H20" in result.stdout
    assert "\x1b[" not in result.stdout


def test_presets_list_names_hardware_and_scenarios(invoke):
    rows = json.loads(invoke("presets", "list", "--format", "json").stdout)
    kinds = {(row["name"], row["kind"]) for row in rows}
    assert ("H800", "hardware") in kinds
    assert ("deepseek-v3", "scenario") in kinds


def test_presets_validate_shipped_presets(invoke):
    result = invoke("presets", "validate", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert all(row["valid"] for row in json.loads(result.stdout))


# ---------------------------------------------------------------------------
# Errors: exit code 2, one line on stderr naming the bad value, no traceback
# ---------------------------------------------------------------------------


def assert_one_line_error(result, *fragments):
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_unknown_gpu_suggests_the_closest(invoke):
    result = invoke("hardware", "show", "H8000")
    assert_one_line_error(result, "unknown GPU 'H8000'", "did you mean 'H800'?")


def test_unknown_scenario_suggests_the_closest(invoke):
    result = invoke("estimate", "deepseek-v4")
    assert_one_line_error(result, "unknown scenario 'deepseek-v4'", "did you mean 'deepseek-v3'?")


def test_unknown_option_is_one_line(invoke):
    result = invoke("hardware", "list", "--formatt", "json")
    assert_one_line_error(result, "--formatt")


def test_bad_format_value_is_one_line(invoke):
    result = invoke("hardware", "list", "--format", "yaml")
    assert_one_line_error(result, "yaml")


def test_invalid_preset_file_names_file_field_and_reason(invoke, tmp_path):
    path = copy_preset("hardware", "h800", tmp_path)
    path.write_text(path.read_text().replace('tdp_w = "700 W"', 'tdp_w = "700 USD"'))
    result = invoke("presets", "validate", str(path), "--format", "json")
    assert_one_line_error(result, str(path), "tdp_w", "expected a power")
    report = json.loads(result.stdout)
    assert report[0]["valid"] is False


def test_malformed_toml_is_reported(invoke, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("basis = [\n")
    assert_one_line_error(invoke("presets", "validate", str(path)), "invalid TOML")


def test_debug_shows_the_traceback(invoke):
    result = invoke("--debug", "hardware", "show", "H8000")
    assert result.exit_code == 2
    assert "Traceback" in result.stderr
