"""Relabelling a report for the currency its amounts were converted to."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

from costcalc.render import Report

if TYPE_CHECKING:
    pass


_USD_KEY = re.compile(r"_usd(?=_|$)")


def in_currency(report: Report, currency: str, locale: str) -> Report:
    """The report relabelled for a currency its figures are already converted to.

    Machine names carry the currency (`amount_usd` becomes `amount_idr`), JSON names
    it in its `currency` fields, and tables format amounts for `locale`.
    """
    report.locale = locale
    if currency == report.currency:
        return report
    suffix = f"_{currency.lower()}"

    def rename(key: str) -> str:
        return _USD_KEY.sub(suffix, key)

    def relabel(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                rename(key): currency if key == "currency" else relabel(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [relabel(item) for item in value]
        return value

    report.columns = [
        dataclasses.replace(column, key=rename(column.key), header=rename(column.header))
        for column in report.columns
    ]
    if report.table_columns is not None:
        report.table_columns = [rename(key) for key in report.table_columns]
    if report.footer is not None:
        report.footer = relabel(report.footer)
    report.rows = [relabel(row) for row in report.rows]
    report.machine_rows = [relabel(row) for row in report.machine_rows]
    report.data = relabel(report.data)
    if report.chunks is not None:
        report.chunks = (relabel(chunk) for chunk in report.chunks)
    report.currency = currency
    return report
