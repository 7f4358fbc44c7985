"""The command line: parse arguments, call the library, render. Nothing else.

Errors are handled in one place, `CostcalcGroup.main`: a costcalc error or a usage
error becomes one line on stderr and exit code 2; a closed pipe ends quietly;
`--debug` (or COSTCALC_DEBUG=1) shows the traceback instead.
"""

# No `from __future__ import annotations` here: typer reads every command's annotations
# at start-up, and string annotations would cost an eval each (about 10 ms in all).

import contextlib
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from costcalc import __version__
from costcalc.errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED, CostcalcError, InputError
from costcalc.render import OutputFormat, Report


class CostcalcGroup(TyperGroup):
    """The root command: one-line errors with exit codes, quiet on a closed pipe."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        arguments = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in arguments or os.environ.get("COSTCALC_DEBUG") == "1"
        if debug and "--debug" in arguments:  # anywhere on the line, not only before the command
            arguments = ["--debug", *(argument for argument in arguments if argument != "--debug")]
        try:
            result = super().main(
                args=arguments,
                prog_name=prog_name or "costcalc",
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
        except (BrokenPipeError, _PipeClosed):
            _silence_stdout()
            sys.exit(0)
        except KeyboardInterrupt:
            sys.exit(EXIT_INTERRUPTED)
        except CostcalcError as error:
            _fail(str(error), error.exit_code, debug)
        except typer.Exit as exit_:
            sys.exit(exit_.exit_code)
        except Exception as error:
            usage_message = getattr(error, "format_message", None)  # click's own errors
            if callable(usage_message) and hasattr(error, "exit_code"):
                _fail(usage_message(), EXIT_BAD_INPUT, debug)
            _fail(f"internal error: {type(error).__name__}: {error}", 1, debug, internal=True)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: Any) -> Any:
        # Click turns a broken pipe into exit code 1 before `main` above sees it; a
        # reader that stopped early (`| head`) is not an error, so take it out of reach.
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise _PipeClosed from None


class _PipeClosed(Exception):
    """The reader of stdout went away; the command ends quietly with exit code 0."""


def _fail(message: str, code: int, debug: bool, internal: bool = False) -> NoReturn:
    if debug:
        traceback.print_exc()
    line = " ".join(message.split())
    hint = " (run with --debug for the traceback)" if internal and not debug else ""
    with contextlib.suppress(BrokenPipeError):
        print(f"Error: {line}{hint}", file=sys.stderr)
    sys.exit(code)


def _silence_stdout() -> None:
    """After the reader went away, point stdout at /dev/null so the final flush is quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(OSError, ValueError):
        os.dup2(devnull, sys.stdout.fileno())


app = typer.Typer(
    cls=CostcalcGroup,
    name="costcalc",
    help="Estimate what it costs to train large AI models on GPUs, and explain why "
    "published figures differ.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
hardware_app = typer.Typer(
    help="GPU presets: peak FLOP/s, memory, power, prices.", no_args_is_help=True
)
presets_app = typer.Typer(help="List, show and validate preset files.", no_args_is_help=True)
app.add_typer(hardware_app, name="hardware")
runs_app = typer.Typer(
    help="Published training runs: reported vs estimated GPU-hours, implied MFU.",
    no_args_is_help=True,
)
app.add_typer(presets_app, name="presets")
app.add_typer(runs_app, name="runs")

FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="table, json, csv, tsv, markdown or xlsx (with --output); auto is a table on a "
        "terminal and TSV in a pipe.",
    ),
]


CurrencyOption = Annotated[
    str,
    typer.Option(
        "--currency",
        help="Show money in this currency (ISO code such as IDR, CNY), converted at the "
        "dated rate in presets/fx.toml.",
    ),
]
FxOption = Annotated[
    list[str] | None,
    typer.Option("--fx", help="Override an exchange rate: CODE=units per USD, e.g. IDR=16500."),
]
DEFAULT_LOCALE = "en_US"
LocaleOption = Annotated[
    str, typer.Option("--locale", help="Format table amounts for a locale, e.g. id_ID.")
]


