"""Output formats: a rich table for people, JSON/CSV/TSV for programs, Markdown for notes.

A command builds one `Report`: `data` is what JSON prints (documented field names);
`columns` and `rows` are what the table, CSV, TSV and Markdown print. Machine formats
carry raw numbers in the units their column names state (`amount_usd`, `gpu_hours`);
only the table and Markdown round, and only for display.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Literal

from costcalc.numbers import compact, percent, readable, scientific

Kind = Literal[
    "text",
    "money",
    "count",
    "number",
    "percent",
    "signed_percent",
    "ratio",
    "flops",
    "days",
    "price",
    "bar",
]


class OutputFormat(StrEnum):
    """--format values; `auto` is a table on a terminal and TSV in a pipe."""

    auto = "auto"
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    markdown = "markdown"
    xlsx = "xlsx"


@dataclass(frozen=True)
class Column:
    """A column: its machine name (CSV header, with units), display header and kind."""

    key: str
    header: str
    kind: Kind = "text"
    # A drawing for people (a tornado bar): shown in tables, left out of CSV, TSV and xlsx.
    table_only: bool = False


@dataclass
class Report:
    """Everything a command prints, in a form every output format can use."""

    data: Any
    columns: Sequence[Column]
    rows: Iterable[dict[str, Any]]
    title: str = ""
    notes: list[str] = field(default_factory=list)
    footer: dict[str, Any] | None = None
    # Rows for CSV, TSV and xlsx only: figures a table gives in its notes instead.
    machine_rows: list[dict[str, Any]] = field(default_factory=list)
    currency: str = "USD"
    locale: str = "en_US"
    table_columns: Sequence[str] | None = None
    # Large outputs come as column chunks ({column: array}) instead of rows; CSV, TSV
    # and JSON stream them, tables and Markdown show the first `display_rows`.
    chunks: Iterable[dict[str, Any]] | None = None
    display_rows: int = 1000
    # A second sheet for xlsx: the inputs behind the figures, with their sources.
    assumptions: Report | None = None

    def machine_columns(self) -> list[Column]:
        """The columns CSV, TSV and xlsx carry: raw values only."""
        return [column for column in self.columns if not column.table_only]

    def human_columns(self) -> list[Column]:
        """The columns a table or Markdown shows: a readable subset of the machine ones."""
        if self.table_columns is None:
            return list(self.columns)
        by_key = {column.key: column for column in self.columns}
        return [by_key[key] for key in self.table_columns]


EXTENSIONS = {
    ".csv": OutputFormat.csv,
    ".tsv": OutputFormat.tsv,
    ".json": OutputFormat.json,
    ".md": OutputFormat.markdown,
    ".markdown": OutputFormat.markdown,
    ".txt": OutputFormat.table,
    ".xlsx": OutputFormat.xlsx,
}


def write_report(
    report: Report, requested: OutputFormat, output: Path | None, stdout: IO[str]
) -> None:
    """Write to stdout, or to `output` atomically (format from its extension if auto)."""
    from costcalc.errors import InputError
    from costcalc.files import atomic_write

    if output is None:
        if requested is OutputFormat.xlsx:
            raise InputError("--format xlsx writes a workbook: add --output FILE.xlsx")
        write(report, resolve_format(requested, stdout), stdout)
        return
    if output.is_dir():
        raise InputError(f"--output {output}: is a directory, expected a file name")
    fmt = requested
    if fmt is OutputFormat.auto:
        if output.suffix.lower() not in EXTENSIONS:
            known = ", ".join(EXTENSIONS)
            suffix = output.suffix or "no extension"
            raise InputError(
                f"--output {output}: cannot tell the format from {suffix!r} "
                f"(use {known} or --format)"
            )
        fmt = EXTENSIONS[output.suffix.lower()]
    if fmt is OutputFormat.xlsx:
        write_xlsx(report, output)
        return
    with atomic_write(output) as stream:
        write(report, fmt, stream)


def write_xlsx(report: Report, output: Path) -> None:
    """A workbook: the report's rows on one sheet, its assumptions (or notes) on another."""
    import importlib.util

    from costcalc.errors import InputError
    from costcalc.files import atomic_write

    if importlib.util.find_spec("openpyxl") is None:
        raise InputError("--format xlsx needs openpyxl: pip install 'costcalc[xlsx]'")
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    _add_sheet(workbook, "breakdown", report)
    if report.assumptions is not None:
        _add_sheet(workbook, "assumptions", report.assumptions)
    notes = workbook.create_sheet("notes")
    notes.append(["note"])
    for note in report.notes:
        notes.append([note])
    with atomic_write(output, "wb") as stream:
        workbook.save(stream)


