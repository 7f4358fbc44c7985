"""costcalc: what it costs to train large AI models on GPUs, with every assumption visible.

The library mirrors the command line::

    import costcalc
    scenario = costcalc.scenario("deepseek-v3")
    result = costcalc.estimate(scenario)
    result.total            # 5576000.0 (USD)

Heavy modules are imported on first use, so `import costcalc` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from costcalc.api import (
        adhoc,
        calibrate,
        catalog,
        compare_chips,
        estimate,
        explain,
        hardware,
        monte_carlo,
        reference_run,
        reference_runs,
        scenario,
        sweep_grid,
        tornado,
    )
    from costcalc.schema import Precision

__all__ = [
    "Precision",
    "__version__",
    "adhoc",
    "calibrate",
    "catalog",
    "compare_chips",
    "estimate",
    "explain",
    "hardware",
    "monte_carlo",
    "reference_run",
    "reference_runs",
    "scenario",
    "sweep_grid",
    "tornado",
]
_LAZY = {"Precision": "costcalc.schema"}


def __getattr__(name: str) -> Any:
    if name in __all__:
        import importlib

        module = importlib.import_module(_LAZY.get(name, "costcalc.api"))
        return getattr(module, name)
    raise AttributeError(f"module 'costcalc' has no attribute {name!r}")