def _rate(currency: str, fx: list[str] | None, locale: str) -> Any:
    """The exchange rate to show money at; checks the locale too."""
    from costcalc.fx import check_locale, resolve_rate

    if locale != DEFAULT_LOCALE:  # babel is loaded only for another locale
        check_locale(locale)
    return resolve_rate(currency, fx or ())


def _show_version(value: bool) -> None:
    if value:
        print(f"costcalc {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")
    ] = False,
) -> None:
    """costcalc: GPU training cost, with every assumption and source visible."""


OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file instead of stdout, completely or not at all; the format "
        "follows the extension (.csv, .tsv, .json, .md, .xlsx) unless --format is given.",
    ),
]


def emit(report: Report, fmt: OutputFormat, output: Path | None = None) -> None:
    """Write a report to stdout, or atomically to `output`, in the chosen format."""
    from costcalc.render import write_report

    write_report(report, fmt, output, sys.stdout)


# ---------------------------------------------------------------------------
# hardware
# ---------------------------------------------------------------------------


@hardware_app.command("list")
def hardware_list(fmt: FormatOption = OutputFormat.auto, output: OutputOption = None) -> None:
    """List the hardware presets.

    Example: costcalc hardware list --format csv
    """
    from costcalc.api import catalog
    from costcalc.reports import hardware_list_report

    emit(hardware_list_report(catalog().hardware_presets.values()), fmt, output)


@hardware_app.command("show")
def hardware_show(
    name: Annotated[str, typer.Argument(help="GPU name or alias, e.g. H800 or 'h100 sxm'.")],
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
) -> None:
    """Show one hardware preset, every figure with its source.

    Example: costcalc hardware show h800 --format json
    """
    from costcalc.api import hardware
    from costcalc.reports import hardware_show_report

    emit(hardware_show_report(hardware(name)), fmt, output)


# ---------------------------------------------------------------------------
# presets
# ---------------------------------------------------------------------------


@presets_app.command("list")
def presets_list(fmt: FormatOption = OutputFormat.auto, output: OutputOption = None) -> None:
    """List every preset (hardware and scenarios) on the search path.

    Example: costcalc presets list
    """
    from costcalc.api import catalog
    from costcalc.reports import presets_list_report

    presets = catalog()
    entries = [
        (chip.name, "hardware", chip.full_name, presets.files[f"hardware:{chip.name}"])
        for chip in presets.hardware_presets.values()
    ]
    entries += [
        (scenario.name, "scenario", scenario.title, presets.files[f"scenario:{scenario.name}"])
        for scenario in presets.scenario_presets.values()
    ]
    emit(presets_list_report(entries), fmt, output)


@presets_app.command("show")
def presets_show(
    name: Annotated[
        str, typer.Argument(help="A scenario or hardware preset name, or a .toml path.")
    ],
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
) -> None:
    """Show a preset: every field and its value, with ranges where given.

    Example: costcalc presets show deepseek-fleet
    """
    from costcalc.api import catalog
    from costcalc.errors import UnknownName
    from costcalc.reports import hardware_show_report, scenario_show_report

    presets = catalog()
    try:
        emit(scenario_show_report(presets.scenario(name)), fmt, output)
    except UnknownName as error:
        try:
            chip = presets.hardware(name)
        except UnknownName:
            raise UnknownName(
                "preset", name, [*presets.scenario_presets, *presets.hardware_presets]
            ) from error
        emit(hardware_show_report(chip), fmt, output)


@presets_app.command("validate")
def presets_validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders to check; default: every packaged preset."),
    ] = None,
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
) -> None:
    """Validate preset files; exit 2 if any is invalid.

    Example: costcalc presets validate my-presets/
    """
    from costcalc.presets import all_preset_files, expand_paths, validate_file
    from costcalc.reports import validation_report

    files = expand_paths(paths) if paths else list(all_preset_files())
    results = [validate_file(path) for path in files]
    emit(validation_report(results), fmt, output)
    failures = [error for _, _, error in results if error]
    if failures:
        others = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        raise CostcalcError(
            f"{len(failures)} of {len(results)} preset files are invalid: {failures[0]}{others}"
        )