EXCEL_MAX_ROWS = 1_048_576


def _add_sheet(workbook: Any, name: str, report: Report) -> None:
    from openpyxl.cell import WriteOnlyCell

    from costcalc.errors import InputError

    sheet = workbook.create_sheet(name)
    sheet.append([column.key for column in report.machine_columns()])
    formats = {
        "money": "#,##0.00",
        "price": "#,##0.0000",
        "percent": "0.00%",
        "count": "#,##0",
        "days": "#,##0.0",
    }
    for count, row in enumerate(iter_rows(report), 2):
        if count > EXCEL_MAX_ROWS:
            limit = f"{EXCEL_MAX_ROWS:,}"
            raise InputError(f"{name}: more than {limit} rows do not fit a worksheet; use csv")
        cells = []
        for column in report.machine_columns():
            value = raw_cell(row.get(column.key))
            cell = WriteOnlyCell(sheet, value=None if value == "" else value)
            if column.kind in formats and isinstance(value, int | float):
                cell.number_format = formats[column.kind]
            cells.append(cell)
        sheet.append(cells)


def resolve_format(requested: OutputFormat, stream: IO[str]) -> OutputFormat:
    """`auto` becomes a table on a terminal and TSV otherwise (as `gh` does).

    TTY_COMPATIBLE=1 (or 0) overrides the terminal check, as it does for rich.
    """
    if requested is not OutputFormat.auto:
        return requested
    forced = os.environ.get("TTY_COMPATIBLE", "")
    if forced in ("0", "1"):
        terminal = forced == "1"
    else:
        isatty = getattr(stream, "isatty", None)
        terminal = bool(isatty is not None and isatty())
    return OutputFormat.table if terminal else OutputFormat.tsv


def write(report: Report, fmt: OutputFormat, stream: IO[str]) -> None:
    """Write the report to `stream` in `fmt` (which must not be `auto`)."""
    writers: dict[OutputFormat, Callable[[Report, IO[str]], None]] = {
        OutputFormat.json: write_json,
        OutputFormat.csv: lambda report, out: write_delimited(report, out, ","),
        OutputFormat.tsv: lambda report, out: write_delimited(report, out, "\t"),
        OutputFormat.markdown: write_markdown,
        OutputFormat.table: write_table,
    }
    writers[fmt](report, stream)


# ---------------------------------------------------------------------------
# Machine formats
# ---------------------------------------------------------------------------


def write_json(report: Report, stream: IO[str]) -> None:
    if report.chunks is not None:  # a stream of rows: one JSON object per line, in an array
        stream.write("[")
        separator = "\n"
        for row in iter_rows(report):
            stream.write(separator + json.dumps(to_json_value(row), ensure_ascii=False))
            separator = ",\n"
        stream.write("\n]\n")
        return
    json.dump(to_json_value(report.data), stream, indent=2, ensure_ascii=False, allow_nan=False)
    stream.write("\n")


def iter_rows(report: Report, machine: bool = True) -> Iterator[dict[str, Any]]:
    """Rows as dicts, whether the report holds rows or column chunks; `machine` adds
    the rows only CSV, TSV and xlsx carry."""
    if report.chunks is None:
        yield from report.rows
        if machine:
            yield from report.machine_rows
        return
    keys = [column.key for column in report.machine_columns()]
    for chunk in report.chunks:
        columns = [_as_list(chunk.get(key)) for key in keys]
        for values in zip(*columns, strict=True):
            yield dict(zip(keys, values, strict=True))


def _column_text(values: Any, delimiter: str) -> list[str]:
    """A column as CSV cells: floats as repr (full precision), NaN as empty, text quoted.

    Sweep columns repeat few values (the inputs, and what depends on one input only),
    so each distinct float is formatted once; this halves the time of a large sweep.
    """
    if hasattr(values, "dtype") and values.dtype.kind == "f":
        import numpy as np

        probe = values[:4096]
        if len(np.unique(probe)) < len(probe) // 4:
            distinct, positions = np.unique(values, return_inverse=True)
            text = [_float_cell(value) for value in distinct.tolist()]
            return [text[position] for position in positions.tolist()]
        return [_float_cell(value) for value in values.tolist()]
    cells = _as_list(values)
    return [_text_cell(cell, delimiter) for cell in cells]


