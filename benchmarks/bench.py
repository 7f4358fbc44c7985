"""costcalc's speed and memory targets, measured: start-up, sweep and Monte Carlo.

    python benchmarks/bench.py            # every benchmark, then a summary table
    python benchmarks/bench.py --quick    # fewer repetitions

Targets (from the issues): a preset estimate within 1.3x the wall time of a minimal
typer app; a 1,000,000-row sweep to CSV in under 10 s with peak memory under 500 MB;
100,000 Monte Carlo draws in under 2 s. Exit status 1 if a target is missed.

Run it against an installed costcalc (`pip install .`): the commands run as
subprocesses of this Python, with bytecode caching on, after a warm-up run.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

MINIMAL_TYPER_APP = textwrap.dedent(
    """
    import typer

    app = typer.Typer()

    @app.command()
    def main(name: str = "world") -> None:
        print(name)

    app()
    """
)
MILLION_ROW_SWEEP = [
    "sweep", "deepseek-v3", "--vary", "price=1:10.99:0.01", "--vary", "mfu=0.2:0.5996:0.0004",
    "--format", "csv",
]  # fmt: skip
MONTE_CARLO = [
    "estimate",
    "deepseek-fleet",
    "--uncertainty",
    "100000",
    "--seed",
    "1",
    "--format",
    "json",
]


def costcalc() -> list[str]:
    script = Path(sys.executable).with_name("costcalc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "costcalc"]


def environment(cache: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["COSTCALC_CACHE_DIR"] = str(cache)
    return env


def paired_medians(
    baseline: list[str], command: list[str], env: dict[str, str], runs: int
) -> tuple[float, float]:
    """Median wall times of two commands, run alternately so both see the same load."""
    for warm_up in (baseline, command):
        subprocess.run(warm_up, stdout=subprocess.DEVNULL, env=env, check=True)
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for series, argv in zip(times, (baseline, command), strict=True):
            start = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, env=env, check=True)
            series.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def time_and_peak_memory(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and peak resident memory (MB) of one run, measured by a child Python."""
    probe = textwrap.dedent(
        """
        import resource, subprocess, sys, time
        start = time.perf_counter()
        subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
        elapsed = time.perf_counter() - start
        print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
        """
    )
    output = subprocess.run(
        [sys.executable, "-c", probe, *command], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    return float(output[0]), float(output[1])


def count_rows(command: list[str], env: dict[str, str]) -> int:
    with subprocess.Popen(command, stdout=subprocess.PIPE, env=env) as process:
        assert process.stdout is not None
        return sum(1 for _ in process.stdout) - 1  # minus the header


def main() -> int:
    quick = "--quick" in sys.argv
    runs = 7 if quick else 21
    results: list[tuple[str, str, str, bool]] = []
    with tempfile.TemporaryDirectory() as folder:
        env = environment(Path(folder) / "cache")
        app = Path(folder) / "minimal_typer_app.py"
        app.write_text(MINIMAL_TYPER_APP)

        minimal = [sys.executable, str(app), "--name", "x"]
        for label, args in (
            (
                "costcalc estimate deepseek-v3 --format json",
                ["estimate", "deepseek-v3", "--format", "json"],
            ),
            ("costcalc --help", ["--help"]),
        ):
            baseline, median = paired_medians(minimal, [*costcalc(), *args], env, runs)
            ratio = median / baseline
            results.append(
                (
                    f"start-up: {label}",
                    f"{median * 1000:.0f} ms vs {baseline * 1000:.0f} ms minimal typer app"
                    f" = {ratio:.2f}x",
                    "<= 1.3x",
                    ratio <= 1.3,
                )
            )

        rows = count_rows([*costcalc(), *MILLION_ROW_SWEEP], env)
        seconds, peak = time_and_peak_memory([*costcalc(), *MILLION_ROW_SWEEP], env)
        results.append(
            (
                f"sweep: {rows:,} rows to CSV",
                f"{seconds:.2f} s ({rows / seconds:,.0f} rows/s), peak {peak:.0f} MB",
                "< 10 s, < 500 MB",
                rows >= 1_000_000 and seconds < 10 and peak < 500,
            )
        )

        seconds, peak = time_and_peak_memory([*costcalc(), *MONTE_CARLO], env)
        results.append(
            (
                "Monte Carlo: 100,000 draws (deepseek-fleet), whole command",
                f"{seconds:.2f} s, peak {peak:.0f} MB",
                "< 2 s",
                seconds < 2,
            )
        )

    width = max(len(name) for name, *_ in results)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    for name, measured, target, ok in results:
        print(f"{name:<{width}}  {measured}  (target {target}: {'ok' if ok else 'MISSED'})")
    return 0 if all(ok for *_, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