# ---------------------------------------------------------------------------
# estimate
# ---------------------------------------------------------------------------


@app.command()
def estimate(
    scenario: Annotated[
        str | None, typer.Argument(help="Scenario preset name or .toml path.")
    ] = None,
    gpu: Annotated[str | None, typer.Option(help="GPU preset, e.g. H800.")] = None,
    gpus: Annotated[str | None, typer.Option(help="Number of GPUs, e.g. 2048.")] = None,
    gpu_hours: Annotated[
        str | None, typer.Option("--gpu-hours", help="Reported GPU-hours, e.g. 2.788M.")
    ] = None,
    days: Annotated[str | None, typer.Option(help="Wall-clock days on --gpus GPUs.")] = None,
    params: Annotated[str | None, typer.Option(help="Total parameters, e.g. 671B.")] = None,
    active_params: Annotated[
        str | None,
        typer.Option("--active-params", help="Active parameters per token (MoE), e.g. 37B."),
    ] = None,
    tokens: Annotated[str | None, typer.Option(help="Training tokens, e.g. 14.8T.")] = None,
    precision: Annotated[
        str | None, typer.Option(help="Arithmetic precision: fp8, bf16, fp16, tf32, fp64.")
    ] = None,
    mfu: Annotated[
        str | None,
        typer.Option(help="Model FLOPs utilization, a fraction of the --precision peak."),
    ] = None,
    price: Annotated[
        str | None, typer.Option(help="Rental price per GPU-hour, e.g. '2 USD/hour'.")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override any scenario field: key.path=value (repeatable)."),
    ] = None,
    uncertainty: Annotated[
        int | None,
        typer.Option(
            "--uncertainty",
            help="Monte Carlo draws over the scenario's ranges; reports P5/P50/P95.",
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed, for repeatable draws.")] = None,
    currency: CurrencyOption = "USD",
    fx: FxOption = None,
    locale: LocaleOption = DEFAULT_LOCALE,
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
) -> None:
    """Estimate the cost of a scenario, or of an ad-hoc run described by flags.

    Example: costcalc estimate deepseek-v3 --price "3 USD/hour"

    Example: costcalc estimate --gpu H100 --gpus 16384 --params 405B --tokens 15.6T
    """
    from costcalc.api import adhoc_scenario, catalog, what_if
    from costcalc.fx import convert_estimate
    from costcalc.model import estimate as run_estimate
    from costcalc.model import hardware_for
    from costcalc.overrides import parse_assignment
    from costcalc.reports import estimate_report, in_currency

    rate = _rate(currency, fx, locale)
    presets = catalog(scenario)
    size = {"gpu_hours": gpu_hours, "days": days, "tokens": tokens}
    run_flags = {"precision": precision, "mfu": mfu, "price": price}
    overrides: dict[str, Any] = {}
    if scenario is None:
        if gpu is None:
            raise InputError("give a scenario (e.g. deepseek-v3) or --gpu with a run size")
        # An ad-hoc run is described by its flags: they are facts, not what-ifs.
        base = adhoc_scenario(
            gpu, gpus=gpus, params=params, active_params=active_params, **size, **run_flags
        )
    else:
        base = presets.scenario(scenario)
        overrides.update(_run_flags(gpu=gpu, gpus=gpus, params=params, active_params=active_params))
        overrides.update(_stage_flags(base, **size))
        overrides.update(_run_flags(precision=precision, mfu=mfu, price_usd_per_gpu_hour=price))
    overrides.update(parse_assignment(assignment) for assignment in set_ or [])
    chosen = what_if(base, overrides, presets)
    result = convert_estimate(run_estimate(chosen, hardware_for(presets.hardware, chosen)), rate)
    if uncertainty is None:
        report = _marked_what_if(estimate_report(result, chosen), set_)
        emit(in_currency(report, rate.currency, locale), fmt, output)
        return
    from costcalc.api import monte_carlo
    from costcalc.fx import convert_simulation
    from costcalc.reports import uncertainty_report

    subject = base if scenario is None else scenario  # a name keeps its preset folder
    simulation = convert_simulation(monte_carlo(subject, uncertainty, seed, overrides), rate)
    report = uncertainty_report(result, chosen, simulation)
    emit(in_currency(report, rate.currency, locale), fmt, output)


def _run_flags(**values: str | None) -> dict[str, str]:
    return {f"run.{key}": value for key, value in values.items() if value is not None}


def _stage_flags(scenario: Any, **sizes: str | None) -> dict[str, str | None]:
    """--gpu-hours/--days/--tokens on a scenario: they replace its single stage's size."""

    given = {key: value for key, value in sizes.items() if value is not None}
    if not given:
        return {}
    if len(given) > 1:
        flags = ", ".join(f"--{key.replace('_', '-')}" for key in given)
        raise InputError(f"give only one of --gpu-hours, --days or --tokens (got {flags})")
    stages = scenario.run.stages if scenario.run else ()
    if len(stages) != 1:
        raise InputError(
            f"{scenario.name} has {len(stages)} stages; set one with "
            "--set run.stages.NAME.gpu_hours=..."
        )
    key, value = next(iter(given.items()))
    # The new size replaces the reported ones, which would otherwise take precedence.
    cleared: dict[str, str | None] = {"run.stages.0.gpu_hours": None, "run.stages.0.hours": None}
    if key == "days":
        days = f"{value} day" if value.replace(".", "").isdigit() else value
        return {**cleared, "run.stages.0.hours": days}
    return {**cleared, f"run.stages.0.{key}": value}


# ---------------------------------------------------------------------------
# sweep
# ---------------------------------------------------------------------------

SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override any scenario field: key.path=value (repeatable)."),
]


@app.command()
def sweep(
    scenario: Annotated[str, typer.Argument(help="Scenario preset name or .toml path.")],
    vary: Annotated[
        list[str],
        typer.Option(
            "--vary",
            help="An input and its values: name=start:stop:step (inclusive) or "
            "name=v1,v2,... (repeatable; rows are the grid product).",
        ),
    ],
    set_: SetOption = None,
    currency: CurrencyOption = "USD",
    fx: FxOption = None,
    locale: LocaleOption = DEFAULT_LOCALE,
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
) -> None:
    """Run the model over the grid product of several inputs, one row per combination.

    Example: costcalc sweep deepseek-v3 --vary gpu=H800,H20 --vary price=1.5:3:0.5
    """
    from costcalc.api import scenario_as_changed, sweep_grid
    from costcalc.fx import convert_columns
    from costcalc.overrides import parse_assignment
    from costcalc.render import with_progress
    from costcalc.reports import in_currency, sweep_report
    from costcalc.sweep import MONEY_COLUMNS, parse_vary

    rate = _rate(currency, fx, locale)
    overrides = dict(map(parse_assignment, set_ or []))
    grid = sweep_grid(scenario, [parse_vary(spec) for spec in vary], overrides)
    chunks = with_progress(grid.chunks, grid.rows, "sweeping")
    if rate.per_usd != 1:  # money outputs and money inputs (a price axis) alike
        money = (*MONEY_COLUMNS, *(axis.column for axis in grid.axes if "_usd" in axis.column))
        chunks = convert_columns(chunks, money, rate.per_usd)
    report = sweep_report(scenario_as_changed(scenario), grid.axes, chunks, grid.rows)
    emit(in_currency(report, rate.currency, locale), fmt, output)


def _marked_what_if(report: Report, assignments: list[str] | None) -> Report:
    """Say in the title that --set changed the scenario: its title, layer names and
    published figures still describe it as published ('4-year ownership')."""
    if assignments:
        report.title += f" [what-if: {', '.join(assignments)}]"
        report.notes.append(
            "What-if: titles, layer names and published figures describe the scenarios "
            "as published; the amounts include the changes in brackets."
        )
    return report


# ---------------------------------------------------------------------------
# compare and sensitivity
# ---------------------------------------------------------------------------


@app.command()
def compare(
    scenario: Annotated[str, typer.Argument(help="Scenario preset name or .toml path.")],
    gpu: Annotated[
        str | None,
        typer.Option(help="GPUs to compare, comma-separated (default: every hardware preset)."),
    ] = None,
    set_: SetOption = None,
    currency: CurrencyOption = "USD",
    fx: FxOption = None,
    locale: LocaleOption = DEFAULT_LOCALE,
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
) -> None:
    """The same run on each chip: GPU-hours, days, cost at each chip's rental price, energy.

    Example: costcalc compare deepseek-v3 --gpu H800,H100,H20,A100
    """
    from costcalc.api import compare_chips, scenario_as_changed
    from costcalc.fx import convert_chips
    from costcalc.overrides import parse_assignment
    from costcalc.reports import compare_report, in_currency

    rate = _rate(currency, fx, locale)
    overrides = dict(map(parse_assignment, set_ or []))
    results = convert_chips(compare_chips(scenario, gpu, overrides), rate)
    start = scenario_as_changed(scenario, overrides)
    emit(in_currency(compare_report(start, results), rate.currency, locale), fmt, output)


@app.command()
def sensitivity(
    scenario: Annotated[str, typer.Argument(help="Scenario preset name or .toml path.")],
    spread: Annotated[
        float, typer.Option(help="Range for inputs the scenario gives none: +/- this fraction.")
    ] = 0.2,
    set_: SetOption = None,
    plot: Annotated[
        Path | None, typer.Option(help="Also draw a tornado chart to a .png, .svg or .pdf file.")
    ] = None,
    currency: CurrencyOption = "USD",
    fx: FxOption = None,
    locale: LocaleOption = DEFAULT_LOCALE,
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
) -> None:
    """Rank the inputs by how much they move the total (a tornado).

    Each input goes alone to the low and high ends of its range: the range the
    scenario states, else +/- 20%.

    Example: costcalc sensitivity deepseek-fleet
    """
    from costcalc.api import scenario_as_changed, tornado
    from costcalc.fx import convert_effects
    from costcalc.overrides import parse_assignment
    from costcalc.reports import in_currency, sensitivity_report

    rate = _rate(currency, fx, locale)
    overrides = dict(map(parse_assignment, set_ or []))
    effects = tornado(scenario, overrides, spread)
    start = scenario_as_changed(scenario, overrides)
    if plot is not None:
        from costcalc.plot import plot_tornado

        plot_tornado(start, effects, plot)
    effects = convert_effects(effects, rate)
    report = sensitivity_report(start, effects, rate.currency)
    emit(in_currency(report, rate.currency, locale), fmt, output)


# ---------------------------------------------------------------------------
# check and schema
# ---------------------------------------------------------------------------


@app.command()
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Scenario files or preset folders to check as well as the packaged ones."
        ),
    ] = None,
    junit: Annotated[
        Path | None, typer.Option(help="Also write JUnit XML: one test case per scenario.")
    ] = None,
    update: Annotated[
        bool, typer.Option("--update", help="Rewrite drifted expected values in place.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Update without asking.")] = False,
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
) -> None:
    """Recompute every scenario and compare it with the figures it records.

    Exit 0 when every figure is within tolerance, 1 when one drifted, 2 for an
    invalid file.

    Example: costcalc check my-presets/ --junit check.xml
    """
    from costcalc.checking import run_checks
    from costcalc.reports import check_report

    run = run_checks(paths or [])
    if junit is not None:
        from costcalc.check import junit_xml
        from costcalc.files import atomic_write

        with atomic_write(junit, flag="--junit") as stream:
            stream.write(junit_xml(run.results, run.problems, run.scenarios))
    emit(check_report(run.results, run.problems, run.scenarios), fmt, output)
    if run.problems:
        first = run.problems[0]
        more = f" (and {len(run.problems) - 1} more)" if len(run.problems) > 1 else ""
        raise CostcalcError(f"invalid preset file {first.path}: {first.message}{more}")
    code = run.exit_code
    if update and code == 1:
        code = _update_expected(run.drifted, yes)
    raise typer.Exit(code)


