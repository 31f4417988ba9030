"""The activity types Kehui Carbon ships: what staff pick when they enter activity data.

Fuel properties (for converting litres or tonnes to the energy an IPCC per-GJ factor needs):
net calorific values from IPCC 2006 Guidelines Vol. 2 Ch. 1 Table 1.2 (default NCV, TJ/Gg =
GJ/t); liquid densities are typical values inside the fuel standards' ranges, noted per type —
replace them with the supplier's figure where the delivery note gives one.
"""

from decimal import Decimal

from django.db import transaction

from emissions.factors.models import Gas
from emissions.factors.taxonomy import Category

from .models import ActivityType, EmissionMethod

IPCC_NCV = "NCV: IPCC 2006 GL Vol.2 Ch.1 Table 1.2 (default net calorific value)."
DIESEL_DENSITY = "Density 0.84 kg/L: typical, within EN 590's 0.820–0.845 kg/L at 15 °C."
GASOLINE_DENSITY = "Density 0.745 kg/L: typical, within EN 228's 0.720–0.775 kg/L at 15 °C."
LPG_DENSITY = "Density 0.51 kg/L: typical liquid LPG (propane-rich) at 15 °C."
# The calorific value the Chinese natural-gas factor is computed from (emission_factors.csv):
# with it a quantity in kWh, GJ or tonnes reaches the CN per-Nm³ factor, not the global one.
GAS_NCV_PER_M3 = (
    "NCV per standard m³: 389.31 GJ/10⁴ Nm³ = 0.038931 GJ/Nm³, the natural-gas default of "
    "GB/T 32151.34-2024 Annex C Table C.1; Nm³ at 0 °C and 101.325 kPa."
)


def _fuel(
    code, name, name_zh, category, group, unit, *, ncv=None, ncv_m3=None, density=None, notes=""
):
    return {
        "code": code,
        "name": name,
        "name_zh": name_zh,
        "category": category,
        "method": EmissionMethod.FACTOR,
        "factor_group": group,
        "default_unit": unit,
        "ncv_gj_per_t": Decimal(ncv) if ncv else None,
        "ncv_gj_per_m3": Decimal(ncv_m3) if ncv_m3 else None,
        "density_kg_per_l": Decimal(density) if density else None,
        "properties_source": notes,
    }


def _factor(code, name, name_zh, category, group, unit, *, proxy="", **flags):
    return {
        "code": code,
        "name": name,
        "name_zh": name_zh,
        "category": category,
        "method": EmissionMethod.FACTOR,
        "factor_group": group,
        "default_unit": unit,
        "proxy_region": proxy,
        **flags,
    }


def _leak(code, name, name_zh, gas_code):
    return {
        "code": code,
        "name": name,
        "name_zh": name_zh,
        "category": Category.FUGITIVE,
        "method": EmissionMethod.DIRECT_GAS,
        "gas_code": gas_code,
        "default_unit": "kg",
    }


