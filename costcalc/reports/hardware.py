"""`costcalc hardware list|show`: every figure of a chip, with its source."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from costcalc.render import Column, Report
from costcalc.schema import Hardware, Precision

if TYPE_CHECKING:
    pass


_HARDWARE_FIELDS = (
    ("memory_gb", "Mem GB", "number"),
    ("memory_bandwidth_tb_s", "Mem TB/s", "number"),
    ("interconnect_gb_s", "Link GB/s", "number"),
    ("tdp_w", "TDP W", "number"),
    ("server_power_factor", "Server power x TDP", "number"),
    ("purchase_usd", "Purchase", "money"),
    ("server_usd_per_gpu", "Server/GPU", "money"),
    ("rental_usd_per_gpu_hour", "Rent/GPU-h", "price"),
    ("typical_mfu", "MFU", "percent"),
)


def hardware_data(chip: Hardware) -> dict[str, Any]:
    """One hardware preset as JSON: figures, peak per precision, and their sources."""
    data: dict[str, Any] = {
        "name": chip.name,
        "full_name": chip.full_name,
        "vendor": chip.vendor,
        "aliases": list(chip.aliases),
        "peak_tflops": chip.peak_tflops.as_dict(),
    }
    data.update({key: getattr(chip, key) for key, _, _ in _HARDWARE_FIELDS})
    data["typical_mfu_precision"] = chip.typical_mfu_precision.value
    data["released"] = chip.released
    data["notes"] = list(chip.notes)
    data["sources"] = dict(chip.sources)
    return data


def _hardware_row(chip: Hardware) -> dict[str, Any]:
    row: dict[str, Any] = {"name": chip.name, "full_name": chip.full_name, "vendor": chip.vendor}
    peaks = chip.peak_tflops.as_dict()
    row.update({f"peak_tflops_{p.value}": peaks.get(p.value) for p in Precision})
    row.update({key: getattr(chip, key) for key, _, _ in _HARDWARE_FIELDS})
    row["typical_mfu_precision"] = chip.typical_mfu_precision.value
    return row


def hardware_list_report(chips: Iterable[Hardware]) -> Report:
    chips = list(chips)
    columns = [
        Column("name", "GPU"),
        Column("full_name", "Full name"),
        Column("vendor", "Vendor"),
        *(Column(f"peak_tflops_{p.value}", f"{p.value.upper()} TF/s", "number") for p in Precision),
        *(Column(key, header, kind) for key, header, kind in _HARDWARE_FIELDS),  # type: ignore[arg-type]
        Column("typical_mfu_precision", "MFU of"),
    ]
    return Report(
        data=[hardware_data(chip) for chip in chips],
        columns=columns,
        rows=[_hardware_row(chip) for chip in chips],
        title="Hardware presets (dense peak TFLOP/s)",
        notes=["costcalc hardware show NAME prints every figure with its source."],
        table_columns=(
            "name",
            "peak_tflops_bf16",
            "peak_tflops_fp8",
            "memory_gb",
            "tdp_w",
            "server_usd_per_gpu",
            "rental_usd_per_gpu_hour",
            "typical_mfu",
        ),
    )


def hardware_show_report(chip: Hardware) -> Report:
    """Each figure of one preset, one row each, with its source beside it."""
    rows: list[dict[str, Any]] = []
    for position, (precision, value) in enumerate(chip.peak_tflops.as_dict().items()):
        field_name = f"peak_tflops.{precision}"
        # The shared peak_tflops source is shown once, on the first precision.
        source = chip.sources.get(field_name) or (
            chip.source_of(field_name) if position == 0 else ""
        )
        rows.append(
            {"field": field_name, "value": value, "unit": "TFLOP/s (dense)", "source": source}
        )
    units = {
        "memory_gb": "GB",
        "memory_bandwidth_tb_s": "TB/s",
        "interconnect_gb_s": "GB/s",
        "tdp_w": "W",
        "server_power_factor": "x TDP",
        "purchase_usd": "USD",
        "server_usd_per_gpu": "USD",
        "rental_usd_per_gpu_hour": "USD/GPU-h",
        "typical_mfu": f"of {chip.typical_mfu_precision.value} peak",
    }
    for key, _, _ in _HARDWARE_FIELDS:
        rows.append(
            {
                "field": key,
                "value": getattr(chip, key),
                "unit": units[key],
                "source": chip.source_of(key),
            }
        )
    return Report(
        data=hardware_data(chip),
        columns=[
            Column("field", "Field"),
            Column("value", "Value", "number"),
            Column("unit", "Unit"),
            Column("source", "Source"),
        ],
        rows=rows,
        title=f"{chip.name}: {chip.full_name}",
        notes=list(chip.notes),
    )
