"""Numbers for people: tonnes from kg, percentages, with the locale's grouping."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()

KG_PER_TONNE = Decimal(1000)


def _rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@register.filter
def tonnes(kg, places=1):
    """kg → tonnes, half-up to `places` decimals, grouped per locale: 12345678 → "12,345.7"."""
    if kg in (None, ""):
        return "—"
    value = _rounded(Decimal(kg) / KG_PER_TONNE, int(places))
    return number_format(value, int(places), use_l10n=True, force_grouping=True)


@register.filter
def mwh(kwh, places=1):
    """kWh → MWh, half-up to `places` decimals, grouped per locale."""
    return tonnes(kwh, places)  # the same division by 1,000


@register.filter
def number(value, places=0):
    """A plain number, grouped per locale."""
    if value in (None, ""):
        return "—"
    return number_format(_rounded(Decimal(value), int(places)), int(places), force_grouping=True)


@register.filter
def percent(value, places=1):
    if value in (None, ""):
        return "—"
    return f"{number_format(_rounded(Decimal(value), int(places)), int(places))} %"


@register.filter
def signed_percent(value, places=1):
    """A change: "+3.1 %", "−8.6 %" (a real minus sign), "—" when unknown."""
    if value in (None, ""):
        return "—"
    rounded = _rounded(Decimal(value), int(places))
    text = number_format(abs(rounded), int(places))
    if rounded > 0:
        return f"+{text} %"
    if rounded < 0:
        return f"−{text} %"
    return f"{text} %"
