"""CI checks and data interchange: check, JUnit, schema, CSV/xlsx, --output, currencies."""

from __future__ import annotations

import csv
import io
import json
import os
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from costcalc.presets import SCHEMA_KINDS, json_schema

from .conftest import PRESETS, PROJECT, copy_preset
from .test_cli_basics import assert_one_line_error

# ---------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------


def test_check_passes_on_the_shipped_presets(invoke):
    result = invoke("check", "--format", "json")
    assert result.exit_code == 0, result.stdout
    data = json.loads(result.stdout)
    assert data["summary"]["drifted"] == 0
    figures = {(row["scenario"], row["metric"]): row for row in data["results"]}
    assert figures[("deepseek-v3", "total")]["expected"] == pytest.approx(5.576e6)
    assert figures[("deepseek-r1", "total")]["expected"] == pytest.approx(294e3)


def _drifted_copy(tmp_path: Path) -> Path:
    """deepseek-r1 with its recorded total edited out of tolerance."""
    path = copy_preset("scenarios", "deepseek-r1", tmp_path, as_name="r1-edited")
    text = path.read_text()
    assert 'value = "294K"' in text
    path.write_text(text.replace('value = "294K"', 'value = "300K"  # edited', 1))
    return path


def test_a_figure_out_of_tolerance_exits_1_naming_scenario_and_field(invoke, tmp_path):
    path = _drifted_copy(tmp_path)
    result = invoke("check", str(path), "--format", "csv")
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    drifted = [row for row in rows if row["status"] == "DRIFT"]
    assert [(row["scenario"], row["metric"]) for row in drifted] == [("r1-edited", "total")]
    assert float(drifted[0]["expected"]) == 300e3
    assert float(drifted[0]["actual"]) == pytest.approx(294e3)
    assert float(drifted[0]["deviation"]) == pytest.approx(-0.02)


def test_an_invalid_file_exits_2(invoke, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('title = "x"\nbasis = "rental"\n[run]\ngpu = "H800"\nstages = []\n')
    result = invoke("check", str(path), "--format", "json")
    assert result.exit_code == 2
    assert "at least one stage" in json.loads(result.stdout)["invalid"][0]["error"]


def test_junit_xml_has_one_test_case_per_scenario(invoke, tmp_path):
    path = _drifted_copy(tmp_path)
    junit = tmp_path / "out" / "check.xml"
    junit.parent.mkdir()
    result = invoke("check", str(path), "--junit", str(junit), "--format", "json")
    assert result.exit_code == 1
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    # The file given, plus the packaged scenarios, which still hold.
    assert set(cases) == {
        "r1-edited",
        "deepseek-r1",
        "deepseek-v3",
        "deepseek-fleet",
        "deepseek-rnd",
        "deepseek-v3-owned",
        "llama-2-70b",
        "llama-3.1-405b",
    }
    failure = cases["r1-edited"].find("failure")
    assert failure is not None and "total: expected 300000" in (failure.text or "")
    assert suite.get("failures") == "1"


def test_junit_for_all_presets_lists_every_scenario(invoke, tmp_path):
    junit = tmp_path / "check.xml"
    assert invoke("check", "--junit", str(junit), "--format", "json").exit_code == 0
    names = {case.get("name") for case in ElementTree.parse(junit).getroot().iter("testcase")}
    assert {"deepseek-v3", "deepseek-r1", "deepseek-fleet"} <= names


def test_update_rewrites_values_and_keeps_comments(invoke, tmp_path):
    path = _drifted_copy(tmp_path)
    result = invoke("check", str(path), "--update", "--yes", "--format", "json")
    assert result.exit_code == 0, result.stderr
    text = path.read_text()
    assert "# edited" in text  # the comment on the rewritten line survives
    assert "# DeepSeek-R1's reasoning training" in text
    assert "value = 294000" in text
    assert invoke("check", str(path), "--format", "json").exit_code == 0


def test_update_without_a_terminal_needs_yes(invoke, tmp_path):
    path = _drifted_copy(tmp_path)
    before = path.read_text()
    assert_one_line_error(invoke("check", str(path), "--update"), "--yes")
    assert path.read_text() == before


# ---------------------------------------------------------------------------
# schema
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_shipped_schema_files_are_current(kind):
    shipped = json.loads((PRESETS / "schema" / f"{kind}.schema.json").read_text())
    assert shipped == json_schema(kind), (
        f"regenerate: costcalc schema {kind} > presets/schema/{kind}.schema.json"
    )


def test_schema_command_prints_json_schema(invoke):
    schema = json.loads(invoke("schema", "hardware").stdout)
    assert schema["additionalProperties"] is False
    assert "tdp_w" in schema["required"]
    scenario = json.loads(invoke("schema", "scenario").stdout)
    assert "name" not in scenario["else"]["required"]  # taken from the file name
    assert "basis" in scenario["else"]["required"]  # unless the file extends another


@pytest.mark.parametrize("folder", ["hardware", "scenarios", "explanations", "runs"])
def test_shipped_presets_point_editors_at_their_schema(folder):
    for path in (PRESETS / folder).glob("*.toml"):
        first = path.read_text().splitlines()[0]
        assert first.startswith("#:schema ../schema/"), path
        assert (path.parent / first.split()[1]).is_file()


SCHEMA_FILES = sorted(
    path
    for root in (PRESETS, PROJECT / "examples")
    for path in root.rglob("*.toml")
    if path.read_text().startswith("#:schema ")
)


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda path: path.name)
def test_every_preset_and_example_passes_the_schema_editors_will_use(path):
    """What an editor shows must agree with costcalc: no false alarms on shipped files."""
    import tomllib

    jsonschema = pytest.importorskip("jsonschema")
    schema_path = path.parent / path.read_text().splitlines()[0].split()[1]
    document = json.loads(json.dumps(tomllib.loads(path.read_text()), default=str))
    jsonschema.validate(document, json.loads(schema_path.read_text()))


