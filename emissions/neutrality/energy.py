"""Energy consumption in tonnes of standard coal equivalent: the shapes the inventory returns.

inventory.energy_year() sums the rollup (one query) and hands the grouped rows to
`energy_from_sums` here, which converts each to its carrier's physical unit and to tce with the
GB/T 2589-2020 coefficients (factors/energy_coefficients.py). Per-facility figures add up to the
organisation's exactly: both are sums of the same rounded facility-carrier rows.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from emissions.activities.models import ActivityType
from emissions.factors.energy_coefficients import (
    CARRIER_ORDER,
    CARRIERS,
    PLACES,
    Carrier,
    carrier_for,
    in_carrier_unit,
)
from emissions.factors.units import UnitError

ZERO = Decimal(0)


@dataclass(frozen=True)
class EnergyUse:
    """One carrier used at one facility in the year: physical quantity (carrier.unit) and tce."""

    facility_id: int
    carrier: Carrier
    quantity: Decimal
    tce: Decimal
    records: int


@dataclass(frozen=True)
class CarrierTotal:
    """One carrier over the facilities read: the sums of their EnergyUse rows."""

    carrier: Carrier
    quantity: Decimal
    tce: Decimal


@dataclass(frozen=True)
class NotConverted:
    """Energy records left out of the tce figures, and why (no coefficient, or the unit)."""

    facility_id: int
    activity_type: ActivityType
    unit: str
    records: int
    # "coefficient": the type is no carrier of the table; "unit": its unit did not convert.
    reason: str


@dataclass(frozen=True)
class EnergyYear:
    """The energy consumed in one year, per facility and carrier, on one approval basis."""

    year: int
    approval: str
    # By facility id, then in the carriers' table order.
    uses: tuple[EnergyUse, ...]
    not_converted: tuple[NotConverted, ...]

    @cached_property
    def facility_ids(self) -> list[int]:
        return sorted({use.facility_id for use in self.uses})

    @cached_property
    def tce_by_facility(self) -> dict[int, Decimal]:
        totals = defaultdict(lambda: ZERO)
        for use in self.uses:
            totals[use.facility_id] += use.tce
        return dict(totals)

    @cached_property
    def tce(self) -> Decimal:
        """Comprehensive energy consumption (综合能耗) of every facility read, in tce."""
        return sum((use.tce for use in self.uses), ZERO)

    @cached_property
    def by_carrier(self) -> list[CarrierTotal]:
        quantity, tce = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
        for use in self.uses:
            quantity[use.carrier.code] += use.quantity
            tce[use.carrier.code] += use.tce
        return [
            CarrierTotal(carrier, quantity[carrier.code], tce[carrier.code])
            for carrier in CARRIERS
            if carrier.code in tce
        ]

    @cached_property
    def renewable_tce(self) -> Decimal:
        """The part of `tce` that is on-site renewable electricity."""
        return sum((use.tce for use in self.uses if use.carrier.renewable), ZERO)


@dataclass(frozen=True)
class EnergySum:
    """One grouped rollup row: an activity type's records at a facility, in one factor unit."""

    facility_id: int
    activity_type_id: int
    # The factor's unit ("" for records without a factor, such as on-site solar).
    unit: str
    quantity: Decimal  # summed in `unit`
    kwh: Decimal  # electricity consumed, summed in kWh
    records: int


def energy_from_sums(
    year: int, approval: str, sums: Iterable[EnergySum], activity_types: dict[int, ActivityType]
) -> EnergyYear:
    """The year's energy from the rollup's grouped rows; `activity_types` by id."""
    quantities = defaultdict(lambda: ZERO)
    records = defaultdict(int)
    not_converted = []
    for row in sums:
        activity_type = activity_types[row.activity_type_id]
        carrier = carrier_for(activity_type)
        if carrier is None:
            not_converted.append(_not_converted(row, activity_type, "coefficient"))
            continue
        if activity_type.is_electricity:
            # Electricity is summed in kWh whatever its factor's unit (and without a factor).
            quantity = row.kwh.quantize(PLACES)
        else:
            try:
                quantity = in_carrier_unit(row.quantity, row.unit, carrier, activity_type)
            except UnitError:
                not_converted.append(_not_converted(row, activity_type, "unit"))
                continue
        quantities[(row.facility_id, carrier.code)] += quantity
        records[(row.facility_id, carrier.code)] += row.records
    carriers = {carrier.code: carrier for carrier in CARRIERS}
    keys = sorted(quantities, key=lambda key: (key[0], CARRIER_ORDER[key[1]]))
    uses = tuple(
        EnergyUse(
            facility_id=facility_id,
            carrier=carriers[code],
            quantity=quantities[(facility_id, code)],
            tce=carriers[code].tce(quantities[(facility_id, code)]),
            records=records[(facility_id, code)],
        )
        for facility_id, code in keys
    )
    return EnergyYear(year=year, approval=approval, uses=uses, not_converted=tuple(not_converted))


def _not_converted(row: EnergySum, activity_type: ActivityType, reason: str) -> NotConverted:
    return NotConverted(row.facility_id, activity_type, row.unit, row.records, reason)
