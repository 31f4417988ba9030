"""The pure arithmetic: per-gas kg from a quantity and a factor, and CO2e from per-gas kg.

Every stored kg value is rounded half-up to 6 decimal places (1 mg); CO2e is computed from
the rounded per-gas values, so a recalculation in SQL reproduces it exactly.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

KG_PLACES = Decimal("0.000001")
QUANTITY_PLACES = Decimal("0.000000000001")
ZERO = Decimal("0")


def round_kg(value: Decimal) -> Decimal:
    return value.quantize(KG_PLACES, rounding=ROUND_HALF_UP)


def round_quantity(value: Decimal) -> Decimal:
    return value.quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP)


class GasAmounts(NamedTuple):
    """kg of each gas. A named tuple: as immutable as a frozen dataclass and several times
    quicker to make (every record calculated and every facility-year of market-based Scope 2
    makes one)."""

    co2_kg: Decimal = ZERO
    ch4_kg: Decimal = ZERO
    n2o_kg: Decimal = ZERO
    other_gas_kg: Decimal = ZERO
    published_co2e_kg: Decimal = ZERO
    biogenic_co2_kg: Decimal = ZERO


def amounts_from_factor(quantity: Decimal, factor) -> GasAmounts:
    """kg of each gas for `quantity` (already in the factor's unit) of the factor's activity."""

    # Written out rather than a helper per gas: market-based Scope 2 runs this for every
    # facility-year of a page, a recalculation for every record.
    co2, ch4, n2o = factor.co2_kg, factor.ch4_kg, factor.n2o_kg
    co2e, biogenic = factor.co2e_kg, factor.biogenic_co2_kg
    return GasAmounts(
        co2_kg=ZERO if co2 is None else (quantity * co2).quantize(KG_PLACES, ROUND_HALF_UP),
        ch4_kg=ZERO if ch4 is None else (quantity * ch4).quantize(KG_PLACES, ROUND_HALF_UP),
        n2o_kg=ZERO if n2o is None else (quantity * n2o).quantize(KG_PLACES, ROUND_HALF_UP),
        published_co2e_kg=(
            ZERO if co2e is None else (quantity * co2e).quantize(KG_PLACES, ROUND_HALF_UP)
        ),
        biogenic_co2_kg=(
            ZERO if biogenic is None else (quantity * biogenic).quantize(KG_PLACES, ROUND_HALF_UP)
        ),
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
