"""`costcalc presets list|show|validate`: the preset files and the fields `--set` reaches."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc.render import Column, Report
from costcalc.schema import Scenario

if TYPE_CHECKING:
    pass


def presets_list_report(entries: Iterable[tuple[str, str, str, Path]]) -> Report:
    rows = [
        {"name": name, "kind": kind, "title": title, "file": str(path)}
        for name, kind, title, path in entries
    ]
    return Report(
        data=rows,
        columns=[
            Column("name", "Name"),
            Column("kind", "Kind"),
            Column("title", "Title"),
            Column("file", "File"),
        ],
        rows=rows,
        title="Presets",
        table_columns=("name", "kind", "title"),
    )


def validation_report(results: list[tuple[Path, str, str | None]]) -> Report:
    rows = [
        {"file": str(path), "kind": kind, "valid": error is None, "error": error or ""}
        for path, kind, error in results
    ]
    return Report(
        data=rows,
        columns=[
            Column("file", "File"),
            Column("kind", "Kind"),
            Column("valid", "Valid"),
            Column("error", "Error"),
        ],
        rows=rows,
        title="Preset validation",
    )


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    from costcalc.overrides import as_data

    data = as_data(scenario)
    data["uncertain"] = {
        path: dataclasses.asdict(spec) for path, spec in scenario.uncertain.items()
    }
    return data


def scenario_show_report(scenario: Scenario) -> Report:
    """Every settable field of a scenario with its current value (and range, if any)."""
    from costcalc.overrides import ALIASES, get_path, settable_paths

    rows = []
    for path in settable_paths(scenario):
        if path in ALIASES or path in _DESCRIPTIVE or _by_name(path):
            continue
        value = get_path(scenario, path)
        if value is None:
            continue
        spec = scenario.uncertain.get(path)
        rows.append(
            {
                "field": path,
                "value": value.value if hasattr(value, "value") else value,
                "low": spec.low if spec else None,
                "high": spec.high if spec else None,
                "source": spec.source if spec else "",
            }
        )
    return Report(
        data=scenario_data(scenario),
        columns=[
            Column("field", "Field"),
            Column("value", "Value", "number"),
            Column("low", "Low", "number"),
            Column("high", "High", "number"),
            Column("source", "Range source"),
        ],
        rows=rows,
        title=f"{scenario.name}: {scenario.title} ({scenario.basis.value} basis)",
        notes=[
            f"includes: {scenario.includes}",
            f"excludes: {scenario.excludes}",
            f"source: {scenario.source}",
        ],
    )


_DESCRIPTIVE = {"title", "description", "includes", "excludes"}


def _by_name(path: str) -> bool:
    """Paths that name a list item by name duplicate the positional ones; skip them."""
    parts = path.split(".")
    return any(
        previous in ("stages", "groups") and not part.isdigit()
        for previous, part in itertools.pairwise(parts)
    )