def _float_cell(value: float) -> str:
    return repr(value) if value == value else ""  # NaN: a value that does not apply


def _text_cell(value: Any, delimiter: str) -> str:
    text = "" if value is None else str(raw_cell(value))
    if any(special in text for special in (delimiter, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


def _as_list(values: Any) -> list[Any]:
    """A column as a plain list, with NaN (a value that does not apply) as None."""
    if values is None:
        return []
    if hasattr(values, "dtype") and values.dtype.kind == "f":
        import numpy as np

        missing = np.isnan(values)
        if missing.all():
            return [None] * len(values)
        if missing.any():
            return [
                None if gap else value for gap, value in zip(missing, values.tolist(), strict=True)
            ]
    return values.tolist() if hasattr(values, "tolist") else list(values)


def to_json_value(value: Any) -> Any:
    """Plain JSON types: numpy scalars become floats, NaN becomes null, enums strings."""
    if isinstance(value, dict):
        return {str(key): to_json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json_value(item) for item in value]
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, bool | int | str) or value is None:
        return value
    if hasattr(value, "tolist"):  # numpy scalar or array
        return to_json_value(value.tolist())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return str(value)


def write_delimited(report: Report, stream: IO[str], delimiter: str) -> None:
    """One header row of machine column names, then raw values, streamed row by row."""
    import csv

    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\n")
    keys = [column.key for column in report.machine_columns()]
    writer.writerow(keys)
    if report.chunks is not None:  # the fast path: whole columns formatted at a time
        for chunk in report.chunks:
            cells = [_column_text(chunk.get(key), delimiter) for key in keys]
            stream.write("\n".join(map(delimiter.join, zip(*cells, strict=True))))
            stream.write("\n")
        return
    for row in iter_rows(report):
        writer.writerow([raw_cell(row.get(key)) for key in keys])


def raw_cell(value: Any) -> Any:
    """A cell for CSV/TSV: numbers at full precision, no separators or symbols."""
    if value is None:
        return ""
    if isinstance(value, float):
        return value if math.isfinite(value) else ""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, list | tuple):
        return "; ".join(map(str, value))
    return value


# ---------------------------------------------------------------------------
# Human formats
# ---------------------------------------------------------------------------


