"""Scope 3 purchases: whose data a purchase's factor comes from (docs/methodology.md).

One rule, tried in this order, the first that fits wins:

1. the supplier's product footprint (an accepted submission, per the product's declared
   unit), for the purchase's year or the nearest (the factor choice's year rule);
2. the supplier's company-level intensity (from the energy and output it reported);
3. the library's average factor for the activity type (the usual factor rule);
4. a spend-based factor for the product's (or the type's) NAICS sector, when the purchase
   is recorded in money: CNY of the purchase year are turned into the dataset's US dollars
   (factors.spend).

A level "fits" when it has a factor in a unit the purchase's unit converts to: a footprint per
tonne does not price a purchase recorded in CNY. Every level tried says why it was or was not
used (`Step`), and the record page shows them. The rule applies to Scope 3 factor-based
records that name a supplier product or are recorded in money; every other record keeps the
plain factor rule.
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from emissions.factors.choice import (
    FactorChoice,
    NoFactorInUnit,
    RegionMatch,
    YearMatch,
    pick_year,
    unit_converts,
)
from emissions.factors.models import EmissionFactor, ExchangeRate, FactorBasis
from emissions.factors.spend import SpendConversion, to_price_year_dollars
from emissions.factors.units import UnitError, convert, display_unit
from emissions.suppliers.models import company_group

SPEND_REGION = "US"  # the spend dataset's factors are US supply-chain factors


def spend_group(sector: str) -> str:
    return f"spend-naics-{sector}"


@lru_cache(maxsize=512)
def is_money(unit: str) -> bool:
    """Whether the unit is an amount of money (元, 万元, USD…); remembered per spelling, as
    every Scope 3 record asks (pint's failed conversions cost ~0.1 ms each)."""
    for currency in ("CNY", "USD"):
        try:
            convert(Decimal(1), unit, currency)
        except UnitError:
            continue
        return True
    return False


def applies(record) -> bool:
    """Whether the purchase rule chooses this record's factor."""
    return record.activity_type.scope == 3 and (
        record.purchased_product is not None or is_money(record.unit)
    )


@dataclass(frozen=True)
class Step:
    basis: str
    used: bool
    reason: str

    @property
    def label(self) -> str:
        return FactorBasis(self.basis).label


@dataclass(frozen=True)
class PurchaseChoice:
    choice: FactorChoice
    basis: str
    steps: tuple[Step, ...]

    @property
    def factor(self) -> EmissionFactor:
        return self.choice.factor


class PurchaseRule:
    """Applies the rule; loads each product's, supplier's and sector's factors once."""

    def __init__(self, choose_average):
        # The calculator's own factor rule, for level 3.
        self._choose_average = choose_average
        self._groups: dict[str, list[EmissionFactor]] = {}
        self._own_rates: dict[int, Decimal] | None = None

    def spend_conversion(self, record) -> SpendConversion:
        """The purchase's money in the spend dataset's dollars (raises ValidationError)."""
        if self._own_rates is None:
            self._own_rates = dict(ExchangeRate.objects.values_list("year", "cny_per_usd"))
        try:
            return to_price_year_dollars(
                record.quantity, record.unit, record.year, own_rates=self._own_rates
            )
        except ValidationError as error:
            raise ValidationError({"unit": error.messages}) from None

    def _factors(self, group: str) -> list[EmissionFactor]:
        if group not in self._groups:
            self._groups[group] = list(
                EmissionFactor.objects.filter(group=group).select_related("dataset")
            )
        return self._groups[group]

    def choose(self, record) -> PurchaseChoice:
        steps: list[Step] = []
        product = record.purchased_product
        levels = (
            (FactorBasis.SUPPLIER_PRODUCT, self._product),
            (FactorBasis.SUPPLIER_COMPANY, self._company),
            (FactorBasis.AVERAGE, self._average),
            (FactorBasis.SPEND, self._spend),
        )
        for basis, level in levels:
            choice, reason = level(record, product)
            steps.append(Step(basis, choice is not None, reason))
            if choice is not None:
                # The levels not reached are listed too, as not needed.
                return PurchaseChoice(choice, basis, tuple(steps))
        raise ValidationError(
            {
                "unit": _("No factor fits this purchase: %(reasons)s")
                % {"reasons": " ".join(step.reason for step in steps)}
            }
        )

    def _supplier_data(self, record, group: str, what: str):
        factors = self._factors(group)
        if not factors:
            return None, _("No accepted %(what)s.") % {"what": what}
        usable = [f for f in factors if unit_converts(record.unit, f)]
        if not usable:
            return None, _("The %(what)s is per %(units)s; the purchase is in %(unit)s.") % {
                "what": what,
                "units": ", ".join(sorted({display_unit(f.unit) for f in factors})),
                "unit": display_unit(record.unit),
            }
        choice = pick_year(usable, record.year, RegionMatch.SUPPLIER, record.unit)
        return choice, _("Used: %(factor)s (data year %(year)s%(match)s).") % {
            "factor": choice.factor.name,
            "year": choice.factor.year,
            "match": ""
            if choice.year_match == YearMatch.EXACT
            else ", " + _("not the purchase's year"),
        }

    def _product(self, record, product):
        if product is None:
            return None, _("The purchase names no supplier product.")
        return self._supplier_data(record, product.footprint_group, _("product footprint"))

    def _company(self, record, product):
        if product is None:
            return None, _("The purchase names no supplier.")
        return self._supplier_data(
            record, company_group(product.supplier_id), _("supplier intensity")
        )

    def _average(self, record, product):
        try:
            choice = self._choose_average(record)
        except NoFactorInUnit as refused:
            units = sorted({display_unit(f.unit) for f in refused.factors})
            return None, _("The library's average factors are per %(units)s.") % {
                "units": ", ".join(units)
            }
        if choice is None:
            return None, _("The library has no average factor for %(type)s.") % {
                "type": record.activity_type.name
            }
        return choice, _("Used: %(factor)s.") % {"factor": choice.factor.name}

    def _spend(self, record, product):
        if not is_money(record.unit):
            return None, _("The purchase is not recorded in money.")
        sector = (product.spend_sector if product else "") or record.activity_type.spend_sector
        if not sector:
            return None, _("Neither the product nor the activity type names a NAICS sector.")
        factors = self._factors(spend_group(sector))
        if not factors:
            return None, _("The spend dataset has no factor for NAICS %(sector)s.") % {
                "sector": sector
            }
        choice = pick_year(factors, record.year, RegionMatch.PROXY, record.unit)
        return choice, _("Used: %(factor)s.") % {"factor": choice.factor.name}


@dataclass(frozen=True)
class PurchaseExplanation:
    """What the record page says of a purchase's factor: whose data, and why."""

    product: object
    basis: str
    steps: tuple[Step, ...]
    spend_steps: str

    @property
    def basis_label(self) -> str:
        return FactorBasis(self.basis).label


def explain(record) -> PurchaseExplanation | None:
    """The rule run again for the record's page (the levels are not stored); None when the
    rule does not apply to the record."""
    if record.factor is None or not applies(record):
        return None
    from .calculation import RecordCalculator  # the calculator imports this module

    calculator = RecordCalculator()
    try:
        steps = calculator.choose_purchase_factor(record).steps
    except ValidationError:
        steps = ()  # the library changed since: the stored factor still says what was used
    basis = record.factor.dataset.basis
    spend_steps = ""
    if basis == FactorBasis.SPEND:
        try:
            spend_steps = calculator.purchases.spend_conversion(record).steps()
        except ValidationError as error:
            spend_steps = " ".join(error.messages)
    return PurchaseExplanation(record.purchased_product, basis, steps, spend_steps)
