"""Running `costcalc check`: which files to check, and collecting results and problems.

The comparison itself is pure (costcalc.check); this module reads the files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from costcalc.check import FileProblem, Outcome, exit_code, outcomes
from costcalc.errors import CostcalcError
from costcalc.model import estimate, hardware_for
from costcalc.presets import (
    build_explanation,
    build_scenario,
    packaged_dir,
    preset_kind,
    read_toml,
    scan,
    validate,
)
from costcalc.schema import Hardware, Scenario


@dataclass
class CheckRun:
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
    scenarios may use) or any folder of scenario files.
    """
    run = CheckRun()
    folders = [path for path in paths if path.is_dir()]
    files = [path for path in paths if not path.is_dir()]
    preset_folders = [f for f in folders if (f / "scenarios").is_dir() or (f / "hardware").is_dir()]
    catalog, problems = scan(preset_folders)
    wanted = [path.resolve() for path in paths] + [packaged_dir().resolve()]

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
        scenario = _read_one(path, catalog, run)
        if scenario is not None:
            targets.append((scenario, path))
    for scenario, path in targets:
        run.scenarios.append(scenario.name)
        try:
            result = estimate(scenario, hardware_for(scenario, catalog.hardware))
        except CostcalcError as error:
            run.problems.append(FileProblem(path, str(error)))
            continue
        run.results += outcomes(scenario, path, result)
    return run


def _read_one(path: Path, catalog: object, run: CheckRun) -> Scenario | None:
    """A scenario from a loose file; other preset kinds are only validated."""
    try:
        raw = read_toml(path)
        kind = preset_kind(raw)
        if kind == "scenarios":
            return build_scenario(path, raw, catalog)  # type: ignore[arg-type]
        if kind == "hardware":
            validate(Hardware, raw, path)
        elif kind == "explanations":
            build_explanation(path, raw, catalog)  # type: ignore[arg-type]
        else:
            run.problems.append(FileProblem(path, "not a costcalc preset"))
    except CostcalcError as error:
        run.problems.append(FileProblem(path, str(error)))
    return None
