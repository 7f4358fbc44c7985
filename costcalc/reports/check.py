"""`costcalc check`: recorded figures against recomputed ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from costcalc.render import Column, Report

if TYPE_CHECKING:
    from costcalc.check import FileProblem, Outcome


def check_report(
    results: Sequence[Outcome], problems: Sequence[FileProblem], scenarios: Sequence[str]
) -> Report:
    from costcalc.check import summary

    rows: list[dict[str, Any]] = [
        {
            "scenario": outcome.scenario,
            "metric": outcome.metric,
            "expected": outcome.expected,
            "actual": outcome.actual,
            "unit": outcome.unit,
            "deviation": outcome.deviation,
            "rel_tolerance": outcome.rel_tolerance,
            "abs_tolerance": outcome.abs_tolerance,
            "status": "ok" if outcome.ok else "DRIFT",
            "published": outcome.published,
            "source": outcome.source,
            "file": str(outcome.path),
        }
        for outcome in results
    ]
    rows += [
        {"status": "INVALID", "file": str(problem.path), "source": problem.message}
        for problem in problems
    ]
    counts = summary(results, problems)
    unchecked = sorted(set(scenarios) - {outcome.scenario for outcome in results})
    notes = [
        f"{counts['held']} of {counts['figures']} figures within tolerance in "
        f"{len(scenarios)} scenarios; {counts['drifted']} drifted; "
        f"{counts['invalid_files']} invalid files."
    ]
    if unchecked:
        notes.append(f"No expected figures in: {', '.join(unchecked)}.")
    notes += [f"INVALID {problem.path}: {problem.message}" for problem in problems]
    return Report(
        data={
            "summary": dict(counts),
            "results": rows[: len(results)],
            "invalid": [{"file": str(p.path), "error": p.message} for p in problems],
            "unchecked": unchecked,
        },
        columns=[
            Column("scenario", "Scenario"),
            Column("metric", "Metric"),
            Column("expected", "Expected", "number"),
            Column("actual", "Actual", "number"),
            Column("unit", "Unit"),
            Column("deviation", "Deviation", "signed_percent"),
            Column("rel_tolerance", "Tolerance", "percent"),
            Column("abs_tolerance", "Abs. tolerance", "number"),
            Column("status", "Status"),
            Column("published", "Published"),
            Column("source", "Source"),
            Column("file", "File"),
        ],
        rows=rows,
        title="costcalc check: recomputed figures against the recorded ones",
        notes=notes,
        table_columns=(
            "scenario",
            "metric",
            "expected",
            "actual",
            "unit",
            "deviation",
            "rel_tolerance",
            "status",
        ),
    )
