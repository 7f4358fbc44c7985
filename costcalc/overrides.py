"""Changing one field of a scenario by its dotted path, as `--set key.path=value` does.

Paths follow the TOML file: `run.price_usd_per_gpu_hour`, `fleet.utilization`. Items
of a list are named by position or by name: `run.stages.0.gpu_hours` and
`run.stages.pre-training.gpu_hours` are the same field, as are `fleet.groups.2.count`
and `fleet.groups.H800.count`. A few short aliases (`price`, `mfu`, `gpu`) name the
fields analysts change most.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any

from costcalc.errors import InputError, PresetError, UnknownName
from costcalc.schema import Scenario, dataclass_in

if TYPE_CHECKING:
    from costcalc.presets import Catalog

ALIASES = {
    "price": "run.price_usd_per_gpu_hour",
    "mfu": "run.mfu",
    "gpu": "run.gpu",
    "gpus": "run.gpus",
    "precision": "run.precision",
    "params": "run.params",
    "active_params": "run.active_params",
    "tokens": "run.stages.0.tokens",  # the first stage: pre-training, or an ad-hoc run's only one
    "pue": "run.pue",
    "utilization": "fleet.utilization",
    "life": "fleet.life_years",
    "electricity": "fleet.electricity_usd_per_kwh",
    "staff": "rnd.staff",
    "salary": "rnd.staff_usd_per_year",
}
# In a scenario with a fleet and no R&D section, staff and salary are the fleet's.
_FLEET_STAFF = {
    "rnd.staff": "fleet.ops_staff",
    "rnd.staff_usd_per_year": "fleet.ops_usd_per_person_year",
}


def alias_targets(scenario: Scenario, name: str) -> list[str]:
    """Every field a `--set` of `name` writes, the one that costs money first.

    A short name usually means one field. In a scenario with a fleet, `pue` means the
    fleet's PUE (which prices its power) and the run's too (a run on the fleet draws
    power at it); `staff` and `salary` mean the fleet's operations staff when there is
    no R&D section.
    """
    path = ALIASES.get(name, name)
    if name not in ALIASES or scenario.fleet is None:
        return [path]
    if path == "run.pue":
        return ["fleet.pue", *(["run.pue"] if scenario.run is not None else [])]
    if path in _FLEET_STAFF and scenario.rnd is None:
        return [_FLEET_STAFF[path]]
    return [path]


def expand_alias(scenario: Scenario, name: str) -> str:
    """The one field a short name stands for where only one can be named (a sweep axis,
    a field's bounds): the first of its `alias_targets`."""
    return alias_targets(scenario, name)[0]


# Fields that identify or document a scenario rather than feed the model.
_NOT_SETTABLE = {"name", "extends", "expected", "uncertain", "sources", "source"}


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split 'key.path=value' into its path and its (still unparsed) value.

    A value in braces is a TOML inline table, which is how a range is given:
    `price={ low = "1.5 USD/hour", high = "3 USD/hour" }`.
    """
    path, sep, value = text.partition("=")
    path, value = path.strip(), value.strip()
    if not sep or not path or not value:
        raise InputError(f"expected key.path=value, got {text!r}")
    if value.startswith("{"):
        import tomllib

        try:
            return path, tomllib.loads(f"value = {value}")["value"]
        except tomllib.TOMLDecodeError as error:
            raise InputError(f"{path}: not a TOML inline table: {value!r} ({error})") from None
    return path, value


def is_range(value: Any) -> bool:
    """Whether an override value is a range table ({low, high, ...}) rather than a value."""
    return isinstance(value, dict) and "low" in value and "high" in value


def field_marker(scenario: Scenario, path: str) -> Any:
    """The unit/bounds marker (`Quantity`, `Count`, `Number`) of a numeric field, or None."""
    from costcalc.schema import Number

    keys = resolve_path(scenario, path)
    current: Any = type(scenario)
    annotation: Any = None
    for key in keys:
        if isinstance(key, int):
            continue
        annotation = typing.get_type_hints(current, include_extras=True)[key]
        current = dataclass_in(annotation)
    return next((meta for meta in _metadata(annotation) if isinstance(meta, Number)), None)


def _metadata(annotation: Any) -> list[Any]:
    found = list(getattr(annotation, "__metadata__", ()))
    for argument in typing.get_args(annotation):
        found.extend(_metadata(argument))
    return found


def named_path(scenario: Scenario, path: str) -> str:
    """The path with list positions replaced by item names: fleet.groups.H20.count."""
    keys = resolve_path(scenario, path)
    parts: list[str] = []
    node: Any = scenario
    for key in keys:
        if isinstance(key, int):
            node = node[key] if node is not None else None
            parts.append(_item_name(node) or str(key) if node is not None else str(key))
        else:
            node = getattr(node, key, None) if node is not None else None
            parts.append(key)
    return ".".join(parts)


def settable_paths(scenario: Scenario) -> list[str]:
    """Every path `--set` accepts on this scenario (aliases included)."""
    paths = [*_paths_of(type(scenario), scenario, ""), *ALIASES]
    return sorted(set(paths))


def _paths_of(cls: type, instance: Any, prefix: str) -> list[str]:
    paths: list[str] = []
    for name, annotation in _hints(cls).items():
        if name in _NOT_SETTABLE:
            continue
        path = f"{prefix}{name}"
        value = getattr(instance, name, None) if instance is not None else None
        child = dataclass_in(annotation)
        if child is None:
            paths.append(path)
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                for key in (str(index), _item_name(item)):
                    paths.extend(_paths_of(child, item, f"{path}.{key}."))
        elif typing.get_origin(annotation) is not tuple:
            paths.extend(_paths_of(child, value, f"{path}."))
    return paths


def resolve_path(scenario: Scenario, path: str) -> tuple[str | int, ...]:
    """The canonical key sequence of a leaf field (names of list items become positions).

    Raises:
        UnknownName: the path does not name a settable field of this scenario.
    """
    full_path = expand_alias(scenario, path)
    keys: list[str | int] = []
    current_cls: Any = type(scenario)
    current: Any = scenario
    for part in full_path.split("."):
        if isinstance(current, tuple):
            index = _index_of(current, part)
            if index is None:
                raise UnknownName("field", path, settable_paths(scenario))
            keys.append(index)
            current = current[index]
            continue
        hints = _hints(current_cls) if current_cls is not None else {}
        if part not in hints or part in _NOT_SETTABLE:
            raise UnknownName("field", path, settable_paths(scenario))
        keys.append(part)
        current_cls = dataclass_in(hints[part])
        current = getattr(current, part, None) if current is not None else None
    if current_cls is not None or isinstance(current, tuple):
        raise UnknownName("field", path, settable_paths(scenario))
    return tuple(keys)


def get_path(scenario: Any, path: str) -> Any:
    """The value at a path (None where an optional section is absent)."""
    current = scenario
    for key in resolve_path(scenario, path):
        if current is None:
            return None
        current = current[key] if isinstance(key, int) else getattr(current, key)
    return current


def replace_path(scenario: Scenario, path: str, value: Any) -> Scenario:
    """A copy with one field replaced, without validation.

    This is how sweeps put numpy arrays into a scenario: the value must already be
    parsed and checked (see `apply_overrides`).
    """
    return typing.cast(Scenario, _replace(scenario, resolve_path(scenario, path), value))


def _replace(node: Any, keys: tuple[str | int, ...], value: Any) -> Any:
    if not keys:
        return value
    key, rest = keys[0], keys[1:]
    if isinstance(key, int):
        items = list(node)
        items[key] = _replace(items[key], rest, value)
        return tuple(items)
    if node is None:
        raise InputError(f"cannot set {'.'.join(map(str, keys))}: its section is absent")
    return dataclasses.replace(node, **{key: _replace(getattr(node, key), rest, value)})


def apply_overrides(
    scenario: Scenario, overrides: Mapping[str, Any], catalog: Catalog | None = None
) -> Scenario:
    """A validated copy of the scenario with each `path: value` applied.

    Values may be strings with units ("3 USD/hour"), counts ("2,048") or numbers.

    Raises:
        UnknownName: a path that does not exist (with the nearest valid one).
        InputError: a value that is invalid for its field.
    """
    from costcalc.presets import validate

    if not overrides:
        return scenario
    data = as_data(scenario)
    for path, value in overrides.items():
        for target in alias_targets(scenario, path):
            _assign(data, resolve_path(scenario, target), value)
    described = ", ".join(f"{path}={value}" for path, value in overrides.items())
    try:
        updated = validate(Scenario, data, f"--set {described}")
    except PresetError as error:
        raise InputError(
            f"--set {described}: {error.field + ': ' if error.field else ''}{error.reason}"
        ) from None
    updated = dataclasses.replace(updated, uncertain=scenario.uncertain)
    if catalog is not None:
        from costcalc.presets import canonical_gpu_names

        updated = canonical_gpu_names(updated, catalog, "--set")
    return updated


def _assign(data: dict[str, Any], keys: tuple[str | int, ...], value: Any) -> None:
    node: Any = data
    for key in keys[:-1]:
        if isinstance(key, str) and node.get(key) is None:
            node[key] = {}
        node = node[key]
    node[keys[-1]] = value


def as_data(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data that validates back into an equal scenario."""

    def plain(value: Any) -> Any:
        if isinstance(value, Enum):
            return value.value
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [plain(item) for item in value]
        return value

    data = plain(dataclasses.asdict(scenario))
    data.pop("uncertain", None)
    return typing.cast(dict[str, Any], data)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls) if dataclasses.is_dataclass(cls) else {}


def _item_name(item: Any) -> str:
    return str(getattr(item, "name", None) or getattr(item, "gpu", ""))


def _index_of(items: tuple[Any, ...], part: str) -> int | None:
    from costcalc.presets import normalize

    if part.isdigit():
        return int(part) if int(part) < len(items) else None
    matches = [i for i, item in enumerate(items) if normalize(_item_name(item)) == normalize(part)]
    return matches[0] if len(matches) == 1 else None
