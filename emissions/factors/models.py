"""Gases with their GWPs, emission-factor datasets and the factors themselves."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from emissions.facilities.models import GwpBasis

from .taxonomy import Category
from .units import UnitError, parse_unit

KG_PER_UNIT = {"max_digits": 24, "decimal_places": 12}


class Gas(models.Model):
    """A greenhouse gas or refrigerant blend with its 100-year GWP under each IPCC report."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    formula = models.CharField(_("formula or composition"), max_length=100)
    gwp_ar4 = models.DecimalField("GWP AR4", max_digits=12, decimal_places=4, null=True)
    gwp_ar5 = models.DecimalField("GWP AR5", max_digits=12, decimal_places=4, null=True)
    gwp_ar6 = models.DecimalField("GWP AR6", max_digits=12, decimal_places=4, null=True)
    source = models.TextField(_("source"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("gas")
        verbose_name_plural = _("gases")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gwp_ar4__gte=0) & Q(gwp_ar5__gte=0) & Q(gwp_ar6__gte=0),
                name="gas_gwp_not_negative",
            )
        ]

    def __str__(self):
        return self.code

    def gwp(self, basis: str):
        return getattr(self, f"gwp_{basis.lower()}")


class FactorBasis(models.TextChoices):
    """What kind of data a dataset's factors are: Scope 3's precedence rule reads it.

    Stored on datasets (and so on every factor): the values must never change.
    """

    SUPPLIER_PRODUCT = "supplier_product", _("Supplier-specific product footprint")
    SUPPLIER_COMPANY = "supplier_company", _("Supplier's company-level intensity")
    AVERAGE = "average", _("Average factor from the library")
    SPEND = "spend", _("Spend-based factor")


class FactorDataset(models.Model):
    """A published (or the organisation's own) set of emission factors, cited by name."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    publisher = models.CharField(_("publisher"), max_length=200)
    version = models.CharField(_("version or year"), max_length=50)
    licence = models.CharField(_("licence"), max_length=300, blank=True)
    source_reference = models.TextField(_("source reference"), blank=True)
    is_shipped = models.BooleanField(
        _("shipped with Kehui Carbon"),
        default=False,
        help_text=_("Shipped datasets are loaded by load_factors and read-only in the admin."),
    )
    basis = models.CharField(
        _("kind of data"),
        max_length=20,
        choices=FactorBasis,
        default=FactorBasis.AVERAGE,
        help_text=_(
            "Scope 3 prefers, in order: supplier product footprints, supplier intensities, "
            "average factors, spend-based factors."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("factor dataset")
        verbose_name_plural = _("factor datasets")
        ordering = ["name"]

    def __str__(self):
        return self.name


class EmissionFactor(models.Model):
    """kg of each gas released per one `unit` of an activity, for a region and data year."""

    key = models.SlugField(_("key"), max_length=120, unique=True)
    name = models.CharField(_("name"), max_length=300)
    dataset = models.ForeignKey(
        FactorDataset, on_delete=models.PROTECT, related_name="factors", verbose_name=_("dataset")
    )
    group = models.SlugField(
        _("factor group"),
        max_length=60,
        help_text=_("What the factor measures, e.g. grid_electricity; activity types pick by it."),
    )
    series = models.SlugField(
        _("series"),
        max_length=40,
        blank=True,
        help_text=_(
            "Factors of one group that follow different methods (e.g. China's MEE–NBS annual "
            "average vs the carbon-market grid factor) are never mixed in one time series."
        ),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category)
    unit = models.CharField(_("per unit"), max_length=40, help_text=_("A pint unit, e.g. kWh."))
    region = models.CharField(
        _("region"), max_length=20, help_text=_("CN-HE, CN-North, CN, US, GLOBAL …")
    )
    year = models.PositiveSmallIntegerField(_("data year"))
    co2_kg = models.DecimalField(_("kg CO2"), null=True, blank=True, **KG_PER_UNIT)
    ch4_kg = models.DecimalField(_("kg CH4"), null=True, blank=True, **KG_PER_UNIT)
    n2o_kg = models.DecimalField(_("kg N2O"), null=True, blank=True, **KG_PER_UNIT)
    biogenic_co2_kg = models.DecimalField(
        _("kg biogenic CO2"), null=True, blank=True, **KG_PER_UNIT
    )
    co2e_kg = models.DecimalField(
        _("published kg CO2e"),
        null=True,
        blank=True,
        help_text=_("Only where the source publishes nothing but a CO2e total."),
        **KG_PER_UNIT,
    )
    co2e_gwp_basis = models.CharField(
        _("GWP basis of the published CO2e"), max_length=3, choices=GwpBasis, blank=True
    )
    source_reference = models.TextField(_("source reference"))
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("emission factor")
        verbose_name_plural = _("emission factors")
        ordering = ["group", "region", "-year"]
        indexes = [models.Index(fields=["group", "region", "year"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(co2_kg__isnull=False)
                | Q(ch4_kg__isnull=False)
                | Q(n2o_kg__isnull=False)
                | Q(biogenic_co2_kg__isnull=False)
                | Q(co2e_kg__isnull=False),
                name="factor_has_a_value",
                violation_error_message=_("Give at least one gas or a published CO2e value."),
            ),
            models.CheckConstraint(
                condition=Q(co2e_kg__isnull=True) | ~Q(co2e_gwp_basis=""),
                name="factor_published_co2e_names_its_gwp_basis",
                violation_error_message=_("A published CO2e value needs its GWP basis."),
            ),
            models.CheckConstraint(
                condition=(
                    (Q(co2_kg__isnull=True) | Q(co2_kg__gte=0))
                    & (Q(ch4_kg__isnull=True) | Q(ch4_kg__gte=0))
                    & (Q(n2o_kg__isnull=True) | Q(n2o_kg__gte=0))
                    & (Q(biogenic_co2_kg__isnull=True) | Q(biogenic_co2_kg__gte=0))
                ),
                name="factor_gases_not_negative",
                violation_error_message=_("Gas amounts cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990, year__lte=2100), name="factor_year_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.region} {self.year})"

    def clean(self):
        try:
            parse_unit(self.unit)
        except UnitError as error:
            raise ValidationError({"unit": str(error)}) from None


class ExchangeRate(models.Model):
    """The organisation's own CNY per US dollar for a year (annual average), with its source.

    Spend-based factors are per US dollar; factors.spend ships verified annual averages and
    reads these first, so a year the shipped table lacks (or a rate the organisation's
    auditor prefers) can be entered. A saved rate makes that year's spend-based purchases
    choose and compute again (activities.signals).
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    cny_per_usd = models.DecimalField(_("CNY per US dollar"), max_digits=12, decimal_places=6)
    source = models.TextField(
        _("source"), help_text=_("Where the annual average comes from, e.g. the NBS communiqué.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cny_per_usd__gt=0),
                name="exchange_rate_positive",
                violation_error_message=_("The rate must be above zero."),
            ),
            models.CheckConstraint(
                condition=~Q(source=""),
                name="exchange_rate_has_a_source",
                violation_error_message=_("Name the rate's source."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990, year__lte=2100), name="exchange_rate_year_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.year}: {self.cny_per_usd} CNY/USD"
