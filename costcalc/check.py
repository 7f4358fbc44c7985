"""Regression checks: recompute each scenario and compare it with the figures it records.

A scenario file's `[[expected]]` entries state published figures and a tolerance;
`check` says, for each, expected vs actual and whether it holds. CI runs it to catch a
preset or a model change that moves a figure. This module is pure (comparisons, JUnit
XML, summaries); `costcalc.checking` reads the files and rewrites recorded values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from costcalc.model import Estimate
from costcalc.schema import CATEGORIES, Expected, Scenario

UNITS: dict[str, str] = {
    "total": "USD",
    **dict.fromkeys(CATEGORIES, "USD"),
    "gpu_hours": "GPU-h",
    "flops": "FLOP",
    "wall_clock_days": "days",
    "energy_kwh": "kWh",
    "owned_cost_per_gpu_hour": "USD/GPU-h",
}


@dataclass(frozen=True)
class Outcome:
    """One recorded figure against the recomputed one."""

    scenario: str
    path: Path
    metric: str
    expected: float
    actual: float | None
    tolerance: str
    ok: bool
    rel_tolerance: float | None = None
    abs_tolerance: float | None = None
    published: str = ""
    source: str = ""

    @property
    def deviation(self) -> float | None:
        if self.actual is None or self.expected == 0:
            return None
        return (self.actual - self.expected) / abs(self.expected)

    @property
    def unit(self) -> str:
        return "USD" if self.metric.startswith("item:") else UNITS.get(self.metric, "")


@dataclass(frozen=True)
class FileProblem:
    """A file that could not be read or validated: exit code 2."""

    path: Path
    message: str


def within(expected: Expected, actual: float) -> bool:
    """Whether `actual` is within the stated absolute or relative tolerance."""
    difference = abs(actual - expected.value)
    if expected.abs_tolerance is not None and difference <= expected.abs_tolerance:
        return True
    return expected.rel_tolerance is not None and difference <= expected.rel_tolerance * abs(
        expected.value
    )


def describe_tolerance(expected: Expected) -> str:
    parts = []
    if expected.rel_tolerance is not None:
        parts.append(f"{expected.rel_tolerance:.2%}")
    if expected.abs_tolerance is not None:
        parts.append(f"{expected.abs_tolerance:g} abs")
    return " or ".join(parts)


def outcomes(scenario: Scenario, path: Path, result: Estimate) -> list[Outcome]:
    """Every expected figure of one scenario against its recomputed estimate."""
    found = []
    for expected in scenario.expected:
        try:
            value = result.metric(expected.metric)
        except KeyError:
            value = None
        actual = None if value is None else float(value)
        found.append(
            Outcome(
                scenario=scenario.name,
                path=path,
                metric=expected.metric,
                expected=expected.value,
                actual=actual,
                tolerance=describe_tolerance(expected),
                rel_tolerance=expected.rel_tolerance,
                abs_tolerance=expected.abs_tolerance,
                ok=actual is not None and within(expected, actual),
                published=expected.published,
                source=expected.source,
            )
        )
    return found


def exit_code(results: Sequence[Outcome], problems: Sequence[FileProblem]) -> int:
    """2 if a file is invalid, else 1 if a figure drifted, else 0."""
    if problems:
        return 2
    return 0 if all(outcome.ok for outcome in results) else 1


def junit_xml(
    results: Sequence[Outcome], problems: Sequence[FileProblem], scenarios: Iterable[str]
) -> str:
    """JUnit XML with one test case per scenario (and per invalid file)."""
    import xml.etree.ElementTree as ElementTree

    by_scenario: dict[str, list[Outcome]] = {name: [] for name in scenarios}
    for outcome in results:
        by_scenario.setdefault(outcome.scenario, []).append(outcome)
    failures = sum(1 for found in by_scenario.values() if any(not o.ok for o in found))
    suite = ElementTree.Element(
        "testsuite",
        name="costcalc check",
        tests=str(len(by_scenario) + len(problems)),
        failures=str(failures),
        errors=str(len(problems)),
        skipped=str(sum(1 for found in by_scenario.values() if not found)),
    )
    for name, found in by_scenario.items():
        case = ElementTree.SubElement(suite, "testcase", classname="costcalc.check", name=name)
        drifted = [outcome for outcome in found if not outcome.ok]
        if not found:
            ElementTree.SubElement(case, "skipped", message="no expected figures")
        elif drifted:
            failure = ElementTree.SubElement(
                case, "failure", message=f"{len(drifted)} of {len(found)} figures out of tolerance"
            )
            failure.text = "\n".join(_drift_line(outcome) for outcome in drifted)
    for problem in problems:
        case = ElementTree.SubElement(
            suite, "testcase", classname="costcalc.check", name=str(problem.path)
        )
        ElementTree.SubElement(case, "error", message=problem.message)
    root = ElementTree.Element("testsuites")
    root.append(suite)
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _drift_line(outcome: Outcome) -> str:
    actual = "n/a" if outcome.actual is None else f"{outcome.actual:.6g}"
    deviation = "" if outcome.deviation is None else f" ({outcome.deviation:+.2%})"
    return (
        f"{outcome.scenario}: {outcome.metric}: expected {outcome.expected:.6g} "
        f"{outcome.unit}, got {actual}{deviation}, tolerance {outcome.tolerance}"
    )


def summary(results: Sequence[Outcome], problems: Sequence[FileProblem]) -> Mapping[str, int]:
    return {
        "figures": len(results),
        "held": sum(outcome.ok for outcome in results),
        "drifted": sum(not outcome.ok for outcome in results),
        "invalid_files": len(problems),
    }