def test_the_schema_flags_what_costcalc_rejects():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema("scenario")
    with pytest.raises(jsonschema.ValidationError, match="basis"):
        jsonschema.validate({"title": "no basis, no extends"}, schema)
    with pytest.raises(jsonschema.ValidationError, match="Additional properties"):
        jsonschema.validate({"extends": "deepseek-v3", "titel": "typo"}, schema)


# ---------------------------------------------------------------------------
# Stable interchange
# ---------------------------------------------------------------------------


def test_csv_round_trips_with_numeric_columns(invoke):
    rows = list(
        csv.DictReader(io.StringIO(invoke("estimate", "deepseek-fleet", "--format", "csv").stdout))
    )
    assert list(rows[0]) == ["scenario", "category", "name", "amount_usd", "basis", "source"]
    amounts = [float(row["amount_usd"]) for row in rows]
    assert sum(amounts) == pytest.approx(
        json.loads(invoke("estimate", "deepseek-fleet", "--format", "json").stdout)["total"]
    )


def test_output_file_is_written_and_format_follows_the_extension(invoke, tmp_path):
    for name in ("out.csv", "out.tsv", "out.json", "out.md"):
        target = tmp_path / name
        result = invoke("estimate", "deepseek-v3", "--output", str(target))
        assert result.exit_code == 0, result.stderr
        assert result.stdout == ""
    assert json.loads((tmp_path / "out.json").read_text())["total"] == pytest.approx(5.576e6)
    assert (tmp_path / "out.tsv").read_text().startswith("scenario\tcategory")
    assert (tmp_path / "out.md").read_text().startswith("### deepseek-v3")


def test_an_output_file_gets_the_umask_permissions_not_owner_only(invoke, tmp_path):
    import os

    previous = os.umask(0o022)
    try:
        target = tmp_path / "v3.csv"
        assert invoke("estimate", "deepseek-v3", "--output", str(target)).exit_code == 0
        assert target.stat().st_mode & 0o777 == 0o644
        target.chmod(0o664)  # a replaced file keeps its own permissions
        assert invoke("estimate", "deepseek-v3", "--output", str(target)).exit_code == 0
        assert target.stat().st_mode & 0o777 == 0o664
    finally:
        os.umask(previous)


def test_xlsx_opens_with_openpyxl(invoke, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "v3.xlsx"
    result = invoke("estimate", "deepseek-v3", "--output", str(target))
    assert result.exit_code == 0, result.stderr
    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames == ["breakdown", "assumptions", "notes"]
    rows = list(workbook["breakdown"].values)
    assert rows[0][:4] == ("scenario", "category", "name", "amount_usd")
    assert sum(row[3] for row in rows[1:]) == pytest.approx(5.576e6)
    fields = {row[0]: row[1] for row in workbook["assumptions"].values}
    assert fields["run.price_usd_per_gpu_hour"] == 2


def test_xlsx_needs_an_output_file(invoke):
    assert_one_line_error(invoke("estimate", "deepseek-v3", "--format", "xlsx"), "--output")


def test_a_write_that_fails_half_way_leaves_no_file(invoke, tmp_path, monkeypatch):
    from costcalc import render

    target = tmp_path / "sweep.csv"
    target.write_text("the previous version\n")

    def failing_rows(chunks):
        for number, chunk in enumerate(chunks):
            if number == 1:
                raise OSError(28, "No space left on device")
            yield chunk

    original = render.write_delimited

    def write_then_fail(report, stream, delimiter):
        report.chunks = failing_rows(report.chunks)
        original(report, stream, delimiter)

    monkeypatch.setattr(render, "write_delimited", write_then_fail)
    result = invoke("sweep", "deepseek-v3", "--vary", "price=1:30:0.0001", "--output", str(target))
    assert result.exit_code != 0
    assert target.read_text() == "the previous version\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.csv"]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--output", "out.foo"], ["cannot tell the format", ".csv"]),
        (["--output", "/no/such/folder/out.csv"], ["does not exist"]),
    ],
)
def test_bad_output_paths(invoke, args, fragments):
    assert_one_line_error(invoke("estimate", "deepseek-v3", *args), *fragments)


