"""Energy carriers and their standard-coal coefficients (GB/T 2589-2020, 综合能耗计算通则).

Chinese enterprise energy statistics report comprehensive energy consumption (综合能耗) in tonnes
of standard coal equivalent (tce, 吨标准煤): each carrier's physical quantity times its reference
coefficient from the standard's Appendix A (各种能源折标准煤参考系数). The coefficients are kept
here as the standard writes them (kgce per kg, m³, kWh or MJ); `Carrier.tce_per_unit` turns each
into tonnes of coal equivalent per the unit the energy table shows, through the pint registry.

Which activity types are energy carriers (emissions/activities/catalogue.py): the Scope 1 fuels
and the Scope 2 purchased electricity, heat and steam, plus on-site renewable electricity
consumed. Scope 3 activities are other companies' energy, refrigerant leaks are no energy: neither
has a carrier. Electricity is taken at its calorific equivalent (当量值, 0.1229 kgce/kWh = 3.6 MJ
per kWh), not at the power-supply coal consumption (等价值), and so is own renewable electricity:
the energy the site consumed, shown on a row of its own so that a filing that leaves it out can.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from .units import convert, to_factor_unit

STANDARD = "GB/T 2589-2020"
APPENDIX_A = "GB/T 2589-2020 附录A 各种能源折标准煤参考系数"
# tce and physical quantities are kept to 6 decimals: 1 g of coal equivalent, 1 mL, 0.001 Wh.
PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class Carrier:
    """One energy carrier as the energy table shows it, with its GB/T 2589 coefficient."""

    code: str
    name: str
    # The unit the table shows its physical quantity in: a pint spelling, and as people write it.
    unit: str
    unit_label: str
    # The coefficient as Appendix A writes it: kgce per one `coefficient_unit`.
    kgce: Decimal
    coefficient_unit: str
    coefficient_label: str
    source: str
    renewable: bool = False

    @property
    def tce_per_unit(self) -> Decimal:
        """Tonnes of coal equivalent per one `unit`: kgce/1,000 × (coefficient units per unit)."""
        return (self.kgce * convert(Decimal(1), self.unit, self.coefficient_unit)).scaleb(-3)

    def tce(self, quantity: Decimal) -> Decimal:
        """tce of `quantity` (in `unit`), half-up to 6 decimals (grams of coal equivalent)."""
        return (quantity * self.tce_per_unit).quantize(PLACES, rounding=ROUND_HALF_UP)


def _carrier(code, name, unit, unit_label, kgce, per, per_label, source, **flags) -> Carrier:
    return Carrier(
        code=code,
        name=name,
        unit=unit,
        unit_label=unit_label,
        kgce=Decimal(kgce),
        coefficient_unit=per,
        coefficient_label=f"{kgce} kgce/{per_label}",
        source=source,
        **flags,
    )


ELECTRICITY_SOURCE = f"{APPENDIX_A}: 电力（当量值）3,600 kJ/kWh, 0.1229 kgce/kWh"
# In the order the energy table lists them.
CARRIERS = [
    _carrier(
        "electricity",
        _("Electricity (grid, calorific equivalent)"),
        "kWh",
        "kWh",
        "0.1229",
        "kWh",
        "kWh",
        ELECTRICITY_SOURCE,
    ),
    _carrier(
        "onsite_renewable_electricity",
        _("On-site renewable electricity consumed (calorific equivalent)"),
        "kWh",
        "kWh",
        "0.1229",
        "kWh",
        "kWh",
        ELECTRICITY_SOURCE,
        renewable=True,
    ),
    _carrier(
        "heat",
        _("Purchased heat and steam"),
        "GJ",
        "GJ",
        "0.03412",
        "MJ",
        "MJ",
        f"{APPENDIX_A}: 热力（当量值）0.03412 kgce/MJ",
    ),
    _carrier(
        "natural_gas",
        _("Natural gas"),
        "m**3",
        "m³",
        "1.3300",
        "m**3",
        "m³",
        f"{APPENDIX_A}: 天然气 38,931 kJ/m³, 1.3300 kgce/m³ (the calorific value of the "
        "GB/T 32151 natural-gas emission factor, 389.31 GJ/10⁴ Nm³)",
    ),
    _carrier(
        "raw_coal",
        _("Coal"),
        "t",
        "t",
        "0.7143",
        "kg",
        "kg",
        f"{APPENDIX_A}: 原煤 20,908 kJ/kg, 0.7143 kgce/kg",
    ),
    _carrier(
        "coke",
        _("Coke"),
        "t",
        "t",
        "0.9714",
        "kg",
        "kg",
        f"{APPENDIX_A}: 焦炭 28,435 kJ/kg, 0.9714 kgce/kg",
    ),
    _carrier(
        "fuel_oil",
        _("Fuel oil"),
        "t",
        "t",
        "1.4286",
        "kg",
        "kg",
        f"{APPENDIX_A}: 燃料油 41,816 kJ/kg, 1.4286 kgce/kg",
    ),
    _carrier(
        "gasoline",
        _("Gasoline"),
        "t",
        "t",
        "1.4714",
        "kg",
        "kg",
        f"{APPENDIX_A}: 汽油 43,070 kJ/kg, 1.4714 kgce/kg",
    ),
    _carrier(
        "diesel",
        _("Diesel"),
        "t",
        "t",
        "1.4571",
        "kg",
        "kg",
        f"{APPENDIX_A}: 柴油 42,652 kJ/kg, 1.4571 kgce/kg",
    ),
    _carrier(
        "lpg",
        _("Liquefied petroleum gas"),
        "t",
        "t",
        "1.7143",
        "kg",
        "kg",
        f"{APPENDIX_A}: 液化石油气 50,179 kJ/kg, 1.7143 kgce/kg",
    ),
]
CARRIERS_BY_CODE = {carrier.code: carrier for carrier in CARRIERS}
CARRIER_ORDER = {carrier.code: index for index, carrier in enumerate(CARRIERS)}

# The shipped activity types (activities/catalogue.py) that are energy carriers. Coal of any
# rank takes the standard's raw-coal coefficient (the table has no bituminous or anthracite row);
# steam bought by its heat content (GJ) takes the heat coefficient.
CARRIER_OF_ACTIVITY_TYPE = {
    "grid_electricity": "electricity",
    "onsite_solar_consumed": "onsite_renewable_electricity",
    "purchased_heat": "heat",
    "purchased_steam": "heat",
    "natural_gas_stationary": "natural_gas",
    "bituminous_coal_stationary": "raw_coal",
    "anthracite_stationary": "raw_coal",
    "coke_stationary": "coke",
    "fuel_oil_stationary": "fuel_oil",
    "gasoline_stationary": "gasoline",
    "gasoline_vehicles": "gasoline",
    "diesel_stationary": "diesel",
    "diesel_vehicles": "diesel",
    "lpg_stationary": "lpg",
}
# Scope 3 is the value chain's energy, not the enterprise's: never a carrier.
ENERGY_SCOPES = (1, 2)


def carrier_for(activity_type) -> Carrier | None:
    """The carrier an activity type's records are, or None when they are no energy we convert.

    Shipped types by code; an electricity type added later by its flags (all electricity has
    the same calorific equivalent).
    """
    if activity_type.scope not in ENERGY_SCOPES:
        return None
    code = CARRIER_OF_ACTIVITY_TYPE.get(activity_type.code)
    if code is None and activity_type.is_electricity:
        renewable = activity_type.is_renewable_electricity
        code = "onsite_renewable_electricity" if renewable else "electricity"
    return CARRIERS_BY_CODE.get(code) if code else None


def in_carrier_unit(quantity: Decimal, unit: str, carrier: Carrier, activity_type) -> Decimal:
    """`quantity` of `unit` (a factor's unit) in the carrier's unit, half-up to 6 decimals.

    Through the activity type's density and calorific values where the dimensions differ
    (GJ → t, gallons → t, GJ → m³), so the quantity a record was entered in comes back.
    Raises UnitError when the type lacks the property a conversion needs.
    """
    converted = to_factor_unit(
        quantity,
        unit,
        carrier.unit,
        density_kg_per_l=activity_type.density_kg_per_l,
        ncv_gj_per_t=activity_type.ncv_gj_per_t,
        ncv_gj_per_m3=activity_type.ncv_gj_per_m3,
    )
    return converted.quantize(PLACES, rounding=ROUND_HALF_UP)
