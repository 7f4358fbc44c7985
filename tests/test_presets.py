"""Shipped presets validate and cite their sources; broken files fail with good messages."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from costcalc.errors import PresetError, UnknownName
from costcalc.presets import load_catalog, read_toml, validate, validate_file
from costcalc.schema import Hardware, Precision

from .conftest import PRESETS, copy_preset

HARDWARE_FILES = sorted((PRESETS / "hardware").glob("*.toml"))
SCENARIO_FILES = sorted((PRESETS / "scenarios").glob("*.toml"))
FIGURES = [
    f.name
    for f in dataclasses.fields(Hardware)
    if f.name not in {"name", "full_name", "vendor", "aliases", "notes", "sources", "released"}
    and f.name != "typical_mfu_precision"
]


@pytest.mark.parametrize("path", HARDWARE_FILES + SCENARIO_FILES, ids=lambda p: p.name)
def test_every_shipped_preset_validates(path):
    assert validate_file(path)[2] is None


def test_the_seed_gpus_are_shipped():
    names = set(load_catalog().hardware_presets)
    assert {"H800", "H100", "H20", "A100"} <= names


@pytest.mark.parametrize("path", HARDWARE_FILES, ids=lambda p: p.name)
def test_every_hardware_figure_cites_a_source(path):
    chip = validate(Hardware, read_toml(path), path)
    for name in FIGURES:
        source = chip.source_of(name)
        assert source, f"{path.name}: {name} has no source"
        assert "PENDING" not in source, f"{path.name}: {name} source is a placeholder"
    for precision in chip.peak_tflops.as_dict():
        assert chip.source_of(f"peak_tflops.{precision}")


def test_peaks_are_dense_figures_from_the_spec_sheets():
    # NVIDIA lists sparse figures; dense is half. H100 SXM BF16: 1,979 sparse -> 989.4 dense.
    catalog = load_catalog()
    assert catalog.hardware("H100").peak_tflops.bf16 == pytest.approx(989.4, rel=0.001)
    assert catalog.hardware("H800").peak_tflops.fp8 == pytest.approx(1978.9, rel=0.001)
    assert catalog.hardware("H20").peak_tflops.bf16 == pytest.approx(148)
    assert catalog.hardware("A100").peak_tflops.bf16 == pytest.approx(312)
    assert catalog.hardware("A100").peak_tflops.fp8 is None


@pytest.mark.parametrize(
    ("name", "canonical"),
    [("h800", "H800"), ("H800 SXM", "H800"), ("a100-80gb", "A100"), ("H100_SXM5", "H100")],
)
def test_names_resolve_case_insensitively_with_aliases(name, canonical):
    assert load_catalog().hardware(name).name == canonical


def test_unknown_gpu_suggests_the_nearest():
    with pytest.raises(UnknownName, match=r"unknown GPU 'H8000'; did you mean 'H800'\?"):
        load_catalog().hardware("H8000")


def test_a_precision_the_chip_lacks_names_the_ones_it_has():
    with pytest.raises(Exception, match="A100 has no fp8 peak; it has fp64, tf32, bf16, fp16"):
        load_catalog().hardware("A100").peak_flops(Precision.fp8)


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    path = copy_preset("hardware", "h800", tmp_path)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "field", "reason"),
    [
        ('tdp_w = "700 W"', 'tdp_w = "700 USD"', "tdp_w", "expected a power"),
        ('tdp_w = "700 W"', 'tdp_w = "700 W"\ntdpw = 1', "tdpw", "did you mean 'tdp_w'"),
        ("typical_mfu = 0.346", "typical_mfu = 1.5", "typical_mfu", "at most 1"),
        ("typical_mfu = 0.346", 'typical_mfu = "fast"', "typical_mfu", "valid number"),
        ('vendor = "NVIDIA"\n', "", "vendor", "missing required field"),
        ("bf16 = 989.4", "bf16 = -989.4", "peak_tflops.bf16", "greater than 0"),
        ("fp8 = 1978.9", "fp9 = 1978.9", "peak_tflops.fp9", "did you mean 'fp8'"),
    ],
)
def test_invalid_preset_names_file_field_and_reason(tmp_path, old, new, field, reason):
    path = _broken(tmp_path, old, new)
    with pytest.raises(PresetError) as caught:
        validate(Hardware, read_toml(path), path)
    message = str(caught.value)
    assert str(path) in message
    assert f": {field}: " in message
    assert reason in message


def test_message_carries_the_line_number(tmp_path):
    path = _broken(tmp_path, 'tdp_w = "700 W"', 'tdp_w = "700 USD"')
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "tdp_w" in text)
    with pytest.raises(PresetError, match=rf"{path.name}:{line}: tdp_w"):
        validate(Hardware, read_toml(path), path)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        (b"\x00\xff\xfe junk", "not a text file"),
        (b"name = \n", "invalid TOML"),
        (b"[unclosed\n", "invalid TOML"),
    ],
)
def test_unreadable_files(tmp_path, content, reason):
    path = tmp_path / "broken.toml"
    path.write_bytes(content)
    with pytest.raises(PresetError, match=reason):
        read_toml(path)


def test_directory_and_missing_file(tmp_path):
    with pytest.raises(PresetError, match="is a directory"):
        read_toml(tmp_path)
    with pytest.raises(PresetError, match="no such file"):
        read_toml(tmp_path / "absent.toml")


def test_user_presets_extend_the_catalog(user_presets):
    path = copy_preset("hardware", "h800", user_presets / "hardware", as_name="custom")
    path.write_text(path.read_text().replace('name = "H800"', 'name = "H800-custom"', 1))
    catalog = load_catalog()
    assert catalog.hardware("h800-custom").name == "H800-custom"
    assert catalog.hardware("H800").name == "H800"


def test_a_user_file_replaces_the_packaged_one_of_the_same_name(user_presets):
    path = copy_preset("hardware", "h800", user_presets / "hardware")
    path.write_text(
        path.read_text().replace(
            'rental_usd_per_gpu_hour = "3.42', 'rental_usd_per_gpu_hour = "9', 1
        )
    )
    assert load_catalog().hardware("H800").rental_usd_per_gpu_hour == 9


def test_catalog_cache_notices_edits(user_presets):
    path = copy_preset("hardware", "h800", user_presets / "hardware", as_name="mine")
    path.write_text(path.read_text().replace('name = "H800"', 'name = "Mine"', 1))
    assert load_catalog().hardware("Mine").tdp_w == 700
    path.write_text(path.read_text().replace('tdp_w = "700 W"', 'tdp_w = "650 W"  # edited', 1))
    assert load_catalog().hardware("Mine").tdp_w == 650


def test_catalog_cache_is_keyed_on_the_code_that_builds_presets_too(monkeypatch, tmp_path):
    import costcalc.presets as presets

    shaping = tmp_path / "schema.py"
    shaping.write_text("# version 1\n")
    monkeypatch.setattr(presets, "_code_files", lambda: [shaping])
    builds: list[object] = []

    def build(dirs: object) -> str:
        builds.append(dirs)
        return "built"

    monkeypatch.setattr(presets, "_build_catalog", build)
    presets.load_catalog()
    presets.load_catalog()
    assert len(builds) == 1  # the second came from the cache
    shaping.write_text("# version 2, a different size\n")
    presets.load_catalog()
    assert len(builds) == 2  # rebuilt
