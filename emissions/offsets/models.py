"""Carbon credits (projects, batches, retirements), own tree planting, energy attribute
certificates and ETS allowances.

Quantities of credits and allowances are tonnes CO2e with 3 decimals (1 kg); certificates
are MWh with 3 decimals (1 kWh).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from emissions.activities.models import HOURS, INTERVAL_KWH
from emissions.facilities.models import Facility, country_code_validator
from emissions.facilities.names import in_page_language

TONNES = {"max_digits": 16, "decimal_places": 3}
MWH = {"max_digits": 16, "decimal_places": 3}


class CreditStandard(models.TextChoices):
    CCER = "ccer", _("CCER (China Certified Emission Reduction)")
    VCS = "vcs", _("Verra VCS")
    GOLD_STANDARD = "gold_standard", _("Gold Standard")
    CDM = "cdm", _("CDM")
    PURO = "puro", _("Puro.earth")
    OTHER = "other", _("Other")


class ProjectType(models.TextChoices):
    AFFORESTATION = "afforestation", _("Afforestation / reforestation")
    IMPROVED_FOREST = "improved_forest", _("Improved forest management")
    RENEWABLE_ENERGY = "renewable_energy", _("Renewable energy")
    METHANE_CAPTURE = "methane_capture", _("Methane capture")
    COOKSTOVES = "cookstoves", _("Cookstoves")
    BIOCHAR = "biochar", _("Biochar")
    DIRECT_AIR_CAPTURE = "dac", _("Direct air capture")
    ENERGY_EFFICIENCY = "energy_efficiency", _("Energy efficiency")
    OTHER = "other", _("Other")


class CreditKind(models.TextChoices):
    REMOVAL = "removal", _("Removal")
    AVOIDANCE = "avoidance", _("Avoidance / reduction")


class CreditProject(models.Model):
    # `name` is the English name (it kept the column it had before the Chinese one came).
    name = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    standard = models.CharField(_("standard / registry"), max_length=20, choices=CreditStandard)
    registry_project_id = models.CharField(_("registry project id"), max_length=60)
    project_type = models.CharField(_("project type"), max_length=30, choices=ProjectType)
    kind = models.CharField(_("removal or avoidance"), max_length=10, choices=CreditKind)
    country = models.CharField(_("country"), max_length=2, default="CN")
    methodology = models.CharField(_("methodology"), max_length=200, blank=True)
    # China lets a renewable plant's electricity earn either CCERs or GECs, not both: GECs of
    # this plant beside its credits would count the same electricity twice.
    gec_project_code = models.CharField(
        _("GEC project filing code"),
        max_length=17,
        blank=True,
        help_text=_(
            "For a renewable-energy project: its plant's 17-character filing code (建档立卡), the "
            "first 17 characters of its GECs' codes. GECs of this plant are then refused."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("credit project")
        verbose_name_plural = _("credit projects")
        ordering = ["standard", "registry_project_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "registry_project_id"],
                name="credit_project_unique_per_registry",
                violation_error_message=_("This registry already has a project with that id."),
            )
        ]

    def __str__(self):
        return f"{self.get_standard_display()} {self.registry_project_id} {self.local_name}"

    @property
    def local_name(self) -> str:
        """The name in the page's language (the other one when it has none)."""
        return in_page_language(self.name, self.name_zh)


