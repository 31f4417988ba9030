"""A supplier's intensity from the energy it used and what it made (no footprint of its own).

kg per unit of output of CO2, CH4 and N2O = Σ energy × the library's factor ÷ output, with
the organisation's factor series and the factor rule's region and year (China, else the IPCC
defaults): grid electricity (national average: the supplier's province is not asked),
natural gas per Nm³ (GB/T 32151.34) and bituminous coal per tonne (IPCC 2006). Stored per gas,
so a change of GWP basis recalculates it like any other factor. It covers the supplier's
energy only (their Scope 1 and 2 for the output), not what they bought: a gate-to-gate
figure, which is why it ranks below a product footprint.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from emissions.factors.calculation import amounts_from_factor
from emissions.factors.choice import choose, region_levels, unit_converts
from emissions.factors.selectors import factors_in_group
from emissions.factors.units import to_factor_unit

PER_UNIT = Decimal("0.000000000001")  # the factor columns' 12 decimal places
ENERGY = (
    ("electricity_kwh", "grid_electricity", "kWh"),
    ("natural_gas_m3", "natural_gas_stationary", "Nm3"),
    ("coal_t", "bituminous_coal_stationary", "t"),
)


@dataclass(frozen=True)
class Intensity:
    co2_kg: Decimal
    ch4_kg: Decimal
    n2o_kg: Decimal
    explanation: str


def energy_intensity(line, year: int, organisation) -> Intensity:
    levels = region_levels(province="", grid_region="", country="CN")
    totals = {"co2_kg": Decimal(0), "ch4_kg": Decimal(0), "n2o_kg": Decimal(0)}
    parts = []
    for field, group, unit in ENERGY:
        amount = getattr(line, field) or Decimal(0)
        if not amount:
            continue
        factors = factors_in_group(
            group, series=organisation.factor_series, regions=["CN", "GLOBAL"]
        )
        choice = choose(factors, levels, year, unit, converts=lambda f, u=unit: unit_converts(u, f))
        if choice is None:
            raise ValidationError(
                _("No factor for %(group)s to turn the supplier's energy into emissions.")
                % {"group": group}
            )
        quantity = to_factor_unit(amount, unit, choice.factor.unit)
        amounts = amounts_from_factor(quantity, choice.factor)
        for gas in totals:
            totals[gas] += getattr(amounts, gas)
        parts.append(f"{amount} {unit} × {choice.factor.key}")
    output = line.output_quantity
    per_unit = {
        gas: (total / output).quantize(PER_UNIT, rounding=ROUND_HALF_UP)
        for gas, total in totals.items()
    }
    explanation = _("(%(parts)s) ÷ %(output)s %(unit)s of output") % {
        "parts": " + ".join(parts) or "0",
        "output": output,
        "unit": line.product.declared_unit,
    }
    return Intensity(explanation=explanation, **per_unit)
