"""Activity types (what staff record) and activity records with their stored calculation."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from emissions.facilities.models import Facility, GwpBasis
from emissions.factors.choice import RegionMatch, YearMatch  # the rule's codes, stored below
from emissions.factors.models import EmissionFactor, Gas
from emissions.factors.taxonomy import Category, Scope
from emissions.suppliers.models import SupplierProduct

KG = {"max_digits": 24, "decimal_places": 6}


class EmissionMethod(models.TextChoices):
    FACTOR = "factor", _("Quantity × emission factor")
    DIRECT_GAS = "direct_gas", _("Quantity is the mass of gas released (e.g. refrigerant leak)")
    ZERO = "zero", _("Zero-emission (e.g. on-site solar consumed)")


class ActivityType(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category)
    scope = models.PositiveSmallIntegerField(_("scope"), choices=Scope, editable=False)
    method = models.CharField(_("method"), max_length=12, choices=EmissionMethod)
    factor_group = models.SlugField(
        _("factor group"), max_length=60, blank=True, help_text=_("Factors are chosen from it.")
    )
    proxy_region = models.CharField(
        _("proxy region"),
        max_length=20,
        blank=True,
        help_text=_(
            "Tried after GLOBAL when no factor exists for the facility's regions; "
            "records that use it are flagged."
        ),
    )
    gas = models.ForeignKey(
        Gas,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("gas released"),
        help_text=_("For direct releases such as refrigerant leaks."),
    )
    default_unit = models.CharField(_("default unit"), max_length=40)
    density_kg_per_l = models.DecimalField(
        _("density (kg/L)"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    ncv_gj_per_t = models.DecimalField(
        _("net calorific value (GJ/t)"), max_digits=8, decimal_places=3, null=True, blank=True
    )
    # Gaseous fuels are metered in standard cubic metres, and the Chinese standards give their
    # calorific value per Nm³ (GB/T 2589, GB/T 32151): volume <-> energy without a density.
    ncv_gj_per_m3 = models.DecimalField(
        _("net calorific value (GJ per standard m³)"),
        max_digits=10,
        decimal_places=6,
        null=True,
        blank=True,
    )
    properties_source = models.TextField(_("source of density and calorific value"), blank=True)
    is_renewable_electricity = models.BooleanField(
        _("renewable electricity"),
        default=False,
        help_text=_("Counts toward the renewable share of electricity (e.g. on-site solar)."),
    )
    is_electricity = models.BooleanField(_("electricity consumption"), default=False)
    spend_sector = models.CharField(
        _("spend sector (NAICS)"),
        max_length=6,
        blank=True,
        help_text=_(
            "For purchases recorded in CNY: the 6-digit NAICS code whose spend-based factor "
            "applies when no supplier data or average factor fits (a product's own sector "
            "comes first)."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        ordering = ["category", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(method="factor", gas__isnull=True) & ~Q(factor_group="")
                    | Q(method="direct_gas", gas__isnull=False, factor_group="")
                    | Q(method="zero", gas__isnull=True, factor_group="")
                ),
                name="activity_type_method_matches_its_fields",
                violation_error_message=_(
                    "A factor-based type needs a factor group, a direct release needs its gas, "
                    "and a zero-emission type needs neither."
                ),
            ),
            models.CheckConstraint(
                condition=Q(density_kg_per_l__isnull=True) | Q(density_kg_per_l__gt=0),
                name="activity_type_density_positive",
            ),
            models.CheckConstraint(
                condition=Q(ncv_gj_per_t__isnull=True) | Q(ncv_gj_per_t__gt=0),
                name="activity_type_ncv_positive",
            ),
            models.CheckConstraint(
                condition=(
                    Q(density_kg_per_l__isnull=True, ncv_gj_per_t__isnull=True)
                    | ~Q(properties_source="")
                ),
                name="activity_type_fuel_properties_have_a_source",
                violation_error_message=_("Density and calorific value need their source."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.scope = int(self.category[1])
        super().save(*args, **kwargs)


class DataQuality(models.TextChoices):
    METERED = "metered", _("Metered")
    INVOICE = "invoice", _("Invoice")
    ESTIMATED = "estimated", _("Estimated")


class ReviewStatus(models.TextChoices):
    """Where a record stands in maker-checker review: only approved records are reported."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


