"""Finding, reading and validating preset files, and looking presets up by name.

Presets live in TOML files: `hardware/*.toml` and `scenarios/*.toml` in the packaged
presets folder, plus any folders listed in $COSTCALC_PRESETS_PATH (which win on a
name clash). The validated catalog is cached (see `costcalc.cache`), so looking up a
packaged preset costs neither pint nor pydantic.
"""

from __future__ import annotations

import dataclasses
import os
import re
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from costcalc import __version__
from costcalc.cache import cached, fingerprint
from costcalc.errors import CostcalcError, PresetError, UnknownName, closest
from costcalc.schema import Hardware, Scenario, Uncertain, dataclass_in

if TYPE_CHECKING:
    from costcalc.reconcile import Explanation

T = TypeVar("T")
KINDS = ("hardware", "scenarios", "explanations")
_RANGE_KEYS = {"low", "high", "value", "distribution", "mode", "source"}


def packaged_dir() -> Path:
    """The shipped presets: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "presets"
    return installed if installed.is_dir() else here.parent / "presets"


def search_dirs(extra: Sequence[Path] = ()) -> list[Path]:
    """Preset folders in lookup order, lowest priority first."""
    configured = os.environ.get("COSTCALC_PRESETS_PATH", "")
    paths = [Path(part) for part in configured.split(os.pathsep) if part]
    return [packaged_dir(), *paths, *extra]


# ---------------------------------------------------------------------------
# Reading and validating one file
# ---------------------------------------------------------------------------


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning every way it can fail into a PresetError."""
    if path.is_dir():
        raise PresetError(path, "is a directory, expected a .toml file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PresetError(path, "no such file") from None
    except OSError as error:
        raise PresetError(path, f"cannot read: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PresetError(path, "not a text file (invalid UTF-8)") from None
    if not text.strip():
        raise PresetError(path, "the file is empty")
    import tomllib  # here, not at the top: a cached preset needs no TOML parser

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PresetError(path, f"invalid TOML: {error}") from None


def preset_kind(raw: Mapping[str, Any]) -> str:
    """Whether a parsed file is a hardware preset or a scenario, from its keys."""
    if "peak_tflops" in raw:
        return "hardware"
    if "basis" in raw or "extends" in raw:
        return "scenarios"
    if "layers" in raw:
        return "explanations"
    if "runs" in raw:
        return "runs"
    if "rates" in raw:
        return "fx"
    return "unknown"


@cache
def _adapter(cls: Any) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(cls)


def validate(cls: type[T], raw: Mapping[str, Any], path: Path | str) -> T:
    """Validate parsed TOML into `cls`, or raise a PresetError naming file, field and line."""
    from pydantic import ValidationError

    try:
        adapter = _adapter(typing.cast(Any, cls))  # a dataclass type is hashable
        return typing.cast(T, adapter.validate_python(raw))
    except ValidationError as error:
        raise _preset_error(cls, error, path) from None


def _preset_error(cls: type, error: Any, path: Path | str) -> PresetError:
    first = error.errors()[0]
    location = [str(part) for part in first["loc"]]
    field_path = ".".join(location)
    if first["type"] == "unexpected_keyword_argument":
        parent, key = location[:-1], location[-1]
        reason = f"unknown key {key!r}"
        suggestion = closest(key, _field_names(cls, parent))
        if suggestion:
            reason += f"; did you mean {suggestion!r}?"
    elif first["type"] in ("missing", "missing_argument"):
        reason = "missing required field"
    else:
        reason = str(first["msg"]).removeprefix("Value error, ")
    more = len(error.errors()) - 1
    if more:
        reason += f" (and {more} more problem{'s' if more > 1 else ''})"
    line = _line_of(path, location[-1]) if location else None
    where = f"{path}:{line}" if line else str(path)
    return PresetError(where, reason, field_path or None)


def _field_names(cls: type, location: list[str]) -> list[str]:
    """Field names of the dataclass found by walking `location` down from `cls`."""
    current: Any = cls
    for part in location:
        if part.isdigit():
            continue
        hints = typing.get_type_hints(current) if dataclasses.is_dataclass(current) else {}
        current = dataclass_in(hints.get(part))
        if current is None:
            return []
    return (
        [f.name for f in dataclasses.fields(current)] if dataclasses.is_dataclass(current) else []
    )


def _line_of(path: Path | str, key: str) -> int | None:
    """Best-effort line number of `key` in the file, for messages."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    pattern = re.compile(rf"^\s*(\[+\s*)?([\w.]*\.)?{re.escape(key)}\s*(=|\]|$)")
    return next((number for number, line in enumerate(lines, 1) if pattern.match(line)), None)


def extract_ranges(raw: Any, prefix: str = "") -> tuple[Any, dict[str, dict[str, Any]]]:
    """Split inline ranges out of a parsed scenario.

    `{ low = "1.5 USD/hour", high = "3 USD/hour" }` is replaced by its point value:
    `value` if given, else the mode, else (for now) `low`; the loader moves a point
    that was not given to the middle of the range once units are converted. The
    ranges are returned keyed by field path.
    """
    ranges: dict[str, dict[str, Any]] = {}
    if isinstance(raw, dict):
        if "low" in raw and "high" in raw:  # a range; unknown keys are reported later
            ranges[prefix] = dict(raw)
            return raw.get("value", raw.get("mode", raw["low"])), ranges
        result = {}
        for key, value in raw.items():
            result[key], inner = extract_ranges(value, f"{prefix}.{key}" if prefix else key)
            ranges.update(inner)
        return result, ranges
    if isinstance(raw, list):
        items = []
        for index, value in enumerate(raw):
            item, inner = extract_ranges(value, f"{prefix}.{index}")
            items.append(item)
            ranges.update(inner)
        return items, ranges
    return raw, ranges


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge two parsed TOML tables; `override` wins, arrays are replaced whole."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# ---------------------------------------------------------------------------
# The catalog: every preset, validated, looked up by forgiving names
# ---------------------------------------------------------------------------


def normalize(name: str) -> str:
    """Fold a name for lookup: case, spaces, hyphens and underscores do not matter."""
    return re.sub(r"[\s_\-]+", "", name.casefold())


@dataclass(frozen=True)
class Catalog:
    """All presets found on the search path, validated."""

    hardware_presets: dict[str, Hardware]
    scenario_presets: dict[str, Scenario]
    raw_scenarios: dict[str, dict[str, Any]]
    files: dict[str, Path]

    def hardware(self, name: str) -> Hardware:
        """A hardware preset by name or alias, case-insensitively ('h800', 'H800 SXM')."""
        wanted = normalize(name)
        for preset in self.hardware_presets.values():
            if wanted in {normalize(preset.name), *map(normalize, preset.aliases)}:
                return preset
        raise UnknownName("GPU", name, self.hardware_presets)

    def scenario(self, name_or_path: str) -> Scenario:
        """A scenario by preset name, or read from a .toml path."""
        path = Path(name_or_path)
        if name_or_path.endswith((".toml", "/")) or path.exists():
            return self.scenario_from_file(path)
        wanted = normalize(name_or_path)
        for name, scenario in self.scenario_presets.items():
            if normalize(name) == wanted:
                return scenario
        raise UnknownName("scenario", name_or_path, self.scenario_presets)

    def explanation(self, name: str) -> Explanation:
        """An explanation (a reconciliation of published figures) by name."""
        explanations = load_explanations(self)
        wanted = normalize(name)
        for known, explanation in explanations.items():
            if normalize(known) == wanted:
                return explanation
        raise UnknownName("explanation", name, explanations)

    def scenario_from_file(self, path: Path) -> Scenario:
        """Read, resolve and validate a scenario file that is not in the catalog."""
        raw = read_toml(path)
        kind = preset_kind(raw)
        if kind != "scenarios":
            what = (
                f"a {kind.removesuffix('s')} preset"
                if kind != "unknown"
                else "not a costcalc preset"
            )
            raise PresetError(path, f"is {what}, not a scenario (a scenario has a basis)")
        return build_scenario(path, raw, self)

    def raw_scenario(self, name: str, requested_by: Path) -> dict[str, Any]:
        """The parsed (not yet validated) file of a scenario, for `extends`."""
        wanted = normalize(name)
        for known, raw in self.raw_scenarios.items():
            if normalize(known) == wanted:
                return raw
        error = UnknownName("scenario", name, self.raw_scenarios)
        raise PresetError(requested_by, str(error), "extends")


def build_scenario(path: Path, raw: dict[str, Any], catalog: Catalog) -> Scenario:
    """Turn one parsed scenario file into a validated Scenario."""
    resolved = _resolve_extends(path, raw, catalog, seen=(path.stem,))
    if "uncertain" in resolved:
        raise PresetError(path, "write ranges inline, as { low = ..., high = ... }", "uncertain")
    resolved.setdefault("name", path.stem)
    point_values, ranges = extract_ranges(resolved)
    scenario = validate(Scenario, point_values, path)
    scenario = canonical_gpu_names(scenario, catalog, path)
    return with_ranges(scenario, ranges, path)


def with_ranges(
    scenario: Scenario, ranges: Mapping[str, Mapping[str, Any]], path: Path | str
) -> Scenario:
    """The scenario with validated ranges added; a range without a stated value moves the
    field to the range's central value."""
    from costcalc.overrides import resolve_path

    canonical = {
        ".".join(map(str, resolve_path(scenario, field_path))): spec
        for field_path, spec in ranges.items()
    }
    stated = _validate_ranges(scenario, canonical, path)
    for field_path, spec in canonical.items():
        if "value" not in spec and "mode" not in spec:
            stated[field_path] = dataclasses.replace(stated[field_path], value_stated=False)
    uncertain = {**scenario.uncertain, **stated}
    scenario = dataclasses.replace(scenario, uncertain=uncertain)
    unstated = {
        field_path: central_value(spec)
        for field_path, spec in stated.items()
        if not spec.value_stated
    }
    return _set_points(scenario, unstated)


def central_value(spec: Uncertain) -> float:
    """The point a range stands for when none is stated: its midpoint (median if lognormal)."""
    if spec.distribution == "lognormal":
        return float((spec.low * spec.high) ** 0.5)
    return (spec.low + spec.high) / 2


def _set_points(scenario: Scenario, points: dict[str, float]) -> Scenario:
    from costcalc.overrides import get_path, replace_path

    for field_path, point in points.items():
        whole = isinstance(get_path(scenario, field_path), int)
        scenario = replace_path(scenario, field_path, round(point) if whole else point)
    return scenario


def _resolve_extends(
    path: Path, raw: dict[str, Any], catalog: Catalog, seen: tuple[str, ...]
) -> dict[str, Any]:
    """Merge the scenarios this one extends (a name or a list, later ones win) under it."""
    bases = raw.get("extends")
    if not bases:
        return dict(raw)
    names = [bases] if isinstance(bases, str) else bases
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise PresetError(path, "must be a scenario name or a list of names", "extends")
    merged: dict[str, Any] = {}
    for base_name in names:
        if normalize(base_name) in map(normalize, seen):
            raise PresetError(path, f"extends itself through {' -> '.join((*seen, base_name))}")
        base = _resolve_extends(
            path, catalog.raw_scenario(base_name, path), catalog, (*seen, base_name)
        )
        base.pop("expected", None)  # a scenario states its own published figures
        base.pop("name", None)
        merged = merge(merged, base)
    return merge(merged, raw)


def canonical_gpu_names(scenario: Scenario, catalog: Catalog, path: Path | str) -> Scenario:
    """The scenario with every GPU name replaced by its preset's canonical name."""

    def canonical(name: str, field_path: str) -> str:
        try:
            return catalog.hardware(name).name
        except UnknownName as error:
            raise PresetError(path, str(error), field_path) from None

    run, fleet = scenario.run, scenario.fleet
    if run is not None:
        run = dataclasses.replace(run, gpu=canonical(run.gpu, "run.gpu"))
    if fleet is not None:
        groups = tuple(
            dataclasses.replace(group, gpu=canonical(group.gpu, f"fleet.groups.{index}.gpu"))
            for index, group in enumerate(fleet.groups)
        )
        fleet = dataclasses.replace(fleet, groups=groups)
    return dataclasses.replace(scenario, run=run, fleet=fleet)


def _validate_ranges(
    scenario: Scenario, ranges: Mapping[str, Mapping[str, Any]], path: Path | str
) -> dict[str, Uncertain]:
    """Convert each inline range to the unit of its field, by validating it in place."""
    from costcalc.overrides import apply_overrides, get_path

    result: dict[str, Uncertain] = {}
    for field_path, spec in ranges.items():
        ends: dict[str, float] = {}
        for end in ("low", "high", "mode"):
            if end in spec:
                try:
                    ends[end] = float(
                        get_path(apply_overrides(scenario, {field_path: spec[end]}), field_path)
                    )
                except CostcalcError as error:
                    raise PresetError(path, f"{end}: {error}", field_path) from None
        unknown = set(spec) - _RANGE_KEYS
        if unknown:
            raise PresetError(path, f"unknown range key {sorted(unknown)[0]!r}", field_path)
        distribution = spec.get("distribution", "uniform")
        if distribution not in ("uniform", "triangular", "lognormal"):
            raise PresetError(path, f"unknown distribution {distribution!r}", field_path)
        if not ends["low"] <= ends["high"]:
            raise PresetError(path, "low must not exceed high", field_path)
        if distribution == "lognormal" and ends["low"] <= 0:
            raise PresetError(path, "a lognormal range needs low > 0", field_path)
        result[field_path] = Uncertain(
            low=ends["low"],
            high=ends["high"],
            distribution=distribution,
            mode=ends.get("mode"),
            source=str(spec.get("source") or f"stated in {path}"),
        )
    return result


def _preset_files(kind: str, dirs: Sequence[Path] | None = None) -> dict[str, Path]:
    """Preset name -> file for one kind; later search folders win."""
    found: dict[str, Path] = {}
    for folder in search_dirs() if dirs is None else dirs:
        for path in sorted((folder / kind).glob("*.toml")):
            found[path.stem] = path
    return found


def _build_catalog(
    dirs: Sequence[Path] | None = None, problems: list[PresetError] | None = None
) -> Catalog:
    """Every preset in `dirs`. With a `problems` list, a broken file is recorded there and
    skipped, so one bad file does not hide the others; without, it is an error."""

    def attempt(build: Any, *args: Any) -> Any:
        if problems is None:
            return build(*args)
        try:
            return build(*args)
        except PresetError as error:
            problems.append(error)
            return None

    hardware = {}
    files: dict[str, Path] = {}
    for path in _preset_files("hardware", dirs).values():
        preset = attempt(lambda path: validate(Hardware, read_toml(path), path), path)
        if preset is not None:
            hardware[preset.name] = preset
            files[f"hardware:{preset.name}"] = path
    scenario_files = _preset_files("scenarios", dirs)
    raw_scenarios = {}
    for stem, path in scenario_files.items():
        raw = attempt(read_toml, path)
        if raw is not None:
            raw_scenarios[stem] = raw
    catalog = Catalog(hardware, {}, raw_scenarios, files)
    for stem, raw in raw_scenarios.items():
        path = scenario_files[stem]
        scenario = attempt(build_scenario, path, raw, catalog)
        if scenario is not None:
            catalog.scenario_presets[scenario.name] = scenario
            files[f"scenario:{scenario.name}"] = path
    return catalog


def scan(extra_dirs: Sequence[Path] = ()) -> tuple[Catalog, list[PresetError]]:
    """The catalog of the search path plus `extra_dirs`, and every file that failed."""
    problems: list[PresetError] = []
    catalog = _build_catalog(search_dirs(extra_dirs), problems)
    return catalog, problems


def load_explanations(catalog: Catalog) -> dict[str, Explanation]:
    """Every explanation on the search path, validated against the catalog's scenarios.

    Cached apart from the catalog, so commands that need no explanation never load
    the classes to read one.
    """

    def build() -> dict[str, Explanation]:
        explanations = {}
        for path in _preset_files("explanations").values():
            explanation = build_explanation(path, read_toml(path), catalog)
            explanations[explanation.name] = explanation
        return explanations

    key = fingerprint([*all_preset_files(), *_code_files()], salt=__version__)
    return cached("explanations", key, build)


def build_explanation(path: Path, raw: dict[str, Any], catalog: Catalog) -> Explanation:
    """Validate an explanation and check that every scenario it names exists."""
    from costcalc.reconcile import Explanation

    raw = {"name": path.stem, **raw}
    explanation = validate(Explanation, raw, path)
    for name in explanation.scenarios():
        if name not in catalog.scenario_presets and name not in catalog.raw_scenarios:
            error = UnknownName("scenario", name, catalog.raw_scenarios)
            raise PresetError(path, str(error), "layers")
    return explanation


def all_preset_files() -> Iterator[Path]:
    """Every preset file on the search path, reference runs and exchange rates included."""
    for kind in (*KINDS, "runs"):
        yield from _preset_files(kind).values()
    yield from (folder / "fx.toml" for folder in search_dirs() if (folder / "fx.toml").is_file())


def load_catalog(extra_dirs: Sequence[Path] = ()) -> Catalog:
    """Every preset on the search path (and in `extra_dirs`), validated.

    From the cache when no file has changed since it was built.
    """
    import hashlib

    dirs = search_dirs(extra_dirs)
    files = [path for kind in KINDS for path in _preset_files(kind, dirs).values()]
    key = fingerprint([*files, *_code_files()], salt=__version__)
    name = "catalog"
    if extra_dirs:
        name += "-" + hashlib.sha1(str(list(map(str, extra_dirs))).encode()).hexdigest()[:12]
    return cached(name, key, lambda: _build_catalog(dirs))


def _code_files() -> list[Path]:
    """The modules that shape a cached preset: a change to any of them (an editable
    install, an upgrade without a version bump) must not serve stale objects."""
    here = Path(__file__).resolve().parent
    shaping = ("schema.py", "presets.py", "overrides.py", "units.py", "units.txt", "reconcile.py")
    return [here / name for name in shaping]


def preset_folder_of(name_or_path: str | None) -> list[Path]:
    """The preset folder a scenario file lives in (`x/scenarios/y.toml` -> `x`), if any.

    Such a file may use that folder's hardware and scenarios, as `check x` does.
    """
    if not name_or_path or not name_or_path.endswith(".toml"):
        return []
    parent = Path(name_or_path).resolve().parent
    if parent.name != "scenarios" or parent.parent in map(Path.resolve, search_dirs()):
        return []
    return [parent.parent]


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus every .toml under each folder named."""
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.rglob("*.toml")) if path.is_dir() else [path])
    return found


def validate_file(path: Path) -> tuple[Path, str, str | None]:
    """Check one preset file on its own: (path, kind, error message or None)."""
    kind = "unknown"
    try:
        raw = read_toml(path)
        kind = preset_kind(raw)
        if kind == "hardware":
            validate(Hardware, raw, path)
        elif kind == "scenarios":
            build_scenario(path, raw, _lenient_catalog())
        elif kind == "explanations":
            build_explanation(path, raw, _lenient_catalog())
        elif kind == "runs":
            _check_run_gpus(path, raw)
        elif kind == "fx":
            from costcalc.fx import RateFile

            validate(RateFile, raw, path)
        else:
            raise PresetError(
                path, "not a costcalc preset: no peak_tflops, basis, layers, runs or rates key"
            )
    except CostcalcError as error:
        return path, kind, str(error)
    return path, kind, None


def _check_run_gpus(path: Path, raw: dict[str, Any]) -> None:
    """A runs file validates, and every GPU it names is a hardware preset."""
    from costcalc.runs import RunFile

    catalog = _lenient_catalog()
    for index, run in enumerate(validate(RunFile, raw, path).runs):
        try:
            catalog.hardware(run.gpu)
        except UnknownName as error:
            raise PresetError(path, str(error), f"runs.{index}.gpu") from None


def _lenient_catalog() -> Catalog:
    """The valid presets only, so one broken file does not hide problems in another."""
    return scan()[0]


SCHEMA_KINDS = ("hardware", "scenario", "explanation", "runs")


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a preset file kind, generated from the models.

    Editors that validate TOML against JSON Schema (Taplo, Even Better TOML) read the
    `#:schema` line at the top of each shipped preset.
    """
    from costcalc.reconcile import Explanation
    from costcalc.runs import RunFile

    models: dict[str, Any] = {
        "hardware": Hardware,
        "scenario": Scenario,
        "explanation": Explanation,
        "runs": RunFile,
    }
    if kind not in models:
        raise UnknownName("schema", kind, SCHEMA_KINDS)
    schema: dict[str, Any] = _adapter(models[kind]).json_schema()
    schema.get("properties", {}).pop("uncertain", None)  # filled by the loader, not the file
    if kind in ("scenario", "explanation"):  # these take their name from the file name
        schema["required"] = [name for name in schema.get("required", []) if name != "name"]
    # Only scenario files may extend others, or give an input as a range.
    schema = _with_extends(schema) if kind == "scenario" else _without_ranges(schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"costcalc {kind} preset",
        **schema,
    }


def _with_extends(schema: dict[str, Any]) -> dict[str, Any]:
    """A scenario may extend others and then give only what it changes: `basis` is
    required only without `extends`, and nested tables need no required keys (costcalc
    itself reports a missing field, with file, line and field, once `extends` is merged)."""
    required = schema.pop("required", [])
    schema = _without_required(schema)
    schema["properties"]["extends"] = {
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        "description": "Scenario preset(s) this file starts from; its own keys win.",
    }
    schema["if"] = {"required": ["extends"]}
    schema["else"] = {"required": required}
    return schema


def _without_required(node: Any) -> Any:
    if _is_range(node):  # a range still needs both ends
        return node
    if isinstance(node, dict):
        return {key: _without_required(value) for key, value in node.items() if key != "required"}
    if isinstance(node, list):
        return [_without_required(item) for item in node]
    return node


def _without_ranges(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: [_without_ranges(item) for item in value if not _is_range(item)]
            if key == "anyOf"
            else _without_ranges(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_without_ranges(item) for item in node]
    return node


def _is_range(node: Any) -> bool:
    return isinstance(node, dict) and node.get("title") == "Range"
