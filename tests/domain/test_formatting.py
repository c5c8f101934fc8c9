"""The one formatter: each named style against strings written out by hand."""

from __future__ import annotations

import math
from datetime import date

import pytest

from app.domain.formatting import (
    format_age_days,
    format_count,
    format_date,
    format_interval,
    format_money,
    format_months,
    format_number,
    format_per_1k,
    format_per_request,
    format_price_per_mtok,
    format_ratio,
    format_share,
    format_volume,
    plural,
    significant,
)


@pytest.mark.parametrize(
    ("value", "style", "text"),
    [
        (13_500, "exact", "$13,500"),
        (12.5, "exact", "$12.50"),
        (-1_200, "exact", "-$1,200"),
        (0, "exact", "$0"),
        (13_500_000, "exact", "$13,500,000"),
        (0, "compact", "$0"),
        (12.5, "compact", "$12.50"),
        (950, "compact", "$950"),
        (12_500, "compact", "$12.5K"),
        (13_000, "compact", "$13K"),
        (1_234_567, "compact", "$1.2M"),
        (999_960, "compact", "$1M"),
        (3.4e9, "compact", "$3.4B"),
        (-2_100, "compact", "-$2.1K"),
        (3_980, "figure", "$3,980"),
        (999_999, "figure", "$999,999"),
        (1_234_567, "figure", "$1.23M"),
        (1.5e6, "figure", "$1.5M"),
        (0.00421, "figure", "$0.00"),
        (0.000435, "per_request", "$0.000435"),
        (0.0155, "per_request", "$0.0155"),
        (0.00002, "per_request", "$0.0000200"),
        (1.234, "per_request", "$1.23"),
        (0, "per_request", "$0"),
        (5.0, "price", "$5.00"),
        (0.3, "price", "$0.30"),
        (0.075, "price", "$0.075"),
        (0.0005, "price", "$0.00050"),
        (0, "price", "$0"),
        (208.8506, "cents", "$208.85"),
        (1_234.5, "cents", "$1,234.50"),
    ],
)
def test_money_styles(value: float, style: str, text: str) -> None:
    assert format_money(value, style) == text  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [None, math.inf, -math.inf, math.nan])
def test_money_that_is_not_a_number_reads_n_a(bad: float | None) -> None:
    for style in ("exact", "compact", "figure", "per_request", "price"):
        assert format_money(bad, style) == "n/a"  # type: ignore[arg-type]


def test_shorthands_are_the_named_styles() -> None:
    assert format_per_request(0.0155) == format_money(0.0155, "per_request")
    assert format_price_per_mtok(0.075) == format_money(0.075, "price")


def test_per_1k_scales_the_per_request_cost() -> None:
    # 0.000072 $/request * 1,000 requests = $0.072 per 1k, written with three significant digits.
    assert format_per_1k(0.000072) == "$0.0720 per 1k requests"
    assert format_per_1k(0.0155) == "$15.50 per 1k requests"
    assert format_per_1k(None) == "n/a"


@pytest.mark.parametrize(
    ("value", "style", "text"),
    [
        (3.44, "long", "3.4 months"),
        (1.0, "long", "1.0 month"),
        (1.04, "long", "1.0 month"),
        (0.0903, "long", "2.7 days"),
        (0.0329, "long", "1.0 day"),
        (2_687.5, "long", "224 years"),
        (None, "long", "never"),
        (math.inf, "long", "never"),
        (0.05, "short", "< 0.1 mo"),
        (3.24, "short", "3.2 mo"),
        (40.4, "short", "40 mo"),
        (None, "short", "never"),
        (6.0, "whole", "6 months"),
        (1.0, "whole", "1 month"),
        (2.5, "whole", "2.5 months"),
    ],
)
def test_months_styles(value: float | None, style: str, text: str) -> None:
    assert format_months(value, style) == text  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "style", "text"),
    [
        (950, "short", "950"),
        (12_500, "short", "12.5K"),
        (6_435_367, "short", "6.4M"),
        (10_000_000, "short", "10.0M"),
        (999_960, "short", "1.0M"),
        (2e9, "short", "2.00B"),
        (6_435_367, "full", "6,435,367"),
        (math.nan, "short", "n/a"),
    ],
)
def test_volume_styles(value: float, style: str, text: str) -> None:
    assert format_volume(value, style) == text  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (12_345_678, 3, "12.3M"),
        (950, 3, "950"),
        (999_960, 3, "1M"),
        (2_500, 3, "2.5K"),
        (0.00123, 3, "0.00123"),
        (-45_000, 3, "-45K"),
        (1.5e12, 3, "1.5T"),
        (0, 3, "0"),
    ],
)
def test_rounded_numbers(value: float, digits: int, text: str) -> None:
    assert format_number(value, digits) == text


def test_significant_digits_are_written_out() -> None:
    assert significant(0.00042137) == "0.000421"
    assert significant(1234.5) == "1,230"
    assert significant(0.0) == "0"


@pytest.mark.parametrize(
    ("count", "noun", "text"),
    [
        (1, "token", "1 token"),
        (2, "token", "2 tokens"),
        (0, "run", "0 runs"),
        (1, "run", "1 run"),
        (1_234, "item", "1,234 items"),
        (1, "day", "1 day"),
        (3, "day", "3 days"),
        (2, "query", "2 queries"),
        (2, "box", "2 boxes"),
    ],
)
def test_counts_take_the_right_plural(count: int, noun: str, text: str) -> None:
    assert format_count(count, noun) == text


def test_irregular_plural_is_given() -> None:
    assert plural(2, "child", "children") == "children" and plural(1, "child", "children") == "child"


def test_shares_ratios_dates_and_ages() -> None:
    assert format_share(0.912) == "91.2%"
    assert format_share(0.9, 0) == "90%"
    assert format_share(None) == "unknown"
    assert format_interval(0.881, 0.94) == "88.1%–94.0%"
    assert format_ratio(19.53) == "19.5×" and format_ratio(7.8123) == "7.81×" and format_ratio(None) == "n/a"
    assert format_ratio(123.4) == "123×"
    assert format_date(date(2026, 11, 23)) == "2026-11-23"
    assert (
        format_age_days(0) == "today" and format_age_days(1) == "1 day" and format_age_days(12) == "12 days"
    )
    assert format_age_days(107) == "3.5 months" and format_age_days(438) == "14.4 months"
    assert format_age_days(1000) == "2.7 years"
