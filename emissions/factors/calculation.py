"""The pure arithmetic: per-gas kg from a quantity and a factor, and CO2e from per-gas kg.

Every stored kg value is rounded half-up to 6 decimal places (1 mg); CO2e is computed from
the rounded per-gas values, so a recalculation in SQL reproduces it exactly.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

KG_PLACES = Decimal("0.000001")
QUANTITY_PLACES = Decimal("0.000000000001")
ZERO = Decimal("0")


def round_kg(value: Decimal) -> Decimal:
    return value.quantize(KG_PLACES, rounding=ROUND_HALF_UP)


def round_quantity(value: Decimal) -> Decimal:
    return value.quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class GasAmounts:
    co2_kg: Decimal = ZERO
    ch4_kg: Decimal = ZERO
    n2o_kg: Decimal = ZERO
    other_gas_kg: Decimal = ZERO
    published_co2e_kg: Decimal = ZERO
    biogenic_co2_kg: Decimal = ZERO


def amounts_from_factor(quantity: Decimal, factor) -> GasAmounts:
    """kg of each gas for `quantity` (already in the factor's unit) of the factor's activity."""

    def times(per_unit: Decimal | None) -> Decimal:
        return ZERO if per_unit is None else round_kg(quantity * per_unit)

    return GasAmounts(
        co2_kg=times(factor.co2_kg),
        ch4_kg=times(factor.ch4_kg),
        n2o_kg=times(factor.n2o_kg),
        published_co2e_kg=times(factor.co2e_kg),
        biogenic_co2_kg=times(factor.biogenic_co2_kg),
    )


@dataclass(frozen=True)
class GwpSet:
    """The GWPs one inventory uses: CH4 and N2O, plus the other gas of a record if any."""

    ch4: Decimal
    n2o: Decimal
    other: Decimal = ZERO


def co2e_kg(amounts: GasAmounts, gwp: GwpSet) -> Decimal:
    """CO2e = CO2 + CH4×GWP + N2O×GWP + other gas×GWP + a published CO2e; biogenic CO2 excluded."""
    return round_kg(
        amounts.co2_kg
        + amounts.ch4_kg * gwp.ch4
        + amounts.n2o_kg * gwp.n2o
        + amounts.other_gas_kg * gwp.other
        + amounts.published_co2e_kg
    )
