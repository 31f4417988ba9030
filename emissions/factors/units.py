"""The one pint registry, units as people write them, and conversion into a factor's unit.

Decimal throughout: the registry is built with non_int_type=Decimal so pint's own
definitions (1 gallon = 231 cubic inch, ...) convert without float rounding.

Bills and statistics write units their own way (度, 万千瓦时, 标准立方米, 吨·公里, m³): a table
of spellings turns each into the expression pint parses, before pint sees it, so pint never
sees Chinese. The same table gives each unit's label as people write it (m³, 10⁴ kWh, t-km),
and every label parses back to its unit: exports import again as they are.

Money is a unit too (元, 万元, USD), one base dimension per currency: CNY never converts to
USD here, because the rate depends on the year (spend.py converts, with the year's rate).
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import pint
from django.utils.translation import gettext as _

registry = pint.UnitRegistry(non_int_type=Decimal)
registry.define("passenger = [passenger]")
registry.define("night = [night]")
# Purchases counted in pieces (cartons, parts): a dimension of its own. "pcs" is pint's parsec,
# so the spelling table below sends every way of writing pieces here first.
registry.define("piece = [piece]")
# 万 (ten thousand) units, as Chinese energy statistics and gas bills count.
registry.define("wan_kilowatt_hour = 10000 * kilowatt_hour = wan_kWh")
registry.define("wan_cubic_meter = 10000 * meter ** 3 = wan_m3")
# Currencies: each its own dimension, so pint converts 万元 to 元 but never 元 to US dollars.
registry.define("CNY = [currency_cny] = yuan")
registry.define("wan_CNY = 10000 * CNY = wan_yuan")
registry.define("USD = [currency_usd] = US_dollar")

MASS = registry.kilogram.dimensionality
VOLUME = registry.litre.dimensionality
ENERGY = registry.gigajoule.dimensionality


class UnitError(ValueError):
    """A unit that is unknown, or cannot be converted to the unit a factor needs."""


@dataclass(frozen=True)
class Spelling:
    """A unit as pint parses it and as people write it."""

    pint: str
    label: str
    # Written as a standard (normal) cubic metre: a gas volume at the standard's reference
    # state, which is what the Chinese natural-gas factor is per.
    standard: bool = False


KWH = Spelling("kWh", "kWh")
WAN_KWH = Spelling("wan_kWh", "10⁴ kWh")
MWH = Spelling("MWh", "MWh")
CUBIC_METRE = Spelling("m**3", "m³")
STANDARD_CUBIC_METRE = Spelling("m**3", "Nm³", standard=True)
WAN_CUBIC_METRE = Spelling("wan_m3", "10⁴ m³")
WAN_STANDARD_CUBIC_METRE = Spelling("wan_m3", "10⁴ Nm³", standard=True)
TONNE = Spelling("t", "t")
KILOGRAM = Spelling("kg", "kg")
GIGAJOULE = Spelling("GJ", "GJ")
LITRE = Spelling("L", "L")
PASSENGER_KM = Spelling("passenger*km", "passenger-km")
TONNE_KM = Spelling("t*km", "t-km")
ROOM_NIGHT = Spelling("night", "room-night")
CNY = Spelling("CNY", "CNY")
WAN_CNY = Spelling("wan_CNY", "10⁴ CNY")
USD = Spelling("USD", "USD")
PIECE = Spelling("piece", "piece")

# Matched whole, after `_key` has unified separators (· * - × spaces → *) and powers
# (³, ** → ^3). Exactly as listed: "Nm3" is a normal cubic metre but "nm3" a cubic nanometre.
SPELLINGS: dict[str, Spelling] = {
    "kWh": KWH, "度": KWH, "千瓦时": KWH, "千瓦*时": KWH, "kW*h": KWH,
    "10^4*kWh": WAN_KWH, "万千瓦时": WAN_KWH, "万度": WAN_KWH, "万kWh": WAN_KWH,
    "MWh": MWH, "兆瓦时": MWH,
    "m3": CUBIC_METRE, "m^3": CUBIC_METRE, "立方米": CUBIC_METRE,
    "Nm3": STANDARD_CUBIC_METRE, "Nm^3": STANDARD_CUBIC_METRE, "标准立方米": STANDARD_CUBIC_METRE,
    "万立方米": WAN_CUBIC_METRE, "10^4*m^3": WAN_CUBIC_METRE, "万m3": WAN_CUBIC_METRE,
    "万m^3": WAN_CUBIC_METRE,
    "10^4*Nm^3": WAN_STANDARD_CUBIC_METRE, "万标准立方米": WAN_STANDARD_CUBIC_METRE,
    "万Nm3": WAN_STANDARD_CUBIC_METRE, "万Nm^3": WAN_STANDARD_CUBIC_METRE,
    "t": TONNE, "吨": TONNE,
    "kg": KILOGRAM, "千克": KILOGRAM, "公斤": KILOGRAM,
    "GJ": GIGAJOULE, "吉焦": GIGAJOULE,
    "L": LITRE, "升": LITRE,
    "passenger*km": PASSENGER_KM, "人*公里": PASSENGER_KM, "人公里": PASSENGER_KM,
    "t*km": TONNE_KM, "tkm": TONNE_KM, "吨*公里": TONNE_KM, "吨公里": TONNE_KM,
    "night": ROOM_NIGHT, "room*night": ROOM_NIGHT, "间夜": ROOM_NIGHT,
    "CNY": CNY, "元": CNY, "人民币": CNY, "人民币元": CNY, "RMB": CNY, "rmb": CNY, "yuan": CNY,
    "¥": CNY,
    "10^4*CNY": WAN_CNY, "万元": WAN_CNY, "万元人民币": WAN_CNY, "10^4*元": WAN_CNY,
    "10^4*RMB": WAN_CNY, "10^4*yuan": WAN_CNY,
    "USD": USD, "US$": USD, "美元": USD,
    "piece": PIECE, "pieces": PIECE, "pcs": PIECE, "pc": PIECE, "件": PIECE, "个": PIECE,
    "只": PIECE, "台": PIECE, "套": PIECE,
}  # fmt: skip
# Spellings with no other meaning in any case: "MWH", "mwh", "Passenger-KM".
CASELESS: dict[str, Spelling] = {
    key.casefold(): SPELLINGS[key]
    for key in ["kWh", "10^4*kWh", "万kWh", "MWh", "GJ", "passenger*km", "t*km", "tkm",
                "room*night", "CNY", "RMB", "yuan", "10^4*CNY", "10^4*RMB", "10^4*yuan", "USD",
                "US$", "piece", "pieces", "pcs"]
}  # fmt: skip
# Labels of the units the shipped factors are in, beyond the spellings above.
LABELS = {
    "ft**3": "ft³",
    "passenger*mile": "passenger-mile",
    "short_ton*mile": "short ton-mile",
    "short_ton": "short ton",
    "MBtu": "MMBtu",
}
SEPARATORS = str.maketrans({"·": "*", "・": "*", "•": "*", "‧": "*", "×": "*", "-": "*"})
SUPERSCRIPTS = str.maketrans({"²": "^2", "³": "^3", "⁴": "^4"})


def _ascii_powers(text: str) -> str:
    # Before NFKC, which would make "10⁴" the number 104 and "m³" the unit "m3".
    return unicodedata.normalize("NFKC", text.strip().translate(SUPERSCRIPTS))


def _key(text: str) -> str:
    """The text as the spelling table is keyed: separators and powers unified."""
    text = _ascii_powers(text).replace("**", "^").translate(SEPARATORS)
    return re.sub(r"[\s*]+", "*", text).strip("*")


# The labels of LABELS parse too, as the spelling tables' labels do.
LABEL_SPELLINGS = {_key(label): Spelling(unit, label) for unit, label in LABELS.items()}


def spelling(text: str) -> Spelling | None:
    """The known spelling the text is, if any."""
    key = _key(text or "")
    return SPELLINGS.get(key) or CASELESS.get(key.casefold()) or LABEL_SPELLINGS.get(key)


# What a message about a unit offers as examples, spelled the friendly way.
EXAMPLES = (
    "kWh, 度, 万千瓦时, MWh, m³, Nm³, 立方米, t, 吨, kg, GJ, L, passenger-km, t-km, room-night, "
    "元, 万元"
)


@lru_cache(maxsize=512)
def parse_unit(text: str) -> pint.Unit:
    cleaned = (text or "").strip()
    if not cleaned:
        raise UnitError(_("Enter a unit, e.g. %(examples)s.") % {"examples": EXAMPLES})
    known = spelling(cleaned)
    expression = known.pint if known else _ascii_powers(cleaned)
    if not expression.isascii():
        raise _unknown(cleaned)  # pint reads ASCII only; what is not in the table is unknown
    try:
        return registry.parse_units(expression)
    except Exception:  # pint raises assorted parser errors for garbage input
        raise _unknown(cleaned) from None


def _unknown(text: str) -> UnitError:
    return UnitError(
        _("Unknown unit %(unit)s. Write it as e.g. %(examples)s.")
        % {"unit": repr(text), "examples": EXAMPLES}
    )


def display_unit(text: str) -> str:
    """The unit as people write it: m³, Nm³, 10⁴ kWh, passenger-km, t-km, room-night."""
    text = (text or "").strip()
    known = spelling(text)
    if known is not None:
        return known.label
    if text in LABELS:
        return LABELS[text]
    label = text.replace("**2", "²").replace("**3", "³").replace("^2", "²").replace("^3", "³")
    return label.replace("*", "-").replace("_", " ")


def is_standard_volume(text: str) -> bool:
    """Whether the unit says it is a standard (normal) cubic metre: Nm³, 标准立方米."""
    known = spelling(text)
    return bool(known and known.standard)


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
            _("The unit %(from)s cannot be converted to %(to)s (%(dims)s is not %(other)s).")
            % {
                "from": repr(from_unit),
                "to": repr(to_unit),
                "dims": source.dimensionality,
                "other": target.dimensionality,
            }
        )
    return registry.Quantity(Decimal(1), source).to(target).magnitude


# Fuel properties: how a fuel's volume, mass and energy relate.


@dataclass(frozen=True)
class FuelProperties:
    density_kg_per_l: Decimal | None = None
    ncv_gj_per_t: Decimal | None = None
    ncv_gj_per_m3: Decimal | None = None  # per standard m³

    @classmethod
    def of(cls, activity_type) -> "FuelProperties":
        return cls(
            activity_type.density_kg_per_l,
            activity_type.ncv_gj_per_t,
            getattr(activity_type, "ncv_gj_per_m3", None),
        )

    @property
    def recorded(self) -> bool:
        values = (self.density_kg_per_l, self.ncv_gj_per_t, self.ncv_gj_per_m3)
        return any(value is not None for value in values)


@dataclass(frozen=True)
class Bridge:
    """One fuel property: `value` `high_unit` per `low_unit` links two dimensions."""

    low: object  # pint dimensionality
    low_unit: str
    high: object
    high_unit: str
    name: str  # the FuelProperties field

    def described(self) -> str:
        return {
            "density_kg_per_l": _("density (kg/L)"),
            "ncv_gj_per_t": _("net calorific value (GJ/t)"),
            "ncv_gj_per_m3": _("net calorific value per standard m³ (GJ/Nm³)"),
        }[self.name]


BRIDGES = [
    Bridge(VOLUME, "L", MASS, "kg", "density_kg_per_l"),
    Bridge(MASS, "t", ENERGY, "GJ", "ncv_gj_per_t"),
    Bridge(VOLUME, "m**3", ENERGY, "GJ", "ncv_gj_per_m3"),
]


@dataclass(frozen=True)
class Step:
    """Crossing one bridge: from_unit × value (or ÷ value) = to_unit."""

    bridge: Bridge
    from_unit: str
    to_unit: str
    value: Decimal
    divide: bool


def _bridge(source, target) -> Bridge | None:
    for bridge in BRIDGES:
        if {bridge.low, bridge.high} == {source, target}:
            return bridge
    return None


def _routes(source, target) -> list[list[tuple[Bridge, object]]]:
    """The ways from one dimension to another: directly, then through the third dimension."""
    dimensions = [VOLUME, MASS, ENERGY]
    if source not in dimensions or target not in dimensions or source == target:
        return []
    (middle,) = [d for d in dimensions if d not in (source, target)]
    return [
        [(_bridge(source, target), source)],
        [(_bridge(source, middle), source), (_bridge(middle, target), middle)],
    ]


def conversion_steps(record_unit: str, factor_unit: str, fuel: FuelProperties) -> list[Step]:
    """The fuel-property steps from the record's unit to the factor's; [] for the same dimension.

    Volume, mass and energy convert both ways: directly where the fuel records the property
    linking them, else through the third dimension.
    """
    source, target = parse_unit(record_unit), parse_unit(factor_unit)
    if source.dimensionality == target.dimensionality:
        return []
    routes = _routes(source.dimensionality, target.dimensionality)
    for route in routes:
        if all(getattr(fuel, bridge.name) is not None for bridge, _start in route):
            return [_step(bridge, start, getattr(fuel, bridge.name)) for bridge, start in route]
    if not routes or not fuel.recorded:
        raise UnitError(
            _(
                "The record's unit %(unit)s (%(dims)s) does not match the factor's unit "
                "%(factor_unit)s (%(factor_dims)s)."
            )
            % {
                "unit": repr(record_unit),
                "dims": source.dimensionality,
                "factor_unit": repr(factor_unit),
                "factor_dims": target.dimensionality,
            }
        )
    raise _missing(record_unit, factor_unit, _nearest_missing(routes, fuel))


def _step(bridge: Bridge, start, value: Decimal) -> Step:
    if start == bridge.low:
        return Step(bridge, bridge.low_unit, bridge.high_unit, value, divide=False)
    return Step(bridge, bridge.high_unit, bridge.low_unit, value, divide=True)


def _nearest_missing(routes, fuel: FuelProperties) -> list[Bridge]:
    # Name what the closest route lacks: the fewest missing properties, then the route that
    # uses more of what the fuel does record (a liquid with an NCV per tonne lacks a density).
    def missing(route):
        return [bridge for bridge, _start in route if getattr(fuel, bridge.name) is None]

    best = min(routes, key=lambda route: (len(missing(route)), -(len(route) - len(missing(route)))))
    return missing(best)


def _missing(record_unit: str, factor_unit: str, bridges: list[Bridge]) -> UnitError:
    return UnitError(
        _(
            "The record's unit %(unit)s does not match the factor's unit %(factor_unit)s: "
            "converting would need the fuel's %(what)s, which this activity type does not record."
        )
        % {
            "unit": repr(record_unit),
            "factor_unit": repr(factor_unit),
            "what": _(" and ").join(bridge.described() for bridge in bridges),
        }
    )


def to_factor_unit(
    quantity: Decimal,
    record_unit: str,
    factor_unit: str,
    *,
    density_kg_per_l: Decimal | None = None,
    ncv_gj_per_t: Decimal | None = None,
    ncv_gj_per_m3: Decimal | None = None,
) -> Decimal:
    """Express an activity quantity in the factor's unit.

    Same dimension: a plain unit conversion. A fuel measured by volume, mass or energy against
    a factor per another of them goes through the fuel's density and calorific values (the
    activity type supplies them, with their source).
    """
    ratio = _factor_unit_ratio(
        record_unit, factor_unit, density_kg_per_l, ncv_gj_per_t, ncv_gj_per_m3
    )
    return Decimal(quantity) * ratio


# Remembered by plain strings and Decimals, not by a FuelProperties: a dataclass's hash and
# equality run in Python, and every record calculated (and every facility-year of market-based
# Scope 2) asks; the key's hashing was most of a conversion's cost.
@lru_cache(maxsize=1024)
def _factor_unit_ratio(
    record_unit: str,
    factor_unit: str,
    density_kg_per_l: Decimal | None,
    ncv_gj_per_t: Decimal | None,
    ncv_gj_per_m3: Decimal | None,
) -> Decimal:
    """How many factor units one record unit is (errors are raised, not cached)."""
    fuel = FuelProperties(density_kg_per_l, ncv_gj_per_t, ncv_gj_per_m3)
    value, unit = Decimal(1), record_unit
    for step in conversion_steps(record_unit, factor_unit, fuel):
        value = convert(value, unit, step.from_unit)
        value = value / step.value if step.divide else value * step.value
        unit = step.to_unit
    return convert(value, unit, factor_unit)


def can_convert(
    record_unit: str,
    factor_unit: str,
    *,
    density_kg_per_l: Decimal | None = None,
    ncv_gj_per_t: Decimal | None = None,
    ncv_gj_per_m3: Decimal | None = None,
) -> bool:
    try:
        to_factor_unit(
            Decimal(1),
            record_unit,
            factor_unit,
            density_kg_per_l=density_kg_per_l,
            ncv_gj_per_t=ncv_gj_per_t,
            ncv_gj_per_m3=ncv_gj_per_m3,
        )
    except UnitError:
        return False
    return True
