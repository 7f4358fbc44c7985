"""The installed `costcalc` as a real process: entry point, pipes, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import costcalc_command


def run(*args: str, cwd=None, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*costcalc_command(), *args], capture_output=True, text=True, cwd=cwd, timeout=60, **kwargs
    )


def test_installed_command_runs_from_any_directory(tmp_path):
    result = run("hardware", "show", "h800", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["name"] == "H800"


def test_python_dash_m_entry_point(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "costcalc", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("costcalc ")


def test_bad_input_exits_2_with_one_line(tmp_path):
    result = run("hardware", "show", "H8000", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "Error: unknown GPU 'H8000'; did you mean 'H800'?"
    assert result.stdout == ""


def test_closed_pipe_ends_quietly():
    command = " ".join(f"'{part}'" for part in costcalc_command())
    pipeline = f"{command} hardware list --format csv | head -1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", pipeline], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.startswith("name,")
    assert result.stderr == ""
    assert result.returncode == 0  # with pipefail: costcalc itself exited 0


@pytest.mark.parametrize("args", [["hardware", "list"], ["explain", "deepseek"], ["check"]])
def test_closed_pipe_after_a_table_line_exits_0(args):
    command = " ".join(f"'{part}'" for part in [*costcalc_command(), *args])
    pipeline = f"{command} --format table | head -1"
    for _ in range(3):  # the pipe closes at a different moment each time
        result = subprocess.run(
            ["bash", "-o", "pipefail", "-c", pipeline], capture_output=True, text=True, timeout=60
        )
        assert (result.returncode, result.stderr) == (0, "")


def test_closed_pipe_mid_stream_exits_0():
    # The reader closes the pipe after a few bytes, long before a big sweep is written.
    sweep = ["sweep", "deepseek-v3", "--vary", "price=1:100:0.01", "-f", "csv"]
    with subprocess.Popen(
        [*costcalc_command(), *sweep], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(10)
        process.stdout.close()
        stderr = process.stderr.read()
        assert process.wait(timeout=60) == 0
    assert stderr == b""


def test_closed_pipe_on_a_long_output_ends_quietly():
    # Enough rows that the writer is still writing when `head` exits.
    command = " ".join(f"'{part}'" for part in costcalc_command())
    env = {**os.environ, "COLUMNS": "80"}
    pipeline = f"for i in 1 2 3; do {command} presets list --format tsv; done | head -1"
    result = subprocess.run(["bash", "-c", pipeline], capture_output=True, text=True, env=env)
    assert result.stderr == ""