class CreditBatch(models.Model):
    """Credits bought in one block: a vintage and a serial range of one registry."""

    project = models.ForeignKey(CreditProject, on_delete=models.PROTECT, related_name="batches")
    vintage_year = models.PositiveSmallIntegerField(_("vintage"))
    quantity_t = models.DecimalField(
        _("quantity (tCO2e)"), validators=[MinValueValidator(0)], **TONNES
    )
    serial_first = models.PositiveBigIntegerField(_("first serial number"))
    serial_last = models.PositiveBigIntegerField(_("last serial number"))
    purchased_on = models.DateField(_("purchase date"))
    price_per_t = models.DecimalField(
        _("price per tonne"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("credit batch")
        verbose_name_plural = _("credit batches")
        ordering = ["-purchased_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_t__gt=0), name="credit_batch_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(serial_last__gte=F("serial_first")),
                name="credit_batch_serials_ordered",
                violation_error_message=_("The last serial number cannot precede the first."),
            ),
            models.CheckConstraint(
                condition=Q(vintage_year__gte=1990, vintage_year__lte=2100),
                name="credit_batch_vintage_in_range",
            ),
        ]

    def __str__(self):
        return batch_name(
            self.project.registry_project_id, self.vintage_year, self.serial_first, self.serial_last
        )


def batch_name(registry_project_id: str, vintage_year: int, first: int, last: int) -> str:
    """How a batch is named everywhere: its project's registry id, vintage and serials."""
    return f"{registry_project_id} v{vintage_year} #{first}–{last}"


class RetirementPurpose(models.TextChoices):
    NEUTRALITY = "neutrality", _("Carbon-neutrality claim")
    ETS_COMPLIANCE = "ets_compliance", _("ETS compliance (surrendered; not for neutrality)")


class Retirement(models.Model):
    """Credits retired from a batch for one reporting year. Never edited: reversed instead."""

    batch = models.ForeignKey(CreditBatch, on_delete=models.PROTECT, related_name="retirements")
    quantity_t = models.DecimalField(_("quantity (tCO2e)"), **TONNES)
    retired_on = models.DateField(_("retired on"))
    claimed_year = models.PositiveSmallIntegerField(_("reporting year claimed for"))
    purpose = models.CharField(
        _("purpose"),
        max_length=20,
        choices=RetirementPurpose,
        default=RetirementPurpose.NEUTRALITY,
    )
    registry_reference = models.CharField(_("registry retirement reference"), max_length=100)
    # The batch's project's registry, copied on every save: a reference is unique per
    # registry, and a unique constraint cannot reach across the batch and project tables.
    registry = models.CharField(
        _("registry"), max_length=20, choices=CreditStandard, editable=False
    )
    beneficiary_statement = models.TextField(_("beneficiary statement"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retirement")
        verbose_name_plural = _("retirements")
        ordering = ["-retired_on", "pk"]
        constraints = [
            # A registry issues a retirement reference once: recording it twice (a double
            # submission) would count the same credits twice.
            models.UniqueConstraint(
                fields=["registry", "registry_reference"],
                name="retirement_reference_unique_per_registry",
                violation_error_message=_(
                    "This registry retirement reference is already recorded."
                ),
            ),
            models.CheckConstraint(
                condition=Q(quantity_t__gt=0), name="retirement_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(claimed_year__gte=1990, claimed_year__lte=2100),
                name="retirement_claimed_year_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.quantity_t} t from {self.batch} for {self.claimed_year}"

    def save(self, *args, **kwargs):
        self.registry = self.batch.project.standard
        super().save(*args, **kwargs)

    def clean(self):
        # Before validate_constraints, so the unique reference is checked in its registry.
        if self.batch_id is not None:
            self.registry = self.batch.project.standard


class RetirementReversal(models.Model):
    """Undoes (part of) a retirement, as its own audited entry."""

    retirement = models.ForeignKey(Retirement, on_delete=models.PROTECT, related_name="reversals")
    quantity_t = models.DecimalField(_("quantity (tCO2e)"), **TONNES)
    reversed_on = models.DateField(_("reversed on"))
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retirement reversal")
        verbose_name_plural = _("retirement reversals")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_t__gt=0), name="reversal_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"−{self.quantity_t} t of {self.retirement}"


class TreePlanting(models.Model):
    """The organisation's own planting: internal removals, not verified by a registry."""

    # `name` is the English name (it kept the column it had before the Chinese one came).
    name = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    area_ha = models.DecimalField(_("area (ha)"), max_digits=10, decimal_places=2)
    species = models.CharField(_("species"), max_length=200)
    planting_year = models.PositiveSmallIntegerField(_("planting year"))
    sequestration_t_per_year = models.DecimalField(
        _("estimated sequestration (tCO2/year)"), **TONNES
    )
    method = models.TextField(_("estimation method"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tree planting")
        verbose_name_plural = _("tree planting")
        ordering = ["planting_year", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(area_ha__gt=0), name="planting_area_positive"),
            models.CheckConstraint(
                condition=Q(sequestration_t_per_year__gte=0),
                name="planting_sequestration_not_negative",
            ),
        ]

    def __str__(self):
        return self.local_name

    @property
    def local_name(self) -> str:
        """The name in the page's language (the other one when it has none)."""
        return in_page_language(self.name, self.name_zh)

    def clean(self):
        # Period locking: not while a year it counts in is locked (the admin form shows why).
        from .locking import assert_planting_open

        assert_planting_open(self)


class CertificateScheme(models.TextChoices):
    GEC = "gec", _("China green electricity certificate (GEC)")
    IREC = "irec", _("I-REC")
    REC = "rec", _("REC")
    GREEN_POWER_CONTRACT = "green_power", _("Green-power purchase contract")
    SUPPLIER_SPECIFIC = "supplier", _("Supplier-specific factor")


class Technology(models.TextChoices):
    WIND = "wind", _("Wind")
    SOLAR = "solar", _("Solar")
    HYDRO = "hydro", _("Hydro")
    BIOMASS = "biomass", _("Biomass")
    NUCLEAR = "nuclear", _("Nuclear")
    MIXED = "mixed", _("Supplier mix")


class EnergyCertificate(models.Model):
    """Energy attribute certificates applied to a facility's (or the whole organisation's)
    electricity in one reporting year, for market-based Scope 2.

    GHG Protocol Scope 2 Quality Criteria: certificates cover only electricity consumed in
    the market they come from, here a country (a facility's certificates: its own country).
    """

    scheme = models.CharField(_("scheme"), max_length=20, choices=CertificateScheme)
    registry = models.CharField(_("registry"), max_length=100)
    technology = models.CharField(_("technology"), max_length=20, choices=Technology)
    serial_first = models.PositiveBigIntegerField(_("first serial number"))
    serial_last = models.PositiveBigIntegerField(_("last serial number"))
    generation_start = models.DateField(_("generation period start"))
    generation_end = models.DateField(_("generation period end"))
    mwh = models.DecimalField(_("MWh"), **MWH)
    facility = models.ForeignKey(
        Facility,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="energy_certificates",
        help_text=_("Leave empty to apply the certificates to the whole organisation."),
    )
    market_country = models.CharField(
        _("market (country)"),
        max_length=2,
        default="CN",
        validators=[country_code_validator],
        help_text=_("Certificates cover only electricity consumed in this market."),
    )
    reporting_year = models.PositiveSmallIntegerField(_("reporting year applied to"))
    # GECs only: the range's first and last 32-character codes (offsets/gec.py reads them);
    # every code of the range is kept as a ClaimedGecCode, unique across all certificates.
    gec_code_first = models.CharField(_("first GEC code"), max_length=32, blank=True)
    gec_code_last = models.CharField(_("last GEC code"), max_length=32, blank=True)
    kg_co2e_per_kwh = models.DecimalField(
        _("emission factor (kg CO2e/kWh)"),
        max_digits=10,
        decimal_places=6,
        default=0,
        help_text=_("0 for renewable certificates; the supplier's factor for a supplier mix."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("energy attribute certificate")
        verbose_name_plural = _("energy attribute certificates")
        ordering = ["-reporting_year", "registry", "serial_first"]
        constraints = [
            models.CheckConstraint(condition=Q(mwh__gt=0), name="certificate_mwh_positive"),
            models.CheckConstraint(
                condition=Q(serial_last__gte=F("serial_first")),
                name="certificate_serials_ordered",
                violation_error_message=_("The last serial number cannot precede the first."),
            ),
            models.CheckConstraint(
                condition=Q(generation_end__gte=F("generation_start")),
                name="certificate_generation_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(kg_co2e_per_kwh__gte=0), name="certificate_factor_not_negative"
            ),
        ]

    def __str__(self):
        if self.gec_code_first:
            return f"{self.get_scheme_display()} {self.gec_code_first}–{self.gec_code_last}"
        serials = f"#{self.serial_first}–{self.serial_last}"
        return f"{self.get_scheme_display()} {self.registry} {serials}"


class ClaimedGecCode(models.Model):
    """One GEC claimed by a certificate entry: a code is claimed once, ever (the database's
    unique index holds it against every writer, concurrent ones included)."""

    code = models.CharField(_("GEC code"), max_length=32)
    certificate = models.ForeignKey(
        EnergyCertificate, on_delete=models.CASCADE, related_name="gec_codes"
    )

    class Meta:
        verbose_name = _("claimed GEC code")
        verbose_name_plural = _("claimed GEC codes")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="gec_code_claimed_once",
                violation_error_message=_("This GEC code is already claimed."),
            )
        ]

    def __str__(self):
        return self.code


class GreenPowerContract(models.Model):
    """A green-power purchase (绿电交易): renewable electricity bought with its GECs bundled,
    for one facility, settled month by month by a power-trading centre.

    Apart from unbundled certificates (EnergyCertificate): it delivers energy, its GECs move
    to the buyer with each month's settlement, and its volume is what was settled.
    """

    reference = models.CharField(_("contract reference"), max_length=100, unique=True)
    seller = models.CharField(_("seller (generator)"), max_length=200)
    trading_centre = models.CharField(
        _("power-trading centre"),
        max_length=100,
        help_text=_("E.g. Beijing Power Exchange Center (北京电力交易中心)."),
    )
    technology = models.CharField(_("technology"), max_length=20, choices=Technology)
    gec_project_code = models.CharField(
        _("plant's GEC filing code"),
        max_length=17,
        blank=True,
        help_text=_(
            "The 17-character filing code (建档立卡) of the plant the electricity comes from."
        ),
    )
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="green_power_contracts"
    )
    market_country = models.CharField(
        _("market (country)"), max_length=2, default="CN", validators=[country_code_validator]
    )
    starts_on = models.DateField(_("delivery starts"))
    ends_on = models.DateField(_("delivery ends"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("green-power contract")
        verbose_name_plural = _("green-power contracts")
        ordering = ["-starts_on", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="green_power_contract_period_ordered",
                violation_error_message=_("The delivery period cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.reference} ({self.seller})"


class ContractSettlement(models.Model):
    """One month's settled volume of a green-power contract (the GECs bundled with it)."""

    contract = models.ForeignKey(
        GreenPowerContract, on_delete=models.PROTECT, related_name="settlements"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2017), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    kwh = models.DecimalField(_("settled kWh"), max_digits=16, decimal_places=3)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract settlement")
        verbose_name_plural = _("contract settlements")
        ordering = ["contract", "year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "year", "month"],
                name="contract_settled_once_a_month",
                violation_error_message=_("This month of the contract is already settled."),
            ),
            models.CheckConstraint(condition=Q(kwh__gt=0), name="settlement_kwh_positive"),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="settlement_month_in_range"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2017, year__lte=2100), name="settlement_year_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.contract.reference} {self.year}-{self.month:02d}"


class AllowanceTransactionKind(models.TextChoices):
    ALLOCATION = "allocation", _("Free allocation")
    PURCHASE = "purchase", _("Purchase")
    SALE = "sale", _("Sale")
    SURRENDER = "surrender", _("Surrender for compliance")


class AllowanceTransaction(models.Model):
    """ETS allowances held and surrendered: compliance only, never an offset."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+")
    compliance_year = models.PositiveSmallIntegerField(_("compliance year"))
    kind = models.CharField(_("kind"), max_length=12, choices=AllowanceTransactionKind)
    quantity_t = models.DecimalField(_("allowances (tCO2)"), **TONNES)
    transacted_on = models.DateField(_("date"))
    price_per_t = models.DecimalField(
        _("price per tonne"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ETS allowance transaction")
        verbose_name_plural = _("ETS allowance transactions")
        ordering = ["-compliance_year", "transacted_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_t__gt=0), name="allowance_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quantity_t} t ({self.compliance_year})"


class ContractGenerationDay(models.Model):
    """A green-power contract's generator output on one local day (China Standard Time), in its
    24 hours: the real profile hourly matching spreads the month's settled kWh by (supply.py).

    Only complete days are stored (every hour read): a missing hour would read as a night
    without generation. The settled kWh, not these, is the amount; these give the shape.
    """

    contract = models.ForeignKey(
        GreenPowerContract, on_delete=models.PROTECT, related_name="generation_days"
    )
    day = models.DateField(_("day"))
    h00 = models.DecimalField("00:00", **INTERVAL_KWH)
    h01 = models.DecimalField("01:00", **INTERVAL_KWH)
    h02 = models.DecimalField("02:00", **INTERVAL_KWH)
    h03 = models.DecimalField("03:00", **INTERVAL_KWH)
    h04 = models.DecimalField("04:00", **INTERVAL_KWH)
    h05 = models.DecimalField("05:00", **INTERVAL_KWH)
    h06 = models.DecimalField("06:00", **INTERVAL_KWH)
    h07 = models.DecimalField("07:00", **INTERVAL_KWH)
    h08 = models.DecimalField("08:00", **INTERVAL_KWH)
    h09 = models.DecimalField("09:00", **INTERVAL_KWH)
    h10 = models.DecimalField("10:00", **INTERVAL_KWH)
    h11 = models.DecimalField("11:00", **INTERVAL_KWH)
    h12 = models.DecimalField("12:00", **INTERVAL_KWH)
    h13 = models.DecimalField("13:00", **INTERVAL_KWH)
    h14 = models.DecimalField("14:00", **INTERVAL_KWH)
    h15 = models.DecimalField("15:00", **INTERVAL_KWH)
    h16 = models.DecimalField("16:00", **INTERVAL_KWH)
    h17 = models.DecimalField("17:00", **INTERVAL_KWH)
    h18 = models.DecimalField("18:00", **INTERVAL_KWH)
    h19 = models.DecimalField("19:00", **INTERVAL_KWH)
    h20 = models.DecimalField("20:00", **INTERVAL_KWH)
    h21 = models.DecimalField("21:00", **INTERVAL_KWH)
    h22 = models.DecimalField("22:00", **INTERVAL_KWH)
    h23 = models.DecimalField("23:00", **INTERVAL_KWH)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract generation day")
        verbose_name_plural = _("contract generation days")
        ordering = ["contract", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "day"],
                name="contract_generation_day_once",
                violation_error_message=_("This day of the contract's generation is stored."),
            ),
            models.CheckConstraint(
                condition=Q(**{f"{hour}__gte": 0 for hour in HOURS}),
                name="contract_generation_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.contract.reference} {self.day.isoformat()}"

    @property
    def hourly_kwh(self) -> tuple:
        return tuple(getattr(self, hour) for hour in HOURS)
