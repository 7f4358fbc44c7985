"""Reading counts and quantities the way users type them."""

from __future__ import annotations

import math

import pytest

from costcalc.errors import UnitError
from costcalc.units import parse_count, parse_quantity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("671B", 671e9),
        ("14.8T", 14.8e12),
        ("2,048", 2048),
        ("2.788e6", 2.788e6),
        ("2664K", 2.664e6),
        ("37B", 37e9),
        ("1.5M", 1.5e6),
        (" 512 ", 512),
        (2048, 2048),
        (0.5, 0.5),
    ],
)
def test_counts_with_suffixes(text, expected):
    assert parse_count(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "B", "1,00", "12 apples", "e5", "1.2.3", "nan", "--1"])
def test_malformed_counts_are_errors(text):
    with pytest.raises(UnitError, match="expected a count"):
        parse_count(text)


@pytest.mark.parametrize("text", ["1e999", float("inf"), float("nan")])
def test_infinite_or_nan_counts_are_errors(text):
    with pytest.raises(UnitError, match="finite"):
        parse_count(text)


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("2 USD/hour", "USD/hour", 2.0),
        ("0.0333 USD/minute", "USD/hour", 1.998),
        ("2 USD/gpu_hour", "USD/hour", 2.0),
        ("700 W", "W", 700.0),
        ("0.7 kW", "W", 700.0),
        ("0.08 USD/kWh", "USD/kWh", 0.08),
        ("80 USD/MWh", "USD/kWh", 0.08),
        ("57 days", "hour", 57 * 24.0),
        ("4 years", "year", 4.0),
        ("184 USD/kW/month", "USD/kW/month", 184.0),
        ("3.35 TB/s", "GB/s", 3350.0),
        ("700", "W", 700.0),
        ("2,048", "W", 2048.0),
    ],
)
def test_quantities_convert_to_the_field_unit(text, unit, expected):
    assert parse_quantity(text, unit) == pytest.approx(expected)


def test_wrong_dimension_names_the_dimension_expected():
    with pytest.raises(UnitError) as caught:
        parse_quantity("700 USD", "W", field="tdp_w")
    message = str(caught.value)
    assert "tdp_w" in message
    assert "a power" in message
    assert "'700 USD'" in message


def test_unknown_unit_is_named():
    with pytest.raises(UnitError, match="unknown unit"):
        parse_quantity("2 bananas/hour", "USD/hour")


@pytest.mark.parametrize("text", ["nan W", "inf W", "1e999 W"])
def test_non_finite_quantities_are_errors(text):
    with pytest.raises(UnitError):
        parse_quantity(text, "W")


def test_unit_without_number_is_an_error():
    with pytest.raises(UnitError, match="a power"):
        parse_quantity("W", "W")


def test_one_registry_for_the_program():
    from costcalc.units import registry

    assert registry() is registry()
    assert math.isclose(registry().Quantity("1 gpu_hour").to("hour").magnitude, 1.0)
