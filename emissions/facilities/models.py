"""The reporting organisation and its facilities (the sites whose activity data is recorded)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .names import in_page_language
from .regions import GridRegion, Province

country_code_validator = RegexValidator(
    r"^[A-Z]{2}$", _("Enter a two-letter ISO 3166-1 country code in capitals, e.g. CN.")
)
facility_code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_-]*$",
    _("Use capital letters, digits, '-' and '_' only, e.g. XT-01."),
)


class ConsolidationApproach(models.TextChoices):
    OPERATIONAL_CONTROL = "operational", _("Operational control")
    FINANCIAL_CONTROL = "financial", _("Financial control")
    EQUITY_SHARE = "equity", _("Equity share")


class GwpBasis(models.TextChoices):
    AR4 = "AR4", _("IPCC AR4 (2007)")
    AR5 = "AR5", _("IPCC AR5 (2014)")
    AR6 = "AR6", _("IPCC AR6 (2021)")


class ElectricitySeries(models.TextChoices):
    """China's two official grid-factor series; one inventory reports with one of them."""

    MEE_NBS = (
        "mee_nbs",
        _("MEE–NBS annual electricity CO2 factors (national, regional, provincial)"),
    )
    CN_ETS = "cn_ets", _("Carbon-market national grid factor (MEE power-sector reporting notices)")


class FlightRadiativeForcing(models.TextChoices):
    WITH_RF = "with_rf", _("Flights with radiative forcing uplift")
    WITHOUT_RF = "without_rf", _("Flights without radiative forcing uplift")


class ResidualMix(models.TextChoices):
    """The factor market-based Scope 2 applies to grid electricity no certificate covers.

    China publishes no residual mix; the MEE–NBS factors of 2021 on give two proxies for one
    (docs/methodology.md, "The residual-mix proxy").
    """

    EXCLUDING_MARKET_NON_FOSSIL = (
        "excl_market_nonfossil",
        _("Electricity excluding market-traded non-fossil electricity (MEE–NBS)"),
    )
    NATIONAL_FOSSIL = (
        "national_fossil",
        _("National fossil-fuel electricity (MEE–NBS, conservative)"),
    )


class MarketScope2Matching(models.TextChoices):
    ANNUAL = "annual", _("Annual (GHG Protocol Scope 2 Guidance, 2015)")
    HOURLY = "hourly", _("Hourly (draft revision, 2025 public consultation)")


# "%%": validators and constraints format their message with their parameters.
GREEN_POWER_TARGET_RANGE = _("The green-power target share must be between 0 and 100 %%.")
GREEN_POWER_TARGET_WITH_BASIS = _(
    "A green-power target share and its basis go together: enter both, or neither."
)