PENDING_STATUSES = (ReviewStatus.DRAFT, ReviewStatus.SUBMITTED)


class ReviewStatusQuerySet(models.QuerySet):
    """Records, or rollups of records, by where they stand in review."""

    def counted(self):
        """What the dashboard totals: approved and pending records, never rejected ones."""
        return self.exclude(status=ReviewStatus.REJECTED)

    def approved(self):
        """What the inventory report totals: approved records only."""
        return self.filter(status=ReviewStatus.APPROVED)

    def pending(self):
        return self.filter(status__in=PENDING_STATUSES)


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Previewed")
    COMMITTED = "committed", _("Committed")
    ROLLED_BACK = "rolled_back", _("Rolled back")
    FAILED = "failed", _("Failed")


# What a person enters for a record, in the order forms, imports and exports show it; the
# rest of a record is calculated from these.
RECORD_INPUT_FIELDS = [
    "facility",
    "activity_type",
    "period_start",
    "period_end",
    "quantity",
    "unit",
    "data_quality",
    "source_reference",
    "notes",
    "purchased_product",
]

# What an approver approves: every input above, the notes and source reference included (the
# source is the evidence the approver checked; a note is often why an estimate was accepted).
# Not inputs: the calculated fields (factor, emissions, scope, year…), which follow from the
# inputs and from factors and GWPs whose own changes are audited and recalculated set-based;
# and the review fields, which are the review itself. A change of any of these inputs sends a
# submitted, approved or rejected record back to draft: save() below applies the rule to every
# save (the admin's form and import, a history revert) and a database trigger (migration 0010)
# to every other UPDATE. test_approved_inputs_reopen.py holds the trigger to this list.
REVIEWED_INPUT_FIELDS = tuple(RECORD_INPUT_FIELDS)

# What a change of reviewed inputs resets: the record is submitted and approved again.
REOPENED_REVIEW = {
    "status": ReviewStatus.DRAFT,
    "submitted_by": None,
    "submitted_at": None,
    "reviewed_by": None,
    "reviewed_at": None,
    "rejection_reason": "",
}