def test_output_into_a_directory(invoke, tmp_path):
    assert_one_line_error(
        invoke("estimate", "deepseek-v3", "--output", str(tmp_path)), "is a directory"
    )


# ---------------------------------------------------------------------------
# Currencies
# ---------------------------------------------------------------------------


def test_idr_reproduces_the_articles_rupiah_figure(invoke):
    # The seed article: "Rp4,87 miliar (setara dengan USD294 ribu)".
    data = json.loads(
        invoke("estimate", "deepseek-r1", "--currency", "IDR", "--format", "json").stdout
    )
    assert data["currency"] == "IDR"
    assert data["total"] == pytest.approx(4.87e9, rel=0.001)
    table = invoke(
        "estimate", "deepseek-r1", "--currency", "IDR", "--locale", "id_ID", "--format", "table"
    )
    assert "Rp4,87\xa0M" in table.stdout or "Rp4,87 M" in table.stdout


def test_csv_names_the_currency_and_keeps_raw_numbers(invoke):
    result = invoke("estimate", "deepseek-v3", "--currency", "CNY", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert "amount_cny" in rows[0] and "amount_usd" not in rows[0]
    assert sum(float(row["amount_cny"]) for row in rows) == pytest.approx(5.576e6 * 7.2790)


def test_fx_overrides_a_rate(invoke):
    data = json.loads(
        invoke(
            "estimate", "deepseek-r1", "--currency", "IDR", "--fx", "IDR=16500", "--format", "json"
        ).stdout
    )
    assert data["total"] == pytest.approx(294e3 * 16500)


def test_every_money_command_converts(invoke):
    sweep = list(
        csv.DictReader(
            io.StringIO(
                invoke(
                    "sweep",
                    "deepseek-r1",
                    "--vary",
                    "price=2",
                    "--currency",
                    "IDR",
                    "--format",
                    "csv",
                ).stdout
            )
        )
    )
    assert float(sweep[0]["total_idr"]) == pytest.approx(294e3 * 16564.6)
    explain = json.loads(invoke("explain", "--currency", "IDR", "--format", "json").stdout)
    assert explain["currency"] == "IDR"
    assert explain["layers"][0]["amount"] == pytest.approx(294e3 * 16564.6)
    compare = json.loads(
        invoke(
            "compare",
            "deepseek-r1",
            "--gpu",
            "H800",
            "--currency",
            "EUR",
            "--fx",
            "EUR=0.9",
            "--format",
            "json",
        ).stdout
    )
    assert compare["chips"][0]["cost_eur"] == pytest.approx(147e3 * 3.42 * 0.9)


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--currency", "XYZ"], ["'XYZ' is not an ISO 4217 currency code"]),
        (["--currency", "CHF"], ["unknown currency 'CHF'"]),
        (["--fx", "IDR=-3", "--currency", "IDR"], ["--fx"]),
        (["--fx", "rupiah", "--currency", "IDR"], ["expected CODE=RATE"]),
        (["--locale", "xx_YY"], ["unknown locale 'xx_YY'"]),
    ],
)
def test_bad_currency_input(invoke, args, fragments):
    assert_one_line_error(invoke("estimate", "deepseek-r1", *args), *fragments)


def test_a_converted_rate_is_used_both_ways():
    from costcalc.fx import resolve_rate

    rate = resolve_rate("IDR")
    assert 4.87e9 / rate.per_usd == pytest.approx(294e3, rel=1e-4)
    assert rate.date and rate.source


# ---------------------------------------------------------------------------
# Examples
# ---------------------------------------------------------------------------

EXAMPLES = PRESETS.parent / "examples"


@pytest.mark.parametrize(
    "path", sorted((EXAMPLES / "presets" / "scenarios").glob("*.toml")), ids=lambda p: p.name
)
def test_every_example_scenario_estimates(invoke, path):
    result = invoke("estimate", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["total"] > 0


def test_the_example_presets_pass_check(invoke):
    assert invoke("check", str(EXAMPLES / "presets"), "--format", "json").exit_code == 0


def test_the_workflow_runs_check_on_the_example_presets(invoke, tmp_path):
    workflow = (EXAMPLES / "github-actions.yml").read_text()
    command = next(
        line.split("run: ", 1)[1] for line in workflow.splitlines() if "run: costcalc check" in line
    )
    args = command.split()[1:]
    args[args.index("--junit") + 1] = str(tmp_path / "check.xml")
    result = invoke(
        *[str(PRESETS.parent / arg) if arg == "examples/presets" else arg for arg in args]
    )
    assert result.exit_code == 0, result.stdout
    assert ElementTree.parse(tmp_path / "check.xml").getroot().tag == "testsuites"


def test_the_spreadsheet_example_writes_a_csv(tmp_path):
    import subprocess
    import sys

    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    target = tmp_path / "sweep.csv"
    subprocess.run(
        ["bash", str(EXAMPLES / "sweep-to-spreadsheet.sh"), str(target)],
        check=True,
        env=env,
        cwd=tmp_path,
    )
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert len(rows) == 3 * 7 * 6
    assert all(float(row["total_usd"]) > 0 for row in rows)