S1, M1 = Category.STATIONARY_COMBUSTION, Category.MOBILE_COMBUSTION
ACTIVITY_TYPES = [
    # Scope 2
    _factor(
        "grid_electricity",
        "Grid electricity",
        "电网电力",
        Category.PURCHASED_ELECTRICITY,
        "grid_electricity",
        "kWh",
        is_electricity=True,
    ),
    _factor(
        "purchased_heat",
        "Purchased heat",
        "外购热力",
        Category.PURCHASED_HEAT,
        "purchased_heat",
        "GJ",
    ),
    _factor(
        "purchased_steam",
        "Purchased steam",
        "外购蒸汽",
        Category.PURCHASED_STEAM,
        "purchased_heat",
        "GJ",
    ),
    {
        "code": "onsite_solar_consumed",
        "name": "On-site solar electricity consumed",
        "name_zh": "自发自用光伏电力",
        "category": Category.PURCHASED_ELECTRICITY,
        "method": EmissionMethod.ZERO,
        "default_unit": "kWh",
        "is_electricity": True,
        "is_renewable_electricity": True,
    },
    # Scope 1 stationary
    _fuel(
        "natural_gas_stationary",
        "Natural gas (boilers, furnaces)",
        "天然气（锅炉、窑炉）",
        S1,
        "natural_gas_stationary",
        "m**3",
        ncv="48.0",
        ncv_m3="0.038931",
        notes=f"{IPCC_NCV} {GAS_NCV_PER_M3}",
    ),
    _fuel(
        "diesel_stationary",
        "Diesel / gas oil (generators, boilers)",
        "柴油（发电机、锅炉）",
        S1,
        "diesel_stationary",
        "L",
        ncv="43.0",
        density="0.84",
        notes=f"{IPCC_NCV} {DIESEL_DENSITY}",
    ),
    _fuel(
        "gasoline_stationary",
        "Motor gasoline (stationary)",
        "汽油（固定源）",
        S1,
        "gasoline_stationary",
        "L",
        ncv="44.3",
        density="0.745",
        notes=f"{IPCC_NCV} {GASOLINE_DENSITY}",
    ),
    _fuel(
        "lpg_stationary",
        "LPG (canteen, heating)",
        "液化石油气",
        S1,
        "lpg_stationary",
        "kg",
        ncv="47.3",
        density="0.51",
        notes=f"{IPCC_NCV} {LPG_DENSITY}",
    ),
    _fuel(
        "fuel_oil_stationary",
        "Residual fuel oil",
        "燃料油",
        S1,
        "fuel_oil_stationary",
        "t",
        ncv="40.4",
        notes=IPCC_NCV,
    ),
    _fuel(
        "bituminous_coal_stationary",
        "Bituminous coal",
        "烟煤",
        S1,
        "bituminous_coal_stationary",
        "t",
        ncv="25.8",
        notes=IPCC_NCV,
    ),
    _fuel(
        "anthracite_stationary",
        "Anthracite",
        "无烟煤",
        S1,
        "anthracite_stationary",
        "t",
        ncv="26.7",
        notes=IPCC_NCV,
    ),
    _fuel(
        "coke_stationary",
        "Coke oven coke",
        "焦炭",
        S1,
        "coke_stationary",
        "t",
        ncv="28.2",
        notes=IPCC_NCV,
    ),
    # Scope 1 mobile
    _fuel(
        "diesel_vehicles",
        "Diesel in company vehicles",
        "公司车辆柴油",
        M1,
        "diesel_mobile",
        "L",
        ncv="43.0",
        density="0.84",
        notes=f"{IPCC_NCV} {DIESEL_DENSITY}",
    ),
    _fuel(
        "gasoline_vehicles",
        "Gasoline in company vehicles",
        "公司车辆汽油",
        M1,
        "gasoline_mobile",
        "L",
        ncv="44.3",
        density="0.745",
        notes=f"{IPCC_NCV} {GASOLINE_DENSITY}",
    ),
    # Scope 1 fugitive: kg of gas released × its GWP
    _leak("refrigerant_r410a", "Refrigerant leak: R-410A", "制冷剂泄漏：R-410A", "R-410A"),
    _leak("refrigerant_r134a", "Refrigerant leak: R-134a", "制冷剂泄漏：R-134a", "HFC-134a"),
    _leak("refrigerant_r404a", "Refrigerant leak: R-404A", "制冷剂泄漏：R-404A", "R-404A"),
    _leak("refrigerant_r407c", "Refrigerant leak: R-407C", "制冷剂泄漏：R-407C", "R-407C"),
    _leak("refrigerant_r32", "Refrigerant leak: R-32", "制冷剂泄漏：R-32", "HFC-32"),
    _leak("sf6_switchgear", "SF6 leak from switchgear", "开关设备六氟化硫泄漏", "SF6"),
    # Scope 3
    _factor(
        "flight_domestic",
        "Flights, domestic",
        "国内航班",
        Category.C6,
        "flight_domestic",
        "passenger*km",
        proxy="GB",
    ),
    _factor(
        "flight_short_haul",
        "Flights, short haul",
        "短途航班",
        Category.C6,
        "flight_short_haul",
        "passenger*km",
        proxy="GB",
    ),
    _factor(
        "flight_long_haul",
        "Flights, long haul",
        "长途航班",
        Category.C6,
        "flight_long_haul",
        "passenger*km",
        proxy="GB",
    ),
    _factor(
        "flight_international",
        "Flights, international",
        "国际航班",
        Category.C6,
        "flight_international",
        "passenger*km",
    ),
    _factor(
        "rail_travel",
        "Rail travel",
        "铁路出行",
        Category.C6,
        "rail_travel",
        "passenger*km",
        proxy="GB",
    ),
    _factor(
        "bus_travel",
        "Bus travel",
        "公交出行",
        Category.C6,
        "bus_travel",
        "passenger*km",
        proxy="GB",
    ),
    _factor(
        "car_travel",
        "Car travel (fuel unknown)",
        "汽车出行（燃料未知）",
        Category.C6,
        "car_unknown_fuel",
        "km",
        proxy="GB",
    ),
    _factor(
        "hotel_nights", "Hotel nights", "酒店住宿", Category.C6, "hotel_night", "night", proxy="GB"
    ),
    # Purchases: a supplier product's own data come first (scope3.py); these say which
    # average factor and which spend sector apply when the supplier has given nothing.
    _factor(
        "purchased_steel",
        "Purchased steel",
        "外购钢材",
        Category.C1,
        "purchased_steel",
        "t",
        spend_sector="331110",
    ),
    _factor(
        "purchased_goods_spend",
        "Purchased goods and services (by spend)",
        "外购商品和服务（按金额）",
        Category.C1,
        "purchased_goods_spend",
        "CNY",
    ),
    _factor(
        "capital_goods_spend",
        "Capital goods: machinery (by spend)",
        "资本货物：机械设备（按金额）",
        Category.C2,
        "capital_goods_spend",
        "CNY",
        spend_sector="333249",
    ),
    _factor(
        "waste_landfill",
        "Waste to landfill (mixed)",
        "填埋废弃物（混合）",
        Category.C5,
        "waste_mixed_landfill",
        "t",
        proxy="GB",
    ),
    _factor(
        "waste_incineration",
        "Waste incinerated (mixed)",
        "焚烧废弃物（混合）",
        Category.C5,
        "waste_mixed_incineration",
        "t",
        proxy="GB",
    ),
    _factor(
        "waste_metal_recycling",
        "Scrap metal recycled",
        "废金属回收",
        Category.C5,
        "waste_metal_recycling",
        "t",
        proxy="GB",
    ),
    _factor(
        "waste_paper_recycling",
        "Paper and board recycled",
        "纸类回收",
        Category.C5,
        "waste_paper_recycling",
        "t",
        proxy="GB",
    ),
    _factor(
        "freight_road",
        "Road freight (inbound)",
        "公路货运（上游）",
        Category.C4,
        "freight_road",
        "t*km",
        proxy="GB",
    ),
    _factor(
        "freight_rail",
        "Rail freight (inbound)",
        "铁路货运（上游）",
        Category.C4,
        "freight_rail",
        "t*km",
        proxy="US",
    ),
    _factor(
        "freight_sea",
        "Sea freight, container (inbound)",
        "海运集装箱（上游）",
        Category.C4,
        "freight_sea_container",
        "t*km",
    ),
    _factor(
        "freight_air",
        "Air freight (inbound)",
        "航空货运（上游）",
        Category.C4,
        "freight_air",
        "t*km",
    ),
]


@transaction.atomic
def load_activity_types() -> tuple[int, int]:
    """Create missing shipped activity types and refresh shipped ones; return (created, updated)."""
    gases = {gas.code: gas for gas in Gas.objects.all()}
    created = updated = 0
    for spec in ACTIVITY_TYPES:
        values = dict(spec)
        code = values.pop("code")
        gas_code = values.pop("gas_code", None)
        values["gas"] = gases[gas_code] if gas_code else None
        values.setdefault("proxy_region", "")
        values.setdefault("spend_sector", "")
        activity_type = ActivityType.objects.filter(code=code).first() or ActivityType(code=code)
        is_new = activity_type.pk is None
        # An unchanged type is not saved: each save queues a job choosing its records' factors
        # again (activities/signals.py), and `make run` loads the catalogue every time.
        if not is_new and all(getattr(activity_type, n) == v for n, v in values.items()):
            continue
        for name, value in values.items():
            setattr(activity_type, name, value)
        activity_type.full_clean()
        activity_type.save()
        created += is_new
        updated += not is_new
    return created, updated
