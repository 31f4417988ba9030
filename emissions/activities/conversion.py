"""What a record's calculation did to its unit, in words: for the record page and import preview.

Pure functions of the record's stored values and its activity type's fuel properties: the
page shows how "10,000 kWh" became the factor's Nm³, says when a gas volume is taken as
standard cubic metres, and when a facility in China got a factor from outside China.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _

from emissions.factors.choice import RegionMatch
from emissions.factors.units import (
    VOLUME,
    Bridge,
    FuelProperties,
    UnitError,
    conversion_steps,
    convert,
    display_unit,
    is_standard_volume,
    parse_unit,
)

CHINA = "CN"
PROPERTY_UNITS = {
    "density_kg_per_l": "kg/L",
    "ncv_gj_per_t": "GJ/t",
    "ncv_gj_per_m3": "GJ/Nm³",
}


@dataclass(frozen=True)
class Conversion:
    text: str  # "10,000 kWh = 36 GJ ÷ 0.038931 GJ/Nm³ = 924.71 Nm³"
    source: str  # where the fuel properties used come from; "" for a plain unit conversion


def explain_conversion(record) -> Conversion | None:
    """The conversion from the record's unit to its factor's; None when there was none."""
    factor = record.factor
    if factor is None or record.quantity is None:
        return None
    try:
        steps = conversion_steps(record.unit, factor.unit, FuelProperties.of(record.activity_type))
        if not steps and parse_unit(record.unit) == parse_unit(factor.unit):
            return None
    except UnitError:
        return None  # a record calculated before its type's properties changed
    value, unit = Decimal(record.quantity), record.unit
    # The quantity as entered, every digit; the steps after it to a readable precision.
    entered = number_format(value.normalize(), use_l10n=True, force_grouping=True)
    parts = [f"{entered} {display_unit(unit)}"]
    for step in steps:
        if parse_unit(unit) != parse_unit(step.from_unit):
            value, unit = convert(value, unit, step.from_unit), step.from_unit
            parts.append(f"= {_number(value)} {_label(unit, step.bridge)}")
        value = value / step.value if step.divide else value * step.value
        unit = step.to_unit
        operator = "÷" if step.divide else "×"
        parts.append(f"{operator} {_number(step.value)} {PROPERTY_UNITS[step.bridge.name]}")
        parts.append(f"= {_number(value)} {_label(unit, step.bridge)}")
    if parse_unit(unit) != parse_unit(factor.unit):
        value = convert(value, unit, factor.unit)
        parts.append(f"= {_number(value)} {display_unit(factor.unit)}")
    source = record.activity_type.properties_source if steps else ""
    return Conversion(" ".join(parts), source)


def _label(unit: str, bridge: Bridge) -> str:
    # The volume a calorific value per standard m³ gives is a standard volume.
    if bridge.name == "ncv_gj_per_m3" and unit == bridge.low_unit:
        return "Nm³"
    return display_unit(unit)


def _number(value: Decimal) -> str:
    """A step's number to a readable precision: 924.71, 36, 0.811063, 10,000."""
    value = Decimal(value)
    if abs(value) >= 100:
        places = 2
    elif abs(value) >= 1:
        places = 4
    elif value:
        places = 5 - value.adjusted()  # six significant digits
    else:
        places = 0
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = number_format(rounded, places, use_l10n=True, force_grouping=True)
    separator = get_format("DECIMAL_SEPARATOR")
    if separator in text:
        text = text.rstrip("0").rstrip(separator)
    return text


def standard_volume_note(unit: str, activity_type) -> str | None:
    """For a gas entered as a plain volume (m³, 立方米): it is taken as standard cubic metres."""
    if FuelProperties.of(activity_type).ncv_gj_per_m3 is None or is_standard_volume(unit):
        return None
    try:
        if parse_unit(unit).dimensionality != VOLUME:
            return None
    except UnitError:
        return None
    return _(
        "%(unit)s of gas is taken as standard cubic metres (Nm³, at 0 °C and 101.325 kPa), "
        "the volume the Chinese natural-gas factor and calorific value are per: convert a "
        "meter reading at other conditions first."
    ) % {"unit": display_unit(unit)}


def fallback_note(record) -> str | None:
    """For a facility in China whose factor is not Chinese: which region it came from."""
    if record.factor is None or record.facility.country != CHINA:
        return None
    if record.factor_region_match not in (RegionMatch.GLOBAL, RegionMatch.PROXY):
        return None
    return _("No Chinese factor for this activity: the %(region)s factor (%(match)s) is used.") % {
        "region": record.factor.region,
        "match": RegionMatch(record.factor_region_match).label,
    }
