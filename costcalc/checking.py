"""Running `costcalc check`: which files to check, collecting results and problems, and
rewriting recorded values with `--update`.

The comparison itself is pure (costcalc.check); this module reads and writes the files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from costcalc.check import FileProblem, Outcome, exit_code, outcomes
from costcalc.errors import CostcalcError
from costcalc.model import estimate, hardware_for
from costcalc.presets import (
    Catalog,
    build_scenario,
    packaged_dir,
    preset_folder_of,
    preset_kind,
    read_toml,
    scan,
    validate_file,
)
from costcalc.schema import Scenario


@dataclass
class CheckRun:
    """What one `check` found: every recorded figure's outcome, the files that could not
    be checked, and the scenarios looked at."""

    results: list[Outcome] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return exit_code(self.results, self.problems)

    @property
    def drifted(self) -> list[Outcome]:
        return [outcome for outcome in self.results if not outcome.ok]


def run_checks(paths: Sequence[Path]) -> CheckRun:
    """Check the packaged scenarios, plus those in `paths` (files or preset folders).

    A folder is a preset folder (with hardware/ and scenarios/, whose hardware the
    scenarios may use) or any folder of scenario files. The packaged scenarios are
    checked against the packaged presets, never against a given folder's hardware, and
    a file reached both ways is checked once.
    """
    run = CheckRun()
    seen: set[Path] = set()
    _check_into(run, [], seen)
    if paths:
        _check_into(run, paths, seen)
    unique: dict[Path, FileProblem] = {}
    for problem in run.problems:  # one problem per file, however the file was named
        unique.setdefault(problem.path.resolve(), problem)
    run.problems = list(unique.values())
    return run


def _check_into(run: CheckRun, paths: Sequence[Path], seen: set[Path]) -> None:
    """Check the scenarios in `paths` (the packaged ones when empty) not seen before."""
    folders = [path for path in paths if path.is_dir()]
    files = [path for path in paths if not path.is_dir()]
    preset_folders = [f for f in folders if (f / "scenarios").is_dir() or (f / "hardware").is_dir()]
    homes = [home for file in files for home in preset_folder_of(str(file))]  # a file's folder
    catalog, problems = scan([*preset_folders, *homes])
    wanted = [path.resolve() for path in paths] or [packaged_dir().resolve()]

    def relevant(path: Path) -> bool:
        resolved = path.resolve()
        return any(resolved == p or p in resolved.parents for p in wanted)

    run.problems += [
        FileProblem(Path(e.path.split(":")[0]), e.reason)
        for e in problems
        if relevant(Path(e.path.split(":")[0]))
    ]
    targets: list[tuple[Scenario, Path]] = [
        (scenario, catalog.files[f"scenario:{scenario.name}"])
        for scenario in catalog.scenario_presets.values()
        if relevant(catalog.files[f"scenario:{scenario.name}"])
    ]
    loose = files + [
        path
        for folder in folders
        if folder not in preset_folders
        for path in sorted(folder.rglob("*.toml"))
    ]
    for path in loose:
        if path.resolve() not in seen:
            scenario = _read_one(path, catalog, run)
            if scenario is None:
                seen.add(path.resolve())
            else:
                targets.append((scenario, path))
    for scenario, path in targets:
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        run.scenarios.append(scenario.name)
        try:
            result = estimate(scenario, hardware_for(catalog.hardware, scenario))
        except CostcalcError as error:
            run.problems.append(FileProblem(path, str(error)))
            continue
        run.results += outcomes(scenario, path, result)


def _read_one(path: Path, catalog: Catalog, run: CheckRun) -> Scenario | None:
    """A scenario from a loose file; files of other kinds are only validated."""
    try:
        raw = read_toml(path)
        if preset_kind(raw) == "scenarios":
            return build_scenario(path, raw, catalog)
    except CostcalcError as error:
        run.problems.append(FileProblem(path, str(error)))
        return None
    _, _, problem = validate_file(path)
    if problem:
        run.problems.append(FileProblem(path, problem))
    return None


def update_expected(drifted: Sequence[Outcome]) -> dict[Path, int]:
    """Rewrite each drifted figure's `value` in its file, keeping comments and layout.

    Returns the number of values rewritten per file. Each file is written atomically.
    """
    import tomlkit

    from costcalc.files import atomic_write

    by_file: dict[Path, list[Outcome]] = {}
    for outcome in drifted:
        if outcome.actual is not None:
            by_file.setdefault(outcome.path, []).append(outcome)
    written = {}
    for path, changes in by_file.items():
        document = tomlkit.parse(path.read_text(encoding="utf-8"))
        entries: Any = document.get("expected", [])
        count = 0
        for outcome in changes:
            for entry in entries:
                if entry.get("metric") == outcome.metric:
                    entry["value"] = _tidy(outcome.actual)
                    count += 1
        with atomic_write(path, flag="--update") as stream:
            stream.write(tomlkit.dumps(document))
        written[path] = count
    return written


def _tidy(value: float | None) -> float | int:
    """Whole numbers are written as integers: 5576000 rather than 5576000.0."""
    assert value is not None
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value
