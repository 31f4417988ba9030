"""The one pint registry, and conversion of activity quantities into a factor's unit.

Decimal throughout: the registry is built with non_int_type=Decimal so pint's own
definitions (1 gallon = 231 cubic inch, ...) convert without float rounding.
"""

from decimal import Decimal
from functools import lru_cache

import pint

registry = pint.UnitRegistry(non_int_type=Decimal)
registry.define("passenger = [passenger]")
registry.define("night = [night]")

MASS = registry.kilogram.dimensionality
VOLUME = registry.litre.dimensionality
ENERGY = registry.gigajoule.dimensionality


class UnitError(ValueError):
    """A unit that is unknown, or cannot be converted to the unit a factor needs."""


@lru_cache(maxsize=512)
def parse_unit(text: str) -> pint.Unit:
    cleaned = (text or "").strip()
    if not cleaned:
        raise UnitError("Enter a unit, e.g. kWh, m**3, L, t or passenger*km.")
    try:
        unit = registry.parse_units(cleaned)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, ValueError):
        raise UnitError(f"Unknown unit {cleaned!r}.") from None
    except Exception:  # pint raises assorted parser errors for garbage input
        raise UnitError(f"Unknown unit {cleaned!r}.") from None
    return unit


def convert(quantity: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Convert between units of the same dimension, exactly in Decimal."""
    return Decimal(quantity) * _ratio(from_unit, to_unit)


@lru_cache(maxsize=1024)
def _ratio(from_unit: str, to_unit: str) -> Decimal:
    # One pint conversion per pair of units, then a Decimal multiplication per quantity:
    # pint's conversion is the slow part of importing or recalculating many records.
    source, target = parse_unit(from_unit), parse_unit(to_unit)
    if source.dimensionality != target.dimensionality:
        raise UnitError(
            f"The unit {from_unit!r} cannot be converted to {to_unit!r} "
            f"({source.dimensionality} is not {target.dimensionality})."
        )
    return registry.Quantity(Decimal(1), source).to(target).magnitude


def to_factor_unit(
    quantity: Decimal,
    record_unit: str,
    factor_unit: str,
    *,
    density_kg_per_l: Decimal | None = None,
    ncv_gj_per_t: Decimal | None = None,
) -> Decimal:
    """Express an activity quantity in the factor's unit.

    Same dimension: a plain unit conversion. A fuel measured by volume or mass against a
    per-mass or per-energy factor goes volume -> mass (density) -> energy (net calorific
    value); the activity type supplies both, with their source.
    """
    ratio = _factor_unit_ratio(record_unit, factor_unit, density_kg_per_l, ncv_gj_per_t)
    return Decimal(quantity) * ratio


@lru_cache(maxsize=1024)
def _factor_unit_ratio(
    record_unit: str,
    factor_unit: str,
    density_kg_per_l: Decimal | None,
    ncv_gj_per_t: Decimal | None,
) -> Decimal:
    """How many factor units one record unit is (errors are raised, not cached)."""
    quantity = Decimal(1)
    source, target = parse_unit(record_unit), parse_unit(factor_unit)
    if source.dimensionality == target.dimensionality:
        return convert(quantity, record_unit, factor_unit)
    dimension, value = source.dimensionality, Decimal(quantity)
    unit = record_unit
    if dimension == VOLUME and target.dimensionality in (MASS, ENERGY):
        if density_kg_per_l is None:
            raise _missing_property(record_unit, factor_unit, "density (kg/L)")
        value, unit, dimension = convert(value, unit, "L") * density_kg_per_l, "kg", MASS
    if dimension == MASS and target.dimensionality == ENERGY:
        if ncv_gj_per_t is None:
            raise _missing_property(record_unit, factor_unit, "net calorific value (GJ/t)")
        value, unit, dimension = convert(value, unit, "t") * ncv_gj_per_t, "GJ", ENERGY
    if dimension != target.dimensionality:
        raise UnitError(
            f"The record's unit {record_unit!r} ({source.dimensionality}) does not match "
            f"the factor's unit {factor_unit!r} ({target.dimensionality})."
        )
    return convert(value, unit, factor_unit)


def _missing_property(record_unit: str, factor_unit: str, what: str) -> UnitError:
    return UnitError(
        f"The record's unit {record_unit!r} does not match the factor's unit {factor_unit!r}: "
        f"converting would need the fuel's {what}, which this activity type does not record."
    )


def can_convert(
    record_unit: str,
    factor_unit: str,
    *,
    density_kg_per_l: Decimal | None = None,
    ncv_gj_per_t: Decimal | None = None,
) -> bool:
    try:
        to_factor_unit(
            Decimal(1),
            record_unit,
            factor_unit,
            density_kg_per_l=density_kg_per_l,
            ncv_gj_per_t=ncv_gj_per_t,
        )
    except UnitError:
        return False
    return True
