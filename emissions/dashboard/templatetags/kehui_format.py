"""Numbers for people: tonnes from kg, percentages, with the locale's grouping."""

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django import template
from django.utils.formats import get_format, number_format
from django.utils.translation import get_language

from emissions.factors.units import display_unit

register = template.Library()

KG_PER_TONNE = Decimal(1000)


def rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@lru_cache(maxsize=16)
def _separators(language: str | None) -> tuple[str, str, int]:
    return (
        get_format("DECIMAL_SEPARATOR"),
        get_format("THOUSAND_SEPARATOR"),
        get_format("NUMBER_GROUPING"),
    )


def grouped(value: Decimal, places: int) -> str:
    """`number_format(value, places, use_l10n=True, force_grouping=True)`, faster.

    A report shows 800 numbers and number_format looks up the locale's three formats for each
    (12 µs a number); the common cases (grouping by 3, or no separator) take 1 µs here. A test
    checks both give the same text.
    """
    decimal_sep, thousand_sep, grouping = _separators(get_language())
    if not value:
        value = abs(value)  # as Django writes it: no "-0.0"
    if thousand_sep and grouping == 3:
        text = f"{value:,.{places}f}"
        return text.translate({ord(","): thousand_sep, ord("."): decimal_sep})
    if not thousand_sep:
        return f"{value:.{places}f}".replace(".", decimal_sep)
    return number_format(value, places, use_l10n=True, force_grouping=True)


@register.filter
def tonnes(kg, places=1):
    """kg → tonnes, half-up to `places` decimals, grouped per locale: 12345678 → "12,345.7"."""
    if kg in (None, ""):
        return "—"
    return grouped(rounded(Decimal(kg) / KG_PER_TONNE, int(places)), int(places))


@register.filter
def mwh(kwh, places=1):
    """kWh → MWh, half-up to `places` decimals, grouped per locale."""
    return tonnes(kwh, places)  # the same division by 1,000


@register.filter
def unit_label(unit):
    """A unit as people write it: "m**3" → "m³", "万千瓦时" → "10⁴ kWh", "t*km" → "t-km"."""
    return display_unit(str(unit)) if unit not in (None, "") else ""


@register.filter
def number(value, places=0):
    """A plain number, grouped per locale."""
    if value in (None, ""):
        return "—"
    return number_format(rounded(Decimal(value), int(places)), int(places), force_grouping=True)


@register.filter
def percent(value, places=1):
    if value in (None, ""):
        return "—"
    return f"{number_format(rounded(Decimal(value), int(places)), int(places))} %"


@register.filter
def signed_percent(value, places=1):
    """A change: "+3.1 %", "−8.6 %" (a real minus sign), "—" when unknown."""
    if value in (None, ""):
        return "—"
    change = rounded(Decimal(value), int(places))
    text = number_format(abs(change), int(places))
    if change > 0:
        return f"+{text} %"
    if change < 0:
        return f"−{text} %"
    return f"{text} %"