def _update_expected(drifted: Sequence[Any], yes: bool) -> int:
    from costcalc.checking import update_expected

    files = sorted({str(outcome.path) for outcome in drifted})
    question = f"Rewrite {len(drifted)} expected values in {len(files)} files ({', '.join(files)})?"
    if not yes:
        if not sys.stdin.isatty():
            raise InputError("check --update needs confirmation: run it on a terminal or add --yes")
        if not typer.confirm(question, err=True):
            return 1
    written = update_expected(drifted)
    for path, count in written.items():
        print(f"updated {count} expected values in {path}", file=sys.stderr)
    return 0


@app.command()
def schema(
    kind: Annotated[
        str, typer.Argument(help="hardware, scenario, explanation or runs.")
    ] = "scenario",
) -> None:
    """Print the JSON Schema of a preset file kind, generated from the models.

    Example: costcalc schema hardware > hardware.schema.json
    """
    import json

    from costcalc.presets import json_schema

    print(json.dumps(json_schema(kind), indent=2))


# ---------------------------------------------------------------------------
# explain
# ---------------------------------------------------------------------------


@app.command()
def explain(
    name: Annotated[str, typer.Argument(help="Which explanation to tell.")] = "deepseek",
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Override a field in every scenario that has it, or in one: "
            "deepseek-v3:run.price_usd_per_gpu_hour=3 (repeatable).",
        ),
    ] = None,
    plot: Annotated[
        Path | None, typer.Option(help="Also draw the layers to a .png, .svg or .pdf file.")
    ] = None,
    currency: CurrencyOption = "USD",
    fx: FxOption = None,
    locale: LocaleOption = DEFAULT_LOCALE,
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
) -> None:
    """Reconcile published figures of different scopes, layer by layer.

    Example: costcalc explain deepseek

    Example: costcalc explain --set fleet.utilization=0.5 --plot layers.png
    """
    from costcalc.api import catalog
    from costcalc.api import explain as reconcile
    from costcalc.fx import convert_reconciliation
    from costcalc.overrides import parse_assignment
    from costcalc.reports import explain_report, in_currency

    rate = _rate(currency, fx, locale)
    overrides = dict(parse_assignment(assignment) for assignment in set_ or [])
    reconciliation = convert_reconciliation(reconcile(name, overrides), rate)
    if plot is not None:
        from costcalc.plot import plot_layers

        plot_layers(reconciliation, plot, rate.currency, locale)
    scenario_names = catalog().explanation(name).scenarios()
    report = _marked_what_if(explain_report(reconciliation, scenario_names, rate.currency), set_)
    emit(in_currency(report, rate.currency, locale), fmt, output)