def display(value: Any, kind: Kind, currency: str = "USD", locale: str = "en_US") -> str:
    """A value as people read it: '$5.576M', '2.788M', '38.9%', '3.6e24'."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind == "money":
        from costcalc.money import format_money

        return format_money(float(value), currency, locale)
    if kind == "price":
        from costcalc.money import format_money

        return format_money(float(value), currency, locale, compact=False)
    if kind == "percent":
        return percent(value)
    if kind == "signed_percent":
        return f"{float(value) * 100:+.1f}%"
    if kind == "ratio":
        return f"{float(value):,.3g}x"
    if kind == "bar":
        return text_bar(value)
    if kind == "flops":
        return scientific(value)
    if kind == "days":
        return f"{float(value):,.1f}"
    if kind == "count":
        return compact(value) if isinstance(value, int | float) else str(value)
    if kind == "number":
        return readable(value) if isinstance(value, int | float) else str(value)
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)


def _display_rows(report: Report) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """Each row with its cells as people read them (the first `display_rows` rows)."""
    columns = report.human_columns()
    for count, row in enumerate(iter_rows(report, machine=False)):
        if count == report.display_rows:
            report.notes.append(
                f"(showing the first {count:,} rows; --format csv, tsv or json gives them all)"
            )
            return
        cells = [
            display(row.get(column.key), column.kind, report.currency, report.locale)
            for column in columns
        ]
        yield row, cells


def write_markdown(report: Report, stream: IO[str]) -> None:
    if report.title:
        stream.write(f"### {report.title}\n\n")
    columns = report.human_columns()
    headers = [column.header for column in columns]
    aligns = ["---:" if column.kind != "text" else ":---" for column in columns]
    stream.write("| " + " | ".join(headers) + " |\n")
    stream.write("| " + " | ".join(aligns) + " |\n")
    rows = [cells for _, cells in _display_rows(report)]
    if report.footer:
        rows.append(_footer_cells(report))
    for cells in rows:
        escaped = [cell.replace("|", "\\|") for cell in cells]
        stream.write("| " + " | ".join(escaped) + " |\n")
    for note in report.notes:
        stream.write(f"\n{note}\n")


def _footer_cells(report: Report) -> list[str]:
    footer = report.footer or {}
    return [
        display(footer.get(column.key), column.kind, report.currency, report.locale)
        if column.key in footer
        else ""
        for column in report.human_columns()
    ]


def write_table(report: Report, stream: IO[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream, highlight=False, soft_wrap=False)
    console.on_broken_pipe = _reader_went_away  # type: ignore[method-assign]
    # The title is printed on its own, so a long one wraps instead of being cut at the
    # table's width.
    table = Table(show_footer=report.footer is not None, header_style="bold")
    columns = report.human_columns()
    footer = _footer_cells(report) if report.footer else [""] * len(columns)
    numeric = [column.kind != "text" for column in columns]
    for column, footer_cell, is_number in zip(columns, footer, numeric, strict=True):
        table.add_column(
            column.header,
            footer=footer_cell,
            justify="right" if is_number else "left",
            overflow="fold",
        )
    cells_by_row = [cells for _, cells in _display_rows(report)]
    for cells in cells_by_row:
        table.add_row(*cells)
    widths = fit_widths([column.header for column in columns], cells_by_row, numeric, console.width)
    if widths is not None:
        for rich_column, width in zip(table.columns, widths, strict=True):
            rich_column.width = width
    if report.title:
        console.print(report.title, style="bold", markup=False)
    console.print(table)
    for note in report.notes:
        console.print(note, style="dim", markup=False)


def fit_widths(
    headers: list[str], rows: list[list[str]], numeric: list[bool], total: int
) -> list[int] | None:
    """Column widths that fit `total` characters, or None if the natural widths fit.

    The widest column gives way first; numbers keep their width (they break only at
    a space, as in 'Rp4,87 M'); text first keeps its longest word whole, then 6
    characters, then 4. Rich gets fixed widths:
    its own reduction shrinks every column evenly and can overflow.
    """
    available = total - (3 * len(headers) + 1)
    natural = [
        max([len(header), *(len(row[index]) for row in rows)])
        for index, header in enumerate(headers)
    ]
    if sum(natural) <= available:
        return None
    whole = [
        max([1, *(len(row[index]) for row in rows)]) if numeric[index] else 6
        for index in range(len(headers))
    ]
    words = [
        max([1, *(len(word) for row in rows for word in row[index].split())])
        for index in range(len(headers))
    ]
    widths = list(natural)
    unbroken = [max(w, f) if not n else f for w, f, n in zip(words, whole, numeric, strict=True)]
    for floors in (
        unbroken,
        whole,
        [w if n else 4 for w, n in zip(words, numeric, strict=True)],
    ):
        while sum(widths) > available:
            candidates = [i for i in range(len(widths)) if widths[i] > floors[i]]
            if not candidates:
                break
            widest = max(candidates, key=lambda i: widths[i])
            widths[widest] -= 1
    return widths


def text_bar(value: Any, width: int = 12) -> str:
    """A tornado bar as text: (change at low, change at high, widest swing), centred on '|'."""
    if not value:
        return ""
    low, high, widest = value
    half = width // 2
    scale = half / widest if widest else 0.0
    left, right = sorted((half + low * scale, half + high * scale))
    cells = []
    for position in range(width + 1):
        middle = position + 0.5 if position < half else position - 0.5
        if position == half:
            cells.append("|")
        elif left <= middle <= right:
            cells.append("█")
        else:
            cells.append(" ")
    return "".join(cells)


def _reader_went_away() -> None:
    """Rich exits with code 1 on a closed pipe; costcalc ends quietly with 0 instead
    (see `costcalc.cli.CostcalcGroup`), as it does for CSV and JSON."""
    raise BrokenPipeError


def with_progress(
    chunks: Iterator[dict[str, Any]], rows: int, label: str
) -> Iterator[dict[str, Any]]:
    """Column chunks passed through, with a progress bar on stderr for long outputs;
    only when stderr is a terminal, so pipes and CI logs see nothing extra."""
    if rows < 100_000 or not sys.stderr.isatty():
        yield from chunks
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=rows)
        for chunk in chunks:
            yield chunk
            progress.advance(task, len(next(iter(chunk.values()))))
