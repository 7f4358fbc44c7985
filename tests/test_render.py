"""Rendering: tables fit the terminal, numbers stay whole, machine formats stay raw."""

from __future__ import annotations

import pytest

from costcalc.money import format_money
from costcalc.render import fit_widths, text_bar

TABLE_BORDERS = "┓┃┩│┤┘"


@pytest.mark.parametrize(
    "args",
    [
        ["explain"],
        ["explain", "--currency", "IDR", "--locale", "id_ID"],
        ["estimate", "deepseek-fleet"],
        ["estimate", "deepseek-fleet", "--uncertainty", "500", "--seed", "1"],
        ["sensitivity", "deepseek-fleet"],
        ["compare", "deepseek-v3"],
        ["hardware", "list"],
        ["hardware", "show", "H800"],
        ["presets", "show", "deepseek-fleet"],
        ["check"],
        ["sweep", "deepseek-v3", "--vary", "gpu=H800,H20", "--vary", "price=1,2"],
    ],
)
def test_tables_fit_80_columns_without_cropping(invoke, args, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = invoke(*args, "--format", "table")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    table = [line for line in lines if line[:1] in "┏┃┡│├└"]
    assert table
    assert all(line.rstrip()[-1] in TABLE_BORDERS for line in table)


def test_fit_widths_leaves_tables_that_fit_alone():
    assert fit_widths(["a", "b"], [["1", "2"]], [False, True], 80) is None


def test_fit_widths_squeezes_text_and_keeps_numbers_whole():
    headers = ["name", "amount"]
    rows = [["a very long description " * 4, "$5.576M"]]
    widths = fit_widths(headers, rows, [False, True], 40)
    assert widths is not None
    assert sum(widths) + 3 * 2 + 1 <= 40
    assert widths[1] >= len("$5.576M")


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        (5_576_000, "USD", "en_US", "$5.576M"),
        (294_000, "USD", "en_US", "$294K"),
        (1_624_150_000, "USD", "en_US", "$1.624B"),
        (946_831_833, "USD", "en_US", "$946.8M"),
        (2.0, "USD", "en_US", "$2.00"),
        (4.87e9, "IDR", "id_ID", "Rp4,87\xa0M"),
        # German has no short form for thousands: the amount in full, grouped.
        (194_025.04, "EUR", "de_DE", "194.025,04\xa0€"),
        (5_576_000, "EUR", "de_DE", "5,576\xa0Mio.\xa0€"),
    ],
)
def test_money_shows_four_significant_figures(amount, currency, locale, expected):
    assert format_money(amount, currency, locale) == expected


def test_tornado_bar_is_centred_on_zero():
    assert text_bar((-1.0, 1.0, 1.0), width=8) == "████|████"
    assert text_bar((0.0, 1.0, 1.0), width=8) == "    |████"
    assert text_bar((-0.5, 0.0, 1.0), width=8) == "  ██|    "