# ---------------------------------------------------------------------------
# reference runs and calibration
# ---------------------------------------------------------------------------

GpuFilterOption = Annotated[
    str | None, typer.Option("--gpu", help="Only the runs on this GPU (name or alias).")
]


@runs_app.command("list")
def runs_list(
    gpu: GpuFilterOption = None, fmt: FormatOption = OutputFormat.auto, output: OutputOption = None
) -> None:
    """Published runs: reported vs estimated GPU-hours and cost, and the implied MFU.

    Example: costcalc runs list --gpu A100
    """
    from costcalc.api import reference_runs
    from costcalc.reports import runs_list_report

    emit(runs_list_report(reference_runs(gpu)), fmt, output)


@runs_app.command("show")
def runs_show(
    name: Annotated[str, typer.Argument(help="Run name, e.g. llama-2-70b.")],
    fmt: FormatOption = OutputFormat.auto,
    output: OutputOption = None,
) -> None:
    """One published run, every figure with its formula or source.

    Example: costcalc runs show deepseek-v3
    """
    from costcalc.api import reference_run
    from costcalc.reports import run_show_report

    emit(run_show_report(reference_run(name)), fmt, output)


@app.command()
def calibrate(
    gpu: GpuFilterOption = None, fmt: FormatOption = OutputFormat.auto, output: OutputOption = None
) -> None:
    """Fit the typical MFU per GPU and precision from published runs; report the error
    the hardware presets' MFUs leave (median and worst, and leave-one-out).

    Example: costcalc calibrate --gpu A100
    """
    from costcalc.api import calibrate as fit
    from costcalc.reports import calibration_report

    emit(calibration_report(fit(gpu)), fmt, output)


def main() -> None:
    """Console-script entry point."""
    app()
