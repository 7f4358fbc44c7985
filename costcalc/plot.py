"""Charts, with matplotlib from the optional `plot` extra."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc.errors import InputError
from costcalc.reconcile import Reconciliation
from costcalc.schema import Scenario

if TYPE_CHECKING:
    from costcalc.sensitivity import Effect
from costcalc.files import atomic_write

FORMATS = (".png", ".svg", ".pdf")


def _pyplot(path: Path) -> Any:
    if path.suffix.lower() not in FORMATS:
        raise InputError(f"--plot {path}: use a .png, .svg or .pdf file name")
    if importlib.util.find_spec("matplotlib") is None:
        raise InputError("--plot needs matplotlib: pip install 'costcalc[plot]'")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    return pyplot


def plot_layers(
    reconciliation: Reconciliation, path: Path, currency: str = "USD", locale: str = "en_US"
) -> None:
    """Each layer of an explanation as a bar on a log scale, labelled with its amount."""
    from costcalc.money import format_money

    pyplot = _pyplot(path)
    layers = list(reversed(reconciliation.layers))
    figure, axes = pyplot.subplots(figsize=(9, 0.6 * len(layers) + 1.4))
    names = [layer.name for layer in layers]
    amounts = [layer.amount for layer in layers]
    axes.barh(names, amounts, color="#4c72b0")
    axes.set_xscale("log")
    axes.set_xlim(min(amounts) / 3, max(amounts) * 20)
    for position, amount in enumerate(amounts):
        label = _literal(format_money(amount, currency, locale))
        axes.text(amount * 1.15, position, label, va="center", fontsize=9)
    axes.set_xlabel(f"{currency} (log scale)")
    axes.set_title(_literal(reconciliation.title), fontsize=11)
    figure.tight_layout()
    _save(figure, path)
    pyplot.close(figure)


def _literal(text: str) -> str:
    """Escape dollar signs, which matplotlib would otherwise read as math markup."""
    return text.replace("$", r"\$")


def _save(figure: Any, path: Path) -> None:
    with atomic_write(path, "wb", flag="--plot") as stream:
        figure.savefig(stream, format=path.suffix.lower().lstrip("."))


def plot_tornado(scenario: Scenario, effects: Sequence[Effect], path: Path) -> None:
    """Each input's effect on the total at the low and high ends of its range."""
    from costcalc.money import format_money

    pyplot = _pyplot(path)
    moving = [effect for effect in effects if effect.swing > 0][:12]
    if not moving:
        raise InputError(f"{scenario.name}: no input moves the total; nothing to plot")
    base = moving[0].base_total
    moving.reverse()
    figure, axes = pyplot.subplots(figsize=(9, 0.45 * len(moving) + 1.6))
    labels = [effect.input.label for effect in moving]
    lows = [effect.total_at_low - base for effect in moving]
    highs = [effect.total_at_high - base for effect in moving]
    axes.barh(labels, lows, color="#dd8452", label="input at low end")
    axes.barh(labels, highs, color="#4c72b0", label="input at high end")
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_xlabel(_literal(f"change in total, USD (base {format_money(base)})"))
    axes.set_title(_literal(f"{scenario.name}: which assumption matters most"), fontsize=11)
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    _save(figure, path)
    pyplot.close(figure)
