"""A spend in CNY of year Y, in the US dollars of the spend dataset's price year (2021).

The shipped spend-based factors (US EPA Supply Chain GHG Emission Factors v1.2) are kg CO2e
per US dollar of 2021, purchaser price. A purchase recorded in 元 of year Y is first turned
into US dollars of year Y at that year's average exchange rate, then into dollars of 2021 with
the US CPI-U (annual averages):

    usd_2021 = cny / cny_per_usd[Y] × cpi[2021] / cpi[Y]

in Decimal, rounded once at the end (half-up, 12 places, as every stored quantity is).
A spend recorded in US dollars skips the exchange rate. Pure: no database, no pint conversion
between currencies (units.py keeps CNY and USD apart on purpose). docs/methodology.md,
"Spend-based factors (Scope 3)", explains the method and a worked example.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .calculation import round_quantity
from .units import UnitError, convert

PRICE_YEAR = 2021  # the dataset's dollars: "kg CO2e/2021 USD, purchaser price"

# Yuan per US dollar, annual average, as China's National Bureau of Statistics publishes it
# (the year's average of the central parity rate; the annual statistical communiqué
# 国民经济和社会发展统计公报 says "全年人民币平均汇率为1美元兑 … 元人民币", and the China
# Statistical Yearbook lists it per 100 US dollars). Checked against:
#   2015–2018: China Statistical Yearbook, per 100 USD 622.84, 664.23, 675.18, 661.74, as
#              tabulated in Wikipedia's "List of renminbi exchange rates"
#              (https://wikimili.com/en/List_of_renminbi_exchange_rates); 2015 also
#              https://beichengdai.net/big5/huilv_581201 ("2015年美元兌人民幣平均匯率為6.2284").
#   2018–2019: http://www.suiyishop.cn/Home/4666546.html (2019: 6.8985, 2018: 6.6174).
#   2020:      2020 communiqué, as summarised at https://chinaservicesinfo.com/s/202103/01/
#              WS6056104b498e7a02c6f69fa1/chinas-economic-and-social-progress-in-2020.html
#              ("came in at 6.8974").
#   2022–2023: https://www.laitimes.com/en/article/6avi8_6r7t3.html (2023: 7.0467, compared
#              with 6.7261 in 2022).
# 2021, 2024 and 2025 are left out: no source for them could be checked. A purchase of those
# years in CNY is refused with a message naming the years covered; add a year here, with its
# source, once the communiqué's figure is checked.
CNY_PER_USD: dict[int, Decimal] = {
    2015: Decimal("6.2284"),
    2016: Decimal("6.6423"),
    2017: Decimal("6.7518"),
    2018: Decimal("6.6174"),
    2019: Decimal("6.8985"),
    2020: Decimal("6.8974"),
    2022: Decimal("6.7261"),
    2023: Decimal("7.0467"),
}

# US Bureau of Labor Statistics, CPI for All Urban Consumers (CPI-U), U.S. city average, all
# items, not seasonally adjusted, 1982–84=100, annual average (series CUUR0000SA0).
# Checked against:
#   2015:      237.02 at https://statinvestor.com/data/30997/usa-consumer-price-index-cpi
#              (two decimals); 237.017 in public code tables that cite CUUR0000SA0.
#   2016–2022: the mean of the twelve monthly indexes at
#              https://gist.github.com/rlvaugh/e8454af7d7904a9f1e975c8365739b35 (BLS monthly
#              CPI-U), rounded to 3 places as BLS rounds its annual averages.
#   2021–2023: https://www.inflationdata.com/Inflation/Consumer_Price_Index/HistoricalCPI.aspx
#              ("Ave." column: 270.970, 292.655, 304.702).
#   2024–2025: https://www.bls.gov/regions/mid-atlantic/data/xg-tables/ro3xg01.htm (U.S. city
#              average, "Annual average 2024" 313.689 and "Annual average 2025" 321.943).
US_CPI_U: dict[int, Decimal] = {
    2015: Decimal("237.017"),
    2016: Decimal("240.007"),
    2017: Decimal("245.120"),
    2018: Decimal("251.107"),
    2019: Decimal("255.657"),
    2020: Decimal("258.811"),
    2021: Decimal("270.970"),
    2022: Decimal("292.655"),
    2023: Decimal("304.702"),
    2024: Decimal("313.689"),
    2025: Decimal("321.943"),
}

ONE = Decimal(1)
SHOWN_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class SpendConversion:
    """How a spend became dollars of the price year, with every number used.

    `amount_cny` is the spend in CNY; a spend recorded in US dollars keeps its amount in USD
    there, with `currency` "USD" and `cny_per_usd` 1 (no exchange rate is used).
    """

    amount_cny: Decimal
    year: int
    cny_per_usd: Decimal
    cpi_year: Decimal
    cpi_price_year: Decimal
    usd_price_year: Decimal  # rounded half-up to 12 places
    currency: str = "CNY"

    def steps(self) -> str:
        """The arithmetic as people read it, e.g. for the record page and the audit trail."""
        values = {
            "amount": _amount(self.amount_cny),
            "rate": _plain(self.cny_per_usd),
            "year": self.year,
            "cpi_price_year": _plain(self.cpi_price_year),
            "cpi_year": _plain(self.cpi_year),
            "price_year": PRICE_YEAR,
            "result": _shown(self.usd_price_year),
        }
        if self.currency == "USD":
            return (
                _(
                    "%(amount)s USD (%(year)s) × CPI-U %(cpi_price_year)s (%(price_year)s) / "
                    "%(cpi_year)s (%(year)s) = %(result)s USD of %(price_year)s"
                )
                % values
            )
        return (
            _(
                "%(amount)s CNY ÷ %(rate)s CNY/USD (%(year)s) × CPI-U %(cpi_price_year)s "
                "(%(price_year)s) / %(cpi_year)s (%(year)s) = %(result)s USD of %(price_year)s"
            )
            % values
        )


def _plain(value: Decimal) -> str:
    """A number as written in a table: thousands separated, no exponent, no locale."""
    return f"{value:,f}"


def _amount(value: Decimal) -> str:
    """The spend as typed: a stored 420000.000000 reads 420,000."""
    whole = value == value.to_integral_value()
    return _plain(value.quantize(Decimal(1)) if whole else value.normalize())


def _shown(value: Decimal) -> str:
    """The result to the cent, with … where the stored value has more digits."""
    shown = value.quantize(SHOWN_PLACES, rounding=ROUND_HALF_UP)
    return f"{shown:,f}" + ("" if shown == value else "…")


def _years(table: dict[int, Decimal]) -> str:
    """The years a table covers, runs joined: "2015–2020, 2022–2023"."""
    runs: list[list[int]] = []
    for year in sorted(table):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


def _currency(quantity: Decimal, unit: str) -> tuple[Decimal, str]:
    """The amount in CNY or in USD (万元 → 元), or a ValidationError naming the unit."""
    for currency in ("CNY", "USD"):
        try:
            return convert(quantity, unit, currency), currency
        except UnitError:
            continue
    raise ValidationError(
        _("%(unit)s is not an amount of money: write the spend in 元, 万元 (CNY) or USD.")
        % {"unit": repr(unit)},
        code="not_money",
    )


def to_price_year_dollars(
    quantity: Decimal, unit: str, year: int, *, own_rates: dict[int, Decimal] | None = None
) -> SpendConversion:
    """A spend of `year` in `unit` (元, 万元, CNY, USD …) as US dollars of PRICE_YEAR.

    `own_rates`: the organisation's own CNY per USD by year (models.ExchangeRate, entered
    with their source in the admin); they come before the shipped table, as the
    organisation's own factors come before shipped ones.
    """
    amount, currency = _currency(Decimal(quantity), unit)
    rates = CNY_PER_USD | (own_rates or {})
    if currency == "USD":
        rate = ONE
    elif year in rates:
        rate = rates[year]
    else:
        raise ValidationError(
            _(
                "No CNY/USD exchange rate for %(year)s; the table covers %(years)s. An "
                "administrator can add the year's rate, with its source, under Exchange rates "
                "in the admin."
            )
            % {"year": year, "years": _years(rates)},
            code="no_exchange_rate",
        )
    if year not in US_CPI_U:
        raise ValidationError(
            _("No US CPI-U annual average for %(year)s; the table covers %(years)s.")
            % {"year": year, "years": _years(US_CPI_U)},
            code="no_cpi",
        )
    cpi_year, cpi_price_year = US_CPI_U[year], US_CPI_U[PRICE_YEAR]
    with localcontext() as exact:
        # Both products are exact at this precision: one division, then the one rounding.
        exact.prec = 60
        usd = round_quantity((amount * cpi_price_year) / (rate * cpi_year))
    return SpendConversion(
        amount_cny=amount,
        year=year,
        cny_per_usd=rate,
        cpi_year=cpi_year,
        cpi_price_year=cpi_price_year,
        usd_price_year=usd,
        currency=currency,
    )
