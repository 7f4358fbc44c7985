"""A battery of bad inputs: every one exits 2 with one line naming the problem.

Each case runs with `--output` where the command writes data, and no output file may
be left behind: nothing is written half-way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import PRESETS

HARDWARE = (PRESETS / "hardware" / "h800.toml").read_text()
R1 = (PRESETS / "scenarios" / "deepseek-r1.toml").read_text()

Case = tuple[str, Callable[[Path], list[str]], str]


def scenario_file(content: str | bytes, name: str = "bad.toml") -> Callable[[Path], list[str]]:
    """A scenario file with `content`, estimated with --output."""

    def build(folder: Path) -> list[str]:
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return ["estimate", str(path)]

    return build


def hardware_file(old: str, new: str) -> Callable[[Path], list[str]]:
    """The H800 preset with one edit, checked with `presets validate`."""

    def build(folder: Path) -> list[str]:
        assert old in HARDWARE, old
        path = folder / "gpu.toml"
        path.write_text(HARDWARE.replace(old, new, 1))
        return ["presets", "validate", str(path)]

    return build


def r1_edit(old: str, new: str) -> Callable[[Path], list[str]]:
    """The R1 scenario with one edit, estimated."""
    assert old in R1, old
    return scenario_file(R1.replace(old, new, 1))


def cli(*args: str) -> Callable[[Path], list[str]]:
    return lambda folder: list(args)


MINIMAL = 'title = "t"\nbasis = "rental"\n[run]\ngpu = "H800"\n[[run.stages]]\nname = "s"\n'

CASES: list[Case] = [
    # names
    ("unknown scenario", cli("estimate", "deepseek-v4"), "did you mean 'deepseek-v3'"),
    (
        "unknown GPU flag",
        cli("estimate", "--gpu", "H8000", "--gpu-hours", "10"),
        "did you mean 'H800'",
    ),
    ("unknown GPU show", cli("hardware", "show", "nope"), "unknown GPU 'nope'"),
    ("unknown explanation", cli("explain", "deepsek"), "did you mean 'deepseek'"),
    ("unknown field path", cli("estimate", "deepseek-v3", "--set", "run.prise=3"), "did you mean"),
    ("unknown sweep axis", cli("sweep", "deepseek-v3", "--vary", "foo=1"), "unknown field 'foo'"),
    ("unknown compare GPU", cli("compare", "deepseek-v3", "--gpu", "H8000"), "unknown GPU 'H8000'"),
    ("unknown currency", cli("estimate", "deepseek-r1", "--currency", "XYZ"), "'XYZ'"),
    ("unknown locale", cli("estimate", "deepseek-r1", "--locale", "zz_ZZ"), "unknown locale"),
    ("unknown schema kind", cli("schema", "gpu"), "unknown schema 'gpu'"),
    # units
    ("price in watts", cli("estimate", "deepseek-v3", "--price", "700 W"), "'700 W'"),
    (
        "days in dollars",
        cli("estimate", "--gpu", "H800", "--gpus", "8", "--days", "3 USD"),
        "'3 USD'",
    ),
    ("unknown unit", cli("estimate", "deepseek-v3", "--price", "2 bananas/hour"), "bananas"),
    (
        "bad count suffix",
        cli("estimate", "--gpu", "H800", "--params", "7B", "--tokens", "14.8Q"),
        "14.8Q",
    ),
    ("sweep value unit", cli("sweep", "deepseek-v3", "--vary", "price=2 W"), "'2 W'"),
    # impossible numbers
    ("negative price", cli("estimate", "deepseek-v3", "--price", "-2 USD/hour"), "greater than 0"),
    ("zero price", cli("estimate", "deepseek-v3", "--price", "0"), "greater than 0"),
    ("zero GPUs", cli("estimate", "--gpu", "H800", "--gpus", "0", "--days", "3"), "greater than 0"),
    (
        "negative GPUs",
        cli("estimate", "--gpu", "H800", "--gpus", "-5", "--days", "3"),
        "greater than 0",
    ),
    ("fractional GPUs", cli("estimate", "--gpu", "H800", "--gpus", "2.5", "--days", "3"), "--gpus"),
    ("NaN GPU-hours", cli("estimate", "--gpu", "H800", "--gpu-hours", "nan"), "'nan'"),
    ("infinite GPU-hours", cli("estimate", "--gpu", "H800", "--gpu-hours", "inf"), "'inf'"),
    ("overflowing GPU-hours", cli("estimate", "--gpu", "H800", "--gpu-hours", "1e400"), "finite"),
    ("absurd count", cli("estimate", "--gpu", "H800", "--gpu-hours", "9e999T"), "finite"),
    ("zero MFU", cli("estimate", "deepseek-v3", "--mfu", "0"), "greater than 0"),
    ("MFU above one", cli("estimate", "deepseek-v3", "--mfu", "1.5"), "at most 1"),
    ("MFU NaN", cli("estimate", "deepseek-v3", "--mfu", "nan"), "nan"),
    (
        "active above total",
        cli(
            "estimate",
            "--gpu",
            "H800",
            "--params",
            "7B",
            "--active-params",
            "37B",
            "--tokens",
            "1T",
        ),
        "cannot exceed",
    ),
    ("zero draws", cli("estimate", "deepseek-v3", "--uncertainty", "0"), "at least 1"),
    ("spread of two", cli("sensitivity", "deepseek-v3", "--spread", "2"), "--spread"),
    (
        "inverted range",
        cli("estimate", "deepseek-v3", "--set", "price={low=3,high=1}"),
        "low must not exceed high",
    ),
    ("inverted sweep", cli("sweep", "deepseek-v3", "--vary", "price=3:1:0.5"), "below start"),
    (
        "zero step",
        cli("sweep", "deepseek-v3", "--vary", "price=1:3:0"),
        "step must be greater than 0",
    ),
    ("negative fx", cli("estimate", "deepseek-r1", "--currency", "IDR", "--fx", "IDR=-1"), "--fx"),
    # conflicting or missing flags
    (
        "hours and days",
        cli("estimate", "--gpu", "H800", "--gpu-hours", "1000", "--days", "3"),
        "exactly one of",
    ),
    ("days without GPUs", cli("estimate", "--gpu", "H800", "--days", "3"), "--days needs --gpus"),
    (
        "tokens without params",
        cli("estimate", "--gpu", "H800", "--tokens", "1T"),
        "--tokens needs --params",
    ),
    ("no size at all", cli("estimate", "--gpu", "H800"), "exactly one of"),
    ("nothing to estimate", cli("estimate"), "give a scenario"),
    (
        "precision the chip lacks",
        cli("estimate", "llama-2-70b", "--precision", "fp8"),
        "A100 has no fp8 peak",
    ),
    ("unknown precision", cli("estimate", "deepseek-v3", "--precision", "fp9"), "fp9"),
    ("set without value", cli("estimate", "deepseek-v3", "--set", "run.gpus"), "key.path=value"),
    ("compare without a run", cli("compare", "deepseek-fleet"), "has no run"),
    ("unknown option", cli("estimate", "deepseek-v3", "--prise", "3"), "--prise"),
    ("bad format", cli("estimate", "deepseek-v3", "--format", "yaml"), "yaml"),
    ("xlsx to stdout", cli("estimate", "deepseek-v3", "--format", "xlsx"), "--output"),
    # preset files
    ("empty file", scenario_file(""), "the file is empty"),
    ("binary junk", scenario_file(b"\x00\xff\xfe\x00 junk"), "not a text file"),
    ("invalid TOML", scenario_file('title = "unterminated\n'), "invalid TOML"),
    ("unknown key", r1_edit('precision = "fp8"', 'precission = "fp8"'), "did you mean 'precision'"),
    ("wrong type", r1_edit("gpus = 512", 'gpus = "many"'), "'many'"),
    (
        "missing field",
        r1_edit('title = "DeepSeek-R1 reasoning training"\n', ""),
        "title: missing required field",
    ),
    (
        "NaN in a file",
        r1_edit('price_usd_per_gpu_hour = "2 USD/hour"', "price_usd_per_gpu_hour = nan"),
        "finite",
    ),
    (
        "infinity in a file",
        r1_edit('price_usd_per_gpu_hour = "2 USD/hour"', "price_usd_per_gpu_hour = inf"),
        "finite",
    ),
    ("unknown GPU in a file", r1_edit('gpu = "H800"', 'gpu = "H900"'), "unknown GPU 'H900'"),
    ("stage without size", scenario_file(MINIMAL), "needs gpu_hours"),
    (
        "rental with a fleet",
        scenario_file(
            MINIMAL
            + "gpu_hours = 5\n[fleet]\nelectricity_usd_per_kwh = 0.1\n"
            + '[[fleet.groups]]\ngpu = "H800"\ncount = 8\n'
        ),
        "count the hardware twice",
    ),
    ("unknown metric", r1_edit('metric = "total"', 'metric = "totl"'), "unknown metric 'totl'"),
    (
        "extends unknown base",
        scenario_file('extends = "deepseek-v9"\ntitle = "t"\n'),
        "unknown scenario 'deepseek-v9'",
    ),
    (
        "unknown range key",
        r1_edit(
            'price_usd_per_gpu_hour = "2 USD/hour"',
            'price_usd_per_gpu_hour = { low = 1, high = 2, dist = "x" }',
        ),
        "dist",
    ),
    (
        "hardware in wrong unit",
        hardware_file('tdp_w = "700 W"', 'tdp_w = "700 USD"'),
        "expected a power",
    ),
    (
        "hardware source for no field",
        hardware_file("[sources]\n", '[sources]\nmystery = "x"\n'),
        "mystery",
    ),
    ("a directory as a scenario", lambda folder: ["estimate", str(folder) + "/"], "is a directory"),
    ("a missing scenario file", cli("estimate", "no/such/file.toml"), "no such file"),
    ("not a preset", scenario_file("answer = 42\n"), "not a costcalc preset"),
    (
        "a hardware file as a scenario",
        lambda folder: ["estimate", str(PRESETS / "hardware" / "h800.toml")],
        "is a hardware preset",
    ),
]


@pytest.mark.parametrize(("name", "build", "fragment"), CASES, ids=[case[0] for case in CASES])
def test_bad_input_exits_2_with_one_line(invoke, tmp_path, name, build, fragment):
    args = build(tmp_path)
    writes_data = args[0] in ("estimate", "sweep", "compare", "sensitivity", "explain")
    writes_data = writes_data and "xlsx" not in args  # that case is about --output missing
    target = tmp_path / "out" / "result.csv"
    target.parent.mkdir()
    result = invoke(*args, *(["--output", str(target)] if writes_data else []))
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.stderr
    assert not list(target.parent.iterdir()), "a failed command left an output file"


def test_the_battery_is_large_enough():
    assert len(CASES) >= 40


def test_an_unreadable_file(invoke, tmp_path, monkeypatch):
    path = tmp_path / "locked.toml"
    path.write_text(R1)
    original = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied")
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    result = invoke("estimate", str(path))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {path}: cannot read: Permission denied"


def test_an_extends_cycle(invoke, user_presets):
    (user_presets / "scenarios" / "a.toml").write_text('extends = "b"\ntitle = "a"\n')
    (user_presets / "scenarios" / "b.toml").write_text('extends = "a"\ntitle = "b"\n')
    result = invoke("presets", "validate", str(user_presets / "scenarios" / "a.toml"))
    assert result.exit_code == 2
    assert "extends itself" in result.stderr


def test_check_reports_invalid_files_with_exit_2(invoke, tmp_path):
    (tmp_path / "bad.toml").write_text("basis = [\n")
    result = invoke("check", str(tmp_path / "bad.toml"), "--format", "json")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: invalid preset file")
    assert len(result.stderr.strip().splitlines()) == 1
