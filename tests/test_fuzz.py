"""Fuzzing the preset loader: whatever a file holds, only costcalc's own error escapes.

The documents are built from the real field names (so they get past the first key
check and into validation, unit parsing, ranges and `extends`) mixed with random keys,
values of every TOML type, and raw bytes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costcalc.errors import CostcalcError
from costcalc.presets import Catalog, build_scenario, load_catalog, read_toml, validate
from costcalc.runs import RunFile
from costcalc.schema import Hardware

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FIELD_NAMES = [
    # hardware
    "name", "full_name", "vendor", "peak_tflops", "bf16", "fp8", "memory_gb", "tdp_w",
    "server_power_factor", "purchase_usd", "server_usd_per_gpu", "rental_usd_per_gpu_hour",
    "typical_mfu", "typical_mfu_precision", "aliases", "sources", "notes",
    # scenarios
    "basis", "title", "extends", "run", "gpu", "gpus", "stages", "gpu_hours", "hours",
    "tokens", "params", "active_params", "precision", "mfu", "price_usd_per_gpu_hour",
    "fleet", "groups", "count", "life_years", "utilization", "rnd", "expected", "metric",
    "value", "tolerance", "low", "high", "distribution", "mode",
    # runs
    "runs", "model", "organization", "year", "days", "scope", "source",
]  # fmt: skip
TEXT_VALUES = [
    "H800", "h100 sxm", "2 USD/hour", "700 W", "700 USD", "14.8T", "2,048", "671B", "bf16",
    "fp8", "rental", "ownership", "deepseek-v3", "deepseek-v9", "triangular", "lognormal",
    "nan", "inf", "-1", "1e400", "", " ", "57 days", "0.08 USD/kWh",
]  # fmt: skip

keys = st.one_of(st.sampled_from(FIELD_NAMES), st.text(min_size=1, max_size=12))
scalars = st.one_of(
    st.sampled_from(TEXT_VALUES),
    st.text(max_size=20),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
)
values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=5),
    ),
    max_leaves=25,
)
documents = st.dictionaries(keys, values, max_size=8)


def write(content: str | bytes, name: str = "fuzz.toml") -> Path:
    folder = Path(tempfile.mkdtemp(prefix="costcalc-fuzz-"))
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def load_every_way(path: Path, catalog: Catalog) -> None:
    """Read a file as each kind of preset; each may fail, but only with CostcalcError."""
    loaders = [
        lambda: validate(Hardware, read_toml(path), path),
        lambda: build_scenario(path, read_toml(path), catalog),
        lambda: validate(RunFile, read_toml(path), path),
        lambda: catalog.scenario(str(path)),
    ]
    for load in loaders:
        try:
            load()
        except CostcalcError as error:
            assert str(error).strip(), "an error must say something"


def dump(document: dict[str, Any]) -> str | None:
    """The document as TOML, or None when tomlkit cannot write it (e.g. NaN keys)."""
    try:
        return tomlkit.dumps(document)
    except Exception:  # tomlkit's own limits, not costcalc's
        return None


@FUZZ
@given(document=documents)
def test_random_documents_raise_only_costcalc_errors(document):
    text = dump(document)
    if text is not None:
        load_every_way(write(text), load_catalog())


@FUZZ
@given(run=st.dictionaries(st.sampled_from(FIELD_NAMES), values, max_size=12))
def test_random_scenario_runs_raise_only_costcalc_errors(run):
    text = dump({"basis": "rental", "title": "fuzz", "run": run})
    if text is not None:
        load_every_way(write(text), load_catalog())


@FUZZ
@given(content=st.binary(max_size=400))
def test_random_bytes_raise_only_costcalc_errors(content):
    load_every_way(write(content), load_catalog())


@FUZZ
@given(text=st.text(max_size=300))
def test_random_text_raises_only_costcalc_errors(text):
    load_every_way(write(text), load_catalog())


SHIPPED = sorted(
    path
    for kind in ("hardware", "scenarios", "runs")
    for path in (Path(__file__).parent.parent / "presets" / kind).glob("*.toml")
)


def paths_in(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in a parsed TOML document."""
    found = [prefix] if prefix else []
    if isinstance(node, dict | list):
        children = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in children:
            found.extend(paths_in(child, (*prefix, key)))
    return found


def replaced(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {**node, head: replaced(node[head], rest, value)}
    return [
        replaced(item, rest, value) if index == head else item for index, item in enumerate(node)
    ]


@FUZZ
@given(data=st.data(), file=st.sampled_from(SHIPPED), value=values)
def test_a_shipped_preset_with_one_value_mutated_raises_only_costcalc_errors(data, file, value):
    """Mutating one value of a real preset reaches deep validation: units, ranges,
    cross-field checks, GPU names, `extends`."""
    import tomllib

    document = tomllib.loads(file.read_text())
    path = data.draw(st.sampled_from(paths_in(document)))
    text = dump(replaced(document, path, value))
    if text is not None:
        load_every_way(write(text, file.name), load_catalog())
