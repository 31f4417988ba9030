"""What each facility is expected to report, by when, and who owes it (issue 21).

An expected stream says: facility F reports activity type A every month (or every year); its
owner enters or obtains the data by the due day of the month after the period. The completeness
grid (completeness.py) sets the records against these expectations.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from emissions.activities.models import ActivityType
from emissions.facilities.models import Facility
from emissions.facilities.names import in_page_language

# The due day stays within every month (February included).
LAST_DUE_DAY = 28


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    YEARLY = "yearly", _("Yearly")


class ExpectedStream(models.Model):
    facility = models.ForeignKey(
        Facility,
        on_delete=models.PROTECT,
        related_name="expected_streams",
        verbose_name=_("facility"),
    )
    activity_type = models.ForeignKey(
        ActivityType,
        on_delete=models.PROTECT,
        related_name="expected_streams",
        verbose_name=_("activity type"),
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency, default=Frequency.MONTHLY
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_streams",
        verbose_name=_("owner"),
        help_text=_("Who enters or obtains this data (their own page lists what they owe)."),
    )
    due_day = models.PositiveSmallIntegerField(
        _("due day"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(LAST_DUE_DAY)],
        help_text=_(
            "Day of the month after the period by which its data is due (1–28): 10 means a "
            "month's data by the 10th of the next month, a year's by 10 January."
        ),
    )
    starts_on = models.DateField(
        _("expected from"), help_text=_("The first period expected is the one containing this day.")
    )
    ends_on = models.DateField(
        _("expected until"),
        null=True,
        blank=True,
        help_text=_("Leave empty while the stream continues (e.g. until a boiler is removed)."),
    )
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("expected data stream")
        verbose_name_plural = _("expected data streams")
        ordering = ["facility__code", "activity_type__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "activity_type"],
                name="one_expected_stream_per_facility_and_type",
                violation_error_message=_(
                    "This facility already has an expected stream for this activity type."
                ),
            ),
            models.CheckConstraint(
                condition=Q(due_day__gte=1, due_day__lte=LAST_DUE_DAY),
                name="expected_stream_due_day_in_every_month",
                violation_error_message=_("The due day must be between 1 and 28."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="expected_stream_ends_after_it_starts",
                violation_error_message=_("A stream cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.facility.code} · {self.activity_type} ({self.get_frequency_display()})"


class Scenario(models.Model):
    """A named set of assumptions for the forecast to the neutrality year (forecast.py).

    Without a scenario the forecast uses the published grid trend, the facilities' output plans
    and the committed reduction initiatives; a scenario may change the grid trend, count the
    initiatives still at the idea stage, add measures (rooftop solar, certificates, other
    abatement) and set the credit price path and the removals share the offsets budget uses.
    """

    name = models.CharField(_("name (English)"), max_length=200, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_plan = models.BooleanField(
        _("the plan"),
        default=False,
        help_text=_("The scenario the forecast page opens on; only one can be the plan."),
    )
    grid_change_pct = models.DecimalField(
        _("grid factor change per year (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(-50), MaxValueValidator(50)],
        help_text=_(
            "e.g. −3 for a grid factor falling 3 % a year. Leave empty for the published trend "
            "of the organisation's grid-factor series."
        ),
    )
    include_ideas = models.BooleanField(
        _("count initiatives at the idea stage"),
        default=False,
        help_text=_("Otherwise only planned, in-progress and done initiatives are counted."),
    )
    avoidance_price = models.DecimalField(
        _("avoidance credit price (per tCO2e)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    removal_price = models.DecimalField(
        _("removal credit price (per tCO2e)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    price_change_pct = models.DecimalField(
        _("credit price change per year (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(-50), MaxValueValidator(100)],
    )
    removals_share_start_pct = models.DecimalField(
        _("removals share of credits in the first forecast year (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    removals_share_end_pct = models.DecimalField(
        _("removals share of credits in the neutrality year (%)"),
        max_digits=5,
        decimal_places=2,
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "ISO 14068-1 expects the residual to be counterbalanced more and more by removals."
        ),
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["-is_plan", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_plan"],
                condition=Q(is_plan=True),
                name="one_scenario_is_the_plan",
                violation_error_message=_("Another scenario is already the plan: unmark it first."),
            ),
            models.CheckConstraint(
                condition=Q(grid_change_pct__isnull=True)
                | Q(grid_change_pct__gte=-50, grid_change_pct__lte=50),
                name="scenario_grid_change_in_range",
                violation_error_message=_("The grid factor change must be between −50 and 50 %."),
            ),
            models.CheckConstraint(
                condition=Q(avoidance_price__gte=0, removal_price__gte=0),
                name="scenario_prices_not_negative",
                violation_error_message=_("A credit price cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(price_change_pct__gte=-50, price_change_pct__lte=100),
                name="scenario_price_change_in_range",
                violation_error_message=_("The price change must be between −50 and 100 %."),
            ),
            models.CheckConstraint(
                condition=Q(
                    removals_share_start_pct__gte=0,
                    removals_share_start_pct__lte=100,
                    removals_share_end_pct__gte=0,
                    removals_share_end_pct__lte=100,
                ),
                name="scenario_removals_shares_are_percentages",
                violation_error_message=_("A removals share must be between 0 and 100 %."),
            ),
        ]

    def __str__(self):
        return self.local_name

    @property
    def local_name(self) -> str:
        return in_page_language(self.name, self.name_zh)


class MeasureKind(models.TextChoices):
    # MW of capacity × full-load hours → MWh a year no longer taken from the grid.
    ROOFTOP_SOLAR = "rooftop_solar", _("Rooftop solar (MW)")
    # MWh a year of grid electricity covered by certificates (GECs) or a green-power contract.
    CERTIFICATES = "certificates", _("Green certificates or contracts (MWh a year)")
    # Any other measure with its abatement stated: electrifying a boiler, a process change.
    ABATEMENT = "abatement", _("Other measure (tCO2e a year)")


class ScenarioMeasure(models.Model):
    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="measures", verbose_name=_("scenario")
    )
    title = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=MeasureKind)
    facility = models.ForeignKey(
        Facility,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("facility"),
        help_text=_(
            "Solar and certificates replace this facility's grid electricity at its own factor; "
            "empty: the organisation's average."
        ),
    )
    start_year = models.PositiveSmallIntegerField(
        _("first year"), help_text=_("The first full year the measure works.")
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
        help_text=_("MW for solar, MWh a year for certificates, tCO2e a year for other measures."),
    )
    full_load_hours = models.PositiveSmallIntegerField(
        _("full-load hours a year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(8760)],
        help_text=_("Solar only: the plant's design yield, MWh per MW a year."),
    )
    capex = models.DecimalField(
        _("capital cost"), max_digits=16, decimal_places=2, default=0,
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    annual_cost = models.DecimalField(
        _("yearly cost"),
        max_digits=16,
        decimal_places=2,
        default=0,
        help_text=_("Running cost a year (certificates bought); negative for a saving."),
    )
    lifetime_years = models.PositiveSmallIntegerField(
        _("lifetime (years)"), default=10, validators=[MinValueValidator(1)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scenario measure")
        verbose_name_plural = _("scenario measures")
        ordering = ["scenario", "start_year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="measure_amount_positive",
                violation_error_message=_("The amount must be more than zero."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="rooftop_solar") | Q(full_load_hours__gte=1),
                name="solar_measure_has_full_load_hours",
                violation_error_message=_("A solar measure needs its full-load hours a year."),
            ),
            models.CheckConstraint(
                condition=Q(full_load_hours__isnull=True) | Q(full_load_hours__lte=8760),
                name="measure_full_load_hours_within_a_year",
                violation_error_message=_("A year has 8,760 hours."),
            ),
            models.CheckConstraint(
                condition=Q(capex__gte=0),
                name="measure_capex_not_negative",
                violation_error_message=_("The capital cost cannot be negative."),
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(lifetime_years__gte=1), name="measure_lifetime_at_least_a_year"
            ),
        ]

    def __str__(self):
        return f"{self.scenario} · {self.local_title}"

    @property
    def local_title(self) -> str:
        return in_page_language(self.title, self.title_zh)

    def clean(self):
        # On the field, before the database's constraints say the same without naming it.
        solar = self.kind == MeasureKind.ROOFTOP_SOLAR
        if solar and not self.full_load_hours:
            raise ValidationError(
                {"full_load_hours": _("A solar measure needs its full-load hours a year.")}
            )
        if not solar and self.full_load_hours:
            raise ValidationError(
                {"full_load_hours": _("Only a solar measure has full-load hours.")}
            )
