"""The README tells the truth: its commands exist, its output is real, CI runs its tests.

`python -m tests.test_docs --update` rewrites the README's console blocks from the
current output.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.cli import app

from .conftest import PROJECT

README = PROJECT / "README.md"
BLOCK = re.compile(r"```console\n\$ (?P<command>costcalc[^\n]*)\n(?P<output>.*?)```", re.DOTALL)
TOUR_ENV = {"COLUMNS": "100", "TTY_COMPATIBLE": "1", "NO_COLOR": "1", "TERM": "xterm"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run_documented(command: str) -> str:
    """What a person sees on a 100-column terminal for one README command."""
    saved = {key: os.environ.get(key) for key in TOUR_ENV}
    os.environ.update(TOUR_ENV)
    try:
        result = CliRunner().invoke(app, shlex.split(command)[1:])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert result.exit_code == 0, f"{command}: {result.stderr}"
    plain = ANSI.sub("", result.stdout)
    return "\n".join(line.rstrip() for line in plain.splitlines()) + "\n"


def setup_commands() -> list[str]:
    """The shell commands in the first code block of the README."""
    first_block = README.read_text().split("```")[1]
    return [line for line in first_block.splitlines()[1:] if line.strip()]


def test_readme_starts_with_install_and_test_commands():
    install, test = setup_commands()[:2]
    assert install.startswith("pip install . && costcalc ")
    assert test.startswith('pip install ".[test]" && ')
    assert "pytest" in test


def test_ci_runs_the_readme_test_command():
    test_command = setup_commands()[1]
    assert test_command in (PROJECT / ".ci" / "run").read_text()


def test_every_command_is_in_the_readme():
    text = README.read_text()
    from typer.main import get_command

    root = get_command(app)
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        assert command.help, f"costcalc {name} has no help"
        assert f"costcalc {name}" in text, f"costcalc {name} is not in README.md"


@pytest.mark.parametrize(
    "match", list(BLOCK.finditer(README.read_text())), ids=lambda m: m["command"]
)
def test_readme_output_is_current(match):
    assert run_documented(match["command"]) == match["output"], (
        "README output is stale: run `python -m tests.test_docs --update`"
    )


def update() -> None:
    text = README.read_text()

    def replace(match: re.Match[str]) -> str:
        return f"```console\n$ {match['command']}\n{run_documented(match['command'])}```"

    README.write_text(BLOCK.sub(replace, text))


if __name__ == "__main__" and "--update" in sys.argv:
    os.environ.setdefault("COSTCALC_CACHE_DIR", str(Path.home() / ".cache" / "costcalc"))
    update()
