"""Turning results into Reports: the JSON shape and the table/CSV rows of each command.

One module per command family. The field names here are the command-line contract
(see DESIGN.md): JSON uses the documented names; CSV/TSV columns carry their unit in
the name (`amount_usd`).
"""

from costcalc.reports.check import check_report
from costcalc.reports.currency import in_currency
from costcalc.reports.estimate import estimate_report
from costcalc.reports.hardware import hardware_list_report, hardware_show_report
from costcalc.reports.presets import presets_list_report, scenario_show_report, validation_report
from costcalc.reports.reconciliation import explain_report
from costcalc.reports.runs import calibration_report, run_show_report, runs_list_report
from costcalc.reports.whatif import (
    compare_report,
    sensitivity_report,
    sweep_report,
    uncertainty_report,
)

__all__ = [
    "calibration_report",
    "check_report",
    "compare_report",
    "estimate_report",
    "explain_report",
    "hardware_list_report",
    "hardware_show_report",
    "in_currency",
    "presets_list_report",
    "run_show_report",
    "runs_list_report",
    "scenario_show_report",
    "sensitivity_report",
    "sweep_report",
    "uncertainty_report",
    "validation_report",
]