class ImportBatch(models.Model):
    """One uploaded file of activity records: kept from preview to commit, and rolled back whole."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # The file itself, server-side: the commit re-reads these bytes, never a re-upload.
    content = models.BinaryField(_("file content"))
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus, default=ImportStatus.PREVIEWED
    )
    message = models.TextField(_("result"), blank=True)
    # What validating the file found when it was uploaded (or when a commit failed): counts,
    # the first problems and rows. The page shows it without reading the file again.
    preview = models.JSONField(_("preview"), default=dict, blank=True, editable=False)
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)
    rolled_back_at = models.DateTimeField(_("rolled back at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"


class ActivityRecord(models.Model):
    """Facility F used Q units of activity type A in a period; with what it emitted, and why."""

    # No index of its own: the (facility, year, month) index serves lookups by facility.
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="activity_records", db_index=False
    )
    activity_type = models.ForeignKey(
        ActivityType, on_delete=models.PROTECT, related_name="records"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    quantity = models.DecimalField(
        _("quantity"), max_digits=20, decimal_places=6, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=40)
    data_quality = models.CharField(_("data quality"), max_length=10, choices=DataQuality)
    source_reference = models.CharField(_("source reference"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Purchases (Scope 3) name what was bought, and so from whom: the supplier's own data
    # come first in the factor choice (scope3.py).
    purchased_product = models.ForeignKey(
        SupplierProduct,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("supplier product"),
        help_text=_("For purchases: the supplier's product, so its own data are used first."),
    )

    # Denormalised from the type and period: every chart groups by these.
    scope = models.PositiveSmallIntegerField(_("scope"), choices=Scope, editable=False)
    category = models.CharField(_("category"), max_length=20, choices=Category, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    month = models.PositiveSmallIntegerField(_("month"), editable=False)

    # The stored calculation: what was used and what came out.
    factor = models.ForeignKey(
        EmissionFactor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="records",
    )
    factor_region_match = models.CharField(
        _("factor region"), max_length=10, choices=RegionMatch, blank=True, editable=False
    )
    factor_year_match = models.CharField(
        _("factor year"), max_length=10, choices=YearMatch, blank=True, editable=False
    )
    factor_quantity = models.DecimalField(
        _("quantity in the factor's unit"),
        max_digits=30,
        decimal_places=12,
        null=True,
        editable=False,
    )
    gwp_basis = models.CharField(_("GWP basis"), max_length=3, choices=GwpBasis, editable=False)
    co2_kg = models.DecimalField(_("kg CO2"), default=0, editable=False, **KG)
    ch4_kg = models.DecimalField(_("kg CH4"), default=0, editable=False, **KG)
    n2o_kg = models.DecimalField(_("kg N2O"), default=0, editable=False, **KG)
    other_gas = models.ForeignKey(
        Gas, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    other_gas_kg = models.DecimalField(_("kg of other gas"), default=0, editable=False, **KG)
    published_co2e_kg = models.DecimalField(
        _("kg CO2e published by the factor's source"), default=0, editable=False, **KG
    )
    biogenic_co2_kg = models.DecimalField(_("kg biogenic CO2"), default=0, editable=False, **KG)
    co2e_kg = models.DecimalField(_("kg CO2e"), default=0, editable=False, **KG)
    # For electricity types only: the quantity in kWh, for market-based Scope 2 and the
    # renewable share (certificates are counted in MWh against it).
    electricity_kwh = models.DecimalField(
        _("electricity (kWh)"), max_digits=24, decimal_places=6, null=True, editable=False
    )
    calculated_at = models.DateTimeField(_("calculated at"), editable=False)
    import_batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="records",
        verbose_name=_("import batch"),
    )
    # Maker-checker review (workflow.py): who submitted the record, who approved or rejected it.
    status = models.CharField(
        _("review status"),
        max_length=10,
        choices=ReviewStatus,
        default=ReviewStatus.DRAFT,
        editable=False,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True, editable=False)

    objects = ReviewStatusQuerySet.as_manager()

    # Every change, including each set-based recalculation, leaves a row here: what was used.
    # A bigint id: one snapshot per recalculation can add a million rows at a time.
    history = HistoricalRecords(
        no_db_index=["facility", "activity_type", "factor", "other_gas", "purchased_product"],
        history_id_field=models.BigAutoField(primary_key=True),
    )

    class Meta:
        verbose_name = _("activity record")
        verbose_name_plural = _("activity records")
        permissions = [
            ("approve_activityrecord", _("Can approve or reject submitted activity records")),
        ]
        ordering = ["-period_start", "facility_id"]
        indexes = [
            models.Index(fields=["year", "scope", "category"]),
            models.Index(fields=["facility", "year", "month"]),
            # The ledger's sorts, read from a page's position (dashboard/keyset.py): newest
            # first, and by emissions (largest or smallest first) without sorting every record.
            models.Index(fields=["period_start", "id"]),
            models.Index(fields=["co2e_kg", "id"], name="record_co2e_id"),
            # By activity type, read type by type (pages/ledger.py _by_activity_type).
            models.Index(
                fields=["activity_type", "period_start", "id"], name="record_type_start_id"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0),
                name="record_quantity_not_negative",
                violation_error_message=_("Quantity cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="record_period_end_not_before_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(period_start__year=F("period_end__year")),
                name="record_period_within_one_year",
                violation_error_message=_("A record's period must lie within one calendar year."),
            ),
            models.CheckConstraint(
                condition=Q(co2_kg__gte=0, ch4_kg__gte=0, n2o_kg__gte=0, other_gas_kg__gte=0)
                & Q(co2e_kg__gte=0, biogenic_co2_kg__gte=0, published_co2e_kg__gte=0),
                name="record_emissions_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(factor__isnull=True) | Q(factor_quantity__isnull=False),
                name="record_with_factor_keeps_converted_quantity",
            ),
            # Maker-checker, also for writes that bypass the workflow's services.
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (Q(reviewed_by__isnull=False) & ~Q(reviewed_by=F("submitted_by")))
                | Q(reviewed_by__isnull=True, submitted_by__isnull=True),
                name="record_approved_by_someone_else",
                violation_error_message=_("A record cannot be approved by who submitted it."),
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="record_rejected_with_a_reason",
                violation_error_message=_("A rejection needs a reason."),
            ),
        ]

    def __str__(self):
        return f"{self.facility.code} {self.activity_type} {self.period_start}–{self.period_end}"

    def save(self, *args, calculator=None, **kwargs):
        # The stored emissions always match the stored inputs, however the row is saved.
        self.calculate(calculator)
        if self._edits_a_review():
            for name, value in REOPENED_REVIEW.items():
                setattr(self, name, value)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], *REOPENED_REVIEW}
        super().save(*args, **kwargs)

    def _edits_a_review(self) -> bool:
        """Whether this save changes the reviewed inputs or the review of a reviewed record.

        Review steps are workflow.py's UPDATEs, never a save(): a save is an edit. It keeps the
        stored review only when it changes neither an input nor a review field, so a history
        revert cannot bring back an approval (or a version's other inputs) nobody reviewed.
        """
        if self._state.adding or self.pk is None or self.status == ReviewStatus.DRAFT:
            return False
        fields = [self._meta.get_field(name) for name in (*REVIEWED_INPUT_FIELDS, *REOPENED_REVIEW)]
        stored = (
            type(self)
            ._base_manager.filter(pk=self.pk)
            .values_list(*(field.attname for field in fields))
            .first()
        )
        if stored is None:
            return False
        saved = tuple(field.to_python(getattr(self, field.attname)) for field in fields)
        return saved != stored

    def clean(self):
        # Period locking: a record of a locked reporting year (its new year or, when edited,
        # the year it had) is neither added nor changed; forms and imports show the message.
        from .locking import assert_record_open

        assert_record_open(self)
        # Field errors (a missing facility, a bad date) are reported by the fields themselves.
        if self.facility_id is None or self.activity_type_id is None:
            return
        if self.period_start is None or self.period_end is None or self.quantity is None:
            return
        self.calculate()

    def calculate(self, calculator=None) -> None:
        """Choose the factor and store the emissions; raise ValidationError on bad input."""
        from .calculation import RecordCalculator

        (calculator or RecordCalculator()).calculate(self)


class RecalculationRun(models.Model):
    """One set-based recalculation: why it ran, what it touched, how long it took."""

    reason = models.CharField(_("reason"), max_length=300)
    factor = models.ForeignKey(
        EmissionFactor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    gwp_basis = models.CharField(_("GWP basis"), max_length=3, choices=GwpBasis)
    records_updated = models.PositiveIntegerField(_("records updated"), default=0)
    started_at = models.DateTimeField(_("started at"))
    seconds = models.DecimalField(_("seconds"), max_digits=10, decimal_places=3, default=0)

    class Meta:
        verbose_name = _("recalculation run")
        verbose_name_plural = _("recalculation runs")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.reason}"


# Rollups: what the dashboard aggregates, pre-summed. Database triggers (rollup_sql.py) keep them
# equal to the sums of activity records on every write, however it is made: a form, the admin,
# an import's COPY, a review or a set-based recalculation. They are never written by the ORM.
# A rollup row exists only while records of its key do, and those records already protect the
# facility, type, factor and gas: the rollups' own keys do nothing on delete (the database's
# foreign keys still hold), so the admin's "cannot delete" page lists records, not sums.
ROLLUP_KG = {"max_digits": 32, "decimal_places": 6, "default": 0, "editable": False}


class RecordRollup(models.Model):
    """Sums of the records of one year, facility, type, review status, data quality and factor.

    Bounded by facilities × types × years × a few statuses, qualities and factors: tens of
    thousands of rows for millions of records. Same column names as ActivityRecord, so an
    aggregate reads `Sum("co2e_kg")` from either; `Sum("record_count")` counts records.
    """

    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    facility = models.ForeignKey(Facility, on_delete=models.DO_NOTHING, related_name="+")
    activity_type = models.ForeignKey(ActivityType, on_delete=models.DO_NOTHING, related_name="+")
    scope = models.PositiveSmallIntegerField(_("scope"), choices=Scope, editable=False)
    category = models.CharField(_("category"), max_length=20, choices=Category, editable=False)
    status = models.CharField(_("review status"), max_length=10, choices=ReviewStatus)
    data_quality = models.CharField(_("data quality"), max_length=10, choices=DataQuality)
    factor = models.ForeignKey(
        EmissionFactor, on_delete=models.DO_NOTHING, null=True, related_name="+"
    )
    other_gas = models.ForeignKey(Gas, on_delete=models.DO_NOTHING, null=True, related_name="+")
    record_count = models.BigIntegerField(_("records"), default=0, editable=False)
    co2_kg = models.DecimalField(_("kg CO2"), **ROLLUP_KG)
    ch4_kg = models.DecimalField(_("kg CH4"), **ROLLUP_KG)
    n2o_kg = models.DecimalField(_("kg N2O"), **ROLLUP_KG)
    other_gas_kg = models.DecimalField(_("kg of other gas"), **ROLLUP_KG)
    published_co2e_kg = models.DecimalField(_("kg CO2e published"), **ROLLUP_KG)
    biogenic_co2_kg = models.DecimalField(_("kg biogenic CO2"), **ROLLUP_KG)
    co2e_kg = models.DecimalField(_("kg CO2e"), **ROLLUP_KG)
    # Summed as 0 where a record has none (it is not electricity).
    electricity_kwh = models.DecimalField(_("electricity (kWh)"), **ROLLUP_KG)
    # The factor is part of the key, so each row's quantities share one unit (the factor's):
    # physical amounts per carrier (energy in tce) are read from here. 0 where no factor.
    factor_quantity = models.DecimalField(
        _("quantity in the factor's unit"),
        max_digits=40,
        decimal_places=12,
        default=0,
        editable=False,
    )

    objects = ReviewStatusQuerySet.as_manager()

    class Meta:
        verbose_name = _("record rollup")
        verbose_name_plural = _("record rollups")
        default_permissions = ()
        indexes = [
            models.Index(fields=["year", "facility"]),
            models.Index(fields=["facility", "year"]),
            # The triggers delete emptied rows through this index.
            models.Index(fields=["id"], condition=Q(record_count=0), name="recordrollup_empty"),
        ]
        # The unique key the PostgreSQL triggers upsert on is created by migration 0009
        # (NULLS NOT DISTINCT: factor and other gas may be empty).

    def __str__(self):
        return f"{self.year} {self.facility_id} {self.activity_type_id} {self.status}"


class MonthRollup(models.Model):
    """Sums of the records of one month, facility and review status: the monthly charts."""

    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    month = models.PositiveSmallIntegerField(_("month"), editable=False)
    facility = models.ForeignKey(Facility, on_delete=models.DO_NOTHING, related_name="+")
    status = models.CharField(_("review status"), max_length=10, choices=ReviewStatus)
    record_count = models.BigIntegerField(_("records"), default=0, editable=False)
    co2e_kg = models.DecimalField(_("kg CO2e"), **ROLLUP_KG)

    objects = ReviewStatusQuerySet.as_manager()

    class Meta:
        verbose_name = _("month rollup")
        verbose_name_plural = _("month rollups")
        default_permissions = ()
        indexes = [
            models.Index(fields=["year", "month"]),
            models.Index(fields=["id"], condition=Q(record_count=0), name="monthrollup_empty"),
        ]

    def __str__(self):
        return f"{self.year}-{self.month:02d} {self.facility_id} {self.status}"


# Interval meter data (issue 18): hourly grid electricity per facility, for hourly-matched
# market-based Scope 2. Written only by the interval import (activities/intervals/).
HOURS = tuple(f"h{hour:02d}" for hour in range(24))
INTERVAL_KWH = {"max_digits": 12, "decimal_places": 3}


class IntervalMinutes(models.IntegerChoices):
    QUARTER_HOUR = 15, _("15 minutes")
    HOUR = 60, _("1 hour")


class IntervalUpload(models.Model):
    """One uploaded file of interval meter readings: who stored which days, and what they held."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    meter_count = models.PositiveIntegerField(_("meters"), default=0)
    day_count = models.PositiveIntegerField(_("meter-days stored"), default=0)
    replaced_day_count = models.PositiveIntegerField(_("meter-days replaced"), default=0)
    incomplete_day_count = models.PositiveIntegerField(_("incomplete meter-days"), default=0)
    # kWh per facility and month, as the page shows it after the upload (intervals/summary.py).
    summary = models.JSONField(_("summary"), default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("interval data upload")
        verbose_name_plural = _("interval data uploads")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


def _no_negative_hour() -> Q:
    condition = Q()
    for hour in HOURS:
        condition &= Q(**{f"{hour}__isnull": True}) | Q(**{f"{hour}__gte": 0})
    return condition


class MeterDay(models.Model):
    """One meter's readings of one local day (China Standard Time), summed into its 24 hours.

    One row a day rather than one per reading: a year of 50 meters at 15 minutes is 18,250
    rows instead of 1,752,000, and the hourly selector reads a year of a facility in one pass.
    An hour without any reading is NULL (not 0): "no data" and "used nothing" differ.
    """

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="meter_days", db_index=False
    )
    meter = models.CharField(_("meter"), max_length=60)
    day = models.DateField(_("day"))
    interval_minutes = models.PositiveSmallIntegerField(
        _("reading interval"), choices=IntervalMinutes
    )
    # How many intervals of the day had a reading: 96 (or 24 hourly) when the day is complete.
    reading_count = models.PositiveSmallIntegerField(_("readings"))
    upload = models.ForeignKey(
        IntervalUpload,
        on_delete=models.PROTECT,
        related_name="days",
        verbose_name=_("upload"),
    )
    h00 = models.DecimalField("00:00", null=True, **INTERVAL_KWH)
    h01 = models.DecimalField("01:00", null=True, **INTERVAL_KWH)
    h02 = models.DecimalField("02:00", null=True, **INTERVAL_KWH)
    h03 = models.DecimalField("03:00", null=True, **INTERVAL_KWH)
    h04 = models.DecimalField("04:00", null=True, **INTERVAL_KWH)
    h05 = models.DecimalField("05:00", null=True, **INTERVAL_KWH)
    h06 = models.DecimalField("06:00", null=True, **INTERVAL_KWH)
    h07 = models.DecimalField("07:00", null=True, **INTERVAL_KWH)
    h08 = models.DecimalField("08:00", null=True, **INTERVAL_KWH)
    h09 = models.DecimalField("09:00", null=True, **INTERVAL_KWH)
    h10 = models.DecimalField("10:00", null=True, **INTERVAL_KWH)
    h11 = models.DecimalField("11:00", null=True, **INTERVAL_KWH)
    h12 = models.DecimalField("12:00", null=True, **INTERVAL_KWH)
    h13 = models.DecimalField("13:00", null=True, **INTERVAL_KWH)
    h14 = models.DecimalField("14:00", null=True, **INTERVAL_KWH)
    h15 = models.DecimalField("15:00", null=True, **INTERVAL_KWH)
    h16 = models.DecimalField("16:00", null=True, **INTERVAL_KWH)
    h17 = models.DecimalField("17:00", null=True, **INTERVAL_KWH)
    h18 = models.DecimalField("18:00", null=True, **INTERVAL_KWH)
    h19 = models.DecimalField("19:00", null=True, **INTERVAL_KWH)
    h20 = models.DecimalField("20:00", null=True, **INTERVAL_KWH)
    h21 = models.DecimalField("21:00", null=True, **INTERVAL_KWH)
    h22 = models.DecimalField("22:00", null=True, **INTERVAL_KWH)
    h23 = models.DecimalField("23:00", null=True, **INTERVAL_KWH)
    history = HistoricalRecords(
        no_db_index=["facility", "upload"],
        history_id_field=models.BigAutoField(primary_key=True),
    )

    class Meta:
        verbose_name = _("meter day")
        verbose_name_plural = _("meter days")
        ordering = ["facility", "meter", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "meter", "day"], name="meterday_one_per_meter_and_day"
            ),
            models.CheckConstraint(
                condition=Q(interval_minutes__in=[15, 60]), name="meterday_interval_15_or_60"
            ),
            models.CheckConstraint(
                condition=Q(reading_count__gte=1)
                & Q(reading_count__lte=1440 / F("interval_minutes")),
                name="meterday_readings_within_the_day",
            ),
            models.CheckConstraint(condition=_no_negative_hour(), name="meterday_kwh_not_negative"),
        ]
        indexes = [
            # The hourly selector reads one year of every facility.
            models.Index(fields=["day", "facility"], name="meterday_day_facility"),
        ]

    def __str__(self):
        return f"{self.facility_id} {self.meter} {self.day}"

    @property
    def is_complete(self) -> bool:
        return self.reading_count * self.interval_minutes == 24 * 60