class Organisation(models.Model):
    """The one organisation this installation reports for (a self-hosted, single-tenant product)."""

    SINGLETON_ID = 1

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    consolidation_approach = models.CharField(
        _("consolidation approach"),
        max_length=20,
        choices=ConsolidationApproach,
        default=ConsolidationApproach.OPERATIONAL_CONTROL,
        help_text=_("GHG Protocol organisational boundary."),
    )
    gwp_basis = models.CharField(
        _("GWP basis"),
        max_length=3,
        choices=GwpBasis,
        default=GwpBasis.AR5,
        help_text=_("One set of 100-year GWP values applies to the whole inventory."),
    )
    base_year = models.PositiveSmallIntegerField(
        _("base year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    reporting_currency = models.CharField(
        _("reporting currency"),
        max_length=3,
        default="CNY",
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Enter an ISO 4217 code, e.g. CNY."))],
    )
    electricity_series = models.CharField(
        _("China grid factor series"),
        max_length=20,
        choices=ElectricitySeries,
        default=ElectricitySeries.MEE_NBS,
        help_text=_("The two series follow different methods and are never mixed."),
    )
    flight_radiative_forcing = models.CharField(
        _("flight factors"),
        max_length=20,
        choices=FlightRadiativeForcing,
        default=FlightRadiativeForcing.WITH_RF,
        help_text=_("UK DESNZ flight factors with or without the radiative-forcing uplift."),
    )
    count_internal_removals = models.BooleanField(
        _("count own tree planting toward neutrality"),
        default=False,
        help_text=_(
            "Own planting is not verified by a registry; by default it is shown as internal "
            "removals and not subtracted."
        ),
    )
    # GHG Protocol Corporate Standard ch. 5: the base year is recalculated when a change in
    # methodology or emission factors changes its emissions significantly.
    restatement_threshold_pct = models.DecimalField(
        _("base-year significance threshold (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(5),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_(
            "A restatement that changes the base year's emissions by at least this share is "
            "significant: the base year is recalculated and its original figures kept."
        ),
    )
    residual_mix = models.CharField(
        _("residual-mix proxy"),
        max_length=24,
        choices=ResidualMix,
        default=ResidualMix.EXCLUDING_MARKET_NON_FOSSIL,
        help_text=_(
            "Market-based Scope 2: the factor for grid electricity that no certificate or "
            "green-power contract covers. China publishes no residual mix; the MEE–NBS factor "
            "excluding market-traded non-fossil electricity (2023: 0.6096 kg CO2/kWh) stands in "
            "for one. The national fossil-fuel factor (2023: 0.8273) is the conservative choice."
        ),
    )
    market_scope2_matching = models.CharField(
        _("market-based Scope 2 matching"),
        max_length=10,
        choices=MarketScope2Matching,
        default=MarketScope2Matching.ANNUAL,
        help_text=_(
            "Annual: certificates cover the year's consumption (today's rules). Hourly: they "
            "count only against consumption in the same hour and market, as the draft revision "
            "of the Scope 2 Guidance proposes; it needs interval meter data."
        ),
    )
    # NDRC/NEA Doc. 262 (2025) asks steel, non-ferrous metals, building materials,
    # petrochemicals and chemicals to reach a green-power share of their electricity.
    green_power_target_pct = models.DecimalField(
        _("green-power target share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal(0), GREEN_POWER_TARGET_RANGE),
            MaxValueValidator(Decimal(100), GREEN_POWER_TARGET_RANGE),
        ],
        help_text=_(
            "The share of its electricity the organisation must (or means to) cover with green "
            "power: certificates at zero emissions and on-site renewables. Leave empty for none."
        ),
    )
    green_power_target_basis = models.CharField(
        _("green-power target basis"),
        max_length=200,
        blank=True,
        help_text=_(
            "Where the target share comes from, shown beside it, e.g. “Doc. 262 (2025) share "
            "for the steel sector”."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation profile")
        verbose_name_plural = _("organisation profile")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="organisation_is_a_singleton"),
            models.CheckConstraint(
                condition=Q(base_year__gte=1990, base_year__lte=2100),
                name="organisation_base_year_in_range",
            ),
            models.CheckConstraint(
                condition=Q(green_power_target_pct__isnull=True)
                | Q(green_power_target_pct__gte=0, green_power_target_pct__lte=100),
                name="organisation_green_power_target_0_to_100",
                violation_error_message=GREEN_POWER_TARGET_RANGE,
            ),
            models.CheckConstraint(
                condition=Q(green_power_target_pct__isnull=True, green_power_target_basis="")
                | (Q(green_power_target_pct__isnull=False) & ~Q(green_power_target_basis="")),
                name="organisation_green_power_target_with_basis",
                violation_error_message=GREEN_POWER_TARGET_WITH_BASIS,
            ),
        ]

    def __str__(self):
        return self.name_en

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "Organisation | None":
        return cls.objects.filter(pk=cls.SINGLETON_ID).first()

    @property
    def factor_series(self) -> frozenset[str]:
        """Factor series this inventory reports with ("" = factors that belong to no series)."""
        return frozenset({"", self.electricity_series, self.flight_radiative_forcing})


class FacilityKind(models.TextChoices):
    FACTORY = "factory", _("Factory")
    OFFICE = "office", _("Office")
    WAREHOUSE = "warehouse", _("Warehouse")
    LABORATORY = "laboratory", _("Laboratory")
    DATA_CENTRE = "data_centre", _("Data centre")
    RETAIL = "retail", _("Shop")
    OTHER = "other", _("Other")


class Facility(models.Model):
    code = models.CharField(
        _("code"), max_length=20, unique=True, validators=[facility_code_validator]
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=FacilityKind)
    address = models.CharField(_("address"), max_length=300, blank=True)
    country = models.CharField(
        _("country"), max_length=2, default="CN", validators=[country_code_validator]
    )
    province = models.CharField(
        _("province"),
        max_length=6,
        choices=Province,
        blank=True,
        help_text=_("For Chinese sites: picks the provincial grid factor."),
    )
    grid_region = models.CharField(
        _("electricity grid region"),
        max_length=12,
        choices=GridRegion,
        blank=True,
        help_text=_("Used when no provincial factor exists for a year."),
    )
    ownership_share = models.DecimalField(
        _("ownership share (%)"),
        max_digits=5,
        decimal_places=2,
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Applies under the equity-share approach."),
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ownership_share__gte=0, ownership_share__lte=100),
                name="facility_ownership_share_0_to_100",
                violation_error_message=_("Ownership share must be between 0 and 100 %."),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gt=F("opened_on")),
                name="facility_closed_after_opened",
                violation_error_message=_("A facility must close after the day it opened."),
            ),
            models.CheckConstraint(
                condition=Q(province="") | Q(country="CN"),
                name="facility_province_only_in_china",
                violation_error_message=_(
                    "A Chinese province can only be set when the country is CN."
                ),
            ),
            models.CheckConstraint(
                condition=Q(grid_region="") | Q(country="CN"),
                name="facility_grid_region_only_in_china",
                violation_error_message=_(
                    "A Chinese grid region can only be set when the country is CN."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name_en}"

    @property
    def local_name(self) -> str:
        """The Chinese name when the page is in Chinese and one is recorded, else the English."""
        return in_page_language(self.name_en, self.name_zh)

    @property
    def region_chain(self) -> list[str]:
        """Regions from most to least specific, as factor selection walks them."""
        chain = [code for code in (self.province, self.grid_region, self.country) if code]
        return [*chain, "GLOBAL"]


class OutputMetric(models.TextChoices):
    PRODUCTION = "production", _("Production")
    REVENUE = "revenue", _("Revenue")
    HEADCOUNT = "headcount", _("Headcount")


class FacilityOutput(models.Model):
    """What a facility produced in a year (or earned, or employed): the denominator of intensity."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="outputs")
    year = models.PositiveSmallIntegerField(_("year"))
    metric = models.CharField(_("metric"), max_length=12, choices=OutputMetric)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=3)
    unit = models.CharField(
        _("unit"), max_length=20, help_text=_("e.g. t of castings, CNY, people")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("facility output")
        verbose_name_plural = _("facility outputs")
        ordering = ["facility", "year", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "year", "metric"],
                name="facility_output_unique_per_year_and_metric",
                violation_error_message=_("This facility already has that metric for that year."),
            ),
            models.CheckConstraint(
                condition=Q(value__gt=0),
                name="facility_output_positive",
                violation_error_message=_("The value must be more than zero."),
            ),
        ]

    def __str__(self):
        return f"{self.facility.code} {self.year} {self.get_metric_display()}: {self.value}"


class ReportingYearLock(models.Model):
    """A verified reporting year, locked: its records, retirements and certificates stay as
    they are until an administrator unlocks it (emissions/facilities/periods.py).

    Unlocking keeps the row (who, when, why); a year can be locked again later, by a new row.
    """

    year = models.PositiveSmallIntegerField(
        _("reporting year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    locked_at = models.DateTimeField(_("locked at"))
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("locked by"),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("e.g. the verification statement."))
    unlocked_at = models.DateTimeField(_("unlocked at"), null=True, blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unlocked by"),
    )
    unlock_reason = models.TextField(_("reason for unlocking"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporting year lock")
        verbose_name_plural = _("reporting year locks")
        ordering = ["-locked_at", "-id"]
        # Locks are made and lifted on the periods page, never added or edited as plain rows.
        default_permissions = ["view"]
        permissions = [
            ("lock_reporting_year", _("Can lock a verified reporting year")),
            ("unlock_reporting_year", _("Can unlock a locked reporting year, giving a reason")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(unlocked_at__isnull=True),
                name="reporting_year_locked_once",
                violation_error_message=_("This reporting year is already locked."),
            ),
            models.CheckConstraint(
                condition=Q(unlocked_at__isnull=True, unlocked_by__isnull=True, unlock_reason="")
                | (Q(unlocked_at__isnull=False, unlocked_by__isnull=False) & ~Q(unlock_reason="")),
                name="reporting_year_unlocked_with_who_and_why",
                violation_error_message=_("Unlocking needs who, when and a reason."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990, year__lte=2100),
                name="reporting_year_lock_year_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.year} ({'unlocked' if self.unlocked_at else 'locked'})"

    @property
    def is_active(self) -> bool:
        return self.unlocked_at is None
