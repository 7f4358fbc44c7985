"""Shared fixtures: a clean environment, a CLI runner, and a private preset cache."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.cli import app

PROJECT = Path(__file__).resolve().parent.parent
PRESETS = PROJECT / "presets"


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("costcalc-cache")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, session_cache: Path) -> None:
    """No test reads the developer's presets, cache or colour settings."""
    for name in ("COSTCALC_PRESETS_PATH", "COSTCALC_DEBUG", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COSTCALC_CACHE_DIR", str(session_cache))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("TERM", "unknown")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner: CliRunner):
    """Run the CLI in-process; returns click's Result (stdout and stderr kept apart)."""

    def run(*args: str):
        return runner.invoke(app, list(args))

    return run


@pytest.fixture
def user_presets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A user preset folder on COSTCALC_PRESETS_PATH, with hardware/ and scenarios/."""
    (tmp_path / "hardware").mkdir()
    (tmp_path / "scenarios").mkdir()
    monkeypatch.setenv("COSTCALC_PRESETS_PATH", str(tmp_path))
    yield tmp_path


def copy_preset(kind: str, name: str, destination: Path, as_name: str | None = None) -> Path:
    """Copy a shipped preset into `destination` (optionally renamed) for a test to edit."""
    target = destination / f"{as_name or name}.toml"
    shutil.copy(PRESETS / kind / f"{name}.toml", target)
    return target


def costcalc_command() -> list[str]:
    """The installed console script if it is on PATH, else `python -m costcalc`."""
    script = Path(sys.executable).with_name("costcalc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "costcalc"]
