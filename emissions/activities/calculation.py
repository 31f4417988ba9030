"""Turn an activity record into emissions: validate it, choose its factor, compute per gas.

The factor rule (docs/methodology.md) is emissions.factors.choice: walk the facility's regions
from the most specific (province → regional grid → country → GLOBAL → the type's proxy region);
at the first region with a factor, take the record's year, else the latest earlier year
("lagged"), else the earliest later year ("proxy"). The unit typed never changes the region:
within it, only factors whose unit the record's unit converts to (through the fuel's density
and calorific values) take part, and a record whose unit fits none of them is refused. This
module loads the candidates: only factors of the organisation's series.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from emissions.facilities.models import Facility, Organisation
from emissions.factors.calculation import (
    GasAmounts,
    GwpSet,
    amounts_from_factor,
    co2e_kg,
    round_kg,
    round_quantity,
)
from emissions.factors.choice import (
    FactorChoice,
    NoFactorInUnit,
    choose,
    region_levels,
    unit_converts,
)
from emissions.factors.models import EmissionFactor, FactorBasis
from emissions.factors.selectors import (
    METHANE_CODE,
    NITROUS_OXIDE_CODE,
    factors_in_group,
    gwp_values,
)
from emissions.factors.units import (
    FuelProperties,
    UnitError,
    convert,
    display_unit,
    parse_unit,
    to_factor_unit,
)

from . import scope3
from .models import ActivityRecord, EmissionMethod

LARGEST_STORED = Decimal(10) ** 18  # kg columns: 24 digits, 6 of them after the point


def too_large_message() -> str:
    return _("The quantity is too large: its emissions cannot be stored.")


class RecordCalculator:
    """Calculates records, caching what many records share (profile, GWPs, candidate factors)."""

    def __init__(self, organisation: Organisation | None = None):
        self.organisation = organisation or Organisation.current()
        if self.organisation is None:
            raise ValidationError(_("Set up the organisation profile before recording activity."))
        self.gwp = gwp_values(self.organisation.gwp_basis)
        self._candidates: dict[tuple, list[EmissionFactor]] = {}
        self.purchases = scope3.PurchaseRule(self._choose_in_group)

    def calculate(self, record: ActivityRecord) -> None:
        """Validate the record and fill in its stored calculation; raise ValidationError."""
        try:
            self._calculate(record)
        except InvalidOperation:
            # Decimal's 28 digits overflow while rounding: far beyond what can be stored.
            raise ValidationError({"quantity": too_large_message()}) from None

    def _calculate(self, record: ActivityRecord) -> None:
        activity_type, facility = record.activity_type, record.facility
        self._check_period(record, facility)
        if record.quantity is None or record.quantity < 0:
            raise ValidationError({"quantity": _("Quantity cannot be negative.")})
        try:
            parse_unit(record.unit)
        except UnitError as error:
            raise ValidationError({"unit": str(error)}) from None

        record.scope = activity_type.scope
        record.category = activity_type.category
        record.year = record.period_start.year
        record.month = record.period_start.month
        record.factor = None
        record.factor_region_match = record.factor_year_match = ""
        record.factor_quantity = None
        record.other_gas = None

        if activity_type.method == EmissionMethod.FACTOR:
            if scope3.applies(record):
                choice = self.choose_purchase_factor(record).choice
            else:
                choice = self.choose_factor(record)
            record.factor = choice.factor
            record.factor_region_match = choice.region_match
            record.factor_year_match = choice.year_match
            if choice.factor.dataset.basis == FactorBasis.SPEND:
                # Money of the purchase's year in the dataset's dollars: not a unit conversion.
                record.factor_quantity = self.purchases.spend_conversion(record).usd_price_year
            else:
                record.factor_quantity = round_quantity(
                    to_factor_unit(
                        record.quantity,
                        record.unit,
                        choice.factor.unit,
                        density_kg_per_l=activity_type.density_kg_per_l,
                        ncv_gj_per_t=activity_type.ncv_gj_per_t,
                        ncv_gj_per_m3=activity_type.ncv_gj_per_m3,
                    )
                )
            amounts = amounts_from_factor(record.factor_quantity, choice.factor)
        elif activity_type.method == EmissionMethod.DIRECT_GAS:
            amounts = GasAmounts(other_gas_kg=round_kg(self._in_unit(record, "kg")))
            record.other_gas = activity_type.gas
        else:
            self._in_unit(record, activity_type.default_unit)  # the unit must still fit the type
            amounts = GasAmounts()

        record.electricity_kwh = (
            round_kg(self._in_unit(record, "kWh")) if activity_type.is_electricity else None
        )
        record.gwp_basis = self.organisation.gwp_basis
        record.co2_kg = amounts.co2_kg
        record.ch4_kg = amounts.ch4_kg
        record.n2o_kg = amounts.n2o_kg
        record.other_gas_kg = amounts.other_gas_kg
        record.published_co2e_kg = amounts.published_co2e_kg
        record.biogenic_co2_kg = amounts.biogenic_co2_kg
        record.co2e_kg = co2e_kg(amounts, self.gwp_set(record))
        record.calculated_at = timezone.now()
        self._check_fits(record)

    @staticmethod
    def _check_fits(record) -> None:
        # Each stored amount has at most 18 digits before the point; a larger one would make
        # the database refuse the row (an error page) instead of naming the quantity.
        amounts = (
            record.co2e_kg, record.co2_kg, record.ch4_kg, record.n2o_kg, record.other_gas_kg,
            record.published_co2e_kg, record.biogenic_co2_kg,
            record.factor_quantity or 0, record.electricity_kwh or 0,
        )  # fmt: skip
        if max(abs(amount) for amount in amounts) >= LARGEST_STORED:
            raise ValidationError({"quantity": too_large_message()})

    def gwp_set(self, record: ActivityRecord) -> GwpSet:
        basis = self.organisation.gwp_basis
        other = Decimal(0)
        if record.other_gas is not None:
            if record.other_gas.code not in self.gwp:
                raise ValidationError(
                    _("%(gas)s has no %(basis)s GWP in the gas table.")
                    % {"gas": record.other_gas.code, "basis": basis}
                )
            other = self.gwp[record.other_gas.code]
        missing = {METHANE_CODE, NITROUS_OXIDE_CODE} - set(self.gwp)
        if missing:
            raise ValidationError(
                _("The gas table lacks %(basis)s GWPs for %(gases)s; run load_factors.")
                % {"basis": basis, "gases": ", ".join(sorted(missing))}
            )
        return GwpSet(ch4=self.gwp[METHANE_CODE], n2o=self.gwp[NITROUS_OXIDE_CODE], other=other)

    def choose_purchase_factor(self, record: ActivityRecord) -> scope3.PurchaseChoice:
        """Scope 3 purchases: supplier data first, then average, then spend (scope3.py)."""
        return self.purchases.choose(record)

    def _levels(self, record: ActivityRecord):
        facility = record.facility
        return region_levels(
            province=facility.province,
            grid_region=facility.grid_region,
            country=facility.country,
            proxy_region=record.activity_type.proxy_region,
        )

    def _choose_in_group(self, record: ActivityRecord) -> FactorChoice | None:
        """The factor rule over the type's group; None without any, NoFactorInUnit."""
        levels = self._levels(record)
        return choose(
            self._candidates_for(record.activity_type, levels),
            levels,
            record.year,
            record.unit,
            converts=lambda factor: self._converts(record, factor),
        )

    def choose_factor(self, record: ActivityRecord) -> FactorChoice:
        activity_type = record.activity_type
        levels = self._levels(record)
        try:
            chosen = self._choose_in_group(record)
        except NoFactorInUnit as refused:
            raise ValidationError({"unit": self._unit_refused(record, refused)}) from None
        if chosen is not None:
            return chosen
        raise ValidationError(
            _(
                "No emission factor for %(type)s (factor group %(group)s) in %(regions)s for "
                "%(year)s or any other year, within the series %(series)s. Add one in the admin "
                "or run load_factors."
            )
            % {
                "type": activity_type.name,
                "group": activity_type.factor_group,
                "regions": " → ".join(code for _level, code in levels),
                "year": record.year,
                "series": ", ".join(sorted(s for s in self.organisation.factor_series if s)) or "-",
            }
        )

    def _candidates_for(self, activity_type, levels) -> list[EmissionFactor]:
        regions = [code for _level, code in levels]
        key = (activity_type.factor_group, tuple(regions))
        if key not in self._candidates:
            self._candidates[key] = list(
                factors_in_group(
                    activity_type.factor_group,
                    series=self.organisation.factor_series,
                    regions=regions,
                )
            )
        return self._candidates[key]

    @staticmethod
    def _unit_refused(record: ActivityRecord, refused: NoFactorInUnit) -> str:
        """Name the record's unit, the region's factor units and, for a fuel, what is missing."""
        units = sorted({factor.unit for factor in refused.factors})
        message = _(
            "The record's unit %(unit)s does not convert to the unit of any factor for "
            "%(type)s (%(units)s)."
        ) % {
            "unit": repr(record.unit),
            "type": record.activity_type.name,
            "units": ", ".join(display_unit(unit) for unit in units),
        }
        fuel = FuelProperties.of(record.activity_type)
        if not fuel.recorded:
            return message
        try:
            to_factor_unit(Decimal(1), record.unit, units[0], **vars(fuel))
        except UnitError as error:
            return f"{message} {error}"
        return message

    @staticmethod
    def _converts(record: ActivityRecord, factor: EmissionFactor) -> bool:
        # A method of its own: the import's calculator remembers its answers.
        return unit_converts(record.unit, factor, **vars(FuelProperties.of(record.activity_type)))

    @staticmethod
    def _in_unit(record: ActivityRecord, unit: str) -> Decimal:
        try:
            return convert(record.quantity, record.unit, unit)
        except UnitError:
            raise ValidationError(
                {
                    "unit": _(
                        "The record's unit %(unit)s does not match %(type)s, measured in "
                        "%(expected)s."
                    )
                    % {
                        "unit": repr(record.unit),
                        "type": record.activity_type.name,
                        "expected": repr(unit),
                    }
                }
            ) from None

    @staticmethod
    def _check_period(record: ActivityRecord, facility: Facility) -> None:
        start, end = record.period_start, record.period_end
        if start is None or end is None:
            raise ValidationError(_("Enter the period's start and end."))
        if end < start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})
        if start.year != end.year:
            raise ValidationError(
                {
                    "period_end": _(
                        "The period %(start)s – %(end)s crosses a year boundary; split it into "
                        "one record per calendar year."
                    )
                    % {"start": start.isoformat(), "end": end.isoformat()}
                }
            )
        if start < facility.opened_on:
            raise ValidationError(
                {
                    "period_start": _("%(facility)s opened on %(date)s, after this period starts.")
                    % {"facility": facility.code, "date": facility.opened_on.isoformat()}
                }
            )
        if facility.closed_on and end > facility.closed_on:
            raise ValidationError(
                {
                    "period_end": _("%(facility)s closed on %(date)s, before this period ends.")
                    % {"facility": facility.code, "date": facility.closed_on.isoformat()}
                }
            )
